package httpsig_test

import (
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
)

func TestRFC9421VerifyCases(t *testing.T) {
	t.Parallel()
	rsaKey, edKey := privateKey(t, "rsa1"), privateKey(t, "ed25519")
	start := time.Now() // RFC 9421 signing takes created from time.Now
	const target = "https://local.example/@group/inbox"
	valid := func(t *testing.T) *http.Request {
		return signed(t, newSigner(t, aliceKey, rsaKey, time.Now), httpsig.RFC9421, http.MethodPost, target, []byte(activity))
	}
	setInput := func(r *http.Request, from, to string) {
		r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), from, to, 1))
	}
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		body    string
		now     time.Duration // verifier clock offset from start
		scheme  string        // Config.Scheme
		want    error
		resolve bool
	}{
		{name: "valid", req: valid, resolve: true},
		{name: "body changed", req: valid, body: strings.Replace(activity, "Follow", "Block", 1), want: httpsig.ErrDigest},
		{name: "content-digest of another body", req: func(t *testing.T) *http.Request {
			r := valid(t)
			sum := sha512.Sum512([]byte("other"))
			r.Header.Set("Content-Digest", "sha-512=:"+base64.StdEncoding.EncodeToString(sum[:])+":")
			return r
		}, want: httpsig.ErrDigest},
		{name: "content-digest of an unknown algorithm only", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Set("Content-Digest", "md5=:AAAA:")
			return r
		}, want: httpsig.ErrDigest},
		{name: "content-digest not a dictionary", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Set("Content-Digest", "sha-256=AAAA")
			return r
		}, want: httpsig.ErrDigest},
		{name: "content-digest not signed", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, ` "content-digest"`, "")
			return r
		}, want: httpsig.ErrMissingComponent},
		{name: "no @target-uri", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `"@target-uri" `, "")
			return r
		}, want: httpsig.ErrMissingComponent},
		{name: "@path instead of @target-uri", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `"@target-uri"`, `"@path"`)
			return r
		}, want: httpsig.ErrMissingComponent},
		{name: "no @method", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `"@method" `, "")
			return r
		}, want: httpsig.ErrMissingComponent},
		{name: "no created", req: func(t *testing.T) *http.Request {
			r := valid(t)
			in := r.Header.Get("Signature-Input")
			i := strings.Index(in, ";created=")
			j := strings.IndexByte(in[i+1:], ';') + i + 1
			r.Header.Set("Signature-Input", in[:i]+in[j:])
			return r
		}, want: httpsig.ErrMissingComponent},
		{name: "two signatures", req: func(t *testing.T) *http.Request {
			r := valid(t)
			in := r.Header.Get("Signature-Input")
			r.Header.Set("Signature-Input", in+", "+strings.Replace(in, "sig1=", "sig2=", 1))
			r.Header.Set("Signature", r.Header.Get("Signature")+", "+strings.Replace(r.Header.Get("Signature"), "sig1=", "sig2=", 1))
			return r
		}, want: httpsig.ErrMalformed},
		{name: "no Signature", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Del("Signature")
			return r
		}, want: httpsig.ErrMalformed},
		{name: "garbage Signature-Input", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Set("Signature-Input", "sig1=(((")
			return r
		}, want: httpsig.ErrMalformed},
		{name: "Signature-Input that crashed httpsfv", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Set("Signature-Input", "a=@")
			return r
		}, want: httpsig.ErrMalformed},
		{name: "Signature that crashed httpsfv", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Set("Signature", "sig1=@")
			return r
		}, want: httpsig.ErrMalformed},
		{name: "Content-Digest that crashed httpsfv", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Header.Set("Content-Digest", "sha-256=@")
			return r
		}, want: httpsig.ErrDigest},
		{name: "alg hmac-sha256", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `alg="rsa-v1_5-sha256"`, `alg="hmac-sha256"`)
			return r
		}, want: httpsig.ErrUnsupportedAlgorithm},
		{name: "alg rsa-pss-sha512", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `alg="rsa-v1_5-sha256"`, `alg="rsa-pss-sha512"`)
			return r
		}, want: httpsig.ErrUnsupportedAlgorithm},
		{name: "alg ed25519 declared for the RSA key", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `alg="rsa-v1_5-sha256"`, `alg="ed25519"`)
			return r
		}, want: httpsig.ErrUnsupportedAlgorithm, resolve: true},
		{name: "ed25519 key signing for the RSA keyId", req: func(t *testing.T) *http.Request {
			return signed(t, newSigner(t, aliceKey, edKey, time.Now), httpsig.RFC9421, http.MethodPost, target, []byte(activity))
		}, want: httpsig.ErrUnsupportedAlgorithm, resolve: true},
		{name: "created 2 h ahead", req: valid, now: -2 * time.Hour, want: httpsig.ErrClockSkew},
		{name: "created 30 min old", req: valid, now: 30 * time.Minute, resolve: true},
		{name: "created 13 h old", req: valid, now: 13 * time.Hour, want: httpsig.ErrExpired},
		{name: "expires in the past", req: func(t *testing.T) *http.Request {
			r := valid(t)
			setInput(r, `;keyid=`, fmt.Sprintf(";expires=%d;keyid=", start.Add(-2*time.Hour).Unix()))
			return r
		}, want: httpsig.ErrExpired},
		{name: "target URI with another path", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.URL.Path, r.RequestURI = "/@other/inbox", "/@other/inbox"
			return r
		}, want: httpsig.ErrBadSignature, resolve: true},
		{name: "server reached over http, signed for https", req: valid, scheme: "http", want: httpsig.ErrBadSignature, resolve: true},
		{name: "method changed", req: func(t *testing.T) *http.Request {
			r := valid(t)
			r.Method = http.MethodPut
			return r
		}, want: httpsig.ErrBadSignature, resolve: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			keys := newFakeKeys()
			keys.set(aliceKey, alice, pub(rsaKey))
			v, err := httpsig.NewVerifier(httpsig.Config{Keys: keys, Scheme: tt.scheme, Now: func() time.Time { return time.Now().Add(tt.now) }})
			require.NoError(t, err)
			body := activity
			if tt.body != "" {
				body = tt.body
			}
			res, err := v.Verify(t.Context(), tt.req(t), []byte(body))
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, httpsig.RFC9421, res.Scheme)
				assert.Equal(t, alice, res.Owner)
				assert.Equal(t, "rsa-v1_5-sha256", res.Algorithm)
			} else {
				require.ErrorIs(t, err, tt.want)
			}
			assert.Equal(t, tt.resolve, len(keys.callLog()) > 0, "resolver calls: %v", keys.callLog())
		})
	}
}

func TestKeyID(t *testing.T) {
	t.Parallel()
	s := newSigner(t, aliceKey, privateKey(t, "rsa1"), time.Now)
	for _, scheme := range []httpsig.Scheme{httpsig.Cavage, httpsig.RFC9421} {
		id, err := httpsig.KeyID(signed(t, s, scheme, http.MethodGet, "https://local.example/@g", nil))
		require.NoError(t, err)
		assert.Equal(t, aliceKey, id)
	}
	r, err := http.NewRequest(http.MethodGet, "/", nil)
	require.NoError(t, err)
	_, err = httpsig.KeyID(r)
	require.ErrorIs(t, err, httpsig.ErrNoSignature)
	r.Header.Set("Signature", "garbage")
	_, err = httpsig.KeyID(r)
	require.ErrorIs(t, err, httpsig.ErrMalformed)
}
