package outbox

import (
	"context"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

var _ identity.Hook = (*Outbox)(nil)

// FollowChanged implements identity.Hook. Between a local and a remote
// actor it sends:
//
//   - a local actor's follow request, new or repeated: Follow, to the
//     followed remote actor;
//   - a local actor's unfollow of a remote actor: Undo{Follow};
//   - a remote follower accepted by a local actor, at once, after manual
//     approval, or again when it repeats an accepted request:
//     Accept{Follow};
//   - a remote follower rejected or removed by a local actor:
//     Reject{Follow}.
//
// Follows between two local actors, and changes that a remote actor's
// own activity caused (its Undo, or its Accept of our Follow), send
// nothing.
func (o *Outbox) FollowChanged(ctx context.Context, tx storage.Tx, c identity.FollowChange) error {
	f, from, to := c.Follow, c.Follower, c.Followed
	if f == nil || from == nil || to == nil || from.Local == to.Local {
		return nil
	}
	view := wire.FollowView{ID: f.APID, Follower: from.APID, Followed: to.APID}
	var act wire.Activity
	var signer string
	var recipient *identity.Actor
	switch {
	case from.Local && c.Removed:
		act, signer, recipient = wire.UndoFollow(view, o.base+"/undo/follow/"+f.ID+"/"+o.newID()), from.APID, to
	case from.Local && c.Request:
		act, signer, recipient = wire.Follow(view), from.APID, to
	case !from.Local && !c.Removed && f.State == identity.FollowAccepted && (c.Request || c.Previous != identity.FollowAccepted):
		act, signer, recipient = wire.AcceptFollow(view, o.base+"/accept/follow/"+f.ID+"/"+o.newID()), to.APID, from
	case !from.Local && !c.Removed && f.State == identity.FollowRejected && c.Previous != identity.FollowRejected:
		act, signer, recipient = wire.RejectFollow(view, o.base+"/reject/follow/"+f.ID+"/"+o.newID()), to.APID, from
	default:
		return nil
	}
	t, err := open(tx, false)
	if err != nil {
		return err
	}
	aud := &audience{}
	aud.add(recipient)
	return o.enqueue(ctx, t, act, signer, aud)
}
