package api

import "time"

// Limiter is a token bucket per key: Allow takes one token of key's
// bucket, or says how long until there is one. The server's
// internal/ratelimit.Limiter implements it.
type Limiter interface {
	Allow(key string) (ok bool, wait time.Duration)
}

// Login rate limit: each (email, client IP) pair has a bucket of
// LoginBurst attempts that refills by one every LoginRefill.
const (
	LoginBurst  = 10
	LoginRefill = time.Minute
	// MaxLoginKeys bounds the memory of the limiter: when it tracks that
	// many pairs and none has refilled, new pairs are refused until one
	// has (the limiter fails closed, never open).
	MaxLoginKeys = 100_000
	// MessageBurst private messages (conversations: to the organizers,
	// to a participant, replies) per account, refilling by one every
	// MessageRefill: each may mail the other side. The limiter tracks at
	// most MaxLoginKeys accounts.
	MessageBurst  = 10
	MessageRefill = 2 * time.Minute
)
