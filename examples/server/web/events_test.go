package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
)

func ptr[T any](v T) *T { return &v }

func TestExplore(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	w.event(alice.profile, func(in *events.Input) {
		in.Title, in.Tags, in.Category = "Picnic in the park", []string{"outdoor"}, "OUTDOORS_ADVENTURE"
		in.Place = &geo.Place{Name: "Parc", Locality: "Paris", Latitude: ptr(48.8566), Longitude: ptr(2.3522)}
	})
	w.event(alice.profile, func(in *events.Input) {
		in.Title, in.OnlineAddress = "Online talk", "https://visio.example/room"
		in.BeginsAt, in.EndsAt = t0.Add(72*time.Hour), t0.Add(73*time.Hour)
	})
	w.event(alice.profile, func(in *events.Input) { in.Title, in.Visibility = "Secret dinner", events.Private })
	w.event(alice.profile, func(in *events.Input) { in.Title, in.Visibility = "Unlisted thing", events.Unlisted })
	w.event(alice.profile, func(in *events.Input) { in.Title, in.Draft = "Draft idea", true })
	remote := &events.Event{ID: "remote-1", APID: "https://mobilizon.example/events/abc", URL: "https://mobilizon.example/events/abc",
		Title: "Remote concert", BeginsAt: t0.Add(96 * time.Hour), EndsAt: t0.Add(98 * time.Hour), TimeZone: "Europe/Paris",
		Status: events.Confirmed, Visibility: events.Public, JoinMode: events.JoinFree, PublishedAt: t0, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, w.db.CreateEvent(w.ctx, remote))

	b := w.browser()
	res := b.get("/").status(http.StatusOK)
	res.contains("Picnic in the park", "Online talk", "Remote concert", "from mobilizon.example",
		"Tuesday 3 March 2026", "Wednesday 4 March 2026", `role="search"`, `<label for="f-text">`)
	res.lacks("Secret dinner", "Unlisted thing", "Draft idea")
	assert.Less(t, strings.Index(res.body, "Picnic in the park"), strings.Index(res.body, "Online talk"))

	for _, tc := range []struct {
		query      string
		want, lack []string
	}{
		{"text=picnic", []string{"Picnic in the park"}, []string{"Online talk"}},
		{"tags=%23outdoor", []string{"Picnic in the park"}, []string{"Online talk"}},
		{"category=OUTDOORS_ADVENTURE", []string{"Picnic in the park"}, []string{"Online talk"}},
		{"online=1", []string{"Online talk"}, []string{"Picnic in the park"}},
		{"near=48.85,2.35&radius=10", []string{"Picnic in the park"}, []string{"Online talk", "Remote concert"}},
		{"from=2026-03-04&to=2026-03-04", []string{"Online talk"}, []string{"Picnic in the park", "Remote concert"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			b.get("/?" + tc.query).status(http.StatusOK).contains(tc.want...).lacks(tc.lack...)
		})
	}
	b.get("/?near=north").status(http.StatusBadRequest).contains("latitude,longitude")
	b.get("/?near=48,2&radius=-1").status(http.StatusBadRequest)
	b.get("/?from=yesterday").status(http.StatusBadRequest)

	// Remote events link to their page here, which links to their origin.
	b.get("/events/remote-1").status(http.StatusOK).contains("from mobilizon.example", `href="https://mobilizon.example/events/abc"`)
}

var nextLink = regexp.MustCompile(`rel="next" href="([^"]+)"`)

func TestExplorePages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	for i := range web.PageSize + 3 {
		w.event(alice.profile, func(in *events.Input) {
			in.Title = fmt.Sprintf("Event number %02d", i)
			in.BeginsAt, in.EndsAt = t0.Add(time.Duration(24+i)*time.Hour), time.Time{}
		})
	}
	b := w.browser()
	first := b.get("/").status(http.StatusOK).contains("Event number 00", "Event number 19").lacks("Event number 20")
	m := nextLink.FindStringSubmatch(first.body)
	require.NotNil(t, m)
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	b.get(next).status(http.StatusOK).contains("Event number 20", "Event number 22").lacks("Event number 19", `rel="next"`)
}

func TestEventPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	e := w.event(alice.profile, func(in *events.Input) {
		in.Description = "<p>Bring <strong>food</strong></p><script>alert(1)</script>"
		in.Place = &geo.Place{Name: "Parc", Street: "1 rue X", Locality: "Paris", Latitude: ptr(48.8566), Longitude: ptr(2.3522)}
		in.Links = []events.Link{{Kind: events.LinkPad, URL: "https://pad.example/p", Title: "Our pad"}}
		in.Capacity = 10
	})
	res := w.browser().get("/events/" + e.ID).status(http.StatusOK)
	res.contains("<title>Picnic · Test events</title>", "<strong>food</strong>",
		"Tuesday 3 March 2026 at 11:00 – 13:00 (Europe/Paris)",
		"https://www.openstreetmap.org/?mlat=48.856600&amp;mlon=2.352200", "/events/"+e.ID+".ics",
		"https://calendar.google.com/calendar/render?", "https://outlook.live.com/", "Our pad", "10 left of 10",
		"Log in to join", `href="/@alice">Alice</a>`)
	res.lacks("<script>alert(1)", "Edit the event")
	w.browser().get("/events/no-such-event").status(http.StatusNotFound).contains("Page not found")
}

func TestPrivateEventIsNotFoundToOutsiders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, func(in *events.Input) { in.Title, in.Visibility = "Secret dinner", events.Private })
	p := "/events/" + e.ID

	anon := w.browser()
	anon.get(p).status(http.StatusNotFound).lacks("Secret dinner")
	bb := w.login(bob)
	bb.get(p).status(http.StatusNotFound).lacks("Secret dinner")
	for _, action := range []string{"/join", "/leave", "/comments", "/cancel", "/delete", "/edit"} {
		bb.post(p+action, url.Values{"text": {"hi"}, "title": {"x"}, "confirm": {"1"}}).status(http.StatusNotFound)
	}
	bb.get(p + "/edit").status(http.StatusNotFound)
	bb.get(p + "/duplicate").status(http.StatusNotFound)
	w.login(alice).get(p).status(http.StatusOK).contains("Secret dinner", "Edit the event")
	got, err := w.inst.Events.Get(w.ctx, alice.profile.ID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, events.Confirmed, got.Status)
}

func TestJoinLeaveAndWaitlist(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	e := w.event(alice.profile, func(in *events.Input) { in.Capacity = 1 })
	p := "/events/" + e.ID

	bb, cb := w.login(bob), w.login(carol)
	res := bb.post(p+"/join", url.Values{"message": {"hello"}}).status(http.StatusSeeOther)
	assert.Equal(t, p+"?msg=joined", res.location())
	bb.get(p+"?msg=joined").contains("You are going.", `role="status"`, "0 left of 1").lacks(">Join<")
	bb.post(p+"/join", nil).status(http.StatusSeeOther)

	res = cb.post(p+"/join", nil).status(http.StatusSeeOther)
	assert.Equal(t, p+"?msg=waitlisted", res.location())
	cb.get(p).contains("You are on the waiting list", "number 1 on the waiting list")

	bb.post(p+"/leave", nil).status(http.StatusSeeOther)
	cb.get(p).contains("You are going.")
	part, err := w.inst.Events.Participation(w.ctx, e.ID, carol.profile.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, part.Role)

	// The organizer cannot leave; anonymous visitors are sent to log in.
	res = w.login(alice).post(p+"/leave", nil).status(http.StatusSeeOther)
	assert.Equal(t, p+"?msg=only_organizer", res.location())
	res = w.browser().post(p+"/join", nil).status(http.StatusSeeOther)
	assert.True(t, strings.HasPrefix(res.location(), "/login?next="), res.location())
}

func TestParticipantsForOrganizersOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	e := w.event(alice.profile, func(in *events.Input) {
		in.JoinMode, in.AnonymousParticipation = events.JoinRestricted, true
	})
	p := "/events/" + e.ID
	anonPart, tokens, err := w.inst.Events.JoinAnonymously(w.ctx, e.ID, events.AnonymousJoin{Email: "secret.person@mail.example", Message: "anon says hi"})
	require.NoError(t, err)
	_, err = w.inst.Events.ConfirmAnonymous(w.ctx, tokens.Confirm)
	require.NoError(t, err)

	bb := w.login(bob)
	bb.post(p+"/join", url.Values{"message": {"let me in"}}).status(http.StatusSeeOther)
	bb.get(p).contains("Your participation awaits approval.").lacks("secret.person", "Participants<", "anon says hi")
	w.browser().get(p).lacks("secret.person", "anon says hi")

	ab := w.login(alice)
	res := ab.get(p).status(http.StatusOK)
	res.contains("Participants", "Participant without an account", "let me in", "@bob@events.example", "Approve")
	res.lacks("secret.person@mail.example")

	bobPart, err := w.inst.Events.Participation(w.ctx, e.ID, bob.profile.ID)
	require.NoError(t, err)
	// Someone else cannot approve.
	w.login(carol).post(p+"/participants/"+bobPart.ID+"/approve", nil).status(http.StatusForbidden)
	// A participation of another event is not found through this one.
	other := w.event(alice.profile, nil)
	ab.post("/events/"+other.ID+"/participants/"+bobPart.ID+"/approve", nil).status(http.StatusNotFound)

	res = ab.post(p+"/participants/"+bobPart.ID+"/approve", nil).status(http.StatusSeeOther)
	assert.Equal(t, p+"?msg=approved", res.location())
	bb.get(p).contains("You are going.")
	ab.post(p+"/participants/"+anonPart.ID+"/reject", nil).status(http.StatusSeeOther)
	got, err := w.db.GetParticipant(w.ctx, anonPart.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleRejected, got.Role)
}

func TestComments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	p := "/events/" + e.ID
	bb := w.login(bob)
	res := bb.post(p+"/comments", url.Values{"text": {"See you there!\n<b>bold</b> & <script>x</script>"}}).status(http.StatusSeeOther)
	assert.Equal(t, p+"?msg=commented", res.location())
	w.browser().get(p).contains("See you there!", "Bob", "@bob@events.example").lacks("<script>x")
	w.browser().get(p).lacks(`action="` + p + `/comments"`)

	closed := w.event(alice.profile, func(in *events.Input) { in.CommentModeration = events.CommentsClosed })
	res = bb.post("/events/"+closed.ID+"/comments", url.Values{"text": {"hi"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+closed.ID+"?msg=comments_closed", res.location())
}

// eventForm is a complete event form.
func eventForm() url.Values {
	return url.Values{
		"title": {"Repair café"}, "description": {"Bring broken things.\n\nWe fix them."},
		"start_date": {"2026-03-10"}, "start_time": {"18:30"}, "duration": {"90"}, "time_zone": {"Europe/Paris"},
		"status": {"confirmed"}, "visibility": {"public"}, "join_mode": {"free"}, "capacity": {"12"},
		"place_name": {"Hall"}, "street": {"2 rue Y"}, "locality": {"Lyon"}, "country": {"France"},
		"latitude": {"45,764"}, "longitude": {"4.8357"}, "category": {"WORKSHOPS_SKILL_SHARING"},
		"tags": {"repair, #diy"}, "repeat": {"MONTHLY"}, "repeat_count": {"3"},
		"link_kind_0": {"pad"}, "link_url_0": {"https://pad.example/repair"}, "link_title_0": {"Notes"},
		"comment_moderation": {"allow_all"},
	}
}

var eventPath = regexp.MustCompile(`^/events/([0-9a-f-]{36})\?msg=created$`)

func TestCreateEditDuplicateCancelDelete(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	ab := w.login(alice)
	ab.get("/events/new").status(http.StatusOK).contains(`value="Europe/Paris"`, `value="2026-03-02"`, `<legend>`)
	w.browser().get("/events/new").status(http.StatusSeeOther)

	res := ab.post("/events/new", eventForm()).status(http.StatusSeeOther)
	m := eventPath.FindStringSubmatch(res.location())
	require.NotNil(t, m, res.location())
	id := m[1]
	e, err := w.inst.Events.Get(w.ctx, alice.profile.ID, id)
	require.NoError(t, err)
	paris, _ := time.LoadLocation("Europe/Paris")
	assert.Equal(t, time.Date(2026, 3, 10, 18, 30, 0, 0, paris).UTC(), e.BeginsAt.UTC())
	assert.Equal(t, 90*time.Minute, e.EndsAt.Sub(e.BeginsAt))
	assert.Equal(t, "FREQ=MONTHLY;COUNT=3", e.Recurrence)
	assert.Equal(t, []string{"repair", "diy"}, e.Tags)
	assert.Equal(t, 12, e.Capacity)
	require.NotNil(t, e.Place)
	assert.InDelta(t, 45.764, *e.Place.Latitude, 1e-9)
	assert.Equal(t, []events.Link{{Kind: events.LinkPad, URL: "https://pad.example/repair", Title: "Notes"}}, e.Links)
	assert.Equal(t, "<p>Bring broken things.</p><p>We fix them.</p>", e.Description)
	assert.Equal(t, alice.profile.ID, e.OrganizerID)

	// Bad input shows the form again, the field marked, nothing saved.
	for field, value := range map[string]string{"start_date": "10/03/2026", "time_zone": "Mars/Base",
		"title": "", "duration": "-5", "capacity": "many", "rrule": "FREQ=SOMETIMES"} {
		f := eventForm()
		f.Set(field, value)
		res := ab.post("/events/new", f).status(http.StatusBadRequest).contains(`role="alert"`, `href="#f-`+field+`"`)
		assert.Regexp(t, `id="f-`+field+`"[^>]*aria-invalid="true"`, res.body, field)
	}
	mine, err := w.db.ListParticipations(w.ctx, alice.profile.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Len(t, mine, 1, "refused forms saved nothing")

	p := "/events/" + id
	ab.get(p+"/edit").status(http.StatusOK).contains(`value="Repair café"`, `value="18:30"`, `value="2026-03-10"`,
		`value="MONTHLY" selected`, `value="https://pad.example/repair"`, "Delete the event")
	w.login(bob).get(p + "/edit").status(http.StatusForbidden)
	f := eventForm()
	f.Set("title", "Repair café, again")
	w.login(bob).post(p+"/edit", f).status(http.StatusForbidden)
	res = ab.post(p+"/edit", f).status(http.StatusSeeOther)
	assert.Equal(t, p+"?msg=updated", res.location())
	ab.get(res.location()).contains("Repair café, again", "Event saved.")

	ab.get(p+"/duplicate").status(http.StatusOK).contains(`action="/events/new"`, `value="Repair café, again"`)

	ab.post(p+"/cancel", nil).status(http.StatusSeeOther)
	e, err = w.inst.Events.Get(w.ctx, alice.profile.ID, id)
	require.NoError(t, err)
	assert.Equal(t, events.Cancelled, e.Status)
	ab.get(p).contains("Cancelled")

	res = ab.post(p+"/delete", nil).status(http.StatusSeeOther)
	assert.Equal(t, p+"/edit?msg=confirm_delete", res.location())
	w.login(bob).post(p+"/delete", url.Values{"confirm": {"1"}}).status(http.StatusForbidden)
	ab.post(p+"/delete", url.Values{"confirm": {"1"}}).status(http.StatusSeeOther)
	ab.get(p).status(http.StatusNotFound)
}

func TestFrenchEventPage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	e := w.event(alice.profile, func(in *events.Input) { in.Category = "MUSIC" })
	b := w.browser()
	b.lang = "fr"
	b.get("/events/"+e.ID).contains("mardi 3 mars 2026 à 11:00", "Musique", "Ajouter à mon agenda")
}
