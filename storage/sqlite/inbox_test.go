package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"codeberg.org/convene/convene/storage/sqlite"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestInboxConformance runs the inbox storage suite (dedupe,
// tombstones, federation policy) on SQLite, each case on a fresh
// database file.
func TestInboxConformance(t *testing.T) {
	storagetest.RunInbox(t, func(t *testing.T) storagetest.InboxStore {
		return sqlitetest.Open(t)
	})
}

// ExampleDB_BlockDomain: an administrator blocks a domain (and so its
// subdomains), then switches to allow-list mode.
func ExampleDB_BlockDomain() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "convene-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	now := time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC)
	if err := db.BlockDomain(ctx, "Spam.Example", now); err != nil {
		panic(err)
	}
	if err := db.AllowDomain(ctx, "friends.example", now); err != nil {
		panic(err)
	}
	show := func(hosts ...string) {
		for _, h := range hosts {
			ok, err := db.Allowed(ctx, h)
			if err != nil {
				panic(err)
			}
			fmt.Printf("%s %v\n", h, ok)
		}
	}
	show("x.spam.example:8443", "nospam.example", "other.example")
	if err := db.SetAllowListMode(ctx, true); err != nil {
		panic(err)
	}
	fmt.Println("allow-list mode:")
	show("friends.example", "other.example")

	domains, err := db.ListDomains(ctx)
	if err != nil {
		panic(err)
	}
	for _, d := range domains {
		fmt.Println(d.Domain, d.Rule, d.CreatedAt.Format(time.RFC3339))
	}

	fresh, _ := db.Claim(ctx, "https://friends.example/activities/1", now)
	again, _ := db.Claim(ctx, "https://friends.example/activities/1", now)
	fmt.Println("claims:", fresh, again)
	// Output:
	// x.spam.example:8443 false
	// nospam.example true
	// other.example true
	// allow-list mode:
	// friends.example true
	// other.example false
	// friends.example allow 2026-03-14T17:00:00Z
	// spam.example block 2026-03-14T17:00:00Z
	// claims: true false
}
