package events_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// backend is what the events tests need of a store: events plus actors.
type backend interface {
	events.Store
	identity.Store
}

// backends returns the backends to run a test on: SQLite always,
// PostgreSQL when CONVENE_TEST_POSTGRES_URL is set.
func backends() []struct {
	name string
	open func(t *testing.T) backend
} {
	bs := []struct {
		name string
		open func(t *testing.T) backend
	}{{"sqlite", func(t *testing.T) backend { return sqlitetest.Open(t) }}}
	if os.Getenv(pgtest.EnvURL) != "" || os.Getenv(pgtest.EnvRequire) == "1" {
		bs = append(bs, struct {
			name string
			open func(t *testing.T) backend
		}{"postgres", func(t *testing.T) backend { return pgtest.Open(t) }})
	}
	return bs
}

// clock is the tests' fake clock.
type clock = fakeclock.Clock

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is a service over a fresh store with a fake clock.
type fixture struct {
	t     testing.TB
	ctx   context.Context
	store backend
	svc   *events.Service
	clock *clock
	hook  *recordingHook
	n     int
}

type recordingHook struct {
	mu      sync.Mutex
	changes []events.Change
	fail    error
}

func (h *recordingHook) EventChanged(ctx context.Context, tx storage.Tx, c events.Change) error {
	if _, err := storage.As[events.Store](tx); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fail != nil {
		return h.fail
	}
	h.changes = append(h.changes, c)
	return nil
}

func (h *recordingHook) kinds() []events.ChangeKind {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ks []events.ChangeKind
	for _, c := range h.changes {
		ks = append(ks, c.Kind)
	}
	return ks
}

// fakeGroups authorizes from a table of (group, actor) → allowed ops.
type fakeGroups struct {
	ops map[[2]string][]events.GroupOp
}

func (f fakeGroups) AuthorizeEvent(ctx context.Context, groupID, actorID string, op events.GroupOp) error {
	for _, o := range f.ops[[2]string{groupID, actorID}] {
		if o == op {
			return nil
		}
	}
	return events.ErrForbidden
}

var (
	memberOps    = []events.GroupOp{events.OpView}
	moderatorOps = []events.GroupOp{events.OpView, events.OpViewDraft, events.OpCreate, events.OpUpdate, events.OpDelete, events.OpModerate}
)

func newFixture(t testing.TB, st backend) *fixture {
	return newFixtureWith(t, st, nil)
}

func newFixtureWith(t testing.TB, st backend, g events.GroupAuthorizer) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), store: st, clock: fakeclock.New(t0), hook: &recordingHook{}}
	var err error
	f.svc, err = events.New(events.Config{Store: st, BaseURL: "https://events.example", Now: f.clock.Now, Hook: f.hook, Groups: g})
	require.NoError(t, err)
	return f
}

// actor stores a local Person actor and returns its id.
func (f *fixture) actor(name string) string {
	f.t.Helper()
	f.n++
	a := &identity.Actor{ID: fmt.Sprintf("actor-%s-%d", name, f.n), APID: "https://events.example/@" + name,
		Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example",
		Inbox: "https://events.example/@" + name + "/inbox", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.store.CreateActor(f.ctx, a))
	return a.ID
}

// input is a valid public event a week after t0.
func input(title string) events.Input {
	return events.Input{
		Title:    title,
		BeginsAt: t0.Add(7 * 24 * time.Hour),
		EndsAt:   t0.Add(7*24*time.Hour + 2*time.Hour),
		TimeZone: "Europe/Paris",
	}
}

func (f *fixture) create(organizer string, in events.Input) *events.Event {
	f.t.Helper()
	e, err := f.svc.Create(f.ctx, organizer, in)
	require.NoError(f.t, err)
	return e
}

func ptr[T any](v T) *T { return &v }
