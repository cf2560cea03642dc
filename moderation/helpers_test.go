package moderation_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const base = "https://mod.example"

// backend is what the fixture writes through.
type backend interface {
	moderation.Store
	identity.Store
	events.Store
	groups.Store
}

// fakeHook records the reports it is told of; err makes it fail.
type fakeHook struct {
	mu      sync.Mutex
	reports []moderation.Report
	err     error
}

func (h *fakeHook) ReportFiled(_ context.Context, tx storage.Tx, r moderation.Report) error {
	if tx == nil {
		return errors.New("no transaction")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return h.err
	}
	h.reports = append(h.reports, r)
	return nil
}

func (h *fakeHook) filed() []moderation.Report {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]moderation.Report(nil), h.reports...)
}

// fakeEffects implements Suspender and ContentHider over maps, and
// reports storage.ErrNotFound for ids it does not know.
type fakeEffects struct {
	mu        sync.Mutex
	known     map[string]bool
	suspended map[string]bool
	hidden    map[string]bool
	messages  map[string]bool // hidden discussion messages
}

func newEffects() *fakeEffects {
	return &fakeEffects{known: map[string]bool{}, suspended: map[string]bool{}, hidden: map[string]bool{},
		messages: map[string]bool{}}
}

func (f *fakeEffects) set(m map[string]bool, id string, on bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known[id] {
		return fmt.Errorf("%s: %w", id, storage.ErrNotFound)
	}
	m[id] = on
	return nil
}

func (f *fakeEffects) know(ids ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range ids {
		f.known[id] = true
	}
}

func (f *fakeEffects) SuspendActor(_ context.Context, id string, on bool) error {
	return f.set(f.suspended, id, on)
}
func (f *fakeEffects) HideEvent(_ context.Context, id string, on bool) error {
	return f.set(f.hidden, id, on)
}
func (f *fakeEffects) HideComment(_ context.Context, id string, on bool) error {
	return f.set(f.hidden, id, on)
}
func (f *fakeEffects) HideDiscussionMessage(_ context.Context, id string, on bool) error {
	return f.set(f.messages, id, on)
}
func (f *fakeEffects) isHiddenMessage(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.messages[id]
}

func (f *fakeEffects) isSuspended(id string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.suspended[id]
}
func (f *fakeEffects) isHidden(id string) bool { f.mu.Lock(); defer f.mu.Unlock(); return f.hidden[id] }

// fixture is a moderation service over a fresh SQLite database, with
// accounts of each role, local and remote actors, events and comments.
type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    backend
	ident *identity.Service
	svc   *moderation.Service
	hook  *fakeHook
	fx    *fakeEffects
	now   time.Time
	seq   int

	admin, mod, user, suspended *identity.Account
	// profiles of the accounts above
	adminP, modP, userP, otherP *identity.Profile
	remote, remoteGroup         *identity.Actor // on remote.example
	remoteInstance              *identity.Actor // remote.example's instance actor
	localGroup                  *identity.Actor
	event, remoteEvent          *events.Event // by userP; by remote
	comment, remoteComment      *events.Comment
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), db: sqlitetest.Open(t), hook: &fakeHook{}, fx: newEffects(), now: t0}
	var err error
	f.ident, err = identity.New(identity.Config{Store: f.db, BaseURL: base, Now: f.clock})
	require.NoError(t, err)
	f.svc, err = moderation.New(moderation.Config{Store: f.db, Identity: f.ident, Hook: f.hook,
		Suspender: f.fx, Content: f.fx, Now: f.clock, NewID: f.id})
	require.NoError(t, err)

	f.admin, f.adminP = f.account(identity.RoleAdmin, false)
	f.mod, f.modP = f.account(identity.RoleModerator, false)
	f.user, f.userP = f.account(identity.RoleUser, false)
	f.suspended, _ = f.account(identity.RoleModerator, true)
	_, f.otherP = f.account(identity.RoleUser, false)
	f.remote = f.actor(identity.TypePerson, "remote.example", "spammer")
	f.remoteGroup = f.actor(identity.TypeGroup, "remote.example", "spamgroup")
	f.remoteInstance = f.actor(identity.TypeApplication, "remote.example", "relay")
	f.localGroup = f.actor(identity.TypeGroup, "", "climate")
	f.event = f.newEvent(f.userP.ID, true)
	f.remoteEvent = f.newEvent(f.remote.ID, false)
	f.comment = f.newComment(f.event.ID, f.userP.ID, true)
	f.remoteComment = f.newComment(f.event.ID, f.remote.ID, false)
	f.fx.know(f.remote.ID, f.remoteGroup.ID, f.localGroup.ID, f.userP.ID, f.otherP.ID, f.adminP.ID, f.modP.ID,
		f.event.ID, f.remoteEvent.ID, f.comment.ID, f.remoteComment.ID)
	return f
}

func (f *fixture) clock() time.Time { return f.now }

func (f *fixture) tick() { f.now = f.now.Add(time.Minute) }

func (f *fixture) id() string {
	f.seq++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", f.seq)
}

func (f *fixture) newActor(typ identity.ActorType, domain, name string) *identity.Actor {
	local := domain == ""
	apID := "https://" + domain + "/users/" + name
	if local {
		domain, apID = "mod.example", base+"/@"+name
	}
	return &identity.Actor{ID: f.id(), APID: apID, Type: typ, Local: local, Username: name, Domain: domain,
		Inbox: apID + "/inbox", CreatedAt: t0, UpdatedAt: t0}
}

func (f *fixture) actor(typ identity.ActorType, domain, name string) *identity.Actor {
	a := f.newActor(typ, domain, name)
	require.NoError(f.t, f.db.CreateActor(f.ctx, a))
	return a
}

func (f *fixture) account(role identity.Role, suspended bool) (*identity.Account, *identity.Profile) {
	a := &identity.Account{ID: f.id(), Email: f.id() + "@mod.example", PasswordHash: "x", Confirmed: true,
		Role: role, Suspended: suspended, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.db.CreateAccount(f.ctx, a))
	p := &identity.Profile{Actor: *f.newActor(identity.TypePerson, "", "p"+a.ID[len(a.ID)-4:]), AccountID: a.ID, Default: true}
	require.NoError(f.t, f.db.CreateProfile(f.ctx, p))
	return a, p
}

func (f *fixture) newEvent(organizerID string, local bool) *events.Event {
	id := f.id()
	apID := base + "/events/" + id
	if !local {
		apID = "https://remote.example/events/" + id
	}
	e := &events.Event{ID: id, APID: apID, Local: local, OrganizerID: organizerID, Title: "Meetup",
		BeginsAt: t0.Add(24 * time.Hour), EndsAt: t0.Add(26 * time.Hour), SeriesEndsAt: t0.Add(26 * time.Hour),
		Status: events.Confirmed, Visibility: events.Public, JoinMode: events.JoinFree,
		CommentModeration: events.CommentsAllowAll, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.db.CreateEvent(f.ctx, e))
	return e
}

func (f *fixture) newComment(eventID, authorID string, local bool) *events.Comment {
	id := f.id()
	apID := base + "/comments/" + id
	if !local {
		apID = "https://remote.example/comments/" + id
	}
	c := &events.Comment{ID: id, APID: apID, EventID: eventID, AuthorID: authorID, Text: "<p>hi</p>",
		State: events.CommentPublished, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.db.CreateComment(f.ctx, c))
	return c
}

// file files a report by the user's profile, failing the test on error.
func (f *fixture) file(target moderation.Target) *moderation.Report {
	f.t.Helper()
	f.tick()
	r, err := f.svc.File(f.ctx, f.user.ID, f.userP.ID, moderation.ReportInput{Target: target, Comment: "spam"})
	require.NoError(f.t, err)
	return r
}

// count returns how many reports, notes of every report and log
// entries are stored: what a refused operation must not change.
func (f *fixture) count() (reports, actions int) {
	f.t.Helper()
	rs, err := f.db.ListReports(f.ctx, moderation.ReportQuery{})
	require.NoError(f.t, err)
	as, err := f.db.ListActions(f.ctx, moderation.ActionQuery{})
	require.NoError(f.t, err)
	return len(rs), len(as)
}
