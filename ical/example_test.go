package ical_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

func ExampleMarshal() {
	paris, _ := time.LoadLocation("Europe/Paris")
	begins := time.Date(2026, 3, 14, 14, 0, 0, 0, paris)
	e := &events.Event{
		ID: "ev1", APID: "https://events.example/events/ev1",
		Title:    "Repair Café; bring tools",
		BeginsAt: begins.UTC(), EndsAt: begins.Add(4 * time.Hour).UTC(), TimeZone: "Europe/Paris",
		Status: events.Confirmed, Visibility: events.Public, Sequence: 2,
		CreatedAt: time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC), UpdatedAt: time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC),
	}
	out := ical.Marshal(&ical.Calendar{Name: "Repair Café", Entries: []ical.Entry{{Event: e,
		Organizer: ical.Person{URI: "https://events.example/@repair", Name: "Repair Café"}}}})
	fmt.Print(strings.ReplaceAll(string(out), "\r\n", "\n"))
	// Output:
	// BEGIN:VCALENDAR
	// PRODID:-//Convene//Convene iCalendar//EN
	// VERSION:2.0
	// CALSCALE:GREGORIAN
	// METHOD:PUBLISH
	// NAME:Repair Café
	// X-WR-CALNAME:Repair Café
	// REFRESH-INTERVAL;VALUE=DURATION:PT1H
	// X-PUBLISHED-TTL:PT1H
	// X-WR-TIMEZONE:Europe/Paris
	// BEGIN:VTIMEZONE
	// TZID:Europe/Paris
	// BEGIN:STANDARD
	// DTSTART:20251026T030000
	// TZOFFSETFROM:+0200
	// TZOFFSETTO:+0100
	// TZNAME:CET
	// END:STANDARD
	// END:VTIMEZONE
	// BEGIN:VEVENT
	// UID:https://events.example/events/ev1
	// DTSTAMP:20260203T100000Z
	// DTSTART;TZID=Europe/Paris:20260314T140000
	// DTEND;TZID=Europe/Paris:20260314T180000
	// SUMMARY:Repair Café\; bring tools
	// STATUS:CONFIRMED
	// CLASS:PUBLIC
	// SEQUENCE:2
	// CREATED:20260201T100000Z
	// LAST-MODIFIED:20260203T100000Z
	// ORGANIZER;CN="Repair Café":https://events.example/@repair
	// END:VEVENT
	// END:VCALENDAR
}

// exampleInstance opens an instance on a throwaway SQLite database.
func exampleInstance(now time.Time) (*convene.Instance, *sqlite.DB, func()) {
	dir, err := os.MkdirTemp("", "ical-example")
	if err != nil {
		panic(err)
	}
	db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "https://events.example",
		Now:         func() time.Time { return now },
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: fixedKey})
	if err != nil {
		panic(err)
	}
	return inst, db, func() { db.Close(); os.RemoveAll(dir) }
}

// Mount the feeds, publish an event, and fetch a profile's feed twice:
// the second time with its ETag, which answers 304.
func ExampleFeeds() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	inst, db, done := exampleInstance(now)
	defer done()

	feeds, err := ical.NewFeeds(ical.FeedConfig{Events: db, Identity: inst.Identity, Groups: inst.Groups,
		BaseURL: "https://events.example", Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	// ServeMux wildcards are whole segments: "/@{username}" is not a
	// pattern, so the feeds handler checks the '@' itself.
	mux.Handle("GET /{actor}/feed.ics", feeds)
	mux.Handle("GET /feed/instance.ics", feeds)
	mux.Handle("GET /feed/private/{token}", feeds)

	_, profile, _ := inst.Identity.Register(ctx, identity.RegisterInput{Email: "ana@example.org",
		Password: "a long enough password", Username: "ana", DisplayName: "Ana"})
	_, _ = inst.Events.Create(ctx, profile.ID, events.Input{Title: "Picnic",
		BeginsAt: time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC), TimeZone: "Europe/Paris"})

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/@ana/feed.ics", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"))
	fmt.Println(strings.Contains(rec.Body.String(), "SUMMARY:Picnic\r\n"))

	again := httptest.NewRequest("GET", "/@ana/feed.ics", nil)
	again.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	rec2 := httptest.NewRecorder()
	mux.ServeHTTP(rec2, again)
	fmt.Println(rec2.Code, rec2.Body.Len())
	// Output:
	// 200 text/calendar; charset=utf-8 attachment; filename="ana.ics"
	// true
	// 304 0
}

// Import a Meetup export into a profile's events, twice: the second
// import changes nothing.
func ExampleImporter_Import() {
	ctx := context.Background()
	inst, db, done := exampleInstance(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC))
	defer done()
	_, profile, _ := inst.Identity.Register(ctx, identity.RegisterInput{Email: "ana@example.org",
		Password: "a long enough password", Username: "ana"})

	// The database remembers which event each UID became.
	im, err := ical.NewImporter(ical.ImporterConfig{Events: inst.Events, UIDs: db})
	if err != nil {
		panic(err)
	}
	for i := 0; i < 2; i++ {
		rep, err := im.Import(ctx, ical.Target{ActorID: profile.ID}, strings.NewReader(meetup), nil)
		if err != nil {
			panic(err)
		}
		fmt.Printf("created %d, unchanged %d, skipped %d\n", rep.Count(ical.Created), rep.Count(ical.Unchanged), rep.Count(ical.Skipped))
	}
	// Output:
	// created 3, unchanged 0, skipped 7
	// created 0, unchanged 3, skipped 7
}

// Subscribe a profile to a remote calendar kept in the database, and
// refresh what is due: at once, then every interval.
func ExampleSubscriber_RefreshDue() {
	ctx := context.Background()
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	inst, db, done := exampleInstance(now)
	defer done()
	_, profile, _ := inst.Identity.Register(ctx, identity.RegisterInput{Email: "ana@example.org",
		Password: "a long enough password", Username: "ana"})
	remote := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		_, _ = w.Write([]byte(meetup))
	}))
	defer remote.Close()

	im, err := ical.NewImporter(ical.ImporterConfig{Events: inst.Events, UIDs: db})
	if err != nil {
		panic(err)
	}
	// The SSRF-safe client refuses loopback, where the test server is,
	// unless told otherwise; leave Client nil in production.
	client, err := safehttp.New(safehttp.Config{AllowPrivate: []netip.Prefix{
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}})
	if err != nil {
		panic(err)
	}
	sb, err := ical.NewSubscriber(ical.SubscriberConfig{Importer: im, Subscriptions: db,
		Client: client, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	// A new subscription (NextAt zero) is due at once.
	sub := &ical.Subscription{ID: "8d3c1f8e-2b1a-4f57-9c3e-6a7b8c9d0e1f",
		Target: ical.Target{ActorID: profile.ID}, URL: remote.URL + "/meetup.ics"}
	if err := db.SaveSubscription(ctx, sub); err != nil {
		panic(err)
	}
	for i := 0; i < 2; i++ {
		n, err := sb.RefreshDue(ctx)
		if err != nil {
			panic(err)
		}
		fmt.Println("refreshed", n)
	}
	sub, _ = db.GetSubscription(ctx, sub.ID)
	uids, _ := db.ImportedUIDs(ctx, profile.ID)
	fmt.Println(sub.ETag, sub.NextAt.Format(time.RFC3339), len(uids), "events")
	// Output:
	// refreshed 1
	// refreshed 0
	// "v1" 2026-03-01T11:00:00Z 3 events
}
