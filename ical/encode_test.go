package ical_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/ical"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var created = time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func ptr[T any](v T) *T { return &v }

// sampleEvent is a full event in Paris.
func sampleEvent(t testing.TB) *events.Event {
	paris := mustZone(t, "Europe/Paris")
	return &events.Event{
		ID: "ev1", APID: "https://events.example/events/ev1", URL: "https://events.example/events/ev1", Local: true,
		Title:       "Repair Café; São Paulo, edição #3",
		Description: "<p>Bring <strong>broken</strong> things &amp; tools.</p><p>Second paragraph</p>",
		BeginsAt:    time.Date(2026, 3, 14, 14, 0, 0, 0, paris).UTC(),
		EndsAt:      time.Date(2026, 3, 14, 18, 0, 0, 0, paris).UTC(),
		TimeZone:    "Europe/Paris",
		Status:      events.Confirmed, Visibility: events.Public,
		OnlineAddress: "https://visio.example/room",
		Place: &geo.Place{Name: "Maison des associations", Street: "1 rue de la Paix", PostalCode: "75002",
			Locality: "Paris", Country: "France", Latitude: ptr(48.8698), Longitude: ptr(2.3311)},
		Category: "WORKSHOPS_SKILL_SHARING", Tags: []string{"repair", "reuse"},
		PictureURL: "https://events.example/media/banner.jpg",
		Sequence:   3, CreatedAt: created, UpdatedAt: created.Add(48 * time.Hour), PublishedAt: created,
	}
}

func sampleCalendar(t testing.TB) *ical.Calendar {
	e := sampleEvent(t)
	sp := mustZone(t, "America/Sao_Paulo")
	weekly := &events.Event{
		ID: "ev2", APID: "https://events.example/events/ev2", URL: "https://events.example/events/ev2",
		Title:    "Weekly meetup",
		BeginsAt: time.Date(2026, 3, 17, 19, 0, 0, 0, mustZone(t, "Europe/Paris")).UTC(),
		EndsAt:   time.Date(2026, 3, 17, 21, 0, 0, 0, mustZone(t, "Europe/Paris")).UTC(),
		TimeZone: "Europe/Paris", Status: events.Tentative, Visibility: events.Public,
		Recurrence: "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260421",
		ExDates:    []time.Time{time.Date(2026, 4, 7, 19, 0, 0, 0, mustZone(t, "Europe/Paris")).UTC()},
		CreatedAt:  created, UpdatedAt: created,
	}
	weekly.SeriesEndsAt = time.Date(2026, 4, 21, 21, 0, 0, 0, mustZone(t, "Europe/Paris")).UTC()
	brazil := &events.Event{
		ID: "ev3", APID: "https://events.example/events/ev3",
		Title:    "Samba night",
		BeginsAt: time.Date(2026, 5, 2, 20, 0, 0, 0, sp).UTC(), EndsAt: time.Date(2026, 5, 3, 2, 0, 0, 0, sp).UTC(),
		TimeZone: "America/Sao_Paulo", Status: events.Cancelled, Visibility: events.Unlisted,
		CreatedAt: created, UpdatedAt: created,
	}
	utc := &events.Event{
		ID: "ev4", APID: "https://events.example/events/ev4",
		Title:    "Online only",
		BeginsAt: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC), OnlineAddress: "https://stream.example/live",
		Visibility: events.Private, CreatedAt: created, UpdatedAt: created,
	}
	return &ical.Calendar{
		Name: "Repair Café, Paris", Description: "Upcoming events", Source: "https://events.example/@repair/feed.ics",
		Horizon: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		Entries: []ical.Entry{
			{Event: e, Organizer: ical.Person{URI: "https://events.example/@repair", Name: "Repair Café: Paris"},
				Attendees: []ical.Attendee{{Person: ical.Person{URI: "https://events.example/@ana", Name: "Ana"}, Role: events.RoleParticipant}}},
			{Event: weekly, Organizer: ical.Person{URI: "https://events.example/@repair", Name: "Repair Café"}},
			{Event: brazil},
			{Event: utc},
		},
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./ical -run %s -update", t.Name())
	assert.Equal(t, string(want), string(got), "golden file %s (rerun with -update after checking the change)", path)
}

func TestMarshalGolden(t *testing.T) {
	t.Parallel()
	out := ical.Marshal(sampleCalendar(t))
	golden(t, "calendar.ics", out)
	cal := checkRFC(t, out)

	assert.Equal(t, "PUBLISH", cal.get("METHOD"))
	assert.Equal(t, "GREGORIAN", cal.get("CALSCALE"))
	assert.Equal(t, `Repair Café\, Paris`, cal.get("NAME"))
	assert.Equal(t, cal.get("NAME"), cal.get("X-WR-CALNAME"))
	assert.Equal(t, "PT1H", cal.get("REFRESH-INTERVAL"))
	assert.Equal(t, "PT1H", cal.get("X-PUBLISHED-TTL"))
	assert.Empty(t, cal.all("X-WR-TIMEZONE"), "two zones: no X-WR-TIMEZONE")
	require.Len(t, cal.subs("VTIMEZONE"), 2)

	evs := cal.subs("VEVENT")
	require.Len(t, evs, 4)
	e := evs[0]
	assert.Equal(t, "https://events.example/events/ev1", e.get("UID"))
	assert.Equal(t, "Repair Café; São Paulo, edição #3", unescapeText(t, e.get("SUMMARY")))
	assert.Equal(t, "Bring broken things & tools.\n\nSecond paragraph", unescapeText(t, e.get("DESCRIPTION")))
	assert.Equal(t, "text/html", e.all("X-ALT-DESC")[0].Params["FMTTYPE"])
	assert.Equal(t, sampleEvent(t).Description, unescapeText(t, e.get("X-ALT-DESC")))
	assert.Equal(t, "Maison des associations, 1 rue de la Paix, 75002 Paris, France", unescapeText(t, e.get("LOCATION")))
	assert.Equal(t, "48.8698;2.3311", e.get("GEO"))
	assert.Equal(t, "20260314T140000", e.get("DTSTART"))
	assert.Equal(t, "Europe/Paris", e.all("DTSTART")[0].Params["TZID"])
	assert.Equal(t, "20260314T180000", e.get("DTEND"))
	assert.Equal(t, "CONFIRMED", e.get("STATUS"))
	assert.Equal(t, "PUBLIC", e.get("CLASS"))
	assert.Equal(t, "3", e.get("SEQUENCE"))
	assert.Equal(t, "20260201T100000Z", e.get("CREATED"))
	assert.Equal(t, "20260203T100000Z", e.get("LAST-MODIFIED"))
	assert.Equal(t, "https://events.example/@repair", e.get("ORGANIZER"))
	assert.Equal(t, "Repair Café: Paris", e.all("ORGANIZER")[0].Params["CN"])
	assert.Equal(t, "WORKSHOPS_SKILL_SHARING,repair,reuse", e.get("CATEGORIES"))
	assert.Equal(t, "https://visio.example/room", e.get("CONFERENCE"))
	assert.Equal(t, "https://events.example/media/banner.jpg", e.get("IMAGE"))
	assert.Equal(t, "https://events.example/@ana", e.get("ATTENDEE"))

	w := evs[1]
	assert.Equal(t, "FREQ=WEEKLY;BYDAY=TU;UNTIL=20260421T215959Z", w.get("RRULE"), "UNTIL as the end of the local day, in UTC")
	assert.Equal(t, "20260407T190000", w.get("EXDATE"))
	assert.Equal(t, "Europe/Paris", w.all("EXDATE")[0].Params["TZID"])
	assert.Equal(t, "TENTATIVE", w.get("STATUS"))

	assert.Equal(t, "CANCELLED", evs[2].get("STATUS"))
	assert.Equal(t, "America/Sao_Paulo", evs[2].all("DTSTART")[0].Params["TZID"])
	u := evs[3]
	assert.Equal(t, "20260601T120000Z", u.get("DTSTART"), "no zone: UTC")
	assert.Empty(t, u.all("DTEND"))
	assert.Equal(t, "PRIVATE", u.get("CLASS"))
	assert.Equal(t, "https://stream.example/live", unescapeText(t, u.get("LOCATION")), "the online address is the location of an online event")
}

func TestOneZoneSetsXWRTimezone(t *testing.T) {
	t.Parallel()
	cal := checkRFC(t, ical.Marshal(&ical.Calendar{Entries: []ical.Entry{{Event: sampleEvent(t)}}}))
	assert.Equal(t, "Europe/Paris", cal.get("X-WR-TIMEZONE"))
	assert.Equal(t, ical.DefaultProdID, unescapeText(t, cal.get("PRODID")))
}

func TestInjection(t *testing.T) {
	t.Parallel()
	evil := "Party\r\nATTENDEE:mailto:x@y\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:forged"
	e := sampleEvent(t)
	e.Title = evil
	e.Description = evil + "<p>;,\\ " + strings.Repeat("long ", 2000) + "</p>"
	e.Place.Name = "Hall\nX-INJECTED:1"
	e.Tags = []string{"a,b", "c;d", "e\\f", "g\r\nCLASS:PRIVATE"}
	e.URL = "https://x.example/\r\nX-INJECTED:1"
	e.PictureURL = "javascript:alert(1)\nX:1"
	org := ical.Person{URI: "https://events.example/@x", Name: "Org\"\r\n;X-INJECTED=1:mailto:a@b"}
	out := ical.Marshal(&ical.Calendar{Name: evil, Entries: []ical.Entry{{Event: e, Organizer: org}}})
	cal := checkRFC(t, out)
	require.Len(t, cal.subs("VEVENT"), 1, "one VEVENT per event")
	ev := cal.subs("VEVENT")[0]
	assert.Empty(t, ev.all("ATTENDEE"))
	assert.Empty(t, ev.all("X-INJECTED"))
	assert.Len(t, ev.all("UID"), 1)
	assert.Equal(t, "https://events.example/events/ev1", ev.get("UID"))
	assert.Len(t, ev.all("CLASS"), 1)
	assert.Empty(t, ev.all("URL"), "an unsafe URI is left out, not written")
	assert.Equal(t, "Party\nATTENDEE:mailto:x@y\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged", unescapeText(t, ev.get("SUMMARY")))
	assert.Contains(t, unescapeText(t, ev.get("DESCRIPTION")), `;,\ long`)
	assert.Equal(t, `a\,b,c\;d,e\\f,g\nCLASS:PRIVATE`, ev.get("CATEGORIES")[len("WORKSHOPS_SKILL_SHARING,"):])
	assert.Equal(t, `Org;X-INJECTED=1:mailto:a@b`, ev.all("ORGANIZER")[0].Params["CN"])

	// golang-ical, a strict independent parser, finds the same.
	parsed, err := ics.ParseCalendar(bytes.NewReader(out))
	require.NoError(t, err)
	require.Len(t, parsed.Events(), 1)
	assert.Equal(t, "Party\nATTENDEE:mailto:x@y\nEND:VEVENT\nBEGIN:VEVENT\nUID:forged", parsed.Events()[0].GetProperty(ics.ComponentPropertySummary).Value)
	assert.Empty(t, parsed.Events()[0].Attendees())
}

func TestRoundTripGolangICal(t *testing.T) {
	t.Parallel()
	c := sampleCalendar(t)
	out := ical.Marshal(c)
	parsed, err := ics.ParseCalendar(bytes.NewReader(out))
	require.NoError(t, err)
	evs := parsed.Events()
	require.Len(t, evs, len(c.Entries))
	for i, pe := range evs {
		want := c.Entries[i].Event
		assert.Equal(t, want.APID, pe.Id())
		start, err := pe.GetStartAt()
		require.NoError(t, err)
		assert.True(t, want.BeginsAt.Equal(start), "start %v, want %v", start, want.BeginsAt)
		if !want.EndsAt.IsZero() {
			end, err := pe.GetEndAt()
			require.NoError(t, err)
			assert.True(t, want.EndsAt.Equal(end), "end %v, want %v", end, want.EndsAt)
		}
		assert.Equal(t, want.Title, pe.GetProperty(ics.ComponentPropertySummary).Value)
	}
	first := evs[0]
	assert.Equal(t, "Maison des associations, 1 rue de la Paix, 75002 Paris, France", first.GetProperty(ics.ComponentPropertyLocation).Value)
	assert.Equal(t, "48.8698;2.3311", first.GetProperty(ics.ComponentPropertyGeo).Value)
	assert.Equal(t, "Bring broken things & tools.\n\nSecond paragraph", first.GetProperty(ics.ComponentPropertyDescription).Value)
	// Serialising golang-ical's reading again and re-reading keeps the events.
	again, err := ics.ParseCalendar(strings.NewReader(parsed.Serialize(ics.WithNewLineWindows)))
	require.NoError(t, err)
	assert.Len(t, again.Events(), len(c.Entries))
}

// TestDST checks the generated VTIMEZONEs by resolving the local times
// written in the file through them, as a client does, and comparing with
// the real instants.
func TestDST(t *testing.T) {
	t.Parallel()
	paris, sp := mustZone(t, "Europe/Paris"), mustZone(t, "America/Sao_Paulo")
	tests := []struct {
		name       string
		zone       *time.Location
		start, end time.Time
	}{
		// Spring forward in Paris: 02:00 → 03:00 on 2026-03-29.
		{"paris spring", paris, time.Date(2026, 3, 28, 22, 0, 0, 0, paris), time.Date(2026, 3, 29, 4, 0, 0, 0, paris)},
		// Fall back in Paris: 03:00 → 02:00 on 2026-10-25.
		{"paris autumn", paris, time.Date(2026, 10, 24, 23, 0, 0, 0, paris), time.Date(2026, 10, 25, 5, 0, 0, 0, paris)},
		// São Paulo's last daylight saving time began at midnight on 2018-11-04
		// (00:00 → 01:00) and ended on 2019-02-17 (00:00 → 23:00 the day before).
		{"sao paulo start", sp, time.Date(2018, 11, 3, 22, 0, 0, 0, sp), time.Date(2018, 11, 4, 3, 0, 0, 0, sp)},
		{"sao paulo end", sp, time.Date(2019, 2, 16, 21, 0, 0, 0, sp), time.Date(2019, 2, 17, 2, 0, 0, 0, sp)},
		// Since 2019, no DST: one observance.
		{"sao paulo today", sp, time.Date(2026, 1, 10, 20, 0, 0, 0, sp), time.Date(2026, 1, 11, 1, 0, 0, 0, sp)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := &events.Event{ID: "x", APID: "https://e.example/events/x", Title: tt.name,
				BeginsAt: tt.start.UTC(), EndsAt: tt.end.UTC(), TimeZone: tt.zone.String(), CreatedAt: created}
			cal := checkRFC(t, ical.Marshal(&ical.Calendar{Entries: []ical.Entry{{Event: e}}}))
			tz := vtimezone(t, cal, tt.zone.String())
			ev := cal.subs("VEVENT")[0]
			assert.Equal(t, tt.start.Format("20060102T150405"), ev.get("DTSTART"))
			assert.Equal(t, tt.end.Format("20060102T150405"), ev.get("DTEND"))
			assert.Equal(t, tt.start.UTC(), resolveLocal(t, tz, ev.get("DTSTART")).UTC())
			assert.Equal(t, tt.end.UTC(), resolveLocal(t, tz, ev.get("DTEND")).UTC())
			// Every observance agrees with Go's zone at its onset.
			for _, o := range tz.Subs {
				st, err := time.Parse("20060102T150405", o.get("DTSTART"))
				require.NoError(t, err)
				if st.Year() == 1970 {
					continue
				}
				onset := st.Add(-time.Duration(parseOffset(t, o.get("TZOFFSETFROM"))) * time.Second)
				_, off := onset.In(tt.zone).Zone()
				assert.Equal(t, off, parseOffset(t, o.get("TZOFFSETTO")), "offset after %s", o.get("DTSTART"))
				_, before := onset.Add(-time.Second).In(tt.zone).Zone()
				assert.Equal(t, before, parseOffset(t, o.get("TZOFFSETFROM")), "offset before %s", o.get("DTSTART"))
				assert.Equal(t, o.Name == "DAYLIGHT", onset.In(tt.zone).IsDST())
			}
		})
	}
}

// TestWeeklySeriesKeepsLocalTime: a weekly 19:00 series across the
// spring change stays at 19:00 in Paris, which is 18:00 UTC before and
// 17:00 UTC after; the file's VTIMEZONE must say so.
func TestWeeklySeriesKeepsLocalTime(t *testing.T) {
	t.Parallel()
	paris := mustZone(t, "Europe/Paris")
	first := time.Date(2026, 3, 17, 19, 0, 0, 0, paris)
	e := &events.Event{ID: "w", APID: "https://e.example/events/w", Title: "weekly", TimeZone: "Europe/Paris",
		BeginsAt: first.UTC(), EndsAt: first.Add(2 * time.Hour).UTC(), Recurrence: "FREQ=WEEKLY;COUNT=4", CreatedAt: created}
	cal := checkRFC(t, ical.Marshal(&ical.Calendar{Entries: []ical.Entry{{Event: e}}}))
	ev := cal.subs("VEVENT")[0]
	require.Equal(t, "FREQ=WEEKLY;COUNT=4", ev.get("RRULE"))
	require.Equal(t, "20260317T190000", ev.get("DTSTART"))
	tz := vtimezone(t, cal, "Europe/Paris")
	wantUTC := []int{18, 18, 17, 17} // Mar 17, 24 (CET), Mar 31, Apr 7 (CEST)
	for i := 0; i < 4; i++ {
		local := first.AddDate(0, 0, 7*i) // wall clock 19:00 each week
		got := resolveLocal(t, tz, local.Format("20060102T150405"))
		assert.Equal(t, wantUTC[i], got.UTC().Hour(), "occurrence %d", i)
		assert.Equal(t, local.UTC(), got.UTC())
	}
}
