package groups

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/storage"
)

// putMember writes actorID's membership with role, keeping the row's id
// and ActivityPub id when it exists.
func (s *Service) putMember(ctx context.Context, st Store, groupID, actorID string, role Role, invitedBy, apID string) (*Member, error) {
	now := s.clock()
	m, err := st.GetMember(ctx, groupID, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		m = &Member{ID: s.newID(), GroupID: groupID, ActorID: actorID, CreatedAt: now}
		m.APID = s.base + "/member/" + m.ID
	case err != nil:
		return nil, err
	}
	if apID != "" {
		m.APID = apID
	}
	m.Role, m.UpdatedAt = role, now
	if invitedBy != "" {
		m.InvitedBy = invitedBy
	}
	if err := st.PutMember(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// change runs one membership operation under the group's lock: fn gets
// the group and actorID's current membership (nil when none) and returns
// the new role ("" removes the membership), or an error that leaves
// everything as it was.
func (s *Service) change(ctx context.Context, op, groupID, byID, actorID, apID string, fn func(st Store, g *Group, m *Member) (role Role, invitedBy string, err error)) (*Member, error) {
	var out *Member
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		g, err := st.LockGroup(ctx, groupID)
		if err != nil {
			return err
		}
		if actorID == "" {
			return ErrNotMember
		}
		m, err := st.GetMember(ctx, groupID, actorID)
		if errors.Is(err, storage.ErrNotFound) {
			m, err = nil, nil
		}
		if err != nil {
			return err
		}
		role, invitedBy, err := fn(st, g, m)
		if err != nil {
			return err
		}
		var prev Role
		if m != nil {
			prev = m.Role
		}
		if role == "" {
			if err := st.DeleteMember(ctx, groupID, actorID); err != nil {
				return err
			}
			return s.emit(ctx, tx, Change{Kind: MemberRemoved, ActorID: byID, Group: g, Member: m, PreviousRole: prev})
		}
		if out, err = s.putMember(ctx, st, groupID, actorID, role, invitedBy, apID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: MemberChanged, ActorID: byID, Group: g, Member: out, PreviousRole: prev})
	})
	if err != nil {
		return nil, fmt.Errorf("groups: %s: %w", op, err)
	}
	return out, nil
}

// requireRole checks that byID may do p.
func requireRole(ctx context.Context, st Store, groupID, byID string, p Permission) (Role, error) {
	role, err := roleOf(ctx, st, groupID, byID)
	if err != nil {
		return "", err
	}
	if !Can(role, p) {
		return "", fmt.Errorf("%w: %s needs more than %q", ErrForbidden, p, role)
	}
	return role, nil
}

// administrators counts the creator and administrators. The group must
// be locked.
func administrators(ctx context.Context, st Store, groupID string) (int, error) {
	return st.CountMembers(ctx, groupID, []Role{RoleCreator, RoleAdministrator})
}

// Join asks for membership: an open group takes actorID at once, a
// moderated one records a request (not_approved) for moderators to
// decide, and an invite-only one takes only actors it invited (joining
// then accepts the invitation). A remote group's join waits
// (not_approved) for that instance's answer (AnswerRemoteJoin). Someone rejected cannot ask again until
// invited. apID is the Join's id for a remote actor; "" for local ones.
func (s *Service) Join(ctx context.Context, groupID, actorID, apID string) (*Member, error) {
	return s.change(ctx, "join", groupID, actorID, actorID, apID, func(st Store, g *Group, m *Member) (Role, string, error) {
		switch {
		case m != nil && m.Role == RoleInvited:
			return RoleMember, "", nil
		case m != nil && m.Role == RoleRejected:
			return "", "", fmt.Errorf("%w: the group declined an earlier request", ErrForbidden)
		case m != nil:
			return "", "", ErrAlreadyMember
		case !g.Local:
			// Another instance decides (AnswerRemoteJoin).
			return RoleNotApproved, "", nil
		case g.Openness == Open:
			return RoleMember, "", nil
		case g.Openness == Moderated:
			return RoleNotApproved, "", nil
		}
		return "", "", fmt.Errorf("%w: the group takes members by invitation", ErrForbidden)
	})
}

// Approve accepts a pending join request (PermMemberApprove).
func (s *Service) Approve(ctx context.Context, moderatorID, groupID, actorID string) (*Member, error) {
	return s.change(ctx, "approve", groupID, moderatorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if _, err := requireRole(ctx, st, groupID, moderatorID, PermMemberApprove); err != nil {
			return "", "", err
		}
		if m == nil || m.Role != RoleNotApproved {
			return "", "", ErrNotMember
		}
		return RoleMember, "", nil
	})
}

// Reject declines a pending join request (PermMemberApprove). The
// actor cannot ask again until invited.
func (s *Service) Reject(ctx context.Context, moderatorID, groupID, actorID string) (*Member, error) {
	return s.change(ctx, "reject", groupID, moderatorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if _, err := requireRole(ctx, st, groupID, moderatorID, PermMemberApprove); err != nil {
			return "", "", err
		}
		if m == nil || m.Role != RoleNotApproved {
			return "", "", ErrNotMember
		}
		return RoleRejected, "", nil
	})
}

// Invite invites an actor (PermMemberInvite: administrators). An
// invitation replaces a pending request or an earlier rejection.
func (s *Service) Invite(ctx context.Context, inviterID, groupID, inviteeID string) (*Member, error) {
	return s.change(ctx, "invite", groupID, inviterID, inviteeID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if _, err := requireRole(ctx, st, groupID, inviterID, PermMemberInvite); err != nil {
			return "", "", err
		}
		if m != nil && (IsMember(m.Role) || m.Role == RoleInvited) {
			return "", "", ErrAlreadyMember
		}
		return RoleInvited, inviterID, nil
	})
}

// AcceptInvitation makes an invited actor a member.
func (s *Service) AcceptInvitation(ctx context.Context, groupID, actorID string) (*Member, error) {
	return s.change(ctx, "accept invitation", groupID, actorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if m == nil || m.Role != RoleInvited {
			return "", "", ErrNotMember
		}
		return RoleMember, "", nil
	})
}

// DeclineInvitation removes an invitation.
func (s *Service) DeclineInvitation(ctx context.Context, groupID, actorID string) error {
	_, err := s.change(ctx, "decline invitation", groupID, actorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if m == nil || m.Role != RoleInvited {
			return "", "", ErrNotMember
		}
		return "", "", nil
	})
	return err
}

// Leave ends actorID's membership, or withdraws its pending request. The
// last administrator (creator included) cannot leave: they promote
// someone first or delete the group.
func (s *Service) Leave(ctx context.Context, groupID, actorID string) error {
	_, err := s.change(ctx, "leave", groupID, actorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if m == nil || m.Role == RoleRejected || m.Role == RoleInvited {
			return "", "", ErrNotMember
		}
		if err := keepAnAdministrator(ctx, st, groupID, m.Role); err != nil {
			return "", "", err
		}
		return "", "", nil
	})
	return err
}

// keepAnAdministrator refuses to take away the last administrator role.
func keepAnAdministrator(ctx context.Context, st Store, groupID string, losing Role) error {
	if losing != RoleCreator && losing != RoleAdministrator {
		return nil
	}
	n, err := administrators(ctx, st, groupID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return ErrLastAdministrator
	}
	return nil
}

// Remove ends someone else's membership (PermMemberRemove). Nobody
// removes a member whose role is as high as their own; the creator
// removes anyone.
func (s *Service) Remove(ctx context.Context, moderatorID, groupID, actorID string) error {
	_, err := s.change(ctx, "remove", groupID, moderatorID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		role, err := requireRole(ctx, st, groupID, moderatorID, PermMemberRemove)
		if err != nil {
			return "", "", err
		}
		if m == nil {
			return "", "", ErrNotMember
		}
		if moderatorID == actorID {
			return "", "", fmt.Errorf("%w: leave instead of removing yourself", ErrForbidden)
		}
		if level(m.Role) >= level(role) {
			return "", "", fmt.Errorf("%w: %q cannot remove %q", ErrForbidden, role, m.Role)
		}
		return "", "", keepAnAdministrator(ctx, st, groupID, m.Role)
	})
	return err
}

// ChangeRole sets a member's role (PermMemberChangeRole:
// administrators) to administrator, moderator or member. The creator's
// role does not change, and demoting the last administrator is
// ErrLastAdministrator.
func (s *Service) ChangeRole(ctx context.Context, adminID, groupID, actorID string, role Role) (*Member, error) {
	if role != RoleAdministrator && role != RoleModerator && role != RoleMember {
		return nil, fmt.Errorf("groups: change role: %w", &ValidationError{Field: "role", Reason: fmt.Sprintf("%q cannot be given; use administrator, moderator or member", role)})
	}
	return s.change(ctx, "change role", groupID, adminID, actorID, "", func(st Store, g *Group, m *Member) (Role, string, error) {
		if _, err := requireRole(ctx, st, groupID, adminID, PermMemberChangeRole); err != nil {
			return "", "", err
		}
		switch {
		case m == nil || !IsMember(m.Role):
			return "", "", ErrNotMember
		case m.Role == RoleCreator:
			return "", "", fmt.Errorf("%w: the creator's role does not change", ErrForbidden)
		case m.Role == RoleAdministrator && role != RoleAdministrator:
			if err := keepAnAdministrator(ctx, st, groupID, m.Role); err != nil {
				return "", "", err
			}
		}
		return role, "", nil
	})
}
