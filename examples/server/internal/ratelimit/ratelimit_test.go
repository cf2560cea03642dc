package ratelimit

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLimiter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := New(func() time.Time { return now }, 3, time.Minute, 4)

	for range 3 {
		ok, _ := l.Allow("a")
		assert.True(t, ok)
	}
	ok, wait := l.Allow("a")
	assert.False(t, ok)
	assert.Equal(t, time.Minute, wait)
	for range 3 {
		ok, _ = l.Allow("b")
		assert.True(t, ok, "keys are separate")
	}

	now = now.Add(30 * time.Second)
	ok, wait = l.Allow("a")
	assert.False(t, ok)
	assert.Equal(t, 30*time.Second, wait, "half a token refilled")
	now = now.Add(30 * time.Second)
	ok, _ = l.Allow("a")
	assert.True(t, ok, "one token refilled")
	ok, _ = l.Allow("a")
	assert.False(t, ok)

	// Full: new keys are refused until old buckets refill, then the
	// full ones are forgotten.
	for i := range 2 {
		ok, _ = l.Allow(fmt.Sprint("k", i))
		assert.True(t, ok)
	}
	ok, _ = l.Allow("new")
	assert.False(t, ok, "fails closed when full")
	now = now.Add(3 * time.Minute)
	ok, _ = l.Allow("new")
	assert.True(t, ok, "refilled buckets were pruned")
	assert.LessOrEqual(t, len(l.buckets), 4)
}
