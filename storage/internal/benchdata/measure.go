package benchdata

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	"codeberg.org/convene/convene/events"
)

// Quantile returns the q-quantile (0 < q <= 1) of samples by the
// nearest-rank method; 0 for no samples. samples is not modified.
func Quantile(samples []time.Duration, q float64) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	s := slices.Clone(samples)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[min(max(i, 0), len(s)-1)]
}

// Mean returns the mean of samples; 0 for none.
func Mean(samples []time.Duration) time.Duration {
	if len(samples) == 0 {
		return 0
	}
	var sum time.Duration
	for _, d := range samples {
		sum += d
	}
	return sum / time.Duration(len(samples))
}

// ms is d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// FindTarget is a store under test and the means to run its queries
// directly.
type FindTarget struct {
	// Store runs FindEvents.
	Store events.EventStore
	// Raw is a pool on the same database, configured like the store's
	// read pool, for the raw baseline.
	Raw *sql.DB
	// SQL returns the query and arguments FindEvents issues for q
	// (sqlstore.FindSQL with the backend's dialect).
	SQL func(q events.StoreQuery) (string, []any)
	// Query is the i-th query to run.
	Query func(i int) events.StoreQuery
}

// RunFind measures t.Store.FindEvents over the queries t.Query(0),
// t.Query(1)… and, interleaved in the same loop (alternating which
// goes first), the same SQL through t.Raw, scanning every column into
// an `any` (what database/sql costs at the least). It reports:
//
//	ns/op       mean latency of FindEvents
//	p50-ms      median latency of FindEvents
//	p99-ms      99th percentile latency of FindEvents
//	raw-p50-ms  median latency of the raw query
//	raw-p99-ms  99th percentile latency of the raw query
//	x-raw       p50-ms / raw-p50-ms
//	rows/op     rows returned per query
//
// Before measuring it runs every distinct query once both ways and
// fails the benchmark when a query returns nothing or when the two
// ways return different events.
func RunFind(b *testing.B, t FindTarget) {
	b.Helper()
	ctx := context.Background()
	for i := range QueryDays {
		q := t.Query(i)
		got, err := t.Store.FindEvents(ctx, q)
		if err != nil {
			b.Fatalf("FindEvents: %v", err)
		}
		query, args := t.SQL(q)
		ids, err := rawIDs(ctx, t.Raw, query, args)
		if err != nil {
			b.Fatalf("raw query: %v", err)
		}
		if len(got) == 0 {
			b.Fatalf("query %d matches no event: the benchmark would measure nothing", i)
		}
		if len(got) != len(ids) {
			b.Fatalf("query %d: FindEvents returned %d events, the raw query %d rows", i, len(got), len(ids))
		}
		for j := range got {
			if got[j].ID != ids[j] {
				b.Fatalf("query %d row %d: FindEvents returned %s, the raw query %s", i, j, got[j].ID, ids[j])
			}
		}
	}

	var store, raw []time.Duration
	rows := 0
	i := 0
	for b.Loop() {
		q := t.Query(i)
		query, args := t.SQL(q)
		runStore := func() {
			start := time.Now()
			got, err := t.Store.FindEvents(ctx, q)
			store = append(store, time.Since(start))
			if err != nil {
				b.Fatalf("FindEvents: %v", err)
			}
			rows += len(got)
		}
		runRaw := func() {
			start := time.Now()
			_, err := rawScan(ctx, t.Raw, query, args)
			raw = append(raw, time.Since(start))
			if err != nil {
				b.Fatalf("raw query: %v", err)
			}
		}
		if i%2 == 0 {
			runStore()
			runRaw()
		} else {
			runRaw()
			runStore()
		}
		i++
	}
	p50, rawP50 := Quantile(store, 0.5), Quantile(raw, 0.5)
	b.ReportMetric(float64(Mean(store).Nanoseconds()), "ns/op")
	b.ReportMetric(ms(p50), "p50-ms")
	b.ReportMetric(ms(Quantile(store, 0.99)), "p99-ms")
	b.ReportMetric(ms(rawP50), "raw-p50-ms")
	b.ReportMetric(ms(Quantile(raw, 0.99)), "raw-p99-ms")
	if rawP50 > 0 {
		b.ReportMetric(float64(p50)/float64(rawP50), "x-raw")
	}
	b.ReportMetric(float64(rows)/float64(len(store)), "rows/op")
}

// rawScan runs query and scans every column of every row into an any.
func rawScan(ctx context.Context, db *sql.DB, query string, args []any) (int, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return n, err
		}
		n++
	}
	return n, rows.Err()
}

// rawIDs runs query and returns the first column (the event id) of
// every row.
func rawIDs(ctx context.Context, db *sql.DB, query string, args []any) ([]string, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	var ids []string
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		switch id := vals[0].(type) {
		case string:
			ids = append(ids, id)
		case []byte:
			ids = append(ids, string(id))
		default:
			return nil, fmt.Errorf("id column of type %T", vals[0])
		}
	}
	return ids, rows.Err()
}
