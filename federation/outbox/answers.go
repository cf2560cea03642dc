package outbox

import (
	"context"
	"fmt"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// Answers returns the inbox.Answers that queue the answers to remote
// activities the hooks cannot see, each in a transaction of st:
//
//   - GroupJoinRefused: Reject{Join} by the group, to a remote actor
//     whose Join of a local group stored nothing (invitation only, or
//     declined before).
//   - GroupRelay: the group's Announce of a remote member's activity
//     on its events (FEP-1b12), to its members and, when public, its
//     followers; not back to the author.
//   - Join: Reject{Join} (refused: closed, invitation only, declined
//     before) and Ignore (join mode external or none), which store no
//     participation and so fire no events hook. Accepted, waitlisted and
//     pending joins are answered by EventChanged, inside the join's own
//     transaction: Answers does nothing for them, so nothing is sent
//     twice.
//
// These run after the inbox's change committed: a crash in between
// loses the answer (the remote server may send its activity again).
func (o *Outbox) Answers(st storage.Transactor) inbox.Answers {
	return inbox.Answers{
		GroupJoinRefused: func(ctx context.Context, a inbox.GroupJoinAnswer) error {
			if a.Actor == nil || a.Group == nil || a.Actor.Local || !a.Group.Local {
				return nil
			}
			if a.JoinID == "" {
				return fmt.Errorf("outbox: answer to a Join without id from %s", a.Actor.APID)
			}
			return st.InTx(ctx, func(tx storage.Tx) error {
				t, err := open(tx, false)
				if err != nil {
					return err
				}
				m := wire.Membership{ID: a.JoinID, Member: a.Actor.APID, Group: a.Group.APID, Role: groups.RoleRejected}
				act := wire.RejectGroupJoin(m, o.base+"/reject/join/"+o.newID(), a.Group.APID)
				aud := &audience{}
				aud.add(a.Actor)
				return o.enqueue(ctx, t, act, a.Group.APID, aud)
			})
		},
		GroupRelay: func(ctx context.Context, r inbox.GroupRelay) error {
			if r.Group == nil || r.Author == nil || !r.Group.Local || len(r.Activity) == 0 {
				return nil
			}
			return st.InTx(ctx, func(tx storage.Tx) error {
				t, err := open(tx, true)
				if err != nil {
					return err
				}
				members := r.Group.APID + "/members"
				act := wire.Announce(r.Group.APID+"/announces/"+o.newID(), r.Group.APID, r.Activity, r.Author.APID,
					r.Public, r.Group.Followers, members)
				aud := &audience{seen: map[string]bool{r.Author.APID: true}} // the author has it
				if r.Public {
					if err := t.addFollowers(ctx, aud, r.Group.ID); err != nil {
						return err
					}
				}
				if err := t.addMembers(ctx, aud, r.Group.ID); err != nil {
					return err
				}
				return o.enqueue(ctx, t, act, r.Group.APID, aud)
			})
		},
		Join: func(ctx context.Context, a inbox.JoinAnswer) error {
			if a.Actor == nil || a.Event == nil || a.Actor.Local || !a.Event.Local {
				return nil
			}
			if a.Outcome != inbox.JoinRejected && a.Outcome != inbox.JoinIgnored {
				return nil
			}
			return st.InTx(ctx, func(tx storage.Tx) error {
				t, err := open(tx, false)
				if err != nil {
					return err
				}
				org, err := t.actor(ctx, a.Event.OrganizerID)
				if err != nil {
					return err
				}
				var act wire.Activity
				if a.Outcome == inbox.JoinIgnored {
					act = wire.IgnoreJoin(o.base+"/ignore/join/"+o.newID(), org.APID, a.JoinID, a.Actor.APID)
				} else {
					p := wire.Participation{ID: a.JoinID, Participant: a.Actor.APID, Event: a.Event.APID, Organizer: org.APID}
					if a.Event.GroupID != "" {
						p.Followers, p.Members = org.Followers, org.APID+"/members"
					}
					act = wire.RejectJoin(p, o.base+"/reject/join/"+o.newID(), org.APID)
				}
				if a.JoinID == "" {
					return fmt.Errorf("outbox: answer to a Join without id from %s", a.Actor.APID)
				}
				aud := &audience{}
				aud.add(a.Actor)
				return o.enqueue(ctx, t, act, org.APID, aud)
			})
		},
	}
}
