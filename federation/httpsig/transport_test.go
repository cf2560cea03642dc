package httpsig_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/identity"
)

// peer is a test server that verifies every request and records the
// scheme it saw; cavageOnly makes it answer RFC 9421 with 401, as
// GoToSocial does.
type peer struct {
	*httptest.Server
	mu         sync.Mutex
	seen       []string
	cavageOnly bool
}

func newPeer(t testing.TB, keys httpsig.KeyResolver, cavageOnly bool) *peer {
	t.Helper()
	v, err := httpsig.NewVerifier(httpsig.Config{Keys: keys, Scheme: "http"})
	require.NoError(t, err)
	p := &peer{cavageOnly: cavageOnly}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old-inbox" {
			http.Redirect(w, r, "/inbox", http.StatusTemporaryRedirect)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if p.cavageOnly && r.Header.Get("Signature-Input") != "" {
			p.record("refused " + string(httpsig.RFC9421))
			http.Error(w, "unsupported signature", http.StatusUnauthorized)
			return
		}
		res, err := v.Verify(r.Context(), r, body)
		if err != nil {
			p.record("bad: " + err.Error())
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		p.record(fmt.Sprintf("%s %s %s %s", r.Method, r.URL.Path, res.Scheme, string(body)))
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(p.Close)
	return p
}

func (p *peer) record(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, s)
}

func (p *peer) log() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func signingClient(t testing.TB, s *httpsig.Signer, mode httpsig.Mode) *safehttp.Client {
	t.Helper()
	c, err := safehttp.New(safehttp.Config{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	require.NoError(t, err)
	return c.WithRoundTripper(func(base http.RoundTripper) http.RoundTripper {
		return &httpsig.Transport{Base: base, Signer: s, Mode: mode}
	})
}

func post(t testing.TB, c *safehttp.Client, url, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/activity+json")
	resp, err := c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Empty(t, req.Header.Get("Signature"), "the caller's request is not modified")
	return resp.StatusCode
}

func TestTransportModes(t *testing.T) {
	t.Parallel()
	key := privateKey(t, "rsa1")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key))
	s := newSigner(t, aliceKey, key, nil)

	tests := []struct {
		name       string
		mode       httpsig.Mode
		cavageOnly bool
		want       []string // what the peer saw over two POSTs
	}{
		{"cavage", httpsig.SignCavage, false, []string{"POST /inbox draft-cavage a", "POST /inbox draft-cavage b"}},
		{"rfc9421", httpsig.SignRFC9421, false, []string{"POST /inbox rfc9421 a", "POST /inbox rfc9421 b"}},
		{"double knock, peer speaks 9421", httpsig.DoubleKnock, false, []string{"POST /inbox rfc9421 a", "POST /inbox rfc9421 b"}},
		{"double knock, cavage-only peer", httpsig.DoubleKnock, true, []string{
			"refused rfc9421", "POST /inbox draft-cavage a", // knock, then fall back
			"POST /inbox draft-cavage b", // remembered: no second knock
		}},
		{"rfc9421 to a cavage-only peer", httpsig.SignRFC9421, true, []string{"refused rfc9421", "refused rfc9421"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := newPeer(t, keys, tt.cavageOnly)
			c := signingClient(t, s, tt.mode)
			post(t, c, p.URL+"/inbox", "a")
			post(t, c, p.URL+"/inbox", "b")
			assert.Equal(t, tt.want, p.log())
		})
	}
}

func TestTransportResignsRedirects(t *testing.T) {
	t.Parallel()
	key := privateKey(t, "rsa1")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key))
	p := newPeer(t, keys, false)
	c := signingClient(t, newSigner(t, aliceKey, key, nil), httpsig.SignCavage)
	assert.Equal(t, http.StatusAccepted, post(t, c, p.URL+"/old-inbox", activity))
	assert.Equal(t, []string{"POST /inbox draft-cavage " + activity}, p.log())
}

func TestTransportSignedGET(t *testing.T) {
	t.Parallel()
	key := privateKey(t, "rsa1")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key))
	p := newPeer(t, keys, false)
	c := signingClient(t, newSigner(t, aliceKey, key, nil), httpsig.SignCavage)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.URL+"/users/bob?page=1", nil)
	require.NoError(t, err)
	resp, err := c.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, []string{"GET /users/bob draft-cavage "}, p.log())
}

func TestTransportNeedsASigner(t *testing.T) {
	t.Parallel()
	tr := &httpsig.Transport{}
	body := io.NopCloser(bytes.NewReader([]byte("x")))
	req, err := http.NewRequest(http.MethodPost, "https://h.example/inbox", body)
	require.NoError(t, err)
	_, err = tr.RoundTrip(req)
	require.Error(t, err)
}

func ExampleVerifier() {
	// A remote actor signs a POST to our inbox; our clock is fixed.
	now := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }
	pemText, _ := os.ReadFile("testdata/rsa1.pem")
	key, _ := identity.ParsePrivateKeyPEM(string(pemText))
	signer, _ := httpsig.NewSigner(httpsig.SignerConfig{
		KeyID: "https://remote.example/users/alice#main-key",
		Key:   key,
		Now:   now,
	})
	body := []byte(`{"type":"Follow","actor":"https://remote.example/users/alice"}`)
	out, _ := http.NewRequest(http.MethodPost, "https://local.example/inbox", bytes.NewReader(body))
	_ = signer.Sign(out, body, httpsig.Cavage)
	fmt.Println(out.Header.Get("Date"))

	// What our server receives.
	in := httptest.NewRequest(http.MethodPost, "/inbox", bytes.NewReader(body))
	in.Host = "local.example"
	for _, h := range []string{"Date", "Digest", "Signature"} {
		in.Header.Set(h, out.Header.Get(h))
	}
	keys := staticResolver{"https://remote.example/users/alice#main-key": {
		PublicKey: key.Public(), Owner: "https://remote.example/users/alice",
	}}
	verifier, _ := httpsig.NewVerifier(httpsig.Config{Keys: keys, Now: now})
	res, err := verifier.Verify(in.Context(), in, body)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Scheme, res.Algorithm, res.Owner)

	// The same request with another body fails before any key lookup.
	_, err = verifier.Verify(in.Context(), in, []byte(`{"type":"Block"}`))
	fmt.Println(err)
	// Output:
	// Sun, 01 Mar 2026 12:00:00 GMT
	// draft-cavage rsa-sha256 https://remote.example/users/alice
	// httpsig: body digest mismatch: Digest does not match the body
}

// staticResolver is the simplest KeyResolver: a map.
type staticResolver map[string]httpsig.Key

func (s staticResolver) ResolveKey(_ context.Context, keyID string, _ bool) (httpsig.Key, error) {
	k, ok := s[keyID]
	if !ok {
		return httpsig.Key{}, fmt.Errorf("unknown key %s", keyID)
	}
	return k, nil
}

func ExampleTransport() {
	pemText, _ := os.ReadFile("testdata/rsa1.pem")
	key, _ := identity.ParsePrivateKeyPEM(string(pemText))
	signer, _ := httpsig.NewSigner(httpsig.SignerConfig{KeyID: "https://local.example/@group#main-key", Key: key})

	// A peer that only understands draft-cavage, like GoToSocial.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature-Input") != "" {
			fmt.Println("peer: 401 to an RFC 9421 signature")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Println("peer: 202 to", r.Header.Get("Signature")[:strings.Index(r.Header.Get("Signature"), ",headers")])
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	client, _ := safehttp.New(safehttp.Config{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	client = client.WithRoundTripper(func(base http.RoundTripper) http.RoundTripper {
		return &httpsig.Transport{Base: base, Signer: signer, Mode: httpsig.DoubleKnock}
	})
	for range 2 {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/inbox", strings.NewReader(`{"type":"Create"}`))
		resp, err := client.Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = resp.Body.Close()
		fmt.Println("client:", resp.StatusCode)
	}
	// Output:
	// peer: 401 to an RFC 9421 signature
	// peer: 202 to keyId="https://local.example/@group#main-key",algorithm="rsa-sha256"
	// client: 202
	// peer: 202 to keyId="https://local.example/@group#main-key",algorithm="rsa-sha256"
	// client: 202
}
