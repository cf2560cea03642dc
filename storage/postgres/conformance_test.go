package postgres_test

import (
	"testing"

	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestConformance runs the storage conformance suite on PostgreSQL, each
// case in a fresh schema of its own. It is skipped when
// CONVENE_TEST_POSTGRES_URL is not set (see .ci/postgres.sh).
func TestConformance(t *testing.T) {
	pgtest.URL(t) // skip once, not in every case, when no server is configured
	storagetest.Run(t, func(t *testing.T) storagetest.Backend {
		return pgtest.Open(t)
	})
}
