package conversations_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const base = "https://conv.example"

// backend is what the fixture writes through.
type backend interface {
	conversations.Store
	identity.Store
	groups.Store
	events.Store
}

// fakeHook records the changes it is told of; err makes it fail.
type fakeHook struct {
	mu      sync.Mutex
	changes []conversations.Change
	err     error
}

func (h *fakeHook) ConversationChanged(_ context.Context, tx storage.Tx, c conversations.Change) error {
	if _, err := storage.As[conversations.Store](tx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.err != nil {
		return h.err
	}
	h.changes = append(h.changes, c)
	return nil
}

func (h *fakeHook) all() []conversations.Change {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]conversations.Change(nil), h.changes...)
}

func (h *fakeHook) fail(err error) { h.mu.Lock(); h.err = err; h.mu.Unlock() }

// fixture is a service over a fresh SQLite database with a local event
// (organized by a profile), a local group's event and a remote event,
// and actors in every standing towards them.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	db   backend
	svc  *conversations.Service
	hook *fakeHook
	now  time.Time
	seq  int

	// event: organized by org (creator); eventMod moderates it; part,
	// pending, waitlisted, rejected and remotePart take part in it.
	event                                              *events.Event
	org, eventMod, part, pending, waitlisted, rejected *identity.Actor
	stranger, remotePart                               *identity.Actor
	// groupEvent: organized by group; groupMod (a moderator of the
	// group) and groupMember (a member) both take part as participants.
	groupEvent                   *events.Event
	group                        *groups.Group
	groupMod, groupMember, admin *identity.Actor
	// remoteEvent: organized by remoteOrg; localPart takes part.
	remoteEvent          *events.Event
	remoteGroupEvent     *events.Event   // made on first use (remoteGroup)
	rgroup               *identity.Actor // its organizer, a remote Group
	remoteOrg, localPart *identity.Actor
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: t.Context(), db: sqlitetest.Open(t), hook: &fakeHook{}, now: t0}
	var err error
	f.svc, err = conversations.New(conversations.Config{Store: f.db, BaseURL: base, Hook: f.hook,
		Now: f.clock, NewID: f.id})
	require.NoError(t, err)

	f.org, f.eventMod, f.part = f.actor("", "org"), f.actor("", "mod"), f.actor("", "part")
	f.pending, f.waitlisted, f.rejected = f.actor("", "pending"), f.actor("", "waiting"), f.actor("", "rejected")
	f.stranger, f.remotePart = f.actor("", "stranger"), f.actor("remote.example", "rpart")
	f.event = f.newEvent(f.org.ID, "", true)
	f.join(f.event, f.org, events.RoleCreator)
	f.join(f.event, f.eventMod, events.RoleModerator)
	f.join(f.event, f.part, events.RoleParticipant)
	f.join(f.event, f.pending, events.RoleNotApproved)
	f.join(f.event, f.waitlisted, events.RoleWaitlisted)
	f.join(f.event, f.rejected, events.RoleRejected)
	f.join(f.event, f.remotePart, events.RoleParticipant)
	anon := &events.Participant{ID: f.id(), EventID: f.event.ID, Role: events.RoleParticipant, Email: "a@x.example",
		CreatedAt: f.now, UpdatedAt: f.now}
	require.NoError(t, f.db.CreateParticipant(f.ctx, anon))

	f.group = &groups.Group{Actor: *f.newActor(identity.TypeGroup, "", "climate"), Openness: groups.Open,
		Visibility: groups.Public}
	require.NoError(t, f.db.CreateGroup(f.ctx, f.group))
	f.groupMod, f.groupMember, f.admin = f.actor("", "gmod"), f.actor("", "gmember"), f.actor("", "gadmin")
	f.member(f.groupMod, groups.RoleModerator)
	f.member(f.groupMember, groups.RoleMember)
	f.member(f.admin, groups.RoleAdministrator)
	f.groupEvent = f.newEvent(f.group.ID, f.group.ID, true)
	f.join(f.groupEvent, f.groupMod, events.RoleParticipant)
	f.join(f.groupEvent, f.groupMember, events.RoleParticipant)

	f.remoteOrg, f.localPart = f.actor("remote.example", "rorg"), f.actor("", "lpart")
	f.remoteEvent = f.newEvent(f.remoteOrg.ID, "", false)
	f.join(f.remoteEvent, f.localPart, events.RoleParticipant)
	f.join(f.remoteEvent, f.remotePart, events.RoleParticipant)
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
		domain, apID = "conv.example", base+"/@"+name
	}
	return &identity.Actor{ID: f.id(), APID: apID, Type: typ, Local: local, Username: name, Domain: domain,
		Inbox: apID + "/inbox", CreatedAt: t0, UpdatedAt: t0}
}

// actor stores a Person: local when domain is "".
func (f *fixture) actor(domain, name string) *identity.Actor {
	a := f.newActor(identity.TypePerson, domain, name)
	require.NoError(f.t, f.db.CreateActor(f.ctx, a))
	return a
}

func (f *fixture) newEvent(organizerID, groupID string, local bool) *events.Event {
	id := f.id()
	apID := base + "/events/" + id
	if !local {
		apID = "https://remote.example/events/" + id
	}
	e := &events.Event{ID: id, APID: apID, Local: local, OrganizerID: organizerID, GroupID: groupID, Title: "Meetup",
		BeginsAt: t0.Add(24 * time.Hour), EndsAt: t0.Add(26 * time.Hour), SeriesEndsAt: t0.Add(26 * time.Hour),
		Status: events.Confirmed, Visibility: events.Public, JoinMode: events.JoinFree,
		CommentModeration: events.CommentsAllowAll, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.db.CreateEvent(f.ctx, e))
	return e
}

func (f *fixture) join(e *events.Event, a *identity.Actor, role events.ParticipantRole) *events.Participant {
	f.seq++
	p := &events.Participant{ID: f.id(), APID: base + "/join/" + f.id(), EventID: e.ID, ActorID: a.ID, Role: role,
		CreatedAt: t0.Add(time.Duration(f.seq) * time.Second), UpdatedAt: t0}
	require.NoError(f.t, f.db.CreateParticipant(f.ctx, p))
	return p
}

func (f *fixture) setRole(e *events.Event, a *identity.Actor, role events.ParticipantRole) {
	p, err := f.db.GetParticipantByActor(f.ctx, e.ID, a.ID)
	require.NoError(f.t, err)
	p.Role = role
	require.NoError(f.t, f.db.UpdateParticipant(f.ctx, p))
}

func (f *fixture) member(a *identity.Actor, role groups.Role) {
	m := &groups.Member{ID: f.id(), APID: base + "/member/" + f.id(), GroupID: f.group.ID, ActorID: a.ID, Role: role,
		CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.db.PutMember(f.ctx, m))
}

// ask writes part's question to the organizers of the local event.
func (f *fixture) ask(a *identity.Actor) *conversations.Conversation {
	f.t.Helper()
	f.tick()
	c, _, err := f.svc.WriteToOrganizers(f.ctx, a.ID, f.event.ID, "<p>Is there a ramp?</p>")
	require.NoError(f.t, err)
	return c
}

// count returns how many conversations and messages the local event has:
// what a refused write must not change.
func (f *fixture) count(e *events.Event) (convs, msgs int) {
	f.t.Helper()
	cs, err := f.db.ListEventConversations(f.ctx, e.ID, storage.Cursor{}, 0)
	require.NoError(f.t, err)
	for _, c := range cs {
		ms, err := f.db.ListMessages(f.ctx, c.ID, storage.Cursor{}, 0)
		require.NoError(f.t, err)
		msgs += len(ms)
	}
	return len(cs), msgs
}

// requireErr checks err against want: nil, or a sentinel it must match.
func requireErr(t *testing.T, want, err error, msg string) {
	t.Helper()
	if want == nil {
		require.NoError(t, err, msg)
		return
	}
	require.Error(t, err, msg)
	require.True(t, errors.Is(err, want), "%s: got %v, want %v", msg, err, want)
}
