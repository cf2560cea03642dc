package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// Limits and times.
const (
	// DefaultMaxAge is how long a fetched actor is fresh when
	// Config.MaxAge is zero (Mastodon refreshes accounts daily).
	DefaultMaxAge = 24 * time.Hour
	// FailureCooloff is how long a stale actor whose refetch failed for a
	// transient reason is served without trying its origin again.
	FailureCooloff = 10 * time.Minute
	// MaxIRILength bounds an actor IRI or keyId.
	MaxIRILength = wire.MaxIRILength
	// MaxUsernameLength bounds the user part of a handle (the longest
	// preferredUsername identity stores).
	MaxUsernameLength = identity.MaxRemoteUsernameLength
	// MaxHostLength bounds the host name of a handle, port excluded.
	MaxHostLength = safehttp.MaxHostLength
	// MaxHandleLength bounds a whole handle: "acct:", the user, "@", the
	// host and a port.
	MaxHandleLength = len("acct:") + MaxUsernameLength + 1 + MaxHostLength + len(":65535")
	// MaxKeyOwners bounds the keyId → owner pairs remembered for keyIds
	// without fragment; when full, the memory is cleared.
	MaxKeyOwners = 10000
	// MaxFailures bounds the IRIs remembered for FailureCooloff; when
	// full, expired ones are dropped, then all.
	MaxFailures = 10000
)

// Errors. Test them with errors.Is; the underlying cause (a
// *safehttp.StatusError, safehttp.ErrIDMismatch, a wire or identity
// validation error...) is wrapped too.
var (
	// ErrBadIRI: an actor IRI or keyId that is not an absolute http(s)
	// IRI (https only unless Config.Scheme is http), has userinfo, is too
	// long, or (actor IRIs) has a fragment.
	ErrBadIRI = errors.New("resolve: bad IRI")
	// ErrBadHandle: a handle that is not user@host (see ParseHandle).
	ErrBadHandle = errors.New("resolve: bad handle")
	// ErrBlocked: the domain policy refuses the host; nothing was
	// fetched.
	ErrBlocked = errors.New("resolve: domain blocked")
	// ErrNotFound: the origin answered 404, WebFinger has no
	// ActivityPub actor for the handle, or a local actor does not
	// exist. It wraps storage.ErrNotFound.
	ErrNotFound error = &wrapped{"resolve: not found", storage.ErrNotFound}
	// ErrGone: the origin answered 410 Gone: the actor was deleted.
	ErrGone = errors.New("resolve: gone")
	// ErrMismatch: documents do not agree: a fetched id that is not the
	// IRI asked for, a publicKey.owner that is not the actor, a key
	// owner on another host than the keyId, an actor that does not list
	// the keyId, or a handle whose loop-back WebFinger check fails.
	ErrMismatch = errors.New("resolve: mismatch")
)

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// Fetcher makes the outbound requests: a *safehttp.Client, wrapped so
// that GETs are signed by the instance actor.
type Fetcher interface {
	// FetchAS fetches an actor document.
	FetchAS(ctx context.Context, rawURL string) (*safehttp.Document, error)
	// Do sends WebFinger requests (JRD, not AS2) and fetches key
	// documents (whose id may be their owner's, see the package doc).
	Do(req *http.Request) (*http.Response, error)
}

// Actors stores actors: *identity.Service.
type Actors interface {
	GetActorByAPID(ctx context.Context, apID string) (*identity.Actor, error)
	PutRemoteActor(ctx context.Context, a *identity.Actor) (*identity.Actor, error)
}

// LocalActors is optionally implemented by Actors (*identity.Service
// does): ResolveHandle then finds this instance's actors by username,
// case-insensitively. Without it, user@thishost is looked up as
// BaseURL/@user.
type LocalActors interface {
	GetLocalActor(ctx context.Context, username string) (*identity.Actor, error)
}

// Policy is the instance's federation policy, as inbox.Policy: Allowed
// reports whether host (lower case, with the port when not the default)
// may federate with us.
type Policy interface {
	Allowed(ctx context.Context, host string) (bool, error)
}

// Config configures a Resolver.
type Config struct {
	// BaseURL is this instance's origin ("https://events.example"): its
	// actors are never fetched, only read from Actors. Required.
	BaseURL string
	// Fetcher makes the requests. Required.
	Fetcher Fetcher
	// Actors stores the actors. Required.
	Actors Actors
	// Parser reads actor and WebFinger documents. Required.
	Parser *wire.Parser
	// Policy applies domain blocks before any fetch; nil allows every
	// host.
	Policy Policy
	// MaxAge is how long a fetched actor is fresh; zero means
	// DefaultMaxAge.
	MaxAge time.Duration
	// Scheme is the scheme of outbound requests: "https" (the default
	// for "") fetches only https IRIs and WebFingers over https; "http"
	// also fetches http IRIs and WebFingers over http (tests, loopback
	// deployments).
	Scheme string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Key memo limits: every signed request names a key, and reading the
// actor and parsing its PEM for each was a fifth of a verification.
const (
	// KeyMemoTTL is how long a resolved key is used from memory. A
	// signature that fails with it makes the verifier refresh the key
	// (at most once per host and httpsig.RefreshCooloff), so a rotated
	// key is picked up at once.
	KeyMemoTTL = 5 * time.Minute
	// MaxKeyMemo bounds the keys kept; past it the memo starts afresh.
	MaxKeyMemo = 10_000
)

type keyMemo struct {
	key httpsig.Key
	at  time.Time
}

// Resolver resolves actors, keys and handles. It is safe for concurrent
// use.
type Resolver struct {
	cfg        Config
	host       string // this instance's host[:port], lower case
	baseScheme string // BaseURL's scheme
	now        func() time.Time
	maxAge     time.Duration

	flight flight

	mu        sync.Mutex
	keys      map[string]keyMemo   // keyId → key resolved lately
	keyOwners map[string]string    // keyId without fragment → owner IRI
	failed    map[string]time.Time // IRI → last transient refetch failure
}

// New returns a Resolver.
func New(cfg Config) (*Resolver, error) {
	switch {
	case cfg.Fetcher == nil:
		return nil, errors.New("resolve: Config.Fetcher is required")
	case cfg.Actors == nil:
		return nil, errors.New("resolve: Config.Actors is required")
	case cfg.Parser == nil:
		return nil, errors.New("resolve: Config.Parser is required")
	case cfg.MaxAge < 0:
		return nil, errors.New("resolve: negative Config.MaxAge")
	}
	switch cfg.Scheme {
	case "":
		cfg.Scheme = "https"
	case "http", "https":
	default:
		return nil, fmt.Errorf("resolve: Config.Scheme %q is not http or https", cfg.Scheme)
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("resolve: Config.BaseURL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = DefaultMaxAge
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.BaseURL = strings.TrimSuffix(u.Scheme+"://"+u.Host, "/")
	return &Resolver{
		cfg:        cfg,
		host:       hostOf(u),
		baseScheme: u.Scheme,
		now:        cfg.Now,
		maxAge:     cfg.MaxAge,
		flight:     flight{m: map[string]*call{}},
		keyOwners:  map[string]string{},
		keys:       map[string]keyMemo{},
		failed:     map[string]time.Time{},
	}, nil
}

// ResolveActor returns the actor of iri: the stored copy while it is
// younger than MaxAge, otherwise the document fetched from its origin,
// parsed and stored. A stale copy is returned when the refetch fails for
// a transient reason; a 404 or 410 fails with ErrNotFound or ErrGone.
// Actors of this instance are read from the store only.
func (r *Resolver) ResolveActor(ctx context.Context, iri string) (*identity.Actor, error) {
	a, _, err := r.actor(ctx, iri, false)
	return a, err
}

// RefreshActor fetches the actor of iri from its origin and stores it,
// whatever the age of the stored copy; if the fetch fails, so does
// RefreshActor. Actors of this instance are read from the store.
func (r *Resolver) RefreshActor(ctx context.Context, iri string) (*identity.Actor, error) {
	a, _, err := r.actor(ctx, iri, true)
	return a, err
}

// actor resolves iri; force fetches whatever the cache holds. fresh
// reports that the actor was fetched for this call.
func (r *Resolver) actor(ctx context.Context, iri string, force bool) (a *identity.Actor, fresh bool, err error) {
	u, err := r.parseIRI(iri)
	if err != nil {
		return nil, false, err
	}
	if u.Fragment != "" || u.RawFragment != "" || strings.HasSuffix(iri, "#") {
		return nil, false, fmt.Errorf("%w: actor IRI %q has a fragment", ErrBadIRI, iri)
	}
	host := hostOf(u)
	if host == r.host {
		a, err := r.cfg.Actors.GetActorByAPID(ctx, iri)
		if err != nil {
			return nil, false, notFound("local actor "+iri, err)
		}
		return a, false, nil
	}
	if err := r.allowed(ctx, host); err != nil {
		return nil, false, err
	}
	var stale *identity.Actor
	if !force {
		a, err := r.cfg.Actors.GetActorByAPID(ctx, iri)
		switch {
		case err == nil:
			if a.Local || r.now().Sub(a.FetchedAt) < r.maxAge {
				return a, false, nil
			}
			if r.recentlyFailed(iri) {
				return a, false, nil
			}
			stale = a
		case !errors.Is(err, storage.ErrNotFound):
			return nil, false, fmt.Errorf("resolve: actor %s: %w", iri, err)
		}
	}
	a, err = r.flight.do(ctx, iri, func() (*identity.Actor, error) { return r.fetchActor(ctx, iri) })
	if err != nil {
		if stale != nil && transient(err) {
			r.markFailed(iri)
			return stale, false, nil
		}
		return nil, false, err
	}
	return a, true, nil
}

// fetchActor fetches, parses and stores the actor iri.
func (r *Resolver) fetchActor(ctx context.Context, iri string) (*identity.Actor, error) {
	doc, err := r.cfg.Fetcher.FetchAS(ctx, iri)
	if err != nil {
		return nil, fetchErr(iri, err)
	}
	if doc.ID != iri {
		return nil, fmt.Errorf("%w: fetched %s, got the document %s", ErrMismatch, iri, doc.ID)
	}
	return r.storeActor(ctx, iri, doc.Body)
}

// storeActor parses an actor document fetched from iri and stores it.
func (r *Resolver) storeActor(ctx context.Context, iri string, body []byte) (*identity.Actor, error) {
	pa, err := r.cfg.Parser.ParseActor(body)
	if err != nil {
		return nil, fmt.Errorf("resolve: actor %s: %w", iri, err)
	}
	if pa.Actor.APID != iri {
		return nil, fmt.Errorf("%w: fetched %s, got the actor %s", ErrMismatch, iri, pa.Actor.APID)
	}
	if pa.KeyOwner != "" && pa.KeyOwner != iri {
		return nil, fmt.Errorf("%w: actor %s publishes a key owned by %s", ErrMismatch, iri, pa.KeyOwner)
	}
	a := pa.Actor
	a.ID, a.Local, a.PrivateKeyPEM = "", false, ""
	stored, err := r.cfg.Actors.PutRemoteActor(ctx, &a)
	if err != nil {
		return nil, fmt.Errorf("resolve: store actor %s: %w", iri, err)
	}
	return stored, nil
}

// allowed asks the policy about a remote host.
func (r *Resolver) allowed(ctx context.Context, host string) error {
	if r.cfg.Policy == nil || host == r.host {
		return nil
	}
	ok, err := r.cfg.Policy.Allowed(ctx, host)
	if err != nil {
		return fmt.Errorf("resolve: domain policy %s: %w", host, err)
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrBlocked, host)
	}
	return nil
}

// parseIRI checks an actor IRI or keyId: absolute http(s) (https only
// under Scheme https), a host, no userinfo, at most MaxIRILength.
func (r *Resolver) parseIRI(iri string) (*url.URL, error) {
	if len(iri) > MaxIRILength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrBadIRI, MaxIRILength)
	}
	u, err := url.Parse(iri)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrBadIRI, iri, err)
	}
	switch {
	case u.Scheme != "https" && !(u.Scheme == "http" && r.cfg.Scheme == "http"):
		return nil, fmt.Errorf("%w: %q is not an %s IRI", ErrBadIRI, iri, r.cfg.Scheme)
	case u.Host == "" || u.Hostname() == "" || u.Opaque != "":
		return nil, fmt.Errorf("%w: %q has no host", ErrBadIRI, iri)
	case u.User != nil:
		return nil, fmt.Errorf("%w: %q has userinfo", ErrBadIRI, iri)
	}
	return u, nil
}

// hostOf returns host[:port] in lower case, without the scheme's
// default port: the form Policy and identity use.
func hostOf(u *url.URL) string {
	host := strings.ToLower(u.Host)
	switch u.Scheme {
	case "https":
		host = strings.TrimSuffix(host, ":443")
	case "http":
		host = strings.TrimSuffix(host, ":80")
	}
	return host
}

// fetchErr classifies a fetch error: 404 → ErrNotFound, 410 → ErrGone,
// an id that is not the URL → ErrMismatch.
func fetchErr(iri string, err error) error {
	var se *safehttp.StatusError
	switch {
	case errors.As(err, &se) && se.StatusCode == http.StatusGone:
		return fmt.Errorf("resolve: fetch %s: %w: %w", iri, ErrGone, err)
	case errors.As(err, &se) && se.StatusCode == http.StatusNotFound:
		return fmt.Errorf("resolve: fetch %s: %w: %w", iri, ErrNotFound, err)
	case errors.Is(err, safehttp.ErrIDMismatch):
		return fmt.Errorf("resolve: fetch %s: %w: %w", iri, ErrMismatch, err)
	}
	return fmt.Errorf("resolve: fetch %s: %w", iri, err)
}

// notFound wraps a store lookup error, as ErrNotFound when it is one.
func notFound(what string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("resolve: %s: %w: %w", what, ErrNotFound, err)
	}
	return fmt.Errorf("resolve: %s: %w", what, err)
}

// transient reports whether a failed refetch may fall back to a stale
// copy: not when the origin answered (other than 408, 429, 5xx), nor
// when its document was invalid, nor when the caller gave up.
func transient(err error) bool {
	var se *safehttp.StatusError
	if errors.As(err, &se) {
		return se.StatusCode == http.StatusRequestTimeout || se.StatusCode == http.StatusTooManyRequests || se.StatusCode >= 500
	}
	for _, target := range []error{
		ErrMismatch, ErrBlocked, wire.ErrInvalid, identity.ErrInvalid, safehttp.ErrMalformed,
		safehttp.ErrIDMismatch, safehttp.ErrBadURL, context.Canceled,
	} {
		if errors.Is(err, target) {
			return false
		}
	}
	return true
}

func (r *Resolver) recentlyFailed(iri string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	t, ok := r.failed[iri]
	return ok && r.now().Sub(t) < FailureCooloff
}

func (r *Resolver) markFailed(iri string) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.failed) >= MaxFailures {
		for k, t := range r.failed {
			if now.Sub(t) >= FailureCooloff {
				delete(r.failed, k)
			}
		}
		if len(r.failed) >= MaxFailures {
			clear(r.failed)
		}
	}
	r.failed[iri] = now
}

// flight makes concurrent fetches of one IRI once.
type flight struct {
	mu sync.Mutex
	m  map[string]*call
}

type call struct {
	done chan struct{}
	a    *identity.Actor
	err  error
	dups int // callers that joined, for tests
}

// do runs fn once for concurrent callers with the same key. The others
// wait for it, or for their own context to end; each gets its own copy
// of the actor.
func (f *flight) do(ctx context.Context, key string, fn func() (*identity.Actor, error)) (*identity.Actor, error) {
	f.mu.Lock()
	if c, ok := f.m[key]; ok {
		c.dups++
		f.mu.Unlock()
		select {
		case <-c.done:
			if c.err != nil {
				return nil, c.err
			}
			cp := *c.a
			return &cp, nil
		case <-ctx.Done():
			return nil, fmt.Errorf("resolve: waiting for %s: %w", key, ctx.Err())
		}
	}
	c := &call{done: make(chan struct{})}
	f.m[key] = c
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		delete(f.m, key)
		f.mu.Unlock()
		if c.a == nil && c.err == nil {
			c.err = fmt.Errorf("resolve: fetch of %s panicked", key)
		}
		close(c.done)
	}()
	c.a, c.err = fn()
	if c.err == nil && c.a == nil {
		c.err = fmt.Errorf("resolve: fetch of %s returned no actor", key)
	}
	if c.err != nil {
		return nil, c.err
	}
	cp := *c.a
	return &cp, nil
}
