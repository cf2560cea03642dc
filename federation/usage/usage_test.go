package usage_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/usage"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/sqlite"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// Every backend counts.
var (
	_ usage.Store = (*sqlite.DB)(nil)
	_ usage.Store = (*sqlite.Tx)(nil)
	_ usage.Store = (*postgres.DB)(nil)
)

// fakeStore counts its calls; block, when set, holds every call until
// it is closed.
type fakeStore struct {
	users, month, halfyear, events, comments int
	err                                      error
	block                                    chan struct{}
	calls                                    atomic.Int32 // CountLocalUsers calls: one per count
	sinces                                   []time.Time
	mu                                       sync.Mutex
}

func (f *fakeStore) wait(ctx context.Context) error {
	if f.block == nil {
		return nil
	}
	select {
	case <-f.block:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fakeStore) CountLocalUsers(ctx context.Context) (int, error) {
	f.calls.Add(1)
	if err := f.wait(ctx); err != nil {
		return 0, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.users, f.err
}

func (f *fakeStore) CountActiveUsers(_ context.Context, since time.Time) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sinces = append(f.sinces, since)
	if len(f.sinces)%2 == 1 {
		return f.month, nil
	}
	return f.halfyear, nil
}

func (f *fakeStore) CountLocalEvents(context.Context) (int, error) { return f.events, nil }

func (f *fakeStore) CountLocalComments(context.Context) (int, error) { return f.comments, nil }

// clock is the tests' fake clock.
type clock = fakeclock.Clock

var t0 = time.Date(2030, time.March, 1, 12, 0, 0, 0, time.UTC)

func ints(u endpoints.Usage) []int {
	var out []int
	for _, p := range []*int{u.Users, u.ActiveMonth, u.ActiveHalfyear, u.LocalPosts, u.LocalComments} {
		if p == nil {
			out = append(out, -1)
			continue
		}
		out = append(out, *p)
	}
	return out
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  usage.Config
		ok   bool
	}{
		{"no store", usage.Config{}, false},
		{"negative TTL", usage.Config{Store: &fakeStore{}, TTL: -time.Second}, false},
		{"defaults", usage.Config{Store: &fakeStore{}}, true},
		{"TTL", usage.Config{Store: &fakeStore{}, TTL: time.Second}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, err := usage.New(tt.cfg)
			if tt.ok {
				require.NoError(t, err)
				require.NotNil(t, s)
			} else {
				require.Error(t, err)
				require.Nil(t, s)
			}
		})
	}
}

func TestCountsAndWindows(t *testing.T) {
	t.Parallel()
	st := &fakeStore{users: 10, month: 3, halfyear: 7, events: 42, comments: 5}
	c := fakeclock.New(t0)
	s, err := usage.New(usage.Config{Store: st, Now: c.Now})
	require.NoError(t, err)
	u, err := s.Usage(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []int{10, 3, 7, 42, 5}, ints(u))
	assert.Equal(t, []time.Time{t0.Add(-30 * 24 * time.Hour), t0.Add(-180 * 24 * time.Hour)}, st.sinces)

	// The caller's copy is its own.
	*u.Users = 999
	u, err = s.Usage(t.Context())
	require.NoError(t, err)
	assert.Equal(t, 10, *u.Users)
}

func TestCache(t *testing.T) {
	t.Parallel()
	st := &fakeStore{users: 1}
	c := fakeclock.New(t0)
	s, err := usage.New(usage.Config{Store: st, Now: c.Now, TTL: time.Minute})
	require.NoError(t, err)
	get := func() int {
		t.Helper()
		u, err := s.Usage(t.Context())
		require.NoError(t, err)
		return *u.Users
	}
	steps := []struct {
		advance   time.Duration
		users     int // what the store now says
		want      int
		wantCalls int32
	}{
		{0, 1, 1, 1},                             // first call counts
		{59 * time.Second, 2, 1, 1},              // cached
		{time.Second, 3, 3, 2},                   // TTL reached: counted again
		{-time.Hour, 4, 4, 3},                    // clock went back: counted again
		{30 * time.Second, 5, 4, 3},              // cached
		{time.Minute + time.Nanosecond, 6, 6, 4}, // stale
	}
	for i, step := range steps {
		c.Advance(step.advance)
		st.mu.Lock()
		st.users = step.users
		st.mu.Unlock()
		assert.Equal(t, step.want, get(), "step %d", i)
		assert.Equal(t, step.wantCalls, st.calls.Load(), "step %d: counts", i)
	}
}

func TestErrorIsNotCached(t *testing.T) {
	t.Parallel()
	boom := errors.New("database down")
	st := &fakeStore{users: 1, err: boom}
	s, err := usage.New(usage.Config{Store: st, Now: fakeclock.New(t0).Now})
	require.NoError(t, err)
	_, err = s.Usage(t.Context())
	require.ErrorIs(t, err, boom)
	st.mu.Lock()
	st.err = nil
	st.mu.Unlock()
	u, err := s.Usage(t.Context())
	require.NoError(t, err, "the next call counts again")
	assert.Equal(t, 1, *u.Users)
	assert.Equal(t, int32(2), st.calls.Load())
}

func TestConcurrentCallersCountOnce(t *testing.T) {
	t.Parallel()
	st := &fakeStore{users: 7, block: make(chan struct{})}
	s, err := usage.New(usage.Config{Store: st, Now: fakeclock.New(t0).Now})
	require.NoError(t, err)
	const callers = 20
	var wg sync.WaitGroup
	results := make(chan int, callers)
	for range callers {
		wg.Go(func() {
			u, err := s.Usage(context.Background())
			if assert.NoError(t, err) {
				results <- *u.Users
			}
		})
	}
	// Let the callers pile up behind the one that counts, then let it
	// finish.
	require.Eventually(t, func() bool { return st.calls.Load() == 1 }, 5*time.Second, time.Millisecond)
	close(st.block)
	wg.Wait()
	close(results)
	n := 0
	for users := range results {
		assert.Equal(t, 7, users)
		n++
	}
	assert.Equal(t, callers, n)
	assert.Equal(t, int32(1), st.calls.Load(), "one count for all the callers")
}

func TestWaiterGivesUp(t *testing.T) {
	t.Parallel()
	st := &fakeStore{users: 7, block: make(chan struct{})}
	s, err := usage.New(usage.Config{Store: st, Now: fakeclock.New(t0).Now})
	require.NoError(t, err)
	first := make(chan error, 1)
	go func() {
		_, err := s.Usage(context.Background())
		first <- err
	}()
	require.Eventually(t, func() bool { return st.calls.Load() == 1 }, 5*time.Second, time.Millisecond)

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = s.Usage(ctx)
	require.ErrorIs(t, err, context.Canceled, "a waiting caller gives up with its context")

	close(st.block)
	require.NoError(t, <-first)
	assert.Equal(t, int32(1), st.calls.Load())
}

// TestSQLite counts on a real backend: the numbers NodeInfo would show.
func TestSQLite(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db := sqlitetest.Open(t)
	c := fakeclock.New(t0)
	acc := &identity.Account{ID: "acc-1", Email: "ada@example.org", PasswordHash: "x", Role: identity.RoleUser,
		Locale: "en", TimeZone: "UTC", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, db.CreateAccount(ctx, acc))
	s, err := usage.New(usage.Config{Store: db, Now: c.Now})
	require.NoError(t, err)
	u, err := s.Usage(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{0, 0, 0, 0, 0}, ints(u), "an unconfirmed account is no user")

	acc.Confirmed = true
	require.NoError(t, db.UpdateAccount(ctx, acc))
	require.NoError(t, db.CreateSession(ctx, &identity.Session{ID: "s-1", Hash: make([]byte, 32), AccountID: acc.ID,
		CreatedAt: t0, LastUsedAt: t0}))
	c.Advance(usage.DefaultTTL)
	u, err = s.Usage(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 1, 1, 0, 0}, ints(u), "a confirmed account that signed in")

	c.Advance(60 * 24 * time.Hour)
	u, err = s.Usage(ctx)
	require.NoError(t, err)
	assert.Equal(t, []int{1, 0, 1, 0, 0}, ints(u), "two months later")
}
