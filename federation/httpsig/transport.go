package httpsig

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
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
	// answers 400, some servers 403. What it learns per host is kept in
	// Transport.Knocks: see Knocks for the rule.
	DoubleKnock
)

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
	// Knocks is the per-host memory of DoubleKnock, which may be shared
	// with other Transports and with the delivery worker; nil means the
	// Transport's own.
	Knocks *Knocks

	own Knocks
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
	switch t.Mode {
	case SignCavage:
		return t.send(base, req, body, Cavage)
	case SignRFC9421:
		return t.send(base, req, body, RFC9421)
	case DoubleKnock:
		knocks := t.Knocks
		if knocks == nil {
			knocks = &t.own
		}
		return knocks.Knock(req.URL.Host, req.Method, func(s Scheme) (*http.Response, error) {
			return t.send(base, req, body, s)
		})
	default:
		return nil, fmt.Errorf("httpsig: unknown Transport.Mode %d", t.Mode)
	}
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
