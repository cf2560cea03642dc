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
//     signatures it means a bad key, actor or activity (which
//     draft-cavage would not mend), not the scheme, so the host is
//     neither knocked at again nor downgraded. Only forgetting (a new
//     process, or MaxKnockHosts reached) makes it unknown again.
//
// A host is never moved from accepting RFC 9421 to cavage-only: a
// request that refused RFC 9421 and went through with draft-cavage
// after another proved RFC 9421 (they raced) leaves it as is.
type Knocks struct {
	mu    sync.Mutex
	hosts map[string]Scheme // Cavage: refused RFC 9421; RFC9421: accepted an RFC 9421 POST
}

// Known returns what is remembered of host: Cavage (it refused RFC 9421
// and accepted draft-cavage), RFC9421 (it accepted an RFC 9421 POST), or
// "" (nothing).
func (k *Knocks) Known(host string) Scheme {
	host = strings.ToLower(host)
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.hosts[host]
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
		if method == http.MethodPost && known != RFC9421 {
			k.remember(host, RFC9421)
		}
		return resp, nil
	case known == RFC9421 || !refusal(resp.StatusCode):
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

// remember records what host accepts; RFC9421 is never overwritten.
func (k *Knocks) remember(host string, s Scheme) {
	k.mu.Lock()
	defer k.mu.Unlock()
	old, ok := k.hosts[host]
	switch {
	case old == RFC9421, old == s:
		return
	case k.hosts == nil, !ok && len(k.hosts) >= MaxKnockHosts:
		k.hosts = map[string]Scheme{}
	}
	k.hosts[host] = s
}
