package ical_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// benchEvents returns n varied events: zones, places, tags, HTML.
func benchEvents(tb testing.TB, n int) []events.Event {
	paris := mustZone(tb, "Europe/Paris")
	out := make([]events.Event, n)
	for i := range out {
		begin := time.Date(2026, 3, 1, 18, 0, 0, 0, paris).Add(time.Duration(i) * 7 * time.Hour)
		id := fmt.Sprintf("%08d-0000-4000-8000-000000000000", i)
		e := events.Event{
			ID: id, APID: "https://events.example/events/" + id, URL: "https://events.example/events/" + id,
			OrganizerID: "org", Title: fmt.Sprintf("Repair Café #%d; bring tools, cables", i),
			Description: "<p>Bring <strong>broken</strong> things &amp; tools.</p><p>We fix lamps, toasters, bikes; " +
				"coffee and cake are offered, donations welcome.</p>",
			BeginsAt: begin.UTC(), EndsAt: begin.Add(3 * time.Hour).UTC(), TimeZone: "Europe/Paris",
			Status: events.Confirmed, Visibility: events.Public,
			Place: &geo.Place{Name: "Maison des associations", Street: "1 rue de la Paix", PostalCode: "75002",
				Locality: "Paris", Country: "France", Latitude: ptr(48.8698), Longitude: ptr(2.3311)},
			Category: "WORKSHOPS_SKILL_SHARING", Tags: []string{"repair", "reuse"},
			Sequence: i % 5, CreatedAt: created, UpdatedAt: created.Add(time.Duration(i) * time.Minute),
		}
		if i%3 == 0 {
			e.TimeZone = ""
		}
		out[i] = e
	}
	return out
}

func benchCalendar(tb testing.TB, n int) *ical.Calendar {
	list := benchEvents(tb, n)
	c := &ical.Calendar{Name: "Bench", Horizon: time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)}
	for i := range list {
		c.Entries = append(c.Entries, ical.Entry{Event: &list[i], Organizer: ical.Person{URI: "https://events.example/@repair", Name: "Repair Café"}})
	}
	return c
}

// baseline is the minimal strings.Builder writer of the same properties
// the benchmark compares with: TEXT escaping, folding, CRLF, local times
// with TZID; no VTIMEZONE, no HTML to text.
func baseline(c *ical.Calendar) string {
	var b strings.Builder
	esc := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`)
	zones := map[string]*time.Location{}
	zone := func(name string) *time.Location {
		if loc, ok := zones[name]; ok {
			return loc
		}
		loc, _ := time.LoadLocation(name)
		zones[name] = loc
		return loc
	}
	line := func(s string) {
		limit := 75
		for len(s) > limit {
			cut := limit
			for cut > 0 && s[cut]&0xC0 == 0x80 {
				cut--
			}
			b.WriteString(s[:cut])
			b.WriteString("\r\n ")
			s = s[cut:]
			limit = 74
		}
		b.WriteString(s)
		b.WriteString("\r\n")
	}
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//bench//EN")
	for _, en := range c.Entries {
		e := en.Event
		line("BEGIN:VEVENT")
		line("UID:" + e.APID)
		line("DTSTAMP:" + e.UpdatedAt.UTC().Format("20060102T150405Z"))
		if e.TimeZone != "" {
			loc := zone(e.TimeZone)
			line("DTSTART;TZID=" + e.TimeZone + ":" + e.BeginsAt.In(loc).Format("20060102T150405"))
			line("DTEND;TZID=" + e.TimeZone + ":" + e.EndsAt.In(loc).Format("20060102T150405"))
		} else {
			line("DTSTART:" + e.BeginsAt.UTC().Format("20060102T150405Z"))
			line("DTEND:" + e.EndsAt.UTC().Format("20060102T150405Z"))
		}
		line("SUMMARY:" + esc.Replace(e.Title))
		line("DESCRIPTION:" + esc.Replace(e.Description))
		line("X-ALT-DESC;FMTTYPE=text/html:" + esc.Replace(e.Description))
		line("LOCATION:" + esc.Replace(e.Place.Name+", "+e.Place.Street+", "+e.Place.PostalCode+" "+e.Place.Locality+", "+e.Place.Country))
		line("GEO:" + strconv.FormatFloat(*e.Place.Latitude, 'f', -1, 64) + ";" + strconv.FormatFloat(*e.Place.Longitude, 'f', -1, 64))
		line("URL:" + e.URL)
		line("STATUS:CONFIRMED")
		line("CLASS:PUBLIC")
		line("SEQUENCE:" + strconv.Itoa(e.Sequence))
		line("CREATED:" + e.CreatedAt.UTC().Format("20060102T150405Z"))
		line("LAST-MODIFIED:" + e.UpdatedAt.UTC().Format("20060102T150405Z"))
		line(`ORGANIZER;CN="` + en.Organizer.Name + `":` + en.Organizer.URI)
		line("CATEGORIES:" + esc.Replace(e.Category) + "," + esc.Replace(e.Tags[0]) + "," + esc.Replace(e.Tags[1]))
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

// viaGolangICal builds the same calendar with golang-ical, the way
// LIBRARIES.md recommends (CRLF, TZID through SetProperty).
func viaGolangICal(c *ical.Calendar) string {
	cal := ics.NewCalendarFor("events.example")
	cal.SetMethod(ics.MethodPublish)
	for _, en := range c.Entries {
		e := en.Event
		ev := cal.AddEvent(e.APID)
		ev.SetDtStampTime(e.UpdatedAt)
		if e.TimeZone != "" {
			loc, _ := time.LoadLocation(e.TimeZone)
			ev.SetProperty(ics.ComponentPropertyDtStart, e.BeginsAt.In(loc).Format("20060102T150405"), ics.WithTZID(e.TimeZone))
			ev.SetProperty(ics.ComponentPropertyDtEnd, e.EndsAt.In(loc).Format("20060102T150405"), ics.WithTZID(e.TimeZone))
		} else {
			ev.SetStartAt(e.BeginsAt)
			ev.SetEndAt(e.EndsAt)
		}
		ev.SetSummary(e.Title)
		ev.SetDescription(e.Description)
		ev.SetLocation(e.Place.Name)
		ev.SetGeo(*e.Place.Latitude, *e.Place.Longitude)
		ev.SetURL(e.URL)
		ev.SetStatus(ics.ObjectStatusConfirmed)
		ev.SetSequence(e.Sequence)
		ev.SetProperty(ics.ComponentPropertyOrganizer, en.Organizer.URI, ics.WithCN(en.Organizer.Name))
		ev.AddCategory(e.Category)
	}
	return cal.Serialize(ics.WithNewLineWindows)
}

const benchN = 10_000

func BenchmarkExport10k(b *testing.B) {
	c := benchCalendar(b, benchN)
	b.Run("convene", func(b *testing.B) {
		for b.Loop() {
			_ = ical.Marshal(c)
		}
	})
	b.Run("baseline-strings.Builder", func(b *testing.B) {
		for b.Loop() {
			_ = baseline(c)
		}
	})
	b.Run("golang-ical", func(b *testing.B) {
		for b.Loop() {
			_ = viaGolangICal(c)
		}
	})
}

// BenchmarkExportRatio reports Marshal's time over the baseline's, both
// measured in the same loop (target: at most 2).
func BenchmarkExportRatio(b *testing.B) {
	c := benchCalendar(b, benchN)
	var ours, base time.Duration
	for b.Loop() {
		t := time.Now()
		_ = ical.Marshal(c)
		ours += time.Since(t)
		t = time.Now()
		_ = baseline(c)
		base += time.Since(t)
	}
	b.ReportMetric(float64(ours)/float64(base), "ratio")
	b.ReportMetric(float64(ours.Milliseconds())/float64(b.N), "ms/marshal")
}

// memSource is an in-memory EventSource for the feed benchmarks.
type memSource struct{ list []events.Event }

func (m *memSource) GetEvent(_ context.Context, id string) (*events.Event, error) {
	for i := range m.list {
		if m.list[i].ID == id {
			e := m.list[i]
			return &e, nil
		}
	}
	return nil, storage.ErrNotFound
}

func (m *memSource) FindEvents(_ context.Context, q events.StoreQuery) ([]events.Event, error) {
	var out []events.Event
	for _, e := range m.list {
		if !e.BeginsAt.Before(q.From) && e.BeginsAt.Before(q.To) && (q.OrganizerID == "" || e.OrganizerID == q.OrganizerID) && len(out) < q.Limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memSource) FindSeries(context.Context, events.StoreQuery) ([]events.Event, error) {
	return nil, nil
}

func (m *memSource) ListParticipations(context.Context, string, []events.ParticipantRole, storage.Cursor, int) ([]events.Participant, error) {
	return nil, nil
}

func (m *memSource) ListParticipants(context.Context, string, []events.ParticipantRole, storage.Cursor, int) ([]events.Participant, error) {
	return nil, nil
}

// memDirectory knows one profile, "org".
type memDirectory struct{}

var orgActor = identity.Actor{ID: "org", APID: "https://events.example/@repair", Type: identity.TypePerson, Username: "repair", DisplayName: "Repair Café", Local: true}

func (memDirectory) ResolveFeedToken(context.Context, string) (*identity.FeedToken, error) {
	return nil, identity.ErrNotFound
}
func (memDirectory) ListProfiles(context.Context, string) ([]identity.Profile, error) {
	return nil, nil
}
func (memDirectory) GetActor(_ context.Context, id string) (*identity.Actor, error) {
	if id == "org" {
		a := orgActor
		return &a, nil
	}
	return nil, identity.ErrNotFound
}
func (memDirectory) GetLocalActor(_ context.Context, name string) (*identity.Actor, error) {
	if name == "repair" {
		a := orgActor
		return &a, nil
	}
	return nil, identity.ErrNotFound
}

type memGroups struct{}

func (memGroups) Get(context.Context, string) (*groups.Group, error) { return nil, storage.ErrNotFound }

// BenchmarkFeed measures a whole feed request over an in-memory source
// of benchN events: a full answer and a 304.
func BenchmarkFeed(b *testing.B) {
	f, err := ical.NewFeeds(ical.FeedConfig{Events: &memSource{list: benchEvents(b, benchN)}, Identity: memDirectory{},
		Groups: memGroups{}, BaseURL: "https://events.example", Now: func() time.Time { return t0 }, AheadWindow: 10 * 366 * 24 * time.Hour})
	require.NoError(b, err)
	first := httptest.NewRecorder()
	f.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/@repair/feed.ics", nil))
	require.Equal(b, http.StatusOK, first.Code)
	etag := first.Header().Get("ETag")
	b.Run("200", func(b *testing.B) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			f.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/@repair/feed.ics", nil))
		}
	})
	b.Run("304", func(b *testing.B) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/@repair/feed.ics", nil)
			r.Header.Set("If-None-Match", etag)
			f.ServeHTTP(rec, r)
			if rec.Code != http.StatusNotModified {
				b.Fatal(rec.Code)
			}
		}
	})
}

// TestBenchCalendarsAreValid keeps the benchmark honest: what it times
// is a valid calendar, and the baseline writes the same events.
func TestBenchCalendarsAreValid(t *testing.T) {
	t.Parallel()
	c := benchCalendar(t, 50)
	cal := checkRFC(t, ical.Marshal(c))
	require.Len(t, cal.subs("VEVENT"), 50)
	base, err := ics.ParseCalendar(strings.NewReader(baseline(c)))
	require.NoError(t, err)
	require.Len(t, base.Events(), 50)
	parsed, err := ics.ParseCalendar(strings.NewReader(viaGolangICal(c)))
	require.NoError(t, err)
	require.Len(t, parsed.Events(), 50)
}

// BenchmarkFeedSQLite measures a profile feed of 500 events over SQLite:
// a full answer and a 304 (the store queries, the organizer lookup and
// the ETag; no calendar is written).
func BenchmarkFeedSQLite(b *testing.B) {
	w := newWorld(b)
	_, ana := w.register("ana")
	for i := range 500 {
		_, err := w.inst.Events.Create(w.ctx, ana, events.Input{Title: fmt.Sprintf("Event %d; with, text", i),
			Description: "<p>Some <b>text</b></p>", TimeZone: "Europe/Paris",
			BeginsAt: t0.Add(time.Duration(i+1) * 13 * time.Hour)})
		require.NoError(b, err)
	}
	first := w.get("/@ana/feed.ics")
	require.Equal(b, http.StatusOK, first.StatusCode)
	etag := first.Header.Get("ETag")
	b.Run("200", func(b *testing.B) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			w.feeds.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/@ana/feed.ics", nil))
		}
	})
	b.Run("304", func(b *testing.B) {
		for b.Loop() {
			rec := httptest.NewRecorder()
			r := httptest.NewRequest(http.MethodGet, "/@ana/feed.ics", nil)
			r.Header.Set("If-None-Match", etag)
			w.feeds.ServeHTTP(rec, r)
			if rec.Code != http.StatusNotModified {
				b.Fatal(rec.Code)
			}
		}
	})
}
