package ical_test

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/storage"
)

// memUIDs is an in-memory UIDStore.
type memUIDs struct {
	mu   sync.Mutex
	rows map[string]ical.Imported // owner + "\x00" + uid
	fail error                    // returned by PutImported when set
}

func newMemUIDs() *memUIDs { return &memUIDs{rows: map[string]ical.Imported{}} }

func (m *memUIDs) ImportedUIDs(_ context.Context, owner string) ([]ical.Imported, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ical.Imported
	for _, r := range m.rows {
		if r.Owner == owner {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UID < out[j].UID })
	return out, nil
}

func (m *memUIDs) PutImported(_ context.Context, r ical.Imported) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail != nil {
		return m.fail
	}
	m.rows[r.Owner+"\x00"+r.UID] = r
	return nil
}

func (m *memUIDs) DeleteImported(_ context.Context, owner, uid string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.rows[owner+"\x00"+uid]; !ok {
		return storage.ErrNotFound
	}
	delete(m.rows, owner+"\x00"+uid)
	return nil
}

// vcal wraps VEVENT bodies in a calendar with CRLF line ends.
func vcal(parts ...string) string {
	body := "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nX-WR-CALNAME:Meetup export\nX-WR-TIMEZONE:Europe/Paris\n" +
		strings.Join(parts, "") + "END:VCALENDAR\n"
	return strings.ReplaceAll(body, "\n", "\r\n")
}

func vevent(lines ...string) string {
	return "BEGIN:VEVENT\n" + strings.Join(lines, "\n") + "\nEND:VEVENT\n"
}

var meetup = vcal(
	vevent("UID:m1@meetup.example", "DTSTAMP:20260101T000000Z", "SUMMARY:Go meetup\\, March",
		"DTSTART;TZID=Europe/Paris:20260310T190000", "DTEND;TZID=Europe/Paris:20260310T210000",
		"DESCRIPTION:Talks\\; pizza.\\n\\nSecond line", "LOCATION:Le Wagon\\, Paris", "GEO:48.865;2.38",
		"URL:https://meetup.example/e/1", "CATEGORIES:SCIENCE_TECH,golang", "STATUS:CONFIRMED"),
	vevent("UID:m2@meetup.example", "DTSTAMP:20260101T000000Z", "SUMMARY:Weekly run",
		"DTSTART:20260312T180000", "DURATION:PT1H30M", "RRULE:FREQ=WEEKLY;COUNT=10",
		"EXDATE:20260326T180000", "LOCATION:https://visio.example/run"),
	vevent("UID:m3@meetup.example", "DTSTAMP:20260101T000000Z", "SUMMARY:All day fair",
		"DTSTART;VALUE=DATE:20260320", "CLASS:PRIVATE"),
	"BEGIN:VTODO\nUID:t1\nSUMMARY:not an event\nEND:VTODO\n",
	vevent("DTSTAMP:20260101T000000Z", "SUMMARY:no uid", "DTSTART:20260310T190000Z"),
	vevent("UID:m4@meetup.example", "SUMMARY:no start"),
	vevent("UID:m5@meetup.example", "SUMMARY:windows zone", "DTSTART;TZID=W. Europe Standard Time:20260310T190000"),
	vevent("UID:m6@meetup.example", "SUMMARY:override", "RECURRENCE-ID:20260319T180000", "DTSTART:20260319T190000"),
	vevent("UID:m7@meetup.example", "SUMMARY:hourly", "DTSTART:20260319T190000Z", "RRULE:FREQ=HOURLY"),
	vevent("UID:m1@meetup.example", "SUMMARY:duplicate", "DTSTART:20260319T190000Z"),
)

func TestDecode(t *testing.T) {
	t.Parallel()
	dec, err := ical.Decode(strings.NewReader(meetup))
	require.NoError(t, err)
	assert.Equal(t, "Meetup export", dec.Name)
	require.Len(t, dec.Items, 4, "m1, m2, m3 and m7 (the events service judges the rule)")
	paris := mustZone(t, "Europe/Paris")

	m1 := dec.Items[0].Input
	assert.Equal(t, "Go meetup, March", m1.Title)
	assert.Equal(t, "Europe/Paris", m1.TimeZone)
	assert.Equal(t, time.Date(2026, 3, 10, 19, 0, 0, 0, paris).UTC(), m1.BeginsAt)
	assert.Equal(t, time.Date(2026, 3, 10, 21, 0, 0, 0, paris).UTC(), m1.EndsAt)
	assert.Equal(t, "<p>Talks; pizza.</p><p>Second line</p>", m1.Description)
	require.NotNil(t, m1.Place)
	assert.Equal(t, "Le Wagon, Paris", m1.Place.Name)
	assert.InDelta(t, 48.865, *m1.Place.Latitude, 1e-9)
	assert.Equal(t, "SCIENCE_TECH", m1.Category)
	assert.Equal(t, []string{"golang"}, m1.Tags)
	assert.Equal(t, "https://meetup.example/e/1", m1.Links[0].URL)
	assert.Equal(t, events.Confirmed, m1.Status)

	m2 := dec.Items[1].Input
	assert.Equal(t, "Europe/Paris", m2.TimeZone, "floating time in X-WR-TIMEZONE")
	assert.Equal(t, 90*time.Minute, m2.EndsAt.Sub(m2.BeginsAt))
	assert.Equal(t, "FREQ=WEEKLY;COUNT=10", m2.Recurrence)
	assert.Equal(t, []time.Time{time.Date(2026, 3, 26, 18, 0, 0, 0, paris).UTC()}, m2.ExDates)
	assert.Equal(t, "https://visio.example/run", m2.OnlineAddress)
	assert.Nil(t, m2.Place)

	m3 := dec.Items[2].Input
	assert.Equal(t, time.Date(2026, 3, 20, 0, 0, 0, 0, paris).UTC(), m3.BeginsAt, "a DATE is midnight in the zone")
	assert.Equal(t, 24*time.Hour, m3.EndsAt.Sub(m3.BeginsAt))
	assert.Equal(t, events.Private, m3.Visibility)

	reasons := map[int]string{}
	for _, s := range dec.Skipped {
		reasons[s.Index] = s.Reason
	}
	assert.Equal(t, map[int]string{
		3: "a VTODO is not an event: only VEVENT is imported",
		4: "no UID",
		5: "no DTSTART",
		6: `DTSTART: unknown time zone "W. Europe Standard Time"`,
		7: "changes to one occurrence of a series (RECURRENCE-ID) are not imported",
		9: "another VEVENT has the same UID",
	}, reasons)
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "hello", "BEGIN:VEVENT\r\nEND:VEVENT\r\n", strings.Repeat("x", ical.MaxImportBytes+1)} {
		_, err := ical.Decode(strings.NewReader(in))
		assert.ErrorIs(t, err, ical.ErrMalformed, "%.20q", in)
	}
}

func results(rep *ical.Report) map[string]ical.Action {
	out := map[string]ical.Action{}
	for _, r := range rep.Results {
		if _, seen := out[r.UID]; r.UID != "" && !seen { // the first component with a UID counts
			out[r.UID] = r.Action
		}
	}
	return out
}

func TestImportIsIdempotentByUID(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, alice := w.register("alice")
	uids := newMemUIDs()
	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: uids})
	require.NoError(t, err)
	target := ical.Target{ActorID: alice}

	rep, err := im.Import(w.ctx, target, strings.NewReader(meetup), &ical.ImportOptions{Source: "https://meetup.example/cal.ics"})
	require.NoError(t, err)
	assert.Equal(t, map[string]ical.Action{"m1@meetup.example": ical.Created, "m2@meetup.example": ical.Created,
		"m3@meetup.example": ical.Created, "m4@meetup.example": ical.Skipped, "m5@meetup.example": ical.Skipped,
		"m6@meetup.example": ical.Skipped, "m7@meetup.example": ical.Skipped}, results(rep))
	for _, r := range rep.Results {
		if r.UID == "m7@meetup.example" {
			assert.Contains(t, r.Reason, "recurrence", "the events service's refusal is the reason")
		}
		if r.Action == ical.Skipped {
			assert.NotEmpty(t, r.Reason)
			assert.Empty(t, r.EventID, "a skipped component writes nothing")
		}
	}
	assert.Len(t, uids.rows, 3)
	ids := map[string]string{}
	for _, r := range rep.Results {
		if r.EventID != "" {
			ids[r.UID] = r.EventID
		}
	}
	e1, err := w.inst.Events.Get(w.ctx, alice, ids["m1@meetup.example"])
	require.NoError(t, err)
	assert.Equal(t, "Go meetup, March", e1.Title)
	assert.Equal(t, "Europe/Paris", e1.TimeZone)
	assert.True(t, e1.Local, "imported events are local events: they federate like the others")
	e2, err := w.inst.Events.Get(w.ctx, alice, ids["m2@meetup.example"])
	require.NoError(t, err)
	assert.Equal(t, "FREQ=WEEKLY;COUNT=10", e2.Recurrence)
	assert.Len(t, e2.ExDates, 1)

	// The same file again: nothing changes.
	rep, err = im.Import(w.ctx, target, strings.NewReader(meetup), &ical.ImportOptions{Source: "https://meetup.example/cal.ics"})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Count(ical.Unchanged))
	assert.Zero(t, rep.Count(ical.Created)+rep.Count(ical.Updated))

	// Changed: m1 renamed, m2 cancelled, m3 gone.
	changed := vcal(
		vevent("UID:m1@meetup.example", "SUMMARY:Go meetup (moved)", "DTSTART;TZID=Europe/Paris:20260311T190000"),
		vevent("UID:m2@meetup.example", "SUMMARY:Weekly run", "DTSTART:20260312T180000", "STATUS:CANCELLED"),
		vevent("UID:new@meetup.example", "SUMMARY:Cancelled before we saw it", "DTSTART:20260312T180000", "STATUS:CANCELLED"),
	)
	rep, err = im.Import(w.ctx, target, strings.NewReader(changed), &ical.ImportOptions{Source: "https://meetup.example/cal.ics"})
	require.NoError(t, err)
	assert.Equal(t, map[string]ical.Action{"m1@meetup.example": ical.Updated, "m2@meetup.example": ical.Cancelled,
		"new@meetup.example": ical.Skipped, "m3@meetup.example": ical.Missing}, results(rep))
	e1, err = w.inst.Events.Get(w.ctx, alice, ids["m1@meetup.example"])
	require.NoError(t, err)
	assert.Equal(t, "Go meetup (moved)", e1.Title)
	assert.Equal(t, 1, e1.Sequence, "an update raises the sequence")
	e2, err = w.inst.Events.Get(w.ctx, alice, ids["m2@meetup.example"])
	require.NoError(t, err)
	assert.Equal(t, events.Cancelled, e2.Status)
	_, err = w.inst.Events.Get(w.ctx, alice, ids["m3@meetup.example"])
	require.NoError(t, err, "missing is only reported by default")

	// Another source does not see m1..m3 as missing.
	rep, err = im.Import(w.ctx, target, strings.NewReader(vcal()), &ical.ImportOptions{Source: "other"})
	require.NoError(t, err)
	assert.Empty(t, rep.Results)

	// DeleteMissing deletes.
	rep, err = im.Import(w.ctx, target, strings.NewReader(changed), &ical.ImportOptions{Source: "https://meetup.example/cal.ics", DeleteMissing: true})
	require.NoError(t, err)
	assert.Equal(t, ical.Deleted, results(rep)["m3@meetup.example"])
	_, err = w.inst.Events.Get(w.ctx, alice, ids["m3@meetup.example"])
	require.ErrorIs(t, err, events.ErrNotFound)
	assert.Len(t, uids.rows, 2)
}

func TestImportWritesNothingOnFailure(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, alice := w.register("alice")
	_, bob := w.register("bob")
	uids := newMemUIDs()
	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: uids})
	require.NoError(t, err)
	count := func() int {
		n := 0
		for _, id := range []string{alice, bob} {
			evs, err := w.store.FindEvents(w.ctx, events.StoreQuery{OrganizerID: id, From: t0.AddDate(-1, 0, 0), To: t0.AddDate(2, 0, 0), IncludeDrafts: true, Limit: 100})
			require.NoError(t, err)
			n += len(evs)
		}
		return n
	}

	// A malformed file writes nothing.
	_, err = im.Import(w.ctx, ical.Target{ActorID: alice}, strings.NewReader("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"), nil)
	require.ErrorIs(t, err, ical.ErrMalformed)
	assert.Zero(t, count())

	// A group the actor may not create events in: every event is skipped.
	g, err := w.inst.Groups.Create(w.ctx, bob, groups.CreateInput{Username: "bobs", Openness: groups.InviteOnly})
	require.NoError(t, err)
	rep, err := im.Import(w.ctx, ical.Target{ActorID: alice, GroupID: g.ID}, strings.NewReader(meetup), nil)
	require.NoError(t, err)
	assert.Zero(t, rep.Count(ical.Created))
	assert.Zero(t, count())
	assert.Empty(t, uids.rows)

	// The UID cannot be remembered: the created event is removed again.
	uids.fail = errors.New("disk full")
	_, err = im.Import(w.ctx, ical.Target{ActorID: alice}, strings.NewReader(meetup), nil)
	require.Error(t, err)
	assert.Zero(t, count(), "no event without its UID row")
}

// TestExportImportRoundTrip: what the feeds write, the importer reads
// back into the same events.
func TestExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	c := sampleCalendar(t)
	dec, err := ical.Decode(strings.NewReader(string(ical.Marshal(c))))
	require.NoError(t, err)
	require.Empty(t, dec.Skipped)
	require.Len(t, dec.Items, len(c.Entries))
	for i, it := range dec.Items {
		want := c.Entries[i].Event
		assert.Equal(t, want.APID, it.UID)
		assert.Equal(t, want.Title, it.Input.Title)
		assert.Equal(t, want.BeginsAt, it.Input.BeginsAt, it.UID)
		if !want.EndsAt.IsZero() {
			assert.Equal(t, want.EndsAt, it.Input.EndsAt, it.UID)
		}
		assert.Equal(t, want.TimeZone, it.Input.TimeZone)
		assert.Equal(t, want.ExDates, it.Input.ExDates)
		assert.Equal(t, want.Status == events.Cancelled, it.Cancelled)
		if want.Description != "" {
			assert.Equal(t, want.Description, it.Input.Description, "X-ALT-DESC gives the HTML back")
		}
	}
	first := dec.Items[0].Input
	assert.Equal(t, "WORKSHOPS_SKILL_SHARING", first.Category)
	assert.Equal(t, []string{"repair", "reuse"}, first.Tags)
	assert.Equal(t, "https://visio.example/room", first.OnlineAddress)
	assert.InDelta(t, 2.3311, *first.Place.Longitude, 1e-9)
	assert.Equal(t, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260421T215959Z", dec.Items[1].Input.Recurrence)
	assert.Equal(t, events.Private, dec.Items[3].Input.Visibility)
	assert.Equal(t, fmt.Sprint(events.Tentative), fmt.Sprint(dec.Items[1].Input.Status))
}

// TestImportSkipsHiddenEvents: an event the instance's moderators hid is
// "not found" through the events service, but it is not gone: neither
// the same calendar again (a subscription's refresh) nor a changed one
// may create a new, visible copy of it. Only an event really deleted
// here is imported again.
func TestImportSkipsHiddenEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, alice := w.register("alice")
	uids := newMemUIDs()
	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: uids})
	require.NoError(t, err)
	target := ical.Target{ActorID: alice}
	opts := &ical.ImportOptions{Source: "https://x.example/cal.ics"}
	cal := vcal(vevent("UID:scam@x.example", "SUMMARY:Miracle cure workshop", "DTSTART:20260310T190000Z"))
	changed := vcal(vevent("UID:scam@x.example", "SUMMARY:Miracle cure workshop, new date", "DTSTART:20260317T190000Z"))
	found := func() int {
		page, err := w.inst.Events.Search(w.ctx, events.Query{Text: "miracle"})
		require.NoError(t, err)
		return len(page.Occurrences)
	}

	rep, err := im.Import(w.ctx, target, strings.NewReader(cal), opts)
	require.NoError(t, err)
	require.Equal(t, 1, rep.Count(ical.Created))
	id := rep.Results[0].EventID
	require.NoError(t, w.inst.Events.HideEvent(w.ctx, id, true))
	require.Zero(t, found())

	for name, file := range map[string]string{"same calendar": cal, "changed calendar": changed} {
		rep, err = im.Import(w.ctx, target, strings.NewReader(file), opts)
		require.NoError(t, err, name)
		require.Len(t, rep.Results, 1, name)
		res := rep.Results[0]
		assert.Equal(t, ical.Skipped, res.Action, name)
		assert.Contains(t, res.Reason, "hidden by moderators", name)
		assert.Empty(t, res.EventID, name)
		assert.Zero(t, found(), "%s: the hidden event is back in search", name)
		assert.Equal(t, id, uids.rows[alice+"\x00scam@x.example"].EventID, "%s: the UID still maps to the hidden event", name)
	}
	e, err := w.inst.Events.GetForModeration(w.ctx, id)
	require.NoError(t, err)
	assert.True(t, e.Hidden)
	assert.Equal(t, "Miracle cure workshop", e.Title, "a hidden event is not updated by the import either")

	// Shown again: the import updates it as before.
	require.NoError(t, w.inst.Events.HideEvent(w.ctx, id, false))
	rep, err = im.Import(w.ctx, target, strings.NewReader(changed), opts)
	require.NoError(t, err)
	assert.Equal(t, map[string]ical.Action{"scam@x.example": ical.Updated}, results(rep))
	assert.Equal(t, 1, found())

	// Really deleted here: imported again as new.
	require.NoError(t, w.inst.Events.Delete(w.ctx, alice, id))
	rep, err = im.Import(w.ctx, target, strings.NewReader(cal), opts)
	require.NoError(t, err)
	assert.Equal(t, map[string]ical.Action{"scam@x.example": ical.Created}, results(rep))
	assert.NotEqual(t, id, rep.Results[0].EventID)
	assert.Equal(t, 1, found())
}
