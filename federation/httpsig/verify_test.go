package httpsig_test

import (
	"crypto"
	"crypto/ed25519"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	cavage "code.superseriousbusiness.org/httpsig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
)

func TestSignVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	rsaKey, edKey := privateKey(t, "rsa1"), privateKey(t, "ed25519")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(rsaKey))
	keys.set(bobKey, bob, pub(edKey))
	// RFC 9421 signing takes created from time.Now: verify on the real clock.
	v := newVerifier(t, keys, time.Now)
	s := map[string]*httpsig.Signer{
		"rsa":     newSigner(t, aliceKey, rsaKey, time.Now),
		"ed25519": newSigner(t, bobKey, edKey, time.Now),
	}
	tests := []struct {
		key     string
		scheme  httpsig.Scheme
		method  string
		body    []byte
		alg     string
		declare string // cavage algorithm parameter
	}{
		{"rsa", httpsig.Cavage, http.MethodPost, []byte(activity), "rsa-sha256", "rsa-sha256"},
		{"rsa", httpsig.Cavage, http.MethodGet, nil, "rsa-sha256", "rsa-sha256"},
		{"ed25519", httpsig.Cavage, http.MethodPost, []byte(activity), "ed25519", "hs2019"},
		{"ed25519", httpsig.Cavage, http.MethodGet, nil, "ed25519", "hs2019"},
		{"rsa", httpsig.RFC9421, http.MethodPost, []byte(activity), "rsa-v1_5-sha256", ""},
		{"rsa", httpsig.RFC9421, http.MethodGet, nil, "rsa-v1_5-sha256", ""},
		{"ed25519", httpsig.RFC9421, http.MethodPost, []byte(activity), "ed25519", ""},
		{"ed25519", httpsig.RFC9421, http.MethodGet, nil, "ed25519", ""},
		{"rsa", httpsig.Cavage, http.MethodPost, []byte{}, "rsa-sha256", "rsa-sha256"},
		{"rsa", httpsig.RFC9421, http.MethodPost, []byte{}, "rsa-v1_5-sha256", ""},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s/%s/%s/%d", tt.key, tt.scheme, tt.method, len(tt.body))
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := signed(t, s[tt.key], tt.scheme, tt.method, "https://local.example/@group/inbox?page=2", tt.body)
			if tt.scheme == httpsig.Cavage {
				assert.Contains(t, r.Header.Get("Signature"), `algorithm="`+tt.declare+`"`)
				if tt.method == http.MethodPost {
					assert.Contains(t, r.Header.Get("Signature"), `headers="(request-target) host date digest"`)
					assert.True(t, strings.HasPrefix(r.Header.Get("Digest"), "SHA-256="))
				} else {
					assert.Contains(t, r.Header.Get("Signature"), `headers="(request-target) host date"`)
				}
			} else {
				assert.Contains(t, r.Header.Get("Signature-Input"), `sig1=("@method" "@target-uri" "@authority" "date"`)
				assert.Contains(t, r.Header.Get("Signature-Input"), `;created=`)
				assert.Equal(t, tt.method == http.MethodPost, r.Header.Get("Content-Digest") != "")
			}
			res, err := v.Verify(t.Context(), r, tt.body)
			require.NoError(t, err)
			assert.Equal(t, tt.scheme, res.Scheme)
			assert.Equal(t, s[tt.key].KeyID(), res.KeyID)
			assert.Equal(t, strings.TrimSuffix(res.KeyID, "#main-key"), res.Owner)
			assert.Equal(t, tt.alg, res.Algorithm)
			assert.False(t, res.QueryUnsigned)
			assert.False(t, res.Refreshed)
		})
	}
}

// signCavage signs out with the cavage library directly, over any
// header list, so tests can produce what our Signer never would. Date
// and Host are set by the caller.
func signCavage(t *testing.T, key crypto.Signer, keyID string, out *http.Request, headers []string, expiresIn int64, opts cavage.SignatureOption) {
	t.Helper()
	alg := cavage.RSA_SHA256
	if _, ok := key.(ed25519.PrivateKey); ok {
		alg = cavage.ED25519
	}
	s, _, err := cavage.NewSigner([]cavage.Algorithm{alg}, cavage.DigestSha256, headers, cavage.Signature, expiresIn)
	require.NoError(t, err)
	require.NoError(t, s.SignRequestWithOptions(key, keyID, out, nil, opts))
}

func digestOf(body string) string {
	sum := sha256.Sum256([]byte(body))
	return "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
}

// TestCavageVerifyCases covers SECURITY.md's signature cases 1-7 and
// the keyId cases: each a request, an expected sentinel, and whether
// the key resolver may be called.
func TestCavageVerifyCases(t *testing.T) {
	t.Parallel()
	rsaKey, edKey, otherKey := privateKey(t, "rsa1"), privateKey(t, "ed25519"), privateKey(t, "rsa2")
	const inboxURL = "https://local.example/@group/inbox"
	body := activity
	post := func(t *testing.T, headers []string, date time.Time, mutate func(out *http.Request)) *http.Request {
		out := outgoing(t, http.MethodPost, inboxURL, []byte(body))
		out.Header.Set("Host", out.URL.Host)
		out.Header.Set("Date", date.UTC().Format(http.TimeFormat))
		out.Header.Set("Digest", digestOf(body))
		if mutate != nil {
			mutate(out)
		}
		signCavage(t, rsaKey, aliceKey, out, headers, 0, cavage.SignatureOption{})
		return out
	}
	full := []string{"(request-target)", "host", "date", "digest"}
	valid := func(t *testing.T) *http.Request { return post(t, full, epoch, nil) }

	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request // outgoing, signed
		body    string                           // received body; "" means body
		want    error
		resolve bool // the key resolver is consulted
	}{
		{"valid", valid, "", nil, true},
		{"no signature", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Del("Signature")
			return out
		}, "", httpsig.ErrNoSignature, false},
		{"body changed after signing", valid, strings.Replace(body, "Follow", "Block", 1), httpsig.ErrDigest, false},
		{"digest recomputed for a changed body", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Digest", digestOf(strings.Replace(body, "Follow", "Block", 1)))
			return out
		}, strings.Replace(body, "Follow", "Block", 1), httpsig.ErrBadSignature, true},
		{"digest not signed", func(t *testing.T) *http.Request {
			return post(t, []string{"(request-target)", "host", "date"}, epoch, nil)
		}, "", httpsig.ErrMissingComponent, false},
		{"SHA-1 digest only", func(t *testing.T) *http.Request {
			return post(t, full, epoch, func(out *http.Request) {
				sum := sha1.Sum([]byte(body))
				out.Header.Set("Digest", "SHA-1="+base64.StdEncoding.EncodeToString(sum[:]))
			})
		}, "", httpsig.ErrDigest, false},
		{"SHA-512 digest only", func(t *testing.T) *http.Request {
			return post(t, full, epoch, func(out *http.Request) { out.Header.Set("Digest", "SHA-512=abc=") })
		}, "", httpsig.ErrDigest, false},
		{"malformed base64 digest", func(t *testing.T) *http.Request {
			return post(t, full, epoch, func(out *http.Request) { out.Header.Set("Digest", "SHA-256=***notbase64***") })
		}, "", httpsig.ErrDigest, false},
		{"SHA-256 beside another algorithm", func(t *testing.T) *http.Request {
			return post(t, full, epoch, func(out *http.Request) { out.Header.Set("Digest", "SHA-1=x,"+digestOf(body)) })
		}, "", nil, true},
		{"no (request-target)", func(t *testing.T) *http.Request {
			return post(t, []string{"host", "date", "digest"}, epoch, nil)
		}, "", httpsig.ErrMissingComponent, false},
		{"no host", func(t *testing.T) *http.Request {
			return post(t, []string{"(request-target)", "date", "digest"}, epoch, nil)
		}, "", httpsig.ErrMissingComponent, false},
		{"neither date nor (created)", func(t *testing.T) *http.Request {
			return post(t, []string{"(request-target)", "host", "digest"}, epoch, nil)
		}, "", httpsig.ErrMissingComponent, false},
		{"signed header absent", func(t *testing.T) *http.Request {
			out := post(t, append(full, "content-type"), epoch, nil)
			out.Header.Del("Content-Type")
			return out
		}, "", httpsig.ErrMissingComponent, false},
		{"date 13 h old", func(t *testing.T) *http.Request {
			return post(t, full, epoch.Add(-13*time.Hour), nil)
		}, "", httpsig.ErrExpired, false},
		{"date 66 min old", func(t *testing.T) *http.Request {
			return post(t, full, epoch.Add(-66*time.Minute), nil)
		}, "", httpsig.ErrExpired, false},
		{"date 30 min old", func(t *testing.T) *http.Request {
			return post(t, full, epoch.Add(-30*time.Minute), nil)
		}, "", nil, true},
		{"date 59 min ahead", func(t *testing.T) *http.Request {
			return post(t, full, epoch.Add(59*time.Minute), nil)
		}, "", nil, true},
		{"date 2 h ahead", func(t *testing.T) *http.Request {
			return post(t, full, epoch.Add(2*time.Hour), nil)
		}, "", httpsig.ErrClockSkew, false},
		{"unparseable date", func(t *testing.T) *http.Request {
			return post(t, full, epoch, func(out *http.Request) { out.Header.Set("Date", "yesterday") })
		}, "", httpsig.ErrMalformed, false},
		{"algorithm hmac-sha256", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", replaceParam(out.Header.Get("Signature"), "algorithm", "hmac-sha256"))
			return out
		}, "", httpsig.ErrUnsupportedAlgorithm, false},
		{"algorithm none", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", replaceParam(out.Header.Get("Signature"), "algorithm", "none"))
			return out
		}, "", httpsig.ErrUnsupportedAlgorithm, false},
		{"algorithm rsa-sha256 (explicit)", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", replaceParam(out.Header.Get("Signature"), "algorithm", "rsa-sha256"))
			return out
		}, "", nil, true},
		{"no algorithm parameter is hs2019", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", strings.Replace(out.Header.Get("Signature"), `algorithm="hs2019",`, "", 1))
			return out
		}, "", nil, true},
		{"ed25519 signature against the RSA key", func(t *testing.T) *http.Request {
			out := outgoing(t, http.MethodPost, inboxURL, []byte(body))
			out.Header.Set("Host", out.URL.Host)
			out.Header.Set("Date", epoch.Format(http.TimeFormat))
			out.Header.Set("Digest", digestOf(body))
			signCavage(t, edKey, aliceKey, out, full, 0, cavage.SignatureOption{})
			return out
		}, "", httpsig.ErrBadSignature, true},
		{"signed by another key", func(t *testing.T) *http.Request {
			out := outgoing(t, http.MethodPost, inboxURL, []byte(body))
			out.Header.Set("Host", out.URL.Host)
			out.Header.Set("Date", epoch.Format(http.TimeFormat))
			out.Header.Set("Digest", digestOf(body))
			signCavage(t, otherKey, aliceKey, out, full, 0, cavage.SignatureOption{})
			return out
		}, "", httpsig.ErrBadSignature, true},
		{"unknown keyId", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", replaceParam(out.Header.Get("Signature"), "keyId", "https://remote.example/users/nobody#main-key"))
			return out
		}, "", httpsig.ErrKeyUnavailable, true},
		{"keyId not a URL", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", replaceParam(out.Header.Get("Signature"), "keyId", "acct:alice@remote.example"))
			return out
		}, "", httpsig.ErrMalformed, false},
		{"key owner on another host", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", replaceParam(out.Header.Get("Signature"), "keyId", "https://evil.example/key"))
			return out
		}, "", httpsig.ErrKeyOwner, true},
		{"host changed", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Host = "elsewhere.example"
			return out
		}, "", httpsig.ErrBadSignature, true},
		{"spaces after commas", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", strings.ReplaceAll(out.Header.Get("Signature"), `",`, `", `))
			return out
		}, "", nil, true},
		{"date-only signature passed off as covering more", func(t *testing.T) *http.Request {
			// The signer covered only date. The forger claims a full list,
			// written after ", " where a lax parser would not see it.
			out := post(t, []string{"date"}, epoch, nil)
			sig := strings.Replace(out.Header.Get("Signature"), `,headers="date"`, "", 1)
			out.Header.Set("Signature", sig+`, headers="(request-target) host date digest"`)
			return out
		}, "", httpsig.ErrBadSignature, true},
		{"two Signature headers", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Add("Signature", out.Header.Get("Signature"))
			return out
		}, "", httpsig.ErrMalformed, false},
		{"oversized Signature header", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", out.Header.Get("Signature")+`,x="`+strings.Repeat("a", httpsig.MaxSignatureHeaderBytes)+`"`)
			return out
		}, "", httpsig.ErrMalformed, false},
		{"(created) 2 h ahead", func(t *testing.T) *http.Request {
			out := post(t, full, epoch, nil)
			out.Header.Set("Signature", out.Header.Get("Signature")+fmt.Sprintf(",created=%d", epoch.Add(2*time.Hour).Unix()))
			out.Header.Set("Signature", strings.Replace(out.Header.Get("Signature"), `headers="(request-target) host date digest"`, `headers="(request-target) host (created) digest"`, 1))
			return out
		}, "", httpsig.ErrClockSkew, false},
		{"(created) signed without created", func(t *testing.T) *http.Request {
			out := valid(t)
			out.Header.Set("Signature", strings.Replace(out.Header.Get("Signature"), `host date digest`, `host (created) digest`, 1))
			return out
		}, "", httpsig.ErrMalformed, false},
		{"(expires) 2 h past", func(t *testing.T) *http.Request {
			out := valid(t)
			sig := strings.Replace(out.Header.Get("Signature"), `host date digest`, `host date (expires) digest`, 1)
			out.Header.Set("Signature", sig+fmt.Sprintf(",expires=%d", epoch.Add(-2*time.Hour).Unix()))
			return out
		}, "", httpsig.ErrExpired, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			keys := newFakeKeys()
			keys.set(aliceKey, alice, pub(rsaKey))
			keys.set("https://evil.example/key", alice, pub(rsaKey))
			v := newVerifier(t, keys, func() time.Time { return epoch })
			received := body
			if tt.body != "" {
				received = tt.body
			}
			r := inbound(t, tt.req(t), []byte(received))
			res, err := v.Verify(t.Context(), r, []byte(received))
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, alice, res.Owner)
				assert.Equal(t, httpsig.Cavage, res.Scheme)
			} else {
				require.ErrorIs(t, err, tt.want)
				assert.Nil(t, res)
			}
			assert.Equal(t, tt.resolve, len(keys.callLog()) > 0, "resolver calls: %v", keys.callLog())
		})
	}
}

func TestCavageQueryString(t *testing.T) {
	t.Parallel()
	key := privateKey(t, "rsa1")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key))
	v := newVerifier(t, keys, func() time.Time { return epoch })
	get := func(t *testing.T, signURL, requestURL string, exclude bool) *http.Request {
		out := outgoing(t, http.MethodGet, signURL, nil)
		out.Header.Set("Host", out.URL.Host)
		out.Header.Set("Date", epoch.Format(http.TimeFormat))
		signCavage(t, key, aliceKey, out, []string{"(request-target)", "host", "date"}, 0, cavage.SignatureOption{ExcludeQueryStringFromPathPseudoHeader: exclude})
		in := inbound(t, out, nil)
		u, err := url.Parse(requestURL)
		require.NoError(t, err)
		in.URL, in.RequestURI = u, requestURL
		return in
	}
	tests := []struct {
		name              string
		sign, request     string
		exclude           bool
		want              error
		wantQueryUnsigned bool
	}{
		{"query signed", "https://local.example/@g/members?page=2", "/@g/members?page=2", false, nil, false},
		{"query left out by the signer", "https://local.example/@g/members?page=2", "/@g/members?page=2", true, nil, true},
		{"query changed", "https://local.example/@g/members?page=2", "/@g/members?page=3", false, httpsig.ErrBadSignature, false},
		{"path changed", "https://local.example/@g/members", "/@g/followers", false, httpsig.ErrBadSignature, false},
	}
	for _, tt := range tests {
		res, err := v.Verify(t.Context(), get(t, tt.sign, tt.request, tt.exclude), nil)
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.wantQueryUnsigned, res.QueryUnsigned, tt.name)
	}
}

// TestCavageCreatedExpires: hs2019 with (created) and (expires) instead
// of Date, as some Ed25519 signers send. The library signs created from
// time.Now, so the verifier runs on the real clock.
func TestCavageCreatedExpires(t *testing.T) {
	t.Parallel()
	edKey := privateKey(t, "ed25519")
	keys := newFakeKeys()
	keys.set(bobKey, bob, pub(edKey))
	sign := func(t *testing.T, expiresIn int64) *http.Request {
		out := outgoing(t, http.MethodPost, "https://local.example/inbox", []byte(activity))
		out.Header.Set("Host", out.URL.Host)
		out.Header.Set("Digest", digestOf(activity))
		signCavage(t, edKey, bobKey, out, []string{"(request-target)", "host", "(created)", "(expires)", "digest"}, expiresIn, cavage.SignatureOption{})
		return inbound(t, out, []byte(activity))
	}
	tests := []struct {
		name      string
		expiresIn int64
		clock     time.Duration
		want      error
	}{
		{"fresh", 300, 0, nil},
		{"expired 2 h ago", 60, 2 * time.Hour, httpsig.ErrExpired},
		{"expires capped at 12 h", 48 * 3600, 14 * time.Hour, httpsig.ErrExpired},
		{"created 2 h ahead", 300, -2 * time.Hour, httpsig.ErrClockSkew},
	}
	for _, tt := range tests {
		v := newVerifier(t, keys, func() time.Time { return time.Now().Add(tt.clock) })
		res, err := v.Verify(t.Context(), sign(t, tt.expiresIn), []byte(activity))
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.name)
			continue
		}
		require.NoError(t, err, tt.name)
		assert.Equal(t, "ed25519", res.Algorithm)
	}
}
