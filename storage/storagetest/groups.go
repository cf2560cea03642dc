package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func groupCases() []testCase {
	return []testCase{
		{"GroupRoundTrip", testGroupRoundTrip},
		{"GroupConflicts", testGroupConflicts},
		{"GroupNotFound", testGroupNotFound},
		{"DeleteGroupCascades", testDeleteGroup},
		{"MemberRoundTrip", testMemberRoundTrip},
		{"PutMemberUpserts", testPutMemberUpserts},
		{"MemberConflictsAndDanglingReferences", testMemberConflicts},
		{"MemberNotFound", testMemberNotFound},
		{"ListAndCountMembers", testListMembers},
		{"MemberPagination", testMemberPagination},
		{"PutRemoteGroup", testPutRemoteGroup},
	}
}

// testPutRemoteGroup: a remote group's settings are stored for its
// stored actor and replaced on the next put; an unknown actor is
// ErrNotFound, a local one ErrConflict.
func testPutRemoteGroup(t *testing.T, w *world) {
	ctx := context.Background()
	remote := w.remoteActor()
	remote.Type = identity.TypeGroup
	g := &groups.Group{Actor: *remote, Openness: groups.Open, Visibility: groups.Public,
		Address: &geo.Place{Name: "Hall", Locality: "Lyon", Latitude: ptr(45.76), Longitude: ptr(4.83)}}
	require.NoError(t, w.b.PutRemoteGroup(ctx, g))
	got, err := w.b.GetGroup(ctx, remote.ID)
	require.NoError(t, err)
	assert.Equal(t, groups.Open, got.Openness)
	assert.Equal(t, "Hall", got.Address.Name)
	assert.False(t, got.Local)

	g.Openness, g.Address = groups.Moderated, nil
	require.NoError(t, w.b.PutRemoteGroup(ctx, g))
	got, err = w.b.GetGroup(ctx, remote.ID)
	require.NoError(t, err)
	assert.Equal(t, groups.Moderated, got.Openness)
	assert.Nil(t, got.Address)

	err = w.b.PutRemoteGroup(ctx, &groups.Group{Actor: identity.Actor{ID: "no-such-actor"}, Openness: groups.Open})
	assert.ErrorIs(t, err, storage.ErrNotFound)
	local := w.newGroup()
	require.NoError(t, w.b.CreateGroup(ctx, local))
	err = w.b.PutRemoteGroup(ctx, local)
	assert.ErrorIs(t, err, storage.ErrConflict)
}

func testGroupRoundTrip(t *testing.T, w *world) {
	withPlace := w.newGroup()
	zeroLat := w.newGroup()
	zeroLat.Openness, zeroLat.Visibility = groups.Open, groups.Public
	zeroLat.Address = &geo.Place{Name: "Null Island", Latitude: ptr(0.0), Longitude: ptr(-0.0001)}
	noPlace := w.newGroup()
	noPlace.Openness, noPlace.Visibility = groups.InviteOnly, groups.Private
	noPlace.Address = nil
	nameOnly := w.newGroup()
	nameOnly.Address = &geo.Place{Name: "Somewhere", Locality: "Lyon", Country: "FR"}
	remote := &groups.Group{Actor: *w.newRemoteActor("mobilizon.example"), Openness: groups.Open, Visibility: groups.Public}
	remote.Type = identity.TypeGroup

	for _, tc := range []struct {
		name string
		g    *groups.Group
	}{
		{"place", withPlace}, {"zero-latitude", zeroLat}, {"nil-place", noPlace}, {"no-coordinates", nameOnly}, {"remote", remote},
	} {
		name, g := tc.name, tc.g
		t.Run(name, func(t *testing.T) {
			require.NoError(t, w.b.CreateGroup(w.ctx, g))
			got, err := w.b.GetGroup(w.ctx, g.ID)
			require.NoError(t, err)
			require.Equal(t, g, got)
			actor, err := w.b.GetActor(w.ctx, g.ID)
			require.NoError(t, err, "a group is an actor")
			require.Equal(t, &g.Actor, actor)
			got, err = w.b.LockGroup(w.ctx, g.ID)
			require.NoError(t, err)
			require.Equal(t, g, got)

			up := *g
			up.DisplayName = "Renamed " + name
			up.Summary = "<p>new summary</p>"
			up.Discoverable = !up.Discoverable
			up.UpdatedAt = at(time.Hour)
			up.Openness = groups.InviteOnly
			up.Visibility = groups.Private
			if g.Address == nil {
				up.Address = &geo.Place{Name: "Now somewhere", Latitude: ptr(-33.8568), Longitude: ptr(151.2153)}
			} else {
				up.Address = nil
			}
			require.NoError(t, w.b.UpdateGroup(w.ctx, &up))
			got, err = w.b.GetGroup(w.ctx, g.ID)
			require.NoError(t, err)
			require.Equal(t, &up, got)
			actor, err = w.b.GetActor(w.ctx, g.ID)
			require.NoError(t, err)
			require.Equal(t, &up.Actor, actor, "UpdateGroup updates the actor")
		})
	}
}

func testGroupConflicts(t *testing.T, w *world) {
	g := w.group()
	person := w.actor(w.newLocalActor(identity.TypePerson))

	sameName := w.newGroup()
	sameName.Username = "LOCAL" + g.Username[len("local"):]
	requireConflict(t, w.b.CreateGroup(w.ctx, sameName), "CreateGroup with a group's username")
	samePersonName := w.newGroup()
	samePersonName.Username = person.Username
	requireConflict(t, w.b.CreateGroup(w.ctx, samePersonName), "CreateGroup with a person's username")
	sameAPID := w.newGroup()
	sameAPID.APID = person.APID
	requireConflict(t, w.b.CreateGroup(w.ctx, sameAPID), "CreateGroup with a taken APID")
	sameID := w.newGroup()
	sameID.ID = g.ID
	requireConflict(t, w.b.CreateGroup(w.ctx, sameID), "CreateGroup with a taken id")
	for _, refused := range []*groups.Group{sameName, samePersonName, sameAPID} {
		_, err := w.b.GetGroup(w.ctx, refused.ID)
		requireNotFound(t, err, "GetGroup of a refused group")
		_, err = w.b.GetActor(w.ctx, refused.ID)
		requireNotFound(t, err, "GetActor of a refused group: nothing half-written")
	}

	other := w.group()
	up := *other
	up.Username = person.Username
	requireConflict(t, w.b.UpdateGroup(w.ctx, &up), "UpdateGroup to a taken username")
	got, err := w.b.GetGroup(w.ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, other, got)
}

func testGroupNotFound(t *testing.T, w *world) {
	w.group()
	person := w.actor(w.newLocalActor(identity.TypePerson))
	for _, id := range []string{w.id(), person.ID} {
		_, err := w.b.GetGroup(w.ctx, id)
		requireNotFound(t, err, "GetGroup")
		_, err = w.b.LockGroup(w.ctx, id)
		requireNotFound(t, err, "LockGroup")
		requireNotFound(t, w.b.DeleteGroup(w.ctx, id), "DeleteGroup")
	}
	_, err := w.b.GetActor(w.ctx, person.ID)
	require.NoError(t, err, "DeleteGroup of a person's id leaves the person")
	requireNotFound(t, w.b.UpdateGroup(w.ctx, w.newGroup()), "UpdateGroup")
}

func testDeleteGroup(t *testing.T, w *world) {
	g, keep := w.group(), w.group()
	a, b := w.profile(), w.remoteActor()
	ma := w.newMember(g.ID, a.ID)
	mb := w.newMember(g.ID, b.ID)
	mk := w.newMember(keep.ID, a.ID)
	for _, m := range []*groups.Member{ma, mb, mk} {
		require.NoError(t, w.b.PutMember(w.ctx, m))
	}

	require.NoError(t, w.b.DeleteGroup(w.ctx, g.ID))
	_, err := w.b.GetGroup(w.ctx, g.ID)
	requireNotFound(t, err, "GetGroup after DeleteGroup")
	_, err = w.b.GetActor(w.ctx, g.ID)
	requireNotFound(t, err, "GetActor after DeleteGroup")
	_, err = w.b.GetLocalActor(w.ctx, g.Username)
	requireNotFound(t, err, "GetLocalActor after DeleteGroup")
	_, err = w.b.GetMember(w.ctx, g.ID, a.ID)
	requireNotFound(t, err, "GetMember after DeleteGroup")
	_, err = w.b.GetMemberByAPID(w.ctx, mb.APID)
	requireNotFound(t, err, "GetMemberByAPID after DeleteGroup")
	n, err := w.b.CountMembers(w.ctx, g.ID, nil)
	require.NoError(t, err)
	require.Zero(t, n)
	ms, err := w.b.ListMemberships(w.ctx, a.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Equal(t, []groups.Member{*mk}, ms, "the other group's membership stays")
	_, err = w.b.GetActor(w.ctx, b.ID)
	require.NoError(t, err, "members' actors stay")

	requireNotFound(t, w.b.DeleteGroup(w.ctx, g.ID), "DeleteGroup twice")
}

func testMemberRoundTrip(t *testing.T, w *world) {
	g := w.group()
	admin := w.profile()
	invited := w.remoteActor()

	m := w.newMember(g.ID, admin.ID)
	m.Role = groups.RoleAdministrator
	require.NoError(t, w.b.PutMember(w.ctx, m))
	inv := w.newMember(g.ID, invited.ID)
	inv.Role = groups.RoleInvited
	inv.InvitedBy = admin.ID
	require.NoError(t, w.b.PutMember(w.ctx, inv))

	for _, want := range []*groups.Member{m, inv} {
		got, err := w.b.GetMember(w.ctx, g.ID, want.ActorID)
		require.NoError(t, err)
		require.Equal(t, want, got)
		got, err = w.b.GetMemberByAPID(w.ctx, want.APID)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}

	require.NoError(t, w.b.DeleteMember(w.ctx, g.ID, invited.ID))
	_, err := w.b.GetMember(w.ctx, g.ID, invited.ID)
	requireNotFound(t, err, "GetMember after DeleteMember")
	_, err = w.b.GetMemberByAPID(w.ctx, inv.APID)
	requireNotFound(t, err, "GetMemberByAPID after DeleteMember")
	_, err = w.b.GetMember(w.ctx, g.ID, admin.ID)
	require.NoError(t, err, "DeleteMember leaves other members")
	_, err = w.b.GetActor(w.ctx, invited.ID)
	require.NoError(t, err, "DeleteMember leaves the actor")
}

func testPutMemberUpserts(t *testing.T, w *world) {
	g := w.group()
	a, inviter := w.remoteActor(), w.profile()
	m := w.newMember(g.ID, a.ID)
	m.Role = groups.RoleInvited
	m.InvitedBy = inviter.ID
	require.NoError(t, w.b.PutMember(w.ctx, m))

	again := w.newMember(g.ID, a.ID) // new ID, APID and times
	again.Role = groups.RoleModerator
	again.CreatedAt = at(time.Hour)
	again.UpdatedAt = at(2 * time.Hour)
	require.NoError(t, w.b.PutMember(w.ctx, again))
	assert.Equal(t, m.ID, again.ID, "the existing row's ID is copied back")
	assert.Equal(t, m.CreatedAt, again.CreatedAt, "the existing row's CreatedAt is copied back")

	want := &groups.Member{
		ID: m.ID, APID: again.APID, GroupID: g.ID, ActorID: a.ID, Role: groups.RoleModerator,
		CreatedAt: m.CreatedAt, UpdatedAt: at(2 * time.Hour),
	}
	got, err := w.b.GetMember(w.ctx, g.ID, a.ID)
	require.NoError(t, err)
	require.Equal(t, want, got, "every other field is replaced, InvitedBy cleared")
	got, err = w.b.GetMemberByAPID(w.ctx, again.APID)
	require.NoError(t, err)
	require.Equal(t, want, got)
	n, err := w.b.CountMembers(w.ctx, g.ID, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n, "one row per pair")
}

func testMemberConflicts(t *testing.T, w *world) {
	g, h := w.group(), w.group()
	a, b := w.profile(), w.profile()
	m := w.newMember(g.ID, a.ID)
	require.NoError(t, w.b.PutMember(w.ctx, m))

	other := w.newMember(g.ID, b.ID)
	other.APID = m.APID
	requireConflict(t, w.b.PutMember(w.ctx, other), "PutMember of another pair with a taken APID")
	_, err := w.b.GetMember(w.ctx, g.ID, b.ID)
	requireNotFound(t, err, "GetMember of the refused membership")

	// An empty APID is no key.
	for _, nm := range []*groups.Member{w.newMember(h.ID, a.ID), w.newMember(h.ID, b.ID)} {
		nm.APID = ""
		require.NoError(t, w.b.PutMember(w.ctx, nm), "two memberships without APID")
	}
	_, err = w.b.GetMemberByAPID(w.ctx, "")
	requireNotFound(t, err, "GetMemberByAPID of the empty APID")

	// A membership of a missing group is refused.
	missing := w.id()
	requireNotFound(t, w.b.PutMember(w.ctx, w.newMember(missing, a.ID)), "PutMember in a missing group")
	ms, err := w.b.ListMemberships(w.ctx, a.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, ms, 2, "the refused membership is not stored")
}

func testMemberNotFound(t *testing.T, w *world) {
	g := w.group()
	a, b := w.profile(), w.profile()
	require.NoError(t, w.b.PutMember(w.ctx, w.newMember(g.ID, a.ID)))
	_, err := w.b.GetMember(w.ctx, g.ID, b.ID)
	requireNotFound(t, err, "GetMember")
	_, err = w.b.GetMemberByAPID(w.ctx, "https://convene.test/members/none")
	requireNotFound(t, err, "GetMemberByAPID")
	requireNotFound(t, w.b.DeleteMember(w.ctx, g.ID, b.ID), "DeleteMember of a missing pair")
	requireNotFound(t, w.b.DeleteMember(w.ctx, w.id(), a.ID), "DeleteMember of a missing group")
}

func testListMembers(t *testing.T, w *world) {
	g, h := w.group(), w.group()
	roles := []groups.Role{
		groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember,
		groups.RoleMember, groups.RoleInvited, groups.RoleNotApproved, groups.RoleRejected,
	}
	byRole := map[groups.Role][]keyed{}
	var all []keyed
	var actor *identity.Profile
	for i, role := range roles {
		actor = w.profile()
		m := w.newMember(g.ID, actor.ID)
		m.Role = role
		m.CreatedAt = at(time.Duration(len(roles)-i) * time.Minute)
		require.NoError(t, w.b.PutMember(w.ctx, m))
		byRole[role] = append(byRole[role], keyed{m.CreatedAt, m.ID})
		all = append(all, keyed{m.CreatedAt, m.ID})
	}
	// The last actor is also in a second group.
	mh := w.newMember(h.ID, actor.ID)
	mh.Role = groups.RoleAdministrator
	mh.CreatedAt = at(-time.Hour)
	require.NoError(t, w.b.PutMember(w.ctx, mh))

	mid := func(m groups.Member) string { return m.ID }
	for _, tc := range []struct {
		name  string
		roles []groups.Role
	}{
		{"all", nil},
		{"member", []groups.Role{groups.RoleMember}},
		{"staff", []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator}},
		{"pending", []groups.Role{groups.RoleInvited, groups.RoleNotApproved}},
		{"none-with-role", []groups.Role{"no_such_role"}},
	} {
		var want []keyed
		if tc.roles == nil {
			want = append(want, all...)
		}
		for _, r := range tc.roles {
			want = append(want, byRole[r]...)
		}
		list, err := w.b.ListMembers(w.ctx, g.ID, tc.roles, storage.Cursor{}, 50)
		require.NoError(t, err, tc.name)
		assert.Equal(t, nilIfEmpty(sortKeyed(want)), nilIfEmpty(ids(list, mid)), "ListMembers %s", tc.name)
		n, err := w.b.CountMembers(w.ctx, g.ID, tc.roles)
		require.NoError(t, err, tc.name)
		assert.Equal(t, len(want), n, "CountMembers %s", tc.name)
	}
	n, err := w.b.CountMembers(w.ctx, w.id(), nil)
	require.NoError(t, err)
	require.Zero(t, n, "CountMembers of a missing group")

	ms, err := w.b.ListMemberships(w.ctx, actor.ID, nil, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, []string{mh.ID, byRole[groups.RoleRejected][0].ID}, ids(ms, mid), "ListMemberships by (CreatedAt, ID)")
	ms, err = w.b.ListMemberships(w.ctx, actor.ID, []groups.Role{groups.RoleAdministrator}, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, []groups.Member{*mh}, ms)
}

func testMemberPagination(t *testing.T, w *world) {
	g := w.group()
	fan := w.profile()
	const n, limit = 25, 10
	mids := w.descendingIDs(n)
	times := tiedTimes(n, at(0))
	var members, memberships []keyed
	for i := range n {
		a := w.remoteActor()
		m := w.newMember(g.ID, a.ID)
		m.ID, m.CreatedAt = mids[i], times[i]
		require.NoError(t, w.b.PutMember(w.ctx, m))
		members = append(members, keyed{m.CreatedAt, m.ID})

		h := w.group()
		mh := w.newMember(h.ID, fan.ID)
		mh.CreatedAt = times[n-1-i]
		require.NoError(t, w.b.PutMember(w.ctx, mh))
		memberships = append(memberships, keyed{mh.CreatedAt, mh.ID})
	}
	pos := func(m groups.Member) storage.Cursor { return storage.Cursor{At: m.CreatedAt, ID: m.ID} }
	mid := func(m groups.Member) string { return m.ID }

	got, sizes := walk(t, limit, func(after storage.Cursor, limit int) ([]groups.Member, error) {
		return w.b.ListMembers(w.ctx, g.ID, []groups.Role{groups.RoleMember}, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(members), ids(got, mid), "ListMembers pages")
	require.Equal(t, pageSizes(n, limit), sizes)

	got, sizes = walk(t, limit, func(after storage.Cursor, limit int) ([]groups.Member, error) {
		return w.b.ListMemberships(w.ctx, fan.ID, nil, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(memberships), ids(got, mid), "ListMemberships pages")
	require.Equal(t, pageSizes(n, limit), sizes)
}
