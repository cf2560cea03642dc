package resolve_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/resolve"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func TestNew(t *testing.T) {
	t.Parallel()
	client, err := safehttp.New(safehttp.Config{})
	require.NoError(t, err)
	parser, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)
	var actors resolve.Actors = (*identity.Service)(nil)
	good := resolve.Config{BaseURL: base, Fetcher: client, Actors: actors, Parser: parser}
	_, err = resolve.New(good)
	require.NoError(t, err)
	for name, mod := range map[string]func(*resolve.Config){
		"no fetcher":      func(c *resolve.Config) { c.Fetcher = nil },
		"no actors":       func(c *resolve.Config) { c.Actors = nil },
		"no parser":       func(c *resolve.Config) { c.Parser = nil },
		"no base URL":     func(c *resolve.Config) { c.BaseURL = "" },
		"relative base":   func(c *resolve.Config) { c.BaseURL = "local.example" },
		"ftp base":        func(c *resolve.Config) { c.BaseURL = "ftp://local.example" },
		"negative maxage": func(c *resolve.Config) { c.MaxAge = -time.Second },
		"bad scheme":      func(c *resolve.Config) { c.Scheme = "gopher" },
	} {
		t.Run(name, func(t *testing.T) {
			cfg := good
			mod(&cfg)
			_, err := resolve.New(cfg)
			assert.Error(t, err)
		})
	}
}

func TestResolveActorCache(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)

	a, err := e.r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, iri, a.APID)
	assert.Equal(t, "alice", a.Username)
	assert.Equal(t, iri+"#main-key", a.PublicKeyID)
	assert.False(t, a.Local)
	assert.Equal(t, epoch, a.FetchedAt.UTC())
	assert.Equal(t, 1, p.count("/users/alice"))
	require.NotNil(t, e.stored(iri))

	// Fresh: answered from the store.
	e.clock.Advance(resolve.DefaultMaxAge - time.Minute)
	b, err := e.r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, a.ID, b.ID)
	assert.Equal(t, 1, p.count("/users/alice"))

	// Stale: refetched, and the new document is stored.
	p.person("/users/alice", "alice2", "", e.k1)
	e.clock.Advance(2 * time.Minute)
	c, err := e.r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, 2, p.count("/users/alice"))
	assert.Equal(t, a.ID, c.ID, "the same stored actor, updated")
	assert.Equal(t, "alice2", c.Username)
	assert.Equal(t, "alice2", e.stored(iri).Username)

	// RefreshActor always fetches.
	_, err = e.r.RefreshActor(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, 3, p.count("/users/alice"))
}

func TestResolveActorMaxAge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	r := e.resolver(resolve.Config{MaxAge: time.Hour})
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)
	_, err := r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	e.clock.Advance(59 * time.Minute)
	_, err = r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, 1, p.count("/users/alice"))
	e.clock.Advance(time.Minute)
	_, err = r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	assert.Equal(t, 2, p.count("/users/alice"))
}

func TestResolveActorStaleFallback(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		status    int
		wantStale bool
		wantErr   error
	}{
		"server error":      {status: http.StatusBadGateway, wantStale: true},
		"too many requests": {status: http.StatusTooManyRequests, wantStale: true},
		"gone":              {status: http.StatusGone, wantErr: resolve.ErrGone},
		"not found":         {status: http.StatusNotFound, wantErr: resolve.ErrNotFound},
		"forbidden":         {status: http.StatusForbidden, wantErr: nil},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			p := newPeer(t)
			iri := p.person("/users/alice", "alice", "", e.k1)
			first, err := e.r.ResolveActor(ctx, iri)
			require.NoError(t, err)
			p.status("/users/alice", tc.status)
			e.clock.Advance(resolve.DefaultMaxAge + time.Second)

			a, err := e.r.ResolveActor(ctx, iri)
			assert.Equal(t, 2, p.count("/users/alice"))
			if tc.wantStale {
				require.NoError(t, err)
				assert.Equal(t, first.ID, a.ID)
				assert.Equal(t, first.FetchedAt, a.FetchedAt, "the stale copy, not refreshed")
				// Within the cool-off the origin is not asked again.
				e.clock.Advance(resolve.FailureCooloff - time.Second)
				_, err = e.r.ResolveActor(ctx, iri)
				require.NoError(t, err)
				assert.Equal(t, 2, p.count("/users/alice"))
				e.clock.Advance(time.Second)
				_, err = e.r.ResolveActor(ctx, iri)
				require.NoError(t, err)
				assert.Equal(t, 3, p.count("/users/alice"))
				// RefreshActor never falls back.
				_, err = e.r.RefreshActor(ctx, iri)
				require.Error(t, err)
				return
			}
			require.Error(t, err)
			assert.Nil(t, a)
			if tc.wantErr != nil {
				assert.ErrorIs(t, err, tc.wantErr)
			}
			var se *safehttp.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tc.status, se.StatusCode)
		})
	}
}

func TestResolveActorNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	_, err := e.r.ResolveActor(context.Background(), p.iri("/users/nobody"))
	require.ErrorIs(t, err, resolve.ErrNotFound)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.Nil(t, e.stored(p.iri("/users/nobody")))
}

func TestResolveActorBadDocuments(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	p := newPeer(t)
	k := publicPEM(t, e.k1)
	person := func(id string, extra map[string]any) map[string]any {
		d := map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Person", "id": id,
			"preferredUsername": "x", "inbox": id + "/inbox",
			"publicKey": map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": k}}
		for key, v := range extra {
			d[key] = v
		}
		return d
	}
	for name, tc := range map[string]struct {
		serve   func(path string)
		wantErr []error
	}{
		"id is another actor": {
			serve:   func(path string) { p.setJSON(path, person(p.iri("/users/other"), nil)) },
			wantErr: []error{resolve.ErrMismatch, safehttp.ErrIDMismatch},
		},
		"id on another host": {
			serve:   func(path string) { p.setJSON(path, person("https://victim.example"+path, nil)) },
			wantErr: []error{resolve.ErrMismatch, safehttp.ErrIDMismatch},
		},
		"key owned by another actor": {
			serve: func(path string) {
				p.setJSON(path, person(p.iri(path), map[string]any{"publicKey": map[string]any{
					"id": p.iri(path) + "#main-key", "owner": p.iri("/users/other"), "publicKeyPem": k}}))
			},
			wantErr: []error{resolve.ErrMismatch},
		},
		"key id on another host": {
			serve: func(path string) {
				p.setJSON(path, person(p.iri(path), map[string]any{"publicKey": map[string]any{
					"id": "https://evil.example/key", "owner": p.iri(path), "publicKeyPem": k}}))
			},
			wantErr: []error{identity.ErrInvalid},
		},
		"not an actor": {
			serve: func(path string) {
				p.setJSON(path, map[string]any{"type": "Note", "id": p.iri(path), "content": "hi"})
			},
			wantErr: []error{wire.ErrInvalid},
		},
		"no inbox": {
			serve:   func(path string) { p.setJSON(path, person(p.iri(path), map[string]any{"inbox": nil})) },
			wantErr: []error{wire.ErrInvalid},
		},
		"html": {
			serve: func(path string) {
				p.mu.Lock()
				defer p.mu.Unlock()
				p.docs[path] = response{ctype: "text/html", body: []byte("<html></html>")}
			},
			wantErr: []error{safehttp.ErrContentType},
		},
	} {
		t.Run(name, func(t *testing.T) {
			path := "/users/" + strings.ReplaceAll(name, " ", "-")
			tc.serve(path)
			_, err := e.r.ResolveActor(ctx, p.iri(path))
			require.Error(t, err)
			for _, want := range tc.wantErr {
				assert.ErrorIs(t, err, want)
			}
			assert.Nil(t, e.stored(p.iri(path)), "nothing stored")
		})
	}
}

func TestResolveActorBadIRI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	strict := e.resolver(resolve.Config{Scheme: "https"})
	ctx := context.Background()
	for name, tc := range map[string]struct {
		r   *resolve.Resolver
		iri string
	}{
		"empty":            {e.r, ""},
		"relative":         {e.r, "/users/alice"},
		"ftp":              {e.r, "ftp://h.example/users/alice"},
		"fragment":         {e.r, p.iri("/users/alice#main-key")},
		"empty fragment":   {e.r, p.iri("/users/alice#")},
		"userinfo":         {e.r, "http://u:p@" + p.host + "/users/alice"},
		"too long":         {e.r, p.iri("/" + strings.Repeat("a", resolve.MaxIRILength))},
		"http under https": {strict, p.iri("/users/alice")},
		"opaque":           {e.r, "https:h.example"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tc.r.ResolveActor(ctx, tc.iri)
			require.ErrorIs(t, err, resolve.ErrBadIRI)
		})
	}
	assert.Zero(t, p.total())
}

func TestResolveActorLocal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acc, err := e.id.InstanceActor(ctx)
	require.NoError(t, err)
	a, err := e.r.ResolveActor(ctx, acc.APID)
	require.NoError(t, err)
	assert.Equal(t, acc.ID, a.ID)
	// Unknown local actors are not fetched: an error without a request
	// (the host local.example would not resolve anyway).
	_, err = e.r.ResolveActor(ctx, base+"/@nobody")
	require.ErrorIs(t, err, resolve.ErrNotFound)
	_, err = e.r.RefreshActor(ctx, acc.APID)
	require.NoError(t, err)
	// Its key, from the store.
	for _, refresh := range []bool{false, true} {
		k, err := e.r.ResolveKey(ctx, acc.PublicKeyID, refresh)
		require.NoError(t, err)
		assert.Equal(t, acc.APID, k.Owner)
		samePublic(t, e.k1, k.PublicKey)
	}
	_, err = e.r.ResolveKey(ctx, base+"/@nobody#main-key", false)
	require.ErrorIs(t, err, resolve.ErrNotFound)
}

func TestBlocked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)
	p.finger("alice", "", iri)
	e.policy.Block("127.0.0.1")

	_, err := e.r.ResolveActor(ctx, iri)
	assert.ErrorIs(t, err, resolve.ErrBlocked)
	_, err = e.r.RefreshActor(ctx, iri)
	assert.ErrorIs(t, err, resolve.ErrBlocked)
	_, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	assert.ErrorIs(t, err, resolve.ErrBlocked)
	_, err = e.r.ResolveKey(ctx, iri+"/main-key", true)
	assert.ErrorIs(t, err, resolve.ErrBlocked)
	_, err = e.r.ResolveHandle(ctx, "alice@"+p.host)
	assert.ErrorIs(t, err, resolve.ErrBlocked)
	assert.Zero(t, p.total(), "no request to a blocked host")
	assert.Nil(t, e.stored(iri))
}

func TestBlockedCachedActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)
	_, err := e.r.ResolveActor(ctx, iri)
	require.NoError(t, err)
	e.policy.Block("127.0.0.1")
	_, err = e.r.ResolveActor(ctx, iri)
	assert.ErrorIs(t, err, resolve.ErrBlocked, "a block applies to cached actors too")
	_, err = e.r.ResolveKey(ctx, iri+"#main-key", false)
	assert.ErrorIs(t, err, resolve.ErrBlocked)
}

var errPolicy = errors.New("policy store down")

// failingPolicy fails.
type failingPolicy struct{}

func (failingPolicy) Allowed(context.Context, string) (bool, error) { return false, errPolicy }

func TestPolicyError(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	r, err := resolve.New(resolve.Config{BaseURL: base, Fetcher: e.client, Actors: e.id, Parser: e.parser,
		Policy: failingPolicy{}, Scheme: "http", Now: e.clock.Now})
	require.NoError(t, err)
	_, err = r.ResolveActor(context.Background(), p.person("/users/alice", "alice", "", e.k1))
	require.ErrorIs(t, err, errPolicy)
	assert.NotErrorIs(t, err, resolve.ErrBlocked)
	assert.Zero(t, p.total())
}

func TestResolveActorConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	iri := p.person("/users/alice", "alice", "", e.k1)
	release := make(chan struct{})
	p.mu.Lock()
	p.block = release
	p.mu.Unlock()
	const n = 10
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := e.r.ResolveActor(context.Background(), iri)
			if assert.NoError(t, err) {
				ids[i] = a.ID
			}
		}()
	}
	require.Eventually(t, func() bool { return p.count("/users/alice") == 1 }, 5*time.Second, time.Millisecond)
	time.Sleep(50 * time.Millisecond) // let the others reach the resolver
	close(release)
	wg.Wait()
	assert.Equal(t, 1, p.count("/users/alice"), "one fetch for concurrent calls")
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
}
