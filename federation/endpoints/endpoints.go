package endpoints

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/storage"
)

// Limits and page sizes.
const (
	// PageSize is the number of items of one collection page.
	PageSize = 20
	// MaxPage is the highest collection page served; later pages are 404.
	// Numbered pages are found by scanning from the start, so this bounds
	// the cost of one request.
	MaxPage = 100
	// MaxCollectionItems bounds what one outbox or events collection
	// reads (and counts): an actor with more public events shows its
	// first MaxCollectionItems, in order of beginning.
	MaxCollectionItems = 2000
	// MaxFollowScan bounds how many follows (or members) one request
	// reads to count a followers, following or members collection; the
	// stores have no count method for follows yet.
	MaxFollowScan = 100_000
	// MaxResourceLength bounds a WebFinger resource (SECURITY.md #50).
	MaxResourceLength = 1024
)

// Identity is what the endpoints read of identities; *identity.Service
// satisfies it. Missing rows are errors matching storage.ErrNotFound.
type Identity interface {
	GetLocalActor(ctx context.Context, username string) (*identity.Actor, error)
	GetActor(ctx context.Context, id string) (*identity.Actor, error)
	GetActorByAPID(ctx context.Context, apID string) (*identity.Actor, error)
	InstanceActor(ctx context.Context) (*identity.Actor, error)
	GetProfile(ctx context.Context, profileID string) (*identity.Profile, error)
	GetAccount(ctx context.Context, accountID string) (*identity.Account, error)
	Followers(ctx context.Context, actorID string, after storage.Cursor, limit int) ([]identity.Follow, storage.Cursor, error)
	Following(ctx context.Context, actorID string, after storage.Cursor, limit int) ([]identity.Follow, storage.Cursor, error)
}

// Groups is what the endpoints read of groups; *groups.Service satisfies
// it. Authorize answers an error matching groups.ErrForbidden for
// non-members.
type Groups interface {
	Get(ctx context.Context, groupID string) (*groups.Group, error)
	Authorize(ctx context.Context, groupID, actorID string, p groups.Permission) error
	Members(ctx context.Context, groupID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, storage.Cursor, error)
}

// Events is what the endpoints read through the events service;
// *events.Service satisfies it. Get applies the visibility rules: an
// event viewerID may not see is an error matching events.ErrNotFound.
type Events interface {
	Get(ctx context.Context, viewerID, eventID string) (*events.Event, error)
	// Occurrences expands an event into its occurrences beginning in
	// [from, to), at most limit.
	Occurrences(e *events.Event, from, to time.Time, limit int) []events.Occurrence
}

// Store is what the endpoints read straight from storage, for counts and
// listings the services do not offer; convene.Store (every backend)
// satisfies it.
type Store interface {
	CountMembers(ctx context.Context, groupID string, roles []groups.Role) (int, error)
	CountParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole) (int, error)
	FindEvents(ctx context.Context, q events.StoreQuery) ([]events.Event, error)
	FindSeries(ctx context.Context, q events.StoreQuery) ([]events.Event, error)
}

// Verifier verifies the HTTP signature of a signed fetch;
// *httpsig.Verifier satisfies it. For a GET the body is nil.
type Verifier interface {
	Verify(ctx context.Context, r *http.Request, body []byte) (*httpsig.Result, error)
}

// Tombstones knows deleted objects. Tombstone returns the tombstone of
// the object (actor or event) whose ActivityPub id is apID, or an error
// matching storage.ErrNotFound when it knows of no deletion. The domain
// keeps no tombstones yet: until one is configured, deleted objects
// answer 404 instead of 410.
type Tombstones interface {
	Tombstone(ctx context.Context, apID string) (*wire.Tombstone, error)
}

// Software describes the running software in NodeInfo.
type Software struct {
	// Name matches ^[a-z0-9-]+$; "" means "convene".
	Name string
	// Version; "" means "dev".
	Version string
	// Repository and Homepage are URLs (NodeInfo 2.1 only); optional.
	Repository, Homepage string
}

// Config configures the endpoints.
type Config struct {
	// BaseURL is the instance's public URL, such as
	// "https://events.example"; required. Every id and link is built
	// from it, whatever path the handlers are mounted on.
	BaseURL  string
	Identity Identity // required
	Groups   Groups   // required
	Events   Events   // required
	Store    Store    // required

	// Content enables the documents of groups' content (ContentDocuments)
	// and the groups' discussions, resources, posts and todos
	// collections. Optional: nil answers 404 there.
	Content Content

	// Verifier checks signed fetches of private objects and of members
	// collections. Optional: nil treats every fetch as anonymous (and
	// ignores signatures).
	Verifier Verifier
	// Tombstones lets deleted actors and events answer 410 Gone with a
	// Tombstone. Optional: nil answers 404.
	Tombstones Tombstones
	// Usage gives NodeInfo's usage numbers. Optional: nil publishes
	// none (FEP-0151: no false usage).
	Usage UsageSource
	// HTML serves the HTML pages of actors and events to clients that do
	// not ask for ActivityStreams. Optional: nil answers 406 to them.
	HTML http.Handler
	// Software is what NodeInfo says runs here.
	Software Software
	// OpenRegistrations is NodeInfo's openRegistrations.
	OpenRegistrations bool
	// NodeName and NodeDescription are NodeInfo metadata; optional.
	NodeName, NodeDescription string
	// SubscribeTemplate is the WebFinger ostatus subscribe template
	// (remote follow); "" means BaseURL + "/interact?uri={uri}", which
	// the HTML application should serve.
	SubscribeTemplate string
	// Log receives errors that answer 500; nil discards them.
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

var softwareName = regexp.MustCompile(`^[a-z0-9-]+$`)

// Endpoints holds the handlers. Each is an http.Handler that takes
// what it needs from the request (path values, or the last path
// segments) and the ids from Config.BaseURL: see the handler types for
// their paths, and the package example for a ServeMux.
type Endpoints struct {
	WebFinger *WebFinger
	HostMeta  *HostMeta
	NodeInfo  *NodeInfo
	Actors    *Actors
	Instance  *InstanceActor
	Events    *EventDocuments
	Content   *ContentDocuments
}

// core is what every handler shares.
type core struct {
	cfg  Config
	base string
	host string
	now  func() time.Time
	log  *slog.Logger
}

// New checks cfg and returns the handlers.
func New(cfg Config) (*Endpoints, error) {
	switch {
	case cfg.Identity == nil:
		return nil, errors.New("endpoints: Config.Identity is required")
	case cfg.Groups == nil:
		return nil, errors.New("endpoints: Config.Groups is required")
	case cfg.Events == nil:
		return nil, errors.New("endpoints: Config.Events is required")
	case cfg.Store == nil:
		return nil, errors.New("endpoints: Config.Store is required")
	}
	base, host, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("endpoints: Config.%w", err)
	}
	if cfg.Software.Name == "" {
		cfg.Software.Name = "convene"
	}
	if !softwareName.MatchString(cfg.Software.Name) {
		return nil, fmt.Errorf("endpoints: Config.Software.Name %q must match ^[a-z0-9-]+$", cfg.Software.Name)
	}
	if cfg.Software.Version == "" {
		cfg.Software.Version = "dev"
	}
	if cfg.SubscribeTemplate == "" {
		cfg.SubscribeTemplate = base + "/interact?uri={uri}"
	}
	c := &core{cfg: cfg, base: base, host: host, now: cfg.Now, log: cfg.Log}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	return &Endpoints{
		WebFinger: &WebFinger{c},
		HostMeta:  &HostMeta{c},
		NodeInfo:  &NodeInfo{c},
		Actors:    &Actors{c},
		Instance:  &InstanceActor{c},
		Events:    &EventDocuments{c},
		Content:   &ContentDocuments{c},
	}, nil
}

// clock returns now, truncated like every stored time.
func (c *core) clock() time.Time { return c.now().UTC().Truncate(time.Microsecond) }

// fail answers an internal error with 500 and logs it.
func (c *core) fail(w http.ResponseWriter, r *http.Request, err error) {
	c.log.ErrorContext(r.Context(), "federation endpoint", "path", r.URL.Path, "err", err)
	http.Error(w, "internal error", http.StatusInternalServerError)
}

// notFound reports whether err means a missing (or hidden) object.
func notFound(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, events.ErrNotFound) || errors.Is(err, identity.ErrNotFound)
}

// writeDoc writes an ActivityStreams document.
func writeDoc(w http.ResponseWriter, status int, doc []byte) {
	h := w.Header()
	h.Set("Content-Type", wire.ContentType)
	h.Set("Content-Length", strconv.Itoa(len(doc)))
	w.WriteHeader(status)
	_, _ = w.Write(doc)
}

// serveAS2 writes o as an ActivityStreams document with status.
func (c *core) serveAS2(w http.ResponseWriter, r *http.Request, status int, o wire.Object) {
	doc, err := wire.Marshal(o)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	writeDoc(w, status, doc)
}

// gone answers 410 with the object's tombstone when Config.Tombstones
// knows of its deletion, and reports whether it did.
func (c *core) gone(w http.ResponseWriter, r *http.Request, apID string) bool {
	if c.cfg.Tombstones == nil {
		return false
	}
	t, err := c.cfg.Tombstones.Tombstone(r.Context(), apID)
	if err != nil || t == nil {
		if err != nil && !notFound(err) {
			c.log.ErrorContext(r.Context(), "tombstone lookup", "id", apID, "err", err)
		}
		return false
	}
	c.serveAS2(w, r, http.StatusGone, *t)
	return true
}

// wantsAS2 reports whether the Accept header asks for ActivityStreams
// (application/activity+json, or application/ld+json with no profile
// or the ActivityStreams one) at least as much as for text/html.
func wantsAS2(accept string) bool {
	var as2, html float64 = -1, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		switch mt {
		case "application/activity+json":
			as2 = max(as2, q)
		case "application/ld+json":
			if p, ok := params["profile"]; !ok || strings.Contains(" "+p+" ", " "+wire.ActivityStreamsNS+" ") {
				as2 = max(as2, q)
			}
		case "text/html":
			html = max(html, q)
		}
	}
	return as2 > 0 && as2 >= html
}

// negotiate serves the AS2 document through as2 or falls through to
// Config.HTML (406 when there is none). It reports nothing: the
// response is written.
func (c *core) negotiate(w http.ResponseWriter, r *http.Request, as2 func()) {
	if wantsAS2(r.Header.Get("Accept")) {
		w.Header().Add("Vary", "Accept")
		as2()
		return
	}
	c.html(w, r)
}

// html falls through to Config.HTML (406 when there is none). The HTML
// application does its own lookups and access control (sessions): a
// private event may be visible to a logged-in browser.
func (c *core) html(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Accept")
	if c.cfg.HTML == nil {
		http.Error(w, "only ActivityStreams ("+wire.ContentType+") is served here", http.StatusNotAcceptable)
		return
	}
	c.cfg.HTML.ServeHTTP(w, r)
}

// errUnauthorized: a signature is present and does not verify.
var errUnauthorized = errors.New("endpoints: bad signature")

// viewer returns the storage id of the actor that signed r ("" for an
// unsigned fetch, a signer we do not know, or no Config.Verifier), or
// errUnauthorized when the signature does not verify.
func (c *core) viewer(r *http.Request) (string, error) {
	if c.cfg.Verifier == nil {
		return "", nil
	}
	if r.Header.Get("Signature") == "" && r.Header.Get("Signature-Input") == "" {
		return "", nil
	}
	res, err := c.cfg.Verifier.Verify(r.Context(), r, nil)
	if err != nil {
		return "", fmt.Errorf("%w: %w", errUnauthorized, err)
	}
	a, err := c.cfg.Identity.GetActorByAPID(r.Context(), res.Owner)
	switch {
	case err == nil:
		return a.ID, nil
	case notFound(err):
		return "", nil
	default:
		return "", err
	}
}

// viewerOr401 is viewer, answering 401 or 500 itself; ok is false when
// it did.
func (c *core) viewerOr401(w http.ResponseWriter, r *http.Request) (string, bool) {
	id, err := c.viewer(r)
	switch {
	case errors.Is(err, errUnauthorized):
		http.Error(w, "signature does not verify", http.StatusUnauthorized)
		return "", false
	case err != nil:
		c.fail(w, r, err)
		return "", false
	}
	return id, true
}
