package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// Limits of the web UI.
const (
	// MinSecretBytes is the shortest Config.Secret accepted.
	MinSecretBytes = 32
	// MaxFormBytes bounds a posted form (413 above).
	MaxFormBytes = 64 << 10
	// PageSize is the number of occurrences on a page of the explore
	// list.
	PageSize = 20
	// MaxListed bounds the participants, comments, members and events
	// of the other lists on one page.
	MaxListed = 200
	// SessionLabel labels the sessions this UI opens (identity sessions).
	SessionLabel = "web"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Participations is the part of the storage backend the UI reads
// directly: the events service lists participations by event, not by
// actor. Every backend (storage/sqlite, storage/postgres) implements it.
type Participations interface {
	// ListParticipations returns an actor's participations whose role is
	// one of roles (all when empty), oldest first.
	ListParticipations(ctx context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error)
	// CountParticipants counts an event's participations whose role is
	// one of roles.
	CountParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole) (int, error)
}

// Follower makes a local profile follow a remote actor given by its
// handle ("@user@host"). convene.Federation implements it.
type Follower interface {
	Follow(ctx context.Context, followerID, handle string) (*identity.Follow, error)
}

// Config configures the web UI.
type Config struct {
	// Instance holds the identity, groups and events services. Required.
	Instance *convene.Instance
	// Participations reads participations by actor ("my events") and
	// counts seats. Required: the instance's storage backend.
	Participations Participations
	// Secret signs the CSRF, email-confirmation and password-reset
	// tokens: at least MinSecretBytes random bytes, kept across restarts
	// (changing it invalidates the links in flight). Required.
	Secret []byte
	// Confirmations mails the email-confirmation link. Required (see
	// TextMailer).
	Confirmations ConfirmationMailer
	// Resets mails the password-reset link. Required (see TextMailer).
	Resets ResetMailer
	// Follows follows remote actors by handle; nil hides that form.
	Follows Follower
	// AnonymousMail mails the confirmation and cancellation links of a
	// participation without an account (notify.Notifier implements it);
	// nil hides the form that joins an event by email.
	AnonymousMail AnonymousMailer
	// Handles resolves handles of other instances ("@user@host") for
	// group invitations (convene.Federation.Resolver implements it); nil
	// invites local profiles only.
	Handles HandleResolver
	// Invitations mails a local profile invited into a group
	// (notify.Notifier implements it); nil mails nothing.
	Invitations InvitationMailer
	// Messages mails an organizer's message to an event's anonymous
	// participants (notify.Messenger implements it), while those with a
	// profile get it as a conversations announcement; nil hides that
	// form.
	Messages ParticipantsMailer
	// Policy is the federation's domain policy (convene.Federation.Policy);
	// nil hides the federation admin page.
	Policy DomainPolicy
	// Delivery reports the federation delivery queue (the storage
	// backend implements it); nil hides the delivery admin page.
	Delivery DeliveryStats
	// MailLog is the instance's file outbox (mail.FileOutbox), when mail
	// is not sent by SMTP; nil hides the mail admin page.
	MailLog MailLog
	// BaseURL is the instance's public URL; "" means the identity
	// service's. Cookies are Secure when it is https.
	BaseURL string
	// Name is the instance's name in page titles; "" means its host.
	Name string
	// TimeZone is the zone of visitors without an account setting (IANA);
	// "" means UTC.
	TimeZone string
	// RegistrationsClosed refuses sign-ups.
	RegistrationsClosed bool
	// RegistrationsApproval makes new accounts wait for an
	// administrator's approval (after their email is confirmed).
	RegistrationsApproval bool
	// Settings keeps the name, description and registrations an
	// administrator sets in the admin pages (they win over Name and the
	// Registrations fields); nil hides that page.
	Settings SettingsStore
	// MessageLimit bounds the private messages of each account
	// (conversations); nil makes one of MessageBurst per MessageRefill.
	// A server that also serves the JSON API passes the same limiter to
	// both (api.Config.MessageLimit), so that an account has one budget
	// whichever way it writes.
	MessageLimit Limiter
	// Now is the clock (login rate limit, token expiry, "upcoming");
	// nil means time.Now.
	Now func() time.Time
	// Log receives server errors; nil discards them.
	Log *slog.Logger
}

// Web is the server-rendered UI: an http.Handler for Routes, plus the
// HTML pages of actors and events (Pages) that federation content
// negotiation falls through to.
type Web struct {
	inst     *convene.Instance
	parts    Participations
	secret   []byte
	confirm  ConfirmationMailer
	resets   ResetMailer
	follows  Follower
	anon     AnonymousMailer
	handles  HandleResolver
	invites  InvitationMailer
	messages ParticipantsMailer
	policy   DomainPolicy
	queue    DeliveryStats
	maillog  MailLog
	base     string
	name     string
	secure   bool
	zone     *time.Location
	closed   bool
	approval bool // new accounts wait for an administrator
	store    SettingsStore
	cache    settingsCache
	now      func() time.Time
	log      *slog.Logger
	logins   *ratelimit.Limiter
	mails    *ratelimit.Limiter
	msgLimit Limiter            // private messages per account
	discuss  *ratelimit.Limiter // group discussion messages per account
	unsubs   *ratelimit.Limiter // one-click unsubscriptions per client IP
	tmpl     map[string]*templateSet
	static   fs.FS
	origins  *http.CrossOriginProtection
	mux      *http.ServeMux
	routes   []string
}

// New returns the web UI. It refuses a Config without Instance (with
// its services), Participations, mailers, or a Secret shorter than
// MinSecretBytes.
func New(cfg Config) (*Web, error) {
	switch {
	case cfg.Instance == nil || cfg.Instance.Identity == nil || cfg.Instance.Events == nil || cfg.Instance.Groups == nil ||
		cfg.Instance.Conversations == nil:
		return nil, errors.New("web: Config.Instance with Identity, Events, Groups and Conversations is required")
	case cfg.Participations == nil:
		return nil, errors.New("web: Config.Participations is required")
	case len(cfg.Secret) < MinSecretBytes:
		return nil, fmt.Errorf("web: Config.Secret must have at least %d bytes", MinSecretBytes)
	case cfg.Confirmations == nil || cfg.Resets == nil:
		return nil, errors.New("web: Config.Confirmations and Config.Resets are required")
	}
	w := &Web{
		inst: cfg.Instance, parts: cfg.Participations, secret: append([]byte(nil), cfg.Secret...),
		confirm: cfg.Confirmations, resets: cfg.Resets, follows: cfg.Follows,
		anon: cfg.AnonymousMail, handles: cfg.Handles, invites: cfg.Invitations, messages: cfg.Messages,
		policy: cfg.Policy, queue: cfg.Delivery, maillog: cfg.MailLog,
		base: strings.TrimSuffix(cfg.BaseURL, "/"), name: cfg.Name, closed: cfg.RegistrationsClosed, approval: cfg.RegistrationsApproval, store: cfg.Settings,
		now: cfg.Now, log: cfg.Log, msgLimit: cfg.MessageLimit,
	}
	if w.base == "" {
		w.base = w.inst.Identity.BaseURL()
	}
	w.secure = strings.HasPrefix(w.base, "https://")
	if w.name == "" {
		w.name = strings.TrimPrefix(strings.TrimPrefix(w.base, "https://"), "http://")
	}
	zone := cfg.TimeZone
	if zone == "" {
		zone = "UTC"
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("web: Config.TimeZone: %w", err)
	}
	w.zone = loc
	if w.now == nil {
		w.now = time.Now
	}
	if w.log == nil {
		w.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	w.logins = ratelimit.New(w.now, LoginBurst, LoginRefill, MaxLimiterKeys)
	w.mails = ratelimit.New(w.now, MailBurst, MailRefill, MaxLimiterKeys)
	if w.msgLimit == nil {
		w.msgLimit = ratelimit.New(w.now, MessageBurst, MessageRefill, MaxLimiterKeys)
	}
	w.discuss = ratelimit.New(w.now, DiscussionBurst, DiscussionRefill, MaxLimiterKeys)
	w.unsubs = ratelimit.New(w.now, UnsubscribeBurst, UnsubscribeRefill, MaxLimiterKeys)
	if w.tmpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	if w.static, err = fs.Sub(assets, "static"); err != nil {
		return nil, err
	}
	w.origins = http.NewCrossOriginProtection()
	w.mux = http.NewServeMux()
	for _, rt := range w.table() {
		w.mux.Handle(rt.pattern, w.serve(rt))
		w.routes = append(w.routes, rt.pattern)
	}
	// The POSTs that a mail provider sends without cookies (RFC 8058):
	// no CSRF token, the signed token in the URL is the authority.
	for _, rt := range w.tokenPosts() {
		w.mux.Handle(rt.pattern, w.serveWith(rt, false))
		w.routes = append(w.routes, rt.pattern)
	}
	staticFiles := http.FileServerFS(w.static)
	w.mux.Handle("GET /static/{file}", http.StripPrefix("/static/", staticFiles))
	w.routes = append(w.routes, "GET /static/{file}")
	return w, nil
}

// route is one pattern of the UI.
type route struct {
	pattern string
	h       handler
}

// handler serves one route; a returned error becomes an error page.
type handler func(w http.ResponseWriter, r *http.Request, v *visit) error

func (w *Web) table() []route {
	return []route{
		{"GET /{$}", w.explore},
		{"GET /login", w.loginForm},
		{"POST /login", w.login},
		{"POST /logout", w.logout},
		{"GET /signup", w.signupForm},
		{"POST /signup", w.signup},
		{"GET /confirm", w.confirmAccount},
		{"GET /reset", w.resetRequestForm},
		{"POST /reset", w.resetRequest},
		{"GET /reset/{token}", w.resetForm},
		{"POST /reset/{token}", w.reset},
		{"POST /lang", w.setLang},
		{"POST /profile", w.switchProfile},
		{"GET /me/events", w.myEvents},
		{"GET /follow", w.followForm},
		{"POST /follow", w.follow},

		{"GET /events/new", w.newEventForm},
		{"POST /events/new", w.createEvent},
		{"GET /events/{id}/edit", w.editEventForm},
		{"POST /events/{id}/edit", w.updateEvent},
		{"GET /events/{id}/duplicate", w.duplicateEvent},
		{"POST /events/{id}/cancel", w.cancelEvent},
		{"POST /events/{id}/delete", w.deleteEvent},
		{"POST /events/{id}/join", w.joinEvent},
		{"POST /events/{id}/leave", w.leaveEvent},
		{"POST /events/{id}/comments", w.commentEvent},
		{"POST /events/{id}/participants/{pid}/approve", w.approveParticipant},
		{"POST /events/{id}/participants/{pid}/reject", w.rejectParticipant},

		{"GET /groups/new", w.newGroupForm},
		{"POST /groups/new", w.createGroup},
		{"POST /groups/{id}/join", w.joinGroup},
		{"POST /groups/{id}/leave", w.leaveGroup},

		{"GET /me/profiles", w.profilesPage},
		{"GET /me/profiles/public", w.publicView},
		{"GET /me/profiles/new", w.newProfileForm},
		{"POST /me/profiles/new", w.createProfile},
		{"GET /me/profiles/{id}/edit", w.editProfileForm},
		{"POST /me/profiles/{id}/edit", w.updateProfile},
		{"POST /me/profiles/{id}/default", w.defaultProfile},

		{"POST /events/{id}/join-anonymous", w.joinAnonymously},
		{"GET /participation/confirm", w.confirmAnonymous},
		{"GET /participation/cancel", w.cancelAnonymousForm},
		{"POST /participation/cancel", w.cancelAnonymous},
		{"GET /events/{id}/participants.csv", w.exportParticipants},
		{"POST /events/{id}/comments/{cid}/approve", w.approveComment},
		{"POST /events/{id}/comments/{cid}/reject", w.rejectComment},

		{"GET /me/groups", w.myGroups},
		{"POST /groups/{id}/invitation/accept", w.acceptInvitation},
		{"POST /groups/{id}/invitation/decline", w.declineInvitation},
		{"GET /groups/{id}/members", w.groupMembers},
		{"POST /groups/{id}/invite", w.inviteMember},
		{"POST /groups/{id}/members/{actor}/role", w.changeMemberRole},
		{"POST /groups/{id}/members/{actor}/remove", w.removeMember},
		{"POST /groups/{id}/members/{actor}/approve", w.approveMember},
		{"POST /groups/{id}/members/{actor}/reject", w.rejectMember},
		{"GET /groups/{id}/events", w.groupEvents},

		{"GET /groups/{id}/discussions", w.groupDiscussions},
		{"POST /groups/{id}/discussions", w.createDiscussion},
		{"POST /groups/{id}/discussions/mail", w.setDiscussionMail},
		{"GET /groups/{id}/discussions/{did}", w.discussionPage},
		{"POST /groups/{id}/discussions/{did}/reply", w.replyDiscussion},
		{"POST /groups/{id}/discussions/{did}/rename", w.renameDiscussion},
		{"POST /groups/{id}/discussions/{did}/delete", w.deleteDiscussion},
		{"POST /groups/{id}/discussions/{did}/messages/{cid}/edit", w.editMessage},
		{"POST /groups/{id}/discussions/{did}/messages/{cid}/delete", w.deleteMessage},
		{"GET /groups/{id}/resources", w.groupResources},
		{"POST /groups/{id}/resources", w.createResource},
		{"POST /groups/{id}/resources/{rid}/move", w.moveResource},
		{"POST /groups/{id}/resources/{rid}/delete", w.deleteResource},
		{"GET /groups/{id}/posts", w.groupPosts},
		{"GET /groups/{id}/posts/new", w.newPostForm},
		{"POST /groups/{id}/posts/new", w.createPost},
		{"GET /groups/{id}/posts/{pid}", w.postPage},
		{"GET /groups/{id}/posts/{pid}/edit", w.editPostForm},
		{"POST /groups/{id}/posts/{pid}/edit", w.updatePost},
		{"POST /groups/{id}/posts/{pid}/publish", w.publishPost},
		{"POST /groups/{id}/posts/{pid}/delete", w.deletePost},
		{"GET /groups/{id}/todos", w.groupTodos},
		{"POST /groups/{id}/todos/lists", w.createTodoList},
		{"POST /groups/{id}/todos/lists/{lid}/delete", w.deleteTodoList},
		{"POST /groups/{id}/todos/lists/{lid}/todos", w.createTodo},
		{"POST /groups/{id}/todos/{tid}/update", w.updateTodo},
		{"POST /groups/{id}/todos/{tid}/delete", w.deleteTodo},

		{"POST /report", w.fileReport},
		{"GET /moderation", w.moderationQueue},
		{"GET /moderation/reports/{rid}", w.moderationReport},
		{"POST /moderation/reports/{rid}/notes", w.addNote},
		{"POST /moderation/reports/{rid}/act", w.actOnReport},
		{"POST /moderation/act", w.actOnContent},
		{"GET /moderation/log", w.moderationLog},
		{"GET /rules", w.rulesPage},
		{"POST /rules", w.setRules},
		{"POST /events/{id}/message", w.messageParticipants},

		{"GET /conversations", w.myConversations},
		{"GET /conversations/{id}", w.conversationPage},
		{"POST /conversations/{id}/reply", w.replyConversation},
		{"GET /events/{id}/conversations", w.eventConversations},
		{"POST /events/{id}/conversations", w.writeConversation},

		{"GET /admin", w.adminHome},
		{"GET /admin/settings", w.adminSettings},
		{"POST /admin/settings", w.adminSaveSettings},
		{"GET /admin/users", w.adminUsers},
		{"POST /admin/users/{id}/suspend", w.adminSuspend},
		{"POST /admin/users/{id}/unsuspend", w.adminUnsuspend},
		{"POST /admin/users/{id}/approve", w.adminApprove},
		{"GET /admin/federation", w.adminFederation},
		{"POST /admin/federation/domains", w.adminAddDomain},
		{"POST /admin/federation/domains/remove", w.adminRemoveDomain},
		{"POST /admin/federation/mode", w.adminSetMode},
		{"GET /admin/delivery", w.adminDelivery},
		{"GET /admin/mail", w.adminMail},
		{"GET /admin/mail/{name}", w.adminMailMessage},

		{"GET /unsubscribe/discussions", w.unsubscribeDiscussionsForm},
	}
}

// Routes returns the ServeMux patterns (method and path) the UI serves
// through ServeHTTP, for a server to mount each of them on its own mux
// (mux.Handle(pattern, web)). The actor and event pages are not among
// them: they come through Pages, behind content negotiation.
func (w *Web) Routes() []string { return append([]string(nil), w.routes...) }

// ServeHTTP serves Routes, and the pages of Pages too (for a server
// without federation, which has no content negotiation in front).
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if isPagePath(r.URL.Path) && (r.Method == http.MethodGet || r.Method == http.MethodHead) {
		w.Pages().ServeHTTP(rw, r)
		return
	}
	w.mux.ServeHTTP(rw, r)
}

// Pages returns the handler of the HTML pages shared with federation's
// content negotiation: GET /@{username} (a profile or a group of this
// instance) and GET /events/{id}. It is what convene.FederationConfig.HTML
// takes.
func (w *Web) Pages() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			rw.Header().Set("Allow", "GET, HEAD")
			http.Error(rw, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, "/@") && !strings.Contains(p[2:], "/"):
			w.serve(route{h: w.actorPage})(rw, r)
		case strings.HasPrefix(p, "/events/") && !strings.Contains(p[len("/events/"):], "/"):
			w.serve(route{h: w.eventPage})(rw, r)
		default:
			w.serve(route{h: func(http.ResponseWriter, *http.Request, *visit) error { return errNotFound }})(rw, r)
		}
	})
}

// isPagePath reports whether p is a path of Pages.
func isPagePath(p string) bool {
	if strings.HasPrefix(p, "/@") {
		return !strings.Contains(p[2:], "/")
	}
	if rest, ok := strings.CutPrefix(p, "/events/"); ok {
		return rest != "" && rest != "new" && !strings.Contains(rest, "/") && !strings.HasSuffix(rest, ".ics")
	}
	return false
}

// serve wraps a handler: security headers, the visitor's session,
// CSRF on every POST, and error pages.
func (w *Web) serve(rt route) http.HandlerFunc { return w.serveWith(rt, true) }

// serveWith is serve; csrf false reads a POST's form (see
// readTokenPost) without checking its origin or CSRF token: only for
// routes whose form carries its own signed token (tokenPosts).
func (w *Web) serveWith(rt route, csrf bool) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		h := rw.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' https: data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		v, err := w.visitOf(rw, r)
		if err == nil && r.Method == http.MethodPost {
			if csrf {
				err = w.checkPost(rw, r, v)
			} else {
				err = readTokenPost(rw, r)
			}
		}
		if err == nil {
			err = rt.h(rw, r, v)
		}
		if err != nil {
			w.fail(rw, r, v, err)
		}
	}
}

// httpError is an error page with its status and message key.
type httpError struct {
	status int
	key    string // catalog key of the message
	err    error
}

func (e *httpError) Error() string {
	if e.err != nil {
		return e.key + ": " + e.err.Error()
	}
	return e.key
}

func (e *httpError) Unwrap() error { return e.err }

var (
	errNotFound  = &httpError{status: http.StatusNotFound, key: "error.not_found"}
	errForbidden = &httpError{status: http.StatusForbidden, key: "error.forbidden"}
	errCSRF      = &httpError{status: http.StatusForbidden, key: "error.csrf"}
	errTooLarge  = &httpError{status: http.StatusRequestEntityTooLarge, key: "error.too_large"}
	errBadForm   = &httpError{status: http.StatusBadRequest, key: "error.bad_form"}
)

// classify maps a service error to an error page.
func classify(err error) *httpError {
	var he *httpError
	var ve *identity.ValidationError
	switch {
	case errors.As(err, &he):
		return he
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, identity.ErrNotFound):
		return &httpError{status: http.StatusNotFound, key: "error.not_found", err: err}
	case errors.Is(err, identity.ErrForbidden), errors.Is(err, events.ErrForbidden), errors.Is(err, errGroupsForbidden):
		return &httpError{status: http.StatusForbidden, key: "error.forbidden", err: err}
	case errors.As(err, &ve):
		return &httpError{status: http.StatusBadRequest, key: "error.invalid", err: err}
	case errors.Is(err, context.Canceled):
		return &httpError{status: 499, key: "error.server", err: err}
	}
	return &httpError{status: http.StatusInternalServerError, key: "error.server", err: err}
}

// fail writes the error page of err.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, v *visit, err error) {
	he := classify(err)
	if he.status >= 500 {
		w.log.ErrorContext(r.Context(), "web: "+r.Method+" "+r.URL.Path, "err", err)
	}
	if v == nil {
		v = &visit{lang: negotiate(r, "")}
	}
	if he.status == http.StatusUnauthorized {
		http.Redirect(rw, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	data := struct {
		Message string
		Detail  string
	}{Message: he.key}
	var ve *identity.ValidationError
	if errors.As(err, &ve) {
		data.Detail = ve.Field + ": " + ve.Reason
	}
	w.render(rw, r, v, he.status, "error", "error.title", data)
}
