package delivery_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/delivery/deliverytest"
	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/storage/sqlite"
)

// Sizes of the delivery benchmark.
const (
	benchFollowers = 10_000
	benchHosts     = 1_000
)

// BenchmarkFanOut delivers one public event to 10,000 followers on 1,000
// servers (shared inboxes) through an in-memory network: fan-out,
// Enqueue, lease, sign (RSA-2048), POST and complete. It reports the
// POSTs per event (must be 1,000) and "ratio": the wall time per event
// over the time of 1,000 RSA-2048 signatures divided by the cores,
// measured in the same run (target: at most 1.3).
//
// The knock variants run the memory queue with Config.Knocks, every host
// already known (learnt before the timer starts): knock-cavage against
// inboxes that refuse RFC 9421 (the double knock must cost nothing for
// them: the ratio should match memory's), knock-rfc9421 against inboxes
// that accept it (the cost of RFC 9421 signing).
func BenchmarkFanOut(b *testing.B) {
	key := testKey(b)
	memory := func(testing.TB) delivery.Queue { return &deliverytest.Memory{} }
	b.Run("memory", func(b *testing.B) { benchFanOut(b, key, memory, "") })
	b.Run("memory-knock-cavage", func(b *testing.B) { benchFanOut(b, key, memory, httpsig.Cavage) })
	b.Run("memory-knock-rfc9421", func(b *testing.B) { benchFanOut(b, key, memory, httpsig.RFC9421) })
	b.Run("sqlite", func(b *testing.B) {
		benchFanOut(b, key, func(tb testing.TB) delivery.Queue {
			db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(b.TempDir(), "q.db")})
			require.NoError(tb, err)
			b.Cleanup(func() { _ = db.Close() })
			return db
		}, "")
	})
}

// signBaseline is the wall time of benchHosts RSA-2048 PKCS#1 v1.5
// signatures spread over GOMAXPROCS goroutines: the floor of a fan-out,
// measured next to each fan-out so that both see the same machine load.
func signBaseline(b *testing.B, key crypto.Signer) time.Duration {
	rk := key.(*rsa.PrivateKey)
	digest := sha256.Sum256([]byte("baseline"))
	cores := runtime.GOMAXPROCS(0)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range cores {
		wg.Go(func() {
			for range benchHosts/cores + min(1, max(0, benchHosts%cores-c)) {
				if _, err := rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, digest[:]); err != nil {
					panic(err)
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// completions wraps a Queue to signal when target jobs have completed.
type completions struct {
	delivery.Queue
	n      atomic.Int64
	target int64
	done   chan struct{}
}

func (c *completions) Complete(ctx context.Context, id int64, attempt int) error {
	err := c.Queue.Complete(ctx, id, attempt)
	if err == nil && c.n.Add(1) == c.target {
		close(c.done)
	}
	return err
}

// benchFanOut runs the benchmark on the queues of newQueue; knock, when
// set, is what the inboxes accept and what Config.Knocks knows of every
// host beforehand.
func benchFanOut(b *testing.B, key crypto.Signer, newQueue func(testing.TB) delivery.Queue, knock httpsig.Scheme) {
	ctx := context.Background()
	q := &completions{Queue: newQueue(b), target: benchHosts}
	var posts atomic.Int64
	answer := func(r *http.Request) *http.Response {
		code := http.StatusAccepted
		if knock == httpsig.Cavage && r.Header.Get("Signature-Input") != "" {
			code = http.StatusUnauthorized
		}
		return &http.Response{StatusCode: code, Body: http.NoBody, Header: http.Header{}, Request: r}
	}
	net := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		posts.Add(1)
		return answer(r), nil
	})
	addr, recipients := followers(benchFollowers, benchHosts)
	cfg := delivery.Config{
		Queue: q, Client: &http.Client{Transport: net}, Signers: signers(b, key),
		PollInterval: time.Second, // Workers: DefaultWorkers
	}
	if knock != "" {
		cfg.Knocks = &httpsig.Knocks{}
		inboxes, _ := delivery.Inboxes(addr, recipients, []string{"local.example"})
		for _, in := range inboxes {
			req, err := http.NewRequest(http.MethodPost, in, http.NoBody)
			require.NoError(b, err)
			_, err = cfg.Knocks.Knock(req.URL.Host, http.MethodPost, func(s httpsig.Scheme) (*http.Response, error) {
				r := req.Clone(ctx)
				if s == httpsig.RFC9421 {
					r.Header.Set("Signature-Input", "sig1=()")
				}
				return answer(r), nil
			})
			require.NoError(b, err)
			require.Equal(b, knock, cfg.Knocks.Known(req.URL.Host))
		}
	}
	w, err := delivery.NewWorker(cfg)
	require.NoError(b, err)

	var total, baseline time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		baseline += signBaseline(b, key)
		posts.Store(0)
		q.n.Store(0)
		q.done = make(chan struct{})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() { done <- w.Run(runCtx) }()
		b.StartTimer()

		start := time.Now()
		inboxes, _ := delivery.Inboxes(addr, recipients, []string{"local.example"})
		if err := q.Enqueue(ctx, time.Now(), activity(fmt.Sprint("bench-", i)), inboxes); err != nil {
			b.Fatal(err)
		}
		w.Notify()
		<-q.done
		total += time.Since(start)

		b.StopTimer()
		stop()
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		if n := posts.Load(); n != benchHosts {
			b.Fatalf("%d POSTs, want %d", n, benchHosts)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(posts.Load()), "posts/op")
	b.ReportMetric(float64(total)/float64(baseline), "ratio")
	b.ReportMetric(float64(baseline.Milliseconds())/float64(b.N), "baseline-ms")
}
