// Package sqlitetest opens throwaway SQLite databases for tests.
package sqlitetest

import (
	"context"
	"path/filepath"
	"testing"

	"codeberg.org/convene/convene/storage/sqlite"
)

// Open returns a fresh, migrated database in a file under t.TempDir. It
// is closed when the test ends; a failure to open fails the test.
func Open(t testing.TB) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "convene.db")})
	if err != nil {
		t.Fatalf("sqlitetest: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("sqlitetest: close: %v", err)
		}
	})
	return db
}
