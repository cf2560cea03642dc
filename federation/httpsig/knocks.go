package httpsig

import (
	"io"
	"net/http"
	"strings"
	"sync"
)

// MaxKnockHosts bounds the hosts a Knocks remembers; when a new host
// would exceed it, everything is forgotten (and learnt again by the
// next knocks).
const MaxKnockHosts = 10000

// MaxRFC9421Refusals is how many refusals in a row (400, 401, 403) of
// RFC 9421 requests make a host known to accept RFC 9421 unknown again.
const MaxRFC9421Refusals = 3

// maxRefusalDrain bounds what is read of a refused first knock's body
// (so that its connection can be reused).
const maxRefusalDrain = 4 << 10

// Knocks is the per-host memory of the double knock: RFC 9421 first,
// draft-cavage when the peer refuses it (Fedify's "double knock").
// Share one Knocks between the Transports and the delivery worker of an
// instance so that what a GET learns spares a POST its knock, and back.
// The zero value is ready; a Knocks must not be copied after first use.
// It is safe for concurrent use.
//
// The rule, per host (the URL's host and port, case-insensitive):
//
//   - Unknown host: sign with RFC 9421. An answer of 400, 401 or 403
//     (what Akkoma, Mastodon and GoToSocial, and some others answer to a
//     signature they do not understand) is the refusal: the same
//     request is sent again at once signed with draft-cavage, and when
//     that answer is below 400 the host is remembered as cavage-only.
//     A POST signed with RFC 9421 answered below 400 remembers the host
//     as accepting RFC 9421: an inbox verifies every POST, whereas a
//     GET may be answered without looking at the signature (a server
//     without authorized fetch), so a GET's success proves nothing.
//   - Cavage-only host: sign with draft-cavage, once, whatever the
//     answer.
//   - Host known to accept RFC 9421: sign with RFC 9421, once. Its 400,
//     401 or 403 is final: from a host that verified our RFC 9421
//     signatures it most likely means a bad key, actor or activity
//     (which draft-cavage would not mend), not the scheme, so the
//     request is not knocked at again. But MaxRFC9421Refusals such
//     answers in a row make the host unknown again (its admin may have
//     turned RFC 9421 off, or it answered 2xx before verifying), so the
//     next request knocks anew. Forgetting (a new process, or
//     MaxKnockHosts reached) makes it unknown too.
//
// A host is never moved from accepting RFC 9421 to cavage-only: a
// request that refused RFC 9421 and went through with draft-cavage
// after another proved RFC 9421 (they raced) leaves it as is.
type Knocks struct {
	mu    sync.Mutex
	hosts map[string]knock
}

// knock is what is known of a host: Cavage (refused RFC 9421) or
// RFC9421 (accepted an RFC 9421 POST), and for the latter the refusals
// since its last success.
type knock struct {
	scheme   Scheme
	refusals int
}

// Known returns what is remembered of host: Cavage (it refused RFC 9421
// and accepted draft-cavage), RFC9421 (it accepted an RFC 9421 POST), or
// "" (nothing).
func (k *Knocks) Known(host string) Scheme {
	host = strings.ToLower(host)
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hosts[host].scheme
}

// Len returns how many hosts are remembered.
func (k *Knocks) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return len(k.hosts)
}

// Knock sends a request to host (its URL's host) with send, which must
// sign and send a fresh copy of the same request with the scheme it is
// given, following the rule of Knocks: once signed with draft-cavage
// for a cavage-only host; else signed with RFC 9421 and, when the host
// refuses it (and is not known to accept RFC 9421), once more signed
// with draft-cavage. method is the request's method (only a POST proves
// that a host accepts RFC 9421). It returns the last answer, or the
// error of the last send; the body of a refused first answer is
// drained (up to 4 KiB) and closed.
func (k *Knocks) Knock(host, method string, send func(Scheme) (*http.Response, error)) (*http.Response, error) {
	host = strings.ToLower(host)
	known := k.Known(host)
	if known == Cavage {
		return send(Cavage)
	}
	resp, err := send(RFC9421)
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode < 400:
		if method == http.MethodPost || known == RFC9421 {
			k.remember(host, RFC9421)
		}
		return resp, nil
	case known == RFC9421:
		if refusal(resp.StatusCode) {
			k.refused(host)
		}
		return resp, nil
	case !refusal(resp.StatusCode):
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxRefusalDrain))
	_ = resp.Body.Close()
	resp, err = send(Cavage)
	if err == nil && resp.StatusCode < 400 {
		k.remember(host, Cavage)
	}
	return resp, err
}

// refusal reports whether status is how peers refuse a signature scheme
// they do not understand.
func refusal(status int) bool {
	switch status {
	case http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden:
		return true
	}
	return false
}

// remember records what host accepts; RFC9421 is never overwritten
// by Cavage. Remembering RFC9421 again clears its refusals.
func (k *Knocks) remember(host string, s Scheme) {
	k.mu.Lock()
	defer k.mu.Unlock()
	old, ok := k.hosts[host]
	switch {
	case old.scheme == RFC9421 && s == Cavage:
		return
	case old.scheme == s && old.refusals == 0:
		return
	case k.hosts == nil, !ok && len(k.hosts) >= MaxKnockHosts:
		k.hosts = map[string]knock{}
	}
	k.hosts[host] = knock{scheme: s}
}

// refused counts a refusal of an RFC 9421 request by a host known to
// accept RFC 9421; at MaxRFC9421Refusals in a row the host is forgotten.
func (k *Knocks) refused(host string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	h, ok := k.hosts[host]
	if !ok || h.scheme != RFC9421 {
		return
	}
	h.refusals++
	if h.refusals >= MaxRFC9421Refusals {
		delete(k.hosts, host)
		return
	}
	k.hosts[host] = h
}
