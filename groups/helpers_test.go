package groups_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fakeActors builds group actors with fixed URLs and no keys.
type fakeActors struct{}

func (fakeActors) NewLocalActor(ctx context.Context, typ identity.ActorType, username, displayName string) (*identity.Actor, error) {
	if username == "" || username == "bad name" {
		return nil, &identity.ValidationError{Field: "username", Reason: "is not a username"}
	}
	base := "https://events.example/@" + username
	return &identity.Actor{APID: base, URL: base, Type: typ, Local: true, Username: username, Domain: "events.example",
		DisplayName: displayName, Inbox: base + "/inbox", Outbox: base + "/outbox", Followers: base + "/followers",
		Following: base + "/following", SharedInbox: "https://events.example/inbox", PublicKeyID: base + "#main-key"}, nil
}

// recorder is a Hook that keeps the changes of committed transactions
// and can be told to fail, which must roll the whole operation back.
type recorder struct {
	mu      sync.Mutex
	changes []groups.Change
	fail    error
}

func (r *recorder) GroupChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	if _, err := storage.As[groups.Store](tx); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	r.changes = append(r.changes, c)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.changes)
}

func (r *recorder) failWith(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail = err
}

type backend interface {
	groups.Store
	identity.Store
}

type fixture struct {
	t     *testing.T
	ctx   context.Context
	store backend
	svc   *groups.Service
	hook  *recorder
	mu    sync.Mutex
	tick  int
}

// backends returns the stores to run a test on: SQLite always,
// PostgreSQL when CONVENE_TEST_POSTGRES_URL is set (pgtest).
func backends() map[string]func(t *testing.T) backend {
	bs := map[string]func(t *testing.T) backend{"sqlite": func(t *testing.T) backend { return sqlitetest.Open(t) }}
	if os.Getenv(pgtest.EnvURL) != "" || os.Getenv(pgtest.EnvRequire) == "1" {
		bs["postgres"] = func(t *testing.T) backend { return pgtest.Open(t) }
	}
	return bs
}

// newFixture is a service over a fresh SQLite store.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureOn(t, sqlitetest.Open(t))
}

func newFixtureOn(t *testing.T, store backend) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), store: store, hook: &recorder{}}
	var err error
	f.svc, err = groups.New(groups.Config{Store: f.store, Actors: fakeActors{}, BaseURL: "https://events.example",
		Hook: f.hook, Now: f.now})
	require.NoError(t, err)
	return f
}

// now advances a second per call, so memberships have distinct times.
func (f *fixture) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tick++
	return t0.Add(time.Duration(f.tick) * time.Second)
}

// person stores a Person actor and returns its id.
func (f *fixture) person(name string) string {
	f.t.Helper()
	a := &identity.Actor{ID: "id-" + name, APID: "https://events.example/@" + name, Type: identity.TypePerson,
		Local: true, Username: name, Domain: "events.example", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.store.CreateActor(f.ctx, a))
	return a.ID
}

func (f *fixture) group(creator string, openness groups.Openness) *groups.Group {
	f.t.Helper()
	g, err := f.svc.Create(f.ctx, creator, groups.CreateInput{Username: fmt.Sprintf("g%d", f.now().Unix()), DisplayName: "Group", Openness: openness})
	require.NoError(f.t, err)
	return g
}

func (f *fixture) role(g *groups.Group, actor string) groups.Role {
	f.t.Helper()
	r, err := f.svc.MemberRole(f.ctx, g.ID, actor)
	if err != nil {
		return ""
	}
	return r
}

// withRole makes actor a member of g with role, through the workflows.
func (f *fixture) withRole(g *groups.Group, creator, actor string, role groups.Role) {
	f.t.Helper()
	_, err := f.svc.Invite(f.ctx, creator, g.ID, actor)
	require.NoError(f.t, err)
	_, err = f.svc.AcceptInvitation(f.ctx, g.ID, actor)
	require.NoError(f.t, err)
	if role != groups.RoleMember {
		_, err = f.svc.ChangeRole(f.ctx, creator, g.ID, actor, role)
		require.NoError(f.t, err)
	}
}

// put brings actor to role in g (created by creator as a moderated
// group) through the workflows; "" leaves it without a membership.
func (f *fixture) put(g *groups.Group, creator, actor string, role groups.Role) {
	f.t.Helper()
	var err error
	switch role {
	case "", groups.RoleCreator:
		return
	case groups.RoleInvited:
		_, err = f.svc.Invite(f.ctx, creator, g.ID, actor)
	case groups.RoleNotApproved:
		_, err = f.svc.Join(f.ctx, g.ID, actor, "")
	case groups.RoleRejected:
		_, err = f.svc.Join(f.ctx, g.ID, actor, "")
		if err == nil {
			_, err = f.svc.Reject(f.ctx, creator, g.ID, actor)
		}
	default:
		f.withRole(g, creator, actor, role)
	}
	require.NoError(f.t, err)
	require.Equal(f.t, role, f.role(g, actor))
}

// setOpenness changes g's openness as its creator.
func (f *fixture) setOpenness(g *groups.Group, creator string, o groups.Openness) {
	f.t.Helper()
	_, err := f.svc.Update(f.ctx, creator, g.ID, groups.UpdateInput{Openness: &o})
	require.NoError(f.t, err)
}

// state is everything an operation on a group could change.
type state struct {
	Group   *groups.Group
	Members []groups.Member
	Changes int
}

func (f *fixture) state(groupID string) state {
	f.t.Helper()
	g, err := f.svc.Get(f.ctx, groupID)
	require.NoError(f.t, err)
	ms, next, err := f.svc.Members(f.ctx, groupID, nil, storage.Cursor{}, groups.MaxPageSize)
	require.NoError(f.t, err)
	require.True(f.t, next.IsZero())
	return state{Group: g, Members: ms, Changes: f.hook.count()}
}
