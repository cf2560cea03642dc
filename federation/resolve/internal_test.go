package resolve

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

func (f *flight) waiting(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.m[key]; ok {
		return c.dups
	}
	return -1
}

// TestFlight: concurrent calls for one key run fn once and each get
// their own copy; a waiter whose context ends stops waiting.
func TestFlight(t *testing.T) {
	t.Parallel()
	f := &flight{m: map[string]*call{}}
	release := make(chan struct{})
	var runs atomic.Int32
	fn := func() (*identity.Actor, error) {
		runs.Add(1)
		<-release
		return &identity.Actor{APID: "https://r.example/a"}, nil
	}
	const n = 8
	got := make([]*identity.Actor, n)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a, err := f.do(context.Background(), "k", fn)
		assert.NoError(t, err)
		got[0] = a
	}()
	require.Eventually(t, func() bool { return f.waiting("k") == 0 }, 5*time.Second, time.Millisecond)
	for i := 1; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := f.do(context.Background(), "k", fn)
			assert.NoError(t, err)
			got[i] = a
		}()
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		_, err := f.do(ctx, "k", fn)
		errc <- err
	}()
	require.Eventually(t, func() bool { return f.waiting("k") == n }, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-errc, context.Canceled)
	close(release)
	wg.Wait()
	assert.Equal(t, int32(1), runs.Load())
	for i := range got {
		require.NotNil(t, got[i])
		assert.Equal(t, "https://r.example/a", got[i].APID)
		for j := range i {
			assert.NotSame(t, got[i], got[j], "each caller gets its own copy")
		}
	}
	assert.Equal(t, -1, f.waiting("k"), "forgotten once done")

	// Errors are shared too, and the next call runs again.
	boom := errors.New("boom")
	_, err := f.do(context.Background(), "k", func() (*identity.Actor, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	_, err = f.do(context.Background(), "k", func() (*identity.Actor, error) { return nil, nil })
	require.Error(t, err)
	assert.Equal(t, int32(1), runs.Load())
}

func TestTransient(t *testing.T) {
	t.Parallel()
	assert.True(t, transient(errors.New("connection refused")))
	assert.True(t, transient(context.DeadlineExceeded))
	assert.False(t, transient(context.Canceled))
	assert.False(t, transient(ErrMismatch))
	assert.False(t, transient(identity.ErrInvalid))
}
