package identity_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// misses counts lookups that staleStore answers with ErrNotFound.
type misses struct {
	byAPID, local, email atomic.Int32
}

func take(c *atomic.Int32) bool { return c.Add(-1) >= 0 }

// staleStore answers some lookups with ErrNotFound, as if a concurrent
// writer had not committed yet, inside transactions too. It forces the
// code paths that handle a lost race, which real concurrency hits only
// by chance.
type staleStore struct {
	identity.Store
	m *misses
}

func (s staleStore) GetActorByAPID(ctx context.Context, apID string) (*identity.Actor, error) {
	if take(&s.m.byAPID) {
		return nil, storage.ErrNotFound
	}
	return s.Store.GetActorByAPID(ctx, apID)
}

func (s staleStore) GetLocalActor(ctx context.Context, username string) (*identity.Actor, error) {
	if take(&s.m.local) {
		return nil, storage.ErrNotFound
	}
	return s.Store.GetLocalActor(ctx, username)
}

func (s staleStore) GetAccountByEmail(ctx context.Context, email string) (*identity.Account, error) {
	if take(&s.m.email) {
		return nil, storage.ErrNotFound
	}
	return s.Store.GetAccountByEmail(ctx, email)
}

func (s staleStore) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error {
		st, err := storage.As[identity.Store](tx)
		if err != nil {
			return err
		}
		return fn(staleStore{Store: st, m: s.m})
	})
}

func newStaleEnv(t *testing.T) (*env, *misses) {
	m := &misses{}
	e := newEnv(t, func(c *identity.Config) { c.Store = staleStore{Store: c.Store, m: m} })
	return e, m
}

// A registration that loses the race for an email or a username after
// the early checks writes nothing: the account and its profile are one
// transaction.
func TestRegisterLosesRace(t *testing.T) {
	t.Parallel()
	e, m := newStaleEnv(t)
	ctx := context.Background()
	first, _ := e.register(t, "sam@example.org", "sam")

	m.email.Store(1)
	before := e.state(t, first.ID)
	_, _, err := e.svc.Register(ctx, identity.RegisterInput{Email: "sam@example.org", Password: "long enough pw", Username: "sam2"})
	requireField(t, err, "email")
	require.ErrorIs(t, err, identity.ErrConflict)
	assert.Equal(t, before, e.state(t, first.ID))
	_, err = e.store.GetLocalActor(ctx, "sam2")
	require.ErrorIs(t, err, storage.ErrNotFound)

	m.local.Store(1)
	_, _, err = e.svc.Register(ctx, identity.RegisterInput{Email: "sam2@example.org", Password: "long enough pw", Username: "sam"})
	requireField(t, err, "username")
	require.ErrorIs(t, err, identity.ErrConflict)
	_, err = e.store.GetAccountByEmail(ctx, "sam2@example.org")
	require.ErrorIs(t, err, storage.ErrNotFound, "the account was rolled back with the profile")
	assert.Equal(t, before, e.state(t, first.ID))

	m.local.Store(1)
	_, err = e.svc.CreateProfile(ctx, first.ID, identity.ProfileInput{Username: "sam"})
	requireField(t, err, "username")
	require.ErrorIs(t, err, identity.ErrConflict)
	assert.Equal(t, before, e.state(t, first.ID))
}

// A first InstanceActor call that finds no actor but loses the create
// returns the winner's actor.
func TestInstanceActorLosesRace(t *testing.T) {
	t.Parallel()
	e, m := newStaleEnv(t)
	ctx := context.Background()
	winner, err := e.svc.InstanceActor(ctx)
	require.NoError(t, err)

	m.byAPID.Store(1)
	got, err := e.svc.InstanceActor(ctx)
	require.NoError(t, err)
	assert.Equal(t, winner, got)
}

// PutRemoteActor that finds no actor but loses the insert updates the
// winner's row.
func TestPutRemoteActorLosesRace(t *testing.T) {
	t.Parallel()
	e, m := newStaleEnv(t)
	ctx := context.Background()
	winner := e.putRemote(t, "remote.example", "tess")

	m.byAPID.Store(1)
	in := remoteActor(t, "remote.example", "tess")
	in.DisplayName = "Tess, updated"
	got, err := e.svc.PutRemoteActor(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, winner.ID, got.ID)
	stored, err := e.store.GetActorByAPID(ctx, in.APID)
	require.NoError(t, err)
	assert.Equal(t, "Tess, updated", stored.DisplayName)
}

// wrongHashStore finds a feed token for any hash: a backend whose lookup
// is looser than byte equality (a case-insensitive collation, a prefix
// index). ResolveFeedToken compares the hash itself.
type wrongHashStore struct {
	identity.Store
	accountID string
}

func (s wrongHashStore) GetFeedTokenByHash(context.Context, []byte) (*identity.FeedToken, error) {
	return &identity.FeedToken{ID: "loose", Hash: make([]byte, 32), AccountID: s.accountID}, nil
}

func TestResolveFeedTokenComparesTheHash(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "uli@example.org", "uli")
	text, _, err := e.svc.CreateFeedToken(ctx, a.ID, "")
	require.NoError(t, err)

	cfg := e.cfg
	cfg.Store = wrongHashStore{Store: e.store, accountID: a.ID}
	svc, err := identity.New(cfg)
	require.NoError(t, err)
	got, err := svc.ResolveFeedToken(ctx, text)
	require.ErrorIs(t, err, identity.ErrNotFound)
	assert.Nil(t, got)
}
