package events_test

// Participation benchmark: 1,000 joins arriving at once on an event with
// 100 seats, through Service.Join, on SQLite and (with
// CONVENE_TEST_POSTGRES_URL set) PostgreSQL. Run it with:
//
//	go test -run='^$' -bench=ConcurrentJoins -count=5 ./events/
//
// Each op creates a fresh event (not timed), starts 1,000 goroutines
// that each join it as a different actor, releases them together and
// waits for all. The op fails unless every join succeeded and exactly
// 100 participants hold a seat and 900 are waitlisted. It reports
// joins/s.

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// Shape of the join benchmark.
const (
	benchSeats   = 100
	benchJoiners = 1000
)

// benchNow is the fixed clock of the benchmark; the event is a week
// later, so it is open to joins.
func benchNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func BenchmarkConcurrentJoins(b *testing.B) {
	ctx := context.Background()
	stores := []struct {
		name string
		open func(b *testing.B) backend
	}{
		{"sqlite", func(b *testing.B) backend { return sqlitetest.Open(b) }},
		{"postgres", func(b *testing.B) backend {
			// The production pool size, not pgtest's small one.
			db, err := postgres.Open(ctx, postgres.Config{URL: pgtest.Schema(b)})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = db.Close() })
			return db
		}},
	}
	for _, st := range stores {
		b.Run(st.name, func(b *testing.B) {
			store := st.open(b)
			svc, err := events.New(events.Config{Store: store, BaseURL: "https://events.example",
				Now: benchNow})
			if err != nil {
				b.Fatal(err)
			}
			org := benchActor(b, store, "organizer")
			joiners := make([]string, benchJoiners)
			for i := range joiners {
				joiners[i] = benchActor(b, store, fmt.Sprintf("joiner%04d", i))
			}
			in := events.Input{Title: "Popular workshop", BeginsAt: benchNow().AddDate(0, 0, 7),
				EndsAt: benchNow().AddDate(0, 0, 7).Add(2 * time.Hour), TimeZone: "Europe/Paris", Capacity: benchSeats}

			var elapsed time.Duration
			for range b.N {
				b.StopTimer()
				e, err := svc.Create(ctx, org, in)
				if err != nil {
					b.Fatal(err)
				}
				start := make(chan struct{})
				errs := make(chan error, benchJoiners)
				var wg sync.WaitGroup
				for _, id := range joiners {
					wg.Go(func() {
						<-start
						_, err := svc.Join(ctx, e.ID, id, events.JoinInput{})
						errs <- err
					})
				}
				b.StartTimer()
				t0 := time.Now()
				close(start)
				wg.Wait()
				elapsed += time.Since(t0)
				b.StopTimer()
				close(errs)
				for err := range errs {
					if err != nil {
						b.Fatalf("join: %v", err)
					}
				}
				seated, err := store.CountParticipants(ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
				if err != nil {
					b.Fatal(err)
				}
				waiting, err := store.CountParticipants(ctx, e.ID, []events.ParticipantRole{events.RoleWaitlisted})
				if err != nil {
					b.Fatal(err)
				}
				if seated != benchSeats || waiting != benchJoiners-benchSeats {
					b.Fatalf("%d participants and %d waitlisted, want %d and %d",
						seated, waiting, benchSeats, benchJoiners-benchSeats)
				}
			}
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/op") // the joins only
			b.ReportMetric(float64(benchJoiners*b.N)/elapsed.Seconds(), "joins/s")
		})
	}
}

// benchActor stores a local Person actor and returns its id.
func benchActor(b *testing.B, st backend, name string) string {
	b.Helper()
	a := &identity.Actor{ID: "actor-" + name, APID: "https://events.example/@" + name,
		Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example",
		Inbox: "https://events.example/@" + name + "/inbox", CreatedAt: benchNow(), UpdatedAt: benchNow()}
	if err := st.CreateActor(context.Background(), a); err != nil {
		b.Fatal(err)
	}
	return a.ID
}
