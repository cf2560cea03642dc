package wire_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/geo"
)

// eventCases are fully populated events in every shape the wire knows.
func eventCases() []struct {
	name string
	view wire.EventView
} {
	full := fullView()

	online := fullView()
	online.Members = ""
	online.Organizer, online.Actor = "https://convene.example/@alice", ""
	online.Event.Visibility = events.Unlisted
	online.Event.Place = nil
	online.Event.OnlineAddress = "https://meet.example/repair"
	online.Event.JoinMode = events.JoinFree
	online.Event.Capacity = 0
	online.Event.Status = events.Tentative

	hybrid := fullView()
	hybrid.Event.Visibility = events.Private
	hybrid.Event.OnlineAddress = "https://meet.example/repair"
	hybrid.Event.Place = &geo.Place{Name: "Casa de Cultura", Street: "Rua Augusta 1000", Locality: "São Paulo",
		Country: "Brasil", Latitude: f64(-23.5505), Longitude: f64(-46.6333)}
	hybrid.Event.TimeZone = "America/Sao_Paulo"
	hybrid.Event.JoinMode = events.JoinExternal
	hybrid.Event.ExternalURL = "https://tickets.example/casa"
	hybrid.Event.Status = events.Postponed
	hybrid.Event.Draft = true

	recurring := fullView()
	recurring.Event.Title = "2024"
	recurring.Event.Recurrence = "FREQ=WEEKLY;COUNT=10;BYDAY=SA"
	recurring.Event.ExDates = []time.Time{mustTime("2025-05-24T12:00:00Z")}
	recurring.Event.SeriesEndsAt = mustTime("2025-07-19T16:00:00Z")
	recurring.Event.Status = events.Rescheduled
	recurring.Event.CommentModeration = events.CommentsClosed
	recurring.Now = mustTime("2025-06-01T00:00:00Z")

	west := fullView()
	west.Event.Place = &geo.Place{Name: "Plaza", Latitude: f64(-0.5), Longitude: f64(-78.25)}
	west.Event.TimeZone = "America/Guayaquil"
	west.Event.Status = events.Cancelled
	west.Event.Tags = nil
	west.Event.Links = nil
	west.Event.PictureURL = ""
	west.Event.Language = ""
	west.Event.Category = "HEALTH" // not in FEP-8a8e's list: kept
	west.Event.BeginsAt = mustTime("2025-05-17T12:00:00.5Z")

	utc := fullView()
	utc.Event.TimeZone = ""
	utc.Event.Place = nil
	utc.Event.Links = nil
	utc.Event.JoinMode = events.JoinNone

	return []struct {
		name string
		view wire.EventView
	}{
		{"event-public-group", full},
		{"event-online-unlisted", online},
		{"event-hybrid-private", hybrid},
		{"event-recurring", recurring},
		{"event-negative-coordinates", west},
		{"event-utc", utc},
	}
}

func TestEventGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range eventCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := wire.EventDocument(tc.view)
			require.NoError(t, err)
			golden(t, tc.name, b)
			c, err := wire.Marshal(wire.CreateEvent(tc.view))
			require.NoError(t, err)
			golden(t, "create-"+tc.name, c)
		})
	}
}

// TestEventRoundTrip: domain → JSON → domain is the identity for every
// field the wire carries. Storage ids (ID, OrganizerID, GroupID,
// CreatorID, Contacts) travel as IRIs and come back in ParsedEvent.
func TestEventRoundTrip(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	for _, tc := range eventCases() {
		t.Run(tc.name, func(t *testing.T) {
			b, err := wire.EventDocument(tc.view)
			require.NoError(t, err)
			got, err := p.ParseEvent(b)
			require.NoError(t, err)

			want := tc.view.Event
			want.ID = ""
			assert.Equal(t, want, got.Event)
			assert.Equal(t, tc.view.Event.ID, got.UUID)
			assert.Equal(t, tc.view.Organizer, got.AttributedTo)
			assert.Equal(t, []string{tc.view.Organizer}, got.Organizers)
			assert.Equal(t, tc.view.Contacts, got.Contacts)
			require.NotNil(t, got.ParticipantCount)
			assert.Equal(t, tc.view.ParticipantCount, *got.ParticipantCount)
			assert.Empty(t, got.Extra)
			assert.False(t, got.NoEndTime)

			// Through Create{Event} too.
			c, err := wire.Marshal(wire.CreateEvent(tc.view))
			require.NoError(t, err)
			act, err := p.ParseActivity(c)
			require.NoError(t, err)
			require.NotNil(t, act.Event)
			assert.Equal(t, want, act.Event.Event)
			assert.Equal(t, wire.TypeCreate, act.Type)
			assert.Equal(t, tc.view.Event.APID, act.ObjectIRI)
		})
	}
}

// A preloaded Zone gives the same document as loading it.
func TestEventZonePreloaded(t *testing.T) {
	t.Parallel()
	v := fullView()
	want, err := wire.EventDocument(v)
	require.NoError(t, err)
	v.Zone, err = time.LoadLocation(v.Event.TimeZone)
	require.NoError(t, err)
	got, err := wire.EventDocument(v)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestEventRecurringShowsNextOccurrence(t *testing.T) {
	t.Parallel()
	var v wire.EventView
	for _, tc := range eventCases() {
		if tc.name == "event-recurring" {
			v = tc.view
		}
	}
	b, err := wire.EventDocument(v)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	// Now is Sunday June 1: the next Saturday is June 7, 14:00 in Paris.
	assert.Equal(t, "2025-06-07T14:00:00+02:00", doc["startTime"])
	assert.Equal(t, "2025-06-07T18:00:00+02:00", doc["endTime"])
	assert.Equal(t, "2025-05-17T14:00:00+02:00", doc["ical:dtstart"])
	assert.Equal(t, "FREQ=WEEKLY;COUNT=10;BYDAY=SA", doc["ical:rrule"])
	assert.Contains(t, doc["summary"], "Next: Saturday, June 7, 2025, 2:00 PM – 6:00 PM (Europe/Paris, UTC+02:00).")
	assert.Contains(t, doc["summary"], "Repeats every week on Saturday, 10 times.")

	// After the series, the last occurrence is shown.
	v.Now = mustTime("2030-01-01T00:00:00Z")
	s, err := wire.Summary(v)
	require.NoError(t, err)
	assert.Contains(t, s, "Saturday, July 19, 2025")
}

// The Mastodon-facing summary has the date, the time zone and the place.
func TestSummary(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*wire.EventView)
		want string
	}{
		{"in person", func(*wire.EventView) {},
			"Saturday, May 17, 2025, 2:00 PM – 6:00 PM (Europe/Paris, UTC+02:00). Maison des associations, 10 Rue Jangot, 69007 Lyon, France."},
		{"online", func(v *wire.EventView) { v.Event.Place = nil; v.Event.OnlineAddress = "https://meet.example/x" },
			"Saturday, May 17, 2025, 2:00 PM – 6:00 PM (Europe/Paris, UTC+02:00). Online."},
		{"hybrid, cancelled", func(v *wire.EventView) {
			v.Event.OnlineAddress = "https://meet.example/x"
			v.Event.Status = events.Cancelled
		}, "Cancelled: Saturday, May 17, 2025, 2:00 PM – 6:00 PM (Europe/Paris, UTC+02:00). Maison des associations, 10 Rue Jangot, 69007 Lyon, France, and online."},
		{"over two days, São Paulo", func(v *wire.EventView) {
			v.Event.TimeZone = "America/Sao_Paulo"
			v.Event.EndsAt = mustTime("2025-05-18T16:00:00Z")
			v.Event.Place = &geo.Place{Name: "Casa", Region: "SP"}
		}, "Saturday, May 17, 2025, 9:00 AM – Sunday, May 18, 2025, 1:00 PM (America/Sao_Paulo, UTC-03:00). Casa, SP."},
		{"UTC", func(v *wire.EventView) { v.Event.TimeZone = ""; v.Event.Place = nil },
			"Saturday, May 17, 2025, 12:00 PM – 4:00 PM (UTC)."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := fullView()
			tc.edit(&v)
			s, err := wire.Summary(v)
			require.NoError(t, err)
			assert.Equal(t, tc.want, s)
		})
	}
}

func TestEventDocumentRefusesBadViews(t *testing.T) {
	t.Parallel()
	cases := map[string]func(*wire.EventView){
		"no id":        func(v *wire.EventView) { v.Event.APID = "" },
		"no organizer": func(v *wire.EventView) { v.Organizer = "" },
		"no start":     func(v *wire.EventView) { v.Event.BeginsAt = time.Time{} },
		"bad zone":     func(v *wire.EventView) { v.Event.TimeZone = "Mars/Olympus" },
		"bad rule":     func(v *wire.EventView) { v.Event.Recurrence = "FREQ=SECONDLY"; v.Now = time.Now() },
		"wrong Zone":   func(v *wire.EventView) { v.Zone = time.UTC },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			v := fullView()
			edit(&v)
			_, err := wire.EventDocument(v)
			require.ErrorIs(t, err, wire.ErrInvalid)
		})
	}
}

// Unknown properties of a remote event survive a relay.
func TestEventRelayKeepsUnknownProperties(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	pe, err := p.ParseEvent([]byte(`{"type":"Event","id":"https://gancio.example/m/1","name":"Concert",
		"startTime":"2026-07-14T21:30:00+02:00","attributedTo":"https://gancio.example/u/g",
		"pt:views":12,"conversation":"https://gancio.example/c/1","joinMode":"free","signature":{"type":"RsaSignature2017"}}`))
	require.NoError(t, err)
	require.Len(t, pe.Extra, 2) // the LD signature is not kept: it would not verify on a rewritten document
	b, err := wire.EventDocument(wire.EventView{Event: pe.Event, Organizer: pe.AttributedTo, Extra: pe.Extra})
	require.NoError(t, err)
	var m map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &m))
	assert.JSONEq(t, `12`, string(m["pt:views"]))
	assert.JSONEq(t, `"https://gancio.example/c/1"`, string(m["conversation"]))
	assert.JSONEq(t, `"free"`, string(m["joinMode"]))
	again, err := p.ParseEvent(b)
	require.NoError(t, err)
	assert.Equal(t, pe.Extra, again.Extra)
}
