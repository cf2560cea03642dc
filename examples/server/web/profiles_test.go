package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

func TestProfileSwitcher(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	second, err := w.inst.Identity.CreateProfile(w.ctx, alice.account.ID, identity.ProfileInput{Username: "alice_band", DisplayName: "The Band"})
	require.NoError(t, err)
	ab := w.login(alice)
	ab.get("/").contains(`<label for="profile-switch">`, "The Band (@alice_band@events.example)")

	// Another account's profile can never be chosen…
	ab.post("/profile", url.Values{"profile": {bob.profile.ID}}).status(http.StatusForbidden)
	ab.post("/profile", url.Values{"profile": {"no-such-profile"}}).status(http.StatusForbidden)
	// …nor slipped in through the cookie: the default profile acts.
	ab.cookies[web.ProfileCookie] = bob.profile.ID
	res := ab.post("/events/new", eventForm()).status(http.StatusSeeOther)
	e := createdEvent(t, w, alice.profile.ID, res.location())
	assert.Equal(t, alice.profile.ID, e.OrganizerID)

	res = ab.post("/profile", url.Values{"profile": {second.ID}, "next": {"/me/events"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/me/events?msg=profile_switched", res.location())
	ab.get("/me/events").contains("My events as @alice_band@events.example")
	res = ab.post("/events/new", eventForm()).status(http.StatusSeeOther)
	e = createdEvent(t, w, second.ID, res.location())
	assert.Equal(t, second.ID, e.OrganizerID, "every action uses the current profile")

	// Joining as the second profile leaves the first one out of it.
	other := w.event(bob.profile, nil)
	ab.post("/events/"+other.ID+"/join", nil).status(http.StatusSeeOther)
	_, err = w.inst.Events.Participation(w.ctx, other.ID, second.ID)
	require.NoError(t, err)
	_, err = w.inst.Events.Participation(w.ctx, other.ID, alice.profile.ID)
	require.ErrorIs(t, err, events.ErrNotFound)

	// A new login starts with the default profile again.
	w.login(alice).get("/me/events").contains("My events as @alice@events.example")
}

// createdEvent reads the event a create redirected to.
func createdEvent(t *testing.T, w *world, viewer, location string) *events.Event {
	t.Helper()
	m := eventPath.FindStringSubmatch(location)
	require.NotNil(t, m, location)
	e, err := w.inst.Events.Get(w.ctx, viewer, m[1])
	require.NoError(t, err)
	return e
}

func TestProfilePage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	_, err := w.inst.Identity.CreateProfile(w.ctx, alice.account.ID, identity.ProfileInput{Username: "alice_secret"})
	require.NoError(t, err)
	summary := "<p>I organize <em>picnics</em></p>"
	_, err = w.inst.Identity.UpdateProfile(w.ctx, alice.account.ID, alice.profile.ID, identity.ProfileUpdate{Summary: &summary})
	require.NoError(t, err)
	w.event(alice.profile, func(in *events.Input) { in.Title = "Public picnic" })
	w.event(alice.profile, func(in *events.Input) { in.Title, in.Visibility = "Private picnic", events.Private })

	res := w.browser().get("/@alice").status(http.StatusOK)
	res.contains("<title>Alice · Test events</title>", "@alice@events.example", "<em>picnics</em>", "Public picnic", "/@alice/feed.ics")
	res.lacks("Private picnic", alice.email, "alice_secret", "one of your profiles")
	w.login(alice).get("/@alice").contains("one of your profiles").lacks("alice_secret</h1>")

	w.browser().get("/@nobody").status(http.StatusNotFound)
	w.browser().get("/@alice@elsewhere.example").status(http.StatusNotFound)
	_, err = w.inst.Identity.Suspend(w.ctx, alice.account.ID, true)
	require.NoError(t, err)
	w.browser().get("/@alice").status(http.StatusNotFound)
}

func TestMyEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	w.event(alice.profile, func(in *events.Input) { in.Title = "Alice organizes" })
	going := w.event(bob.profile, func(in *events.Input) { in.Title = "Bob's party" })
	pending := w.event(bob.profile, func(in *events.Input) { in.Title, in.JoinMode = "Bob's dinner", events.JoinRestricted })
	past := w.event(bob.profile, func(in *events.Input) { in.Title, in.BeginsAt, in.EndsAt = "Old times", t0.Add(time.Hour), time.Time{} })
	for _, e := range []*events.Event{going, pending, past} {
		_, err := w.inst.Events.Join(w.ctx, e.ID, alice.profile.ID, events.JoinInput{})
		require.NoError(t, err)
	}
	w.clock.Advance(2 * time.Hour)
	w.browser().get("/me/events").status(http.StatusSeeOther)
	res := w.login(alice).get("/me/events").status(http.StatusOK)
	res.contains("Alice organizes", "Bob&#39;s party", "Bob&#39;s dinner").lacks("Old times")
	body := res.body
	assert.Less(t, indexOf(body, "Organizing"), indexOf(body, "Alice organizes"))
	assert.Less(t, indexOf(body, "Going"), indexOf(body, "Bob&#39;s party"))
	assert.Less(t, indexOf(body, "Bob&#39;s party"), indexOf(body, "Pending"))
	assert.Less(t, indexOf(body, "Pending"), indexOf(body, "Bob&#39;s dinner"))
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestGroups(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	ab := w.login(alice)
	ab.get("/groups/new").status(http.StatusOK)
	ab.post("/groups/new", url.Values{"username": {"Bad Name"}}).status(http.StatusBadRequest).contains(`role="alert"`)
	res := ab.post("/groups/new", url.Values{"username": {"gardeners"}, "display_name": {"Gardeners"},
		"summary": {"We grow things."}, "openness": {"moderated"}, "visibility": {"public"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/@gardeners?msg=group_created", res.location())
	a, err := w.inst.Identity.GetLocalActor(w.ctx, "gardeners")
	require.NoError(t, err)
	g, err := w.inst.Groups.Get(w.ctx, a.ID)
	require.NoError(t, err)

	ab.get("/@gardeners").status(http.StatusOK).contains("Gardeners", "We grow things.", "Members", "Creator",
		"/events/new?group="+g.ID)
	// Group events: created for the group from the form.
	f := eventForm()
	f.Set("group", g.ID)
	f.Set("title", "Seed swap")
	ab.post("/events/new", f).status(http.StatusSeeOther)
	anon := w.browser()
	anon.get("/@gardeners").status(http.StatusOK).contains("Seed swap", "Log in to join").lacks("Members<")

	bb := w.login(bob)
	bb.get("/@gardeners").contains("Ask to join").lacks("Members<")
	res = bb.post("/groups/"+g.ID+"/join", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/@gardeners?msg=group_requested", res.location())
	bb.get("/@gardeners").contains("Request pending").lacks("Members<")
	// Bob cannot post events for the group.
	f.Set("title", "Bob's event")
	bb.post("/events/new", f).status(http.StatusForbidden)

	_, err = w.inst.Groups.Approve(w.ctx, alice.profile.ID, g.ID, bob.profile.ID)
	require.NoError(t, err)
	bb.get("/@gardeners").contains("Members", "@alice@events.example", "Leave the group")
	res = bb.post("/groups/"+g.ID+"/leave", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/@gardeners?msg=group_left", res.location())
	res = ab.post("/groups/"+g.ID+"/leave", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/@gardeners?msg=group_last_admin", res.location())

	// A private group is a 404 to non-members.
	secret, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "cabal", Visibility: groups.Private})
	require.NoError(t, err)
	anon.get("/@cabal").status(http.StatusNotFound)
	cb := w.login(carol)
	cb.get("/@cabal").status(http.StatusNotFound)
	cb.post("/groups/"+secret.ID+"/join", nil).status(http.StatusNotFound)
	ab.get("/@cabal").status(http.StatusOK)
}

func TestFollow(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	ab := w.login(alice)
	ab.get("/follow").status(http.StatusOK).contains(`for="f-handle"`)
	ab.post("/follow", url.Values{"handle": {""}}).status(http.StatusBadRequest)
	res := ab.post("/follow", url.Values{"handle": {"@group@mobilizon.example"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/follow?msg=follow_sent", res.location())
	assert.Equal(t, []string{alice.profile.ID + " @group@mobilizon.example"}, w.follows.calls)

	noFed := newWorld(t, func(c *web.Config) { c.Follows = nil })
	u := noFed.user("bob")
	noFed.login(u).get("/follow").status(http.StatusNotFound)
	noFed.login(u).get("/").lacks(`href="/follow"`)
}

func TestPagesHandler(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	e := w.event(alice.profile, nil)
	pages := w.web.Pages()
	for path, want := range map[string]int{
		"/@alice":                http.StatusOK,
		"/events/" + e.ID:        http.StatusOK,
		"/events/nope":           http.StatusNotFound,
		"/@alice/outbox":         http.StatusNotFound,
		"/somewhere/else":        http.StatusNotFound,
		"/events/" + e.ID + "/x": http.StatusNotFound,
	} {
		rec := httptest.NewRecorder()
		pages.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		assert.Equal(t, want, rec.Code, path)
	}
	rec := httptest.NewRecorder()
	pages.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/@alice", nil))
	assert.Equal(t, http.StatusMethodNotAllowed, rec.Code)

	// Routes are ServeMux patterns a server can mount one by one.
	mux := http.NewServeMux()
	for _, p := range w.web.Routes() {
		mux.Handle(p, w.web)
	}
	mux.Handle("/", http.NotFoundHandler())
	rec = httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
}
