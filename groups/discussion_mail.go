package groups

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/storage"
)

// NotifyStore keeps the members' choice to get an email for every new
// message of a group's discussions. Backends implement it next to Store
// (the Service finds it on its Store, and on the Store of a
// transaction, with a type assertion, like identity.GoneStore); the
// rules of Store apply. The choice is private: it is not federated and
// causes no Change.
//
// A choice belongs to a pair (group, local profile). It goes with the
// group and with the profile, and outlives a membership: it has no
// effect while the profile is not a member (DiscussionMailRecipients
// leaves it out), and is in effect again if the profile joins again.
type NotifyStore interface {
	// SetDiscussionMail records (on) or forgets (off) that the local
	// profile profileID wants the mail of groupID's new discussion
	// messages. Setting it again changes nothing. ErrNotFound when the
	// group or the local profile does not exist (a remote actor is no
	// local profile), and nothing changes.
	SetDiscussionMail(ctx context.Context, groupID, profileID string, on bool) error
	// DiscussionMail reports whether profileID chose the mail of
	// groupID, whatever its membership; false for unknown ids.
	DiscussionMail(ctx context.Context, groupID, profileID string) (bool, error)
	// DiscussionMailRecipients returns the profiles that chose the mail
	// of groupID and are members of it in a member role (RoleCreator,
	// RoleAdministrator, RoleModerator or RoleMember: IsMember), ordered
	// by profile id, at most limit (<= 0: all). An unknown group has
	// none.
	DiscussionMailRecipients(ctx context.Context, groupID string, limit int) ([]string, error)
}

// ErrNoNotifyStore: the configured Store does not implement NotifyStore.
var ErrNoNotifyStore = errors.New("groups: the Store does not implement groups.NotifyStore")

// SetDiscussionMail records whether actorID, a local profile, wants an
// email for every new message in groupID's discussions (the Notifier of
// package notify sends them). Turning it on needs PermDiscussionAccess
// (a member); turning it off is always allowed to the profile itself,
// member or not. A remote actor cannot choose (ErrForbidden), nor can
// no one (actorID ""). An unknown group is ErrNotFound; a Store without
// NotifyStore is ErrNoNotifyStore. Errors change nothing.
func (s *Service) SetDiscussionMail(ctx context.Context, actorID, groupID string, on bool) error {
	if actorID == "" {
		return wrap("set discussion mail", fmt.Errorf("%w: no profile", ErrForbidden))
	}
	if _, ok := s.store.(NotifyStore); !ok {
		return wrap("set discussion mail", ErrNoNotifyStore)
	}
	err := s.inTx(ctx, func(_ storage.Tx, st Store) error {
		ns, ok := st.(NotifyStore)
		if !ok {
			return ErrNoNotifyStore
		}
		g, err := st.GetGroup(ctx, groupID)
		if err != nil {
			return err
		}
		if on {
			a, err := s.standing(ctx, st, g, actorID)
			if err != nil {
				return err
			}
			// A group acting on its own content is no reader of mail.
			if a.asGroup {
				return fmt.Errorf("%w: a group gets no email", ErrForbidden)
			}
			if err := a.need(PermDiscussionAccess); err != nil {
				return err
			}
		}
		err = ns.SetDiscussionMail(ctx, groupID, actorID, on)
		if errors.Is(err, storage.ErrNotFound) {
			// The group exists (read above): actorID is no local profile.
			return fmt.Errorf("%w: only local profiles get email", ErrForbidden)
		}
		return err
	})
	return wrap("set discussion mail", err)
}

// DiscussionMail reports whether actorID gets an email for every new
// message in groupID's discussions: it chose to (SetDiscussionMail) and
// is a member who may read them. false for a non-member or no one; an
// unknown group is ErrNotFound; a Store without NotifyStore is
// ErrNoNotifyStore.
func (s *Service) DiscussionMail(ctx context.Context, actorID, groupID string) (bool, error) {
	ns, ok := s.store.(NotifyStore)
	if !ok {
		return false, wrap("discussion mail", ErrNoNotifyStore)
	}
	a, err := s.view(ctx, groupID, actorID)
	if err != nil {
		return false, wrap("discussion mail", err)
	}
	if actorID == "" || a.asGroup || !a.can(PermDiscussionAccess) {
		return false, nil
	}
	on, err := ns.DiscussionMail(ctx, groupID, actorID)
	if err != nil {
		return false, wrap("discussion mail", err)
	}
	return on, nil
}
