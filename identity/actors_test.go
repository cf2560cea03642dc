package identity_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func TestNewLocalActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *identity.Config) { c.BaseURL = "http://Localhost:8080/" })
	ctx := context.Background()
	a, err := e.svc.NewLocalActor(ctx, identity.TypeGroup, "repair_cafe", "Repair <em>Café</em>")
	require.NoError(t, err)

	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	want := identity.Actor{
		ID:          a.ID,
		APID:        "http://localhost:8080/@repair_cafe",
		Type:        identity.TypeGroup,
		Local:       true,
		Username:    "repair_cafe",
		Domain:      "localhost:8080",
		DisplayName: "Repair Café",
		URL:         "http://localhost:8080/@repair_cafe",
		Inbox:       "http://localhost:8080/@repair_cafe/inbox",
		SharedInbox: "http://localhost:8080/inbox",
		Outbox:      "http://localhost:8080/@repair_cafe/outbox",
		Followers:   "http://localhost:8080/@repair_cafe/followers",
		Following:   "http://localhost:8080/@repair_cafe/following",
		PublicKeyID: "http://localhost:8080/@repair_cafe#main-key",
		CreatedAt:   now,
		UpdatedAt:   now,
		// Keys are checked below.
		PublicKeyPEM:  a.PublicKeyPEM,
		PrivateKeyPEM: a.PrivateKeyPEM,
	}
	assert.Equal(t, want, *a)
	assert.NotEmpty(t, a.ID)
	assert.Equal(t, "@repair_cafe@localhost:8080", a.Handle())

	assert.True(t, strings.HasPrefix(a.PublicKeyPEM, "-----BEGIN PUBLIC KEY-----\n"), a.PublicKeyPEM)
	assert.True(t, strings.HasPrefix(a.PrivateKeyPEM, "-----BEGIN PRIVATE KEY-----\n"))
	pub, err := identity.ParsePublicKeyPEM(a.PublicKeyPEM)
	require.NoError(t, err)
	priv, err := identity.ParsePrivateKeyPEM(a.PrivateKeyPEM)
	require.NoError(t, err)
	rsaPriv, ok := priv.(*rsa.PrivateKey)
	require.True(t, ok)
	assert.True(t, rsaPriv.PublicKey.Equal(pub), "the key pair matches")

	_, err = e.svc.GetActorByAPID(ctx, a.APID)
	require.ErrorIs(t, err, identity.ErrNotFound, "built, not stored")

	require.NoError(t, e.store.CreateActor(ctx, a))
	got, err := e.svc.GetLocalActor(ctx, "REPAIR_CAFE")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
}

func TestNewLocalActorRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	tests := []struct {
		name, username, display string
		typ                     identity.ActorType
		field                   string
	}{
		{"unknown type", "club", "", "Event", "type"},
		{"empty type", "club", "", "", "type"},
		{"bad username", "Club!", "", identity.TypeGroup, "username"},
		{"reserved username", "api", "", identity.TypeGroup, "username"},
		{"long display name", "club", strings.Repeat("c", 101), identity.TypeGroup, "display_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := e.svc.NewLocalActor(ctx, tt.typ, tt.username, tt.display)
			requireField(t, err, tt.field)
			assert.Nil(t, a)
		})
	}
}

func TestNewLocalActorKeyGeneratorFailures(t *testing.T) {
	t.Parallel()
	weak := func() (*rsa.PrivateKey, error) {
		keys, err := sharedKeys()
		require.NoError(t, err)
		k := *keys[0]
		k.PublicKey.N = weakRSAPublic().N
		return &k, nil
	}
	e := newEnv(t, func(c *identity.Config) { c.GenerateKey = weak })
	_, err := e.svc.NewLocalActor(context.Background(), identity.TypePerson, "weakling", "")
	require.ErrorIs(t, err, identity.ErrInvalidKey)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.svc.NewLocalActor(ctx, identity.TypePerson, "cancelled", "")
	require.ErrorIs(t, err, context.Canceled)
}

func TestInstanceActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()

	const n = 8
	got := make([]*identity.Actor, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { got[i], errs[i] = e.svc.InstanceActor(ctx) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		assert.Equal(t, got[0].ID, got[i].ID, "every first call returns the same actor")
	}
	a := got[0]
	assert.Equal(t, identity.TypeApplication, a.Type)
	assert.Equal(t, "https://events.example/actor", a.APID)
	assert.Equal(t, "events.example", a.Username)
	assert.Equal(t, "events.example", a.Domain)
	assert.Equal(t, "@events.example@events.example", a.Handle())
	assert.Equal(t, "https://events.example/inbox", a.Inbox)
	assert.Equal(t, "https://events.example/inbox", a.SharedInbox)
	assert.Equal(t, "https://events.example/actor/outbox", a.Outbox)
	assert.Equal(t, "https://events.example/actor#main-key", a.PublicKeyID)
	assert.True(t, a.Local)
	assert.True(t, a.ManuallyApprovesFollowers)
	_, err := identity.ParsePrivateKeyPEM(a.PrivateKeyPEM)
	require.NoError(t, err)

	again, err := e.svc.InstanceActor(ctx)
	require.NoError(t, err)
	assert.Equal(t, a.ID, again.ID)
	byName, err := e.svc.GetLocalActor(ctx, "events.example")
	require.NoError(t, err)
	assert.Equal(t, a.ID, byName.ID)
}

func TestPutRemoteActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	in := remoteActor(t, "mastodon.example", "zoe")
	in.DisplayName = "Zoë <script>x</script>" + strings.Repeat("z", 200)
	in.Summary = `<p onclick="x()">Hello <b>fediverse</b></p>`
	in.Domain = ""
	orig := *in

	a, err := e.svc.PutRemoteActor(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, orig, *in, "the input is not modified")
	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	assert.NotEmpty(t, a.ID)
	assert.False(t, a.Local)
	assert.Equal(t, "mastodon.example", a.Domain)
	assert.Equal(t, now, a.FetchedAt)
	assert.Equal(t, now, a.CreatedAt)
	assert.LessOrEqual(t, len([]rune(a.DisplayName)), identity.MaxDisplayNameLength, "cut to the limit")
	assert.True(t, strings.HasPrefix(a.DisplayName, "Zoë zzz"), a.DisplayName)
	assert.Equal(t, "<p>Hello <b>fediverse</b></p>", a.Summary)
	stored, err := e.svc.GetActorByAPID(ctx, in.APID)
	require.NoError(t, err)
	assert.Equal(t, a, stored)
	byID, err := e.svc.GetActor(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, byID)

	// A refetch updates the same row.
	e.clock.Advance(time.Hour)
	in2 := remoteActor(t, "mastodon.example", "zoe")
	in2.DisplayName = "Zoë B."
	in2.Type = identity.TypeService
	b, err := e.svc.PutRemoteActor(ctx, in2)
	require.NoError(t, err)
	assert.Equal(t, a.ID, b.ID)
	assert.Equal(t, a.CreatedAt, b.CreatedAt)
	assert.Equal(t, now.Add(time.Hour), b.FetchedAt)
	assert.Equal(t, "Zoë B.", b.DisplayName)
	assert.Equal(t, identity.TypeService, b.Type)
	stored, err = e.svc.GetActorByAPID(ctx, in.APID)
	require.NoError(t, err)
	assert.Equal(t, b, stored)

	// A Mobilizon actor with a PKCS#1 key and a port in its host.
	mz := remoteActor(t, "mobilizon.example:8443", "climate")
	mz.Type = identity.TypeGroup
	keys, err := sharedKeys()
	require.NoError(t, err)
	mz.PublicKeyPEM = pemText("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&keys[1].PublicKey))
	g, err := e.svc.PutRemoteActor(ctx, mz)
	require.NoError(t, err)
	assert.Equal(t, "mobilizon.example:8443", g.Domain)
}

func TestPutRemoteActorConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const n = 6
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			a, err := e.svc.PutRemoteActor(ctx, remoteActor(t, "gts.example", "yan"))
			if assert.NoError(t, err) {
				ids[i] = a.ID
			}
		})
	}
	wg.Wait()
	for i := range n {
		assert.Equal(t, ids[0], ids[i])
	}
}

func TestPutRemoteActorRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	local, err := e.svc.InstanceActor(ctx)
	require.NoError(t, err)

	tests := []struct {
		name  string
		edit  func(a *identity.Actor)
		field string
	}{
		{"no APID", func(a *identity.Actor) { a.APID = "" }, "ap_id"},
		{"relative APID", func(a *identity.Actor) { a.APID = "/users/x" }, "ap_id"},
		{"APID not http", func(a *identity.Actor) { a.APID = "ftp://remote.example/users/x" }, "ap_id"},
		{"APID with fragment", func(a *identity.Actor) { a.APID += "#me" }, "ap_id"},
		{"APID on our host", func(a *identity.Actor) {
			a.APID, a.Domain = "https://events.example/@x", "events.example"
			a.Inbox, a.PublicKeyID = "https://events.example/@x/inbox", "https://events.example/@x#main-key"
		}, "ap_id"},
		{"APID on our host, upper case", func(a *identity.Actor) { a.APID, a.Domain = "https://EVENTS.example/@x", "" }, "ap_id"},
		{"our instance actor", func(a *identity.Actor) { a.APID, a.Domain = local.APID, "" }, "ap_id"},
		{"unknown type", func(a *identity.Actor) { a.Type = "Note" }, "type"},
		{"local set", func(a *identity.Actor) { a.Local = true }, "local"},
		{"domain not the APID host", func(a *identity.Actor) { a.Domain = "other.example" }, "domain"},
		{"private key", func(a *identity.Actor) { a.PrivateKeyPEM = "-----BEGIN PRIVATE KEY-----" }, "private_key_pem"},
		{"username with @", func(a *identity.Actor) { a.Username = "x@remote.example" }, "username"},
		{"username with space", func(a *identity.Actor) { a.Username = "x y" }, "username"},
		{"username too long", func(a *identity.Actor) { a.Username = strings.Repeat("u", identity.MaxRemoteUsernameLength+1) }, "username"},
		{"no inbox", func(a *identity.Actor) { a.Inbox = "" }, "inbox"},
		{"inbox javascript", func(a *identity.Actor) { a.Inbox = "javascript:alert(1)" }, "inbox"},
		{"shared inbox relative", func(a *identity.Actor) { a.SharedInbox = "/inbox" }, "shared_inbox"},
		{"outbox bad", func(a *identity.Actor) { a.Outbox = "https://" }, "outbox"},
		{"followers bad", func(a *identity.Actor) { a.Followers = "mailto:x@y" }, "followers"},
		{"following bad", func(a *identity.Actor) { a.Following = "https://x y" }, "following"},
		{"url bad", func(a *identity.Actor) { a.URL = "file:///etc/passwd" }, "url"},
		{"avatar bad", func(a *identity.Actor) { a.AvatarURL = "data:x" }, "avatar_url"},
		{"banner bad", func(a *identity.Actor) { a.BannerURL = "data:x" }, "banner_url"},
		{"key id on another host", func(a *identity.Actor) { a.PublicKeyID = "https://evil.example/key" }, "public_key_id"},
		{"key without key id", func(a *identity.Actor) { a.PublicKeyID = "" }, "public_key_id"},
		{"garbage key", func(a *identity.Actor) { a.PublicKeyPEM = "not a key" }, "public_key_pem"},
		{"weak key", func(a *identity.Actor) {
			a.PublicKeyPEM = pemText("RSA PUBLIC KEY", x509MarshalPKCS1(weakRSAPublic()))
		}, "public_key_pem"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := remoteActor(t, "remote.example", "x")
			tt.edit(a)
			got, err := e.svc.PutRemoteActor(ctx, a)
			requireField(t, err, tt.field)
			assert.Nil(t, got)
			_, err = e.store.GetActorByAPID(ctx, "https://remote.example/users/x")
			require.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
		})
	}
	_, err = e.svc.PutRemoteActor(ctx, nil)
	requireField(t, err, "actor")
}

func TestGetActorsNotFound(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	calls := map[string]func() error{
		"GetActor":       func() error { _, err := e.svc.GetActor(ctx, "nope"); return err },
		"GetActorByAPID": func() error { _, err := e.svc.GetActorByAPID(ctx, "https://x.example/u"); return err },
		"GetLocalActor":  func() error { _, err := e.svc.GetLocalActor(ctx, "nobody"); return err },
		"GetLocalActor too long": func() error {
			_, err := e.svc.GetLocalActor(ctx, strings.Repeat("n", 1000))
			return err
		},
		"GetProfile": func() error { _, err := e.svc.GetProfile(ctx, "nope"); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := call()
			require.ErrorIs(t, err, identity.ErrNotFound)
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
}
