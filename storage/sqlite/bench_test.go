package sqlite

// Storage benchmarks of the SQLite backend over the dataset of
// storage/internal/benchdata (realistic events in 230 cities over two
// years). They do not run in plain `go test`. Run them with:
//
//	go test -run='^$' -bench=. -count=5 -timeout=60m ./storage/sqlite/
//
// BenchmarkInsertEvents writes 100k events per op into a fresh database:
// "store" through CreateEvent, 1,000 per InTx transaction; "raw" with the
// same rows as multi-row INSERTs (sqlstore.InsertEventsSQL). It reports
// us/row and rows/s.
//
// BenchmarkFindEvents runs the queries of benchdata.Queries (upcoming
// public events over the next year; the same within 10 km of the
// densest city; the same over 30 days) over 100k events, and over 1M
// when CONVENE_BENCH_1M=1:
//
//	CONVENE_BENCH_1M=1 go test -run='^$' -bench=FindEvents -count=5 -timeout=60m ./storage/sqlite/
//
// It reports p50-ms, p99-ms, the same for the same SQL issued directly
// through database/sql in the same loop (raw-p50-ms, raw-p99-ms) and
// their ratio x-raw. The datasets are built once (through CreateEvent)
// and cached as database files in $CONVENE_BENCH_DIR (default
// $TMPDIR/convene-bench), named after the dataset version and the
// number of migrations; delete them to rebuild. Building 1M events takes
// a few minutes.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage/internal/benchdata"
	"codeberg.org/convene/convene/storage/internal/sqlstore"
)

func BenchmarkInsertEvents(b *testing.B) {
	const n = benchdata.Small
	g, err := benchdata.NewGenerator()
	if err != nil {
		b.Fatal(err)
	}
	es := g.Batch(n)
	ctx := context.Background()
	insert := map[string]func(db *DB, batch []*events.Event) error{
		"store": func(db *DB, batch []*events.Event) error { return benchdata.CreateEvents(ctx, db, batch) },
		"raw":   func(db *DB, batch []*events.Event) error { return benchdata.InsertRaw(ctx, db.write, dialect(), batch) },
	}
	for _, name := range []string{"store", "raw"} {
		b.Run(name, func(b *testing.B) {
			var elapsed time.Duration
			for i := range b.N {
				b.StopTimer()
				path := filepath.Join(b.TempDir(), fmt.Sprintf("insert-%d.db", i))
				db, err := Open(ctx, Config{Path: path})
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				for lo := 0; lo < n; lo += benchdata.LoadBatch {
					if err := insert[name](db, es[lo:min(lo+benchdata.LoadBatch, n)]); err != nil {
						b.Fatal(err)
					}
				}
				elapsed += time.Since(start)
				b.StopTimer()
				var count int
				if err := db.write.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&count); err != nil || count != n {
					b.Fatalf("%d events written (%v), want %d", count, err, n)
				}
				if err := db.core.Close(); err != nil { // no PRAGMA optimize: not part of the insert
					b.Fatal(err)
				}
			}
			rows := float64(n) * float64(b.N)
			b.ReportMetric(float64(elapsed.Nanoseconds())/float64(b.N), "ns/op") // the inserts only
			b.ReportMetric(float64(elapsed.Microseconds())/rows, "us/row")
			b.ReportMetric(rows/elapsed.Seconds(), "rows/s")
		})
	}
}

func BenchmarkFindEvents(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{benchdata.Small, benchdata.Large} {
		b.Run(benchdata.SizeName(n), func(b *testing.B) {
			benchdata.SkipUnlessEnabled(b, n)
			path := benchDataset(b, n)
			db, err := Open(ctx, Config{Path: path})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = db.Close() })
			raw, err := sql.Open("sqlite", dsn(path, DefaultBusyTimeout, true))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = raw.Close() })
			for _, q := range benchdata.Queries() {
				b.Run(q.Name, func(b *testing.B) {
					benchdata.RunFind(b, benchdata.FindTarget{Store: db, Raw: raw, SQL: findSQL, Query: q.Query})
				})
			}
		})
	}
}

// findSQL is the query FindEvents issues for q.
func findSQL(q events.StoreQuery) (string, []any) {
	query, args, _ := sqlstore.FindSQL(dialect(), q, false)
	return query, args
}

// benchDataset returns the path of a database holding the first n
// events of the dataset, building it (through CreateEvent) when it is
// not in the cache directory yet.
func benchDataset(b *testing.B, n int) string {
	b.Helper()
	dir, err := benchdata.CacheDir()
	if err != nil {
		b.Fatal(err)
	}
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, benchdata.Name("sqlite", n, len(ms))+".db")
	if _, err := os.Stat(path); err == nil {
		return path
	} else if !errors.Is(err, os.ErrNotExist) {
		b.Fatal(err)
	}
	// Build under another name and rename when complete, so that an
	// interrupted build is never taken for a dataset.
	tmp := path + ".partial"
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(tmp + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	db, err := Open(ctx, Config{Path: tmp})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	err = benchdata.Load(ctx, db, n, func(done int) {
		if done%100_000 == 0 {
			b.Logf("sqlite dataset: %d/%d events, %v", done, n, time.Since(start).Round(time.Second))
		}
	})
	if err != nil {
		_ = db.Close()
		b.Fatal(err)
	}
	b.Logf("sqlite dataset: %d events loaded through CreateEvent in %v (%.0f us/event)",
		n, time.Since(start).Round(time.Second), float64(time.Since(start).Microseconds())/float64(n))
	if err := db.Close(); err != nil { // PRAGMA optimize, as every Close does
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// TestInsertEventsSQLMatchesCreateEvent checks the raw insert of the
// benchmarks: it writes exactly the rows that CreateEvent writes.
func TestInsertEventsSQLMatchesCreateEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	g, err := benchdata.NewGenerator()
	require.NoError(t, err)
	es := g.Batch(300)
	viaStore := openFile(t, filepath.Join(t.TempDir(), "store.db"))
	require.NoError(t, benchdata.CreateEvents(ctx, viaStore, es))
	viaRaw := openFile(t, filepath.Join(t.TempDir(), "raw.db"))
	require.NoError(t, benchdata.InsertRaw(ctx, viaRaw.write, dialect(), es))
	for _, query := range []string{
		`SELECT * FROM events ORDER BY id`,
		`SELECT * FROM event_tags ORDER BY event_id, tag_lower`,
	} {
		want := dump(t, viaStore.write, query)
		require.GreaterOrEqual(t, len(want), len(es), "rows to compare: %s", query)
		assert.Equal(t, want, dump(t, viaRaw.write, query), query)
	}
}

// dump returns every row of query.
func dump(t *testing.T, db *sql.DB, query string) [][]any {
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
