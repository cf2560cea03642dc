package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/identity"
)

// AcceptJRD is the Accept header of WebFinger requests.
const AcceptJRD = "application/jrd+json, application/json;q=0.9"

// ParseHandle splits a handle, "@user@host", "user@host" or
// "acct:user@host", into its user and its lower-cased host (with the port
// when one is given, e.g. "127.0.0.1:8080"; IPv6 in brackets). Surrounding
// spaces are ignored. The user is 1 to MaxUsernameLength bytes of
// letters, digits and "_-.~+"; the host an IP address or a DNS name of
// ASCII letters, digits and hyphens (IDNs in their xn-- form) of at most
// MaxHostLength bytes whose last label is not numeric. Errors wrap
// ErrBadHandle.
func ParseHandle(handle string) (user, host string, err error) {
	s := strings.TrimSpace(handle)
	if len(s) > MaxHandleLength {
		return "", "", fmt.Errorf("%w: longer than %d bytes", ErrBadHandle, MaxHandleLength)
	}
	switch {
	case len(s) >= 5 && strings.EqualFold(s[:5], "acct:"):
		s = s[5:]
	case strings.HasPrefix(s, "@"):
		s = s[1:]
	}
	user, host, ok := strings.Cut(s, "@")
	if !ok {
		return "", "", fmt.Errorf("%w: %q is not user@host", ErrBadHandle, handle)
	}
	if err := checkUser(user); err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrBadHandle, handle, err)
	}
	host, err = checkHost(host)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrBadHandle, handle, err)
	}
	return user, host, nil
}

func checkUser(user string) error {
	switch {
	case user == "":
		return errors.New("empty user")
	case len(user) > MaxUsernameLength:
		return fmt.Errorf("user longer than %d bytes", MaxUsernameLength)
	}
	for _, c := range user {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && !strings.ContainsRune("_-.~+", c) {
			return fmt.Errorf("character %q not allowed in a user name", c)
		}
	}
	return nil
}

// checkHost validates host[:port] and returns it in lower case.
func checkHost(host string) (string, error) {
	host = strings.ToLower(host)
	name, port := host, ""
	if strings.HasPrefix(host, "[") {
		end := strings.IndexByte(host, ']')
		if end < 0 {
			return "", errors.New("unclosed [ in host")
		}
		name = host[1:end]
		if a, err := netip.ParseAddr(name); err != nil || !a.Is6() || a.Zone() != "" {
			return "", fmt.Errorf("bad IPv6 address %q", name)
		}
		if rest := host[end+1:]; rest != "" {
			if !strings.HasPrefix(rest, ":") || rest == ":" {
				return "", fmt.Errorf("bad port %q", rest)
			}
			port = rest[1:]
		}
	} else if i := strings.LastIndexByte(host, ':'); i >= 0 {
		name, port = host[:i], host[i+1:]
		if port == "" {
			return "", errors.New("empty port")
		}
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 || port[0] == '0' || port[0] == '+' {
			return "", fmt.Errorf("bad port %q", port)
		}
	}
	if strings.HasPrefix(host, "[") {
		return host, nil
	}
	if a, err := netip.ParseAddr(name); err == nil {
		if !a.Is4() {
			return "", errors.New("IPv6 addresses go in brackets")
		}
		return host, nil
	}
	if name == "" || len(name) > MaxHostLength {
		return "", fmt.Errorf("host empty or longer than %d bytes", MaxHostLength)
	}
	labels := strings.Split(name, ".")
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return "", fmt.Errorf("bad host label %q", l)
		}
		for i := 0; i < len(l); i++ {
			c := l[i]
			if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return "", fmt.Errorf("character %q not allowed in a host", c)
			}
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		return "", fmt.Errorf("numeric host %q", name)
	}
	return host, nil
}

// ResolveHandle resolves a handle ("@user@host", "user@host",
// "acct:user@host") through WebFinger to its actor, and checks the
// loop-back: preferredUsername@<the actor's host> must WebFinger to the
// same actor. An actor IRI is accepted too (then it is ResolveActor).
// A handle on this instance is looked up in the store.
func (r *Resolver) ResolveHandle(ctx context.Context, handle string) (*identity.Actor, error) {
	s := strings.TrimSpace(handle)
	if l := strings.ToLower(s); strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") {
		return r.ResolveActor(ctx, s)
	}
	user, host, err := ParseHandle(s)
	if err != nil {
		return nil, err
	}
	host = trimPort(host, r.cfg.Scheme)
	if r.isLocalHost(host) {
		return r.localActor(ctx, user)
	}
	href, err := r.webfinger(ctx, user, host)
	if err != nil {
		return nil, err
	}
	a, err := r.ResolveActor(ctx, href)
	if err != nil {
		return nil, err
	}
	if checkUser(a.Username) != nil {
		return nil, fmt.Errorf("%w: actor %s has no usable preferredUsername (%q)", ErrMismatch, a.APID, a.Username)
	}
	aHost := hostOfIRI(a.APID)
	if strings.EqualFold(a.Username, user) && aHost == host {
		return a, nil // the answer above was the loop-back
	}
	back, err := r.webfinger(ctx, a.Username, aHost)
	if err != nil {
		return nil, fmt.Errorf("%w: loop-back of %s@%s: %w", ErrMismatch, a.Username, aHost, err)
	}
	if back != a.APID {
		return nil, fmt.Errorf("%w: %s@%s is %s, not %s", ErrMismatch, a.Username, aHost, back, a.APID)
	}
	return a, nil
}

// localActor finds an actor of this instance by username.
func (r *Resolver) localActor(ctx context.Context, user string) (*identity.Actor, error) {
	var a *identity.Actor
	var err error
	if la, ok := r.cfg.Actors.(LocalActors); ok {
		a, err = la.GetLocalActor(ctx, user)
	} else {
		a, err = r.cfg.Actors.GetActorByAPID(ctx, r.cfg.BaseURL+"/@"+user)
	}
	if err != nil {
		return nil, notFound("local actor "+user, err)
	}
	return a, nil
}

// isLocalHost reports whether a handle's host is this instance's.
func (r *Resolver) isLocalHost(host string) bool {
	return host == r.host || trimPort(host, r.baseScheme) == r.host
}

// trimPort drops the default port of scheme from host.
func trimPort(host, scheme string) string {
	if scheme == "https" {
		return strings.TrimSuffix(host, ":443")
	}
	return strings.TrimSuffix(host, ":80")
}

// webfinger asks host for acct:user@host and returns the href of its
// ActivityStreams self link.
func (r *Resolver) webfinger(ctx context.Context, user, host string) (string, error) {
	if err := r.allowed(ctx, host); err != nil {
		return "", err
	}
	acct := "acct:" + user + "@" + host
	q := url.Values{"resource": {acct}}
	wf := r.cfg.Scheme + "://" + host + "/.well-known/webfinger?" + q.Encode()
	body, _, err := r.get(ctx, wf, AcceptJRD, false)
	if err != nil {
		var se *safehttp.StatusError
		if errors.As(err, &se) && (se.StatusCode == http.StatusNotFound || se.StatusCode == http.StatusGone) {
			return "", fmt.Errorf("resolve: webfinger %s: %w: %w", acct, ErrNotFound, err)
		}
		return "", fmt.Errorf("resolve: webfinger %s: %w", acct, err)
	}
	jrd, err := r.cfg.Parser.ParseJRD(body)
	if err != nil {
		return "", fmt.Errorf("resolve: webfinger %s: %w", acct, err)
	}
	for _, l := range jrd.Links {
		if l.Rel != "self" || !safehttp.IsASContentType(l.Type) || l.Href == "" {
			continue
		}
		u, err := r.parseIRI(l.Href)
		if err != nil {
			return "", fmt.Errorf("resolve: webfinger %s: self link: %w", acct, err)
		}
		if u.Fragment != "" {
			return "", fmt.Errorf("resolve: webfinger %s: %w: self link %q has a fragment", acct, ErrBadIRI, l.Href)
		}
		return l.Href, nil
	}
	return "", fmt.Errorf("resolve: webfinger %s: %w: no ActivityPub self link", acct, ErrNotFound)
}
