package postgres_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestDeliveryConformance runs the delivery queue's conformance suite on
// PostgreSQL, each case in a fresh schema. It is skipped when
// CONVENE_TEST_POSTGRES_URL is not set.
func TestDeliveryConformance(t *testing.T) {
	pgtest.URL(t)
	storagetest.RunDelivery(t, func(t *testing.T) delivery.Queue {
		return pgtest.Open(t)
	})
}

// TestDeliveryShared: two pools on one schema, as two server processes:
// FOR UPDATE SKIP LOCKED keeps their leases apart.
func TestDeliveryShared(t *testing.T) {
	t.Parallel()
	storagetest.RunDeliveryShared(t, func(t *testing.T) []delivery.Queue {
		url := pgtest.Schema(t)
		var qs []delivery.Queue
		for range 2 {
			db, err := postgres.Open(context.Background(), postgres.Config{URL: url, MaxConns: pgtest.MaxConns})
			require.NoError(t, err)
			t.Cleanup(func() { require.NoError(t, db.Close()) })
			qs = append(qs, db)
		}
		return qs
	})
}
