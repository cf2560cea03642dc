package httpsig_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
)

// BenchmarkVerifyCavagePOST verifies a cavage rsa-sha256 POST with a
// 2 KB body (cached RSA-2048 key) and reports its cost as a ratio to
// one bare rsa.VerifyPKCS1v15, measured in the same iterations.
func BenchmarkVerifyCavagePOST(b *testing.B) {
	key := privateKey(b, "rsa1")
	body := []byte(`{"type":"Create","object":{"content":"` + strings.Repeat("x", 2048-40) + `"}}`)
	keys := staticResolver{aliceKey: {PublicKey: key.Public(), Owner: alice}}
	v, err := httpsig.NewVerifier(httpsig.Config{Keys: keys, Now: func() time.Time { return epoch }})
	require.NoError(b, err)
	s := newSigner(b, aliceKey, key, func() time.Time { return epoch })
	r := signed(b, s, httpsig.Cavage, http.MethodPost, "https://local.example/inbox", body)
	_, err = v.Verify(b.Context(), r, body)
	require.NoError(b, err)

	// Baseline: one PKCS#1 v1.5 verify of a SHA-256 digest.
	hashed := sha256.Sum256(body)
	sig, err := key.Sign(nil, hashed[:], crypto.SHA256)
	require.NoError(b, err)
	pubKey := key.Public().(*rsa.PublicKey)
	// Batches of Verify and of bare verifies alternate, each timed in
	// wall time and in the thread's CPU time (the goroutine is locked to
	// its thread): on a loaded machine the CPU ratio is the stable one.
	// One op is a batch: 64 Verify calls and 64 bare verifies; read the
	// metrics, not ns/op.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	const batch = 64
	var verifyWall, baseWall, verifyCPU, baseCPU time.Duration
	n := 0
	for b.Loop() {
		w0, c0 := time.Now(), threadCPU()
		for range batch {
			if _, err := v.Verify(b.Context(), r, body); err != nil {
				b.Fatal(err)
			}
		}
		w1, c1 := time.Now(), threadCPU()
		for range batch {
			if err := rsa.VerifyPKCS1v15(pubKey, crypto.SHA256, hashed[:], sig); err != nil {
				b.Fatal(err)
			}
		}
		w2, c2 := time.Now(), threadCPU()
		verifyWall, baseWall = verifyWall+w1.Sub(w0), baseWall+w2.Sub(w1)
		verifyCPU, baseCPU = verifyCPU+c1-c0, baseCPU+c2-c1
		n += batch
	}
	b.ReportMetric(float64(verifyWall.Nanoseconds())/float64(n), "verify-ns")
	b.ReportMetric(float64(baseWall.Nanoseconds())/float64(n), "rsa-verify-ns")
	b.ReportMetric(float64(verifyWall)/float64(baseWall), "x-rsa-verify")
	if baseCPU > 0 {
		b.ReportMetric(float64(verifyCPU)/float64(baseCPU), "x-rsa-verify-cpu")
	}
}
