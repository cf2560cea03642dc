package outbox_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"fmt"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

const base = "https://events.example"

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	keyErr  error
)

// fixedKey returns the pre-generated key of testdata: generating RSA
// keys under -race is slow.
func fixedKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() {
		var b []byte
		if b, keyErr = os.ReadFile("testdata/rsa1.pem"); keyErr != nil {
			return
		}
		var k crypto.Signer
		if k, keyErr = identity.ParsePrivateKeyPEM(string(b)); keyErr == nil {
			testKey = k.(*rsa.PrivateKey)
		}
	})
	return testKey, keyErr
}

var cheapArgon2 = identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}

// clock is the tests' fake clock.
type clock = fakeclock.Clock

// counter makes deterministic ids.
type counter struct {
	mu sync.Mutex
	n  int
}

func (c *counter) next() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	return fmt.Sprintf("id%d", c.n)
}

// world is an instance over SQLite with the outbox wired, a local
// profile alice, a local profile bob, and remote actors:
// r1 and r2 on a.example (shared inbox), r3 on b.example (own inbox
// only) and evil on c.example, whose inbox is on our host.
type world struct {
	t     *testing.T
	ctx   context.Context
	clock *clock
	store convene.Store
	queue delivery.Queue
	inst  *convene.Instance

	alice, bob       *identity.Profile
	r1, r2, r3, evil *identity.Actor
	parser           *wire.Parser
	// notified counts the outbox's Notify calls.
	notified atomic.Int64
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	clk := fakeclock.New(t0)
	ids := &counter{}
	w := &world{t: t, ctx: ctx, clock: clk}
	ob, err := outbox.New(outbox.Config{BaseURL: base, Now: clk.Now, NewID: ids.next, Notify: func() { w.notified.Add(1) }})
	require.NoError(t, err)
	inst, err := convene.New(convene.Config{Store: st, BaseURL: base, Now: clk.Now, Argon2: cheapArgon2,
		GenerateKey: fixedKey, EventHook: ob, GroupHook: ob, IdentityHook: ob})
	require.NoError(t, err)
	p, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)
	w.store, w.queue, w.inst, w.parser = st, st, inst, p
	w.alice, w.bob = w.register("alice"), w.register("bob")
	w.r1 = w.remote("https://a.example/users/r1", "https://a.example/users/r1/inbox", "https://a.example/inbox")
	w.r2 = w.remote("https://a.example/users/r2", "https://a.example/users/r2/inbox", "https://a.example/inbox")
	w.r3 = w.remote("https://b.example/users/r3", "https://b.example/users/r3/inbox", "")
	w.evil = w.remote("https://c.example/users/evil", base+"/inbox", "")
	return w
}

func (w *world) register(name string) *identity.Profile {
	w.t.Helper()
	_, p, err := w.inst.Identity.Register(w.ctx, identity.RegisterInput{Email: name + "@mail.example",
		Password: "correct horse battery", Username: name, DisplayName: name})
	require.NoError(w.t, err)
	return p
}

func (w *world) remote(apID, inbox, shared string) *identity.Actor {
	w.t.Helper()
	a, err := w.inst.Identity.PutRemoteActor(w.ctx, &identity.Actor{APID: apID, Type: identity.TypePerson,
		Username: "u", Inbox: inbox, SharedInbox: shared, Followers: apID + "/followers"})
	require.NoError(w.t, err)
	return a
}

// follow makes each follower follow followedID (accepted at once), and
// takes the Accepts sent to the remote ones out of the queue.
func (w *world) follow(followedID string, followers ...*identity.Actor) {
	w.t.Helper()
	for _, f := range followers {
		_, err := w.inst.Identity.Follow(w.ctx, f.ID, followedID, f.APID+"/follows/"+followedID)
		require.NoError(w.t, err)
	}
	for _, s := range w.drain() {
		require.Equal(w.t, wire.TypeAccept, s.Activity.Type)
	}
}

// sent is one queued activity with the inboxes it goes to.
type sent struct {
	ID, Signer string
	Inboxes    []string
	Activity   *wire.ParsedActivity
}

// drain takes every queued job out of the queue (completing it) and
// groups the jobs by activity, in queue order.
func (w *world) drain() []sent {
	w.t.Helper()
	jobs, err := w.queue.Lease(w.ctx, t0.Add(24*time.Hour*365), 10_000, time.Minute, 0)
	require.NoError(w.t, err)
	var out []sent
	index := map[string]int{}
	for _, j := range jobs {
		require.NoError(w.t, w.queue.Complete(w.ctx, j.ID, j.Attempt))
		i, ok := index[j.ActivityID]
		if !ok {
			a, err := w.parser.ParseActivity(j.Body)
			require.NoError(w.t, err, string(j.Body))
			require.Equal(w.t, j.ActivityID, a.ID)
			i = len(out)
			index[j.ActivityID] = i
			out = append(out, sent{ID: j.ActivityID, Signer: j.ActorID, Activity: a})
		}
		require.Equal(w.t, out[i].Signer, j.ActorID)
		out[i].Inboxes = append(out[i].Inboxes, j.Inbox)
	}
	for i := range out {
		sort.Strings(out[i].Inboxes)
		for _, in := range out[i].Inboxes {
			require.NotContains(w.t, in, "events.example", "a job to our own host")
			require.False(w.t, delivery.IsPublic(in))
		}
	}
	return out
}

func input(title string, begins time.Time) events.Input {
	return events.Input{Title: title, BeginsAt: begins, EndsAt: begins.Add(2 * time.Hour), TimeZone: "Europe/Paris"}
}
