package httpsig_test

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
)

// The draft-cavage-http-signatures test key and "All Headers Test"
// (Appendix C.3), signed by the spec's authors. The key is RSA-1024, so
// it is handed to the Verifier directly (identity.ParsePublicKeyPEM
// refuses keys under 2048 bits). keyId is not signed in cavage, so the
// spec's "Test" becomes an IRI, as the Verifier requires.
const (
	cavageSpecPublicKey = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----`
	cavageSpecSignature = `keyId="https://example.com/test#key",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE="`
	cavageSpecBody      = `{"hello": "world"}`
)

func TestCavageSpecVector(t *testing.T) {
	t.Parallel()
	block, _ := pem.Decode([]byte(cavageSpecPublicKey))
	key, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	keys := newFakeKeys()
	keys.set("https://example.com/test#key", "https://example.com/test", key)
	specTime := time.Date(2014, 1, 5, 21, 31, 40, 0, time.UTC)
	v := newVerifier(t, keys, func() time.Time { return specTime.Add(10 * time.Minute) })

	request := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "/foo?param=value&pet=dog", strings.NewReader(body))
		r.Host = "example.com"
		r.Header.Set("Date", "Sun, 05 Jan 2014 21:31:40 GMT")
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Digest", "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=")
		r.Header.Set("Content-Length", "18")
		r.Header.Set("Signature", cavageSpecSignature)
		return r
	}
	res, err := v.Verify(t.Context(), request(cavageSpecBody), []byte(cavageSpecBody))
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/test", res.Owner)
	assert.Equal(t, "rsa-sha256", res.Algorithm)
	assert.False(t, res.QueryUnsigned)

	r := request(cavageSpecBody)
	r.Header.Set("Content-Type", "text/plain")
	_, err = v.Verify(t.Context(), r, []byte(cavageSpecBody))
	require.ErrorIs(t, err, httpsig.ErrBadSignature, "a signed header changed")

	_, err = v.Verify(t.Context(), request(`{"hello": "World"}`), []byte(`{"hello": "World"}`))
	require.ErrorIs(t, err, httpsig.ErrDigest)
}
