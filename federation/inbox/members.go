package inbox

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// RemoteMembership applies a remote group's changes to the memberships
// of local actors: groups.Service implements it.
type RemoteMembership interface {
	ApplyRemoteRole(ctx context.Context, groupID, actorID, byActorID string, role groups.Role) (*groups.Member, error)
	ApplyRemoteRemoval(ctx context.Context, groupID, actorID, byActorID string) error
}

// membership finds the group and the member an Update{Member} or a
// Remove is about: by the Member's IRI, else by the member and group
// IRIs it names. It returns nils when neither is stored here.
func (s *Services) membership(ctx context.Context, memberIRI, actorIRI, groupIRI string) (group, member *identity.Actor, err error) {
	if memberIRI != "" && s.cfg.Members != nil {
		m, err := s.cfg.Members.GetMemberByAPID(ctx, memberIRI)
		switch {
		case err == nil:
			if group, err = s.cfg.Identity.GetActor(ctx, m.GroupID); err != nil {
				return nil, nil, err
			}
			if member, err = s.cfg.Identity.GetActor(ctx, m.ActorID); err != nil {
				return nil, nil, err
			}
			return group, member, nil
		case !errors.Is(err, storage.ErrNotFound):
			return nil, nil, err
		}
	}
	if actorIRI == "" || groupIRI == "" {
		return nil, nil, nil
	}
	group, err = s.cfg.Identity.GetActorByAPID(ctx, groupIRI)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	member, err = s.cfg.Identity.GetActorByAPID(ctx, actorIRI)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return group, member, nil
}

// remoteGroupSays reports whether a change of group's memberships by
// actorIRI is one to apply here: a remote group (of Group type) and a
// local member, from an actor on the group's host, whose instance
// applied its permission matrix before the activity left it. A change
// about a local group, or a remote member, is not ours to apply (false,
// nil); an actor of another host is refused.
func (s *Services) remoteGroupSays(group, member *identity.Actor, actorIRI string) (bool, error) {
	if group == nil || member == nil || group.Type != identity.TypeGroup || group.Local || !member.Local {
		return false, nil
	}
	gh, err1 := hostOf(group.APID)
	ah, err2 := hostOf(actorIRI)
	if err1 != nil || err2 != nil || gh != ah {
		return false, refused("%s cannot change the members of %s", actorIRI, group.APID)
	}
	return true, nil
}

// memberUpdate applies a remote group's role change of a local member
// (Mobilizon's Update{Member}). It reports whether the activity was one.
func (s *Services) memberUpdate(ctx context.Context, a *Activity) (bool, error) {
	o := a.Object
	if a.Type != wire.TypeUpdate || o == nil || o.Type != wire.TypeMember {
		return false, nil
	}
	if s.cfg.RemoteMembers == nil {
		return true, nil
	}
	group, member, err := s.membership(ctx, o.ID, o.Actor, o.Object)
	if err != nil {
		return true, err
	}
	if ok, err := s.remoteGroupSays(group, member, a.Actor); !ok || err != nil {
		return true, err
	}
	role := groups.Role(o.Role)
	if !groups.IsMember(role) {
		return true, refused("role %q is not a member role", o.Role)
	}
	_, err = s.cfg.RemoteMembers.ApplyRemoteRole(ctx, group.ID, member.ID, group.ID, role)
	if errors.Is(err, groups.ErrNotMember) {
		return true, nil // not a member here: nothing to change
	}
	return true, err
}

// memberRemove applies a remote group's Remove of a local member: the
// object is the Member's IRI (Mobilizon) or the Member itself, the
// origin the group.
func (s *Services) memberRemove(ctx context.Context, a *Activity) error {
	if s.cfg.RemoteMembers == nil {
		return nil
	}
	memberIRI, actorIRI, groupIRI := a.ObjectIRI, "", a.Origin
	if o := a.Object; o != nil {
		if o.Type != wire.TypeMember {
			return nil
		}
		memberIRI, actorIRI = o.ID, o.Actor
		if o.Object != "" {
			groupIRI = o.Object
		}
	}
	group, member, err := s.membership(ctx, memberIRI, actorIRI, groupIRI)
	if err != nil {
		return err
	}
	if ok, err := s.remoteGroupSays(group, member, a.Actor); !ok || err != nil {
		return err
	}
	if err := s.cfg.RemoteMembers.ApplyRemoteRemoval(ctx, group.ID, member.ID, group.ID); err != nil {
		return fmt.Errorf("inbox: removal from %s: %w", group.APID, err)
	}
	return nil
}
