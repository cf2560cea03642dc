package ical_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
)

// sqlWorld is an instance over a SQLite file whose UID and subscription
// stores are the database itself, plus a second, read-only connection
// to the file that tells whether anything was committed.
type sqlWorld struct {
	*world
	db      *sqlite.DB
	watcher *sql.Conn
}

func newSQLWorld(t *testing.T) *sqlWorld {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "convene.db")
	db, err := sqlite.Open(ctx, sqlite.Config{Path: path})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	c := fakeclock.New(t0)
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "https://events.example", Now: c.Now,
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: fixedKey})
	require.NoError(t, err)

	// The modernc driver is registered by storage/sqlite.
	raw, err := sql.Open("sqlite", "file:"+(&url.URL{Path: filepath.ToSlash(path)}).EscapedPath()+"?mode=ro")
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, raw.Close()) })
	conn, err := raw.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, conn.Close()) })
	return &sqlWorld{world: &world{t: t, ctx: ctx, clock: c, inst: inst, store: db}, db: db, watcher: conn}
}

// dataVersion is SQLite's PRAGMA data_version on the watcher
// connection: it changes when another connection commits a write.
func (w *sqlWorld) dataVersion() int64 {
	w.t.Helper()
	var v int64
	require.NoError(w.t, w.watcher.QueryRowContext(w.ctx, "PRAGMA data_version").Scan(&v))
	return v
}

func (w *sqlWorld) imported(owner string) []ical.Imported {
	w.t.Helper()
	rows, err := w.db.ImportedUIDs(w.ctx, owner)
	require.NoError(w.t, err)
	return rows
}

// TestImportIntoSQLite imports a calendar through the events service
// with the SQL UIDStore: a second import of the same file commits
// nothing, and an event deleted here takes its UID row along, so that it
// is imported again as new.
func TestImportIntoSQLite(t *testing.T) {
	t.Parallel()
	w := newSQLWorld(t)
	_, alice := w.register("alice")
	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: w.db})
	require.NoError(t, err)
	target, opts := ical.Target{ActorID: alice}, &ical.ImportOptions{Source: "https://meetup.example/cal.ics"}

	rep, err := im.Import(w.ctx, target, strings.NewReader(meetup), opts)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Count(ical.Created))
	rows := w.imported(alice)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{"m1@meetup.example", "m2@meetup.example", "m3@meetup.example"},
		[]string{rows[0].UID, rows[1].UID, rows[2].UID})
	for _, r := range rows {
		assert.Equal(t, alice, r.Owner)
		assert.Equal(t, opts.Source, r.Source)
		assert.NotEmpty(t, r.Fingerprint)
		e, err := w.inst.Events.Get(w.ctx, alice, r.EventID)
		require.NoError(t, err, r.UID)
		assert.Equal(t, alice, e.OrganizerID)
	}

	// The same file again: every event unchanged, nothing committed.
	before := w.dataVersion()
	w.clock.Advance(time.Hour)
	rep, err = im.Import(w.ctx, target, strings.NewReader(meetup), opts)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Count(ical.Unchanged))
	assert.Zero(t, rep.Count(ical.Created)+rep.Count(ical.Updated)+rep.Count(ical.Cancelled))
	assert.Equal(t, before, w.dataVersion(), "the second import wrote nothing")
	assert.Equal(t, rows, w.imported(alice))

	// m1 deleted here: its row goes with it, and the next import creates
	// it again as a new event.
	require.NoError(t, w.inst.Events.Delete(w.ctx, alice, rows[0].EventID))
	assert.Equal(t, rows[1:], w.imported(alice), "the row went with its event")
	rep, err = im.Import(w.ctx, target, strings.NewReader(meetup), opts)
	require.NoError(t, err)
	assert.Equal(t, map[string]ical.Action{"m1@meetup.example": ical.Created, "m2@meetup.example": ical.Unchanged,
		"m3@meetup.example": ical.Unchanged}, imports(rep))
	again := w.imported(alice)
	require.Len(t, again, 3)
	assert.NotEqual(t, rows[0].EventID, again[0].EventID, "a new event")
	_, err = w.inst.Events.Get(w.ctx, alice, again[0].EventID)
	require.NoError(t, err)

	// DeleteMissing: the event and its row go, and the UIDs of another
	// owner are untouched.
	rep, err = im.Import(w.ctx, target, strings.NewReader(vcal()), &ical.ImportOptions{Source: opts.Source, DeleteMissing: true})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Count(ical.Deleted))
	assert.Empty(t, w.imported(alice))
	for _, r := range again {
		_, err := w.inst.Events.Get(w.ctx, alice, r.EventID)
		require.ErrorIs(t, err, storage.ErrNotFound)
	}
}

// imports maps each UID with an event to what the import did with it.
func imports(rep *ical.Report) map[string]ical.Action {
	out := map[string]ical.Action{}
	for _, r := range rep.Results {
		if r.EventID != "" {
			out[r.UID] = r.Action
		}
	}
	return out
}

// TestSubscriptionRefreshIntoSQLite refreshes a subscription kept by the
// SQL SubscriptionStore: due at once, then every interval; a 304 commits
// nothing but the subscription's new schedule; DeleteMissing removes
// what the calendar dropped.
func TestSubscriptionRefreshIntoSQLite(t *testing.T) {
	t.Parallel()
	w := newSQLWorld(t)
	_, alice := w.register("alice")
	var (
		mu      sync.Mutex
		content = meetup
		etag    = `"v1"`
		hits    int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		hits++
		if r.Header.Get("If-None-Match") == etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("ETag", etag)
		rw.Header().Set("Last-Modified", "Sun, 01 Mar 2026 09:00:00 GMT")
		_, _ = rw.Write([]byte(content))
	}))
	t.Cleanup(srv.Close)

	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: w.db})
	require.NoError(t, err)
	sb, err := ical.NewSubscriber(ical.SubscriberConfig{Importer: im, Subscriptions: w.db,
		Client: loopbackClient(t, safehttp.Config{}), Now: w.clock.Now})
	require.NoError(t, err)

	// Bad subscriptions are refused and store nothing.
	for _, bad := range []struct{ url, field string }{
		{"ftp://files.example/cal.ics", "url"}, {"/relative.ics", "url"},
		{"https://user:pw@cal.example/x.ics", "url"}, {"https://" + strings.Repeat("a", 2100), "url"},
	} {
		_, err := sb.Subscribe(w.ctx, ical.Target{ActorID: alice}, bad.url, ical.ImportOptions{})
		var ve *events.ValidationError
		require.ErrorAs(t, err, &ve, bad.url)
		assert.Equal(t, bad.field, ve.Field)
	}
	_, err = sb.Subscribe(w.ctx, ical.Target{}, srv.URL, ical.ImportOptions{})
	require.ErrorIs(t, err, events.ErrInvalid)
	subs, err := w.db.ListSubscriptions(w.ctx, alice)
	require.NoError(t, err)
	require.Empty(t, subs)

	// A new subscription: NextAt zero, due at once.
	sub, err := sb.Subscribe(w.ctx, ical.Target{ActorID: alice}, srv.URL+"/cal.ics",
		ical.ImportOptions{Visibility: events.Unlisted, DeleteMissing: true})
	require.NoError(t, err)
	n, err := sb.RefreshDue(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err := w.db.GetSubscription(w.ctx, sub.ID)
	require.NoError(t, err)
	assert.Equal(t, &ical.Subscription{ID: sub.ID, Target: sub.Target, URL: sub.URL, Visibility: events.Unlisted,
		DeleteMissing: true, ETag: `"v1"`, LastModified: "Sun, 01 Mar 2026 09:00:00 GMT",
		CheckedAt: t0, NextAt: t0.Add(ical.DefaultSubscriptionInterval)}, got)
	rows := w.imported(alice)
	require.Len(t, rows, 3)
	for _, r := range rows {
		assert.Equal(t, sub.URL, r.Source, "the URL is the source")
		e, err := w.inst.Events.Get(w.ctx, alice, r.EventID)
		require.NoError(t, err)
		if r.UID != "m3@meetup.example" { // CLASS:PRIVATE
			assert.Equal(t, events.Unlisted, e.Visibility)
		}
	}

	// Not due yet: no request.
	n, err = sb.RefreshDue(w.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	mu.Lock()
	assert.Equal(t, 1, hits)
	mu.Unlock()

	// Due and unchanged: a 304; only the schedule is written.
	w.clock.Advance(ical.DefaultSubscriptionInterval)
	n, err = sb.RefreshDue(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	got, err = w.db.GetSubscription(w.ctx, sub.ID)
	require.NoError(t, err)
	assert.Equal(t, t0.Add(2*ical.DefaultSubscriptionInterval), got.NextAt)
	assert.Equal(t, rows, w.imported(alice))

	// Upstream drops m3 and renames m1: updated, and m3 deleted.
	mu.Lock()
	content = vcal(
		vevent("UID:m1@meetup.example", "SUMMARY:Go meetup (moved)", "DTSTART;TZID=Europe/Paris:20260311T190000"),
		vevent("UID:m2@meetup.example", "DTSTAMP:20260101T000000Z", "SUMMARY:Weekly run",
			"DTSTART:20260312T180000", "DURATION:PT1H30M", "RRULE:FREQ=WEEKLY;COUNT=10",
			"EXDATE:20260326T180000", "LOCATION:https://visio.example/run"),
	)
	etag = `"v2"`
	mu.Unlock()
	w.clock.Advance(ical.DefaultSubscriptionInterval)
	rep, err := sb.Refresh(w.ctx, got)
	require.NoError(t, err)
	require.NotNil(t, rep)
	assert.Equal(t, 1, rep.Count(ical.Updated))
	assert.Equal(t, 1, rep.Count(ical.Unchanged))
	assert.Equal(t, 1, rep.Count(ical.Deleted))
	left := w.imported(alice)
	require.Len(t, left, 2)
	assert.Equal(t, []string{"m1@meetup.example", "m2@meetup.example"}, []string{left[0].UID, left[1].UID})
	_, err = w.inst.Events.Get(w.ctx, alice, rows[2].EventID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	e1, err := w.inst.Events.Get(w.ctx, alice, left[0].EventID)
	require.NoError(t, err)
	assert.Equal(t, "Go meetup (moved)", e1.Title)
	got, err = w.db.GetSubscription(w.ctx, sub.ID)
	require.NoError(t, err)
	assert.Equal(t, `"v2"`, got.ETag)
	assert.Empty(t, got.LastError)

	// Listed as alice's; deleting it keeps the events.
	list, err := w.db.ListSubscriptions(w.ctx, alice)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NoError(t, w.db.DeleteSubscription(w.ctx, sub.ID))
	w.clock.Advance(24 * time.Hour)
	n, err = sb.RefreshDue(w.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)
	assert.Len(t, w.imported(alice), 2)
}
