package endpoints_test

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
)

func TestNegotiation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	cases := []struct {
		accept string
		as2    bool
	}{
		{wire.ContentType, true},
		{wire.LDContentType, true},
		{"application/ld+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams"; q=0.9, text/html;q=0.5`, true},
		{`application/ld+json; profile="https://example.org/other"`, false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"text/html, application/activity+json;q=0.5", false},
		{"application/activity+json;q=0", false},
		{"", false},
		{"*/*", false},
	}
	for _, path := range []string{"/@alice", "/@climate", "/actor", "/events/" + w.public.ID} {
		for _, tc := range cases {
			rec := w.get(path, tc.accept, nil)
			require.Equal(t, http.StatusOK, rec.Code, "%s %q", path, tc.accept)
			assert.Contains(t, rec.Header().Values("Vary"), "Accept")
			if tc.as2 {
				assert.Equal(t, wire.ContentType, rec.Header().Get("Content-Type"), "%s %q", path, tc.accept)
			} else {
				assert.Equal(t, "<p>html page</p>", rec.Body.String(), "%s %q", path, tc.accept)
			}
		}
	}

	t.Run("406 without HTML", func(t *testing.T) {
		w := newWorld(t, func(c *endpoints.Config) { c.HTML = nil })
		assert.Equal(t, http.StatusNotAcceptable, w.get("/@alice", "text/html", nil).Code)
		assert.Equal(t, http.StatusOK, w.get("/@alice", wire.ContentType, nil).Code)
	})
}

func TestActorDocuments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	parser, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)
	fetch := func(path string) *wire.ParsedActor {
		rec := w.get(path, wire.ContentType, nil)
		require.Equal(t, http.StatusOK, rec.Code, path)
		a, err := parser.ParseActor(rec.Body.Bytes())
		require.NoError(t, err)
		return a
	}

	a := fetch("/@alice")
	assert.Equal(t, identity.TypePerson, a.Actor.Type)
	assert.Equal(t, base+"/@alice", a.Actor.APID)
	assert.Equal(t, "alice", a.Actor.Username)
	assert.Equal(t, base+"/@alice#main-key", a.Actor.PublicKeyID)
	assert.Equal(t, base+"/@alice", a.KeyOwner)
	assert.Equal(t, base+"/inbox", a.Actor.SharedInbox)

	g := fetch("/@climate")
	assert.Equal(t, identity.TypeGroup, g.Actor.Type)
	require.NotNil(t, g.MemberCount)
	assert.Equal(t, 2, *g.MemberCount, "alice (creator) and bob")
	assert.Equal(t, base+"/@climate/members", g.Members)

	i := fetch("/actor")
	assert.Equal(t, identity.TypeApplication, i.Actor.Type)
	assert.Equal(t, base+"/actor", i.Actor.APID)
	assert.Equal(t, "events.example", i.Actor.Username)

	// Mounted without path values, the handlers read the path.
	rec := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, base+"/@bob", nil)
	r.Header.Set("Accept", wire.ContentType)
	w.ep.Actors.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"id":"https://events.example/@bob"`)

	for _, path := range []string{"/@nobody", "/@mallory", "/alice", "/@events.example", "/@alice@other.example", "/@"} {
		assert.Equal(t, http.StatusNotFound, w.get(path, wire.ContentType, nil).Code, path)
	}
	for _, path := range []string{"/alice", "/@alice@other.example", "/@"} {
		assert.Equal(t, http.StatusNotFound, w.get(path, "text/html", nil).Code, "not an actor path: %s", path)
	}
	// Browsers go to the HTML application, which does its own lookup.
	assert.Equal(t, "<p>html page</p>", w.get("/@nobody", "text/html", nil).Body.String())
	assert.Equal(t, http.StatusNotFound, w.get("/@alice/nothing", wire.ContentType, nil).Code)
	assert.Equal(t, http.StatusNotFound, w.get("/@alice/members", wire.ContentType, nil).Code, "profiles have no members")
}

func TestDeletedActorAndEvent(t *testing.T) {
	t.Parallel()
	deleted := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	const gone = "8b1e7f5c-1111-4d2e-9f00-000000000001"
	w := newWorld(t, func(c *endpoints.Config) {
		c.Tombstones = tombstones{
			base + "/@olduser":       {ID: base + "/@olduser", FormerType: "Person", Deleted: deleted},
			base + "/events/" + gone: {ID: base + "/events/" + gone, FormerType: "Event", Deleted: deleted},
		}
	})
	for _, path := range []string{"/@olduser", "/events/" + gone} {
		m := w.as2(path, nil, http.StatusGone)
		assert.Equal(t, "Tombstone", m["type"])
		assert.Equal(t, base+path, m["id"])
		assert.Equal(t, "2026-02-01T00:00:00Z", m["deleted"])
	}
	// A private event is not a deleted one.
	w.as2("/events/"+w.private.ID, nil, http.StatusNotFound)
	// Browsers go to the HTML application, whatever the event.
	assert.Equal(t, "<p>html page</p>", w.get("/events/"+w.private.ID, "text/html", nil).Body.String())
	// Without a tombstone source, deleted is missing.
	w = newWorld(t)
	w.as2("/@olduser", nil, http.StatusNotFound)
	w.as2("/events/"+gone, nil, http.StatusNotFound)
}

func TestEventDocuments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	parser, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)
	dan, err := w.inst.Identity.PutRemoteActor(w.ctx, &identity.Actor{APID: "https://remote.example/users/dan",
		Type: identity.TypePerson, Username: "dan", Inbox: "https://remote.example/users/dan/inbox"})
	require.NoError(t, err)
	erin, err := w.inst.Identity.PutRemoteActor(w.ctx, &identity.Actor{APID: "https://remote.example/users/erin",
		Type: identity.TypePerson, Username: "erin", Inbox: "https://remote.example/users/erin/inbox",
		PublicKeyID: "https://remote.example/users/erin#main-key", PublicKeyPEM: publicPEM(t)})
	require.NoError(t, err)

	rec := w.get("/events/"+w.public.ID, wire.LDContentType, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	ev, err := parser.ParseEvent(rec.Body.Bytes())
	require.NoError(t, err)
	assert.Equal(t, w.public.APID, ev.Event.APID)
	assert.Equal(t, "Picnic", ev.Event.Title)
	m := decode(t, rec.Body.Bytes())
	assert.Equal(t, base+"/@alice", m["attributedTo"])
	assert.Contains(t, m["to"], wire.PublicIRI)

	priv := "/events/" + w.private.ID
	cases := []struct {
		name   string
		signer *identity.Actor
		status int
	}{
		{"anonymous", nil, http.StatusNotFound},
		{"unrelated local profile", &w.carol.Actor, http.StatusNotFound},
		{"unrelated remote signer", erin, http.StatusNotFound},
		{"remote signer without a key", dan, http.StatusUnauthorized},
		{"participant", &w.bob.Actor, http.StatusOK},
		{"organizer", &w.alice.Actor, http.StatusOK},
	}
	for _, tc := range cases {
		t.Run("private event, "+tc.name, func(t *testing.T) {
			m := w.as2(priv, tc.signer, tc.status)
			if tc.status == http.StatusOK {
				assert.Equal(t, "Secret dinner", m["name"])
				assert.NotContains(t, m["to"], wire.PublicIRI)
			}
		})
	}
	t.Run("draft", func(t *testing.T) {
		w.as2("/events/"+w.draft.ID, nil, http.StatusNotFound)
		w.as2("/events/"+w.draft.ID, &w.bob.Actor, http.StatusNotFound)
		w.as2("/events/"+w.draft.ID, &w.alice.Actor, http.StatusOK)
	})
	t.Run("forged signature", func(t *testing.T) {
		r := httptest.NewRequest(http.MethodGet, base+priv, nil)
		r.Header.Set("Accept", wire.ContentType)
		r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
		r.Header.Set("Signature", `keyId="`+base+`/@bob#main-key",algorithm="rsa-sha256",headers="(request-target) host date",signature="AAAA"`)
		rec := httptest.NewRecorder()
		w.mux.ServeHTTP(rec, r)
		assert.Equal(t, http.StatusUnauthorized, rec.Code)
	})
	t.Run("group event", func(t *testing.T) {
		m := w.as2("/events/"+w.groupEvent.ID, nil, http.StatusOK)
		assert.Equal(t, base+"/@climate", m["attributedTo"])
		assert.Equal(t, base+"/@alice", m["actor"])
	})
	for _, path := range []string{"/events/not-a-uuid", "/events/00000000-0000-4000-8000-000000000000"} {
		w.as2(path, nil, http.StatusNotFound)
	}
	t.Run("without a verifier, signatures are ignored", func(t *testing.T) {
		w := newWorld(t, func(c *endpoints.Config) { c.Verifier = nil })
		w.as2("/events/"+w.private.ID, &w.bob.Actor, http.StatusNotFound)
		w.as2("/events/"+w.public.ID, &w.bob.Actor, http.StatusOK)
	})
}
