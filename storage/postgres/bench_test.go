package postgres

// Storage benchmarks of the PostgreSQL backend over the dataset of
// storage/internal/benchdata (realistic events in 230 cities over two
// years). They need a server: CONVENE_TEST_POSTGRES_URL, as the other
// tests (eval "$(bash .ci/postgres.sh)"); they skip without it, and do
// not run in plain `go test`. Run them with:
//
//	go test -run='^$' -bench=. -count=5 -timeout=60m ./storage/postgres/
//
// BenchmarkInsertEvents writes 100k events per op into a fresh schema:
// "store" through CreateEvent, 1,000 per InTx transaction; "raw" with the
// same rows as multi-row INSERTs (sqlstore.InsertEventsSQL). It reports
// us/row and rows/s.
//
// BenchmarkFindEvents runs the queries of benchdata.Queries (upcoming
// public events over the next year; the same within 10 km of the
// densest city; the same over 30 days) over 100k events, and over 1M
// when CONVENE_BENCH_1M=1:
//
//	CONVENE_BENCH_1M=1 CONVENE_BENCH_KEEP=1 go test -run='^$' -bench=FindEvents -count=5 -timeout=60m ./storage/postgres/
//
// It reports p50-ms, p99-ms, the same for the same SQL issued directly
// through database/sql in the same loop (raw-p50-ms, raw-p99-ms) and
// their ratio x-raw. Each dataset lives in a schema of its own,
// convene_bench_postgres_events_<size>_v<version>_m<migrations>, loaded
// once per run and then VACUUM ANALYZEd (as autovacuum would have done on
// a live database). It is dropped at the end of the run unless
// CONVENE_BENCH_KEEP=1, in which case the next run reuses it; drop it by
// hand to rebuild.

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage/internal/benchdata"
	"codeberg.org/convene/convene/storage/internal/sqlstore"
)

// benchEnvURL is pgtest.EnvURL: pgtest imports this package, so this
// package's own tests cannot import it.
const benchEnvURL = "CONVENE_TEST_POSTGRES_URL"

// benchSchemaComplete marks a dataset schema whose load finished.
const benchSchemaComplete = "convene benchmark dataset: complete"

func BenchmarkInsertEvents(b *testing.B) {
	base := benchURL(b)
	const n = benchdata.Small
	g, err := benchdata.NewGenerator()
	if err != nil {
		b.Fatal(err)
	}
	es := g.Batch(n)
	ctx := context.Background()
	for _, name := range []string{"store", "raw"} {
		b.Run(name, func(b *testing.B) {
			var elapsed time.Duration
			for i := range b.N {
				b.StopTimer()
				schema := fmt.Sprintf("convene_bench_insert_%d_%d", os.Getpid(), i)
				u := benchSchema(b, base, schema, true)
				db, err := Open(ctx, Config{URL: u})
				if err != nil {
					b.Fatal(err)
				}
				raw := benchPool(b, u)
				insert := func(batch []*events.Event) error { return benchdata.CreateEvents(ctx, db, batch) }
				if name == "raw" {
					insert = func(batch []*events.Event) error { return benchdata.InsertRaw(ctx, raw, dialect(), batch) }
				}
				b.StartTimer()
				start := time.Now()
				for lo := 0; lo < n; lo += benchdata.LoadBatch {
					if err := insert(es[lo:min(lo+benchdata.LoadBatch, n)]); err != nil {
						b.Fatal(err)
					}
				}
				elapsed += time.Since(start)
				b.StopTimer()
				var count int
				if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&count); err != nil || count != n {
					b.Fatalf("%d events written (%v), want %d", count, err, n)
				}
				_ = raw.Close()
				if err := db.Close(); err != nil {
					b.Fatal(err)
				}
				benchExec(b, base, `DROP SCHEMA `+schema+` CASCADE`)
			}
			rows := float64(n) * float64(b.N)
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/op") // the inserts only
			b.ReportMetric(float64(elapsed.Microseconds())/rows, "us/row")
			b.ReportMetric(rows/elapsed.Seconds(), "rows/s")
		})
	}
}

func BenchmarkFindEvents(b *testing.B) {
	base := benchURL(b)
	ctx := context.Background()
	for _, n := range []int{benchdata.Small, benchdata.Large} {
		b.Run(benchdata.SizeName(n), func(b *testing.B) {
			benchdata.SkipUnlessEnabled(b, n)
			u := benchDataset(b, base, n)
			db, err := Open(ctx, Config{URL: u})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = db.Close() })
			raw := benchPool(b, u)
			for _, q := range benchdata.Queries() {
				b.Run(q.Name, func(b *testing.B) {
					benchdata.RunFind(b, benchdata.FindTarget{Store: db, Raw: raw, SQL: benchFindSQL, Query: q.Query})
				})
			}
		})
	}
}

// benchFindSQL is the query FindEvents issues for q.
func benchFindSQL(q events.StoreQuery) (string, []any) {
	query, args, _ := sqlstore.FindSQL(dialect(), q, false)
	return query, args
}

// benchDataset returns the URL of a schema holding the first n events of
// the dataset, loading it (through CreateEvent) unless a complete one is
// there already. Unless benchdata.Keep, the schema is dropped when b
// ends.
func benchDataset(b *testing.B, base string, n int) string {
	b.Helper()
	ctx := context.Background()
	schema := "convene_bench_" + benchdata.Name("postgres", n, MigrationCount())
	if !benchdata.Keep() {
		b.Cleanup(func() { benchExec(b, base, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`) })
	}
	admin := benchPool(b, base)
	var comment sql.NullString
	err := admin.QueryRowContext(ctx, `SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = $1`,
		schema).Scan(&comment)
	if err == nil && comment.String == benchSchemaComplete {
		b.Logf("postgres dataset: reusing schema %s", schema)
		return benchSchema(b, base, schema, false)
	}
	benchExec(b, base, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`)
	u := benchSchema(b, base, schema, true)
	db, err := Open(ctx, Config{URL: u})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	err = benchdata.Load(ctx, db, n, func(done int) {
		if done%100_000 == 0 {
			b.Logf("postgres dataset: %d/%d events, %v", done, n, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("postgres dataset: %d events loaded through CreateEvent in %v (%.0f us/event)",
		n, time.Since(start).Round(time.Second), float64(time.Since(start).Microseconds())/float64(n))
	benchExec(b, u, `VACUUM ANALYZE events, event_tags`)
	benchExec(b, base, `COMMENT ON SCHEMA `+schema+` IS '`+benchSchemaComplete+`'`)
	return u
}

// benchURL returns the server's URL, skipping without one.
func benchURL(b *testing.B) string {
	b.Helper()
	u := os.Getenv(benchEnvURL)
	if u == "" {
		b.Skipf("%s is not set; run `eval \"$(bash .ci/postgres.sh)\"` to benchmark PostgreSQL", benchEnvURL)
	}
	return u
}

// benchSchema returns a URL of base whose connections use schema,
// creating the schema when create is set.
func benchSchema(tb testing.TB, base, schema string, create bool) string {
	tb.Helper()
	if create {
		benchExec(tb, base, `CREATE SCHEMA `+schema)
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return base + " search_path=" + schema // key=value form
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// benchPool opens a database/sql pool on u (the store's pool size),
// closed when tb ends.
func benchPool(tb testing.TB, u string) *sql.DB {
	tb.Helper()
	pc, err := pgx.ParseConfig(u)
	if err != nil {
		tb.Fatal(err)
	}
	db := stdlib.OpenDB(*pc)
	db.SetMaxOpenConns(DefaultMaxConns)
	db.SetMaxIdleConns(DefaultMaxConns)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

// benchExec runs one statement on a connection of its own.
func benchExec(tb testing.TB, u, query string) {
	tb.Helper()
	pc, err := pgx.ParseConfig(u)
	if err != nil {
		tb.Fatal(err)
	}
	db := stdlib.OpenDB(*pc)
	defer db.Close()
	if _, err := db.ExecContext(context.Background(), query); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
}

// TestInsertEventsSQLMatchesCreateEvent checks the raw insert of the
// benchmarks: it writes exactly the rows that CreateEvent writes.
func TestInsertEventsSQLMatchesCreateEvent(t *testing.T) {
	base := os.Getenv(benchEnvURL)
	if base == "" {
		t.Skipf("%s is not set", benchEnvURL)
	}
	t.Parallel()
	ctx := context.Background()
	g, err := benchdata.NewGenerator()
	require.NoError(t, err)
	es := g.Batch(300)
	open := func(name string) *sql.DB {
		schema := fmt.Sprintf("convene_bench_check_%s_%d", name, os.Getpid())
		benchExec(t, base, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`)
		t.Cleanup(func() { benchExec(t, base, `DROP SCHEMA `+schema+` CASCADE`) })
		u := benchSchema(t, base, schema, true)
		db, err := Open(ctx, Config{URL: u, MaxConns: 2})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		if name == "store" {
			require.NoError(t, benchdata.CreateEvents(ctx, db, es))
		} else {
			require.NoError(t, benchdata.InsertRaw(ctx, benchPool(t, u), dialect(), es))
		}
		return benchPool(t, u)
	}
	viaStore, viaRaw := open("store"), open("raw")
	for _, query := range []string{
		`SELECT * FROM events ORDER BY id`,
		`SELECT * FROM event_tags ORDER BY event_id, tag_lower`,
	} {
		want := benchDump(t, viaStore, query)
		require.GreaterOrEqual(t, len(want), len(es), "rows to compare: %s", query)
		assert.Equal(t, want, benchDump(t, viaRaw, query), query)
	}
}

// benchDump returns every row of query.
func benchDump(t *testing.T, db *sql.DB, query string) [][]any {
	t.Helper()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(dest...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return out
}
