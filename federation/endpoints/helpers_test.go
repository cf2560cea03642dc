package endpoints_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

const base = "https://events.example"

// t0 is the instance clock.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	keyErr  error
)

// fixedKey returns the pre-generated key of testdata: generating RSA
// keys under -race is slow. Every actor of the tests shares it; the
// signature tests tell signers apart by keyId.
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

// keysOf resolves keyIds to the keys of the instance's actors: the fake
// a real resolver's cache would be.
type keysOf struct{ id *identity.Service }

func (k keysOf) ResolveKey(ctx context.Context, keyID string, _ bool) (httpsig.Key, error) {
	a, err := k.id.GetActorByAPID(ctx, strings.TrimSuffix(keyID, "#main-key"))
	if err != nil {
		return httpsig.Key{}, err
	}
	pub, err := identity.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return httpsig.Key{}, err
	}
	return httpsig.Key{PublicKey: pub, Owner: a.APID}, nil
}

// tombstones is a fake Tombstones over a map.
type tombstones map[string]wire.Tombstone

func (t tombstones) Tombstone(_ context.Context, apID string) (*wire.Tombstone, error) {
	if ts, ok := t[apID]; ok {
		return &ts, nil
	}
	return nil, storage.ErrNotFound
}

// usage is a fake UsageSource.
type usage struct {
	u   endpoints.Usage
	err error
}

func (u usage) Usage(context.Context) (endpoints.Usage, error) { return u.u, u.err }

// world is an instance over a fresh SQLite database with a few actors,
// events and the endpoints.
type world struct {
	t     testing.TB
	ctx   context.Context
	inst  *convene.Instance
	store convene.Store
	ep    *endpoints.Endpoints
	mux   http.Handler

	alice, bob, carol *identity.Profile
	suspended         *identity.Profile
	group             *groups.Group
	public, past      *events.Event
	private, draft    *events.Event
	groupEvent        *events.Event
}

func newWorld(t testing.TB, edit ...func(*endpoints.Config)) *world {
	t.Helper()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	inst, err := convene.New(convene.Config{Store: st, BaseURL: base, Now: func() time.Time { return t0 },
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: fixedKey})
	require.NoError(t, err)
	w := &world{t: t, ctx: ctx, inst: inst, store: st}
	reg := func(name string) *identity.Profile {
		_, p, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: name + "@mail.example",
			Password: "correct horse battery", Username: name, DisplayName: strings.ToUpper(name)})
		require.NoError(t, err)
		return p
	}
	w.alice, w.bob, w.carol, w.suspended = reg("alice"), reg("bob"), reg("carol"), reg("mallory")
	_, err = inst.Identity.Suspend(ctx, w.suspended.AccountID, true)
	require.NoError(t, err)

	w.group, err = inst.Groups.Create(ctx, w.alice.ID, groups.CreateInput{Username: "climate", DisplayName: "Climate",
		Openness: groups.Open, Visibility: groups.Public})
	require.NoError(t, err)
	_, err = inst.Groups.Join(ctx, w.group.ID, w.bob.ID, "")
	require.NoError(t, err)

	in := func(title string, begins time.Time) events.Input {
		return events.Input{Title: title, BeginsAt: begins, EndsAt: begins.Add(2 * time.Hour), TimeZone: "Europe/Paris"}
	}
	w.public, err = inst.Events.Create(ctx, w.alice.ID, in("Picnic", t0.Add(48*time.Hour)))
	require.NoError(t, err)
	w.past, err = inst.Events.Create(ctx, w.alice.ID, in("Past talk", t0.Add(-72*time.Hour)))
	require.NoError(t, err)
	w.private, err = inst.Events.Create(ctx, w.alice.ID, in("Secret dinner", t0.Add(24*time.Hour)))
	require.NoError(t, err)
	_, err = inst.Events.Join(ctx, w.private.ID, w.bob.ID, events.JoinInput{})
	require.NoError(t, err)
	priv := in("Secret dinner", t0.Add(24*time.Hour))
	priv.Visibility = events.Private
	w.private, err = inst.Events.Update(ctx, w.alice.ID, w.private.ID, priv)
	require.NoError(t, err)
	draft := in("Draft", t0.Add(24*time.Hour))
	draft.Draft = true
	w.draft, err = inst.Events.Create(ctx, w.alice.ID, draft)
	require.NoError(t, err)
	gin := in("Group march", t0.Add(96*time.Hour))
	gin.GroupID = w.group.ID
	w.groupEvent, err = inst.Events.Create(ctx, w.alice.ID, gin)
	require.NoError(t, err)

	v, err := httpsig.NewVerifier(httpsig.Config{Keys: keysOf{inst.Identity}})
	require.NoError(t, err)
	cfg := endpoints.Config{BaseURL: base, Identity: inst.Identity, Groups: inst.Groups, Events: inst.Events,
		Store: st, Verifier: v, Now: func() time.Time { return t0 },
		HTML: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			rw.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = io.WriteString(rw, "<p>html page</p>")
		})}
	for _, e := range edit {
		e(&cfg)
	}
	w.ep, err = endpoints.New(cfg)
	require.NoError(t, err)
	w.mux = endpoints.NewMux(w.ep)
	return w
}

// get fetches path through the mux with an Accept header; signer, when
// not nil, signs the request (cavage) as that actor.
func (w *world) get(path, accept string, signer *identity.Actor) *httptest.ResponseRecorder {
	w.t.Helper()
	r := httptest.NewRequest(http.MethodGet, base+path, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	if signer != nil {
		key, err := fixedKey()
		require.NoError(w.t, err)
		s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: signer.APID + "#main-key", Key: key})
		require.NoError(w.t, err)
		require.NoError(w.t, s.Sign(r, nil, httpsig.Cavage))
	}
	rec := httptest.NewRecorder()
	w.mux.ServeHTTP(rec, r)
	return rec
}

// as2 fetches path as ActivityStreams and decodes the JSON answer.
func (w *world) as2(path string, signer *identity.Actor, wantStatus int) map[string]any {
	w.t.Helper()
	rec := w.get(path, wire.ContentType, signer)
	require.Equal(w.t, wantStatus, rec.Code, "GET %s: %s", path, rec.Body.String())
	if rec.Code >= 300 && rec.Code != http.StatusGone {
		return nil
	}
	require.Equal(w.t, wire.ContentType, rec.Header().Get("Content-Type"))
	var m map[string]any
	require.NoError(w.t, json.Unmarshal(rec.Body.Bytes(), &m), rec.Body.String())
	return m
}

func decode(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m), string(body))
	return m
}

var errBoom = errors.New("boom")

// publicPEM is the SPKI PEM of fixedKey.
func publicPEM(t *testing.T) string {
	t.Helper()
	k, err := fixedKey()
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
