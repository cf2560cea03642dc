// Package pgtest opens throwaway PostgreSQL databases for tests. Each
// one is a fresh schema of the database named by the environment
// variable CONVENE_TEST_POSTGRES_URL (see .ci/postgres.sh), dropped when
// the test ends; tests skip when the variable is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"codeberg.org/convene/convene/storage/postgres"
)

// EnvURL is the environment variable holding the test database's URL.
const EnvURL = "CONVENE_TEST_POSTGRES_URL"

// MaxConns is the pool size of a test database: small, because tests
// run in parallel against one server.
const MaxConns = 4

// EnvRequire, set to 1, turns the skip for a missing EnvURL into a
// failure: CI sets it so that PostgreSQL tests cannot silently not run.
const EnvRequire = "CONVENE_REQUIRE_POSTGRES"

// URL returns the test database's URL, skipping the test when EnvURL is
// unset (failing it when EnvRequire is 1).
func URL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u == "" && os.Getenv(EnvRequire) == "1" {
		t.Fatalf("pgtest: %s is not set but %s=1: PostgreSQL tests must run", EnvURL, EnvRequire)
	}
	if u == "" {
		t.Skipf("pgtest: %s is not set; run `eval \"$(bash .ci/postgres.sh)\"` to test on PostgreSQL", EnvURL)
	}
	return u
}

// Schema creates a uniquely named empty schema and returns a URL whose
// connections use it (search_path), dropping it with t.Cleanup. It skips
// the test when EnvURL is unset.
func Schema(t testing.TB) string {
	t.Helper()
	base := URL(t)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "convene_test_" + hex.EncodeToString(b)

	pc, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("pgtest: parse %s: %v", EnvURL, err)
	}
	admin := stdlib.OpenDB(*pc)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	return withSearchPath(t, base, schema)
}

// Open returns a fresh, migrated database in a schema of its own,
// closed and dropped when the test ends. It skips the test when EnvURL
// is unset.
func Open(t testing.TB) *postgres.DB {
	t.Helper()
	u := Schema(t)
	db, err := postgres.Open(context.Background(), postgres.Config{URL: u, MaxConns: MaxConns})
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	// Registered after Schema's cleanup, so it runs before the drop.
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("pgtest: close: %v", err)
		}
	})
	return db
}

// withSearchPath adds search_path=schema to a URL or key=value DSN.
func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return base + " search_path=" + schema // key=value form
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Exec runs statements on the database at url, for tests that prepare
// or damage a schema (a fake newer migration).
func Exec(t testing.TB, url string, query string, args ...any) {
	t.Helper()
	pc, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	db := stdlib.OpenDB(*pc)
	defer func(db *sql.DB) { _ = db.Close() }(db)
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("pgtest: exec: %v", err)
	}
}
