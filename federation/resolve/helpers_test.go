package resolve_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox/inboxtest"
	"codeberg.org/convene/convene/federation/resolve"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// base is this instance; the peers are httptest servers on 127.0.0.1.
const base = "https://local.example"

var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// clock is the tests' fake clock.
type clock = fakeclock.Clock

// Pre-generated keys: RSA generation is slow under -race.
func privateKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "httpsig", "testdata", name+".pem"))
	require.NoError(t, err)
	k, err := identity.ParsePrivateKeyPEM(string(b))
	require.NoError(t, err)
	return k
}

func publicPEM(t testing.TB, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// response is what a peer answers on a path.
type response struct {
	status   int
	location string
	ctype    string
	body     []byte
}

// peer is a remote instance: documents by path, WebFinger answers by
// resource; it counts the requests it gets.
type peer struct {
	t    testing.TB
	srv  *httptest.Server
	host string // 127.0.0.1:port
	base string // http://127.0.0.1:port

	mu    sync.Mutex
	docs  map[string]response
	wf    map[string]response // by resource
	hits  map[string]int      // by path (WebFinger: path?resource)
	block chan struct{}       // when set, requests wait for it to close
}

func newPeer(t testing.TB) *peer {
	t.Helper()
	p := &peer{t: t, docs: map[string]response{}, wf: map[string]response{}, hits: map[string]int{}}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	p.base = p.srv.URL
	p.host = strings.TrimPrefix(p.srv.URL, "http://")
	return p
}

func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	key := r.URL.Path
	var res response
	var ok bool
	if r.URL.Path == "/.well-known/webfinger" {
		key += "?" + r.URL.Query().Get("resource")
		res, ok = p.wf[r.URL.Query().Get("resource")]
	} else {
		res, ok = p.docs[r.URL.Path]
	}
	p.hits[key]++
	block := p.block
	p.mu.Unlock()
	if block != nil {
		<-block
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	if res.ctype != "" {
		w.Header().Set("Content-Type", res.ctype)
	}
	if res.location != "" {
		w.Header().Set("Location", res.location)
	}
	if res.status == 0 {
		res.status = http.StatusOK
	}
	w.WriteHeader(res.status)
	_, _ = w.Write(res.body)
}

// iri returns the peer's IRI of path.
func (p *peer) iri(path string) string { return p.base + path }

// set serves a document (AS2) at path.
func (p *peer) set(path string, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs[path] = response{ctype: "application/activity+json", body: body}
}

// status makes path answer with a bare status.
func (p *peer) status(path string, code int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs[path] = response{status: code, ctype: "text/plain", body: []byte(http.StatusText(code))}
}

// redirect makes path redirect to to.
func (p *peer) redirect(path, to string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs[path] = response{status: http.StatusFound, location: to}
}

// setJSON serves v as JSON (AS2) at path.
func (p *peer) setJSON(path string, v any) {
	p.t.Helper()
	b, err := json.Marshal(v)
	require.NoError(p.t, err)
	p.set(path, b)
}

// person serves a Person at path with the key keyID (empty: path#main-key).
func (p *peer) person(path, username, keyID string, k crypto.Signer) string {
	p.t.Helper()
	iri := p.iri(path)
	if keyID == "" {
		keyID = iri + "#main-key"
	}
	b, err := wire.Marshal(wire.PersonView{Actor: identity.Actor{APID: iri, Username: username, DisplayName: username,
		Inbox: iri + "/inbox", PublicKeyID: keyID, PublicKeyPEM: publicPEM(p.t, k)}})
	require.NoError(p.t, err)
	p.set(path, b)
	return iri
}

// finger makes acct:user@host (host: this peer's, unless given) point
// to href.
func (p *peer) finger(user, host, href string) {
	if host == "" {
		host = p.host
	}
	acct := "acct:" + user + "@" + host
	b, _ := json.Marshal(map[string]any{"subject": acct, "links": []map[string]string{
		{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": href},
		{"rel": "self", "type": "application/activity+json", "href": href},
	}})
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wf[acct] = response{ctype: "application/jrd+json", body: b}
}

// count returns the requests of a path (WebFinger: "/.well-known/webfinger?acct:…").
func (p *peer) count(key string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.hits[key]
}

// total returns all requests the peer got.
func (p *peer) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, c := range p.hits {
		n += c
	}
	return n
}

type env struct {
	t      testing.TB
	clock  *clock
	id     *identity.Service
	policy *inboxtest.Policy
	client *safehttp.Client
	parser *wire.Parser
	r      *resolve.Resolver
	k1, k2 crypto.Signer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	e := &env{t: t, clock: fakeclock.New(epoch), policy: inboxtest.NewPolicy()}
	e.k1, e.k2 = privateKey(t, "rsa1"), privateKey(t, "rsa2")
	db := sqlitetest.Open(t)
	var err error
	e.id, err = identity.New(identity.Config{Store: db, BaseURL: base, Now: e.clock.Now,
		GenerateKey: func() (*rsa.PrivateKey, error) { return e.k1.(*rsa.PrivateKey), nil }})
	require.NoError(t, err)
	e.client, err = safehttp.New(safehttp.Config{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, Timeout: 10 * time.Second})
	require.NoError(t, err)
	e.parser, err = wire.NewParser(wire.Config{})
	require.NoError(t, err)
	e.r = e.resolver(resolve.Config{})
	return e
}

// resolver builds a Resolver over the env, with cfg's other fields.
func (e *env) resolver(cfg resolve.Config) *resolve.Resolver {
	e.t.Helper()
	if cfg.BaseURL == "" {
		cfg.BaseURL = base
	}
	if cfg.Scheme == "" {
		cfg.Scheme = "http"
	}
	cfg.Fetcher, cfg.Actors, cfg.Parser, cfg.Policy, cfg.Now = e.client, e.id, e.parser, e.policy, e.clock.Now
	r, err := resolve.New(cfg)
	require.NoError(e.t, err)
	return r
}

// stored returns the stored actor of iri, nil when there is none.
func (e *env) stored(iri string) *identity.Actor {
	e.t.Helper()
	a, err := e.id.GetActorByAPID(context.Background(), iri)
	if err != nil {
		require.ErrorIs(e.t, err, identity.ErrNotFound)
		return nil
	}
	return a
}
