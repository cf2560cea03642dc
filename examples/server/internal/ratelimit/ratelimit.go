// Package ratelimit limits attempts per key (login, mails) for the
// reference server's web UI and JSON API.
package ratelimit

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Limiter is an in-memory token bucket per key, safe for concurrent
// use. When it tracks max keys and none has refilled, new keys are
// refused until one has: it fails closed, never open.
type Limiter struct {
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

// New returns a limiter whose buckets hold burst tokens and refill by
// one every every, tracking at most max keys.
func New(now func() time.Time, burst int, every time.Duration, max int) *Limiter {
	return &Limiter{now: now, burst: float64(burst), every: every, max: max, buckets: map[string]bucket{}}
}

// refilled is b's content at now.
func (l *Limiter) refilled(b bucket, now time.Time) float64 {
	return min(l.burst, b.tokens+float64(now.Sub(b.at))/float64(l.every))
}

// Allow takes one token from key's bucket. When there is none it says
// how long until there is.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
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
func (l *Limiter) prune(now time.Time) {
	for k, b := range l.buckets {
		if l.refilled(b, now) >= l.burst {
			delete(l.buckets, k)
		}
	}
}

// Key is the key of an email (as typed: trimmed, lower case) and the
// client's IP.
func Key(r *http.Request, email string) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return strings.ToLower(strings.TrimSpace(email)) + "\x00" + host
}
