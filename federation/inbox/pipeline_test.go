package inbox_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/wire"
)

func TestNewRefusesMissingDependencies(t *testing.T) {
	t.Parallel()
	_, err := inbox.New(inbox.Config{BaseURL: base})
	require.Error(t, err)
	_, err = inbox.New(inbox.Config{BaseURL: "not a url"})
	require.Error(t, err)
	_, err = inbox.NewServices(inbox.ServicesConfig{})
	require.Error(t, err)
}

// TestRefused covers SECURITY.md's inbox cases that are refused by the
// pipeline: each answers its status and changes nothing.
func TestRefused(t *testing.T) {
	t.Parallel()
	followAlice := func(e *env) map[string]any { return follow("https://victim.example/f/1", victim, e.alice.APID) }
	tests := []struct {
		name    string
		request func(e *env) *http.Request
		status  int
		// noKeyFetch: refused before any key was resolved.
		noKeyFetch bool
	}{
		{"GET", func(e *env) *http.Request {
			return httptest.NewRequest(http.MethodGet, "/inbox", nil)
		}, http.StatusMethodNotAllowed, true},
		{"unsigned Follow (case 1)", func(e *env) *http.Request {
			return e.request(nil, mustJSON(t, followAlice(e)))
		}, http.StatusUnauthorized, true},
		{"unsigned Create", func(e *env) *http.Request {
			ev := remoteEvent("https://victim.example/events/1", victim, "Concert")
			return e.request(nil, mustJSON(t, activity("Create", "https://victim.example/events/1/activity", victim, ev)))
		}, http.StatusUnauthorized, true},
		{"body changed after signing (case 2)", func(e *env) *http.Request {
			r := e.request(e.signers[victim], mustJSON(t, followAlice(e)))
			changed := mustJSON(t, follow("https://victim.example/f/1", victim, e.org.APID))
			r.Body = io.NopCloser(bytes.NewReader(changed))
			r.ContentLength = int64(len(changed))
			return r
		}, http.StatusUnauthorized, true},
		{"Date 13 hours old (case 5)", func(e *env) *http.Request {
			s := e.signer(victim+"#main-key", privateKey(t, "rsa1"), epoch.Add(-13*time.Hour))
			return e.request(s, mustJSON(t, followAlice(e)))
		}, http.StatusUnauthorized, true},
		{"Date 2 hours in the future (case 5)", func(e *env) *http.Request {
			s := e.signer(victim+"#main-key", privateKey(t, "rsa1"), epoch.Add(2*time.Hour))
			return e.request(s, mustJSON(t, followAlice(e)))
		}, http.StatusUnauthorized, true},
		{"digest not signed (case 3)", func(e *env) *http.Request {
			return tamper(e.request(e.signers[victim], mustJSON(t, followAlice(e))), "(request-target) host date digest", "(request-target) host date")
		}, http.StatusUnauthorized, true},
		{"(request-target) not signed (case 6)", func(e *env) *http.Request {
			return tamper(e.request(e.signers[victim], mustJSON(t, followAlice(e))), "(request-target) host date digest", "host date digest")
		}, http.StatusUnauthorized, true},
		{"date not signed (case 6)", func(e *env) *http.Request {
			return tamper(e.request(e.signers[victim], mustJSON(t, followAlice(e))), "(request-target) host date digest", "(request-target) host digest")
		}, http.StatusUnauthorized, true},
		{"algorithm hmac-sha256 (case 7)", func(e *env) *http.Request {
			return tamper(e.request(e.signers[victim], mustJSON(t, followAlice(e))), `algorithm="rsa-sha256"`, `algorithm="hmac-sha256"`)
		}, http.StatusUnauthorized, true},
		{"Digest SHA-1 only (case 4)", func(e *env) *http.Request {
			r := e.request(e.signers[victim], mustJSON(t, followAlice(e)))
			r.Header.Set("Digest", "SHA-1=2jmj7l5rSw0yVb/vlWAYkK/YBwk=")
			return r
		}, http.StatusUnauthorized, true},
		{"NUL byte in a name (case 36)", func(e *env) *http.Request {
			ev := remoteEvent("https://victim.example/events/1", victim, "Con\u0000cert")
			return e.request(e.signers[victim], mustJSON(t, activity("Create", "https://victim.example/a/1", victim, ev)))
		}, http.StatusBadRequest, false},
		{"invalid UTF-8 (case 36)", func(e *env) *http.Request {
			body := bytes.Replace(mustJSON(t, followAlice(e)), []byte("Follow"), []byte("Foll\xffow"), 1)
			return e.request(e.signers[victim], body)
		}, http.StatusBadRequest, false},
		{"Content-Type text/plain (case 37)", func(e *env) *http.Request {
			r := e.request(e.signers[victim], mustJSON(t, followAlice(e)))
			r.Header.Set("Content-Type", "text/plain")
			return r
		}, http.StatusUnsupportedMediaType, true},
		{"Content-Length 50 MB (case 35)", func(e *env) *http.Request {
			r := e.request(e.signers[victim], mustJSON(t, followAlice(e)))
			r.ContentLength = 52428800
			r.Body = failingBody{t}
			return r
		}, http.StatusRequestEntityTooLarge, true},
		{"chunked body over 1 MiB (case 35)", func(e *env) *http.Request {
			r := e.request(e.signers[victim], bytes.Repeat([]byte(" "), inbox.MaxBodySize+1))
			r.ContentLength = -1
			return r
		}, http.StatusRequestEntityTooLarge, true},
		{"JSON nested 10 000 deep (case 34)", func(e *env) *http.Request {
			deep := `{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`
			return e.request(e.signers[victim], []byte(deep))
		}, http.StatusBadRequest, true},
		{"signer's domain blocked", func(e *env) *http.Request {
			e.policy.Block("victim.example")
			return e.request(e.signers[victim], mustJSON(t, followAlice(e)))
		}, http.StatusForbidden, true},
		{"signer's parent domain blocked", func(e *env) *http.Request {
			e.policy.Block("example")
			return e.request(e.signers[victim], mustJSON(t, followAlice(e)))
		}, http.StatusForbidden, true},
		{"allow-list mode, signer not listed", func(e *env) *http.Request {
			e.policy.AllowOnly("other.example")
			return e.request(e.signers[victim], mustJSON(t, followAlice(e)))
		}, http.StatusForbidden, true},
		{"blocked IRI inside the activity", func(e *env) *http.Request {
			e.policy.Block("blocked.example")
			f := followAlice(e)
			f["cc"] = []string{"https://blocked.example/users/x"}
			return e.request(e.signers[victim], mustJSON(t, f))
		}, http.StatusForbidden, false},
		{"key owner is not the actor (case 10)", func(e *env) *http.Request {
			return e.request(e.signers[evil], mustJSON(t, followAlice(e)))
		}, http.StatusUnauthorized, false},
		{"activity id on another host (case 17)", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, follow("https://evil.example/f/1", victim, e.alice.APID)))
		}, http.StatusForbidden, false},
		{"malformed activity", func(e *env) *http.Request {
			return e.request(e.signers[victim], []byte(`{"type":"Follow","id":"https://victim.example/f/1"}`))
		}, http.StatusBadRequest, false},
		{"Create of an object on another host, origin fetch fails (case 16)", func(e *env) *http.Request {
			ev := remoteEvent("https://r2.example/events/1", victim, "Concert")
			return e.request(e.signers[victim], mustJSON(t, activity("Create", "https://victim.example/a/1", victim, ev)))
		}, http.StatusForbidden, false},
		{"Create attributed to another, origin fetch fails (case 18)", func(e *env) *http.Request {
			ev := remoteEvent("https://victim.example/events/1", other, "Concert")
			return e.request(e.signers[victim], mustJSON(t, activity("Create", "https://victim.example/a/1", victim, ev)))
		}, http.StatusForbidden, false},
		{"Update of another's stored event on the same host (case 19)", func(e *env) *http.Request {
			ev := remoteEvent(remoteEventID, victim, "Hijacked")
			return e.request(e.signers[victim], mustJSON(t, activity("Update", "https://victim.example/u/1", victim, ev)))
		}, http.StatusForbidden, false},
		{"Update of another's event, refetched (case 19)", func(e *env) *http.Request {
			id := "https://victim.example/events/2"
			e.fetch.serve(id, remoteEvent(id, other, "Original"))
			ev := remoteEvent(id, other, "Hijacked")
			return e.request(e.signers[victim], mustJSON(t, activity("Update", "https://victim.example/u/1", victim, ev)))
		}, http.StatusForbidden, false},
		{"Delete of another's stored event on the same host", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, activity("Delete", "https://victim.example/d/6", victim, remoteEventID)))
		}, http.StatusForbidden, false},
		{"Update of an event on our host (case 20)", func(e *env) *http.Request {
			ev := remoteEvent(e.event.APID, victim, "Hijacked")
			return e.request(e.signers[victim], mustJSON(t, activity("Update", "https://victim.example/u/1", victim, ev)))
		}, http.StatusForbidden, false},
		{"Update Person of another actor (case 21)", func(e *env) *http.Request {
			e.fetch.serve(other, map[string]any{"type": "Person", "id": other, "inbox": other + "/inbox", "preferredUsername": "b"})
			p := map[string]any{"type": "Person", "id": other, "inbox": other + "/inbox", "preferredUsername": "b",
				"publicKey": map[string]any{"id": other + "#main-key", "owner": other, "publicKeyPem": publicPEM(t, privateKey(t, "rsa1"))}}
			return e.request(e.signers[victim], mustJSON(t, activity("Update", "https://victim.example/u/2", victim, p)))
		}, http.StatusForbidden, false},
		{"Delete of a group by a member on its host (case 22)", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, activity("Delete", "https://victim.example/d/1", victim, group)))
		}, http.StatusForbidden, false},
		{"Delete of another actor on the same host", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, activity("Delete", "https://victim.example/d/2", victim, other)))
		}, http.StatusForbidden, false},
		{"Delete of our local event (case 23)", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, activity("Delete", "https://victim.example/d/3", victim, e.event.APID)))
		}, http.StatusForbidden, false},
		{"Delete of our local actor (case 23)", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, activity("Delete", "https://victim.example/d/4", victim, e.alice.APID)))
		}, http.StatusForbidden, false},
		{"Delete of an object on another host", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, activity("Delete", "https://victim.example/d/5", victim, "https://r2.example/events/1")))
		}, http.StatusForbidden, false},
		{"Undo of another actor's Follow", func(e *env) *http.Request {
			inner := follow("https://victim.example/f/9", other, e.alice.APID)
			return e.request(e.signers[victim], mustJSON(t, activity("Undo", "https://victim.example/undo/1", victim, inner)))
		}, http.StatusForbidden, false},
		{"Follow of an actor that is not ours", func(e *env) *http.Request {
			return e.request(e.signers[victim], mustJSON(t, follow("https://victim.example/f/2", victim, other)))
		}, http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			before := e.state()
			r := tt.request(e)
			assert.Equal(t, tt.status, e.serve(r))
			assert.Equal(t, before, e.state(), "nothing may change")
			assert.Empty(t, e.dispatchedTypes(), "nothing dispatched")
			if tt.noKeyFetch {
				assert.Zero(t, e.keys.count(), "no key fetched")
			}
		})
	}
}

// tamper rewrites part of the Signature header.
func tamper(r *http.Request, old, repl string) *http.Request {
	sig := r.Header.Get("Signature")
	if !strings.Contains(sig, old) {
		panic("tamper: " + old + " not in " + sig)
	}
	r.Header.Set("Signature", strings.Replace(sig, old, repl, 1))
	return r
}

// failingBody fails the test when read: a Content-Length over the limit
// is refused before the body is read.
type failingBody struct{ t *testing.T }

func (b failingBody) Read([]byte) (int, error) {
	b.t.Error("the body was read")
	return 0, io.EOF
}
func (failingBody) Close() error { return nil }

func TestDateWithinWindowAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := e.signer(victim+"#main-key", privateKey(t, "rsa1"), epoch.Add(-30*time.Minute))
	code := e.serve(e.request(s, mustJSON(t, follow("https://victim.example/f/1", victim, e.alice.APID))))
	assert.Equal(t, http.StatusAccepted, code)
	assert.Equal(t, []string{"Follow"}, e.dispatchedTypes())
}

// TestReplay: the same signed request again, and the same id with
// another body (cases 8 and 9): 202, one side effect, the first kept.
func TestReplay(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	body := mustJSON(t, follow("https://victim.example/f/1", victim, e.alice.APID))
	r1, r2 := e.request(e.signers[victim], body), e.request(e.signers[victim], body)
	require.Equal(t, http.StatusAccepted, e.serve(r1))
	after := e.state()
	require.Equal(t, http.StatusAccepted, e.serve(r2))
	assert.Equal(t, after, e.state())

	changed := follow("https://victim.example/f/1", victim, e.org.APID)
	require.Equal(t, http.StatusAccepted, e.post(victim, changed))
	assert.Equal(t, after, e.state())
	assert.Equal(t, []string{"Follow"}, e.dispatchedTypes())
	_, err := e.id.GetFollow(context.Background(), e.remote[victim].ID, e.org.ID)
	assert.Error(t, err, "the second body had no effect")
}

// TestRefetch: an object embedded from another host, or attributed to
// another actor, is replaced by its origin's copy (cases 16, 18).
func TestRefetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.addRemote("https://r2.example/users/z", privateKey(t, "rsa2"))
	id := "https://r2.example/events/1"
	e.fetch.serve(id, remoteEvent(id, "https://r2.example/users/z", "From the origin"))
	forged := remoteEvent(id, victim, "Forged")
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Create", "https://victim.example/a/1", victim, forged)))
	require.Len(t, e.dispatched, 1)
	got := e.dispatched[0]
	require.NotNil(t, got.Event)
	assert.Equal(t, "From the origin", got.Event.Event.Title)
	assert.Equal(t, "https://r2.example/users/z", got.Event.AttributedTo)
	assert.Equal(t, 1, e.fetch.count())

	// The actor's own object on its host is taken as sent: no fetch.
	own := remoteEvent("https://victim.example/events/7", victim, "Own")
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Create", "https://victim.example/a/2", victim, own)))
	assert.Equal(t, 1, e.fetch.count())
	assert.Equal(t, "Own", e.dispatched[1].Event.Event.Title)
}

// TestRefetchChecksBlocks: a refetched object naming a blocked domain is
// refused like an embedded one.
func TestRefetchChecksBlocks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.policy.Block("blocked.example")
	id := "https://r2.example/events/1"
	e.fetch.serve(id, remoteEvent(id, "https://blocked.example/users/z", "From the origin"))
	before := e.state()
	forged := remoteEvent(id, victim, "Forged")
	assert.Equal(t, http.StatusForbidden, e.post(victim, activity("Create", "https://victim.example/a/1", victim, forged)))
	assert.Equal(t, before, e.state())
}

// TestTombstone: a Delete, then a Create with the same id: not recreated
// (case 24); also when the Delete came first (delete before create).
func TestTombstone(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := "https://victim.example/events/3"
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Delete", "https://victim.example/d/1", victim, id)))
	assert.Equal(t, 1, e.tombs.Len())
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Create", "https://victim.example/a/3", victim, remoteEvent(id, victim, "Back"))))
	assert.Equal(t, []string{"Delete"}, e.dispatchedTypes(), "the Create is dropped")
}

// TestSelfDelete: an actor may delete itself.
func TestSelfDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	del := activity("Delete", victim+"#delete", victim, victim)
	assert.Equal(t, http.StatusAccepted, e.post(victim, del))
	assert.Equal(t, []string{"Delete"}, e.dispatchedTypes())
	dead, err := e.tombs.Tombstoned(context.Background(), victim)
	require.NoError(t, err)
	assert.True(t, dead)
}

// TestGoneActorSelfDelete: a Delete of an actor by itself, signed with a
// key that can no longer be fetched, is acknowledged (202) and does
// nothing; anything else with an unknown key is 401.
func TestGoneActorSelfDelete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	gone := "https://victim.example/users/gone"
	s := e.signer(gone+"#main-key", privateKey(t, "rsa1"), epoch)
	before := e.state()
	assert.Equal(t, http.StatusAccepted, e.serve(e.request(s, mustJSON(t, activity("Delete", gone+"#delete", gone, gone)))))
	assert.Equal(t, http.StatusUnauthorized, e.serve(e.request(s, mustJSON(t, activity("Delete", gone+"#delete", gone, victim)))))
	assert.Equal(t, http.StatusUnauthorized, e.serve(e.request(s, mustJSON(t, follow(gone+"/f/1", gone, e.alice.APID)))))
	assert.Equal(t, before, e.state())
	assert.Empty(t, e.dispatchedTypes())
}

func TestAllowListAdmits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.policy.AllowOnly("victim.example")
	assert.Equal(t, http.StatusAccepted, e.post(victim, follow("https://victim.example/f/1", victim, e.alice.APID)))
}

// TestPublicNotBlocked: as:Public is no domain of the policy.
func TestPublicNotBlocked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.policy.AllowOnly("victim.example")
	f := follow("https://victim.example/f/1", victim, e.alice.APID)
	f["to"] = []string{wire.PublicIRI, "as:Public"}
	assert.Equal(t, http.StatusAccepted, e.post(victim, f))
}

// TestSuspendedActor: a moderator's suspension of a remote actor makes
// the inbox refuse its activities (403) and keep nothing of them.
func TestSuspendedActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.NoError(t, e.id.SuspendActor(context.Background(), e.remote[victim].ID, true))
	before := e.state()
	require.Equal(t, http.StatusForbidden, e.post(victim, follow("https://victim.example/f/9", victim, e.alice.APID)))
	assert.Equal(t, before, e.state())
	require.Equal(t, http.StatusAccepted, e.post(other, follow("https://victim.example/f/10", other, e.alice.APID)),
		"another actor of the same host is heard")
}
