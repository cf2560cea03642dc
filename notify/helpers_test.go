package notify

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail/mailtest"
	"codeberg.org/convene/convene/storage"
)

var testNow = time.Date(2026, 3, 13, 12, 0, 0, 0, time.UTC)

// fakeDir is a Directory over maps.
type fakeDir struct {
	profiles map[string]*identity.Profile
	accounts map[string]*identity.Account
	actors   map[string]*identity.Actor // other actors than profiles (remote people)
}

func (d *fakeDir) GetProfile(_ context.Context, id string) (*identity.Profile, error) {
	if p, ok := d.profiles[id]; ok {
		return p, nil
	}
	return nil, identity.ErrNotFound
}

func (d *fakeDir) GetAccount(_ context.Context, id string) (*identity.Account, error) {
	if a, ok := d.accounts[id]; ok {
		return a, nil
	}
	return nil, fmt.Errorf("wrapped: %w", storage.ErrNotFound)
}

func (d *fakeDir) GetActor(_ context.Context, id string) (*identity.Actor, error) {
	if p, ok := d.profiles[id]; ok {
		return &p.Actor, nil
	}
	if a, ok := d.actors[id]; ok {
		return a, nil
	}
	return nil, identity.ErrNotFound
}

// fakeEvents is an EventStore over slices.
type fakeEvents struct {
	mu     sync.Mutex
	single []events.Event
	series []events.Event
	parts  map[string][]events.Participant
}

func (f *fakeEvents) FindEvents(_ context.Context, q events.StoreQuery) ([]events.Event, error) {
	var out []events.Event
	for _, e := range f.single {
		if e.BeginsAt.Before(q.From) || !e.BeginsAt.Before(q.To) {
			continue
		}
		if !q.After.IsZero() && (e.BeginsAt.Before(q.After.At) || e.BeginsAt.Equal(q.After.At) && e.ID <= q.After.ID) {
			continue
		}
		out = append(out, e)
	}
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, nil
}

func (f *fakeEvents) FindSeries(context.Context, events.StoreQuery) ([]events.Event, error) {
	return slices.Clone(f.series), nil
}

func (f *fakeEvents) ListParticipants(_ context.Context, eventID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []events.Participant
	for _, p := range f.parts[eventID] {
		if len(roles) > 0 && !slices.Contains(roles, p.Role) {
			continue
		}
		if !after.IsZero() && (p.CreatedAt.Before(after.At) || p.CreatedAt.Equal(after.At) && p.ID <= after.ID) {
			continue
		}
		out = append(out, p)
		if len(out) == limit {
			break
		}
	}
	return out, nil
}

// fakeTx is a transaction that runs its AfterCommit functions on commit.
type fakeTx struct{ after []func() }

func (tx *fakeTx) InTx(ctx context.Context, fn func(storage.Tx) error) error { return fn(tx) }
func (tx *fakeTx) AfterCommit(fn func())                                     { tx.after = append(tx.after, fn) }
func (tx *fakeTx) commit() {
	for _, fn := range tx.after {
		fn()
	}
}

// plainTx cannot run functions after commit.
type plainTx struct{}

func (plainTx) InTx(ctx context.Context, fn func(storage.Tx) error) error { return fn(plainTx{}) }

// world is a small instance: accounts, profiles, an event.
type world struct {
	dir    *fakeDir
	events *fakeEvents
	mail   *mailtest.Recorder
	n      *Notifier
	event  events.Event
}

func profile(id, account, name string) *identity.Profile {
	return &identity.Profile{Actor: identity.Actor{ID: id, APID: "https://events.example/@" + id, Local: true,
		Username: id, DisplayName: name, Type: identity.TypePerson}, AccountID: account}
}

func newWorld(t testing.TB, cfg Config) *world {
	t.Helper()
	paris := "Europe/Paris"
	begins := time.Date(2026, 3, 14, 13, 0, 0, 0, time.UTC)
	w := &world{
		dir: &fakeDir{
			profiles: map[string]*identity.Profile{
				"org":    profile("org", "acc-org", "Repair Café"),
				"alice":  profile("alice", "acc-alice", "Alice"),
				"alice2": profile("alice2", "acc-alice", "Alice again"),
				"zoe":    profile("zoe", "acc-zoe", "Zoé"),
				"unconf": profile("unconf", "acc-unconf", "Unconfirmed"),
				"susp":   profile("susp", "acc-susp", "Suspended"),
			},
			accounts: map[string]*identity.Account{
				"acc-org":    {ID: "acc-org", Email: "org@example.net", Confirmed: true},
				"acc-alice":  {ID: "acc-alice", Email: "alice@example.net", Confirmed: true, Locale: "en-GB", TimeZone: "America/New_York"},
				"acc-zoe":    {ID: "acc-zoe", Email: "zoe@example.net", Confirmed: true, Locale: "fr"},
				"acc-unconf": {ID: "acc-unconf", Email: "unconf@example.net"},
				"acc-susp":   {ID: "acc-susp", Email: "susp@example.net", Confirmed: true, Suspended: true},
			},
		},
		events: &fakeEvents{parts: map[string][]events.Participant{}},
		mail:   mailtest.New(),
		event: events.Event{ID: "ev1", APID: "https://events.example/events/ev1", URL: "https://events.example/events/ev1",
			Local: true, OrganizerID: "org", CreatorID: "org", Title: "Repair Café",
			BeginsAt: begins, EndsAt: begins.Add(4 * time.Hour), TimeZone: paris,
			Status: events.Confirmed, Visibility: events.Public, JoinMode: events.JoinFree,
			Place:     &geo.Place{Name: "Maison du quartier", Street: "1 rue de la Paix", PostalCode: "75002", Locality: "Paris"},
			CreatedAt: testNow.Add(-time.Hour), UpdatedAt: testNow},
	}
	at := testNow.Add(-time.Hour)
	part := func(id, actor string, role events.ParticipantRole) events.Participant {
		at = at.Add(time.Second)
		return events.Participant{ID: id, EventID: "ev1", ActorID: actor, Role: role, CreatedAt: at}
	}
	anon := part("p-anon", "", events.RoleParticipant)
	anon.Email, anon.Locale = "anon@example.net", "fr-CA"
	unconfirmedAnon := part("p-anon2", "", events.RoleNotConfirmed)
	unconfirmedAnon.Email = "anon2@example.net"
	w.events.parts["ev1"] = []events.Participant{
		part("p-org", "org", events.RoleCreator),
		part("p-alice", "alice", events.RoleParticipant),
		part("p-alice2", "alice2", events.RoleWaitlisted), // same account: one message
		part("p-zoe", "zoe", events.RoleParticipant),
		part("p-remote", "remote-actor", events.RoleParticipant),
		part("p-unconf", "unconf", events.RoleParticipant),
		part("p-susp", "susp", events.RoleParticipant),
		part("p-rejected", "zoe-rejected", events.RoleRejected),
		anon, unconfirmedAnon,
	}
	cfg.Mail, cfg.Identity, cfg.Events = w.mail, w.dir, w.events
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://events.example"
	}
	if cfg.InstanceName == "" {
		cfg.InstanceName = "Events Example"
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return testNow }
	}
	n, err := New(cfg)
	require.NoError(t, err)
	w.n = n
	return w
}

// drain sends what the queue holds, as Run would.
func (w *world) drain(ctx context.Context) {
	for {
		select {
		case j := <-w.n.queue:
			w.n.process(ctx, j)
		default:
			return
		}
	}
}

func recipients(r *mailtest.Recorder) []string {
	var out []string
	for _, m := range r.Messages() {
		out = append(out, m.To)
	}
	slices.Sort(out)
	return out
}
