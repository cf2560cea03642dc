package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/storage/sqlite"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestDeliveryConformance runs the delivery queue's conformance suite on
// SQLite, each case on a fresh database file.
func TestDeliveryConformance(t *testing.T) {
	storagetest.RunDelivery(t, func(t *testing.T) delivery.Queue {
		return sqlitetest.Open(t)
	})
}

// TestDeliveryShared: two handles on one file, as two processes.
func TestDeliveryShared(t *testing.T) {
	t.Parallel()
	storagetest.RunDeliveryShared(t, func(t *testing.T) []delivery.Queue {
		path := filepath.Join(t.TempDir(), "convene.db")
		var qs []delivery.Queue
		for range 2 {
			db, err := sqlite.Open(context.Background(), sqlite.Config{Path: path})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, db.Close()) })
			qs = append(qs, db)
		}
		return qs
	})
}
