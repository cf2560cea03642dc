package groups_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// localProfile stores an account and a local profile, and returns the
// profile's id.
func (f *fixture) localProfile(name string) string {
	f.t.Helper()
	acct := &identity.Account{ID: "acct-" + name, Email: name + "@example.net", PasswordHash: "x", Confirmed: true,
		CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.store.CreateAccount(f.ctx, acct))
	p := &identity.Profile{Actor: identity.Actor{ID: "id-" + name, APID: "https://events.example/@" + name,
		Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example", CreatedAt: t0, UpdatedAt: t0},
		AccountID: acct.ID}
	require.NoError(f.t, f.store.CreateProfile(f.ctx, p))
	return p.ID
}

func (f *fixture) recipients(groupID string) []string {
	f.t.Helper()
	ids, err := f.store.(groups.NotifyStore).DiscussionMailRecipients(f.ctx, groupID, 0)
	require.NoError(f.t, err)
	return ids
}

func (f *fixture) mailOn(actorID, groupID string) bool {
	f.t.Helper()
	on, err := f.svc.DiscussionMail(f.ctx, actorID, groupID)
	require.NoError(f.t, err)
	return on
}

// The read permission of discussions is exactly membership: the store's
// DiscussionMailRecipients (members in a member role) relies on it.
func TestDiscussionAccessIsMembership(t *testing.T) {
	t.Parallel()
	for _, r := range []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator,
		groups.RoleMember, groups.RoleInvited, groups.RoleNotApproved, groups.RoleRejected, ""} {
		assert.Equal(t, groups.IsMember(r), groups.Can(r, groups.PermDiscussionAccess), r)
		assert.Equal(t, groups.IsMember(r), groups.Can(r, groups.PermCommentAccess), r)
	}
}

func TestDiscussionMail(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, open(t))
			alice, bob, carol := f.localProfile("alice"), f.localProfile("bob"), f.localProfile("carol")
			remote := f.remotePerson("rita")
			g := f.group(alice, groups.Moderated)
			f.put(g, alice, bob, groups.RoleMember)
			f.put(g, alice, carol, groups.RoleNotApproved)
			changes := f.hook.count()

			// Set and unset.
			assert.False(t, f.mailOn(bob, g.ID))
			require.NoError(t, f.svc.SetDiscussionMail(f.ctx, bob, g.ID, true))
			assert.True(t, f.mailOn(bob, g.ID))
			require.NoError(t, f.svc.SetDiscussionMail(f.ctx, alice, g.ID, true))
			assert.Equal(t, []string{alice, bob}, f.recipients(g.ID))
			require.NoError(t, f.svc.SetDiscussionMail(f.ctx, bob, g.ID, false))
			assert.False(t, f.mailOn(bob, g.ID))
			assert.Equal(t, []string{alice}, f.recipients(g.ID))
			require.NoError(t, f.svc.SetDiscussionMail(f.ctx, bob, g.ID, true))
			assert.Equal(t, changes, f.hook.count(), "a private choice is no Change")

			// Refused, changing nothing.
			for _, tt := range []struct {
				name, actor, group string
				want               error
			}{
				{"pending member", carol, g.ID, groups.ErrForbidden},
				{"remote actor", remote, g.ID, groups.ErrForbidden},
				{"no one", "", g.ID, groups.ErrForbidden},
				{"unknown group", bob, "no-such-group", groups.ErrNotFound},
			} {
				err := f.svc.SetDiscussionMail(f.ctx, tt.actor, tt.group, true)
				require.ErrorIs(t, err, tt.want, tt.name)
			}
			f.put(g, alice, remote, groups.RoleMember)
			require.ErrorIs(t, f.svc.SetDiscussionMail(f.ctx, remote, g.ID, true), groups.ErrForbidden,
				"a remote member gets no mail here")
			assert.Equal(t, []string{alice, bob}, f.recipients(g.ID))
			assert.False(t, f.mailOn(carol, g.ID))
			assert.False(t, f.mailOn("", g.ID))
			_, err := f.svc.DiscussionMail(f.ctx, bob, "no-such-group")
			require.ErrorIs(t, err, groups.ErrNotFound)

			// A member who leaves is no recipient, and may still turn it off.
			require.NoError(t, f.svc.Leave(f.ctx, g.ID, bob))
			assert.Equal(t, []string{alice}, f.recipients(g.ID))
			assert.False(t, f.mailOn(bob, g.ID))
			require.ErrorIs(t, f.svc.SetDiscussionMail(f.ctx, bob, g.ID, true), groups.ErrForbidden)
			require.NoError(t, f.svc.SetDiscussionMail(f.ctx, bob, g.ID, false))
			// …so joining again does not bring it back.
			f.put(g, alice, bob, groups.RoleMember)
			assert.Equal(t, []string{alice}, f.recipients(g.ID))
		})
	}
}

// storeWithoutMail hides the NotifyStore of a backend.
type storeWithoutMail struct{ groups.Store }

func (s storeWithoutMail) InTx(ctx context.Context, fn func(storage.Tx) error) error {
	return s.Store.InTx(ctx, fn)
}

func TestDiscussionMailNeedsNotifyStore(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	svc, err := groups.New(groups.Config{Store: storeWithoutMail{f.store}, Actors: fakeActors{},
		BaseURL: "https://events.example"})
	require.NoError(t, err)
	require.ErrorIs(t, svc.SetDiscussionMail(f.ctx, "x", "g", true), groups.ErrNoNotifyStore)
	_, err = svc.DiscussionMail(f.ctx, "x", "g")
	require.ErrorIs(t, err, groups.ErrNoNotifyStore)
}
