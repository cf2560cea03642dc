// Package benchdata is the shared half of the storage benchmarks
// (storage/sqlite and storage/postgres bench_test.go): a deterministic,
// realistic dataset of events, the queries run against it, the loaders
// that write it, and the latency measurement that compares a store's
// FindEvents with the same SQL issued directly through database/sql.
//
// The dataset: events whose start times spread over two years around
// Now (a fixed date), across the 230 cities of Cities on every
// continent, weighted by a Zipf law (Paris, the densest, holds about
// 7 %), placed with about 10 km of normal jitter per axis around the
// city centre. About 80 % are public and published; the rest are
// drafts, unlisted or private. 5 % are online only, 8 % hybrid, 3 % are
// recurring series, 15 % come from other instances, 25 % are organized
// by groups. Everything comes from a seeded math/rand/v2 PCG: the first
// n events are the same on every run, so a dataset can be cached on disk
// and the 100k dataset is the start of the 1M one.
//
// The package imports no backend (the backends' tests import it).
package benchdata

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dataset sizes.
const (
	Small = 100_000
	Large = 1_000_000
)

// Environment variables of the benchmarks.
const (
	// EnvDir is the directory where built datasets are cached between
	// runs (default: convene-bench under os.TempDir).
	EnvDir = "CONVENE_BENCH_DIR"
	// EnvLarge set to 1 enables the benchmarks over Large events; the
	// first run builds the dataset, which takes minutes.
	EnvLarge = "CONVENE_BENCH_1M"
	// EnvKeep set to 1 keeps the PostgreSQL dataset schemas after the
	// run, so that the next run reuses them instead of loading again.
	EnvKeep = "CONVENE_BENCH_KEEP"
)

// LoadBatch is how many events one loading transaction writes.
const LoadBatch = 1000

// SizeName names a dataset size in benchmark names: 100k, 1M.
func SizeName(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return fmt.Sprintf("%dM", n/1_000_000)
	case n >= 1000 && n%1000 == 0:
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// SkipUnlessEnabled skips a benchmark over n events when n is more than
// Small and EnvLarge is not 1, or in -short mode.
func SkipUnlessEnabled(tb testing.TB, n int) {
	tb.Helper()
	if n > Small && (testing.Short() || os.Getenv(EnvLarge) != "1") {
		tb.Skipf("benchdata: %s events: set %s=1 (and not -short) to run; the first run builds the dataset (minutes)",
			SizeName(n), EnvLarge)
	}
}

// Keep reports whether datasets are to be kept after the run (EnvKeep).
func Keep() bool { return os.Getenv(EnvKeep) == "1" }

// CacheDir returns the directory of cached datasets, creating it.
func CacheDir() (string, error) {
	dir := os.Getenv(EnvDir)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "convene-bench")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("benchdata: cache directory: %w", err)
	}
	return dir, nil
}

// Name is the cache key of a dataset of n events for a backend whose
// schema has the given number of migrations: it changes when Version or
// the schema does. It is a valid SQL identifier and file name.
func Name(backend string, n, migrations int) string {
	return strings.ToLower(fmt.Sprintf("%s_events_%s_v%d_m%d", backend, SizeName(n), Version, migrations))
}
