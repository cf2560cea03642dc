package groups

import (
	"context"
	"errors"
	"fmt"
)

// RemoteStore keeps the groups of other instances that local profiles
// join.
type RemoteStore interface {
	// PutRemoteGroup stores the settings of a remote group whose actor
	// is already stored (g.ID), replacing them when present.
	// ErrNotFound when the actor is not stored; ErrConflict when it is a
	// local actor.
	PutRemoteGroup(ctx context.Context, g *Group) error
}

// PutRemoteGroup records a group of another instance (its actor stored
// by the federation resolver), so that local profiles can join it:
// Join then asks that instance, which answers through AnswerRemoteJoin.
// Unknown openness means moderated, unknown visibility public.
func (s *Service) PutRemoteGroup(ctx context.Context, g *Group) (*Group, error) {
	if g == nil || g.ID == "" || g.Local {
		return nil, fmt.Errorf("%w: a remote group needs the id of its stored actor", ErrInvalid)
	}
	c := *g
	if c.Openness == "" {
		c.Openness = Moderated
	}
	if c.Visibility == "" {
		c.Visibility = Public
	}
	if _, err := s.clean(settings{displayName: c.DisplayName, openness: c.Openness, visibility: c.Visibility,
		address: c.Address}); err != nil {
		return nil, err
	}
	if err := s.store.PutRemoteGroup(ctx, &c); err != nil {
		return nil, fmt.Errorf("groups: remote group: %w", err)
	}
	return s.Get(ctx, c.ID)
}

// AnswerRemoteJoin records a remote group's answer to a local actor's
// join: accepted makes it a member, otherwise the request is rejected.
// byActorID must be the group (the caller checked that the answer came
// from the group's instance); a local group gives ErrForbidden (its own
// moderators use Approve and Reject). Answering twice the same way
// changes nothing.
func (s *Service) AnswerRemoteJoin(ctx context.Context, groupID, actorID, byActorID string, accepted bool) (*Member, error) {
	var unchanged *Member
	m, err := s.change(ctx, "answer to join", groupID, byActorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if g.Local || byActorID != g.ID {
			return "", "", fmt.Errorf("%w: only the remote group answers this join", ErrForbidden)
		}
		if m == nil {
			return "", "", ErrNotMember
		}
		role := RoleRejected
		if accepted {
			role = RoleMember
		}
		if m.Role == role || (accepted && IsMember(m.Role)) {
			unchanged = m
			return "", "", errUnchanged
		}
		if m.Role != RoleNotApproved && m.Role != RoleInvited {
			return "", "", ErrNotMember
		}
		return role, "", nil
	})
	if errors.Is(err, errUnchanged) {
		return unchanged, nil
	}
	return m, err
}

// errUnchanged stops a change that has nothing to do.
var errUnchanged = errors.New("groups: unchanged")

// ApplyRemoteRole records a remote group's change of a member's role
// (Mobilizon's Update{Member}), so that our copy of its memberships
// follows the group's instance, which applied its permission matrix.
// byActorID must be the group (the caller checked that the change came
// from the group's host); a local group gives ErrForbidden. Only an
// existing membership changes (ErrNotMember otherwise), and only between
// the member roles creator, administrator, moderator and member.
// Applying the same role again changes nothing.
func (s *Service) ApplyRemoteRole(ctx context.Context, groupID, actorID, byActorID string, role Role) (*Member, error) {
	if !IsMember(role) {
		return nil, fmt.Errorf("groups: remote role: %w", &ValidationError{Field: "role", Reason: fmt.Sprintf("%q is not a member role", role)})
	}
	var unchanged *Member
	m, err := s.change(ctx, "remote role", groupID, byActorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if g.Local || byActorID != g.ID {
			return "", "", fmt.Errorf("%w: only the remote group changes its roles", ErrForbidden)
		}
		if m == nil || !IsMember(m.Role) {
			return "", "", ErrNotMember
		}
		if m.Role == role {
			unchanged = m
			return "", "", errUnchanged
		}
		return role, m.InvitedBy, nil
	})
	if errors.Is(err, errUnchanged) {
		return unchanged, nil
	}
	return m, err
}

// ApplyRemoteRemoval records that a remote group removed a member
// (Mobilizon's Remove of a Member), with ApplyRemoteRole's rules for
// byActorID. Removing someone who is not a member changes nothing.
func (s *Service) ApplyRemoteRemoval(ctx context.Context, groupID, actorID, byActorID string) error {
	_, err := s.change(ctx, "remote removal", groupID, byActorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if g.Local || byActorID != g.ID {
			return "", "", fmt.Errorf("%w: only the remote group removes its members", ErrForbidden)
		}
		if m == nil {
			return "", "", errUnchanged
		}
		return "", "", nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}
