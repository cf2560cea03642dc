package events_test

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// FuzzCreate feeds outside text into every string field of an event:
// creation either fails with a *ValidationError or stores an event whose
// text fields are valid UTF-8, within their limits and free of markup.
func FuzzCreate(f *testing.F) {
	f.Add("Repair café", "<p>hi</p>", "Europe/Paris", "MEETING", "repair", "https://pad.example", "FREQ=WEEKLY;BYDAY=TU", int64(3600))
	f.Add("<script>x</script>", "<img onerror=x>", "../etc", "a b", "#", "javascript:x", "FREQ=DAILY;COUNT=0", int64(-5))
	f.Add("\x00", "\xff", "", "", "", "", "", int64(0))
	fx := newFixture(f, sqlitetest.Open(f))
	org := fx.actor("org")
	f.Fuzz(func(t *testing.T, title, desc, zone, category, tag, link, rrule string, durSeconds int64) {
		f := fx
		in := events.Input{Title: title, Description: desc, TimeZone: zone, Category: category,
			Tags: []string{tag}, Links: []events.Link{{URL: link}}, Recurrence: rrule,
			BeginsAt: t0.Add(time.Hour), EndsAt: t0.Add(time.Hour + time.Duration(durSeconds)*time.Second)}
		e, err := f.svc.Create(f.ctx, org, in)
		if err != nil {
			var ve *events.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("not a validation error: %v", err)
			}
			return
		}
		for _, s := range append([]string{e.Title, e.Description, e.Category}, e.Tags...) {
			if !utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 stored: %q", s)
			}
		}
		if utf8.RuneCountInString(e.Title) > events.MaxTitleLength || e.Title == "" {
			t.Fatalf("title %q outside limits", e.Title)
		}
		got, err := f.store.GetEvent(f.ctx, e.ID)
		if err != nil || got.Title != e.Title || got.Recurrence != e.Recurrence {
			t.Fatalf("stored event differs: %v", err)
		}
	})
}
