package web

import "time"

// Limiter is a token bucket per key: Allow takes one token of key's
// bucket, or says how long until there is one. The server's
// internal/ratelimit.Limiter implements it.
type Limiter interface {
	Allow(key string) (ok bool, wait time.Duration)
}

// Rate limits. Each (email, client IP) pair has a bucket of LoginBurst
// login attempts that refills by one every LoginRefill, and one of
// MailBurst mails (confirmation resent, password reset) that refills by
// one every MailRefill.
const (
	LoginBurst  = 10
	LoginRefill = time.Minute
	MailBurst   = 3
	MailRefill  = 20 * time.Minute
	// MessageBurst private messages (conversations: to the organizers,
	// to a participant, replies) per account, refilling by one every
	// MessageRefill: each may mail the other side.
	MessageBurst  = 10
	MessageRefill = 2 * time.Minute
	// DiscussionBurst group discussion messages (new discussions and
	// replies) per account, refilling by one every DiscussionRefill: each
	// may mail the group's members who asked for it (notify limits that
	// mail per member and discussion as well).
	DiscussionBurst  = 10
	DiscussionRefill = time.Minute
	// UnsubscribeBurst one-click unsubscriptions (POST
	// /unsubscribe/discussions) per client IP, refilling by one every
	// UnsubscribeRefill. It is generous: the one-click POSTs of RFC 8058
	// come from a mail provider's servers, few addresses for many
	// recipients; the signed token is what protects the route, the limit
	// only bounds the work.
	UnsubscribeBurst  = 60
	UnsubscribeRefill = time.Second
	// MaxLimiterKeys bounds the memory of each limiter: when it tracks
	// that many pairs and none has refilled, new pairs are refused until
	// one has (the limiter fails closed, never open).
	MaxLimiterKeys = 100_000
)
