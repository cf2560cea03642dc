package outbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// An instance whose event changes are queued for delivery in their own
// transaction: the Outbox is the three hooks of convene.Config. A
// delivery.Worker over the same store then POSTs the jobs.
func Example() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC) }
	dir, err := os.MkdirTemp("", "outbox-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	ob, err := outbox.New(outbox.Config{BaseURL: "https://events.example", Now: now})
	if err != nil {
		panic(err)
	}
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "https://events.example", Now: now,
		Argon2: cheapArgon2, GenerateKey: fixedKey, // tests only: cheap hashing, a fixed key
		EventHook: ob, GroupHook: ob, IdentityHook: ob})
	if err != nil {
		panic(err)
	}
	_, alice, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: "alice@mail.example",
		Password: "correct horse battery", Username: "alice"})
	if err != nil {
		panic(err)
	}
	// A Mastodon user follows alice (the inbox stored this when her Follow came in).
	chloe, err := inst.Identity.PutRemoteActor(ctx, &identity.Actor{APID: "https://mastodon.example/users/chloe",
		Type: identity.TypePerson, Username: "chloe", Inbox: "https://mastodon.example/users/chloe/inbox",
		SharedInbox: "https://mastodon.example/inbox"})
	if err != nil {
		panic(err)
	}
	if _, err := inst.Identity.Follow(ctx, chloe.ID, alice.ID, "https://mastodon.example/follows/1"); err != nil {
		panic(err)
	}

	begins := now().Add(72 * time.Hour)
	_, err = inst.Events.Create(ctx, alice.ID, events.Input{Title: "Repair café",
		BeginsAt: begins, EndsAt: begins.Add(3 * time.Hour), TimeZone: "Europe/Paris"})
	if err != nil {
		panic(err)
	}

	jobs, err := db.Lease(ctx, now(), 10, time.Minute, 0)
	if err != nil {
		panic(err)
	}
	for _, j := range jobs {
		var act struct{ Type, Actor string }
		if err := json.Unmarshal(j.Body, &act); err != nil {
			panic(err)
		}
		fmt.Printf("%s by %s: POST %s\n", act.Type, act.Actor, j.Inbox)
	}
	// Output:
	// Accept by https://events.example/@alice: POST https://mastodon.example/inbox
	// Create by https://events.example/@alice: POST https://mastodon.example/inbox
}
