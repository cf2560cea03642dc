package httpsig_test

import (
	"bytes"
	"context"
	"crypto"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
)

// Pre-generated keys (testdata/*.pem): generating RSA keys under -race
// is slow.
func privateKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".pem"))
	require.NoError(t, err)
	k, err := identity.ParsePrivateKeyPEM(string(b))
	require.NoError(t, err)
	return k
}

const (
	aliceKey = "https://remote.example/users/alice#main-key"
	alice    = "https://remote.example/users/alice"
	bobKey   = "https://other.example/users/bob#main-key"
	bob      = "https://other.example/users/bob"
)

// keyEntry is what the fake resolver answers for one keyId: cached
// before a refresh, fresh after it.
type keyEntry struct {
	cached, fresh crypto.PublicKey
	owner         string
	failFresh     bool
}

type call struct {
	keyID   string
	refresh bool
}

// fakeKeys is a KeyResolver over a map; it records its calls.
type fakeKeys struct {
	mu    sync.Mutex
	keys  map[string]*keyEntry
	calls []call
}

func newFakeKeys() *fakeKeys { return &fakeKeys{keys: map[string]*keyEntry{}} }

func (f *fakeKeys) set(keyID, owner string, pub crypto.PublicKey) *keyEntry {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := &keyEntry{cached: pub, fresh: pub, owner: owner}
	f.keys[keyID] = e
	return e
}

var errUnknownKey = errors.New("fake: unknown key")

func (f *fakeKeys) ResolveKey(_ context.Context, keyID string, refresh bool) (httpsig.Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call{keyID, refresh})
	e, ok := f.keys[keyID]
	if !ok {
		return httpsig.Key{}, errUnknownKey
	}
	if refresh {
		if e.failFresh {
			return httpsig.Key{}, errors.New("fake: fetch failed")
		}
		return httpsig.Key{PublicKey: e.fresh, Owner: e.owner, Fresh: true}, nil
	}
	return httpsig.Key{PublicKey: e.cached, Owner: e.owner}, nil
}

func (f *fakeKeys) callLog() []call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]call(nil), f.calls...)
}

// clock is the tests' fake clock.
type clock = fakeclock.Clock

// epoch is the fixed time of cavage tests (cavage signing takes Date
// from the Signer's clock).
var epoch = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func pub(k crypto.Signer) crypto.PublicKey { return k.Public() }

func newSigner(t testing.TB, keyID string, key crypto.Signer, now func() time.Time) *httpsig.Signer {
	t.Helper()
	s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: keyID, Key: key, Now: now})
	require.NoError(t, err)
	return s
}

func newVerifier(t testing.TB, keys httpsig.KeyResolver, now func() time.Time) *httpsig.Verifier {
	t.Helper()
	v, err := httpsig.NewVerifier(httpsig.Config{Keys: keys, Now: now})
	require.NoError(t, err)
	return v
}

const activity = `{"@context":"https://www.w3.org/ns/activitystreams","id":"https://remote.example/activities/1","type":"Follow","actor":"https://remote.example/users/alice","object":"https://local.example/@group"}`

// outgoing builds a client request.
func outgoing(t testing.TB, method, url string, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if body != nil {
		r.Header.Set("Content-Type", "application/activity+json")
	}
	return r
}

// inbound turns a signed client request into what a server handler
// sees: relative URL, Host out of the header map.
func inbound(t testing.TB, out *http.Request, body []byte) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r := httptest.NewRequest(out.Method, out.URL.RequestURI(), rd)
	r.Host = out.Host
	for k, v := range out.Header {
		if k != "Host" {
			r.Header[k] = append([]string(nil), v...)
		}
	}
	return r
}

// signed returns an inbound request signed by s.
func signed(t testing.TB, s *httpsig.Signer, scheme httpsig.Scheme, method, url string, body []byte) *http.Request {
	t.Helper()
	out := outgoing(t, method, url, body)
	require.NoError(t, s.Sign(out, body, scheme))
	return inbound(t, out, body)
}

// replaceParam rewrites one name="value" pair of a cavage header.
func replaceParam(sig, name, value string) string {
	start := strings.Index(sig, name+`="`)
	if start < 0 {
		return sig
	}
	end := strings.IndexByte(sig[start+len(name)+2:], '"') + start + len(name) + 2
	return sig[:start] + name + `="` + value + `"` + sig[end+1:]
}
