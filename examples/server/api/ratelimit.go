package api

import "time"

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
