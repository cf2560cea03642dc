// Package fedtest runs several Convene instances in one process, joined
// by an in-process network instead of sockets, under one fake clock: the
// ground for fast, deterministic federation tests. Nothing is delivered
// until the test says so (Network.Deliver), and time moves only when it
// advances the clock.
//
//	net := fedtest.New(t)
//	a, b := net.Instance("a.test"), net.Instance("b.test")
//	alice := a.Profile("alice")
//	...
//	net.Deliver()
//
// Other peers (a fake Mastodon, a hostile server) join the network as
// plain http.Handlers with Network.Handle.
package fedtest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage/sqlite"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// MaxRounds bounds the delivery rounds of one Deliver: each round
// delivers what the previous one caused (a Follow, then its Accept, then
// what that triggers). More rounds than this means activities keep
// causing activities: a loop, which fails the test.
const MaxRounds = 20

//go:embed keys/*.pem
var keyFiles embed.FS

// Start is where the fake clock starts: a fixed instant, so that runs
// are reproducible.
var Start = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// Clock is a fake clock that moves only when told (Advance, Set). It is
// safe for concurrent use.
type Clock = fakeclock.Clock

// Network is a set of hosts that reach each other through
// RoundTrip, without sockets.
type Network struct {
	t     testing.TB
	Clock *Clock

	keys []*rsa.PrivateKey
	mu   sync.Mutex
	next int
	// hosts maps a host ("a.test") to what answers it.
	hosts     map[string]http.Handler
	instances []*Instance
	requests  []Request
}

// Request is one request that crossed the network, as the test sees it
// afterwards.
type Request struct {
	Method, URL string
	Header      http.Header
	Body        []byte
	Status      int
}

// New returns an empty network with its clock at Start.
func New(t testing.TB) *Network {
	t.Helper()
	n := &Network{t: t, Clock: fakeclock.New(Start), hosts: map[string]http.Handler{}}
	entries, err := keyFiles.ReadDir("keys")
	if err != nil {
		t.Fatalf("fedtest: %v", err)
	}
	for _, e := range entries {
		data, err := keyFiles.ReadFile("keys/" + e.Name())
		if err != nil {
			t.Fatalf("fedtest: %v", err)
		}
		k, err := identity.ParsePrivateKeyPEM(string(data))
		if err != nil {
			t.Fatalf("fedtest: %s: %v", e.Name(), err)
		}
		n.keys = append(n.keys, k.(*rsa.PrivateKey))
	}
	return n
}

// generateKey hands out the pre-generated keys in turn: making RSA keys
// is far too slow for tests under -race.
func (n *Network) generateKey() (*rsa.PrivateKey, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	k := n.keys[n.next%len(n.keys)]
	n.next++
	return k, nil
}

// Handle makes h answer every request to host.
func (n *Network) Handle(host string, h http.Handler) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.hosts[strings.ToLower(host)] = h
}

// Remove takes host off the network: requests to it fail as if it were
// down.
func (n *Network) Remove(host string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	delete(n.hosts, strings.ToLower(host))
}

// ErrNoHost is the error of a request to a host that is not on the
// network.
var ErrNoHost = errors.New("fedtest: no such host")

// RoundTrip serves req with the handler of its host. It implements
// http.RoundTripper, so the instances' outbound clients use it.
func (n *Network) RoundTrip(req *http.Request) (*http.Response, error) {
	n.mu.Lock()
	h := n.hosts[strings.ToLower(req.URL.Host)]
	n.mu.Unlock()
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	if h == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoHost, req.URL.Host)
	}
	in := httptest.NewRequestWithContext(req.Context(), req.Method, req.URL.String(), bytes.NewReader(body))
	in.Header = req.Header.Clone()
	if req.Host != "" {
		in.Host = req.Host
	}
	in.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	n.mu.Lock()
	n.requests = append(n.requests, Request{Method: req.Method, URL: req.URL.String(), Header: in.Header, Body: body, Status: resp.StatusCode})
	n.mu.Unlock()
	return resp, nil
}

// Requests returns the requests that crossed the network so far, and
// forgets them.
func (n *Network) Requests() []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := n.requests
	n.requests = nil
	return out
}

// Instance is one Convene instance on the network.
type Instance struct {
	*convene.Instance
	Host, BaseURL string
	Store         *sqlite.DB
	net           *Network
}

// Instance starts a Convene instance at https://host, with its own
// SQLite database, on the network.
func (n *Network) Instance(host string) *Instance {
	n.t.Helper()
	base := "https://" + host
	db := sqlitetest.Open(n.t)
	inst, err := convene.New(convene.Config{Store: db, BaseURL: base, Name: host, Now: n.Clock.Now,
		Argon2: identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}, GenerateKey: n.generateKey,
		Federation: &convene.FederationConfig{Transport: n}})
	if err != nil {
		n.t.Fatalf("fedtest: instance %s: %v", host, err)
	}
	i := &Instance{Instance: inst, Host: host, BaseURL: base, Store: db, net: n}
	n.Handle(host, inst.Handler())
	n.mu.Lock()
	n.instances = append(n.instances, i)
	n.mu.Unlock()
	return i
}

// Deliver runs every instance's delivery until no job is due: what one
// delivery causes (an Accept answering a Follow) is delivered too. It
// returns the number of attempts, and fails the test after MaxRounds
// rounds.
func (n *Network) Deliver() int {
	n.t.Helper()
	ctx := context.Background()
	n.mu.Lock()
	insts := append([]*Instance(nil), n.instances...)
	n.mu.Unlock()
	total := 0
	for range MaxRounds {
		round := 0
		for _, i := range insts {
			k, err := i.Federation.Worker.DeliverDue(ctx)
			if err != nil {
				n.t.Fatalf("fedtest: deliver from %s: %v", i.Host, err)
			}
			round += k
		}
		if round == 0 {
			return total
		}
		total += round
	}
	n.t.Fatalf("fedtest: deliveries still due after %d rounds: a loop?", MaxRounds)
	return total
}

// Profile registers an account with one profile, username, and returns
// the profile.
func (i *Instance) Profile(username string) *identity.Profile {
	i.net.t.Helper()
	_, p, err := i.Identity.Register(context.Background(), identity.RegisterInput{Email: username + "@" + i.Host,
		Password: "a long enough password", Username: username, DisplayName: username})
	if err != nil {
		i.net.t.Fatalf("fedtest: profile %s on %s: %v", username, i.Host, err)
	}
	return p
}
