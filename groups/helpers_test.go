package groups_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
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

type recorder struct {
	mu      sync.Mutex
	changes []groups.Change
}

func (r *recorder) GroupChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	if _, err := storage.As[groups.Store](tx); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.changes = append(r.changes, c)
	return nil
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
	tick  int
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), store: sqlitetest.Open(t), hook: &recorder{}}
	var err error
	f.svc, err = groups.New(groups.Config{Store: f.store, Actors: fakeActors{}, BaseURL: "https://events.example",
		Hook: f.hook, Now: f.now})
	require.NoError(t, err)
	return f
}

// now advances a second per call, so memberships have distinct times.
func (f *fixture) now() time.Time {
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
	f.tick++
	g, err := f.svc.Create(f.ctx, creator, groups.CreateInput{Username: fmt.Sprintf("g%d", f.tick), DisplayName: "Group", Openness: openness})
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
