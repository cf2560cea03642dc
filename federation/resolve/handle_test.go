package resolve_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/resolve"
	"codeberg.org/convene/convene/identity"
)

func TestParseHandle(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", resolve.MaxUsernameLength)
	label := strings.Repeat("b", 63)
	longHost := strings.Repeat(label+".", 3) + strings.Repeat("c", 61) // 253 bytes
	for _, tc := range []struct {
		in         string
		user, host string // empty: an error
	}{
		{"alice@example.com", "alice", "example.com"},
		{"@alice@example.com", "alice", "example.com"},
		{"acct:alice@example.com", "alice", "example.com"},
		{"ACCT:alice@example.com", "alice", "example.com"},
		{"  @Alice@Example.COM \n", "Alice", "example.com"},
		{"user@127.0.0.1:8080", "user", "127.0.0.1:8080"},
		{"user@[::1]:8443", "user", "[::1]:8443"},
		{"user@[2001:db8::1]", "user", "[2001:db8::1]"},
		{"user@localhost", "user", "localhost"},
		{"jean-luc.p_icard~1+x@xn--bcher-kva.example", "jean-luc.p_icard~1+x", "xn--bcher-kva.example"},
		{"zoë@example.com", "zoë", "example.com"},
		{long + "@" + longHost, long, longHost},
		{"", "", ""},
		{"alice", "", ""},
		{"@alice", "", ""},
		{"alice@", "", ""},
		{"@example.com", "", ""},
		{"acct:@example.com", "", ""},
		{"alice@bob@example.com", "", ""},
		{"@@alice@example.com", "", ""},
		{"al ice@example.com", "", ""},
		{"al/ice@example.com", "", ""},
		{"alice@example.com/path", "", ""},
		{"alice@example.com?x=1", "", ""},
		{"alice@example.com#f", "", ""},
		{"../x@example.com", "", ""},
		{"al%2fice@example.com", "", ""},
		{"alice@exa_mple.com", "", ""},
		{"alice@-example.com", "", ""},
		{"alice@example-.com", "", ""},
		{"alice@example..com", "", ""},
		{"alice@example.com.", "", ""},
		{"alice@bücher.example", "", ""},
		{"alice@example.com:", "", ""},
		{"alice@example.com:0", "", ""},
		{"alice@example.com:65536", "", ""},
		{"alice@example.com:080", "", ""},
		{"alice@example.com:+80", "", ""},
		{"alice@example.com:http", "", ""},
		{"alice@2130706433", "", ""},
		{"alice@127.1", "", ""},
		{"alice@::1", "", ""},
		{"alice@[::1", "", ""},
		{"alice@[fe80::1%eth0]", "", ""},
		{"alice@[127.0.0.1]", "", ""},
		{"alice@[::1]x", "", ""},
		{"alice@[::1]:", "", ""},
		{"alice@user:pass@example.com", "", ""},
		{"alice\x00@example.com", "", ""},
		{"https://example.com/users/alice", "", ""},
		{long + "a@example.com", "", ""},
		{"a@" + strings.Repeat(label+".", 4) + "com", "", ""},
		{"a@" + strings.Repeat("d", 64) + ".com", "", ""},
		{strings.Repeat("a", resolve.MaxHandleLength+1), "", ""},
	} {
		user, host, err := resolve.ParseHandle(tc.in)
		if tc.user == "" {
			assert.ErrorIs(t, err, resolve.ErrBadHandle, "%q", tc.in)
			assert.Empty(t, user+host, "%q", tc.in)
			continue
		}
		if assert.NoError(t, err, "%q", tc.in) {
			assert.Equal(t, tc.user, user, "%q", tc.in)
			assert.Equal(t, tc.host, host, "%q", tc.in)
		}
	}
}

func TestResolveHandle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	ctx := context.Background()
	iri := p.person("/users/alice", "alice", "", e.k1)
	p.finger("alice", "", iri)
	for _, h := range []string{"alice@" + p.host, "@alice@" + p.host, "acct:alice@" + p.host, iri} {
		a, err := e.r.ResolveHandle(ctx, h)
		require.NoError(t, err, h)
		assert.Equal(t, iri, a.APID, h)
	}
	// The handle was its own loop-back: one WebFinger request per call.
	assert.Equal(t, 3, p.count("/.well-known/webfinger?acct:alice@"+p.host))
	assert.Equal(t, 1, p.count("/users/alice"), "the actor is cached")
}

func TestResolveHandleDelegation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	front, social := newPeer(t), newPeer(t) // example.com and social.example.com
	iri := social.person("/users/alice", "alice", "", e.k1)
	front.finger("alice", "", iri)
	social.finger("alice", "", iri)

	a, err := e.r.ResolveHandle(ctx, "alice@"+front.host)
	require.NoError(t, err)
	assert.Equal(t, iri, a.APID)
	assert.Equal(t, 1, social.count("/.well-known/webfinger?acct:alice@"+social.host), "verified on the actor's host")
}

func TestResolveHandleUsernameCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	iri := p.person("/users/alice", "Alice", "", e.k1)
	p.finger("alice", "", iri)
	p.finger("Alice", "", iri)
	a, err := e.r.ResolveHandle(context.Background(), "alice@"+p.host)
	require.NoError(t, err)
	assert.Equal(t, iri, a.APID)
}

func TestResolveHandleRefused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, tc := range map[string]struct {
		setup   func(e *env, front, social *peer) string // returns the handle
		wantErr error
	}{
		"spoofed: the actor's host does not confirm": {
			setup: func(e *env, front, social *peer) string {
				iri := social.person("/users/alice", "alice", "", e.k1)
				front.finger("mallory", "", iri)
				social.finger("alice", "", social.iri("/users/other"))
				return "mallory@" + front.host
			},
			wantErr: resolve.ErrMismatch,
		},
		"spoofed: the actor's host does not know the name": {
			setup: func(e *env, front, social *peer) string {
				iri := social.person("/users/alice", "alice", "", e.k1)
				front.finger("alice", "", iri)
				return "alice@" + front.host
			},
			wantErr: resolve.ErrMismatch,
		},
		"same host, another name pointing elsewhere": {
			setup: func(e *env, front, _ *peer) string {
				iri := front.person("/users/bob", "bob", "", e.k1)
				front.finger("alice", "", iri)
				front.finger("bob", "", front.iri("/users/robert"))
				return "alice@" + front.host
			},
			wantErr: resolve.ErrMismatch,
		},
		"unknown handle": {
			setup:   func(_ *env, front, _ *peer) string { return "nobody@" + front.host },
			wantErr: resolve.ErrNotFound,
		},
		"no ActivityPub self link": {
			setup: func(_ *env, front, _ *peer) string {
				front.mu.Lock()
				defer front.mu.Unlock()
				front.wf["acct:alice@"+front.host] = response{ctype: "application/jrd+json",
					body: []byte(`{"subject":"acct:alice@x","links":[{"rel":"self","type":"text/html","href":"http://x/"}]}`)}
				return "alice@" + front.host
			},
			wantErr: resolve.ErrNotFound,
		},
		"self link with a fragment": {
			setup: func(e *env, front, _ *peer) string {
				front.finger("alice", "", front.person("/users/alice", "alice", "", e.k1)+"#me")
				return "alice@" + front.host
			},
			wantErr: resolve.ErrBadIRI,
		},
		"self link not http": {
			setup: func(_ *env, front, _ *peer) string {
				front.finger("alice", "", "file:///etc/passwd")
				return "alice@" + front.host
			},
			wantErr: resolve.ErrBadIRI,
		},
		"actor without preferredUsername": {
			setup: func(_ *env, front, _ *peer) string {
				iri := front.iri("/users/anon")
				front.setJSON("/users/anon", map[string]any{"type": "Person", "id": iri, "inbox": iri + "/inbox"})
				front.finger("anon", "", iri)
				return "anon@" + front.host
			},
			wantErr: resolve.ErrMismatch,
		},
		"bad handle": {
			setup:   func(_ *env, front, _ *peer) string { return "alice@" + front.host + "/x" },
			wantErr: resolve.ErrBadHandle,
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			front, social := newPeer(t), newPeer(t)
			a, err := e.r.ResolveHandle(ctx, tc.setup(e, front, social))
			require.ErrorIs(t, err, tc.wantErr)
			assert.Nil(t, a)
		})
	}
}

func TestResolveHandleBad(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := newPeer(t)
	for _, h := range []string{"", "alice", "alice@" + p.host + "/../x", "alice@" + p.host + "?resource=x", "al/ice@" + p.host} {
		_, err := e.r.ResolveHandle(context.Background(), h)
		require.ErrorIs(t, err, resolve.ErrBadHandle, h)
	}
	assert.Zero(t, p.total())
}

func TestResolveHandleLocal(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	inst, err := e.id.InstanceActor(ctx)
	require.NoError(t, err)
	got, err := e.r.ResolveHandle(ctx, "local.example@local.example")
	require.NoError(t, err)
	assert.Equal(t, inst.ID, got.ID)
	assert.Equal(t, identity.TypeApplication, got.Type)
	got, err = e.r.ResolveHandle(ctx, "acct:LOCAL.example@local.example:443")
	require.NoError(t, err, "case-insensitive, default port")
	assert.Equal(t, inst.ID, got.ID)
	_, err = e.r.ResolveHandle(ctx, "nobody@local.example")
	require.ErrorIs(t, err, resolve.ErrNotFound)
}
