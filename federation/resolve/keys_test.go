package resolve_test

import (
	"bytes"
	"context"
	"crypto"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/resolve"
)

// samePublic asserts that got is the public key of k.
func samePublic(t *testing.T, k crypto.Signer, got crypto.PublicKey) {
	t.Helper()
	type equaler interface{ Equal(crypto.PublicKey) bool }
	assert.True(t, k.Public().(equaler).Equal(got), "unexpected public key")
}

func TestResolveKeyFragment(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)

	k, err := e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	samePublic(t, e.k1, k.PublicKey)
	assert.Equal(t, iri, k.Owner)
	assert.True(t, k.Fresh)
	assert.Equal(t, 1, p.count("/users/alice"))

	k, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	assert.False(t, k.Fresh, "from the cache")
	assert.Equal(t, 1, p.count("/users/alice"))
}

func TestResolveKeyRotation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)
	_, err := e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)

	p.person("/users/alice", "alice", "", e.k2) // rotated
	k, err := e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	samePublic(t, e.k1, k.PublicKey) // the cache still has the old one
	assert.False(t, k.Fresh)

	k, err = e.r.ResolveKey(ctx, iri+"#main-key", true)
	require.NoError(t, err)
	samePublic(t, e.k2, k.PublicKey)
	assert.True(t, k.Fresh)
	assert.Equal(t, 2, p.count("/users/alice"))

	k, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	samePublic(t, e.k2, k.PublicKey)
}

// TestVerifierRefresh runs the Verifier over the Resolver: a request
// signed with a rotated key verifies after one refresh.
func TestVerifierRefresh(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)
	v, err := httpsig.NewVerifier(httpsig.Config{Keys: e.r, Now: e.clock.Now})
	require.NoError(t, err)
	verify := func(k crypto.Signer) (*httpsig.Result, error) {
		s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: iri + "#main-key", Key: k, Now: e.clock.Now})
		require.NoError(t, err)
		body := []byte(`{"type":"Follow"}`)
		req, err := http.NewRequest(http.MethodPost, base+"/inbox", bytes.NewReader(body))
		require.NoError(t, err)
		require.NoError(t, s.Sign(req, body, httpsig.Cavage))
		return v.Verify(ctx, req, body)
	}
	res, err := verify(e.k1)
	require.NoError(t, err)
	assert.Equal(t, iri, res.Owner)
	assert.False(t, res.Refreshed)

	p.person("/users/alice", "alice", "", e.k2)
	res, err = verify(e.k2)
	require.NoError(t, err)
	assert.True(t, res.Refreshed)
	assert.Equal(t, 2, p.count("/users/alice"))

	// Forged signatures: no refresh within the cool-off of that host,
	// then one.
	_, err = verify(e.k1)
	require.ErrorIs(t, err, httpsig.ErrBadSignature)
	assert.Equal(t, 2, p.count("/users/alice"))
	e.clock.Advance(httpsig.RefreshCooloff)
	for range 3 {
		_, err = verify(e.k1)
		require.ErrorIs(t, err, httpsig.ErrBadSignature)
	}
	assert.Equal(t, 3, p.count("/users/alice"))
}

func TestResolveKeyPath(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	k := publicPEM(t, e.k1)
	iri := p.person("/users/gts", "gts", p.iri("/users/gts/main-key"), e.k1)
	keyID := iri + "/main-key"
	// GoToSocial serves a stub of the actor at the key's path.
	p.setJSON("/users/gts/main-key", map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"type": "Person", "id": iri, "preferredUsername": "gts",
		"publicKey": map[string]any{"id": keyID, "owner": iri, "publicKeyPem": k}})

	got, err := e.r.ResolveKey(ctx, keyID, false)
	require.NoError(t, err)
	samePublic(t, e.k1, got.PublicKey)
	assert.Equal(t, iri, got.Owner)
	assert.True(t, got.Fresh)
	assert.Equal(t, 1, p.count("/users/gts/main-key"))
	assert.Equal(t, 1, p.count("/users/gts"))

	got, err = e.r.ResolveKey(ctx, keyID, false)
	require.NoError(t, err)
	assert.False(t, got.Fresh)
	assert.Equal(t, 1, p.count("/users/gts/main-key"), "the owner is remembered")
	assert.Equal(t, 1, p.count("/users/gts"))

	// Rotation: refresh fetches the owner again.
	p.person("/users/gts", "gts", keyID, e.k2)
	got, err = e.r.ResolveKey(ctx, keyID, true)
	require.NoError(t, err)
	samePublic(t, e.k2, got.PublicKey)
	assert.Equal(t, 2, p.count("/users/gts"))
}

func TestResolveKeyDocument(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/bob", "bob", p.iri("/keys/bob"), e.k2)
	p.setJSON("/keys/bob", map[string]any{"@context": "https://w3id.org/security/v1", "type": "CryptographicKey",
		"id": p.iri("/keys/bob"), "owner": iri, "publicKeyPem": publicPEM(t, e.k1)}) // its PEM is not trusted

	got, err := e.r.ResolveKey(ctx, p.iri("/keys/bob"), false)
	require.NoError(t, err)
	samePublic(t, e.k2, got.PublicKey)
	assert.Equal(t, iri, got.Owner)

	// FEP-521a style: controller instead of owner, type as an array,
	// the controller as an object.
	dan := p.person("/users/dan", "dan", p.iri("/keys/dan"), e.k1)
	p.setJSON("/keys/dan", map[string]any{"type": []string{"Multikey"}, "id": p.iri("/keys/dan"),
		"controller": map[string]any{"id": dan}})
	got, err = e.r.ResolveKey(ctx, p.iri("/keys/dan"), false)
	require.NoError(t, err)
	samePublic(t, e.k1, got.PublicKey)
	assert.Equal(t, dan, got.Owner)
}

// TestResolveKeyActorIRI: a keyId that is the actor's IRI itself.
func TestResolveKeyActorIRI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/carol", "carol", p.iri("/users/carol"), e.k1)
	got, err := e.r.ResolveKey(ctx, iri, false)
	require.NoError(t, err)
	samePublic(t, e.k1, got.PublicKey)
	assert.Equal(t, iri, got.Owner)
	assert.Equal(t, 1, p.count("/users/carol"))
	_, err = e.r.ResolveKey(ctx, iri, false)
	require.NoError(t, err)
	assert.Equal(t, 1, p.count("/users/carol"), "cached")
}

func TestResolveKeyRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		setup   func(e *env, p, other *peer) string // returns the keyId
		wantErr error
		other   int // requests the other host may get
	}{
		"actor does not list the key": {
			setup: func(e *env, p, _ *peer) string {
				return p.person("/users/alice", "alice", "", e.k1) + "#other-key"
			},
			wantErr: resolve.ErrMismatch,
		},
		"actor lists another key path": {
			setup: func(e *env, p, _ *peer) string {
				iri := p.person("/users/alice", "alice", "", e.k1)
				p.setJSON("/users/alice/main-key", map[string]any{"type": "Person", "id": iri})
				return iri + "/main-key"
			},
			wantErr: resolve.ErrMismatch,
		},
		"key document owner on another host": {
			setup: func(e *env, p, other *peer) string {
				victim := other.person("/users/victim", "victim", p.iri("/keys/k"), e.k1)
				p.setJSON("/keys/k", map[string]any{"type": "CryptographicKey", "id": p.iri("/keys/k"),
					"owner": victim, "publicKeyPem": publicPEM(t, e.k2)})
				return p.iri("/keys/k")
			},
			wantErr: resolve.ErrMismatch,
		},
		"stub of an actor on another host": {
			setup: func(e *env, p, other *peer) string {
				victim := other.person("/users/victim", "victim", p.iri("/users/e/main-key"), e.k1)
				p.setJSON("/users/e/main-key", map[string]any{"type": "Person", "id": victim})
				return p.iri("/users/e/main-key")
			},
			wantErr: resolve.ErrMismatch,
		},
		"key document without owner": {
			setup: func(e *env, p, _ *peer) string {
				p.setJSON("/keys/k", map[string]any{"type": "CryptographicKey", "id": p.iri("/keys/k"),
					"publicKeyPem": publicPEM(t, e.k2)})
				return p.iri("/keys/k")
			},
			wantErr: resolve.ErrMismatch,
		},
		"key document with another id": {
			setup: func(e *env, p, _ *peer) string {
				iri := p.person("/users/alice", "alice", p.iri("/keys/k"), e.k1)
				p.setJSON("/keys/k", map[string]any{"type": "CryptographicKey", "id": p.iri("/keys/j"), "owner": iri})
				return p.iri("/keys/k")
			},
			wantErr: resolve.ErrMismatch,
		},
		"owner does not list the key document": {
			setup: func(e *env, p, _ *peer) string {
				iri := p.person("/users/alice", "alice", "", e.k1)
				p.setJSON("/keys/k", map[string]any{"type": "CryptographicKey", "id": p.iri("/keys/k"), "owner": iri})
				return p.iri("/keys/k")
			},
			wantErr: resolve.ErrMismatch,
		},
		"actor without key": {
			setup: func(e *env, p, _ *peer) string {
				iri := p.iri("/users/nokey")
				p.setJSON("/users/nokey", map[string]any{"type": "Person", "id": iri, "inbox": iri + "/inbox"})
				return iri + "#main-key"
			},
			wantErr: resolve.ErrMismatch,
		},
		"unknown key": {
			setup:   func(_ *env, p, _ *peer) string { return p.iri("/users/nobody#main-key") },
			wantErr: resolve.ErrNotFound,
		},
		"gone": {
			setup: func(_ *env, p, _ *peer) string {
				p.status("/users/gone", http.StatusGone)
				return p.iri("/users/gone#main-key")
			},
			wantErr: resolve.ErrGone,
		},
		"not a URL": {
			setup:   func(*env, *peer, *peer) string { return "acct:alice@example.com" },
			wantErr: resolve.ErrBadIRI,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			p, other := newPeer(t), newPeer(t)
			keyID := tc.setup(e, p, other)
			for _, refresh := range []bool{false, true} {
				k, err := e.r.ResolveKey(ctx, keyID, refresh)
				require.ErrorIs(t, err, httpsig.ErrKeyUnavailable)
				require.ErrorIs(t, err, tc.wantErr)
				assert.Nil(t, k.PublicKey)
			}
			assert.Zero(t, other.total(), "nothing fetched from the other host")
		})
	}
}

func TestResolveKeyRedirect(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	iri := p.person("/users/alice", "alice", "", e.k1)
	p.redirect("/users/a", iri) // the document at the keyId's IRI redirects to another actor
	_, err := e.r.ResolveKey(context.Background(), p.iri("/users/a#main-key"), false)
	require.ErrorIs(t, err, resolve.ErrMismatch)
	assert.Nil(t, e.stored(p.iri("/users/a")))
}

// TestResolveKeyMemo: a resolved key is used from memory for KeyMemoTTL
// (no store read, no fetch), but the domain policy is asked every time;
// after the TTL the key is resolved again.
func TestResolveKeyMemo(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/memo", "memo", "", e.k1)
	k, err := e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	assert.True(t, k.Fresh)

	p.person("/users/memo", "memo", "", e.k2) // rotated at the origin
	k, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	samePublic(t, e.k1, k.PublicKey)
	assert.False(t, k.Fresh, "from memory")
	assert.Equal(t, 1, p.count("/users/memo"))

	// Past the memo's TTL the stored actor is read again (and, older
	// than DefaultMaxAge, fetched again).
	e.clock.Advance(resolve.DefaultMaxAge)
	k, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.NoError(t, err)
	samePublic(t, e.k2, k.PublicKey)
	assert.Equal(t, 2, p.count("/users/memo"))

	e.policy.Block("127.0.0.1")
	_, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	require.ErrorIs(t, err, resolve.ErrBlocked, "a block applies to remembered keys at once")
}
