package inbox_test

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"fmt"
	"net/http"
	"testing"
)

// BenchmarkCreateEvent is one signed Create{Event} verified, parsed,
// checked and stored; compare with BenchmarkRSAVerify (issue #4: at most
// 4x one RSA-2048 PKCS#1 v1.5 verification).
func BenchmarkCreateEvent(b *testing.B) {
	e := newEnv(b)
	reqs := make([]*http.Request, b.N)
	for i := range reqs {
		id := fmt.Sprintf("https://victim.example/events/b%d", i)
		ev := versioned(id, "Concert", "")
		ev["content"] = "<p>An evening of <b>music</b> at the park.</p>"
		reqs[i] = e.request(e.signers[victim], mustJSON(b, activity("Create", id+"/activity", victim, ev)))
	}
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
	k := privateKey(b, "rsa1").(*rsa.PrivateKey)
	sum := sha256.Sum256([]byte("(request-target): post /inbox"))
	sig, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, sum[:])
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := rsa.VerifyPKCS1v15(&k.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
