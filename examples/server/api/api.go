package api

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// Limits and names of the API.
const (
	// Prefix is the path under which the API is served.
	Prefix = "/api/v1"
	// MaxBodyBytes is the largest request body accepted (413 above).
	MaxBodyBytes = 256 << 10
	// MaxPageSize is the largest "limit" of a list.
	MaxPageSize = 200
	// ProfileHeader names the acting profile when the body does not.
	ProfileHeader = "X-Convene-Profile"
	// DefaultSessionLabel labels a session whose login gave no label.
	DefaultSessionLabel = "api"
)

// Follower makes a local profile follow a remote actor given by its
// handle ("@user@host"). convene.Federation implements it.
type Follower interface {
	Follow(ctx context.Context, followerID, handle string) (*identity.Follow, error)
	// JoinGroup asks to join a group by handle, local or remote.
	JoinGroup(ctx context.Context, actorID, handle string) (*groups.Member, error)
}

// Config configures an API.
type Config struct {
	// Instance holds the identity, groups and events services. Required.
	Instance *convene.Instance
	// Follows serves POST /api/v1/follows; nil (or a nil pointer) makes
	// it answer 501, as on an instance without federation.
	Follows Follower
	// BaseURL is the instance's public URL, for the links in responses
	// (Location headers, private feed URLs). "" means the identity
	// service's.
	BaseURL string
	// MessageLimit bounds the private messages of each account
	// (conversations); nil makes one of MessageBurst per MessageRefill.
	// A server that also serves the web UI passes the same limiter to
	// both (web.Config.MessageLimit), so that an account has one budget
	// whichever way it writes.
	MessageLimit Limiter
	// Now is the clock of the login rate limit; nil means time.Now.
	Now func() time.Time
	// Log receives server errors (5xx); nil discards them.
	Log *slog.Logger
}

// API is the JSON API: an http.Handler for the paths under Prefix.
type API struct {
	inst    *convene.Instance
	follows Follower
	base    string
	log     *slog.Logger
	logins  *ratelimit.Limiter
	// messages bounds the private messages of an account.
	messages Limiter

	mux     *http.ServeMux // the routes
	paths   *http.ServeMux // each route's path, any method: tells 405 from 404
	methods map[string][]string
	routes  []Route
}

// Route is one method and path pattern served (Go ServeMux syntax, as
// in the OpenAPI document: /api/v1/events/{id}).
type Route struct {
	Method string
	Path   string
}

// access says who may call a route.
type access int

const (
	anyone   access = iota // anonymous callers too (a token, if sent, must be valid)
	signedIn               // a valid bearer token
)

// handler serves one route; a returned error becomes the error response.
type handler func(w http.ResponseWriter, r *http.Request, c *caller) error

type route struct {
	method, path string
	access       access
	h            handler
}

// New returns an API. It refuses a Config without Instance.
func New(cfg Config) (*API, error) {
	if cfg.Instance == nil || cfg.Instance.Identity == nil || cfg.Instance.Events == nil || cfg.Instance.Groups == nil ||
		cfg.Instance.Conversations == nil {
		return nil, errors.New("api: Config.Instance with Identity, Events, Groups and Conversations is required")
	}
	a := &API{
		inst:    cfg.Instance,
		follows: cfg.Follows,
		base:    strings.TrimSuffix(cfg.BaseURL, "/"),
		log:     cfg.Log,
		mux:     http.NewServeMux(),
		paths:   http.NewServeMux(),
		methods: map[string][]string{},
	}
	if isNil(a.follows) {
		a.follows = nil
	}
	if a.base == "" {
		a.base = a.inst.Identity.BaseURL()
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	a.logins = ratelimit.New(now, LoginBurst, LoginRefill, MaxLoginKeys)
	a.messages = cfg.MessageLimit
	if a.messages == nil {
		a.messages = ratelimit.New(now, MessageBurst, MessageRefill, MaxLoginKeys)
	}
	for _, rt := range a.table() {
		a.mux.HandleFunc(rt.method+" "+rt.path, a.serve(rt))
		if _, ok := a.methods[rt.path]; !ok {
			a.paths.HandleFunc(rt.path, func(http.ResponseWriter, *http.Request) {})
		}
		a.methods[rt.path] = append(a.methods[rt.path], rt.method)
		a.routes = append(a.routes, Route{Method: rt.method, Path: rt.path})
	}
	a.mux.HandleFunc("/", a.unrouted)
	return a, nil
}

// isNil reports whether f is nil or a nil pointer in an interface.
func isNil(f Follower) bool {
	if f == nil {
		return true
	}
	v := reflect.ValueOf(f)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// table is every route of the API.
func (a *API) table() []route {
	p := Prefix
	return []route{
		{"POST", p + "/sessions", anyone, a.login},
		{"GET", p + "/sessions", signedIn, a.listSessions},
		{"DELETE", p + "/sessions", signedIn, a.logout},
		{"DELETE", p + "/sessions/{id}", signedIn, a.revokeSession},
		{"GET", p + "/me", signedIn, a.me},

		{"GET", p + "/profiles", signedIn, a.listProfiles},
		{"POST", p + "/profiles", signedIn, a.createProfile},
		{"GET", p + "/profiles/{id}", anyone, a.getProfile},
		{"PATCH", p + "/profiles/{id}", signedIn, a.updateProfile},

		{"GET", p + "/events", anyone, a.searchEvents},
		{"POST", p + "/events", signedIn, a.createEvent},
		{"GET", p + "/events/{id}", anyone, a.getEvent},
		{"PATCH", p + "/events/{id}", signedIn, a.updateEvent},
		{"DELETE", p + "/events/{id}", signedIn, a.deleteEvent},
		{"GET", p + "/events/{id}/participation", signedIn, a.getParticipation},
		{"POST", p + "/events/{id}/participation", signedIn, a.join},
		{"DELETE", p + "/events/{id}/participation", signedIn, a.leave},
		{"GET", p + "/events/{id}/participants", signedIn, a.listParticipants},
		{"POST", p + "/participants/{id}/approve", signedIn, a.approve},
		{"POST", p + "/participants/{id}/reject", signedIn, a.reject},
		{"GET", p + "/events/{id}/comments", anyone, a.listComments},
		{"POST", p + "/events/{id}/comments", signedIn, a.createComment},
		{"DELETE", p + "/comments/{id}", signedIn, a.deleteComment},

		{"GET", p + "/conversations", signedIn, a.listConversations},
		{"GET", p + "/conversations/{id}", signedIn, a.getConversation},
		{"POST", p + "/conversations/{id}/messages", signedIn, a.replyConversation},
		{"POST", p + "/conversations/{id}/read", signedIn, a.markConversationRead},
		{"GET", p + "/events/{id}/conversations", signedIn, a.listEventConversations},
		{"POST", p + "/events/{id}/conversations", signedIn, a.createConversationMessage},

		{"POST", p + "/groups", signedIn, a.createGroup},
		{"GET", p + "/groups/{id}", anyone, a.getGroup},
		{"GET", p + "/groups/{id}/members", anyone, a.listMembers},
		{"POST", p + "/groups/{id}/membership", signedIn, a.joinGroup},
		{"DELETE", p + "/groups/{id}/membership", signedIn, a.leaveGroup},

		{"POST", p + "/follows", signedIn, a.follow},
		{"POST", p + "/group-memberships", signedIn, a.joinGroupByHandle},

		{"GET", p + "/feed-tokens", signedIn, a.listFeedTokens},
		{"POST", p + "/feed-tokens", signedIn, a.createFeedToken},
		{"DELETE", p + "/feed-tokens/{id}", signedIn, a.revokeFeedToken},
	}
}

// Routes returns every method and path the API serves.
func (a *API) Routes() []Route { return slices.Clone(a.routes) }

// ServeHTTP serves the API's paths; anything else under it is a JSON 404
// (or 405 for a known path with another method).
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	a.mux.ServeHTTP(w, r)
}

func (a *API) unrouted(w http.ResponseWriter, r *http.Request) {
	if _, pattern := a.paths.Handler(r); pattern != "" {
		allowed := a.methods[pattern]
		if slices.Contains(allowed, "GET") {
			allowed = append(slices.Clone(allowed), "HEAD")
		}
		w.Header().Set("Allow", strings.Join(allowed, ", "))
		a.writeError(w, r, &apiError{status: http.StatusMethodNotAllowed, code: "method_not_allowed",
			message: "this path does not take " + r.Method})
		return
	}
	a.writeError(w, r, errNoRoute)
}

// serve authenticates the request as the route asks and runs it.
func (a *API) serve(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := a.authenticate(r)
		if err == nil && c.session == nil && rt.access == signedIn {
			err = errSignIn
		}
		if err == nil {
			err = rt.h(w, r, c)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	}
}

// caller is who makes a request: an account's session, or nobody.
type caller struct {
	api     *API
	session *identity.Session // nil when anonymous
}

func (c *caller) accountID() string {
	if c.session == nil {
		return ""
	}
	return c.session.AccountID
}

// authenticate reads the bearer token, if any.
func (a *API) authenticate(r *http.Request) (*caller, error) {
	c := &caller{api: a}
	hdr := r.Header.Get("Authorization")
	if hdr == "" {
		return c, nil
	}
	scheme, token, ok := strings.Cut(hdr, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errBadToken
	}
	sess, err := a.inst.Identity.ResolveSession(r.Context(), strings.TrimSpace(token))
	switch {
	case errors.Is(err, identity.ErrNotFound), errors.Is(err, identity.ErrSuspended), errors.Is(err, identity.ErrNotConfirmed):
		return nil, errBadToken
	case err != nil:
		return nil, err
	}
	c.session = sess
	return c, nil
}

// profile returns the profile the caller acts as: named by the body
// (named), else by the X-Convene-Profile header, else the account's
// default one. Another account's profile is ErrForbidden (403).
func (c *caller) profile(r *http.Request, named string) (*identity.Profile, error) {
	if c.session == nil {
		return nil, errSignIn
	}
	ctx := r.Context()
	id := named
	if id == "" {
		id = strings.TrimSpace(r.Header.Get(ProfileHeader))
	}
	if id == "" {
		list, err := c.api.inst.Identity.ListProfiles(ctx, c.session.AccountID)
		if err != nil {
			return nil, err
		}
		for i := range list {
			if list[i].Default {
				id = list[i].ID
				break
			}
		}
		if id == "" && len(list) > 0 {
			id = list[0].ID
		}
	}
	p, err := c.api.inst.Identity.ProfileOf(ctx, c.session.AccountID, id)
	if errors.Is(err, identity.ErrNotFound) || errors.Is(err, identity.ErrForbidden) {
		field := "profile"
		if named == "" {
			field = ""
		}
		return nil, &apiError{status: http.StatusForbidden, code: "forbidden", field: field,
			message: "you may act only as one of your own profiles"}
	}
	return p, err
}

// viewer is the profile id a read is made as: the acting profile of a
// signed-in caller, "" for an anonymous one.
func (c *caller) viewer(r *http.Request) (string, error) {
	if c.session == nil {
		return "", nil
	}
	p, err := c.profile(r, "")
	if err != nil {
		return "", err
	}
	return p.ID, nil
}
