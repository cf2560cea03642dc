package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
)

func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "convene-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "data", "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	now := time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC)
	for i, title := range []string{"Repair Café", "Jazz night", "Draft plan"} {
		e := &events.Event{
			ID: fmt.Sprintf("e%d", i), Title: title, BeginsAt: now.AddDate(0, 0, 7-i),
			Visibility: events.Public, Draft: title == "Draft plan", CreatedAt: now, UpdatedAt: now,
		}
		if err := db.CreateEvent(ctx, e); err != nil {
			panic(err)
		}
	}
	upcoming, err := db.FindEvents(ctx, events.StoreQuery{
		From: now, To: now.AddDate(0, 1, 0), Visibilities: []events.Visibility{events.Public}, Limit: 10,
	})
	if err != nil {
		panic(err)
	}
	for _, e := range upcoming {
		fmt.Println(e.BeginsAt.Format(time.DateOnly), e.Title)
	}

	_, err = db.GetEvent(ctx, "missing")
	fmt.Println(errors.Is(err, storage.ErrNotFound))
	// Output:
	// 2026-03-20 Jazz night
	// 2026-03-21 Repair Café
	// true
}

func ExampleDB_InTx() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "convene-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	now := time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC)
	err = db.CreateEvent(ctx, &events.Event{ID: "e1", Title: "Workshop", BeginsAt: now, Capacity: 1,
		Visibility: events.Public, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		panic(err)
	}
	// Take a seat if one is left: the capacity rule runs under LockEvent.
	join := func(id string) (events.ParticipantRole, error) {
		role := events.RoleParticipant
		err := db.InTx(ctx, func(tx storage.Tx) error {
			s, err := storage.As[events.Store](tx)
			if err != nil {
				return err
			}
			e, err := s.LockEvent(ctx, "e1")
			if err != nil {
				return err
			}
			n, err := s.CountParticipants(ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
			if err != nil {
				return err
			}
			if n >= e.Capacity {
				role = events.RoleWaitlisted
			}
			return s.CreateParticipant(ctx, &events.Participant{ID: "p-" + id, EventID: e.ID, ActorID: id,
				Role: role, CreatedAt: now, UpdatedAt: now})
		})
		return role, err
	}
	for _, actor := range []string{"ana", "bo"} {
		role, err := join(actor)
		fmt.Println(actor, role, err)
	}
	// Output:
	// ana participant <nil>
	// bo waitlisted <nil>
}
