package api

import (
	"sync"
	"time"
)

// Login rate limit: each (email, client IP) pair has a bucket of
// LoginBurst attempts that refills by one every LoginRefill.
const (
	LoginBurst  = 10
	LoginRefill = time.Minute
	// MaxLoginKeys bounds the memory of the limiter: when it tracks that
	// many pairs and none has refilled, new pairs are refused until one
	// has (the limiter fails closed, never open).
	MaxLoginKeys = 100_000
)

// limiter is an in-memory token bucket per key.
type limiter struct {
	now   func() time.Time
	burst float64
	every time.Duration
	max   int

	mu      sync.Mutex
	buckets map[string]bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newLimiter(now func() time.Time, burst int, every time.Duration, max int) *limiter {
	return &limiter{now: now, burst: float64(burst), every: every, max: max, buckets: map[string]bucket{}}
}

// refilled is b's content at now.
func (l *limiter) refilled(b bucket, now time.Time) float64 {
	return min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
}

// allow takes one token from key's bucket. When there is none it says
// how long until there is.
func (l *limiter) allow(key string) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.max {
			l.prune(now)
		}
		if len(l.buckets) >= l.max {
			return false, l.every
		}
		b = bucket{tokens: l.burst, at: now}
	}
	b.tokens, b.at = l.refilled(b, now), now
	if b.tokens < 1 {
		l.buckets[key] = b
		return false, time.Duration((1 - b.tokens) * float64(l.every))
	}
	b.tokens--
	l.buckets[key] = b
	return true, 0
}

// prune forgets full buckets: they are the same as new ones.
func (l *limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if l.refilled(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
}
