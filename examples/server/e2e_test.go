package main

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/identity"
)

// e2eTimeout bounds each wait of the end-to-end test.
const e2eTimeout = 30 * time.Second

// TestTwoServers builds the reference server and runs two of it on
// loopback, as two instances of the fediverse, over real HTTP: a
// profile on B follows a group on A by its handle; the group publishes
// an event, which reaches B's search; B's profiles join, the second
// waitlisted once the event is full, and A's organizer sees them; the
// update, the cancellation and the deletion reach B (410 and a
// Tombstone on A). Then A is killed with SIGKILL in the middle of a
// fan-out to 24 hosts and restarted: every host gets the activity.
func TestTwoServers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two server processes; skipped in -short mode")
	}
	t.Parallel()
	bin := buildServer(t)
	a := newServer(t, bin, "a")
	b := newServer(t, bin, "b")
	a.admin("create-account", "--email", "org@a.example", "--password", "a long enough password", "--username", "org")
	a.admin("create-account", "--email", "pat@a.example", "--password", "a long enough password", "--username", "pat")
	b.admin("create-account", "--email", "bea@b.example", "--password", "a long enough password", "--username", "bea")
	b.admin("create-account", "--email", "ben@b.example", "--password", "a long enough password", "--username", "ben")
	a.start()
	b.start()
	org, pat := a.login("org@a.example"), a.login("pat@a.example")
	bea, ben := b.login("bea@b.example"), b.login("ben@b.example")

	// bea follows the group on A by its handle; the group accepts.
	g := a.call(org, "POST", "/api/v1/groups", map[string]any{"username": "walkers", "display_name": "Walkers", "openness": "open"}, 201)
	b.call(bea, "POST", "/api/v1/follows", map[string]any{"handle": "@walkers@" + a.host}, 201)
	eventually(t, "the follow is accepted on A", func() bool {
		return a.as("/@walkers/followers")["totalItems"] == float64(1)
	})

	// The group publishes an event with one seat; it reaches B's search.
	begins := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	ev := a.call(org, "POST", "/api/v1/events", map[string]any{"group_id": g["id"], "title": "Ridge walk",
		"begins_on": begins.Format(time.RFC3339), "ends_on": begins.Add(4 * time.Hour).Format(time.RFC3339),
		"timezone": "Europe/Paris", "capacity": 1}, 201)
	var remoteID string
	eventually(t, "the event is in B's search", func() bool {
		items, _ := b.call(bea, "GET", "/api/v1/events?text=ridge", nil, 200)["items"].([]any)
		if len(items) != 1 {
			return false
		}
		e := items[0].(map[string]any)["event"].(map[string]any)
		remoteID, _ = e["id"].(string)
		return e["url"] == ev["url"] && e["local"] == false
	})

	// bea joins and gets the seat; A's organizer sees her.
	p := b.call(bea, "POST", "/api/v1/events/"+remoteID+"/participation", map[string]any{}, 201)
	assert.Equal(t, "not_approved", p["role"], "A decides")
	eventually(t, "A's Accept reaches B", func() bool {
		return b.call(bea, "GET", "/api/v1/events/"+remoteID+"/participation", nil, 200)["role"] == "participant"
	})
	roles := func() map[string]string {
		out := map[string]string{}
		items, _ := a.call(org, "GET", "/api/v1/events/"+ev["id"].(string)+"/participants", nil, 200)["items"].([]any)
		for _, it := range items {
			m := it.(map[string]any)
			if actor, ok := m["actor"].(map[string]any); ok {
				out[fmt.Sprint(actor["url"])] = fmt.Sprint(m["role"])
			}
		}
		return out
	}
	assert.Equal(t, "participant", roles()[b.base+"/@bea"])

	// ben joins the full event: waitlisted on A, pending on B.
	b.call(ben, "POST", "/api/v1/events/"+remoteID+"/participation", map[string]any{}, 201)
	eventually(t, "ben is waitlisted on A", func() bool { return roles()[b.base+"/@ben"] == "waitlisted" })
	assert.Equal(t, "not_approved", b.call(ben, "GET", "/api/v1/events/"+remoteID+"/participation", nil, 200)["role"])

	// A private conversation across the two servers: bea writes to the
	// organizers, org answers from A, bea reads the answer on B.
	w := b.call(bea, "POST", "/api/v1/events/"+remoteID+"/conversations", map[string]any{"text": "<p>Is there parking?</p>"}, 201)
	convB := w["conversation"].(map[string]any)["id"].(string)
	var convA string
	eventually(t, "the message reaches A's organizers", func() bool {
		items, _ := a.call(org, "GET", "/api/v1/events/"+ev["id"].(string)+"/conversations", nil, 200)["items"].([]any)
		if len(items) != 1 {
			return false
		}
		convA, _ = items[0].(map[string]any)["id"].(string)
		return true
	})
	eventually(t, "A mails the organizer", func() bool { return a.mailed("org@a.example", "conversation.message") })
	a.call(org, "POST", "/api/v1/conversations/"+convA+"/messages", map[string]any{"text": "<p>Yes, at the station.</p>"}, 201)
	eventually(t, "the answer reaches bea on B", func() bool {
		items, _ := b.call(bea, "GET", "/api/v1/conversations/"+convB, nil, 200)["messages"].(map[string]any)["items"].([]any)
		return len(items) == 2 && items[1].(map[string]any)["text"] == "<p>Yes, at the station.</p>"
	})
	_, status := b.try(ben, "GET", "/api/v1/conversations/"+convB, nil)
	assert.Equal(t, http.StatusNotFound, status, "nobody else reads it")

	// A local participant too (waitlisted): the update is mailed to
	// them (to the file outbox, as no SMTP server is set).
	a.call(pat, "POST", "/api/v1/events/"+ev["id"].(string)+"/participation", map[string]any{}, 201)

	// The update and the cancellation reach B.
	a.call(org, "PATCH", "/api/v1/events/"+ev["id"].(string), map[string]any{"title": "Ridge walk (new route)"}, 200)
	eventually(t, "the update is mailed to A's local participant", func() bool {
		return a.mailed("pat@a.example", "event.updated")
	})
	eventually(t, "the update reaches B", func() bool {
		return b.call(bea, "GET", "/api/v1/events/"+remoteID, nil, 200)["title"] == "Ridge walk (new route)"
	})
	a.call(org, "PATCH", "/api/v1/events/"+ev["id"].(string), map[string]any{"status": "cancelled"}, 200)
	eventually(t, "the cancellation reaches B", func() bool {
		return b.call(bea, "GET", "/api/v1/events/"+remoteID, nil, 200)["status"] == "cancelled"
	})

	// The deletion: 410 and a Tombstone on A, gone from B.
	a.call(org, "DELETE", "/api/v1/events/"+ev["id"].(string), nil, 204)
	doc, status := a.get(ev["url"].(string), "application/activity+json")
	assert.Equal(t, http.StatusGone, status)
	assert.Equal(t, "Tombstone", doc["type"])
	eventually(t, "the deletion reaches B", func() bool {
		_, status := b.try(bea, "GET", "/api/v1/events/"+remoteID, nil)
		return status == http.StatusNotFound
	})

	// SIGKILL in the middle of a fan-out: 24 hosts follow the group,
	// each answering slowly; A dies once the first POST arrives and is
	// started again; every host gets the Create.
	const hosts = 24
	sinks := make([]*sink, hosts)
	for i := range sinks {
		sinks[i] = newSink(t, fmt.Sprintf("s%d", i))
		sinks[i].follow(t, a.base+"/@walkers")
	}
	eventually(t, "the hosts follow the group", func() bool {
		return a.as("/@walkers/followers")["totalItems"] == float64(1+hosts)
	})
	ev2 := a.call(org, "POST", "/api/v1/events", map[string]any{"group_id": g["id"], "title": "Night walk",
		"begins_on": begins.Format(time.RFC3339)}, 201)
	create := ev2["url"].(string) + "/activity"
	eventually(t, "the fan-out has begun", func() bool {
		for _, s := range sinks {
			if s.received(create) > 0 {
				return true
			}
		}
		return false
	})
	a.kill()
	before := 0
	for _, s := range sinks {
		if s.received(create) > 0 {
			before++
		}
	}
	require.Less(t, before, hosts, "killed in the middle of the fan-out, not after it")
	a.start()
	eventually(t, "every host got the Create after the restart", func() bool {
		for _, s := range sinks {
			if s.received(create) == 0 {
				return false
			}
		}
		return true
	})
	twice := 0
	for _, s := range sinks {
		if s.received(create) > 1 {
			twice++
		}
	}
	// Those whose answer the killed process never read get it again:
	// at least once, never lost.
	t.Logf("at the kill %d of %d hosts had the Create; %d got it again after the restart", before, hosts, twice)
}

// buildServer builds this package's command into a temporary directory.
func buildServer(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "convene-server")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Run(), "go build")
	return bin
}

// server is one process of the reference server.
type server struct {
	t          *testing.T
	bin, name  string
	dir, host  string
	base       string
	cmd        *exec.Cmd
	log        *syncBuffer
	exited     chan struct{}
	clientOnce sync.Once
}

func newServer(t *testing.T, bin, name string) *server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	host := ln.Addr().String()
	require.NoError(t, ln.Close())
	s := &server{t: t, bin: bin, name: name, dir: t.TempDir(), host: host, base: "http://" + host, log: &syncBuffer{}}
	t.Cleanup(func() {
		if s.cmd != nil && s.cmd.ProcessState == nil {
			_ = s.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-s.exited:
			case <-time.After(15 * time.Second):
				_ = s.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			t.Logf("server %s log:\n%s", s.name, s.log.String())
		}
	})
	return s
}

func (s *server) flags() []string {
	return []string{"-listen", s.host, "-data-dir", s.dir, "-allow-private-addresses", "127.0.0.0/8",
		"-delivery-timeout", "2s", "-delivery-lease", "4s", "-log-level", "warn"}
}

func (s *server) admin(args ...string) {
	s.t.Helper()
	out, err := exec.Command(s.bin, append(append([]string{"admin"}, args...), s.flags()...)...).CombinedOutput()
	require.NoError(s.t, err, "admin %v: %s", args, out)
}

func (s *server) start() {
	s.t.Helper()
	s.cmd = exec.Command(s.bin, s.flags()...)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.log
	require.NoError(s.t, s.cmd.Start())
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.exited)
	eventually(s.t, s.name+" answers", func() bool {
		resp, err := http.Get(s.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// mailed reports whether the file outbox holds a message of kind to.
func (s *server) mailed(to, kind string) bool {
	files, _ := filepath.Glob(filepath.Join(s.dir, "mail", "*.eml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err == nil && strings.Contains(string(data), "To: <"+to+">") && strings.Contains(string(data), "X-Convene-Kind: "+kind) {
			return true
		}
	}
	return false
}

// kill ends the process with SIGKILL: no shutdown, no cleanup.
func (s *server) kill() {
	s.t.Helper()
	require.NoError(s.t, s.cmd.Process.Signal(syscall.SIGKILL))
	<-s.exited
}

func (s *server) login(email string) string {
	s.t.Helper()
	return s.call("", "POST", "/api/v1/sessions", map[string]any{"email": email, "password": "a long enough password"}, 201)["token"].(string)
}

// try sends an API request and returns the decoded answer and status.
func (s *server) try(token, method, path string, body any) (map[string]any, int) {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(s.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, s.base+path, rd)
	require.NoError(s.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	var out map[string]any
	data, _ := io.ReadAll(resp.Body)
	if len(data) > 0 {
		require.NoError(s.t, json.Unmarshal(data, &out), "%s %s: %s", method, path, data)
	}
	return out, resp.StatusCode
}

// call is try that requires the status want.
func (s *server) call(token, method, path string, body any, want int) map[string]any {
	s.t.Helper()
	out, status := s.try(token, method, path, body)
	require.Equal(s.t, want, status, "%s %s: %v", method, path, out)
	return out
}

// get fetches a document with the given Accept header.
func (s *server) get(url, accept string) (map[string]any, int) {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(s.t, err)
	req.Header.Set("Accept", accept)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(s.t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out, resp.StatusCode
}

// as fetches one of this server's ActivityStreams documents.
func (s *server) as(path string) map[string]any {
	s.t.Helper()
	doc, _ := s.get(s.base+path, "application/activity+json")
	return doc
}

// eventually waits for cond, polling.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// sink is a minimal remote actor on its own host (its own port): it
// serves its actor document, follows with a signed Follow, and counts
// the activities it receives, answering each slowly.
type sink struct {
	srv    *httptest.Server
	actor  string
	signer *httpsig.Signer
	pem    string

	mu       sync.Mutex
	activity map[string]int
}

// sinkKey is the key every sink signs with.
var sinkKey = sync.OnceValues(func() (string, error) {
	data, err := os.ReadFile("../../federation/fedtest/keys/rsa1.pem")
	return string(data), err
})

func newSink(t *testing.T, name string) *sink {
	t.Helper()
	pemText, err := sinkKey()
	require.NoError(t, err)
	key, err := identity.ParsePrivateKeyPEM(pemText)
	require.NoError(t, err)
	s := &sink{activity: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	s.actor = s.srv.URL + "/" + name
	s.signer, err = httpsig.NewSigner(httpsig.SignerConfig{KeyID: s.actor + "#main-key", Key: key})
	require.NoError(t, err)
	s.pem = publicPEM(t, key)
	return s
}

func (s *sink) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && s.srv.URL+r.URL.Path == s.actor:
		w.Header().Set("Content-Type", "application/activity+json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"@context": []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":       s.actor, "type": "Person", "preferredUsername": strings.TrimPrefix(r.URL.Path, "/"),
			"inbox": s.actor + "/inbox", "outbox": s.actor + "/outbox",
			"publicKey": map[string]any{"id": s.actor + "#main-key", "owner": s.actor, "publicKeyPem": s.pem},
		})
	case r.Method == http.MethodPost && s.srv.URL+r.URL.Path == s.actor+"/inbox":
		var act struct{ ID, Type string }
		_ = json.NewDecoder(r.Body).Decode(&act)
		s.mu.Lock()
		s.activity[act.ID]++
		s.mu.Unlock()
		if act.Type == "Create" {
			time.Sleep(1500 * time.Millisecond) // still answering when the sender dies
		}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

func (s *sink) received(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.activity[id]
}

// follow sends a signed Follow of actor to the actor's inbox.
func (s *sink) follow(t *testing.T, actor string) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"@context": "https://www.w3.org/ns/activitystreams",
		"id": s.actor + "/follows/1", "type": "Follow", "actor": s.actor, "object": actor})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, actor+"/inbox", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/activity+json")
	require.NoError(t, s.signer.Sign(req, body, httpsig.Cavage))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	data, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusAccepted, resp.StatusCode, "%s", data)
}

// publicPEM is the PKIX PEM of a key's public half.
func publicPEM(t *testing.T, key crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}
