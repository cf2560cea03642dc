package delivery_test

import (
	"bytes"
	"context"
	"crypto"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// The local signing actor of the tests.
const (
	localActor = "https://local.example/@org"
	localKeyID = localActor + "#main-key"
)

// testKey is a pre-generated RSA-2048 key (generating one under -race is
// slow).
func testKey(t testing.TB) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile("testdata/rsa.pem")
	require.NoError(t, err)
	k, err := identity.ParsePrivateKeyPEM(string(b))
	require.NoError(t, err)
	return k
}

// signers answers every actor with one Signer over key, on the bubble's
// clock.
func signers(t testing.TB, key crypto.Signer) delivery.Signers {
	t.Helper()
	s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: localKeyID, Key: key})
	require.NoError(t, err)
	return delivery.SignersFunc(func(context.Context, string) (*httpsig.Signer, error) { return s, nil })
}

// request is one POST the fake network received.
type request struct {
	At     time.Time
	Host   string
	Path   string
	Header http.Header
	Body   []byte
	Req    *http.Request
}

// answer is what a fake host answers: a status and headers, or an error
// (no answer at all).
type answer struct {
	status int
	header http.Header
	err    error
}

// fakeNet is an in-memory network of inboxes: an http.RoundTripper that
// records each request and answers it with the host's handler (202 by
// default), after delay. It tracks how many requests are in flight, in
// all and per host.
type fakeNet struct {
	mu       sync.Mutex
	handlers map[string]func(r request) answer
	delay    time.Duration // how long each request takes (bubble time)
	reqs     []request
	inFlight map[string]int
	maxHost  map[string]int
	total    int
	maxTotal int
}

func newFakeNet() *fakeNet {
	return &fakeNet{handlers: map[string]func(request) answer{}, inFlight: map[string]int{}, maxHost: map[string]int{}}
}

func (f *fakeNet) handle(host string, h func(r request) answer) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handlers[host] = h
}

func (f *fakeNet) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil { // nil: a GET through an httpsig.Transport
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		body = b
	}
	rec := request{At: time.Now(), Host: r.URL.Host, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Req: r}
	f.mu.Lock()
	f.reqs = append(f.reqs, rec)
	f.inFlight[rec.Host]++
	f.total++
	f.maxHost[rec.Host] = max(f.maxHost[rec.Host], f.inFlight[rec.Host])
	f.maxTotal = max(f.maxTotal, f.total)
	h := f.handlers[rec.Host]
	delay := f.delay
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight[rec.Host]--
		f.total--
		f.mu.Unlock()
	}()
	if delay > 0 {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return nil, r.Context().Err()
		}
	}
	a := answer{status: http.StatusAccepted}
	if h != nil {
		a = h(rec)
	}
	if a.err != nil {
		return nil, a.err
	}
	if a.header == nil {
		a.header = http.Header{}
	}
	return &http.Response{StatusCode: a.status, Header: a.header, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
}

// requests returns the requests received so far, filtered by host when
// host is not "".
func (f *fakeNet) requests(host string) []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []request
	for _, r := range f.reqs {
		if host == "" || r.Host == host {
			out = append(out, r)
		}
	}
	return out
}

// client is an *http.Client over the fake network.
func (f *fakeNet) client() *http.Client { return &http.Client{Transport: f} }

// status answers every request with code.
func status(code int) func(request) answer {
	return func(request) answer { return answer{status: code} }
}

// activity is a small Create activity with id n.
func activity(n string) delivery.Activity {
	id := "https://local.example/activities/" + n
	return delivery.Activity{ID: id, ActorID: localActor,
		Body: []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + id + `","type":"Create","actor":"` + localActor + `"}`)}
}

// bodyOf is for comparing bodies in messages.
func bodyOf(r request) string { return string(bytes.TrimSpace(r.Body)) }

// errNotFound is storage.ErrNotFound, as a Signers reports an unknown
// actor.
var errNotFound = storage.ErrNotFound
