package events_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// Example shows an event with three seats: the fourth person to join is
// waitlisted and moves up when someone leaves.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	svc, _ := events.New(events.Config{Store: db, BaseURL: "https://events.example", Now: func() time.Time { return now }})

	// Actors normally come from identity.Service; here they are stored directly.
	for _, name := range []string{"org", "ann", "ben", "cat", "dan"} {
		_ = db.CreateActor(ctx, &identity.Actor{ID: name, APID: "https://events.example/@" + name,
			Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example"})
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	ev, err := svc.Create(ctx, "org", events.Input{
		Title:    "Repair café",
		BeginsAt: time.Date(2026, 5, 16, 14, 0, 0, 0, paris),
		EndsAt:   time.Date(2026, 5, 16, 18, 0, 0, 0, paris),
		TimeZone: "Europe/Paris",
		Capacity: 3,
	})
	if err != nil {
		panic(err)
	}
	for _, name := range []string{"ann", "ben", "cat", "dan"} {
		p, _ := svc.Join(ctx, ev.ID, name, events.JoinInput{})
		fmt.Println(name, p.Role)
	}
	_ = svc.Leave(ctx, ev.ID, "ben")
	p, _ := svc.Participation(ctx, ev.ID, "dan")
	fmt.Println("dan after ben left:", p.Role)
	// Output:
	// ann participant
	// ben participant
	// cat participant
	// dan waitlisted
	// dan after ben left: participant
}

// ExampleService_Search finds the occurrences of a weekly event.
func ExampleService_Search() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc, _ := events.New(events.Config{Store: db, BaseURL: "https://events.example", Now: func() time.Time { return now }})
	_ = db.CreateActor(ctx, &identity.Actor{ID: "org", APID: "https://events.example/@org",
		Type: identity.TypePerson, Local: true, Username: "org", Domain: "events.example"})

	paris, _ := time.LoadLocation("Europe/Paris")
	_, err = svc.Create(ctx, "org", events.Input{
		Title:      "Folk dance evening",
		BeginsAt:   time.Date(2026, 3, 17, 19, 0, 0, 0, paris),
		EndsAt:     time.Date(2026, 3, 17, 22, 0, 0, 0, paris),
		TimeZone:   "Europe/Paris",
		Recurrence: "FREQ=WEEKLY;BYDAY=TU;COUNT=3",
	})
	if err != nil {
		panic(err)
	}
	page, _ := svc.Search(ctx, events.Query{Text: "folk"})
	for _, o := range page.Occurrences {
		fmt.Println(o.Start.In(paris).Format("Mon 2 Jan 15:04 MST"), o.Event.Title)
	}
	// Output:
	// Tue 17 Mar 19:00 CET Folk dance evening
	// Tue 24 Mar 19:00 CET Folk dance evening
	// Tue 31 Mar 19:00 CEST Folk dance evening
}

// ExampleService_HideEvent hides an event as the instance's moderators
// do (the moderation service checks their role first): it leaves search
// and is not found, until it is shown again.
func ExampleService_HideEvent() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	svc, _ := events.New(events.Config{Store: db, BaseURL: "https://events.example", Now: func() time.Time { return now }})
	_ = db.CreateActor(ctx, &identity.Actor{ID: "org", APID: "https://events.example/@org",
		Type: identity.TypePerson, Local: true, Username: "org", Domain: "events.example"})
	ev, err := svc.Create(ctx, "org", events.Input{Title: "Miracle cure workshop",
		BeginsAt: time.Date(2026, 3, 10, 18, 0, 0, 0, time.UTC)})
	if err != nil {
		panic(err)
	}
	show := func(when string) {
		page, _ := svc.Search(ctx, events.Query{Text: "miracle"})
		_, err := svc.Get(ctx, "org", ev.ID)
		fmt.Printf("%s: %d found, get by its organizer: %v\n", when, len(page.Occurrences), err == nil)
	}
	show("shown")
	_ = svc.HideEvent(ctx, ev.ID, true)
	show("hidden")
	e, _ := svc.GetForModeration(ctx, ev.ID)
	fmt.Println("moderators see it, hidden:", e.Hidden)
	_ = svc.HideEvent(ctx, ev.ID, false)
	show("shown again")
	// Output:
	// shown: 1 found, get by its organizer: true
	// hidden: 0 found, get by its organizer: false
	// moderators see it, hidden: true
	// shown again: 1 found, get by its organizer: true
}
