package inbox_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCreateEvent is one signed Create{Event} verified, parsed,
// checked and stored; compare with BenchmarkRSAVerify (issue #4: at most
// 4x one RSA-2048 PKCS#1 v1.5 verification).
func BenchmarkCreateEvent(b *testing.B) {
	b.Run("memory-state", func(b *testing.B) { benchCreateEvent(b, newEnv(b)) })
	// As an instance runs: the seen ids, tombstones and domain policy in
	// SQLite too.
	b.Run("sqlite-state", func(b *testing.B) { benchCreateEvent(b, newEnv(b, storedState(true))) })
}

// BenchmarkCreateEventParallel is the inbox under load, as an instance
// meets it: many signed Create{Event} at once, state in SQLite (whose
// writes are committed together, see storage/internal/sqlstore). It
// reports the wall time per activity over the wall time per RSA verify
// with the same parallelism, measured in the same run (x-verify; issue
// #4's target is 4).
func BenchmarkCreateEventParallel(b *testing.B) {
	e := newEnv(b, storedState(true))
	reqs := signedCreates(b, e, b.N)
	verify := rsaVerifier(b)
	const baseline = 4000
	b.SetParallelism(8)
	start := time.Now()
	var n atomic.Int64
	runParallel(func() {
		for n.Add(1) <= baseline {
			verify()
		}
	})
	perVerify := time.Since(start) / baseline

	b.ReportAllocs()
	b.ResetTimer()
	start = time.Now()
	var next atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if code := e.serve(reqs[next.Add(1)-1]); code != http.StatusAccepted {
				b.Errorf("status %d", code)
				return
			}
		}
	})
	perActivity := time.Since(start) / time.Duration(b.N)
	b.ReportMetric(float64(perActivity)/float64(perVerify), "x-verify")
}

// runParallel runs fn on as many goroutines as RunParallel does with
// SetParallelism(8).
func runParallel(fn func()) {
	done := make(chan struct{})
	workers := 8 * runtime.GOMAXPROCS(0)
	for range workers {
		go func() { fn(); done <- struct{}{} }()
	}
	for range workers {
		<-done
	}
}

func signedCreates(b *testing.B, e *env, n int) []*http.Request {
	reqs := make([]*http.Request, n)
	for i := range reqs {
		id := fmt.Sprintf("https://victim.example/events/b%d", i)
		ev := versioned(id, "Concert", "")
		ev["content"] = "<p>An evening of <b>music</b> at the park.</p>"
		reqs[i] = e.request(e.signers[victim], mustJSON(b, activity("Create", id+"/activity", victim, ev)))
	}
	return reqs
}

// rsaVerifier returns one RSA-2048 PKCS#1 v1.5 SHA-256 verification.
func rsaVerifier(b *testing.B) func() {
	k := privateKey(b, "rsa1").(*rsa.PrivateKey)
	sum := sha256.Sum256([]byte("(request-target): post /inbox"))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	if err != nil {
		b.Fatal(err)
	}
	return func() {
		if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}

func benchCreateEvent(b *testing.B, e *env) {
	reqs := signedCreates(b, e, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if code := e.serve(reqs[i]); code != http.StatusAccepted {
			b.Fatalf("status %d", code)
		}
	}
}

// BenchmarkRSAVerify is one RSA-2048 PKCS#1 v1.5 SHA-256 verification.
func BenchmarkRSAVerify(b *testing.B) {
	verify := rsaVerifier(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		verify()
	}
}
