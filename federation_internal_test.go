package convene

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// TestGoneInboxFreesSeats: a 410 from a remote actor's own inbox marks
// the actor gone and frees what it held here: its seat at a local event
// goes to the first on the waitlist.
func TestGoneInboxFreesSeats(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	inst, err := New(Config{Store: sqlitetest.Open(t), BaseURL: "https://events.example", Now: func() time.Time { return now },
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: func() (*rsa.PrivateKey, error) { return key, nil }, Federation: &FederationConfig{}})
	require.NoError(t, err)
	_, org, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: "org@example.org",
		Password: "a long enough password", Username: "org"})
	require.NoError(t, err)
	ev, err := inst.Events.Create(ctx, org.ID, events.Input{Title: "Picnic", BeginsAt: now.Add(48 * time.Hour), Capacity: 1})
	require.NoError(t, err)
	remote := func(name string) *identity.Actor {
		a, err := inst.Identity.PutRemoteActor(ctx, &identity.Actor{APID: "https://gone.example/users/" + name,
			Type: identity.TypePerson, Username: name, Domain: "gone.example",
			Inbox: "https://gone.example/users/" + name + "/inbox"})
		require.NoError(t, err)
		_, err = inst.Events.Join(ctx, ev.ID, a.ID, events.JoinInput{})
		require.NoError(t, err)
		return a
	}
	x, y := remote("x"), remote("y")
	role := func(a *identity.Actor) events.ParticipantRole {
		p, err := inst.Events.Participation(ctx, ev.ID, a.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return ""
		}
		require.NoError(t, err)
		return p.Role
	}
	require.Equal(t, events.RoleParticipant, role(x))
	require.Equal(t, events.RoleWaitlisted, role(y))

	inst.Federation.gone(ctx, delivery.Job{Inbox: x.Inbox})
	_, gone, err := inst.Identity.ActorGone(ctx, x.ID)
	require.NoError(t, err)
	assert.True(t, gone)
	assert.Equal(t, events.ParticipantRole(""), role(x), "the gone actor's seat is free")
	assert.Equal(t, events.RoleParticipant, role(y), "and taken from the waitlist")
}
