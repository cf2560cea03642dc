package ical_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/ical"
)

// fakeWriter is an EventWriter that validates like a careful service
// would and keeps events in memory.
type fakeWriter struct {
	events map[string]events.Input
	n      int
}

func (f *fakeWriter) Create(_ context.Context, _ string, in events.Input) (*events.Event, error) {
	f.n++
	id := "e" + strings.Repeat("x", f.n%3) + string(rune('a'+f.n%26))
	f.events[id] = in
	return &events.Event{ID: id}, nil
}

func (f *fakeWriter) Update(_ context.Context, _, id string, in events.Input) (*events.Event, error) {
	f.events[id] = in
	return &events.Event{ID: id}, nil
}

func (f *fakeWriter) Delete(_ context.Context, _, id string) error {
	delete(f.events, id)
	return nil
}

func (f *fakeWriter) Get(_ context.Context, _, id string) (*events.Event, error) {
	if _, ok := f.events[id]; !ok {
		return nil, events.ErrNotFound
	}
	return &events.Event{ID: id}, nil
}

func (f *fakeWriter) GetForModeration(ctx context.Context, id string) (*events.Event, error) {
	return f.Get(ctx, "", id)
}

// FuzzImport feeds arbitrary bytes to the importer. It must not panic or
// hang, and whatever it accepts must be sane: each item has a UID and a
// title without line breaks, times in UTC, and its inputs survive an
// export to a valid calendar.
func FuzzImport(f *testing.F) {
	f.Add([]byte(meetup))
	if data, err := os.ReadFile("testdata/calendar.ics"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(vcal(vevent("UID:a", "SUMMARY:x", "DTSTART;TZID=Europe/Paris:20260329T023000", "DURATION:P1W2DT3H"))))
	f.Add([]byte(vcal(vevent("UID:a", "SUMMARY:x\\nEND:VEVENT", "DTSTART:20260329", "GEO:91;0", "RRULE:FREQ=DAILY;UNTIL=2026"))))
	f.Add([]byte("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:\r\n :x\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"))
	f.Add([]byte("BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART;TZID=\"a:b\";X=\"\":1\nEND:VCALENDAR"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec, err := ical.Decode(bytes.NewReader(data))
		if err != nil {
			require.ErrorIs(t, err, ical.ErrMalformed)
			return
		}
		for _, it := range dec.Items {
			require.NotEmpty(t, it.UID)
			require.LessOrEqual(t, len(it.UID), ical.MaxUIDLength)
			require.NotEmpty(t, it.Input.Title)
			require.True(t, utf8.ValidString(it.Input.Title))
			require.NotContains(t, it.Input.Title, "\n")
			require.LessOrEqual(t, utf8.RuneCountInString(it.Input.Title), events.MaxTitleLength)
			require.Equal(t, time.UTC, it.Input.BeginsAt.Location())
			require.LessOrEqual(t, len(it.Input.Tags), events.MaxTags)
			if it.Input.Place != nil && it.Input.Place.Latitude != nil {
				require.NoError(t, it.Input.Place.Validate())
			}
		}
		// What it read can be written out again as a valid calendar.
		c := &ical.Calendar{}
		for i := range dec.Items {
			in := dec.Items[i].Input
			e := &events.Event{ID: dec.Items[i].UID, APID: dec.Items[i].UID, Title: in.Title, Description: in.Description,
				BeginsAt: in.BeginsAt, EndsAt: in.EndsAt, TimeZone: in.TimeZone, Place: in.Place, Tags: in.Tags,
				Category: in.Category, Status: in.Status, Recurrence: in.Recurrence, ExDates: in.ExDates}
			c.Entries = append(c.Entries, ical.Entry{Event: e})
		}
		if len(c.Entries) > 0 {
			checkRFC(t, ical.Marshal(c))
		}
		// The importer writes through the fake and never fails on content.
		im, err := ical.NewImporter(ical.ImporterConfig{Events: &fakeWriter{events: map[string]events.Input{}}, UIDs: newMemUIDs()})
		require.NoError(t, err)
		rep, err := im.Apply(context.Background(), ical.Target{ActorID: "p"}, dec, nil)
		require.NoError(t, err)
		require.Len(t, rep.Results, len(dec.Items)+len(dec.Skipped))
	})
}
