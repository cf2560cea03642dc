package identity_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

const testBaseURL = "https://events.example"

// env is a Service on a fresh SQLite store, with a fake clock.
type env struct {
	svc   *identity.Service
	store identity.Store
	clock *clock
	cfg   identity.Config
}

// newEnv returns an env; opts adjust the Config before New.
func newEnv(t *testing.T, opts ...func(*identity.Config)) *env {
	t.Helper()
	st := sqlitetest.Open(t)
	c := newClock()
	cfg := identity.Config{
		Store:       st,
		BaseURL:     testBaseURL,
		Now:         c.Now,
		Argon2:      cheapArgon2(),
		GenerateKey: keyGen(t),
	}
	for _, o := range opts {
		o(&cfg)
	}
	svc, err := identity.New(cfg)
	require.NoError(t, err)
	return &env{svc: svc, store: st, clock: c, cfg: cfg}
}

// register opens a confirmed account with one profile.
func (e *env) register(t *testing.T, email, username string) (*identity.Account, *identity.Profile) {
	t.Helper()
	ctx := context.Background()
	a, p, err := e.svc.Register(ctx, identity.RegisterInput{
		Email: email, Password: "a long enough password", Username: username, DisplayName: username,
	})
	require.NoError(t, err)
	a, err = e.svc.ConfirmAccount(ctx, a.ID)
	require.NoError(t, err)
	return a, p
}

// remoteActor returns a valid remote Person on domain (not stored).
func remoteActor(t *testing.T, domain, username string) *identity.Actor {
	t.Helper()
	keys, err := sharedKeys()
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&keys[2].PublicKey)
	require.NoError(t, err)
	id := "https://" + domain + "/users/" + username
	return &identity.Actor{
		APID:         id,
		Type:         identity.TypePerson,
		Username:     username,
		Domain:       domain,
		DisplayName:  username,
		URL:          "https://" + domain + "/@" + username,
		Inbox:        id + "/inbox",
		SharedInbox:  "https://" + domain + "/inbox",
		Outbox:       id + "/outbox",
		Followers:    id + "/followers",
		Following:    id + "/following",
		PublicKeyID:  id + "#main-key",
		PublicKeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
	}
}

// putRemote stores a remote actor through the service.
func (e *env) putRemote(t *testing.T, domain, username string) *identity.Actor {
	t.Helper()
	a, err := e.svc.PutRemoteActor(context.Background(), remoteActor(t, domain, username))
	require.NoError(t, err)
	return a
}

// localActor stores a local actor of type typ built by NewLocalActor.
func (e *env) localActor(t *testing.T, typ identity.ActorType, username string, manual bool) *identity.Actor {
	t.Helper()
	a, err := e.svc.NewLocalActor(context.Background(), typ, username, username)
	require.NoError(t, err)
	a.ManuallyApprovesFollowers = manual
	require.NoError(t, e.store.CreateActor(context.Background(), a))
	return a
}

// accountState is everything stored about an account, to check that a
// refused call changed nothing.
type accountState struct {
	Account  *identity.Account
	Profiles []identity.Profile
	Tokens   []identity.FeedToken
}

func (e *env) state(t *testing.T, accountID string) accountState {
	t.Helper()
	ctx := context.Background()
	a, err := e.store.GetAccount(ctx, accountID)
	require.NoError(t, err)
	ps, err := e.store.ListProfiles(ctx, accountID)
	require.NoError(t, err)
	ts, err := e.store.ListFeedTokens(ctx, accountID)
	require.NoError(t, err)
	return accountState{Account: a, Profiles: ps, Tokens: ts}
}
