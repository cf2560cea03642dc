package httpsig

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Limits and time rules of verification.
const (
	// MaxSignatureHeaderBytes bounds Signature and Signature-Input (all
	// their lines together): an RSA-8192 signature is 1.4 KB of base64.
	MaxSignatureHeaderBytes = 8 << 10
	// MaxDigestHeaderBytes bounds Digest and Content-Digest.
	MaxDigestHeaderBytes = 1 << 10
	// MaxCoveredComponents bounds the headers / components one
	// signature may cover.
	MaxCoveredComponents = 32
	// MaxKeyIDLength bounds a keyId.
	MaxKeyIDLength = 2048
	// MaxClockSkew is how far in the future a signature's Date or
	// created may be, and how long after its expiry it is still taken
	// (Mastodon's CLOCK_SKEW_MARGIN).
	MaxClockSkew = time.Hour
	// DefaultExpiry is a signature's lifetime when it signs no expires:
	// with MaxClockSkew, a Date up to 65 minutes old is accepted.
	DefaultExpiry = 5 * time.Minute
	// MaxExpiry caps expires: no signature lives longer than 12 hours
	// after its Date or created.
	MaxExpiry = 12 * time.Hour
	// RefreshCooloff is the least time between two key refreshes for
	// keys of one host: after a refresh, failures with another key of
	// that host fail without fetching (Mastodon: 5 minutes per source).
	RefreshCooloff = 5 * time.Minute
	// MaxCooloffHosts bounds the hosts remembered for the cool-off;
	// when it is full of hosts still cooling off, refreshes are refused.
	MaxCooloffHosts = 10000
)

// Scheme names a signature scheme.
type Scheme string

// Schemes.
const (
	// Cavage is draft-cavage-http-signatures-12 (Signature header with
	// keyId, headers, signature; Digest), as Mastodon, Mobilizon and
	// GoToSocial speak it.
	Cavage Scheme = "draft-cavage"
	// RFC9421 is HTTP Message Signatures (Signature-Input and Signature;
	// Content-Digest).
	RFC9421 Scheme = "rfc9421"
)

// Key is a public key and the actor that owns it.
type Key struct {
	// PublicKey is an *rsa.PublicKey or ed25519.PublicKey, e.g. from
	// identity.ParsePublicKeyPEM (which enforces RSA sizes).
	PublicKey crypto.PublicKey
	// Owner is the IRI of the actor owning the key; it must be on the
	// keyId's host.
	Owner string
	// Fresh is true when the key was fetched from its origin for this
	// very call; a fresh key that fails is not refreshed again.
	Fresh bool
}

// KeyResolver finds the key a keyId names. It is called with
// refresh=false first, which may answer from a cache; a signature that
// fails with a cached key causes one more call with refresh=true, which
// must fetch the key from its origin (at most once per RefreshCooloff
// and host). It should check domain blocks before fetching anything,
// and fetch through federation/safehttp. Errors are wrapped in
// ErrKeyUnavailable. It is called concurrently.
type KeyResolver interface {
	ResolveKey(ctx context.Context, keyID string, refresh bool) (Key, error)
}

// Result describes a verified signature.
type Result struct {
	Scheme Scheme
	// KeyID is the keyId the signature named.
	KeyID string
	// Owner is the key's owner: the inbox must check it is the
	// activity's actor.
	Owner string
	// Algorithm is the algorithm actually used: rsa-sha256 or ed25519
	// (cavage), rsa-v1_5-sha256 or ed25519 (RFC 9421).
	Algorithm string
	// Created is the signature's Date or created.
	Created time.Time
	// QueryUnsigned is true when a cavage (request-target) verified only
	// without the request's query string.
	QueryUnsigned bool
	// Refreshed is true when the key had to be refreshed.
	Refreshed bool
}

// Config configures a Verifier.
type Config struct {
	// Keys resolves keyIds. Required.
	Keys KeyResolver
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Scheme is the scheme clients used to reach this server, needed to
	// rebuild an RFC 9421 @target-uri behind a TLS-terminating proxy:
	// "https" (the default) or "http".
	Scheme string
}

// Verifier verifies signed requests. It is safe for concurrent use.
type Verifier struct {
	keys   KeyResolver
	now    func() time.Time
	scheme string

	mu        sync.Mutex
	refreshed map[string]time.Time // host → last refresh
}

// NewVerifier returns a Verifier.
func NewVerifier(cfg Config) (*Verifier, error) {
	if cfg.Keys == nil {
		return nil, errors.New("httpsig: Config.Keys is required")
	}
	switch cfg.Scheme {
	case "":
		cfg.Scheme = "https"
	case "http", "https":
	default:
		return nil, fmt.Errorf("httpsig: Config.Scheme %q is not http or https", cfg.Scheme)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{keys: cfg.Keys, now: cfg.Now, scheme: cfg.Scheme, refreshed: map[string]time.Time{}}, nil
}

// Verify checks the signature of r, whose body is exactly body (the
// caller has read it, under its own size limit). A request with a
// Signature-Input header is RFC 9421, otherwise draft-cavage.
//
// The order is: parse (bounded), policy (algorithm, covered components,
// time window), body digest, key resolution, signature; so a malformed,
// stale or tampered request costs no key fetch. A signature that fails
// with a cached key is retried once with a refreshed key, at most once
// per RefreshCooloff for the keyId's host.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Result, error) {
	res := &Result{}
	var verify func(crypto.PublicKey) (string, bool, error)
	if _, ok := r.Header["Signature-Input"]; ok {
		p, err := parseRFC9421(r.Header)
		if err != nil {
			return nil, err
		}
		if res.Created, err = v.rfcCheck(r, p); err != nil {
			return nil, err
		}
		if needsDigest(r) || p.covers("content-digest") {
			if err := checkContentDigest(r.Header, body); err != nil {
				return nil, err
			}
		}
		res.Scheme, res.KeyID = RFC9421, p.keyID
		verify = func(k crypto.PublicKey) (string, bool, error) {
			alg, err := v.rfcVerify(ctx, r, body, p, k)
			return alg, false, err
		}
	} else {
		sigs := r.Header.Values("Signature")
		switch len(sigs) {
		case 0:
			return nil, ErrNoSignature
		case 1:
		default:
			return nil, fmt.Errorf("%w: %d Signature headers", ErrMalformed, len(sigs))
		}
		p, err := parseCavage(sigs[0])
		if err != nil {
			return nil, err
		}
		if res.Created, err = v.cavageCheck(r, p); err != nil {
			return nil, err
		}
		if p.covers("digest") {
			if err := checkDigest(r.Header, body); err != nil {
				return nil, err
			}
		}
		res.Scheme, res.KeyID = Cavage, p.keyID
		verify = func(k crypto.PublicKey) (string, bool, error) { return cavageVerify(r, p, k) }
	}
	host, err := keyHost(res.KeyID)
	if err != nil {
		return nil, err
	}
	key, err := v.resolve(ctx, res.KeyID, host, false)
	if err != nil {
		return nil, err
	}
	res.Algorithm, res.QueryUnsigned, err = verify(key.PublicKey)
	if errors.Is(err, ErrBadSignature) && !key.Fresh && v.mayRefresh(host) {
		if key, err = v.resolve(ctx, res.KeyID, host, true); err != nil {
			return nil, err
		}
		res.Refreshed = true
		res.Algorithm, res.QueryUnsigned, err = verify(key.PublicKey)
	}
	if err != nil {
		return nil, err
	}
	res.Owner = key.Owner
	return res, nil
}

// KeyID returns the keyId a request's signature names, without
// verifying anything: the inbox checks domain blocks with it before any
// key is fetched.
func KeyID(r *http.Request) (string, error) {
	if _, ok := r.Header["Signature-Input"]; ok {
		p, err := parseRFC9421(r.Header)
		if err != nil {
			return "", err
		}
		return p.keyID, nil
	}
	sigs := r.Header.Values("Signature")
	if len(sigs) == 0 {
		return "", ErrNoSignature
	}
	if len(sigs) > 1 {
		return "", fmt.Errorf("%w: %d Signature headers", ErrMalformed, len(sigs))
	}
	p, err := parseCavage(sigs[0])
	if err != nil {
		return "", err
	}
	return p.keyID, nil
}

func (v *Verifier) resolve(ctx context.Context, keyID, host string, refresh bool) (Key, error) {
	key, err := v.keys.ResolveKey(ctx, keyID, refresh)
	if err != nil {
		return Key{}, fmt.Errorf("%w: %s: %w", ErrKeyUnavailable, keyID, err)
	}
	if key.PublicKey == nil || key.Owner == "" {
		return Key{}, fmt.Errorf("%w: %s: resolver returned no key or no owner", ErrKeyUnavailable, keyID)
	}
	ownerHost, err := keyHost(key.Owner)
	if err != nil || ownerHost != host {
		return Key{}, fmt.Errorf("%w: key %s, owner %s", ErrKeyOwner, keyID, key.Owner)
	}
	return key, nil
}

// keyHost returns the lower-cased host (with port) of an http(s) IRI.
func keyHost(iri string) (string, error) {
	if len(iri) > MaxKeyIDLength {
		return "", fmt.Errorf("%w: keyId longer than %d bytes", ErrMalformed, MaxKeyIDLength)
	}
	u, err := url.Parse(iri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fmt.Errorf("%w: %q is not an http(s) IRI", ErrMalformed, iri)
	}
	return strings.ToLower(u.Host), nil
}

// mayRefresh claims the refresh slot of host: true at most once per
// RefreshCooloff.
func (v *Verifier) mayRefresh(host string) bool {
	now := v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if last, ok := v.refreshed[host]; ok && now.Sub(last) < RefreshCooloff {
		return false
	}
	if len(v.refreshed) >= MaxCooloffHosts {
		for h, t := range v.refreshed {
			if now.Sub(t) >= RefreshCooloff {
				delete(v.refreshed, h)
			}
		}
		if len(v.refreshed) >= MaxCooloffHosts {
			return false
		}
	}
	v.refreshed[host] = now
	return true
}

// checkWindow applies the time rules: created at most MaxClockSkew in
// the future; expires (default created+DefaultExpiry, capped at
// created+MaxExpiry) at most MaxClockSkew in the past.
func (v *Verifier) checkWindow(created, expires time.Time) error {
	now := v.now()
	if created.After(now.Add(MaxClockSkew)) {
		return fmt.Errorf("%w: created %s, now %s", ErrClockSkew, created.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	if expires.IsZero() {
		expires = created.Add(DefaultExpiry)
	}
	if limit := created.Add(MaxExpiry); expires.After(limit) {
		expires = limit
	}
	if now.After(expires.Add(MaxClockSkew)) {
		return fmt.Errorf("%w: expired %s, now %s", ErrExpired, expires.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}
