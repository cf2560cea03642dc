package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
)

func eventCases() []testCase {
	return []testCase{
		{"EventRoundTrip", testEventRoundTrip},
		{"UpdateEventEveryField", testUpdateEvent},
		{"EventConflicts", testEventConflicts},
		{"EventNotFound", testEventNotFound},
		{"DeleteEventCascades", testDeleteEvent},
		{"ParticipantRoundTrip", testParticipantRoundTrip},
		{"ParticipantConflictsAndDanglingReferences", testParticipantConflicts},
		{"ParticipantNotFound", testParticipantNotFound},
		{"CountAndListParticipants", testListParticipants},
		{"ParticipantPagination", testParticipantPagination},
		{"CommentRoundTrip", testCommentRoundTrip},
		{"CommentConflictsNotFoundAndDanglingReferences", testCommentErrors},
		{"ListComments", testListComments},
		{"HiddenEventRoundTrip", testHiddenEventRoundTrip},
		{"HideEvent", testHideEvent},
		{"HiddenEventsNotCounted", testHiddenEventsNotCounted},
	}
}

func testEventRoundTrip(t *testing.T, w *world) {
	creator, g, remote := w.profile(), w.group(), w.remoteActor()

	full := w.newFullEvent(creator, g, creator.ID, remote.ID)
	minimal := w.newEvent(creator.ID, at(time.Hour))
	minimal.CreatorID = creator.ID
	zeroLat := w.newEvent(creator.ID, at(2*time.Hour))
	zeroLat.Place = &geo.Place{Name: "Gulf of Guinea", Latitude: ptr(0.0), Longitude: ptr(0.0)}
	equator := w.newEvent(creator.ID, at(2*time.Hour))
	equator.Place = &geo.Place{Name: "Quito", Latitude: ptr(0.0), Longitude: ptr(-78.4678)}
	noCoords := w.newEvent(creator.ID, at(3*time.Hour))
	noCoords.Place = &geo.Place{Name: "Somewhere", Street: "1 Main St", Locality: "Springfield"}
	fromAfar := w.newEvent(remote.ID, at(4*time.Hour))
	fromAfar.Local = false
	fromAfar.APID = "https://remote.example/events/" + fromAfar.ID
	fromAfar.URL = fromAfar.APID
	fromAfar.Status = events.Cancelled
	fromAfar.Visibility = events.Private
	fromAfar.JoinMode = events.JoinRestricted
	fromAfar.CommentModeration = events.CommentsClosed
	fromAfar.Tags = []string{"b", "A", "c"}
	fromAfar.PublishedAt = time.Time{}
	fromAfar.EndsAt, fromAfar.SeriesEndsAt = time.Time{}, time.Time{} // no end given

	// Instants given in another zone come back in UTC.
	zoned := w.newFullEvent(creator, g)
	auckland := time.FixedZone("+13", 13*60*60)
	zoned.BeginsAt, zoned.EndsAt = zoned.BeginsAt.In(auckland), zoned.EndsAt.In(auckland)
	zoned.SeriesEndsAt, zoned.CreatedAt = zoned.SeriesEndsAt.In(auckland), zoned.CreatedAt.In(auckland)
	zoned.ExDates = []time.Time{zoned.ExDates[0].In(auckland)}
	zonedUTC := copyEvent(*zoned)
	zonedUTC.BeginsAt, zonedUTC.EndsAt = zoned.BeginsAt.UTC(), zoned.EndsAt.UTC()
	zonedUTC.SeriesEndsAt, zonedUTC.CreatedAt = zoned.SeriesEndsAt.UTC(), zoned.CreatedAt.UTC()
	zonedUTC.ExDates = []time.Time{zoned.ExDates[0].UTC()}

	for _, tc := range []struct {
		name string
		e    *events.Event
		want *events.Event // nil: e
	}{
		{"full", full, nil}, {"minimal", minimal, nil}, {"place-at-0,0", zeroLat, nil}, {"latitude-0", equator, nil},
		{"place-without-coordinates", noCoords, nil}, {"remote-without-end", fromAfar, nil}, {"zoned-times", zoned, &zonedUTC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = tc.e
			}
			require.NoError(t, w.b.CreateEvent(w.ctx, tc.e))
			got, err := w.b.GetEvent(w.ctx, tc.e.ID)
			require.NoError(t, err)
			requireEvent(t, want, got)
			got, err = w.b.GetEventByAPID(w.ctx, tc.e.APID)
			require.NoError(t, err)
			requireEvent(t, want, got)
			got, err = w.b.LockEvent(w.ctx, tc.e.ID)
			require.NoError(t, err)
			requireEvent(t, want, got)
		})
	}
}

// copyEvent is a deep copy of e.
func copyEvent(e events.Event) events.Event {
	e.Contacts = slices.Clone(e.Contacts)
	e.Tags = slices.Clone(e.Tags)
	e.Links = slices.Clone(e.Links)
	e.ExDates = slices.Clone(e.ExDates)
	if e.Place != nil {
		p := *e.Place
		e.Place = &p
	}
	return e
}

func testUpdateEvent(t *testing.T, w *world) {
	creator, g, remote := w.profile(), w.group(), w.remoteActor()
	other, otherGroup := w.profile(), w.group()

	// Every field changes, from the full event to a different full one
	// and then to the minimal one (booleans false, slices and place gone).
	e := w.event(w.newFullEvent(creator, g, creator.ID, remote.ID))
	up := *e
	up.APID += "/v2"
	up.URL += "/v2"
	up.Local = false
	up.OrganizerID, up.GroupID, up.CreatorID = otherGroup.ID, otherGroup.ID, other.ID
	up.Contacts = []string{remote.ID, other.ID, creator.ID}
	up.Title = "Repair Café (moved)"
	up.Description = "<p>Moved to the library.</p>"
	up.BeginsAt = at(48 * time.Hour)
	up.EndsAt = at(50 * time.Hour)
	up.TimeZone = "Pacific/Auckland"
	up.Status = events.Postponed
	up.Visibility = events.Private
	up.JoinMode = events.JoinInvite
	up.ExternalURL = "https://tickets.example/other"
	up.Capacity = 7
	up.AnonymousParticipation = false
	up.OnlineAddress = "https://meet.example/other"
	up.Place = &geo.Place{
		Name: "Te Papa", Street: "55 Cable St", Locality: "Wellington", Region: "Wellington",
		PostalCode: "6011", Country: "NZ", Latitude: ptr(-41.2905), Longitude: ptr(174.7821),
	}
	up.Category = "MUSIC"
	up.Tags = []string{"new", "Tags"}
	up.Language = "en-NZ"
	up.PictureURL = "https://convene.test/media/other.jpg"
	up.Links = []events.Link{{Kind: events.LinkTicket, Title: "Tickets", URL: "https://tickets.example/x"}}
	up.Draft = false
	up.CommentModeration = events.CommentsClosed
	up.Recurrence = "FREQ=DAILY;UNTIL=20300710T000000Z"
	up.ExDates = []time.Time{at(72 * time.Hour)}
	up.SeriesEndsAt = at(38 * 24 * time.Hour)
	up.Sequence = 4
	up.PublishedAt = at(-time.Minute)
	up.UpdatedAt = at(time.Hour)
	require.NoError(t, w.b.UpdateEvent(w.ctx, &up))
	got, err := w.b.GetEvent(w.ctx, e.ID)
	require.NoError(t, err)
	requireEvent(t, &up, got)
	got, err = w.b.GetEventByAPID(w.ctx, up.APID)
	require.NoError(t, err)
	requireEvent(t, &up, got)
	_, err = w.b.GetEventByAPID(w.ctx, e.APID)
	requireNotFound(t, err, "GetEventByAPID of the old APID")

	bare := w.newEvent(creator.ID, at(5*time.Hour))
	bare.ID, bare.CreatedAt, bare.Local = e.ID, e.CreatedAt, false
	bare.PublishedAt = time.Time{}
	require.NoError(t, w.b.UpdateEvent(w.ctx, bare))
	got, err = w.b.GetEvent(w.ctx, e.ID)
	require.NoError(t, err)
	requireEvent(t, bare, got)
	assert.Nil(t, got.Place, "a removed place is nil")
	assert.Empty(t, got.Tags)
	assert.Empty(t, got.Contacts)
	assert.Empty(t, got.Links)
	assert.Empty(t, got.ExDates)
}

func testEventConflicts(t *testing.T, w *world) {
	p := w.profile()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))

	sameID := w.newEvent(p.ID, at(2*time.Hour))
	sameID.ID = e.ID
	requireConflict(t, w.b.CreateEvent(w.ctx, sameID), "CreateEvent with a taken id")
	sameAPID := w.newEvent(p.ID, at(2*time.Hour))
	sameAPID.APID = e.APID
	requireConflict(t, w.b.CreateEvent(w.ctx, sameAPID), "CreateEvent with a taken APID")
	_, err := w.b.GetEvent(w.ctx, sameAPID.ID)
	requireNotFound(t, err, "GetEvent of the refused event")
	got, err := w.b.GetEvent(w.ctx, e.ID)
	require.NoError(t, err)
	requireEvent(t, e, got)

	other := w.event(w.newEvent(p.ID, at(3*time.Hour)))
	up := *other
	up.APID = e.APID
	up.Title = "Changed"
	requireConflict(t, w.b.UpdateEvent(w.ctx, &up), "UpdateEvent to a taken APID")
	got, err = w.b.GetEvent(w.ctx, other.ID)
	require.NoError(t, err)
	requireEvent(t, other, got)
}

func testEventNotFound(t *testing.T, w *world) {
	p := w.profile()
	w.event(w.newEvent(p.ID, at(time.Hour)))
	missing := w.newEvent(p.ID, at(time.Hour))
	_, err := w.b.GetEvent(w.ctx, missing.ID)
	requireNotFound(t, err, "GetEvent")
	_, err = w.b.GetEventByAPID(w.ctx, missing.APID)
	requireNotFound(t, err, "GetEventByAPID")
	_, err = w.b.LockEvent(w.ctx, missing.ID)
	requireNotFound(t, err, "LockEvent")
	requireNotFound(t, w.b.UpdateEvent(w.ctx, missing), "UpdateEvent")
	requireNotFound(t, w.b.DeleteEvent(w.ctx, missing.ID), "DeleteEvent")
	_, err = w.b.GetEvent(w.ctx, missing.ID)
	requireNotFound(t, err, "UpdateEvent of a missing event creates nothing")
}

func testDeleteEvent(t *testing.T, w *world) {
	p, q := w.profile(), w.remoteActor()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	keep := w.event(w.newEvent(p.ID, at(2*time.Hour)))

	part := w.newParticipant(e.ID, q.ID)
	anon := w.newAnonymous(e.ID)
	kept := w.newParticipant(keep.ID, q.ID)
	for _, x := range []*events.Participant{part, anon, kept} {
		require.NoError(t, w.b.CreateParticipant(w.ctx, x))
	}
	top := w.newComment(e.ID, p.ID, "")
	require.NoError(t, w.b.CreateComment(w.ctx, top))
	reply := w.newComment(e.ID, q.ID, top.ID)
	require.NoError(t, w.b.CreateComment(w.ctx, reply))
	keptComment := w.newComment(keep.ID, q.ID, "")
	require.NoError(t, w.b.CreateComment(w.ctx, keptComment))

	require.NoError(t, w.b.DeleteEvent(w.ctx, e.ID))
	_, err := w.b.GetEvent(w.ctx, e.ID)
	requireNotFound(t, err, "GetEvent after DeleteEvent")
	_, err = w.b.GetEventByAPID(w.ctx, e.APID)
	requireNotFound(t, err, "GetEventByAPID after DeleteEvent")
	for _, x := range []*events.Participant{part, anon} {
		_, err = w.b.GetParticipant(w.ctx, x.ID)
		requireNotFound(t, err, "GetParticipant after DeleteEvent")
	}
	_, err = w.b.GetParticipantByToken(w.ctx, anon.ConfirmTokenHash)
	requireNotFound(t, err, "GetParticipantByToken after DeleteEvent")
	for _, c := range []*events.Comment{top, reply} {
		_, err = w.b.GetComment(w.ctx, c.ID)
		requireNotFound(t, err, "GetComment after DeleteEvent")
	}
	n, err := w.b.CountParticipants(w.ctx, e.ID, nil)
	require.NoError(t, err)
	require.Zero(t, n)
	cs, err := w.b.ListComments(w.ctx, e.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Empty(t, cs)

	ps, err := w.b.ListParticipations(w.ctx, q.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, ps, 1, "the other event's participation stays")
	requireParticipant(t, kept, &ps[0])
	c, err := w.b.GetComment(w.ctx, keptComment.ID)
	require.NoError(t, err)
	require.Equal(t, keptComment, c)
	_, err = w.b.GetActor(w.ctx, q.ID)
	require.NoError(t, err, "participants' actors stay")

	requireNotFound(t, w.b.DeleteEvent(w.ctx, e.ID), "DeleteEvent twice")
}

func testParticipantRoundTrip(t *testing.T, w *world) {
	p, q := w.profile(), w.remoteActor()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))

	member := w.newParticipant(e.ID, q.ID)
	member.APID = "https://remote.example/activities/join-1"
	creator := w.newParticipant(e.ID, p.ID)
	creator.Role, creator.Message, creator.Locale = events.RoleCreator, "", ""
	anon := w.newAnonymous(e.ID)
	for _, x := range []*events.Participant{member, creator, anon} {
		require.NoError(t, w.b.CreateParticipant(w.ctx, x))
		got, err := w.b.GetParticipant(w.ctx, x.ID)
		require.NoError(t, err)
		requireParticipant(t, x, got)
		got, err = w.b.GetParticipantByAPID(w.ctx, x.APID)
		require.NoError(t, err)
		requireParticipant(t, x, got)
	}
	for _, x := range []*events.Participant{member, creator} {
		got, err := w.b.GetParticipantByActor(w.ctx, e.ID, x.ActorID)
		require.NoError(t, err)
		requireParticipant(t, x, got)
	}
	for _, h := range [][]byte{anon.ConfirmTokenHash, anon.CancelTokenHash} {
		got, err := w.b.GetParticipantByToken(w.ctx, h)
		require.NoError(t, err)
		requireParticipant(t, anon, got)
	}

	// Every field but the keys changes.
	up := *anon
	up.APID += "/v2"
	up.Role = events.RoleParticipant
	up.Message = "Confirmed!"
	up.Email = "renamed@example.test"
	up.ConfirmTokenHash = nil
	up.CancelTokenHash = hash("new-cancel")
	up.Locale = "it"
	up.UpdatedAt = at(time.Hour)
	require.NoError(t, w.b.UpdateParticipant(w.ctx, &up))
	got, err := w.b.GetParticipant(w.ctx, anon.ID)
	require.NoError(t, err)
	requireParticipant(t, &up, got)
	got, err = w.b.GetParticipantByToken(w.ctx, hash("new-cancel"))
	require.NoError(t, err)
	require.Equal(t, anon.ID, got.ID)
	_, err = w.b.GetParticipantByToken(w.ctx, anon.ConfirmTokenHash)
	requireNotFound(t, err, "GetParticipantByToken of a cleared token")
	_, err = w.b.GetParticipantByToken(w.ctx, anon.CancelTokenHash)
	requireNotFound(t, err, "GetParticipantByToken of a replaced token")

	up2 := *member
	up2.Role = events.RoleRejected
	up2.Message = ""
	up2.UpdatedAt = at(2 * time.Hour)
	require.NoError(t, w.b.UpdateParticipant(w.ctx, &up2))
	got, err = w.b.GetParticipantByActor(w.ctx, e.ID, q.ID)
	require.NoError(t, err)
	requireParticipant(t, &up2, got)

	require.NoError(t, w.b.DeleteParticipant(w.ctx, member.ID))
	_, err = w.b.GetParticipant(w.ctx, member.ID)
	requireNotFound(t, err, "GetParticipant after DeleteParticipant")
	_, err = w.b.GetParticipantByActor(w.ctx, e.ID, q.ID)
	requireNotFound(t, err, "GetParticipantByActor after DeleteParticipant")
	// The actor may take part again.
	require.NoError(t, w.b.CreateParticipant(w.ctx, w.newParticipant(e.ID, q.ID)))
}

func testParticipantConflicts(t *testing.T, w *world) {
	p, q := w.profile(), w.remoteActor()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	f := w.event(w.newEvent(p.ID, at(2*time.Hour)))
	first := w.newParticipant(e.ID, q.ID)
	require.NoError(t, w.b.CreateParticipant(w.ctx, first))

	again := w.newParticipant(e.ID, q.ID)
	requireConflict(t, w.b.CreateParticipant(w.ctx, again), "CreateParticipant of an actor already taking part")
	sameAPID := w.newParticipant(e.ID, p.ID)
	sameAPID.APID = first.APID
	requireConflict(t, w.b.CreateParticipant(w.ctx, sameAPID), "CreateParticipant with a taken APID")
	sameID := w.newParticipant(e.ID, p.ID)
	sameID.ID = first.ID
	requireConflict(t, w.b.CreateParticipant(w.ctx, sameID), "CreateParticipant with a taken id")
	n, err := w.b.CountParticipants(w.ctx, e.ID, nil)
	require.NoError(t, err)
	require.Equal(t, 1, n, "refused participations are not stored")

	// The same actor in another event, and anonymous people (no actor),
	// do not conflict; nor do rows without an APID.
	require.NoError(t, w.b.CreateParticipant(w.ctx, w.newParticipant(f.ID, q.ID)))
	for range 2 {
		require.NoError(t, w.b.CreateParticipant(w.ctx, w.newAnonymous(e.ID)), "anonymous participants share the empty ActorID")
	}
	for range 2 {
		x := w.newAnonymous(f.ID)
		x.APID = ""
		require.NoError(t, w.b.CreateParticipant(w.ctx, x), "participants without APID")
	}
	n, err = w.b.CountParticipants(w.ctx, e.ID, nil)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	// Empty keys find nothing, though rows with empty keys exist.
	_, err = w.b.GetParticipantByAPID(w.ctx, "")
	requireNotFound(t, err, "GetParticipantByAPID of the empty APID")
	_, err = w.b.GetParticipantByActor(w.ctx, e.ID, "")
	requireNotFound(t, err, "GetParticipantByActor of the empty actor")
	_, err = w.b.GetParticipantByToken(w.ctx, nil)
	requireNotFound(t, err, "GetParticipantByToken of no hash (actors' participations have none)")

	// A participation in a missing event is refused.
	requireNotFound(t, w.b.CreateParticipant(w.ctx, w.newParticipant(w.id(), p.ID)), "CreateParticipant in a missing event")
	ps, err := w.b.ListParticipations(w.ctx, p.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Empty(t, ps, "the refused participation is not stored")
}

func testParticipantNotFound(t *testing.T, w *world) {
	p, q := w.profile(), w.remoteActor()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	x := w.newParticipant(e.ID, p.ID)
	require.NoError(t, w.b.CreateParticipant(w.ctx, x))

	missing := w.newParticipant(e.ID, q.ID)
	_, err := w.b.GetParticipant(w.ctx, missing.ID)
	requireNotFound(t, err, "GetParticipant")
	_, err = w.b.GetParticipantByActor(w.ctx, e.ID, q.ID)
	requireNotFound(t, err, "GetParticipantByActor")
	_, err = w.b.GetParticipantByActor(w.ctx, w.id(), p.ID)
	requireNotFound(t, err, "GetParticipantByActor of a missing event")
	_, err = w.b.GetParticipantByAPID(w.ctx, missing.APID)
	requireNotFound(t, err, "GetParticipantByAPID")
	_, err = w.b.GetParticipantByToken(w.ctx, hash("no-such-token"))
	requireNotFound(t, err, "GetParticipantByToken")
	requireNotFound(t, w.b.UpdateParticipant(w.ctx, missing), "UpdateParticipant")
	requireNotFound(t, w.b.DeleteParticipant(w.ctx, missing.ID), "DeleteParticipant")
	_, err = w.b.GetParticipantByActor(w.ctx, e.ID, q.ID)
	requireNotFound(t, err, "UpdateParticipant of a missing row creates nothing")
	require.NoError(t, w.b.DeleteParticipant(w.ctx, x.ID))
	requireNotFound(t, w.b.DeleteParticipant(w.ctx, x.ID), "DeleteParticipant twice")
}

func testListParticipants(t *testing.T, w *world) {
	org := w.profile()
	e := w.event(w.newEvent(org.ID, at(time.Hour)))
	f := w.event(w.newEvent(org.ID, at(2*time.Hour)))
	roles := []events.ParticipantRole{
		events.RoleCreator, events.RoleModerator, events.RoleParticipant, events.RoleParticipant,
		events.RoleNotApproved, events.RoleNotConfirmed, events.RoleRejected, events.RoleWaitlisted, events.RoleWaitlisted,
	}
	byRole := map[events.ParticipantRole][]keyed{}
	var all []keyed
	var last string
	for i, role := range roles {
		var x *events.Participant
		if role == events.RoleNotConfirmed {
			x = w.newAnonymous(e.ID)
		} else {
			last = w.remoteActor().ID
			x = w.newParticipant(e.ID, last)
		}
		x.Role = role
		x.CreatedAt = at(time.Duration(len(roles)-i) * time.Minute)
		require.NoError(t, w.b.CreateParticipant(w.ctx, x))
		byRole[role] = append(byRole[role], keyed{x.CreatedAt, x.ID})
		all = append(all, keyed{x.CreatedAt, x.ID})
	}
	// The last actor also takes part in f.
	other := w.newParticipant(f.ID, last)
	other.CreatedAt = at(-time.Hour)
	require.NoError(t, w.b.CreateParticipant(w.ctx, other))

	pid := func(p events.Participant) string { return p.ID }
	for _, tc := range []struct {
		name  string
		roles []events.ParticipantRole
	}{
		{"all", nil},
		{"seats", []events.ParticipantRole{events.RoleParticipant}},
		{"waitlist", []events.ParticipantRole{events.RoleWaitlisted}},
		{"organizers", []events.ParticipantRole{events.RoleCreator, events.RoleModerator}},
		{"pending", []events.ParticipantRole{events.RoleNotApproved, events.RoleNotConfirmed}},
		{"no-such-role", []events.ParticipantRole{"no_such_role"}},
	} {
		var want []keyed
		if tc.roles == nil {
			want = append(want, all...)
		}
		for _, r := range tc.roles {
			want = append(want, byRole[r]...)
		}
		list, err := w.b.ListParticipants(w.ctx, e.ID, tc.roles, storage.Cursor{}, 50)
		require.NoError(t, err, tc.name)
		assert.Equal(t, nilIfEmpty(sortKeyed(want)), nilIfEmpty(ids(list, pid)), "ListParticipants %s", tc.name)
		n, err := w.b.CountParticipants(w.ctx, e.ID, tc.roles)
		require.NoError(t, err, tc.name)
		assert.Equal(t, len(want), n, "CountParticipants %s", tc.name)
	}
	n, err := w.b.CountParticipants(w.ctx, w.id(), nil)
	require.NoError(t, err)
	require.Zero(t, n, "CountParticipants of a missing event")

	ps, err := w.b.ListParticipations(w.ctx, last, nil, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Equal(t, []string{other.ID, byRole[events.RoleWaitlisted][1].ID}, ids(ps, pid), "ListParticipations by (CreatedAt, ID)")
	ps, err = w.b.ListParticipations(w.ctx, last, []events.ParticipantRole{events.RoleParticipant}, storage.Cursor{}, 50)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	requireParticipant(t, other, &ps[0])
}

func testParticipantPagination(t *testing.T, w *world) {
	org, fan := w.profile(), w.profile()
	e := w.event(w.newEvent(org.ID, at(time.Hour)))
	const n, limit = 25, 10
	pids := w.descendingIDs(n)
	times := tiedTimes(n, at(0))
	var waitlist, participations []keyed
	for i := range n {
		var x *events.Participant
		if i%5 == 0 {
			x = w.newAnonymous(e.ID) // anonymous people wait in line too
		} else {
			x = w.newParticipant(e.ID, w.remoteActor().ID)
		}
		x.ID, x.CreatedAt, x.Role = pids[i], times[i], events.RoleWaitlisted
		require.NoError(t, w.b.CreateParticipant(w.ctx, x))
		waitlist = append(waitlist, keyed{x.CreatedAt, x.ID})
		// A seated participant between them, not on the waitlist.
		seated := w.newParticipant(e.ID, w.remoteActor().ID)
		seated.CreatedAt = times[i]
		require.NoError(t, w.b.CreateParticipant(w.ctx, seated))

		other := w.event(w.newEvent(org.ID, at(time.Duration(i)*time.Hour)))
		y := w.newParticipant(other.ID, fan.ID)
		y.CreatedAt = times[n-1-i]
		require.NoError(t, w.b.CreateParticipant(w.ctx, y))
		participations = append(participations, keyed{y.CreatedAt, y.ID})
	}
	pos := func(p events.Participant) storage.Cursor { return storage.Cursor{At: p.CreatedAt, ID: p.ID} }
	pid := func(p events.Participant) string { return p.ID }

	got, sizes := walk(t, limit, func(after storage.Cursor, limit int) ([]events.Participant, error) {
		return w.b.ListParticipants(w.ctx, e.ID, []events.ParticipantRole{events.RoleWaitlisted}, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(waitlist), ids(got, pid), "the waitlist, page by page")
	require.Equal(t, pageSizes(n, limit), sizes)

	got, sizes = walk(t, limit, func(after storage.Cursor, limit int) ([]events.Participant, error) {
		return w.b.ListParticipations(w.ctx, fan.ID, nil, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(participations), ids(got, pid), "ListParticipations pages")
	require.Equal(t, pageSizes(n, limit), sizes)
}

func testCommentRoundTrip(t *testing.T, w *world) {
	p, q := w.profile(), w.remoteActor()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	top := w.newComment(e.ID, p.ID, "")
	reply := w.newComment(e.ID, q.ID, top.ID)
	reply.State = events.CommentPending
	reply.APID = "https://remote.example/notes/1"
	reply.URL = "https://remote.example/@someone/1"
	for _, c := range []*events.Comment{top, reply} {
		require.NoError(t, w.b.CreateComment(w.ctx, c))
		got, err := w.b.GetComment(w.ctx, c.ID)
		require.NoError(t, err)
		require.Equal(t, c, got)
		got, err = w.b.GetCommentByAPID(w.ctx, c.APID)
		require.NoError(t, err)
		require.Equal(t, c, got)
	}

	up := *top
	up.APID += "/v2"
	up.URL += "-v2"
	up.Text = ""
	up.State = events.CommentDeleted
	up.UpdatedAt = at(time.Hour)
	require.NoError(t, w.b.UpdateComment(w.ctx, &up))
	got, err := w.b.GetComment(w.ctx, top.ID)
	require.NoError(t, err)
	require.Equal(t, &up, got)
	got, err = w.b.GetComment(w.ctx, reply.ID)
	require.NoError(t, err)
	require.Equal(t, reply, got, "a tombstoned parent keeps its replies")
}

func testCommentErrors(t *testing.T, w *world) {
	p := w.profile()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	c := w.newComment(e.ID, p.ID, "")
	require.NoError(t, w.b.CreateComment(w.ctx, c))

	sameID := w.newComment(e.ID, p.ID, "")
	sameID.ID = c.ID
	requireConflict(t, w.b.CreateComment(w.ctx, sameID), "CreateComment with a taken id")
	sameAPID := w.newComment(e.ID, p.ID, "")
	sameAPID.APID = c.APID
	requireConflict(t, w.b.CreateComment(w.ctx, sameAPID), "CreateComment with a taken APID")

	requireNotFound(t, w.b.CreateComment(w.ctx, w.newComment(w.id(), p.ID, "")), "CreateComment on a missing event")

	missing := w.newComment(e.ID, p.ID, "")
	_, err := w.b.GetComment(w.ctx, missing.ID)
	requireNotFound(t, err, "GetComment")
	_, err = w.b.GetCommentByAPID(w.ctx, missing.APID)
	requireNotFound(t, err, "GetCommentByAPID")
	requireNotFound(t, w.b.UpdateComment(w.ctx, missing), "UpdateComment")
	_, err = w.b.GetCommentByAPID(w.ctx, "")
	requireNotFound(t, err, "GetCommentByAPID of the empty APID")
	cs, err := w.b.ListComments(w.ctx, e.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Equal(t, []events.Comment{*c}, cs, "refused comments are not stored")
}

func testListComments(t *testing.T, w *world) {
	p := w.profile()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	f := w.event(w.newEvent(p.ID, at(2*time.Hour)))
	const n, limit = 25, 10
	cids := w.descendingIDs(n)
	times := tiedTimes(n, at(0))
	states := []events.CommentState{events.CommentPublished, events.CommentPending, events.CommentRejected, events.CommentDeleted}
	byState := map[events.CommentState][]keyed{}
	var all []keyed
	var parent string
	for i := range n {
		c := w.newComment(e.ID, p.ID, parent)
		c.ID, c.CreatedAt, c.State = cids[i], times[i], states[i%len(states)]
		require.NoError(t, w.b.CreateComment(w.ctx, c))
		byState[c.State] = append(byState[c.State], keyed{c.CreatedAt, c.ID})
		all = append(all, keyed{c.CreatedAt, c.ID})
		if i%3 == 0 {
			parent = c.ID
		}
		require.NoError(t, w.b.CreateComment(w.ctx, w.newComment(f.ID, p.ID, "")))
	}
	pos := func(c events.Comment) storage.Cursor { return storage.Cursor{At: c.CreatedAt, ID: c.ID} }
	cid := func(c events.Comment) string { return c.ID }

	got, sizes := walk(t, limit, func(after storage.Cursor, limit int) ([]events.Comment, error) {
		return w.b.ListComments(w.ctx, e.ID, nil, after, limit)
	}, pos)
	require.Equal(t, sortKeyed(all), ids(got, cid), "ListComments pages")
	require.Equal(t, pageSizes(n, limit), sizes)
	for _, c := range got {
		require.Equal(t, e.ID, c.EventID)
	}

	for _, tc := range []struct {
		name   string
		states []events.CommentState
	}{
		{"published", []events.CommentState{events.CommentPublished}},
		{"visible", []events.CommentState{events.CommentPublished, events.CommentDeleted}},
		{"no-such-state", []events.CommentState{"no_such_state"}},
	} {
		var want []keyed
		for _, s := range tc.states {
			want = append(want, byState[s]...)
		}
		got, _ := walk(t, 4, func(after storage.Cursor, limit int) ([]events.Comment, error) {
			return w.b.ListComments(w.ctx, e.ID, tc.states, after, limit)
		}, pos)
		require.Equal(t, nilIfEmpty(sortKeyed(want)), nilIfEmpty(ids(got, cid)), "ListComments %s", tc.name)
	}
}
