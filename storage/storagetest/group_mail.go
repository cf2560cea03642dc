package storagetest

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// groupMailCases check groups.NotifyStore.
func groupMailCases() []testCase {
	return []testCase{
		{"SetAndUnset", testGroupMailSetAndUnset},
		{"UnknownRows", testGroupMailUnknownRows},
		{"RecipientsAreMembers", testGroupMailRecipientsAreMembers},
		{"GoesWithGroupAndProfile", testGroupMailCascades},
		{"RolledBack", testGroupMailRolledBack},
	}
}

func (w *world) groupMail() groups.NotifyStore {
	w.t.Helper()
	s, ok := w.b.(groups.NotifyStore)
	require.True(w.t, ok, "the backend must implement groups.NotifyStore")
	return s
}

// member stores a membership of actorID in groupID with role.
func (w *world) member(groupID, actorID string, role groups.Role) {
	w.t.Helper()
	m := w.newMember(groupID, actorID)
	m.Role = role
	require.NoError(w.t, w.b.PutMember(w.ctx, m))
}

func (w *world) requireGroupMail(t *testing.T, groupID, profileID string, want bool) {
	t.Helper()
	on, err := w.groupMail().DiscussionMail(w.ctx, groupID, profileID)
	require.NoError(t, err)
	assert.Equal(t, want, on, "discussion mail of %s in %s", profileID, groupID)
}

func testGroupMailSetAndUnset(t *testing.T, w *world) {
	ctx := context.Background()
	ms := w.groupMail()
	g, p := w.group(), w.profile()
	w.member(g.ID, p.ID, groups.RoleMember)
	w.requireGroupMail(t, g.ID, p.ID, false)

	require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, p.ID, true))
	w.requireGroupMail(t, g.ID, p.ID, true)
	require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, p.ID, true), "again")
	w.requireGroupMail(t, g.ID, p.ID, true)

	other := w.group()
	w.requireGroupMail(t, other.ID, p.ID, false)

	require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, p.ID, false))
	w.requireGroupMail(t, g.ID, p.ID, false)
	require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, p.ID, false), "unsetting again changes nothing")
	w.requireGroupMail(t, g.ID, p.ID, false)
}

func testGroupMailUnknownRows(t *testing.T, w *world) {
	ctx := context.Background()
	ms := w.groupMail()
	g, p := w.group(), w.profile()
	remote := w.remoteActor()
	for _, on := range []bool{true, false} {
		for _, tt := range []struct{ name, group, profile string }{
			{"unknown group", "no-such-group", p.ID},
			{"unknown profile", g.ID, "no-such-profile"},
			{"remote actor", g.ID, remote.ID},
			{"a group is no profile", g.ID, g.ID},
			{"empty group", "", p.ID},
			{"empty profile", g.ID, ""},
		} {
			err := ms.SetDiscussionMail(ctx, tt.group, tt.profile, on)
			require.ErrorIs(t, err, storage.ErrNotFound, "%s, on=%v", tt.name, on)
		}
	}
	w.requireGroupMail(t, g.ID, remote.ID, false)
	w.requireGroupMail(t, "no-such-group", "no-such-profile", false)
	got, err := ms.DiscussionMailRecipients(ctx, "no-such-group", 0)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testGroupMailRecipientsAreMembers(t *testing.T, w *world) {
	ctx := context.Background()
	ms := w.groupMail()
	g, other := w.group(), w.group()
	roles := []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember,
		groups.RoleInvited, groups.RoleNotApproved, groups.RoleRejected}
	var want []string // profile ids grow with creation (world.id)
	for _, r := range roles {
		p := w.profile()
		w.member(g.ID, p.ID, r)
		require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, p.ID, true), "role %s", r)
		if groups.IsMember(r) {
			want = append(want, p.ID)
		}
	}
	quiet := w.profile() // a member who did not choose the mail
	w.member(g.ID, quiet.ID, groups.RoleMember)
	outsider := w.profile() // chose it, then left: no membership
	w.member(g.ID, outsider.ID, groups.RoleMember)
	require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, outsider.ID, true))
	require.NoError(t, w.b.DeleteMember(ctx, g.ID, outsider.ID))
	elsewhere := w.profile() // chose the mail of another group
	w.member(other.ID, elsewhere.ID, groups.RoleMember)
	w.member(g.ID, elsewhere.ID, groups.RoleMember)
	require.NoError(t, ms.SetDiscussionMail(ctx, other.ID, elsewhere.ID, true))

	got, err := ms.DiscussionMailRecipients(ctx, g.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	w.requireGroupMail(t, g.ID, outsider.ID, true) // kept, but without effect

	got, err = ms.DiscussionMailRecipients(ctx, g.ID, 2)
	require.NoError(t, err)
	assert.Equal(t, want[:2], got, "limit")

	// Joining again brings the choice back into effect.
	w.member(g.ID, outsider.ID, groups.RoleModerator)
	got, err = ms.DiscussionMailRecipients(ctx, g.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, append(want, outsider.ID), got)

	got, err = ms.DiscussionMailRecipients(ctx, other.ID, -1)
	require.NoError(t, err)
	assert.Equal(t, []string{elsewhere.ID}, got)
}

func testGroupMailCascades(t *testing.T, w *world) {
	ctx := context.Background()
	ms := w.groupMail()
	g, kept := w.group(), w.group()
	p, q := w.profile(), w.profile()
	for _, gid := range []string{g.ID, kept.ID} {
		for _, pid := range []string{p.ID, q.ID} {
			w.member(gid, pid, groups.RoleMember)
			require.NoError(t, ms.SetDiscussionMail(ctx, gid, pid, true))
		}
	}
	require.NoError(t, w.b.DeleteGroup(ctx, g.ID))
	require.NoError(t, w.b.DeleteProfile(ctx, q.ID))
	w.requireGroupMail(t, g.ID, p.ID, false)
	w.requireGroupMail(t, kept.ID, q.ID, false)
	w.requireGroupMail(t, kept.ID, p.ID, true)
	got, err := ms.DiscussionMailRecipients(ctx, kept.ID, 0)
	require.NoError(t, err)
	assert.Equal(t, []string{p.ID}, got)
	got, err = ms.DiscussionMailRecipients(ctx, g.ID, 0)
	require.NoError(t, err)
	assert.Empty(t, got)
}

func testGroupMailRolledBack(t *testing.T, w *world) {
	ctx := context.Background()
	g, p, q := w.group(), w.profile(), w.profile()
	w.member(g.ID, p.ID, groups.RoleMember)
	w.member(g.ID, q.ID, groups.RoleMember)
	require.NoError(t, w.groupMail().SetDiscussionMail(ctx, g.ID, q.ID, true))
	boom := errors.New("boom")
	err := w.b.InTx(ctx, func(tx storage.Tx) error {
		ms, err := storage.As[groups.NotifyStore](tx)
		require.NoError(t, err)
		require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, p.ID, true))
		require.NoError(t, ms.SetDiscussionMail(ctx, g.ID, q.ID, false))
		on, err := ms.DiscussionMail(ctx, g.ID, p.ID)
		require.NoError(t, err)
		assert.True(t, on, "the transaction sees its own write")
		return boom
	})
	require.ErrorIs(t, err, boom)
	w.requireGroupMail(t, g.ID, p.ID, false)
	w.requireGroupMail(t, g.ID, q.ID, true)
}
