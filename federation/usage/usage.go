// Package usage counts the instance's use for NodeInfo: a cached
// endpoints.UsageSource over counts computed by the storage backend.
//
// The numbers are honest (FEP-0151: no false usage), each from what the
// database records:
//
//   - users: accounts that may sign in (confirmed, not suspended);
//   - activeMonth, activeHalfyear: of those, the accounts active in the
//     last ActiveMonth or ActiveHalfyear: a sign-in session of theirs was
//     used (a session records its last use, at most
//     identity.SessionTouchInterval late), or one of their profiles
//     created a local event, wrote a comment or joined an event. Sessions signed out or
//     evicted since are not seen, so this may count low, never high;
//   - localPosts: local events that are public and published (drafts,
//     unlisted and private events are not counted; a recurring series
//     counts once);
//   - localComments: published comments of local actors on public,
//     published events (local or remote).
//
// Counting runs a few SQL statements over whole tables, so a Source
// keeps the result for its TTL (DefaultTTL): NodeInfo is fetched by
// crawlers and by every instance that meets this one, and must not cost
// a table scan each time.
package usage

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"codeberg.org/convene/convene/federation/endpoints"
)

// Windows and cache lifetime.
const (
	// ActiveMonth is the window of NodeInfo's activeMonth.
	ActiveMonth = 30 * 24 * time.Hour
	// ActiveHalfyear is the window of NodeInfo's activeHalfyear.
	ActiveHalfyear = 180 * 24 * time.Hour
	// DefaultTTL is how long a Source serves counts before counting
	// again.
	DefaultTTL = 10 * time.Minute
)

// Store counts what NodeInfo publishes; every backend (storage/sqlite,
// storage/postgres) implements it, and storage/storagetest checks it.
// Errors are the backend's (wrapped).
type Store interface {
	// CountLocalUsers counts the accounts that are confirmed and not
	// suspended.
	CountLocalUsers(ctx context.Context) (int, error)
	// CountActiveUsers counts the accounts CountLocalUsers counts that
	// were active at or after since: a session of theirs was last used,
	// or one of their profiles created a local event, wrote a comment or
	// joined an event (the row's creation time).
	CountActiveUsers(ctx context.Context, since time.Time) (int, error)
	// CountLocalEvents counts the local events that are public and not
	// drafts.
	CountLocalEvents(ctx context.Context) (int, error)
	// CountLocalComments counts the published comments written by local
	// actors on public events that are not drafts, local or remote.
	CountLocalComments(ctx context.Context) (int, error)
}

// Config configures a Source.
type Config struct {
	// Store counts; required.
	Store Store
	// TTL is how long counts are served before counting again; zero
	// means DefaultTTL. Negative is refused.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Source is an endpoints.UsageSource (set it as endpoints.Config.Usage).
// It counts on the first call and again once its counts are older than
// the TTL; meanwhile every call gets the cached counts. One call counts
// at a time: concurrent callers wait for it (or for their context). A
// failed count is not cached: the next call counts again. It is safe for
// concurrent use.
type Source struct {
	store Store
	ttl   time.Duration
	now   func() time.Time

	// sem is held by the caller that counts (a channel, so that waiting
	// callers can give up with their context).
	sem chan struct{}

	mu     sync.Mutex // guards counts and at
	counts counts
	at     time.Time // when counts were taken; zero: never
}

var _ endpoints.UsageSource = (*Source)(nil)

// counts is one reading of the Store.
type counts struct {
	users, month, halfyear, posts, comments int
}

// New returns a Source, or an error for a Config without Store or with a
// negative TTL.
func New(cfg Config) (*Source, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("usage: Config.Store is required")
	case cfg.TTL < 0:
		return nil, fmt.Errorf("usage: Config.TTL %v is negative", cfg.TTL)
	}
	if cfg.TTL == 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Source{store: cfg.Store, ttl: cfg.TTL, now: cfg.Now, sem: make(chan struct{}, 1)}, nil
}

// Usage returns the counts, from the cache while they are fresh.
func (s *Source) Usage(ctx context.Context) (endpoints.Usage, error) {
	if c, ok := s.fresh(); ok {
		return c.usage(), nil
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return endpoints.Usage{}, fmt.Errorf("usage: %w", ctx.Err())
	}
	defer func() { <-s.sem }()
	// Another caller may have counted while this one waited.
	if c, ok := s.fresh(); ok {
		return c.usage(), nil
	}
	now := s.now()
	c, err := s.count(ctx, now)
	if err != nil {
		return endpoints.Usage{}, err
	}
	s.mu.Lock()
	s.counts, s.at = c, now
	s.mu.Unlock()
	return c.usage(), nil
}

// fresh returns the cached counts if they are younger than the TTL. A
// clock that went back makes them stale.
func (s *Source) fresh() (counts, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at.IsZero() {
		return counts{}, false
	}
	age := s.now().Sub(s.at)
	return s.counts, age >= 0 && age < s.ttl
}

// count reads every number from the Store.
func (s *Source) count(ctx context.Context, now time.Time) (counts, error) {
	var c counts
	var err error
	if c.users, err = s.store.CountLocalUsers(ctx); err != nil {
		return c, fmt.Errorf("usage: count users: %w", err)
	}
	if c.month, err = s.store.CountActiveUsers(ctx, now.Add(-ActiveMonth)); err != nil {
		return c, fmt.Errorf("usage: count active users (month): %w", err)
	}
	if c.halfyear, err = s.store.CountActiveUsers(ctx, now.Add(-ActiveHalfyear)); err != nil {
		return c, fmt.Errorf("usage: count active users (half year): %w", err)
	}
	if c.posts, err = s.store.CountLocalEvents(ctx); err != nil {
		return c, fmt.Errorf("usage: count local events: %w", err)
	}
	if c.comments, err = s.store.CountLocalComments(ctx); err != nil {
		return c, fmt.Errorf("usage: count local comments: %w", err)
	}
	return c, nil
}

// usage returns c as NodeInfo usage, with pointers of its own.
func (c counts) usage() endpoints.Usage {
	p := func(n int) *int { return &n }
	return endpoints.Usage{
		Users:          p(c.users),
		ActiveMonth:    p(c.month),
		ActiveHalfyear: p(c.halfyear),
		LocalPosts:     p(c.posts),
		LocalComments:  p(c.comments),
	}
}
