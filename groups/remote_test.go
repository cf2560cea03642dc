package groups_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// remoteGroup stores a group of another instance that alice (local) has
// joined and it accepted.
func (f *fixture) remoteGroup(member string) *groups.Group {
	f.t.Helper()
	ga := &identity.Actor{ID: "id-rclub", APID: "https://remote.example/@club", Type: identity.TypeGroup,
		Username: "club", Domain: "remote.example", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.store.CreateActor(f.ctx, ga))
	rg, err := f.svc.PutRemoteGroup(f.ctx, &groups.Group{Actor: *ga})
	require.NoError(f.t, err)
	_, err = f.svc.Join(f.ctx, rg.ID, member, "")
	require.NoError(f.t, err)
	_, err = f.svc.AnswerRemoteJoin(f.ctx, rg.ID, member, rg.ID, true)
	require.NoError(f.t, err)
	require.Equal(f.t, groups.RoleMember, f.role(rg, member))
	return rg
}

// TestApplyRemoteRole: a remote group's role changes reach our copy of
// its memberships, from the group only, between member roles only.
func TestApplyRemoteRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	rg := f.remoteGroup(alice)

	m, err := f.svc.ApplyRemoteRole(f.ctx, rg.ID, alice, rg.ID, groups.RoleModerator)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleModerator, m.Role)
	assert.Equal(t, groups.RoleModerator, f.role(rg, alice))
	last := f.hook.count()
	m, err = f.svc.ApplyRemoteRole(f.ctx, rg.ID, alice, rg.ID, groups.RoleModerator)
	require.NoError(t, err, "the same role again")
	assert.Equal(t, groups.RoleModerator, m.Role)
	assert.Equal(t, last, f.hook.count(), "an unchanged role emits nothing")

	before := f.state(rg.ID)
	for name, c := range map[string]struct {
		group, actor, by string
		role             groups.Role
		want             error
	}{
		"not a member role": {rg.ID, alice, rg.ID, groups.RoleInvited, groups.ErrInvalid},
		"empty role":        {rg.ID, alice, rg.ID, "", groups.ErrInvalid},
		"by someone else":   {rg.ID, alice, alice, groups.RoleAdministrator, groups.ErrForbidden},
		"not a member here": {rg.ID, f.person("bob"), rg.ID, groups.RoleMember, groups.ErrNotMember},
		"of a local group":  {f.group(f.person("carol"), groups.Open).ID, alice, rg.ID, groups.RoleMember, groups.ErrForbidden},
	} {
		_, err := f.svc.ApplyRemoteRole(f.ctx, c.group, c.actor, c.by, c.role)
		require.ErrorIs(t, err, c.want, name)
	}
	after := f.state(rg.ID)
	assert.Equal(t, before.Members, after.Members, "refused changes change nothing")
}

// TestApplyRemoteRemoval: a remote group's Remove ends the membership;
// only the group removes, and removing a non-member does nothing.
func TestApplyRemoteRemoval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	rg := f.remoteGroup(alice)

	require.ErrorIs(t, f.svc.ApplyRemoteRemoval(f.ctx, rg.ID, alice, alice), groups.ErrForbidden)
	assert.Equal(t, groups.RoleMember, f.role(rg, alice))
	local := f.group(f.person("carol"), groups.Open)
	require.ErrorIs(t, f.svc.ApplyRemoteRemoval(f.ctx, local.ID, alice, rg.ID), groups.ErrForbidden)

	require.NoError(t, f.svc.ApplyRemoteRemoval(f.ctx, rg.ID, alice, rg.ID))
	assert.Equal(t, groups.Role(""), f.role(rg, alice))
	n := f.hook.count()
	require.NoError(t, f.svc.ApplyRemoteRemoval(f.ctx, rg.ID, alice, rg.ID), "removing again")
	assert.Equal(t, n, f.hook.count(), "nothing to remove emits nothing")
}
