package httpsig

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	rfc "github.com/dadrus/httpsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RFC 9421 Appendix B.1.4 (test-key-ed25519) and B.2.6 (signature over
// the B.2 request), produced by the RFC's authors.
const (
	rfcEd25519PublicKey = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`
	rfcB26Input     = `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`
	rfcB26Signature = `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`
	rfcB2Body       = `{"hello": "world"}`
)

func rfcB2Request() *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/foo?param=Value&Pet=dog", strings.NewReader(rfcB2Body))
	r.Host = "example.com"
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")
	r.Header.Set("Content-Length", "18")
	r.Header.Set("Signature-Input", rfcB26Input)
	r.Header.Set("Signature", rfcB26Signature)
	return r
}

// TestRFC9421Vector checks the signature layer (library call, no
// policy) against the RFC's own Ed25519 example, and that the policy
// then refuses that example: it covers @path, not @target-uri.
func TestRFC9421Vector(t *testing.T) {
	t.Parallel()
	block, _ := pem.Decode([]byte(rfcEd25519PublicKey))
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	require.NoError(t, err)
	key := rfc.Key{KeyID: "test-key-ed25519", Algorithm: rfc.Ed25519, Key: pub}

	r := rfcB2Request()
	v := &Verifier{scheme: "https"}
	require.NoError(t, verifyRFC9421Message(t.Context(), v.targetURI(r), r, []byte(rfcB2Body), key))
	require.NoError(t, checkContentDigest(r.Header, []byte(rfcB2Body)), "the B.2 Content-Digest (sha-512)")

	r = rfcB2Request()
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:56 GMT")
	require.ErrorIs(t, verifyRFC9421Message(t.Context(), v.targetURI(r), r, []byte(rfcB2Body), key), ErrBadSignature)

	keys := staticKeys{Key: Key{PublicKey: pub, Owner: "https://example.com/a"}}
	ver, err := NewVerifier(Config{Keys: keys, Now: func() time.Time { return time.Unix(1618884473, 0) }})
	require.NoError(t, err)
	_, err = ver.Verify(t.Context(), rfcB2Request(), []byte(rfcB2Body))
	require.ErrorIs(t, err, ErrMissingComponent)
}

type staticKeys struct{ Key Key }

func (s staticKeys) ResolveKey(_ context.Context, _ string, _ bool) (Key, error) { return s.Key, nil }

func TestParseCavage(t *testing.T) {
	t.Parallel()
	p, err := parseCavage(` keyId="https://h/k" , algorithm="HS2019",created=1700000000, expires=1700000300,headers="(request-target) Host date",signature="YWJj",ext="x"`)
	require.NoError(t, err)
	assert.Equal(t, &cavageParams{keyID: "https://h/k", algorithm: "hs2019", headers: []string{"(request-target)", "host", "date"}, signature: "YWJj", created: 1700000000, expires: 1700000300}, p)
	for _, bad := range []string{
		``, `keyId="k"`, `signature="YWJj"`, `keyId="k",signature="YWJj",`, `keyId="k",,signature="YWJj"`,
		`keyId="k" signature="YWJj"`, `keyId="k,x",signature="YWJj"`, `keyId="k",keyId="j",signature="YWJj"`,
		`keyId="k",signature="YWJj",headers=""`, `keyId="k",signature="YWJj",headers="date date"`,
		`keyId="k",signature="YWJj",created=-1`, `keyId="k",signature="YWJj",created="abc"`,
		`keyId="k",signature="YWJj",created=99999999999999`, `keyId="k",signature="not base64!"`,
		`keyId="k\"x",signature="YWJj"`, `keyId="k`, `=x`, `keyId="k",signature="YWJj",ext=bare`,
		"keyId=\"k\x00\",signature=\"YWJj\"",
		`keyId="k",signature="YWJj",headers="` + strings.Repeat("h ", MaxCoveredComponents+1) + `"`,
	} {
		_, err := parseCavage(bad)
		assert.ErrorIs(t, err, ErrMalformed, "%q", bad)
	}
}

func FuzzParseCavage(f *testing.F) {
	for _, s := range []string{
		`keyId="https://h/k",algorithm="rsa-sha256",headers="(request-target) host date digest",signature="YWJj"`,
		`keyId="k",created=1,expires=2,signature="YWJj"`,
		`a=,b="`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseCavage(s)
		if err != nil {
			require.ErrorIs(t, err, ErrMalformed)
			return
		}
		require.NotEmpty(t, p.keyID)
		require.NotEmpty(t, p.signature)
		require.LessOrEqual(t, len(p.headers), MaxCoveredComponents)
	})
}

func FuzzParseRFC9421(f *testing.F) {
	f.Add(rfcB26Input, rfcB26Signature)
	f.Add(`sig1=("@method" "@target-uri" "content-digest");created=1;keyid="https://h/k";alg="rsa-v1_5-sha256"`, `sig1=:YWJj:`)
	f.Add(`a=(), b=()`, `a=:: , b=::`)
	f.Fuzz(func(t *testing.T, input, sig string) {
		h := http.Header{"Signature-Input": {input}, "Signature": {sig}}
		p, err := parseRFC9421(h)
		if err != nil {
			require.True(t, errorsIsAny(err, ErrMalformed, ErrMissingComponent), "%v", err)
			return
		}
		require.NotEmpty(t, p.keyID)
		require.Positive(t, p.created)
	})
}

func FuzzDigest(f *testing.F) {
	f.Add("SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:", []byte(`{"hello": "world"}`))
	f.Add("SHA-1=x,SHA-256=", "sha-512=:AA==:, x=1", []byte{})
	f.Fuzz(func(t *testing.T, digest, contentDigest string, body []byte) {
		if err := checkDigest(http.Header{"Digest": {digest}}, body); err != nil {
			require.ErrorIs(t, err, ErrDigest)
		}
		if err := checkContentDigest(http.Header{"Content-Digest": {contentDigest}}, body); err != nil {
			require.ErrorIs(t, err, ErrDigest)
		}
	})
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}
