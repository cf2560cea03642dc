package ical_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
)

func identityProfile(name string) identity.ProfileInput {
	return identity.ProfileInput{Username: name, DisplayName: name}
}

// privacyWorld is alice's and bob's instance with events of every
// visibility. Titles of what must stay hidden contain "HIDDEN".
type privacyWorld struct {
	*world
	aliceAccount, alice, alice2, bob string
	public, unlisted, private, draft string
	past, group, groupPrivate        string
	secretGroupEvent                 string
}

func newPrivacyWorld(t *testing.T) *privacyWorld {
	w := &privacyWorld{world: newWorld(t)}
	w.aliceAccount, w.alice = w.register("alice")
	_, w.bob = w.register("bob")
	p2, err := w.inst.Identity.CreateProfile(w.ctx, w.aliceAccount, identityProfile("alice_work"))
	require.NoError(t, err)
	w.alice2 = p2.ID

	at := func(days int) time.Time { return t0.Add(time.Duration(days) * 24 * time.Hour) }
	create := func(actor string, in events.Input) string {
		t.Helper()
		if in.BeginsAt.IsZero() {
			in.BeginsAt = at(7)
		}
		e, err := w.inst.Events.Create(w.ctx, actor, in)
		require.NoError(t, err)
		return e.ID
	}
	w.public = create(w.alice, events.Input{Title: "Public picnic", TimeZone: "Europe/Paris"})
	w.unlisted = create(w.alice, events.Input{Title: "HIDDEN unlisted", Visibility: events.Unlisted})
	w.private = create(w.alice, events.Input{Title: "HIDDEN private", Visibility: events.Private})
	w.draft = create(w.alice, events.Input{Title: "HIDDEN draft", Draft: true})
	w.past = create(w.alice, events.Input{Title: "Long ago", BeginsAt: at(-90)})
	create(w.alice2, events.Input{Title: "Work talk", BeginsAt: at(3)})

	g, err := w.inst.Groups.Create(w.ctx, w.alice, groups.CreateInput{Username: "collective", DisplayName: "The Collective", Openness: groups.Open})
	require.NoError(t, err)
	w.group = create(w.alice, events.Input{GroupID: g.ID, Title: "Group assembly", BeginsAt: at(10)})
	w.groupPrivate = create(w.alice, events.Input{GroupID: g.ID, Title: "HIDDEN group private", Visibility: events.Private})
	secret, err := w.inst.Groups.Create(w.ctx, w.alice, groups.CreateInput{Username: "secret", Openness: groups.InviteOnly, Visibility: groups.Private})
	require.NoError(t, err)
	w.secretGroupEvent = create(w.alice, events.Input{GroupID: secret.ID, Title: "HIDDEN secret group event"})

	_, err = w.inst.Events.Join(w.ctx, w.public, w.bob, events.JoinInput{})
	require.NoError(t, err)
	return w
}

func TestPublicFeedsShowOnlyPublicEvents(t *testing.T) {
	t.Parallel()
	w := newPrivacyWorld(t)
	tests := []struct {
		path string
		want []string
	}{
		{"/@alice/feed.ics", []string{"Public picnic"}},
		{"/@collective/feed.ics", []string{"Group assembly"}},
		{"/feed/instance.ics", []string{"Work talk", "Public picnic", "Group assembly"}},
		{"/events/" + w.public + ".ics", []string{"Public picnic"}},
		{"/events/" + w.unlisted + ".ics", []string{"HIDDEN unlisted"}}, // by its address only
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			res := w.get(tt.path)
			require.Equal(t, http.StatusOK, res.StatusCode)
			text := body(t, res)
			cal := checkRFC(t, []byte(text))
			var titles []string
			for _, ev := range cal.subs("VEVENT") {
				titles = append(titles, unescapeText(t, ev.get("SUMMARY")))
				assert.Empty(t, ev.all("ATTENDEE"), "no attendees in public feeds")
			}
			assert.Equal(t, tt.want, titles)
			if !strings.Contains(tt.path, w.unlisted) {
				assert.NotContains(t, text, "HIDDEN")
			}
			assert.NotContains(t, text, "bob", "participants never in public feeds")
			assert.Equal(t, "text/calendar; charset=utf-8", res.Header.Get("Content-Type"))
			assert.Contains(t, res.Header.Get("Content-Disposition"), `attachment; filename="`)
		})
	}
	for _, path := range []string{
		"/events/" + w.private + ".ics", "/events/" + w.draft + ".ics", "/events/" + w.groupPrivate + ".ics",
		"/events/" + w.secretGroupEvent + ".ics",
		"/events/no-such-event.ics", "/@secret/feed.ics", "/@nobody/feed.ics", "/feed/private/unknown.ics",
		"/feed/private/" + strings.Repeat("A", 43) + ".ics", "/feed/other.ics", "/events/a/b.ics",
	} {
		res := w.get(path)
		assert.Equal(t, http.StatusNotFound, res.StatusCode, path)
		assert.NotContains(t, body(t, res), "HIDDEN", path)
	}
}

func TestPrivateFeeds(t *testing.T) {
	t.Parallel()
	w := newPrivacyWorld(t)
	tok, _, err := w.inst.Identity.CreateFeedToken(w.ctx, w.aliceAccount, w.alice)
	require.NoError(t, err)
	res := w.get("/feed/private/" + tok + ".ics")
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "private, no-cache", res.Header.Get("Cache-Control"))
	cal := checkRFC(t, []byte(body(t, res)))
	byTitle := map[string]*comp{}
	for _, ev := range cal.subs("VEVENT") {
		byTitle[unescapeText(t, ev.get("SUMMARY"))] = ev
	}
	for _, title := range []string{"Public picnic", "HIDDEN unlisted", "HIDDEN private", "Group assembly",
		"HIDDEN group private", "HIDDEN secret group event"} {
		assert.Contains(t, byTitle, title, "alice's participations")
	}
	assert.NotContains(t, byTitle, "HIDDEN draft", "drafts stay out of every feed")
	assert.NotContains(t, byTitle, "Long ago", "outside the window")
	assert.NotContains(t, byTitle, "Work talk", "another profile's events stay out of a profile feed")
	var attendees []string
	for _, a := range byTitle["Public picnic"].all("ATTENDEE") {
		attendees = append(attendees, a.Params["CN"])
	}
	assert.ElementsMatch(t, []string{"alice", "bob"}, attendees, "the organizer sees the participants")

	// Bob sees his participation, and only himself as attendee.
	bobTok := bobToken(t, w)
	cal = checkRFC(t, []byte(body(t, w.get("/feed/private/"+bobTok+".ics"))))
	require.Len(t, cal.subs("VEVENT"), 1)
	ev := cal.subs("VEVENT")[0]
	assert.Equal(t, "Public picnic", unescapeText(t, ev.get("SUMMARY")))
	require.Len(t, ev.all("ATTENDEE"), 1)
	assert.Equal(t, "bob", ev.all("ATTENDEE")[0].Params["CN"])

	// An account token covers every profile of the account.
	acct, _, err := w.inst.Identity.CreateFeedToken(w.ctx, w.aliceAccount, "")
	require.NoError(t, err)
	text := body(t, w.get("/feed/private/"+acct+".ics"))
	assert.Contains(t, text, "Work talk")
	assert.Contains(t, text, "HIDDEN private")

	// Revoked: 404, like an unknown token.
	list, err := w.inst.Identity.ListFeedTokens(w.ctx, w.aliceAccount)
	require.NoError(t, err)
	for _, ft := range list {
		require.NoError(t, w.inst.Identity.RevokeFeedToken(w.ctx, w.aliceAccount, ft.ID))
	}
	assert.Equal(t, http.StatusNotFound, w.get("/feed/private/"+tok+".ics").StatusCode)
	assert.Equal(t, http.StatusNotFound, w.get("/feed/private/"+acct+".ics").StatusCode)
}

func bobToken(t *testing.T, w *privacyWorld) string {
	t.Helper()
	a, err := w.inst.Identity.GetAccountByEmail(w.ctx, "bob@example.org")
	require.NoError(t, err)
	tok, _, err := w.inst.Identity.CreateFeedToken(w.ctx, a.ID, w.bob)
	require.NoError(t, err)
	return tok
}

func TestConditionalGET(t *testing.T) {
	t.Parallel()
	w := newPrivacyWorld(t)
	path := "/@alice/feed.ics"
	first := w.get(path)
	require.Equal(t, http.StatusOK, first.StatusCode)
	etag, lm := first.Header.Get("ETag"), first.Header.Get("Last-Modified")
	require.NotEmpty(t, etag)
	require.NotEmpty(t, lm)

	tests := []struct {
		name   string
		header []string
		want   int
	}{
		{"same etag", []string{"If-None-Match", etag}, http.StatusNotModified},
		{"weak form and list", []string{"If-None-Match", `"x", W/` + etag}, http.StatusNotModified},
		{"other etag", []string{"If-None-Match", `"other"`}, http.StatusOK},
		{"not modified since", []string{"If-Modified-Since", lm}, http.StatusNotModified},
		{"modified since", []string{"If-Modified-Since", t0.Add(-time.Hour).Format(http.TimeFormat)}, http.StatusOK},
		{"etag wins over date", []string{"If-None-Match", `"other"`, "If-Modified-Since", lm}, http.StatusOK},
	}
	for _, tt := range tests {
		res := w.get(path, tt.header...)
		assert.Equal(t, tt.want, res.StatusCode, tt.name)
		if tt.want == http.StatusNotModified {
			assert.Empty(t, body(t, res), tt.name)
			assert.Equal(t, etag, res.Header.Get("ETag"))
		}
	}
	// HEAD: headers, no body. POST: 405.
	head := do(t, w.feeds, http.MethodHead, path)
	assert.Equal(t, http.StatusOK, head.StatusCode)
	assert.Empty(t, body(t, head))
	assert.Equal(t, etag, head.Header.Get("ETag"))
	assert.Equal(t, http.StatusMethodNotAllowed, do(t, w.feeds, http.MethodPost, path).StatusCode)

	// An update changes the ETag and the Last-Modified.
	w.clock.Advance(time.Hour)
	e, err := w.inst.Events.Get(w.ctx, w.alice, w.public)
	require.NoError(t, err)
	in := events.InputOf(e)
	in.Title = "Public picnic, moved"
	_, err = w.inst.Events.Update(w.ctx, w.alice, w.public, in)
	require.NoError(t, err)
	res := w.get(path, "If-None-Match", etag)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.NotEqual(t, etag, res.Header.Get("ETag"))
	assert.NotEqual(t, lm, res.Header.Get("Last-Modified"))
	ev := checkRFC(t, []byte(body(t, res))).subs("VEVENT")[0]
	assert.Equal(t, "1", ev.get("SEQUENCE"), "the sequence grows with each update")
	assert.Equal(t, "https://events.example/events/"+w.public, ev.get("UID"), "the UID is stable")
	assert.Equal(t, http.StatusNotModified, w.get(path, "If-None-Match", res.Header.Get("ETag")).StatusCode)
}

func TestNewFeedsRequiresDependencies(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	good := ical.FeedConfig{Events: w.store, Identity: w.inst.Identity, Groups: w.inst.Groups, BaseURL: "https://e.example"}
	for name, mutate := range map[string]func(*ical.FeedConfig){
		"events":   func(c *ical.FeedConfig) { c.Events = nil },
		"identity": func(c *ical.FeedConfig) { c.Identity = nil },
		"groups":   func(c *ical.FeedConfig) { c.Groups = nil },
		"base url": func(c *ical.FeedConfig) { c.BaseURL = "ftp://x" },
	} {
		c := good
		mutate(&c)
		_, err := ical.NewFeeds(c)
		assert.Error(t, err, name)
	}
	_, err := ical.NewFeeds(good)
	assert.NoError(t, err)
	assert.True(t, ical.IsFeedPath("/events/abc.ics"))
	assert.True(t, ical.IsFeedPath("/@alice/feed.ics"))
	assert.False(t, ical.IsFeedPath("/events/abc"))
}

// TestHiddenEventsLeaveEveryFeed: an event the instance's moderators hid
// is in no public or private feed and its own .ics answers 404, until
// it is shown again.
func TestHiddenEventsLeaveEveryFeed(t *testing.T) {
	t.Parallel()
	w := newPrivacyWorld(t)
	tok, _, err := w.inst.Identity.CreateFeedToken(w.ctx, w.aliceAccount, w.alice)
	require.NoError(t, err)
	bobTok := bobToken(t, w)
	feeds := []string{"/@alice/feed.ics", "/feed/instance.ics", "/feed/private/" + tok + ".ics", "/feed/private/" + bobTok + ".ics"}

	require.NoError(t, w.inst.Events.HideEvent(w.ctx, w.public, true))
	assert.Equal(t, http.StatusNotFound, w.get("/events/"+w.public+".ics").StatusCode)
	for _, path := range feeds {
		res := w.get(path)
		require.Equal(t, http.StatusOK, res.StatusCode, path)
		assert.NotContains(t, body(t, res), "Public picnic", path)
	}

	require.NoError(t, w.inst.Events.HideEvent(w.ctx, w.public, false))
	assert.Equal(t, http.StatusOK, w.get("/events/"+w.public+".ics").StatusCode)
	for _, path := range feeds {
		assert.Contains(t, body(t, w.get(path)), "Public picnic", path)
	}
}
