package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func identityCases() []testCase {
	return []testCase{
		{"AccountRoundTrip", testAccountRoundTrip},
		{"AccountConflicts", testAccountConflicts},
		{"AccountNotFound", testAccountNotFound},
		{"ActorRoundTrip", testActorRoundTrip},
		{"ActorConflicts", testActorConflicts},
		{"ActorNotFound", testActorNotFound},
		{"LocalActorByUsername", testLocalActorByUsername},
		{"ProfileRoundTrip", testProfileRoundTrip},
		{"ProfileDefaults", testProfileDefaults},
		{"ListProfilesOrder", testListProfilesOrder},
		{"ProfileNotFound", testProfileNotFound},
		{"DeleteProfile", testDeleteProfile},
		{"FollowRoundTrip", testFollowRoundTrip},
		{"PutFollowUpserts", testPutFollowUpserts},
		{"FollowConflicts", testFollowConflicts},
		{"FollowNotFound", testFollowNotFound},
		{"ListFollowersAndFollowing", testListFollows},
		{"FollowPagination", testFollowPagination},
		{"FeedTokens", testFeedTokens},
		{"FeedTokenConflictsAndNotFound", testFeedTokenErrors},
		{"DanglingReferences", testIdentityDangling},
	}
}

func testAccountRoundTrip(t *testing.T, w *world) {
	a := w.newAccount()
	require.NoError(t, w.b.CreateAccount(w.ctx, a))

	got, err := w.b.GetAccount(w.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, a, got)
	got, err = w.b.GetAccountByEmail(w.ctx, a.Email)
	require.NoError(t, err)
	require.Equal(t, a, got)

	// Every field changes, booleans to false.
	up := *a
	up.Email = "renamed@example.test"
	up.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$bmV3c2FsdA$bmV3aGFzaA"
	up.Confirmed = false
	up.Role = identity.RoleAdmin
	up.Suspended = false
	up.Locale = "fr"
	up.TimeZone = "Europe/Paris"
	up.UpdatedAt = at(time.Hour)
	require.NoError(t, w.b.UpdateAccount(w.ctx, &up))

	got, err = w.b.GetAccount(w.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, &up, got)
	got, err = w.b.GetAccountByEmail(w.ctx, "renamed@example.test")
	require.NoError(t, err)
	require.Equal(t, a.ID, got.ID)
	_, err = w.b.GetAccountByEmail(w.ctx, a.Email)
	requireNotFound(t, err, "GetAccountByEmail of the old email")

	// Times given in another zone come back as the same instants in UTC.
	zoned := w.newAccount()
	saoPaulo := time.FixedZone("-03", -3*60*60)
	zoned.CreatedAt, zoned.UpdatedAt = zoned.CreatedAt.In(saoPaulo), zoned.UpdatedAt.In(saoPaulo)
	require.NoError(t, w.b.CreateAccount(w.ctx, zoned))
	got, err = w.b.GetAccount(w.ctx, zoned.ID)
	require.NoError(t, err)
	want := *zoned
	want.CreatedAt, want.UpdatedAt = zoned.CreatedAt.UTC(), zoned.UpdatedAt.UTC()
	require.Equal(t, &want, got)
}

func testAccountConflicts(t *testing.T, w *world) {
	a := w.account()
	b := w.account()

	dup := w.newAccount()
	dup.Email = a.Email
	requireConflict(t, w.b.CreateAccount(w.ctx, dup), "CreateAccount with a taken email")
	_, err := w.b.GetAccount(w.ctx, dup.ID)
	requireNotFound(t, err, "GetAccount of the refused account")

	sameID := w.newAccount()
	sameID.ID = a.ID
	requireConflict(t, w.b.CreateAccount(w.ctx, sameID), "CreateAccount with a taken id")
	_, err = w.b.GetAccountByEmail(w.ctx, sameID.Email)
	requireNotFound(t, err, "GetAccountByEmail of the refused account")

	up := *b
	up.Email = a.Email
	up.Locale = "it"
	requireConflict(t, w.b.UpdateAccount(w.ctx, &up), "UpdateAccount to a taken email")
	got, err := w.b.GetAccount(w.ctx, b.ID)
	require.NoError(t, err)
	require.Equal(t, b, got, "a refused update changes nothing")
}

func testAccountNotFound(t *testing.T, w *world) {
	w.account()
	_, err := w.b.GetAccount(w.ctx, w.id())
	requireNotFound(t, err, "GetAccount")
	_, err = w.b.GetAccountByEmail(w.ctx, "nobody@example.test")
	requireNotFound(t, err, "GetAccountByEmail")
	_, err = w.b.GetAccountByEmail(w.ctx, "")
	requireNotFound(t, err, "GetAccountByEmail of the empty email")
	requireNotFound(t, w.b.UpdateAccount(w.ctx, w.newAccount()), "UpdateAccount")
}

func testActorRoundTrip(t *testing.T, w *world) {
	for _, a := range []*identity.Actor{
		w.newLocalActor(identity.TypeApplication),
		w.newLocalActor(identity.TypePerson),
		w.newRemoteActor("mobilizon.example"),
	} {
		t.Run(string(a.Type)+"/"+a.Username, func(t *testing.T) {
			require.NoError(t, w.b.CreateActor(w.ctx, a))
			got, err := w.b.GetActor(w.ctx, a.ID)
			require.NoError(t, err)
			require.Equal(t, a, got)
			got, err = w.b.GetActorByAPID(w.ctx, a.APID)
			require.NoError(t, err)
			require.Equal(t, a, got)

			// Every field changes; booleans flip.
			up := *a
			up.APID += "/moved"
			up.Type = identity.TypeService
			up.Username += "x"
			up.Domain = "moved.example"
			up.DisplayName = "Renamed"
			up.Summary = "<p>new</p>"
			up.AvatarURL += "?v=2"
			up.BannerURL += "?v=2"
			up.URL += "/v2"
			up.Inbox += "2"
			up.SharedInbox += "2"
			up.Outbox += "2"
			up.Followers += "2"
			up.Following += "2"
			up.PublicKeyID += "2"
			up.PublicKeyPEM += "2"
			if up.Local {
				up.PrivateKeyPEM += "2"
			}
			up.Discoverable = !up.Discoverable
			up.ManuallyApprovesFollowers = !up.ManuallyApprovesFollowers
			if !up.Local {
				up.FetchedAt = at(time.Hour)
			}
			up.UpdatedAt = at(time.Hour)
			require.NoError(t, w.b.UpdateActor(w.ctx, &up))
			got, err = w.b.GetActor(w.ctx, a.ID)
			require.NoError(t, err)
			require.Equal(t, &up, got)
			got, err = w.b.GetActorByAPID(w.ctx, up.APID)
			require.NoError(t, err)
			require.Equal(t, a.ID, got.ID)
			_, err = w.b.GetActorByAPID(w.ctx, a.APID)
			requireNotFound(t, err, "GetActorByAPID of the old APID")
		})
	}
}

func testActorConflicts(t *testing.T, w *world) {
	local := w.actor(w.newLocalActor(identity.TypePerson))
	remote := w.remoteActor()

	sameAPID := w.newRemoteActor("other.example")
	sameAPID.APID = remote.APID
	requireConflict(t, w.b.CreateActor(w.ctx, sameAPID), "CreateActor with a taken APID")
	_, err := w.b.GetActor(w.ctx, sameAPID.ID)
	requireNotFound(t, err, "GetActor of the refused actor")

	sameID := w.newRemoteActor("other.example")
	sameID.ID = local.ID
	requireConflict(t, w.b.CreateActor(w.ctx, sameID), "CreateActor with a taken id")

	// Local usernames are unique, compared case-insensitively.
	shouting := w.newLocalActor(identity.TypeGroup)
	shouting.Username = "LOCAL" + local.Username[len("local"):]
	requireConflict(t, w.b.CreateActor(w.ctx, shouting), "CreateActor with a local username taken in another case")
	_, err = w.b.GetActorByAPID(w.ctx, shouting.APID)
	requireNotFound(t, err, "GetActorByAPID of the refused actor")

	// Remote actors share usernames across domains, and with local ones.
	for _, domain := range []string{"one.example", "two.example"} {
		r := w.newRemoteActor(domain)
		r.Username = local.Username
		require.NoError(t, w.b.CreateActor(w.ctx, r), "remote actor %s@%s", r.Username, domain)
	}

	// Updates obey the same rules.
	other := w.actor(w.newLocalActor(identity.TypePerson))
	up := *other
	up.APID = remote.APID
	requireConflict(t, w.b.UpdateActor(w.ctx, &up), "UpdateActor to a taken APID")
	up = *other
	up.Username = "Local" + local.Username[len("local"):]
	requireConflict(t, w.b.UpdateActor(w.ctx, &up), "UpdateActor to a taken local username")
	got, err := w.b.GetActor(w.ctx, other.ID)
	require.NoError(t, err)
	require.Equal(t, other, got, "refused updates change nothing")
}

func testActorNotFound(t *testing.T, w *world) {
	w.actor(w.newLocalActor(identity.TypePerson))
	_, err := w.b.GetActor(w.ctx, w.id())
	requireNotFound(t, err, "GetActor")
	_, err = w.b.GetActorByAPID(w.ctx, "https://nowhere.example/users/nobody")
	requireNotFound(t, err, "GetActorByAPID")
	_, err = w.b.GetLocalActor(w.ctx, "nobody")
	requireNotFound(t, err, "GetLocalActor")
	requireNotFound(t, w.b.UpdateActor(w.ctx, w.newRemoteActor("remote.example")), "UpdateActor")
}

func testLocalActorByUsername(t *testing.T, w *world) {
	person := w.actor(w.newLocalActor(identity.TypePerson))
	group := w.group()
	instance := w.newLocalActor(identity.TypeApplication)
	instance.Username = "convene.test"
	w.actor(instance)
	// A remote actor whose username no local actor has.
	remote := w.newRemoteActor("remote.example")
	remote.Username = "onlyremote"
	w.actor(remote)

	for _, tc := range []struct {
		username string
		want     string
	}{
		{person.Username, person.ID},
		{"LOCAL" + person.Username[len("local"):], person.ID},
		{group.Username, group.ID},
		{"Convene.Test", instance.ID},
	} {
		got, err := w.b.GetLocalActor(w.ctx, tc.username)
		require.NoError(t, err, tc.username)
		assert.Equal(t, tc.want, got.ID, tc.username)
		assert.True(t, got.Local, tc.username)
	}
	got, err := w.b.GetLocalActor(w.ctx, person.Username)
	require.NoError(t, err)
	require.Equal(t, person, got)

	_, err = w.b.GetLocalActor(w.ctx, "onlyremote")
	requireNotFound(t, err, "GetLocalActor of a remote actor's username")
}

func testProfileRoundTrip(t *testing.T, w *world) {
	acc := w.account()
	p := w.newProfile(acc.ID)
	p.Default = true
	require.NoError(t, w.b.CreateProfile(w.ctx, p))

	got, err := w.b.GetProfile(w.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, p, got)

	// The profile's actor is an actor like any other.
	actor, err := w.b.GetActor(w.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, &p.Actor, actor)
	actor, err = w.b.GetLocalActor(w.ctx, p.Username)
	require.NoError(t, err)
	require.Equal(t, &p.Actor, actor)

	// Updating the actor updates the profile.
	up := p.Actor
	up.DisplayName = "Renamed"
	up.UpdatedAt = at(time.Hour)
	require.NoError(t, w.b.UpdateActor(w.ctx, &up))
	got, err = w.b.GetProfile(w.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, &identity.Profile{Actor: up, AccountID: acc.ID, Default: true}, got)

	// A profile's username obeys the local username rule.
	clash := w.newProfile(acc.ID)
	clash.Username = "LOCAL" + p.Username[len("local"):]
	requireConflict(t, w.b.CreateProfile(w.ctx, clash), "CreateProfile with a taken username")
	clash = w.newProfile(acc.ID)
	clash.APID = p.APID
	requireConflict(t, w.b.CreateProfile(w.ctx, clash), "CreateProfile with a taken APID")
	profiles, err := w.b.ListProfiles(w.ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, profiles, 1, "refused profiles are not stored")
}

// defaults returns the ids of an account's default profiles.
func defaults(t *testing.T, w *world, accountID string) []string {
	t.Helper()
	ps, err := w.b.ListProfiles(w.ctx, accountID)
	require.NoError(t, err)
	var out []string
	for _, p := range ps {
		if p.Default {
			out = append(out, p.ID)
		}
	}
	return out
}

func testProfileDefaults(t *testing.T, w *world) {
	acc := w.account()
	first := w.newProfile(acc.ID)
	first.Default = true
	require.NoError(t, w.b.CreateProfile(w.ctx, first))
	second := w.newProfile(acc.ID)
	require.NoError(t, w.b.CreateProfile(w.ctx, second))
	require.Equal(t, []string{first.ID}, defaults(t, w, acc.ID), "a non-default profile leaves the default alone")

	third := w.newProfile(acc.ID)
	third.Default = true
	require.NoError(t, w.b.CreateProfile(w.ctx, third))
	require.Equal(t, []string{third.ID}, defaults(t, w, acc.ID), "a new default profile replaces the old default")

	// Another account's default is not touched.
	other := w.account()
	otherP := w.newProfile(other.ID)
	otherP.Default = true
	require.NoError(t, w.b.CreateProfile(w.ctx, otherP))

	for _, id := range []string{second.ID, first.ID, first.ID, third.ID} {
		require.NoError(t, w.b.SetDefaultProfile(w.ctx, acc.ID, id))
		require.Equal(t, []string{id}, defaults(t, w, acc.ID), "after SetDefaultProfile(%s)", id)
		got, err := w.b.GetProfile(w.ctx, id)
		require.NoError(t, err)
		require.True(t, got.Default)
	}
	require.Equal(t, []string{otherP.ID}, defaults(t, w, other.ID))

	requireNotFound(t, w.b.SetDefaultProfile(w.ctx, acc.ID, otherP.ID), "SetDefaultProfile with another account's profile")
	requireNotFound(t, w.b.SetDefaultProfile(w.ctx, acc.ID, w.id()), "SetDefaultProfile with a missing profile")
	requireNotFound(t, w.b.SetDefaultProfile(w.ctx, w.id(), third.ID), "SetDefaultProfile with a missing account")
	require.Equal(t, []string{third.ID}, defaults(t, w, acc.ID), "refused SetDefaultProfile changes nothing")
	require.Equal(t, []string{otherP.ID}, defaults(t, w, other.ID), "refused SetDefaultProfile changes nothing")
}

func testListProfilesOrder(t *testing.T, w *world) {
	acc := w.account()
	ids := w.descendingIDs(5)
	created := []time.Time{at(3 * time.Minute), at(time.Minute), at(2 * time.Minute), at(time.Minute), at(4 * time.Minute)}
	var k []keyed
	for i, id := range ids {
		p := w.newProfile(acc.ID)
		p.ID = id
		p.CreatedAt = created[i]
		p.Default = i == 2
		require.NoError(t, w.b.CreateProfile(w.ctx, p))
		if !p.Default {
			k = append(k, keyed{p.CreatedAt, p.ID})
		}
	}
	w.profile() // another account's profile

	got, err := w.b.ListProfiles(w.ctx, acc.ID)
	require.NoError(t, err)
	want := append([]string{ids[2]}, sortKeyed(k)...)
	require.Equal(t, want, ids2(got), "default first, then by (CreatedAt, ID)")
	require.Equal(t, acc.ID, got[0].AccountID)

	none, err := w.b.ListProfiles(w.ctx, w.id())
	require.NoError(t, err)
	require.Empty(t, none)
}

func ids2(ps []identity.Profile) []string {
	return ids(ps, func(p identity.Profile) string { return p.ID })
}

func testProfileNotFound(t *testing.T, w *world) {
	w.profile()
	g := w.group()
	remote := w.remoteActor()
	_, err := w.b.GetProfile(w.ctx, w.id())
	requireNotFound(t, err, "GetProfile of a missing id")
	_, err = w.b.GetProfile(w.ctx, g.ID)
	requireNotFound(t, err, "GetProfile of a group actor")
	_, err = w.b.GetProfile(w.ctx, remote.ID)
	requireNotFound(t, err, "GetProfile of a remote actor")
	requireNotFound(t, w.b.DeleteProfile(w.ctx, w.id()), "DeleteProfile of a missing id")
	requireNotFound(t, w.b.DeleteProfile(w.ctx, g.ID), "DeleteProfile of a group actor")
	_, err = w.b.GetGroup(w.ctx, g.ID)
	require.NoError(t, err, "a refused DeleteProfile leaves the group")
}

func testDeleteProfile(t *testing.T, w *world) {
	acc := w.account()
	keep := w.newProfile(acc.ID)
	keep.Default = true
	require.NoError(t, w.b.CreateProfile(w.ctx, keep))
	gone := w.newProfile(acc.ID)
	require.NoError(t, w.b.CreateProfile(w.ctx, gone))

	require.NoError(t, w.b.DeleteProfile(w.ctx, gone.ID))
	_, err := w.b.GetProfile(w.ctx, gone.ID)
	requireNotFound(t, err, "GetProfile after DeleteProfile")
	_, err = w.b.GetActor(w.ctx, gone.ID)
	requireNotFound(t, err, "GetActor after DeleteProfile")
	_, err = w.b.GetLocalActor(w.ctx, gone.Username)
	requireNotFound(t, err, "GetLocalActor after DeleteProfile")
	ps, err := w.b.ListProfiles(w.ctx, acc.ID)
	require.NoError(t, err)
	require.Equal(t, []string{keep.ID}, ids2(ps))
	requireNotFound(t, w.b.DeleteProfile(w.ctx, gone.ID), "DeleteProfile twice")

	// The username is free again.
	again := w.newProfile(acc.ID)
	again.Username = gone.Username
	require.NoError(t, w.b.CreateProfile(w.ctx, again))
}

func testFollowRoundTrip(t *testing.T, w *world) {
	a, b := w.profile(), w.remoteActor()
	f := w.newFollow(a.ID, b.ID)
	require.NoError(t, w.b.PutFollow(w.ctx, f))
	got, err := w.b.GetFollow(w.ctx, a.ID, b.ID)
	require.NoError(t, err)
	require.Equal(t, f, got)
	got, err = w.b.GetFollowByAPID(w.ctx, f.APID)
	require.NoError(t, err)
	require.Equal(t, f, got)

	// The reverse direction is another follow.
	_, err = w.b.GetFollow(w.ctx, b.ID, a.ID)
	requireNotFound(t, err, "GetFollow of the reverse pair")
	back := w.newFollow(b.ID, a.ID)
	back.State = identity.FollowAccepted
	require.NoError(t, w.b.PutFollow(w.ctx, back))
	got, err = w.b.GetFollow(w.ctx, b.ID, a.ID)
	require.NoError(t, err)
	require.Equal(t, back, got)

	require.NoError(t, w.b.DeleteFollow(w.ctx, a.ID, b.ID))
	_, err = w.b.GetFollow(w.ctx, a.ID, b.ID)
	requireNotFound(t, err, "GetFollow after DeleteFollow")
	_, err = w.b.GetFollowByAPID(w.ctx, f.APID)
	requireNotFound(t, err, "GetFollowByAPID after DeleteFollow")
	_, err = w.b.GetFollow(w.ctx, b.ID, a.ID)
	require.NoError(t, err, "DeleteFollow leaves the reverse follow")
}

func testPutFollowUpserts(t *testing.T, w *world) {
	a, b := w.profile(), w.remoteActor()
	f := w.newFollow(a.ID, b.ID)
	require.NoError(t, w.b.PutFollow(w.ctx, f))

	again := w.newFollow(a.ID, b.ID) // new ID, APID and times
	again.State = identity.FollowAccepted
	again.CreatedAt = at(time.Hour)
	again.UpdatedAt = at(2 * time.Hour)
	require.NoError(t, w.b.PutFollow(w.ctx, again))
	assert.Equal(t, f.ID, again.ID, "the existing row's ID is copied back")
	assert.Equal(t, f.CreatedAt, again.CreatedAt, "the existing row's CreatedAt is copied back")

	want := &identity.Follow{
		ID: f.ID, APID: again.APID, FollowerID: a.ID, FollowedID: b.ID,
		State: identity.FollowAccepted, CreatedAt: f.CreatedAt, UpdatedAt: at(2 * time.Hour),
	}
	got, err := w.b.GetFollow(w.ctx, a.ID, b.ID)
	require.NoError(t, err)
	require.Equal(t, want, got)
	got, err = w.b.GetFollowByAPID(w.ctx, again.APID)
	require.NoError(t, err)
	require.Equal(t, want, got)
	_, err = w.b.GetFollowByAPID(w.ctx, f.APID)
	requireNotFound(t, err, "GetFollowByAPID of the replaced APID")

	list, err := w.b.ListFollowers(w.ctx, b.ID, identity.FollowAccepted, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Equal(t, []identity.Follow{*want}, list, "one row per pair")
	list, err = w.b.ListFollowers(w.ctx, b.ID, identity.FollowPending, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Empty(t, list)
}

func testFollowConflicts(t *testing.T, w *world) {
	a, b, c := w.profile(), w.remoteActor(), w.remoteActor()
	f := w.newFollow(a.ID, b.ID)
	require.NoError(t, w.b.PutFollow(w.ctx, f))

	other := w.newFollow(a.ID, c.ID)
	other.APID = f.APID
	requireConflict(t, w.b.PutFollow(w.ctx, other), "PutFollow of another pair with a taken APID")
	_, err := w.b.GetFollow(w.ctx, a.ID, c.ID)
	requireNotFound(t, err, "GetFollow of the refused follow")

	// An empty APID is no key.
	for _, nf := range []*identity.Follow{w.newFollow(c.ID, b.ID), w.newFollow(b.ID, c.ID)} {
		nf.APID = ""
		require.NoError(t, w.b.PutFollow(w.ctx, nf), "two follows without APID")
	}
	_, err = w.b.GetFollowByAPID(w.ctx, "")
	requireNotFound(t, err, "GetFollowByAPID of the empty APID")
}

func testFollowNotFound(t *testing.T, w *world) {
	a, b := w.profile(), w.remoteActor()
	require.NoError(t, w.b.PutFollow(w.ctx, w.newFollow(a.ID, b.ID)))
	_, err := w.b.GetFollow(w.ctx, b.ID, a.ID)
	requireNotFound(t, err, "GetFollow")
	_, err = w.b.GetFollowByAPID(w.ctx, "https://convene.test/follows/none")
	requireNotFound(t, err, "GetFollowByAPID")
	requireNotFound(t, w.b.DeleteFollow(w.ctx, b.ID, a.ID), "DeleteFollow of a missing pair")
	_, err = w.b.GetFollow(w.ctx, a.ID, b.ID)
	require.NoError(t, err, "a refused DeleteFollow changes nothing")
}

func testListFollows(t *testing.T, w *world) {
	star, fan := w.profile(), w.profile()
	var accepted, pending, following []keyed
	for i := range 6 {
		other := w.remoteActor()
		in := w.newFollow(other.ID, star.ID)
		in.CreatedAt = at(time.Duration(10-i) * time.Minute)
		if i%2 == 0 {
			in.State = identity.FollowAccepted
			accepted = append(accepted, keyed{in.CreatedAt, in.ID})
		} else {
			pending = append(pending, keyed{in.CreatedAt, in.ID})
		}
		require.NoError(t, w.b.PutFollow(w.ctx, in))

		out := w.newFollow(fan.ID, other.ID)
		out.State = identity.FollowAccepted
		out.CreatedAt = at(time.Duration(i) * time.Minute)
		following = append(following, keyed{out.CreatedAt, out.ID})
		require.NoError(t, w.b.PutFollow(w.ctx, out))
	}
	rejected := w.newFollow(fan.ID, star.ID)
	rejected.State = identity.FollowRejected
	require.NoError(t, w.b.PutFollow(w.ctx, rejected))

	fid := func(f identity.Follow) string { return f.ID }
	list, err := w.b.ListFollowers(w.ctx, star.ID, identity.FollowAccepted, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, sortKeyed(accepted), ids(list, fid))
	for _, f := range list {
		require.Equal(t, star.ID, f.FollowedID)
		require.Equal(t, identity.FollowAccepted, f.State)
	}
	list, err = w.b.ListFollowers(w.ctx, star.ID, identity.FollowPending, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, sortKeyed(pending), ids(list, fid))
	list, err = w.b.ListFollowers(w.ctx, star.ID, identity.FollowRejected, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, []string{rejected.ID}, ids(list, fid))

	list, err = w.b.ListFollowing(w.ctx, fan.ID, identity.FollowAccepted, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, sortKeyed(following), ids(list, fid))
	for _, f := range list {
		require.Equal(t, fan.ID, f.FollowerID)
	}
	list, err = w.b.ListFollowing(w.ctx, star.ID, identity.FollowAccepted, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Empty(t, list)
}

func testFollowPagination(t *testing.T, w *world) {
	star, fan := w.profile(), w.profile()
	const n, limit = 25, 10
	fids := w.descendingIDs(n)
	times := tiedTimes(n, at(0))
	var in, out []keyed
	for i := range n {
		other := w.remoteActor()
		f := w.newFollow(other.ID, star.ID)
		f.ID, f.CreatedAt, f.State = fids[i], times[i], identity.FollowAccepted
		require.NoError(t, w.b.PutFollow(w.ctx, f))
		in = append(in, keyed{f.CreatedAt, f.ID})

		g := w.newFollow(fan.ID, other.ID)
		g.CreatedAt, g.State = times[n-1-i], identity.FollowAccepted
		require.NoError(t, w.b.PutFollow(w.ctx, g))
		out = append(out, keyed{g.CreatedAt, g.ID})
	}
	pos := func(f identity.Follow) storage.Cursor { return storage.Cursor{At: f.CreatedAt, ID: f.ID} }
	fid := func(f identity.Follow) string { return f.ID }

	got, sizes := walk(t, limit, func(after storage.Cursor, limit int) ([]identity.Follow, error) {
		return w.b.ListFollowers(w.ctx, star.ID, identity.FollowAccepted, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(in), ids(got, fid), "ListFollowers pages")
	require.Equal(t, pageSizes(n, limit), sizes)

	got, sizes = walk(t, limit, func(after storage.Cursor, limit int) ([]identity.Follow, error) {
		return w.b.ListFollowing(w.ctx, fan.ID, identity.FollowAccepted, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(out), ids(got, fid), "ListFollowing pages")
	require.Equal(t, pageSizes(n, limit), sizes)
}

func testFeedTokens(t *testing.T, w *world) {
	acc := w.account()
	p := w.newProfile(acc.ID)
	require.NoError(t, w.b.CreateProfile(w.ctx, p))

	accountWide := &identity.FeedToken{ID: w.id(), Hash: hash("account-token"), AccountID: acc.ID, CreatedAt: at(-time.Hour)}
	perProfile := &identity.FeedToken{ID: w.id(), Hash: hash("profile-token"), AccountID: acc.ID, ProfileID: p.ID, CreatedAt: at(-time.Minute)}
	otherAcc := w.account()
	foreign := &identity.FeedToken{ID: w.id(), Hash: hash("foreign-token"), AccountID: otherAcc.ID, CreatedAt: at(0)}
	for _, tok := range []*identity.FeedToken{accountWide, perProfile, foreign} {
		require.NoError(t, w.b.CreateFeedToken(w.ctx, tok))
	}

	for _, tok := range []*identity.FeedToken{accountWide, perProfile} {
		got, err := w.b.GetFeedTokenByHash(w.ctx, tok.Hash)
		require.NoError(t, err)
		require.Equal(t, normToken(*tok), normToken(*got))
	}
	list, err := w.b.ListFeedTokens(w.ctx, acc.ID)
	require.NoError(t, err)
	for i := range list {
		list[i] = normToken(list[i])
	}
	require.ElementsMatch(t, []identity.FeedToken{normToken(*accountWide), normToken(*perProfile)}, list)

	// A revoked token is still found, with its revocation time.
	require.NoError(t, w.b.RevokeFeedToken(w.ctx, perProfile.ID, at(time.Hour)))
	got, err := w.b.GetFeedTokenByHash(w.ctx, perProfile.Hash)
	require.NoError(t, err)
	want := *perProfile
	want.RevokedAt = at(time.Hour)
	require.Equal(t, normToken(want), normToken(*got))
	got, err = w.b.GetFeedTokenByHash(w.ctx, accountWide.Hash)
	require.NoError(t, err)
	require.True(t, got.RevokedAt.IsZero(), "revoking one token leaves the others")

	list, err = w.b.ListFeedTokens(w.ctx, w.id())
	require.NoError(t, err)
	require.Empty(t, list)
}

func testFeedTokenErrors(t *testing.T, w *world) {
	acc := w.account()
	tok := &identity.FeedToken{ID: w.id(), Hash: hash("token"), AccountID: acc.ID, CreatedAt: at(0)}
	require.NoError(t, w.b.CreateFeedToken(w.ctx, tok))

	sameID := &identity.FeedToken{ID: tok.ID, Hash: hash("other"), AccountID: acc.ID, CreatedAt: at(0)}
	requireConflict(t, w.b.CreateFeedToken(w.ctx, sameID), "CreateFeedToken with a taken id")
	sameHash := &identity.FeedToken{ID: w.id(), Hash: hash("token"), AccountID: acc.ID, CreatedAt: at(0)}
	requireConflict(t, w.b.CreateFeedToken(w.ctx, sameHash), "CreateFeedToken with a taken hash")
	list, err := w.b.ListFeedTokens(w.ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, list, 1, "refused tokens are not stored")

	_, err = w.b.GetFeedTokenByHash(w.ctx, hash("unknown"))
	requireNotFound(t, err, "GetFeedTokenByHash")
	_, err = w.b.GetFeedTokenByHash(w.ctx, nil)
	requireNotFound(t, err, "GetFeedTokenByHash of no hash")
	requireNotFound(t, w.b.RevokeFeedToken(w.ctx, w.id(), at(0)), "RevokeFeedToken of a missing token")
}

// testIdentityDangling: a profile of a missing account is refused with
// ErrNotFound and stores nothing.
func testIdentityDangling(t *testing.T, w *world) {
	acc := w.account()
	orphan := w.newProfile(w.id())
	requireNotFound(t, w.b.CreateProfile(w.ctx, orphan), "CreateProfile of a missing account")
	_, err := w.b.GetActor(w.ctx, orphan.ID)
	requireNotFound(t, err, "GetActor of the refused profile: nothing half-written")
	_, err = w.b.GetLocalActor(w.ctx, orphan.Username)
	requireNotFound(t, err, "GetLocalActor of the refused profile")
	// Its username is still free.
	again := w.newProfile(acc.ID)
	again.Username = orphan.Username
	require.NoError(t, w.b.CreateProfile(w.ctx, again))
}
