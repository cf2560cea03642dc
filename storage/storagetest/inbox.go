package storagetest

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fedinbox "codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/storage"
)

// InboxStore is every storage contract of federation/inbox: the
// inbox's remembered state and the federation policy with its
// administration.
type InboxStore interface {
	fedinbox.Seen
	fedinbox.Tombstones
	fedinbox.Policy
	fedinbox.PolicyAdmin
	fedinbox.TombstoneDates
}

// RunInbox runs the conformance suite of the inbox's contracts: each
// case a parallel subtest on a fresh, empty store from newStore (`go
// test -run 'TestInboxConformance/SubdomainBlocks'` selects one). Where
// the contracts leave room it holds stores to: ports ignored and hosts
// case-insensitive (fedinbox.NormalizeDomain); one rule per domain, the
// last set winning; a block covering subdomains and winning over allow
// rules; an allow covering the exact domain only; times in UTC with
// microsecond precision.
func RunInbox(t *testing.T, newStore func(t *testing.T) InboxStore) {
	cases := []struct {
		name string
		run  func(t *testing.T, s InboxStore)
	}{
		{"ClaimOnce", testInboxClaimOnce},
		{"ConcurrentClaims", testInboxConcurrentClaims},
		{"ReleaseMakesClaimable", testInboxRelease},
		{"PruneSeen", testInboxPrune},
		{"TombstoneFirstDateWins", testInboxTombstones},
		{"AllowsByDefault", testInboxDefaultPolicy},
		{"SubdomainBlocks", testInboxSubdomainBlocks},
		{"AllowListMode", testInboxAllowList},
		{"DomainAdmin", testInboxDomainAdmin},
		{"BadDomainsChangeNothing", testInboxBadDomains},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newStore(t))
		})
	}
}

const inboxAct = "https://remote.example/activities/1"

func testInboxClaimOnce(t *testing.T, s InboxStore) {
	ctx := context.Background()
	fresh, err := s.Claim(ctx, inboxAct, t0)
	require.NoError(t, err)
	assert.True(t, fresh, "first claim")
	fresh, err = s.Claim(ctx, inboxAct, t0.Add(time.Hour))
	require.NoError(t, err)
	assert.False(t, fresh, "second claim of the same id")
	fresh, err = s.Claim(ctx, inboxAct+"/other", t0)
	require.NoError(t, err)
	assert.True(t, fresh, "another id")
	// Ids are exact: no case folding.
	fresh, err = s.Claim(ctx, "https://remote.example/Activities/1", t0)
	require.NoError(t, err)
	assert.True(t, fresh, "ids differing in case are different ids")
}

func testInboxConcurrentClaims(t *testing.T, s InboxStore) {
	ctx := context.Background()
	const goroutines, ids = 16, 4
	var wins [ids]atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, goroutines*ids)
	for g := range goroutines {
		wg.Go(func() {
			<-start
			for i := range ids {
				id := fmt.Sprintf("%s/%d", inboxAct, (i+g)%ids)
				fresh, err := s.Claim(ctx, id, t0)
				if err != nil {
					errs <- err
					continue
				}
				if fresh {
					wins[(i+g)%ids].Add(1)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	for i := range ids {
		assert.Equal(t, int32(1), wins[i].Load(), "claims of id %d that won", i)
	}
}

func testInboxRelease(t *testing.T, s InboxStore) {
	ctx := context.Background()
	require.NoError(t, s.Release(ctx, inboxAct), "releasing an unknown id")
	fresh, err := s.Claim(ctx, inboxAct, t0)
	require.NoError(t, err)
	require.True(t, fresh)
	require.NoError(t, s.Release(ctx, inboxAct))
	fresh, err = s.Claim(ctx, inboxAct, t0)
	require.NoError(t, err)
	assert.True(t, fresh, "claimable again after Release")
	fresh, err = s.Claim(ctx, inboxAct, t0)
	require.NoError(t, err)
	assert.False(t, fresh, "and claimed again")
}

func testInboxPrune(t *testing.T, s InboxStore) {
	ctx := context.Background()
	for i := range 5 {
		fresh, err := s.Claim(ctx, fmt.Sprintf("%s/%d", inboxAct, i), t0.Add(time.Duration(i)*time.Hour))
		require.NoError(t, err)
		require.True(t, fresh)
	}
	n, err := s.PruneSeen(ctx, t0.Add(-time.Hour))
	require.NoError(t, err)
	assert.Zero(t, n, "nothing before the first")
	n, err = s.PruneSeen(ctx, t0.Add(2*time.Hour)) // strictly before: 0 and 1
	require.NoError(t, err)
	assert.Equal(t, int64(2), n)
	for i, want := range []bool{true, true, false, false, false} {
		fresh, err := s.Claim(ctx, fmt.Sprintf("%s/%d", inboxAct, i), t0.Add(10*time.Hour))
		require.NoError(t, err)
		assert.Equal(t, want, fresh, "claim of id %d after prune", i)
	}
}

func testInboxTombstones(t *testing.T, s InboxStore) {
	ctx := context.Background()
	const iri = "https://remote.example/events/1"
	ok, err := s.Tombstoned(ctx, iri)
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, s.AddTombstone(ctx, iri, t0))
	require.NoError(t, s.AddTombstone(ctx, iri, t0.Add(time.Hour)), "a second deletion is not an error")
	ok, err = s.Tombstoned(ctx, iri)
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.Tombstoned(ctx, iri+"/x")
	require.NoError(t, err)
	assert.False(t, ok, "another iri")
	at, err := s.TombstonedAt(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, t0.Truncate(time.Microsecond), at, "the first deletion date is kept")
	assert.Equal(t, time.UTC, at.Location())
	// A later date first, then an earlier one: still the first added.
	require.NoError(t, s.AddTombstone(ctx, iri+"/2", t0.Add(time.Hour)))
	require.NoError(t, s.AddTombstone(ctx, iri+"/2", t0))
	at, err = s.TombstonedAt(ctx, iri+"/2")
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Hour).Truncate(time.Microsecond), at)
	_, err = s.TombstonedAt(ctx, iri+"/none")
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func allowed(t *testing.T, s InboxStore, host string) bool {
	t.Helper()
	ok, err := s.Allowed(context.Background(), host)
	require.NoError(t, err, "Allowed(%q)", host)
	return ok
}

func testInboxDefaultPolicy(t *testing.T, s InboxStore) {
	on, err := s.AllowListMode(context.Background())
	require.NoError(t, err)
	assert.False(t, on)
	for _, h := range []string{"a.example", "B.Example:8443", "[::1]:8080", "127.0.0.1"} {
		assert.True(t, allowed(t, s, h), h)
	}
	for _, h := range []string{"", "a b.example", "a/b", "..example", "[zz]"} {
		assert.False(t, allowed(t, s, h), "malformed host %q", h)
	}
}

func testInboxSubdomainBlocks(t *testing.T, s InboxStore) {
	ctx := context.Background()
	require.NoError(t, s.BlockDomain(ctx, "B.Example.", t0))
	require.NoError(t, s.BlockDomain(ctx, "[::1]", t0))
	require.NoError(t, s.BlockDomain(ctx, "3.4", t0))
	for h, want := range map[string]bool{
		"b.example":          false,
		"B.EXAMPLE":          false,
		"b.example:8443":     false, // ports are ignored
		"b.example.":         false,
		"x.b.example":        false,
		"y.x.B.example:443":  false,
		"ab.example":         true,
		"b.example.org":      true,
		"example":            true,
		"c.example":          true,
		"[::1]:8080":         false,
		"[::2]":              true,
		"1.2.3.4":            true, // an IP literal has no parent domains
		"3.4":                false,
		"remote.example:443": true,
	} {
		assert.Equal(t, want, allowed(t, s, h), "Allowed(%q)", h)
	}
	// A block wins in allow-list mode, over an allow of a subdomain.
	require.NoError(t, s.AllowDomain(ctx, "x.b.example", t0))
	require.NoError(t, s.SetAllowListMode(ctx, true))
	assert.False(t, allowed(t, s, "x.b.example"))
	require.NoError(t, s.RemoveDomain(ctx, "b.example"))
	assert.True(t, allowed(t, s, "x.b.example"))
}

func testInboxAllowList(t *testing.T, s InboxStore) {
	ctx := context.Background()
	require.NoError(t, s.AllowDomain(ctx, "Friends.Example", t0))
	assert.True(t, allowed(t, s, "other.example"), "allow rules matter only in allow-list mode")
	require.NoError(t, s.SetAllowListMode(ctx, true))
	on, err := s.AllowListMode(ctx)
	require.NoError(t, err)
	assert.True(t, on)
	for h, want := range map[string]bool{
		"friends.example":      true,
		"FRIENDS.example:8443": true,
		"other.example":        false,
		"sub.friends.example":  false, // an allow covers the exact domain
		"example":              false,
	} {
		assert.Equal(t, want, allowed(t, s, h), "Allowed(%q)", h)
	}
	require.NoError(t, s.SetAllowListMode(ctx, false))
	assert.True(t, allowed(t, s, "other.example"), "allow-list mode off again")
}

func testInboxDomainAdmin(t *testing.T, s InboxStore) {
	ctx := context.Background()
	ds, err := s.ListDomains(ctx)
	require.NoError(t, err)
	assert.Empty(t, ds)
	t1 := t0.Add(time.Hour)
	require.NoError(t, s.BlockDomain(ctx, "Zed.Example:80", t0))
	require.NoError(t, s.AllowDomain(ctx, "a.example", t0))
	require.NoError(t, s.AllowDomain(ctx, "zed.example", t1), "replaces the block")
	ds, err = s.ListDomains(ctx)
	require.NoError(t, err)
	usec := t0.Truncate(time.Microsecond)
	assert.Equal(t, []fedinbox.Domain{
		{Domain: "a.example", Rule: fedinbox.RuleAllow, CreatedAt: usec},
		{Domain: "zed.example", Rule: fedinbox.RuleAllow, CreatedAt: t1.Truncate(time.Microsecond)},
	}, ds)
	for _, d := range ds {
		assert.Equal(t, time.UTC, d.CreatedAt.Location())
	}
	assert.True(t, allowed(t, s, "zed.example"), "no longer blocked")

	require.NoError(t, s.RemoveDomain(ctx, "A.EXAMPLE"))
	require.ErrorIs(t, s.RemoveDomain(ctx, "a.example"), storage.ErrNotFound)
	ds, err = s.ListDomains(ctx)
	require.NoError(t, err)
	require.Len(t, ds, 1)
	assert.Equal(t, "zed.example", ds[0].Domain)
}

func testInboxBadDomains(t *testing.T, s InboxStore) {
	ctx := context.Background()
	long := make([]byte, fedinbox.MaxDomainLen+1)
	for i := range long {
		long[i] = 'a'
	}
	for _, d := range []string{"", " ", "a b.example", "a/b.example", "user@b.example", ".example", "a..example", "[::1", "[]", string(long), "ex\u00e4mple.org"} {
		assert.ErrorIs(t, s.BlockDomain(ctx, d, t0), fedinbox.ErrInvalidDomain, "BlockDomain(%q)", d)
		assert.ErrorIs(t, s.AllowDomain(ctx, d, t0), fedinbox.ErrInvalidDomain, "AllowDomain(%q)", d)
		assert.ErrorIs(t, s.RemoveDomain(ctx, d), fedinbox.ErrInvalidDomain, "RemoveDomain(%q)", d)
	}
	ds, err := s.ListDomains(ctx)
	require.NoError(t, err)
	assert.Empty(t, ds)
}
