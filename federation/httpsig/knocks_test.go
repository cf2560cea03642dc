package httpsig_test

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/identity"
)

// fakePeer answers Knocks.Knock's sends without a network: status by
// scheme, and records the schemes it was sent and whether each answer's
// body was closed.
type fakePeer struct {
	rfc9421, cavage int   // the answers to each scheme
	err             error // returned instead of an answer to RFC 9421

	sent   []httpsig.Scheme
	bodies []*closeTracker
}

type closeTracker struct {
	io.Reader
	closed bool
}

func (c *closeTracker) Close() error { c.closed = true; return nil }

func (p *fakePeer) send(s httpsig.Scheme) (*http.Response, error) {
	p.sent = append(p.sent, s)
	status := p.cavage
	if s == httpsig.RFC9421 {
		if p.err != nil {
			return nil, p.err
		}
		status = p.rfc9421
	}
	body := &closeTracker{Reader: strings.NewReader("answer")}
	p.bodies = append(p.bodies, body)
	return &http.Response{StatusCode: status, Body: body}, nil
}

// knock knocks at host through a fakePeer answering rfc9421 and cavage.
func knock(t *testing.T, k *httpsig.Knocks, host, method string, rfc9421, cavage int) (*fakePeer, int) {
	t.Helper()
	p := &fakePeer{rfc9421: rfc9421, cavage: cavage}
	resp, err := k.Knock(host, method, p.send)
	require.NoError(t, err)
	return p, resp.StatusCode
}

func TestKnocksRule(t *testing.T) {
	t.Parallel()
	const (
		post = http.MethodPost
		get  = http.MethodGet
	)
	type try struct {
		method          string
		rfc9421, cavage int // the peer's answers
	}
	R, C := httpsig.RFC9421, httpsig.Cavage
	tests := []struct {
		name   string
		before []try // earlier knocks at the host
		now    try
		sent   []httpsig.Scheme
		status int
		known  httpsig.Scheme // after
	}{
		{"unknown host accepts an RFC 9421 POST", nil, try{post, 202, 202}, []httpsig.Scheme{R}, 202, R},
		{"a GET's success proves nothing", nil, try{get, 200, 200}, []httpsig.Scheme{R}, 200, ""},
		{"401 refusal, cavage POST accepted", nil, try{post, 401, 202}, []httpsig.Scheme{R, C}, 202, C},
		{"400 refusal (Akkoma)", nil, try{post, 400, 202}, []httpsig.Scheme{R, C}, 202, C},
		{"403 refusal", nil, try{get, 403, 200}, []httpsig.Scheme{R, C}, 200, C},
		{"refusal learnt from a GET", nil, try{get, 401, 200}, []httpsig.Scheme{R, C}, 200, C},
		{"cavage refused too: nothing learnt", nil, try{post, 401, 401}, []httpsig.Scheme{R, C}, 401, ""},
		{"404 is no refusal", nil, try{post, 404, 202}, []httpsig.Scheme{R}, 404, ""},
		{"500 is no refusal", nil, try{post, 500, 202}, []httpsig.Scheme{R}, 500, ""},
		{"cavage-only host: straight to cavage", []try{{post, 401, 202}}, try{post, 202, 202}, []httpsig.Scheme{C}, 202, C},
		{"cavage-only host: its 401 is final", []try{{get, 401, 200}}, try{post, 202, 401}, []httpsig.Scheme{C}, 401, C},
		{"RFC 9421 host: its 401 is final, not downgraded", []try{{post, 202, 202}}, try{post, 401, 202}, []httpsig.Scheme{R}, 401, R},
		{"RFC 9421 host: its 403 to a GET too", []try{{post, 202, 202}}, try{get, 403, 200}, []httpsig.Scheme{R}, 403, R},
		{"after a failed fallback the host is knocked at again", []try{{post, 401, 401}}, try{post, 401, 202}, []httpsig.Scheme{R, C}, 202, C},
		{"a GET's success leaves it unknown", []try{{get, 200, 200}}, try{post, 401, 202}, []httpsig.Scheme{R, C}, 202, C},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var k httpsig.Knocks
			for _, b := range tt.before {
				knock(t, &k, "peer.example", b.method, b.rfc9421, b.cavage)
			}
			p, status := knock(t, &k, "peer.example", tt.now.method, tt.now.rfc9421, tt.now.cavage)
			assert.Equal(t, tt.sent, p.sent, "schemes sent")
			assert.Equal(t, tt.status, status, "the last answer is returned")
			assert.Equal(t, tt.known, k.Known("peer.example"))
			for i, b := range p.bodies[:len(p.bodies)-1] {
				assert.True(t, b.closed, "refused answer %d closed", i)
			}
			assert.False(t, p.bodies[len(p.bodies)-1].closed, "the returned answer is the caller's")
		})
	}
}

func TestKnocksHostsAreCaseInsensitive(t *testing.T) {
	t.Parallel()
	var k httpsig.Knocks
	knock(t, &k, "Peer.Example:8443", http.MethodPost, 401, 202)
	assert.Equal(t, httpsig.Cavage, k.Known("peer.example:8443"))
	p, _ := knock(t, &k, "PEER.example:8443", http.MethodPost, 202, 202)
	assert.Equal(t, []httpsig.Scheme{httpsig.Cavage}, p.sent)
	assert.Empty(t, k.Known("peer.example"), "another port is another host")
}

func TestKnocksNetworkErrorTeachesNothing(t *testing.T) {
	t.Parallel()
	var k httpsig.Knocks
	boom := errors.New("connection refused")
	p := &fakePeer{err: boom, cavage: 202}
	_, err := k.Knock("peer.example", http.MethodPost, p.send)
	require.ErrorIs(t, err, boom)
	assert.Equal(t, []httpsig.Scheme{httpsig.RFC9421}, p.sent, "no fallback on a network error")
	assert.Zero(t, k.Len())
}

func TestKnocksForgetsWhenFull(t *testing.T) {
	t.Parallel()
	var k httpsig.Knocks
	for i := range httpsig.MaxKnockHosts {
		knock(t, &k, fmt.Sprintf("h%d.example", i), http.MethodPost, 401, 202)
	}
	require.Equal(t, httpsig.MaxKnockHosts, k.Len())
	knock(t, &k, "h0.example", http.MethodPost, 202, 202) // known: no growth
	require.Equal(t, httpsig.MaxKnockHosts, k.Len())

	knock(t, &k, "new.example", http.MethodPost, 202, 202)
	assert.Equal(t, 1, k.Len(), "a new host when full forgets the others")
	assert.Equal(t, httpsig.RFC9421, k.Known("new.example"))
	assert.Empty(t, k.Known("h0.example"))
}

func TestKnocksConcurrent(t *testing.T) {
	t.Parallel()
	var k httpsig.Knocks
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				host := fmt.Sprintf("h%d.example", j%5)
				p := &fakePeer{rfc9421: 401, cavage: 202}
				if j%5 == 0 {
					p.rfc9421 = 202
				}
				resp, err := k.Knock(host, http.MethodPost, p.send)
				if assert.NoError(t, err) {
					assert.Equal(t, 202, resp.StatusCode, "goroutine %d", i)
				}
				_ = k.Known(host)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 5, k.Len())
	assert.Equal(t, httpsig.RFC9421, k.Known("h0.example"))
	assert.Equal(t, httpsig.Cavage, k.Known("h1.example"))
}

// A signed GET (the instance actor's authorized fetch) teaches a shared
// Knocks that a host is cavage-only: another Transport's POST (or the
// delivery worker's) goes to it signed with draft-cavage at once.
func TestTransportSharesKnocks(t *testing.T) {
	t.Parallel()
	key := privateKey(t, "rsa1")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key))
	s := newSigner(t, aliceKey, key, nil)
	p := newPeer(t, keys, true)

	knocks := &httpsig.Knocks{}
	client := func() *http.Client {
		return &http.Client{Transport: &httpsig.Transport{Signer: s, Mode: httpsig.DoubleKnock, Knocks: knocks}}
	}
	fetcher, poster := client(), client()

	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, p.URL+"/users/bob", nil)
	require.NoError(t, err)
	resp, err := fetcher.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, httpsig.Cavage, knocks.Known(strings.TrimPrefix(p.URL, "http://")))

	req, err = http.NewRequestWithContext(t.Context(), http.MethodPost, p.URL+"/inbox", strings.NewReader("a"))
	require.NoError(t, err)
	resp, err = poster.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, []string{
		"refused rfc9421", "GET /users/bob draft-cavage ", // the GET's double knock
		"POST /inbox draft-cavage a", // the other Transport's POST: no knock
	}, p.log())
}

// One Knocks shared by the instance's signed GETs and its deliveries:
// what the GET learnt of a cavage-only peer spares the POST its knock.
func ExampleKnocks() {
	pemText, _ := os.ReadFile("testdata/rsa1.pem")
	key, _ := identity.ParsePrivateKeyPEM(string(pemText))
	signer, _ := httpsig.NewSigner(httpsig.SignerConfig{KeyID: "https://local.example/actor#main-key", Key: key})

	// A peer that only understands draft-cavage, like GoToSocial.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Signature-Input") != "" {
			fmt.Println("peer: 401 to an RFC 9421", r.Method)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Println("peer: 200 to a draft-cavage", r.Method)
	}))
	defer srv.Close()

	knocks := &httpsig.Knocks{}
	// delivery.Config{Knocks: knocks, ...} would share it the same way.
	fetches := &http.Client{Transport: &httpsig.Transport{Signer: signer, Mode: httpsig.DoubleKnock, Knocks: knocks}}
	posts := &http.Client{Transport: &httpsig.Transport{Signer: signer, Mode: httpsig.DoubleKnock, Knocks: knocks}}

	get, _ := http.NewRequest(http.MethodGet, srv.URL+"/users/ana", nil)
	post, _ := http.NewRequest(http.MethodPost, srv.URL+"/inbox", strings.NewReader(`{"type":"Follow"}`))
	for _, do := range []struct {
		c   *http.Client
		req *http.Request
	}{{fetches, get}, {posts, post}} {
		resp, err := do.c.Do(do.req)
		if err != nil {
			fmt.Println(err)
			return
		}
		_ = resp.Body.Close()
	}
	fmt.Println(knocks.Known(strings.TrimPrefix(srv.URL, "http://")))
	// Output:
	// peer: 401 to an RFC 9421 GET
	// peer: 200 to a draft-cavage GET
	// peer: 200 to a draft-cavage POST
	// draft-cavage
}

// TestKnocksForgetsRFC9421AfterRefusals: a host known to accept RFC 9421
// whose answers turn to refusals (its admin turned RFC 9421 off) is
// knocked at anew after MaxRFC9421Refusals in a row; a success in
// between starts the count again.
func TestKnocksForgetsRFC9421AfterRefusals(t *testing.T) {
	t.Parallel()
	k := &httpsig.Knocks{}
	const host = "peer.example"
	knock(t, k, host, http.MethodPost, 202, 202)
	require.Equal(t, httpsig.RFC9421, k.Known(host))
	for range httpsig.MaxRFC9421Refusals - 1 {
		p, status := knock(t, k, host, http.MethodPost, 401, 202)
		assert.Equal(t, 401, status, "final while the host is known to take RFC 9421")
		assert.Equal(t, []httpsig.Scheme{httpsig.RFC9421}, p.sent)
	}
	knock(t, k, host, http.MethodPost, 202, 202) // a success: the count starts again
	for range httpsig.MaxRFC9421Refusals - 1 {
		knock(t, k, host, http.MethodPost, 401, 202)
	}
	require.Equal(t, httpsig.RFC9421, k.Known(host))
	knock(t, k, host, http.MethodPost, 401, 202)
	assert.Equal(t, httpsig.Scheme(""), k.Known(host), "forgotten at the last refusal")
	p, status := knock(t, k, host, http.MethodPost, 401, 202)
	assert.Equal(t, 202, status)
	assert.Equal(t, []httpsig.Scheme{httpsig.RFC9421, httpsig.Cavage}, p.sent, "knocked anew")
	assert.Equal(t, httpsig.Cavage, k.Known(host))
}
