package sqlite_test

import (
	"testing"

	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestConformance runs the storage conformance suite on SQLite, each case
// on its own fresh database file.
func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Backend {
		return sqlitetest.Open(t)
	})
}
