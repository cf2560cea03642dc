package identity_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// goneWorld is an env with a local profile and two remote actors of one
// server (sharing its shared inbox), following each other both ways.
type goneWorld struct {
	*env
	hook       *recordingHook
	local      *identity.Profile
	alice, bob *identity.Actor
}

func newGoneWorld(t *testing.T) *goneWorld {
	t.Helper()
	ctx := t.Context()
	h := &recordingHook{}
	e := newEnv(t, func(c *identity.Config) { c.Hook = h })
	_, local := e.register(t, "ada@example.org", "ada")
	alice, err := e.svc.PutRemoteActor(ctx, remoteActor(t, "remote.example", "alice"))
	require.NoError(t, err)
	bob, err := e.svc.PutRemoteActor(ctx, remoteActor(t, "remote.example", "bob"))
	require.NoError(t, err)
	for i, f := range [][2]string{{alice.ID, local.ID}, {local.ID, alice.ID}, {bob.ID, local.ID}, {local.ID, bob.ID}} {
		apID := "" // a local follower's is made up
		if f[0] != local.ID {
			apID = fmt.Sprintf("https://remote.example/follows/%d", i)
		}
		_, err := e.svc.Follow(ctx, f[0], f[1], apID)
		require.NoError(t, err)
	}
	h.changes = nil
	return &goneWorld{env: e, hook: h, local: local, alice: alice, bob: bob}
}

// follows reports which of the four follows remain, as "follower>followed"
// with names.
func (g *goneWorld) follows(t *testing.T) []string {
	t.Helper()
	name := map[string]string{g.local.ID: "ada", g.alice.ID: "alice", g.bob.ID: "bob"}
	var out []string
	for _, f := range [][2]string{{g.alice.ID, g.local.ID}, {g.local.ID, g.alice.ID}, {g.bob.ID, g.local.ID}, {g.local.ID, g.bob.ID}} {
		_, err := g.svc.GetFollow(t.Context(), f[0], f[1])
		if errors.Is(err, identity.ErrNotFound) {
			continue
		}
		require.NoError(t, err)
		out = append(out, name[f[0]]+">"+name[f[1]])
	}
	return out
}

func TestRemoteActorGone(t *testing.T) {
	t.Parallel()
	g := newGoneWorld(t)
	ctx := t.Context()
	when := g.clock.Now().UTC().Truncate(time.Microsecond)

	require.NoError(t, g.svc.RemoteActorGone(ctx, g.alice.APID))
	assert.Equal(t, []string{"bob>ada", "ada>bob"}, g.follows(t), "alice's follows, both ways, are gone")
	assert.Empty(t, g.hook.changes, "nobody is told of the removed follows")
	at, gone, err := g.svc.ActorGone(ctx, g.alice.ID)
	require.NoError(t, err)
	assert.True(t, gone)
	assert.Equal(t, when, at)
	_, gone, err = g.svc.ActorGone(ctx, g.bob.ID)
	require.NoError(t, err)
	assert.False(t, gone, "bob is not gone")
	a, err := g.svc.GetActorByAPID(ctx, g.alice.APID)
	require.NoError(t, err, "the actor stays: events and comments still name it")
	assert.Equal(t, g.alice.ID, a.ID)

	// Again, later: nothing changes, the first time is kept.
	g.clock.Advance(time.Hour)
	require.NoError(t, g.svc.RemoteActorGone(ctx, g.alice.APID))
	at, _, err = g.svc.ActorGone(ctx, g.alice.ID)
	require.NoError(t, err)
	assert.Equal(t, when, at)
}

func TestRemoteActorGoneRefuses(t *testing.T) {
	t.Parallel()
	g := newGoneWorld(t)
	ctx := t.Context()
	before := g.follows(t)
	tests := []struct {
		name  string
		apID  string
		field string // the *ValidationError's field; "" for ErrNotFound
	}{
		{"empty", "", "ap_id"},
		{"local actor", g.local.APID, "ap_id"},
		{"unknown actor", "https://remote.example/users/carol", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := g.svc.RemoteActorGone(ctx, tt.apID)
			if tt.field == "" {
				require.ErrorIs(t, err, identity.ErrNotFound)
			} else {
				var ve *identity.ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, tt.field, ve.Field)
			}
		})
	}
	assert.Equal(t, before, g.follows(t), "a refused call changes nothing")
	_, gone, err := g.svc.ActorGone(ctx, g.local.ID)
	require.NoError(t, err)
	assert.False(t, gone)
}

func TestInboxGone(t *testing.T) {
	t.Parallel()
	g := newGoneWorld(t)
	ctx := t.Context()

	// A shared inbox says nothing of any one actor.
	a, err := g.svc.InboxGone(ctx, g.alice.SharedInbox)
	require.NoError(t, err)
	assert.Nil(t, a, "shared inbox")
	// Nor does an inbox nobody has, or a local actor's.
	for _, inbox := range []string{"https://remote.example/users/carol/inbox", g.local.Inbox} {
		a, err = g.svc.InboxGone(ctx, inbox)
		require.NoError(t, err)
		assert.Nil(t, a, inbox)
	}
	assert.Len(t, g.follows(t), 4, "nothing changed")

	// alice's own inbox: alice is gone.
	a, err = g.svc.InboxGone(ctx, g.alice.Inbox)
	require.NoError(t, err)
	require.NotNil(t, a)
	assert.Equal(t, g.alice.ID, a.ID)
	assert.Equal(t, []string{"bob>ada", "ada>bob"}, g.follows(t))
	_, gone, err := g.svc.ActorGone(ctx, g.alice.ID)
	require.NoError(t, err)
	assert.True(t, gone)

	var ve *identity.ValidationError
	_, err = g.svc.InboxGone(ctx, "")
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, "inbox", ve.Field)
}

func TestInboxGoneAmbiguous(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	e := newEnv(t)
	// Two actors claim one personal inbox; and a server whose actors
	// all use their shared inbox as personal inbox too.
	for _, name := range []string{"x", "y"} {
		r := remoteActor(t, "odd.example", name)
		r.Inbox = "https://odd.example/inbox/common"
		_, err := e.svc.PutRemoteActor(ctx, r)
		require.NoError(t, err)
	}
	solo := remoteActor(t, "solo.example", "z")
	solo.Inbox = solo.SharedInbox
	_, err := e.svc.PutRemoteActor(ctx, solo)
	require.NoError(t, err)
	for _, inbox := range []string{"https://odd.example/inbox/common", solo.Inbox} {
		a, err := e.svc.InboxGone(ctx, inbox)
		require.NoError(t, err)
		assert.Nil(t, a, inbox)
	}
}

// noGoneStore is a Store without GoneStore.
type noGoneStore struct{ identity.Store }

func TestGoneNeedsGoneStore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	svc, err := identity.New(identity.Config{Store: noGoneStore{e.store}, BaseURL: testBaseURL, Argon2: cheapArgon2()})
	require.NoError(t, err)
	ctx := t.Context()
	require.Error(t, svc.RemoteActorGone(ctx, "https://remote.example/users/alice"))
	_, err = svc.InboxGone(ctx, "https://remote.example/users/alice/inbox")
	require.Error(t, err)
	_, _, err = svc.ActorGone(ctx, "x")
	require.Error(t, err)
}

// failingGoneStore fails MarkActorGone inside the transaction, after
// the follows are read.
type failingGoneStore struct {
	identity.Store
}

func (s failingGoneStore) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error { return fn(failingGoneTx{tx.(goneTx)}) })
}

type goneTx interface {
	storage.Tx
	identity.Store
	identity.GoneStore
}

type failingGoneTx struct{ goneTx }

func (failingGoneTx) MarkActorGone(context.Context, string, time.Time) error {
	return fmt.Errorf("disk full: %w", errors.ErrUnsupported)
}

func (s failingGoneStore) ActorsByInbox(ctx context.Context, inbox string, limit int) ([]identity.Actor, error) {
	return s.Store.(identity.GoneStore).ActorsByInbox(ctx, inbox, limit)
}

func (s failingGoneStore) MarkActorGone(ctx context.Context, id string, at time.Time) error {
	return errors.ErrUnsupported
}

func (s failingGoneStore) ActorGoneAt(ctx context.Context, id string) (time.Time, error) {
	return s.Store.(identity.GoneStore).ActorGoneAt(ctx, id)
}

func TestRemoteActorGoneStoreError(t *testing.T) {
	t.Parallel()
	g := newGoneWorld(t)
	svc, err := identity.New(identity.Config{Store: failingGoneStore{g.store}, BaseURL: testBaseURL, Argon2: cheapArgon2()})
	require.NoError(t, err)
	ctx := t.Context()
	err = svc.RemoteActorGone(ctx, g.alice.APID)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = svc.InboxGone(ctx, g.alice.Inbox)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	assert.Len(t, g.follows(t), 4, "nothing changed")
}

// A delivery to a remote actor's inbox answered 410 Gone: the worker
// (federation/delivery Config.Gone) hands the inbox to InboxGone.
func ExampleService_InboxGone() {
	svc, cleanup := exampleService()
	defer cleanup()
	ctx := context.Background()
	keys, err := sharedKeys()
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&keys[0].PublicKey)
	if err != nil {
		panic(err)
	}
	_, err = svc.PutRemoteActor(ctx, &identity.Actor{
		APID: "https://remote.example/users/alice", Type: identity.TypePerson, Username: "alice",
		Inbox: "https://remote.example/users/alice/inbox", SharedInbox: "https://remote.example/inbox",
		PublicKeyID:  "https://remote.example/users/alice#main-key",
		PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
	})
	if err != nil {
		panic(err)
	}

	// A shared inbox's 410 says nothing of one actor.
	a, err := svc.InboxGone(ctx, "https://remote.example/inbox")
	fmt.Println(a, err)
	// A personal inbox's does.
	a, err = svc.InboxGone(ctx, "https://remote.example/users/alice/inbox")
	fmt.Println(a.APID, err)
	_, gone, err := svc.ActorGone(ctx, a.ID)
	fmt.Println(gone, err)
	// Output:
	// <nil> <nil>
	// https://remote.example/users/alice <nil>
	// true <nil>
}
