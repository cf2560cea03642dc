package inbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
)

// MaxBodySize is the largest inbox POST body read, in bytes (1 MiB, the
// wire parser's MaxDocumentSize). A larger one is answered 413 before
// it is read (Content-Length) or when the limit is reached (chunked).
const MaxBodySize = wire.MaxDocumentSize

// Sentinel errors. A handler returns an error wrapping ErrRefused when
// the activity is not authorized (the inbox answers 403, forgets the
// activity id so that nothing is remembered of it).
var (
	ErrRefused = errors.New("inbox: activity refused")
)

// Verifier checks a request's HTTP signature: *httpsig.Verifier.
type Verifier interface {
	Verify(ctx context.Context, r *http.Request, body []byte) (*httpsig.Result, error)
}

// Fetcher dereferences an object from its origin: *safehttp.Client
// (FetchAS checks the content type and that the document's id is the
// final URL).
type Fetcher interface {
	FetchAS(ctx context.Context, rawURL string) (*safehttp.Document, error)
}

// Policy is the instance's federation policy (domain blocks and
// allow-list mode). Allowed reports whether host (lower case, with port
// when not default) may federate with us.
type Policy interface {
	Allowed(ctx context.Context, host string) (bool, error)
}

// Seen remembers the ids of received activities (dedupe, replay). The
// SQL table is inbox_seen(activity_id TEXT PRIMARY KEY, received_at).
type Seen interface {
	// Claim records id; false when it was already recorded.
	Claim(ctx context.Context, id string, at time.Time) (bool, error)
	// Release forgets id, after a handler refused or failed, so that
	// nothing is remembered of a refused activity and a failed one can be
	// retried by its sender.
	Release(ctx context.Context, id string) error
}

// Tombstones remembers deleted objects and actors, so that a late (or
// replayed) Create does not resurrect them. SQL table:
// inbox_tombstones(iri TEXT PRIMARY KEY, deleted_at).
type Tombstones interface {
	Tombstoned(ctx context.Context, iri string) (bool, error)
	AddTombstone(ctx context.Context, iri string, at time.Time) error
}

// Owners tells who owns an object this instance already stores: the
// IRI of its owner (an actor owns itself; an event is owned by its
// organizer), storage.ErrNotFound when the object is unknown.
type Owners interface {
	OwnerOf(ctx context.Context, iri string) (string, error)
	// ActsFor reports whether actor may Update or Delete (typ) an
	// object that owner owns, owner being a group: a member on a remote
	// group's own host (that instance applied its permission matrix), or
	// a remote member of a local group whose role allows it here.
	ActsFor(ctx context.Context, owner, actor, typ string) (bool, error)
}

// Config configures a Handler.
type Config struct {
	// BaseURL is this instance's origin ("https://events.example").
	// Required: objects on this host are never accepted from a remote.
	BaseURL string
	// Verifier checks signatures. Required.
	Verifier Verifier
	// Fetcher refetches objects from their origin. Required.
	Fetcher Fetcher
	// Parser reads activities. Required.
	Parser *wire.Parser
	// Policy applies domain blocks. Required.
	Policy Policy
	// Seen deduplicates activity ids. Required.
	Seen Seen
	// Tombstones remembers deletions. Required.
	Tombstones Tombstones
	// Owners answers who owns stored objects (Update/Delete). Required.
	Owners Owners
	// Handlers receive the activities that passed every check.
	Handlers Handlers
	// Suspended tells whether a moderator suspended an actor here
	// (identity.Service); its activities are refused (403). Optional.
	Suspended interface {
		ActorSuspendedByAPID(ctx context.Context, apID string) (bool, error)
	}
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Handler is the inbox: the shared inbox (/inbox) and every per-actor
// inbox (/@name/inbox) mount the same Handler. It is safe for concurrent
// use.
type Handler struct {
	cfg       Config
	localHost string
	now       func() time.Time
}

// New returns a Handler.
func New(cfg Config) (*Handler, error) {
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("inbox: Config.BaseURL %q is not an http(s) origin", cfg.BaseURL)
	}
	switch {
	case cfg.Verifier == nil:
		return nil, errors.New("inbox: Config.Verifier is required")
	case cfg.Fetcher == nil:
		return nil, errors.New("inbox: Config.Fetcher is required")
	case cfg.Parser == nil:
		return nil, errors.New("inbox: Config.Parser is required")
	case cfg.Policy == nil:
		return nil, errors.New("inbox: Config.Policy is required")
	case cfg.Seen == nil:
		return nil, errors.New("inbox: Config.Seen is required")
	case cfg.Tombstones == nil:
		return nil, errors.New("inbox: Config.Tombstones is required")
	case cfg.Owners == nil:
		return nil, errors.New("inbox: Config.Owners is required")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Handler{cfg: cfg, localHost: strings.ToLower(u.Host), now: now}, nil
}

// refusal is a pipeline outcome other than success: an HTTP status and
// why.
type refusal struct {
	status int
	reason string
}

func (r *refusal) Error() string { return fmt.Sprintf("%d %s", r.status, r.reason) }

func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status: status, reason: fmt.Sprintf(format, args...)}
}

// ServeHTTP runs the pipeline (see the package documentation) and
// answers 202 Accepted on success and for duplicates.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h.serve(w, r); err != nil {
		var rf *refusal
		if errors.As(err, &rf) {
			http.Error(w, rf.reason, rf.status)
			return
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (h *Handler) serve(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	// 1. Method, content type, size and depth: nothing costly yet.
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		return refuse(http.StatusMethodNotAllowed, "POST only")
	}
	if !acceptedContentType(r.Header.Get("Content-Type")) {
		return refuse(http.StatusUnsupportedMediaType, "not an ActivityStreams document")
	}
	if r.ContentLength > MaxBodySize {
		return refuse(http.StatusRequestEntityTooLarge, "body over %d bytes", MaxBodySize)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodySize))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return refuse(http.StatusRequestEntityTooLarge, "body over %d bytes", MaxBodySize)
		}
		return refuse(http.StatusBadRequest, "reading the body: %v", err)
	}
	if err := wire.CheckDocument(body); err != nil {
		return refuse(http.StatusBadRequest, "%v", err)
	}
	// 2. The signer's domain, before any key is fetched.
	keyID, err := httpsig.KeyID(r)
	if err != nil {
		return refuse(http.StatusUnauthorized, "signature: %v", err)
	}
	keyHost, err := hostOf(keyID)
	if err != nil {
		return refuse(http.StatusUnauthorized, "signature keyId: %v", err)
	}
	if err := h.allowed(ctx, keyHost); err != nil {
		return err
	}
	// 3. Signature, over the exact bytes read.
	res, err := h.cfg.Verifier.Verify(ctx, r, body)
	if err != nil {
		if errors.Is(err, httpsig.ErrKeyUnavailable) && h.goneSelfDelete(body, keyHost) {
			// A deleted actor's last Delete, signed with a key that is
			// gone: acknowledged so that its server stops retrying;
			// nothing is done (Mastodon, GoToSocial, PeerTube).
			return nil
		}
		return refuse(http.StatusUnauthorized, "signature: %v", err)
	}
	// 4. Parse.
	act, err := h.cfg.Parser.ParseActivity(body)
	if err != nil {
		return refuse(http.StatusBadRequest, "%v", err)
	}
	// 5. Origin and ownership.
	if err := h.checkOrigin(ctx, res, act); err != nil {
		return err
	}
	// 6. Domain policy over every IRI of the activity.
	for _, iri := range iris(act) {
		host, err := hostOf(iri)
		if err != nil {
			continue // not an http(s) IRI: nothing to fetch or block
		}
		if err := h.allowed(ctx, host); err != nil {
			return err
		}
	}
	// A remote actor a moderator suspended here is not heard.
	if h.cfg.Suspended != nil {
		suspended, err := h.cfg.Suspended.ActorSuspendedByAPID(ctx, act.Actor)
		if err != nil {
			return fmt.Errorf("inbox: suspension of %s: %w", act.Actor, err)
		}
		if suspended {
			return refuse(http.StatusForbidden, "%s is suspended here", act.Actor)
		}
	}
	// 7. Dedupe by activity id. Checked after the policy so that a
	// refused activity leaves nothing stored.
	now := h.now().UTC().Truncate(time.Microsecond)
	if act.ID != "" {
		fresh, err := h.cfg.Seen.Claim(ctx, act.ID, now)
		if err != nil {
			return fmt.Errorf("inbox: dedupe %s: %w", act.ID, err)
		}
		if !fresh {
			return nil
		}
	}
	// 8. Dispatch.
	in := &Activity{ParsedActivity: act, KeyID: res.KeyID, Body: body, ReceivedAt: now}
	if err := h.dispatch(ctx, in); err != nil {
		if act.ID != "" {
			if rerr := h.cfg.Seen.Release(ctx, act.ID); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		if errors.Is(err, ErrRefused) {
			return refuse(http.StatusForbidden, "%v", err)
		}
		return err
	}
	return nil
}

// goneSelfDelete reports whether body is an actor's Delete of itself,
// from the keyId's host.
func (h *Handler) goneSelfDelete(body []byte, keyHost string) bool {
	act, err := h.cfg.Parser.ParseActivity(body)
	if err != nil || act.Type != wire.TypeDelete || act.ObjectIRI == "" || !safehttp.SameIRI(act.Actor, act.ObjectIRI) {
		return false
	}
	host, err := hostOf(act.Actor)
	return err == nil && host == keyHost
}

func (h *Handler) allowed(ctx context.Context, host string) error {
	if host == h.localHost {
		return nil
	}
	ok, err := h.cfg.Policy.Allowed(ctx, host)
	if err != nil {
		return fmt.Errorf("inbox: domain policy %s: %w", host, err)
	}
	if !ok {
		return refuse(http.StatusForbidden, "domain %s is not allowed to federate", host)
	}
	return nil
}

// acceptedContentType: application/activity+json, application/ld+json
// with the ActivityStreams profile, or application/json (sent by some
// servers).
func acceptedContentType(ct string) bool {
	if safehttp.IsASContentType(ct) {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// hostOf returns the lower-cased host[:port] of an absolute http(s) IRI.
func hostOf(iri string) (string, error) {
	u, err := url.Parse(iri)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", errors.New("not an absolute http(s) IRI")
	}
	host := strings.ToLower(u.Host)
	host = strings.TrimSuffix(host, ":443")
	if u.Scheme == "http" {
		host = strings.TrimSuffix(host, ":80")
	}
	return host, nil
}
