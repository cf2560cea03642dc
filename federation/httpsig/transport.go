package httpsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Mode says how a Transport signs.
type Mode int

// Modes.
const (
	// SignCavage signs every request with draft-cavage (the default:
	// every fediverse server verifies it).
	SignCavage Mode = iota
	// SignRFC9421 signs every request with RFC 9421, for peers known to
	// accept it.
	SignRFC9421
	// DoubleKnock signs with RFC 9421 first; when the peer answers 400,
	// 401 or 403 it re-sends the request signed with draft-cavage, and
	// from then on signs requests to that host with draft-cavage
	// directly (Fedify's "double knock"). 401 is what Mastodon and
	// GoToSocial answer to a signature they do not understand; Akkoma
	// answers 400, some servers 403. The memory holds at most
	// MaxKnockHosts hosts and is forgotten when full.
	DoubleKnock
)

// MaxKnockHosts bounds the hosts a DoubleKnock Transport remembers as
// cavage-only.
const MaxKnockHosts = 10000

// Transport is an http.RoundTripper that signs each request (and each
// redirect hop) with Signer before passing it to Base. It reads the
// request body into memory to digest it. It never modifies the caller's
// request. A Transport must not be copied after first use.
type Transport struct {
	// Base sends the signed requests; nil means http.DefaultTransport.
	// Use a federation/safehttp Client's transport (WithRoundTripper).
	Base http.RoundTripper
	// Signer signs. Required.
	Signer *Signer
	// Mode chooses the scheme; the zero value is SignCavage.
	Mode Mode

	mu     sync.Mutex
	cavage map[string]bool // DoubleKnock: hosts that refused RFC 9421
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := readBody(req)
	if err != nil {
		return nil, err
	}
	if t.Signer == nil {
		return nil, errors.New("httpsig: Transport.Signer is required")
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	host := strings.ToLower(req.URL.Host)
	switch {
	case t.Mode == SignCavage, t.Mode == DoubleKnock && t.knownCavage(host):
		return t.send(base, req, body, Cavage)
	case t.Mode == SignRFC9421:
		return t.send(base, req, body, RFC9421)
	case t.Mode != DoubleKnock:
		return nil, fmt.Errorf("httpsig: unknown Transport.Mode %d", t.Mode)
	}
	resp, err := t.send(base, req, body, RFC9421)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
	default:
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
	_ = resp.Body.Close()
	resp, err = t.send(base, req, body, Cavage)
	if err == nil && resp.StatusCode < 400 {
		t.rememberCavage(host)
	}
	return resp, err
}

func (t *Transport) send(base http.RoundTripper, req *http.Request, body []byte, scheme Scheme) (*http.Response, error) {
	r := req.Clone(req.Context())
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
		r.ContentLength = int64(len(body))
	}
	if err := t.Signer.Sign(r, body, scheme); err != nil {
		return nil, err
	}
	return base.RoundTrip(r)
}

// readBody reads and closes the request body; nil when there is none.
func readBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("httpsig: read request body: %w", err)
	}
	return b, nil
}

func (t *Transport) knownCavage(host string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.cavage[host]
}

func (t *Transport) rememberCavage(host string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cavage == nil || len(t.cavage) >= MaxKnockHosts {
		t.cavage = map[string]bool{}
	}
	t.cavage[host] = true
}
