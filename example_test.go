package convene_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// Example is the README's example: two people, a second identity, a
// group and its event, and a join.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	key, _ := rsa.GenerateKey(rand.Reader, 2048) // one key for every actor keeps the example fast
	inst, err := convene.New(convene.Config{
		Store: db, BaseURL: "https://events.example",
		Now:         func() time.Time { return now },
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: func() (*rsa.PrivateKey, error) { return key, nil },
	})
	if err != nil {
		panic(err)
	}

	// An account with its first profile, and a second identity for the choir.
	_, alice, err := inst.Identity.Register(ctx, identity.RegisterInput{
		Email: "alice@example.org", Password: "correct horse battery", Username: "alice"})
	if err != nil {
		panic(err)
	}
	choir, err := inst.Identity.CreateProfile(ctx, alice.AccountID, identity.ProfileInput{Username: "alice_sings"})
	if err != nil {
		panic(err)
	}

	// A group, and an event it organises with 40 seats.
	group, err := inst.Groups.Create(ctx, choir.ID, groups.CreateInput{
		Username: "choir", DisplayName: "Neighbourhood choir", Openness: groups.Open, Visibility: groups.Public})
	if err != nil {
		panic(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	ev, err := inst.Events.Create(ctx, choir.ID, events.Input{
		GroupID:  group.ID,
		Title:    "Spring concert",
		BeginsAt: time.Date(2026, 4, 18, 20, 0, 0, 0, paris),
		EndsAt:   time.Date(2026, 4, 18, 22, 0, 0, 0, paris),
		TimeZone: "Europe/Paris",
		Capacity: 40,
	})
	if err != nil {
		panic(err)
	}

	// Someone joins: a seat while there is one, the waiting list after that.
	_, bob, err := inst.Identity.Register(ctx, identity.RegisterInput{
		Email: "bob@example.org", Password: "another long password", Username: "bob"})
	if err != nil {
		panic(err)
	}
	p, err := inst.Events.Join(ctx, ev.ID, bob.ID, events.JoinInput{})
	if err != nil {
		panic(err)
	}
	fmt.Println(ev.APID == "https://events.example/events/"+ev.ID)
	fmt.Println(group.APID)
	fmt.Println(p.Role)
	// Output:
	// true
	// https://events.example/@choir
	// participant
}
