package postgres_test

import (
	"testing"

	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestInboxConformance runs the inbox storage suite (dedupe,
// tombstones, federation policy) on PostgreSQL, each case in a fresh
// schema. It is skipped when CONVENE_TEST_POSTGRES_URL is not set.
func TestInboxConformance(t *testing.T) {
	pgtest.URL(t)
	storagetest.RunInbox(t, func(t *testing.T) storagetest.InboxStore {
		return pgtest.Open(t)
	})
}
