package httpsig_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"codeberg.org/convene/convene/federation/httpsig"
)

// FuzzVerify feeds arbitrary signature and digest headers to Verify:
// it must never panic, and every failure wraps one of the sentinels.
func FuzzVerify(f *testing.F) {
	f.Add(`keyId="https://remote.example/users/alice#main-key",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="YWJj"`, "", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")
	f.Add(`sig1=:YWJj:`, `sig1=("@method" "@target-uri" "content-digest");created=1772366400;keyid="https://remote.example/users/alice#main-key"`, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:")
	f.Add(`keyId="https://remote.example/users/alice#main-key",headers="(request-target) host (created) digest",created=1772366400,signature="YWJj"`, "", "")
	key := privateKey(f, "rsa1")
	keys := staticResolver{aliceKey: {PublicKey: key.Public(), Owner: alice}}
	v := newVerifier(f, keys, func() time.Time { return epoch })
	sentinels := []error{httpsig.ErrNoSignature, httpsig.ErrMalformed, httpsig.ErrUnsupportedAlgorithm,
		httpsig.ErrMissingComponent, httpsig.ErrClockSkew, httpsig.ErrExpired, httpsig.ErrDigest,
		httpsig.ErrKeyUnavailable, httpsig.ErrKeyOwner, httpsig.ErrBadSignature}
	f.Fuzz(func(t *testing.T, sig, sigInput, digest string) {
		body := `{"hello": "world"}`
		r := httptest.NewRequest(http.MethodPost, "/inbox?x=1", strings.NewReader(body))
		r.Host = "local.example"
		r.Header.Set("Date", epoch.Format(http.TimeFormat))
		r.Header.Set("Signature", sig)
		if sigInput != "" {
			r.Header.Set("Signature-Input", sigInput)
			r.Header.Set("Content-Digest", digest)
		} else {
			r.Header.Set("Digest", digest)
		}
		_, err := v.Verify(t.Context(), r, []byte(body))
		if err == nil {
			t.Fatal("a fuzzed signature verified")
		}
		for _, s := range sentinels {
			if errors.Is(err, s) {
				return
			}
		}
		t.Fatalf("error wraps no sentinel: %v", err)
	})
}
