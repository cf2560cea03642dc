package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/delivery/deliverytest"
	"codeberg.org/convene/convene/federation/httpsig"
)

// harness runs a Worker over a Memory queue and a fakeNet inside a
// synctest bubble, whose clock starts at t0 and advances only when every
// goroutine waits.
type harness struct {
	t      *testing.T
	q      *deliverytest.Memory
	net    *fakeNet
	w      *delivery.Worker
	t0     time.Time
	cancel context.CancelFunc
	done   chan error

	mu   sync.Mutex
	gone []string
}

// start starts a worker; cfg's Queue, Client, Signers, Rand and Gone are
// filled in when nil (Rand: 0.5, which makes Backoff exact).
func start(t *testing.T, cfg delivery.Config) *harness {
	t.Helper()
	h := &harness{t: t, q: &deliverytest.Memory{}, net: newFakeNet(), t0: time.Now()}
	if cfg.Queue == nil {
		cfg.Queue = h.q
	}
	if cfg.Client == nil {
		cfg.Client = h.net.client()
	}
	if cfg.Signers == nil {
		cfg.Signers = signers(t, testKey(t))
	}
	if cfg.Rand == nil {
		cfg.Rand = func() float64 { return 0.5 }
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Gone == nil {
		cfg.Gone = func(_ context.Context, j delivery.Job) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.gone = append(h.gone, j.Inbox)
		}
	}
	w, err := delivery.NewWorker(cfg)
	require.NoError(t, err)
	h.w = w
	h.run()
	return h
}

func (h *harness) run() {
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel, h.done = cancel, make(chan error, 1)
	go func() { h.done <- h.w.Run(ctx) }()
}

// stop cancels Run and waits for it to return.
func (h *harness) stop() {
	h.cancel()
	require.NoError(h.t, <-h.done)
}

// enqueue queues activity n to inboxes at the bubble's now and wakes
// the worker.
func (h *harness) enqueue(n string, inboxes ...string) {
	h.t.Helper()
	require.NoError(h.t, h.q.Enqueue(context.Background(), time.Now(), activity(n), inboxes))
	h.w.Notify()
}

// until sleeps (bubble time) until d after t0.
func (h *harness) until(d time.Duration) {
	time.Sleep(time.Until(h.t0.Add(d)))
	synctest.Wait()
}

func (h *harness) counts() (queued, dead int) { return h.q.Counts() }

func TestWorkerDeliversSignedPOSTs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key := testKey(t)
		h := start(t, delivery.Config{UserAgent: "Convene/test (+https://local.example/)"})
		defer h.stop()
		a := activity("1")
		h.enqueue("1", "https://a.example/inbox", "https://b.example/users/x/inbox", "https://a.example/inbox")
		synctest.Wait()

		reqs := h.net.requests("")
		require.Len(t, reqs, 2)
		v, err := httpsig.NewVerifier(httpsig.Config{Keys: staticKey{key.Public()}})
		require.NoError(t, err)
		for _, r := range reqs {
			assert.Equal(t, http.MethodPost, r.Req.Method)
			assert.Equal(t, delivery.ContentType, r.Header.Get("Content-Type"))
			assert.Equal(t, "Convene/test (+https://local.example/)", r.Header.Get("User-Agent"))
			assert.Equal(t, string(a.Body), string(r.Body))
			res, err := v.Verify(context.Background(), r.Req, r.Body)
			require.NoError(t, err, "the POST verifies with the actor's key")
			assert.Equal(t, httpsig.Cavage, res.Scheme)
			assert.Equal(t, localKeyID, res.KeyID)
		}
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
	})
}

// staticKey resolves every keyId to one public key owned by localActor.
type staticKey struct{ pub any }

func (k staticKey) ResolveKey(context.Context, string, bool) (httpsig.Key, error) {
	return httpsig.Key{PublicKey: k.pub, Owner: localActor}, nil
}

func TestWorkerRetriesWithBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{})
		defer h.stop()
		n := 0
		h.net.handle("flaky.example", func(request) answer {
			n++
			if n <= 2 {
				return answer{status: http.StatusServiceUnavailable}
			}
			return answer{status: http.StatusAccepted}
		})
		h.enqueue("1", "https://flaky.example/inbox")
		h.until(10 * time.Minute)

		reqs := h.net.requests("flaky.example")
		require.Len(t, reqs, 3)
		// Backoff(1)=1m, Backoff(2)=2m, each seen at the next poll.
		wantAt := []time.Duration{0, time.Minute, 3 * time.Minute}
		for i, r := range reqs {
			at := r.At.Sub(h.t0)
			assert.GreaterOrEqual(t, at, wantAt[i], "attempt %d", i+1)
			assert.LessOrEqual(t, at, wantAt[i]+time.Duration(i)*time.Second, "attempt %d", i+1)
		}
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
	})
}

func TestWorkerGivesUpAfterAboutTwoDays(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{PollInterval: time.Minute})
		defer h.stop()
		h.net.handle("down.example", status(http.StatusInternalServerError))
		h.enqueue("1", "https://down.example/inbox")
		h.until(4 * 24 * time.Hour)

		reqs := h.net.requests("down.example")
		require.Len(t, reqs, delivery.MaxAttempts)
		span := reqs[len(reqs)-1].At.Sub(reqs[0].At)
		assert.InDelta(t, 48.5, span.Hours(), 0.5, "the last attempt comes about two days after the first")
		queued, dead := h.counts()
		assert.Equal(t, 0, queued)
		assert.Equal(t, 1, dead)
	})
}

func TestWorkerClassifiesAnswers(t *testing.T) {
	cases := []struct {
		status int
		buried bool
		gone   bool
	}{
		{http.StatusBadRequest, true, false},
		{http.StatusForbidden, true, false},
		{http.StatusNotFound, true, false},
		{http.StatusGone, true, true},
		{http.StatusUnprocessableEntity, true, false},
		{http.StatusUnauthorized, false, false},
		{http.StatusRequestTimeout, false, false},
		{http.StatusTooManyRequests, false, false},
		{http.StatusBadGateway, false, false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				h := start(t, delivery.Config{})
				defer h.stop()
				h.net.handle("h.example", status(c.status))
				h.enqueue("1", "https://h.example/users/a/inbox")
				h.until(30 * time.Second) // before the first retry (1 min)

				assert.Len(t, h.net.requests(""), 1)
				queued, dead := h.counts()
				if c.buried {
					assert.Equal(t, [2]int{0, 1}, [2]int{queued, dead}, "buried")
				} else {
					assert.Equal(t, [2]int{1, 0}, [2]int{queued, dead}, "kept for a retry")
				}
				if c.gone {
					assert.Equal(t, []string{"https://h.example/users/a/inbox"}, h.gone, "410 reports the actor gone")
				} else {
					assert.Empty(t, h.gone)
				}
			})
		})
	}
}

func TestWorkerHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{})
		defer h.stop()
		n := 0
		h.net.handle("busy.example", func(request) answer {
			n++
			if n == 1 {
				return answer{status: http.StatusTooManyRequests, header: http.Header{"Retry-After": {"3600"}}}
			}
			return answer{status: http.StatusAccepted}
		})
		h.enqueue("1", "https://busy.example/inbox")
		h.until(59 * time.Minute)
		require.Len(t, h.net.requests(""), 1, "not before Retry-After")
		h.until(time.Hour + 2*time.Second)
		reqs := h.net.requests("")
		require.Len(t, reqs, 2)
		assert.GreaterOrEqual(t, reqs[1].At.Sub(h.t0), time.Hour)
	})
}

func TestWorkerSkipsDeadHostUntilItAnswers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rule := delivery.HostRule{DownAfter: 10 * time.Minute, ProbeAfter: time.Hour}
		h := start(t, delivery.Config{Hosts: rule})
		defer h.stop()
		var mu sync.Mutex
		alive := false
		h.net.handle("dead.example", func(request) answer {
			mu.Lock()
			defer mu.Unlock()
			if !alive {
				return answer{err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}}
			}
			return answer{status: http.StatusAccepted}
		})
		h.enqueue("1", "https://dead.example/inbox")
		// Attempts at 0, 1, 3, 7 and 15 min; failing for 15 min >= 10: down
		// until 1 h 15 min.
		h.until(20 * time.Minute)
		require.Len(t, h.net.requests("dead.example"), 5)
		st, err := h.q.Stats(context.Background(), time.Now())
		require.NoError(t, err)
		assert.Equal(t, 1, st.DownHosts)

		h.enqueue("2", "https://dead.example/inbox", "https://ok.example/inbox")
		h.until(time.Hour)
		assert.Len(t, h.net.requests("dead.example"), 5, "a down host gets nothing")
		assert.Len(t, h.net.requests("ok.example"), 1, "other hosts are served")

		mu.Lock()
		alive = true
		mu.Unlock()
		h.until(time.Hour + 16*time.Minute)
		reqs := h.net.requests("dead.example")
		require.Len(t, reqs, 7, "the probe delivers both waiting jobs")
		assert.GreaterOrEqual(t, reqs[5].At.Sub(h.t0), time.Hour+15*time.Minute)
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
		st, err = h.q.Stats(context.Background(), time.Now())
		require.NoError(t, err)
		assert.Empty(t, st.FailingHosts, "the success cleared the host")
	})
}

func TestWorkerConcurrencyLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{Workers: 4, PerHostConcurrency: 2})
		defer h.stop()
		h.net.delay = time.Second
		var to []string
		for _, host := range []string{"a.example", "b.example", "c.example"} {
			for i := range 6 {
				to = append(to, fmt.Sprintf("https://%s/users/%d/inbox", host, i))
			}
		}
		h.enqueue("1", to...)
		h.until(time.Minute)

		require.Len(t, h.net.requests(""), 18)
		assert.Equal(t, 4, h.net.maxTotal, "Workers bounds the deliveries in flight")
		for _, host := range []string{"a.example", "b.example", "c.example"} {
			assert.LessOrEqual(t, h.net.maxHost[host], 2, host)
		}
		assert.Equal(t, 2, max(h.net.maxHost["a.example"], h.net.maxHost["b.example"], h.net.maxHost["c.example"]))
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
	})
}

func TestWorkerShutdownLetsDeliveriesFinish(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{ShutdownTimeout: 10 * time.Second})
		h.net.delay = 5 * time.Second
		h.enqueue("1", "https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox")
		h.until(time.Second) // in flight
		h.stop()
		assert.Equal(t, 5*time.Second, time.Since(h.t0), "Run returned when the deliveries finished")
		assert.Len(t, h.net.requests(""), 3)
		queued, dead := h.counts()
		assert.Zero(t, queued+dead, "all delivered")
	})
}

func TestWorkerShutdownReleasesUnfinished(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{ShutdownTimeout: 2 * time.Second})
		h.net.delay = time.Minute
		h.enqueue("1", "https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox")
		h.until(time.Second)
		h.stop()
		assert.Equal(t, 3*time.Second, time.Since(h.t0), "Run waited ShutdownTimeout, then cancelled")
		st, err := h.q.Stats(context.Background(), time.Now())
		require.NoError(t, err)
		assert.Equal(t, 3, st.Due, "the jobs were released, due at once")
		assert.Zero(t, st.Leased)

		// A restarted worker delivers each once more.
		h.net.delay = 0
		h.run()
		defer h.stop()
		synctest.Wait()
		assert.Len(t, h.net.requests(""), 6)
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
	})
}

func TestWorkerRunOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{})
		defer h.stop()
		synctest.Wait()
		require.ErrorIs(t, h.w.Run(context.Background()), delivery.ErrRunning)
	})
}

func TestWorkerBuriesJobsOfUnknownActors(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var calls int
		h := start(t, delivery.Config{Signers: delivery.SignersFunc(func(_ context.Context, id string) (*httpsig.Signer, error) {
			calls++
			return nil, fmt.Errorf("actor %s: %w", id, errNotFound)
		})})
		defer h.stop()
		h.enqueue("1", "https://a.example/inbox")
		synctest.Wait()
		assert.Empty(t, h.net.requests(""))
		assert.Equal(t, 1, calls)
		_, dead := h.counts()
		assert.Equal(t, 1, dead)
	})
}

func TestNewWorkerRefusesBadConfig(t *testing.T) {
	t.Parallel()
	q, c, s := &deliverytest.Memory{}, newFakeNet().client(), signers(t, testKey(t))
	cases := []struct {
		name string
		cfg  delivery.Config
	}{
		{"no queue", delivery.Config{Client: c, Signers: s}},
		{"no client", delivery.Config{Queue: q, Signers: s}},
		{"no signers", delivery.Config{Queue: q, Client: c}},
		{"bad scheme", delivery.Config{Queue: q, Client: c, Signers: s, Scheme: "hmac"}},
		{"scheme and knocks", delivery.Config{Queue: q, Client: c, Signers: s, Scheme: httpsig.Cavage, Knocks: &httpsig.Knocks{}}},
		{"negative workers", delivery.Config{Queue: q, Client: c, Signers: s, Workers: -1}},
		{"negative timeout", delivery.Config{Queue: q, Client: c, Signers: s, Timeout: -time.Second}},
		{"lease shorter than timeout", delivery.Config{Queue: q, Client: c, Signers: s, Timeout: time.Minute, LeaseFor: time.Minute}},
	}
	for _, tc := range cases {
		_, err := delivery.NewWorker(tc.cfg)
		assert.Error(t, err, tc.name)
	}
	_, err := delivery.NewWorker(delivery.Config{Queue: q, Client: c, Signers: s})
	assert.NoError(t, err)
	_, err = delivery.NewWorker(delivery.Config{Queue: q, Client: c, Signers: s, Knocks: &httpsig.Knocks{}})
	assert.NoError(t, err)
}

func TestWorkerPurgesOldDeadLetters(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{KeepDead: 2 * time.Hour, PollInterval: time.Minute})
		defer h.stop()
		h.net.handle("h.example", status(http.StatusNotFound))
		h.enqueue("1", "https://h.example/inbox")
		h.until(2*time.Hour + 30*time.Minute)
		_, dead := h.counts()
		assert.Equal(t, 1, dead, "kept for KeepDead")
		h.until(3*time.Hour + 30*time.Minute)
		_, dead = h.counts()
		assert.Zero(t, dead, "purged at the first purge after KeepDead")
	})
}

func TestWorkerDeliverDue(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := start(t, delivery.Config{})
		h.stop() // drive it by hand
		n := 0
		h.net.handle("flaky.example", func(request) answer {
			n++
			if n == 1 {
				return answer{status: http.StatusServiceUnavailable}
			}
			return answer{status: http.StatusAccepted}
		})
		require.NoError(t, h.q.Enqueue(context.Background(), time.Now(), activity("1"), []string{"https://a.example/inbox", "https://flaky.example/inbox"}))
		got, err := h.w.DeliverDue(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 2, got, "one attempt each; the failed one is due later")
		queued, _ := h.counts()
		assert.Equal(t, 1, queued)

		got, err = h.w.DeliverDue(context.Background())
		require.NoError(t, err)
		assert.Zero(t, got, "nothing is due yet")

		time.Sleep(time.Minute + time.Second) // Backoff(1)
		got, err = h.w.DeliverDue(context.Background())
		require.NoError(t, err)
		assert.Equal(t, 1, got)
		queued, dead := h.counts()
		assert.Zero(t, queued+dead)
		assert.Len(t, h.net.requests("flaky.example"), 2)

		h.run()
		synctest.Wait()
		_, err = h.w.DeliverDue(context.Background())
		require.ErrorIs(t, err, delivery.ErrRunning)
		h.stop()
	})
}
