package inboxtest_test

import (
	"testing"

	"codeberg.org/convene/convene/federation/inbox/inboxtest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestStoreConformance runs the SQL stores' inbox suite on the
// in-memory Store, so that the fake and the SQL backends agree.
func TestStoreConformance(t *testing.T) {
	storagetest.RunInbox(t, func(*testing.T) storagetest.InboxStore { return inboxtest.NewStore() })
}
