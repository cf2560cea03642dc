package inbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/inbox/inboxtest"
)

// countingPolicy counts the questions that reach the store.
type countingPolicy struct {
	*inboxtest.Store
	mu    sync.Mutex
	asked int
}

func (p *countingPolicy) Allowed(ctx context.Context, host string) (bool, error) {
	p.mu.Lock()
	p.asked++
	p.mu.Unlock()
	return p.Store.Allowed(ctx, host)
}

func TestPolicyCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := epoch
	st := &countingPolicy{Store: inboxtest.NewStore()}
	c := inbox.NewPolicyCache(st, func() time.Time { return now })

	for range 3 {
		ok, err := c.Allowed(ctx, "b.example")
		require.NoError(t, err)
		assert.True(t, ok)
	}
	assert.Equal(t, 1, st.asked, "answers are reused")

	// A block through the cache applies at once.
	require.NoError(t, c.BlockDomain(ctx, "b.example", now))
	ok, err := c.Allowed(ctx, "b.example")
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Equal(t, 2, st.asked)

	// A change behind the cache's back applies after the TTL.
	require.NoError(t, st.Store.RemoveDomain(ctx, "b.example"))
	ok, _ = c.Allowed(ctx, "b.example")
	assert.False(t, ok, "still the cached answer")
	now = now.Add(inbox.PolicyCacheTTL)
	ok, _ = c.Allowed(ctx, "b.example")
	assert.True(t, ok, "asked again after the TTL")

	// So does allow-list mode, set through the cache.
	require.NoError(t, c.SetAllowListMode(ctx, true))
	ok, _ = c.Allowed(ctx, "b.example")
	assert.False(t, ok)
	require.NoError(t, c.AllowDomain(ctx, "b.example", now))
	ok, _ = c.Allowed(ctx, "b.example")
	assert.True(t, ok)
}
