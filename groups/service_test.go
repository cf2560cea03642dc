package groups_test

import (
	"strings"
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

func TestUpdateAndDelete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice, mod := f.person("alice"), f.person("mod")
	g := f.group(alice, groups.Moderated)
	f.put(g, alice, mod, groups.RoleModerator)

	name, summary, open, private := " New <i>name</i> ", `<a href="javascript:x()">hi</a>`, groups.Open, groups.Private
	avatar := "https://cdn.example/a.png"
	lat, lon := 45.75, 4.84
	place := &geo.Place{Locality: "Lyon", Latitude: &lat, Longitude: &lon}
	up, err := f.svc.Update(f.ctx, alice, g.ID, groups.UpdateInput{DisplayName: &name, Summary: &summary,
		Openness: &open, Visibility: &private, AvatarURL: &avatar, Address: &place})
	require.NoError(t, err)
	assert.Equal(t, "New name", up.DisplayName)
	assert.NotContains(t, up.Summary, "javascript")
	assert.Equal(t, groups.Open, up.Openness)
	assert.False(t, up.Discoverable, "private groups are not discoverable")
	got, err := f.svc.Get(f.ctx, g.ID)
	require.NoError(t, err)
	assert.Equal(t, up, got)

	var noPlace *geo.Place
	up, err = f.svc.Update(f.ctx, alice, g.ID, groups.UpdateInput{Address: &noPlace})
	require.NoError(t, err)
	assert.Nil(t, up.Address, "a pointer to nil removes the address")
	assert.Equal(t, "New name", up.DisplayName, "nil fields stay")

	bad, badOpen, badVis, badURL, long := 91.0, groups.Openness("never"), groups.Visibility("secret"), "ftp://x.example/a", strings.Repeat("x", groups.MaxDisplayNameLength+1)
	badPlace := &geo.Place{Latitude: &bad, Longitude: &bad}
	cases := []struct {
		field string
		in    groups.UpdateInput
	}{
		{"display_name", groups.UpdateInput{DisplayName: &long}},
		{"openness", groups.UpdateInput{DisplayName: &name, Openness: &badOpen}},
		{"visibility", groups.UpdateInput{Visibility: &badVis}},
		{"avatar_url", groups.UpdateInput{AvatarURL: &badURL}},
		{"banner_url", groups.UpdateInput{BannerURL: &badURL}},
		{"address", groups.UpdateInput{Address: &badPlace}},
	}
	for _, tc := range cases {
		before := f.state(g.ID)
		_, err := f.svc.Update(f.ctx, alice, g.ID, tc.in)
		var ve *groups.ValidationError
		require.ErrorAs(t, err, &ve, tc.field)
		assert.Equal(t, tc.field, ve.Field)
		assert.Equal(t, before, f.state(g.ID), "%s: a refused update changes nothing", tc.field)
	}

	_, err = f.svc.Update(f.ctx, alice, "missing", groups.UpdateInput{DisplayName: &name})
	require.ErrorIs(t, err, groups.ErrNotFound)
	require.ErrorIs(t, f.svc.Delete(f.ctx, alice, "missing"), groups.ErrNotFound)
	require.NoError(t, f.svc.Delete(f.ctx, alice, g.ID))
	_, err = f.svc.Get(f.ctx, g.ID)
	require.ErrorIs(t, err, groups.ErrNotFound)
	_, err = f.svc.MemberRole(f.ctx, g.ID, mod)
	require.ErrorIs(t, err, groups.ErrNotFound, "memberships go with the group")
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
	other := f.group(alice, groups.Moderated)
	var want []string
	for _, n := range []string{"a", "b", "c", "d", "e", "f", "g"} {
		id := f.person(n)
		_, err := f.svc.Join(f.ctx, g.ID, id, "")
		require.NoError(t, err)
		want = append(want, id)
	}
	var got []string
	var after storage.Cursor
	pages := 0
	for {
		ms, next, err := f.svc.Members(f.ctx, g.ID, []groups.Role{groups.RoleMember}, after, 3)
		require.NoError(t, err)
		pages++
		for _, m := range ms {
			got = append(got, m.ActorID)
		}
		if next.IsZero() {
			break
		}
		require.Less(t, pages, 10, "pagination ends")
		after = next
	}
	assert.Equal(t, want, got)
	assert.Equal(t, 3, pages)

	all, _, err := f.svc.Members(f.ctx, g.ID, nil, storage.Cursor{}, 0)
	require.NoError(t, err)
	assert.Len(t, all, 8, "no roles means every role")
	admins, _, err := f.svc.Members(f.ctx, g.ID, []groups.Role{groups.RoleCreator}, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, admins, 1)
	assert.Equal(t, alice, admins[0].ActorID)

	_, err = f.svc.Join(f.ctx, other.ID, want[0], "")
	require.NoError(t, err)
	ms, next, err := f.svc.Memberships(f.ctx, want[0], nil, storage.Cursor{}, 0)
	require.NoError(t, err)
	assert.True(t, next.IsZero())
	require.Len(t, ms, 2)
	assert.Equal(t, []groups.Role{groups.RoleMember, groups.RoleNotApproved}, []groups.Role{ms[0].Role, ms[1].Role})
	ms, _, err = f.svc.Memberships(f.ctx, want[0], []groups.Role{groups.RoleNotApproved}, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, ms, 1)
	assert.Equal(t, other.ID, ms[0].GroupID)

	role, err := f.svc.MemberRole(f.ctx, other.ID, want[0])
	require.NoError(t, err)
	assert.Equal(t, groups.RoleNotApproved, role)
	_, err = f.svc.MemberRole(f.ctx, other.ID, want[1])
	require.ErrorIs(t, err, groups.ErrNotFound)
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
