package groups_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

func TestCreate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	lat, lon := -23.55, -46.63
	g, err := f.svc.Create(f.ctx, alice, groups.CreateInput{Username: "climate", DisplayName: " Climate <b>Lyon</b> ",
		Summary: `<p>Hi</p><script>x()</script>`, Openness: groups.Open, Visibility: groups.Unlisted,
		Address: &geo.Place{Locality: "São Paulo", Latitude: &lat, Longitude: &lon}})
	require.NoError(t, err)
	assert.Equal(t, "Climate Lyon", g.DisplayName)
	assert.Equal(t, "<p>Hi</p>", g.Summary)
	assert.False(t, g.Discoverable, "unlisted groups are not discoverable")
	assert.Equal(t, groups.RoleCreator, f.role(g, alice))
	got, err := f.svc.Get(f.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, g.Address, got.Address)
	assert.Equal(t, groups.Unlisted, got.Visibility)
	assert.Equal(t, "https://events.example/@climate", got.APID)

	d, err := f.svc.Create(f.ctx, alice, groups.CreateInput{Username: "defaults"})
	require.NoError(t, err)
	assert.Equal(t, groups.Moderated, d.Openness)
	assert.Equal(t, groups.Public, d.Visibility)
	assert.True(t, d.Discoverable)
}

func TestCreateValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	_, err := f.svc.Create(f.ctx, alice, groups.CreateInput{Username: "taken"})
	require.NoError(t, err)
	bad := 91.0
	cases := []struct {
		name  string
		in    groups.CreateInput
		field string
	}{
		{"taken", groups.CreateInput{Username: "taken"}, "username"},
		{"bad username", groups.CreateInput{Username: "bad name"}, "username"},
		{"openness", groups.CreateInput{Username: "a1", Openness: "sometimes"}, "openness"},
		{"visibility", groups.CreateInput{Username: "a2", Visibility: "hidden"}, "visibility"},
		{"avatar", groups.CreateInput{Username: "a3", AvatarURL: "javascript:alert(1)"}, "avatar_url"},
		{"banner", groups.CreateInput{Username: "a4", BannerURL: "/relative.png"}, "banner_url"},
		{"long name", groups.CreateInput{Username: "a5", DisplayName: strings.Repeat("n", groups.MaxDisplayNameLength+1)}, "display_name"},
		{"long summary", groups.CreateInput{Username: "a6", Summary: strings.Repeat("s", groups.MaxSummaryLength+1)}, "summary"},
		{"address", groups.CreateInput{Username: "a7", Address: &geo.Place{Latitude: &bad, Longitude: &bad}}, "address"},
	}
	for _, tc := range cases {
		_, err := f.svc.Create(f.ctx, alice, tc.in)
		var ve *groups.ValidationError
		require.ErrorAs(t, err, &ve, tc.name)
		assert.Equal(t, tc.field, ve.Field, tc.name)
		_, err = f.store.GetLocalActor(f.ctx, tc.in.Username)
		if tc.name != "taken" {
			assert.ErrorIs(t, err, storage.ErrNotFound, "%s: nothing written", tc.name)
		}
	}
}

func TestJoinByOpenness(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, bob := f.person("alice"), f.person("bob")

	open := f.group(alice, groups.Open)
	m, err := f.svc.Join(f.ctx, open.ID, bob, "")
	require.NoError(t, err)
	assert.Equal(t, groups.RoleMember, m.Role)
	assert.Equal(t, "https://events.example/member/"+m.ID, m.APID)
	_, err = f.svc.Join(f.ctx, open.ID, bob, "")
	require.ErrorIs(t, err, groups.ErrAlreadyMember)

	mod := f.group(alice, groups.Moderated)
	m, err = f.svc.Join(f.ctx, mod.ID, bob, "https://remote.example/join/1")
	require.NoError(t, err)
	assert.Equal(t, groups.RoleNotApproved, m.Role)
	assert.Equal(t, "https://remote.example/join/1", m.APID, "a remote join keeps its id")
	require.False(t, groups.Can(m.Role, groups.PermEventAccess), "a request grants nothing")

	inv := f.group(alice, groups.InviteOnly)
	_, err = f.svc.Join(f.ctx, inv.ID, bob, "")
	require.ErrorIs(t, err, groups.ErrForbidden)
	assert.Equal(t, groups.Role(""), f.role(inv, bob), "a refused join writes nothing")
	_, err = f.svc.Invite(f.ctx, alice, inv.ID, bob)
	require.NoError(t, err)
	m, err = f.svc.Join(f.ctx, inv.ID, bob, "")
	require.NoError(t, err, "joining accepts the invitation")
	assert.Equal(t, groups.RoleMember, m.Role)

	_, err = f.svc.Join(f.ctx, "missing", bob, "")
	require.ErrorIs(t, err, groups.ErrNotFound)
}

func TestApproveRejectInvite(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, mod, member, bob, carol := f.person("alice"), f.person("mod"), f.person("member"), f.person("bob"), f.person("carol")
	g := f.group(alice, groups.Moderated)
	f.withRole(g, alice, mod, groups.RoleModerator)
	f.withRole(g, alice, member, groups.RoleMember)

	_, err := f.svc.Join(f.ctx, g.ID, bob, "")
	require.NoError(t, err)
	_, err = f.svc.Approve(f.ctx, member, g.ID, bob)
	require.ErrorIs(t, err, groups.ErrForbidden, "members do not approve")
	m, err := f.svc.Approve(f.ctx, mod, g.ID, bob)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleMember, m.Role)
	_, err = f.svc.Approve(f.ctx, mod, g.ID, bob)
	require.ErrorIs(t, err, groups.ErrNotMember, "nothing left to approve")

	_, err = f.svc.Join(f.ctx, g.ID, carol, "")
	require.NoError(t, err)
	m, err = f.svc.Reject(f.ctx, mod, g.ID, carol)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleRejected, m.Role)
	_, err = f.svc.Join(f.ctx, g.ID, carol, "")
	require.ErrorIs(t, err, groups.ErrForbidden, "rejected people do not ask again")

	// Only administrators invite; an invitation overrides a rejection.
	_, err = f.svc.Invite(f.ctx, mod, g.ID, carol)
	require.ErrorIs(t, err, groups.ErrForbidden)
	_, err = f.svc.Invite(f.ctx, alice, g.ID, bob)
	require.ErrorIs(t, err, groups.ErrAlreadyMember)
	m, err = f.svc.Invite(f.ctx, alice, g.ID, carol)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleInvited, m.Role)
	assert.Equal(t, alice, m.InvitedBy)
	require.NoError(t, f.svc.DeclineInvitation(f.ctx, g.ID, carol))
	assert.Equal(t, groups.Role(""), f.role(g, carol))
	_, err = f.svc.AcceptInvitation(f.ctx, g.ID, carol)
	require.ErrorIs(t, err, groups.ErrNotMember)
}

func TestLeaveRemoveChangeRole(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, admin, mod, mod2, member := f.person("alice"), f.person("admin"), f.person("mod"), f.person("mod2"), f.person("member")
	g := f.group(alice, groups.Open)

	require.ErrorIs(t, f.svc.Leave(f.ctx, g.ID, alice), groups.ErrLastAdministrator)
	f.withRole(g, alice, admin, groups.RoleAdministrator)
	f.withRole(g, alice, mod, groups.RoleModerator)
	f.withRole(g, alice, mod2, groups.RoleModerator)
	f.withRole(g, alice, member, groups.RoleMember)

	// Removal goes strictly downwards.
	require.ErrorIs(t, f.svc.Remove(f.ctx, member, g.ID, mod), groups.ErrForbidden)
	require.ErrorIs(t, f.svc.Remove(f.ctx, mod, g.ID, mod2), groups.ErrForbidden, "peers do not remove each other")
	require.ErrorIs(t, f.svc.Remove(f.ctx, mod, g.ID, admin), groups.ErrForbidden)
	require.ErrorIs(t, f.svc.Remove(f.ctx, mod, g.ID, mod), groups.ErrForbidden)
	require.NoError(t, f.svc.Remove(f.ctx, mod, g.ID, member))
	assert.Equal(t, groups.Role(""), f.role(g, member))
	require.NoError(t, f.svc.Remove(f.ctx, admin, g.ID, mod2))

	// Role changes: administrators only, never to creator, never the creator.
	_, err := f.svc.ChangeRole(f.ctx, mod, g.ID, admin, groups.RoleMember)
	require.ErrorIs(t, err, groups.ErrForbidden)
	_, err = f.svc.ChangeRole(f.ctx, admin, g.ID, mod, groups.RoleCreator)
	require.ErrorIs(t, err, groups.ErrInvalid)
	_, err = f.svc.ChangeRole(f.ctx, admin, g.ID, alice, groups.RoleMember)
	require.ErrorIs(t, err, groups.ErrForbidden)
	m, err := f.svc.ChangeRole(f.ctx, admin, g.ID, mod, groups.RoleAdministrator)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleAdministrator, m.Role)

	// The creator may leave once another administrator remains; the
	// last one then can neither leave nor be demoted.
	require.NoError(t, f.svc.Leave(f.ctx, g.ID, alice))
	_, err = f.svc.ChangeRole(f.ctx, admin, g.ID, mod, groups.RoleMember)
	require.NoError(t, err)
	require.ErrorIs(t, f.svc.Leave(f.ctx, g.ID, admin), groups.ErrLastAdministrator)
	assert.Equal(t, groups.RoleAdministrator, f.role(g, admin))
	require.ErrorIs(t, f.svc.Leave(f.ctx, g.ID, "stranger"), groups.ErrNotMember)
}

func TestUpdateAndDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, mod := f.person("alice"), f.person("mod")
	g := f.group(alice, groups.Moderated)
	f.withRole(g, alice, mod, groups.RoleModerator)

	name, open := "New name", groups.Open
	_, err := f.svc.Update(f.ctx, mod, g.ID, groups.UpdateInput{DisplayName: &name})
	require.ErrorIs(t, err, groups.ErrForbidden)
	up, err := f.svc.Update(f.ctx, alice, g.ID, groups.UpdateInput{DisplayName: &name, Openness: &open})
	require.NoError(t, err)
	assert.Equal(t, "New name", up.DisplayName)
	assert.Equal(t, groups.Open, up.Openness)

	bad := groups.Openness("never")
	_, err = f.svc.Update(f.ctx, alice, g.ID, groups.UpdateInput{DisplayName: &name, Openness: &bad})
	require.ErrorIs(t, err, groups.ErrInvalid)
	got, err := f.svc.Get(f.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, groups.Open, got.Openness, "a refused update changes nothing")

	require.ErrorIs(t, f.svc.Delete(f.ctx, mod, g.ID), groups.ErrForbidden)
	require.NoError(t, f.svc.Delete(f.ctx, alice, g.ID))
	_, err = f.svc.Get(f.ctx, g.ID)
	require.ErrorIs(t, err, groups.ErrNotFound)
}

func TestAuthorizeAndHook(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
	g := f.group(alice, groups.Moderated)
	_, err := f.svc.Join(f.ctx, g.ID, bob, "")
	require.NoError(t, err)
	require.NoError(t, f.svc.Authorize(f.ctx, g.ID, alice, groups.PermEventCreate))
	require.ErrorIs(t, f.svc.Authorize(f.ctx, g.ID, bob, groups.PermEventAccess), groups.ErrForbidden, "pending requests grant nothing")
	require.ErrorIs(t, f.svc.Authorize(f.ctx, g.ID, carol, groups.PermEventAccess), groups.ErrForbidden)
	require.ErrorIs(t, f.svc.Authorize(f.ctx, g.ID, "", groups.PermEventAccess), groups.ErrForbidden)

	var kinds []groups.ChangeKind
	for _, c := range f.hook.changes {
		kinds = append(kinds, c.Kind)
	}
	assert.Equal(t, []groups.ChangeKind{groups.GroupCreated, groups.MemberChanged, groups.MemberChanged}, kinds)
	last := f.hook.changes[2]
	assert.Equal(t, groups.RoleNotApproved, last.Member.Role)
	assert.Equal(t, groups.Role(""), last.PreviousRole)
}

func TestMembersPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		_, err := f.svc.Join(f.ctx, g.ID, f.person(n), "")
		require.NoError(t, err)
	}
	var got []string
	after := ""
	for i := 0; i < 10; i++ {
		ms, next, err := f.svc.Members(f.ctx, g.ID, []groups.Role{groups.RoleMember}, after, 3)
		require.NoError(t, err)
		for _, m := range ms {
			got = append(got, m.ActorID)
		}
		if next == "" {
			break
		}
		after = next
	}
	assert.Equal(t, []string{"id-a", "id-b", "id-c", "id-d", "id-e", "id-f", "id-g"}, got)
	_, _, err := f.svc.Members(f.ctx, g.ID, nil, "!!", 3)
	require.ErrorIs(t, err, groups.ErrInvalid)
}

// TestConcurrentLeaves: administrators leaving at once never leave the
// group without one.
func TestConcurrentLeaves(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	admins := []string{alice}
	for _, n := range []string{"b", "c", "d", "e"} {
		id := f.person(n)
		f.withRole(g, alice, id, groups.RoleAdministrator)
		admins = append(admins, id)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(admins))
	for _, id := range admins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- f.svc.Leave(f.ctx, g.ID, id)
		}()
	}
	wg.Wait()
	close(errs)
	refused := 0
	for err := range errs {
		if err != nil {
			require.ErrorIs(t, err, groups.ErrLastAdministrator)
			refused++
		}
	}
	assert.Equal(t, 1, refused)
	n, err := f.store.CountMembers(f.ctx, g.ID, []groups.Role{groups.RoleCreator, groups.RoleAdministrator})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, cfg := range []groups.Config{
		{Actors: fakeActors{}, BaseURL: "https://x.example"},
		{Store: f.store, BaseURL: "https://x.example"},
		{Store: f.store, Actors: fakeActors{}, BaseURL: "x.example"},
	} {
		_, err := groups.New(cfg)
		require.Error(t, err)
	}
}
