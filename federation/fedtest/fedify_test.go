package fedtest_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// The Fedify peer: an independent ActivityPub implementation (npm
// @fedify/fedify, pinned in testdata/fedify/package-lock.json) that the
// test drives through its control API. See testdata/fedify/peer.mjs.
const (
	fedifyDir = "testdata/fedify"
	// fedifyRequireEnv set to 1 turns the skip for a missing node or
	// node_modules into a failure: CI sets it (.ci/run).
	fedifyRequireEnv = "CONVENE_REQUIRE_NODE"
	// fedifyWait bounds each asynchronous step: a delivery, an answer.
	fedifyWait = 30 * time.Second
	fedifyPoll = 25 * time.Millisecond
)

// TestFedifyInterop federates a Convene instance with the Fedify peer over
// real loopback HTTP, each side verifying the other's signatures with its
// own code:
//   - we fetch its actor with a signed GET (the peer serves its actor only
//     to requests whose signature Fedify verified);
//   - it fetches our group actor with a signed GET;
//   - it follows our group, the group accepts, and a public event of the
//     group reaches it as Create{Event} (its inbox listeners run only for
//     activities whose signature Fedify verified);
//   - it joins the event with a signed Join; we store the participation
//     and it receives our Accept.
func TestFedifyInterop(t *testing.T) {
	t.Parallel()
	node := requireFedifyNode(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	peer := startFedifyPeer(ctx, t, node)
	c := startFedifyConvene(ctx, t)

	organizer := c.register("organizer")
	group, err := c.inst.Groups.Create(ctx, organizer.ID, groups.CreateInput{Username: "interop",
		DisplayName: "Interop group", Openness: groups.Open})
	require.NoError(t, err)

	t.Run("the peer requires signed GETs of its actor", func(t *testing.T) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, peer.Actor, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", "application/activity+json")
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		require.Equal(t, http.StatusUnauthorized, res.StatusCode,
			"an unsigned GET of the peer's actor must be refused, or the next check proves nothing")
	})

	t.Run("we fetch its actor with a signed GET", func(t *testing.T) {
		a, err := c.inst.Federation.Resolver.ResolveActor(ctx, peer.Actor)
		require.NoError(t, err, "Convene could not fetch the Fedify actor; peer log:\n%s", peer.logs(ctx))
		assert.Equal(t, peer.Actor, a.APID)
		assert.Equal(t, "peer", a.Username)
		assert.Equal(t, peer.Actor+"/inbox", a.Inbox)
		assert.Equal(t, peer.Origin+"/inbox", a.SharedInbox)
		assert.Contains(t, a.PublicKeyPEM, "PUBLIC KEY")

		// Fedify answered 200 to a GET signed by us.
		rs := peer.requests(ctx, t)
		var signed []string
		for _, r := range rs {
			if r.Method == http.MethodGet && r.Path == "/users/peer" && r.Signature != nil &&
				strings.HasPrefix(r.Signature.KeyID, c.base+"/") {
				signed = append(signed, fmt.Sprintf("%s %d", r.Signature.Spec, r.Status))
				if r.Status == http.StatusOK {
					t.Logf("Convene → Fedify: GET /users/peer signed %s by %s: 200", r.Signature.Spec, r.Signature.KeyID)
					return
				}
			}
		}
		t.Fatalf("no signed GET of the peer's actor answered 200; signed attempts: %v", signed)
	})

	t.Run("we resolve its handle", func(t *testing.T) {
		handle := "@peer@" + strings.TrimPrefix(peer.Origin, "http://")
		a, err := c.inst.Federation.Resolver.ResolveHandle(ctx, handle)
		require.NoError(t, err)
		assert.Equal(t, peer.Actor, a.APID)
	})

	t.Run("it fetches our group actor with a signed GET", func(t *testing.T) {
		var out struct {
			DocumentURL string         `json:"documentUrl"`
			Document    map[string]any `json:"document"`
		}
		peer.control(ctx, t, "/control/fetch", map[string]string{"url": group.APID}, &out)
		assert.Equal(t, group.APID, out.DocumentURL)
		assert.Equal(t, group.APID, out.Document["id"])
		assert.Equal(t, "Group", out.Document["type"])
		assert.Equal(t, "interop", out.Document["preferredUsername"])

		// The GET that reached us was signed with the peer's key.
		groupPath := strings.TrimPrefix(group.APID, c.base)
		var signed bool
		for _, r := range c.requests() {
			signed = signed || (r.Method == http.MethodGet && r.Path == groupPath && r.Status == http.StatusOK &&
				strings.HasPrefix(r.KeyID, peer.Actor))
		}
		assert.True(t, signed, "no GET of %s signed by %s: %+v", groupPath, peer.Actor, c.requests())
	})

	var event *events.Event
	t.Run("it follows our group and receives Create{Event}", func(t *testing.T) {
		var follow struct{ ID string }
		peer.control(ctx, t, "/control/follow", map[string]string{"actor": group.APID}, &follow)
		require.NotEmpty(t, follow.ID)

		accept := peer.await(ctx, t, "the Accept of the Follow", func(a fedifyActivity) bool {
			return a.TypeName == "Accept" && a.Object == follow.ID
		})
		assert.Equal(t, group.APID, accept.Actor)
		t.Logf("Accept{Follow} as Fedify received it: %s", accept.Raw)
		remote, err := c.inst.Identity.GetActorByAPID(ctx, peer.Actor)
		require.NoError(t, err)
		f, err := c.inst.Identity.GetFollow(ctx, remote.ID, group.ID)
		require.NoError(t, err)
		assert.Equal(t, follow.ID, f.APID)
		assert.Equal(t, identity.FollowAccepted, f.State)

		// The instance runs on the real clock (Fedify checks signature
		// dates against it), so the event is dated from now.
		event, err = c.inst.Events.Create(ctx, organizer.ID, events.Input{GroupID: group.ID,
			Title: "Interop meetup", Description: "<p>Fedify meets Convene</p>",
			BeginsAt: time.Now().Add(30 * 24 * time.Hour).Truncate(time.Minute), TimeZone: "Europe/Paris",
			Visibility: events.Public})
		require.NoError(t, err)

		create := peer.await(ctx, t, "the Create{Event}", func(a fedifyActivity) bool {
			return a.TypeName == "Create" && a.Object == event.APID
		})
		t.Logf("Create{Event} as Fedify received it: %s", create.Raw)
		assert.True(t, create.Verified)
		// Our POSTs knock with RFC 9421 first, which Fedify takes.
		var posts []string
		for _, r := range peer.requests(ctx, t) {
			if r.Method == http.MethodPost && r.Signature != nil && strings.HasPrefix(r.Signature.KeyID, c.base+"/") {
				posts = append(posts, fmt.Sprintf("%s %d", r.Signature.Spec, r.Status))
			}
		}
		require.NotEmpty(t, posts)
		assert.Contains(t, posts, "rfc9421 202", "Convene → Fedify POSTs: %v", posts)
		assert.NotContains(t, strings.Join(posts, ","), "draft", "no fallback to cavage was needed: %v", posts)
		assert.Equal(t, "Event", create.ObjectType)
		assert.Equal(t, "Interop meetup", create.ObjectName)
	})

	t.Run("it joins the event and receives our Accept", func(t *testing.T) {
		if event == nil {
			t.Skip("no event: the previous check failed")
		}
		var join struct{ ID string }
		peer.control(ctx, t, "/control/join", map[string]string{"event": event.APID, "organizer": group.APID}, &join)
		require.NotEmpty(t, join.ID)

		remote, err := c.inst.Identity.GetActorByAPID(ctx, peer.Actor)
		require.NoError(t, err)
		var p *events.Participant
		fedifyEventually(t, "the participation of the peer", func() error {
			p, err = c.inst.Events.Participation(ctx, event.ID, remote.ID)
			return err
		})
		assert.Equal(t, join.ID, p.APID)
		assert.Equal(t, events.RoleParticipant, p.Role)

		accept := peer.await(ctx, t, "the Accept of the Join", func(a fedifyActivity) bool {
			return a.TypeName == "Accept" && a.Object == join.ID
		})
		t.Logf("Accept{Join} as Fedify received it: %s", accept.Raw)
	})

	t.Run("it receives a private message from the organizers", func(t *testing.T) {
		if event == nil {
			t.Skip("no event: the previous check failed")
		}
		remote, err := c.inst.Identity.GetActorByAPID(ctx, peer.Actor)
		require.NoError(t, err)
		_, m, err := c.inst.Conversations.WriteToParticipant(ctx, organizer.ID, event.ID, remote.ID, "<p>Bring a torch.</p>")
		require.NoError(t, err)
		note := peer.await(ctx, t, "the Create{Note} of the private message", func(a fedifyActivity) bool {
			return a.TypeName == "Create" && a.Object == m.APID
		})
		t.Logf("a private message as Fedify received it: %s", note.Raw)
		assert.True(t, note.Verified, "Fedify verified our signature")
		assert.Equal(t, "Note", note.ObjectType)
	})

	// Fedify signs its first request to an origin with RFC 9421 and
	// retries with draft-cavage after any answer of 400 or more: a
	// "double knock" would hide that we refuse its RFC 9421 signatures.
	t.Run("we accept its first knock", func(t *testing.T) {
		var posts int
		for _, r := range c.requests() {
			if r.Spec == "" {
				continue
			}
			t.Logf("Fedify → Convene: %s %s signed %s: %d", r.Method, r.Path, r.Spec, r.Status)
			assert.Less(t, r.Status, 400, "%s %s signed %s by %s: %s", r.Method, r.Path, r.Spec, r.KeyID, r.Error)
			if r.Method == http.MethodPost {
				posts++
				assert.Equal(t, "rfc9421", r.Spec, "%s %s: Fedify knocks first with RFC 9421", r.Method, r.Path)
			}
		}
		assert.GreaterOrEqual(t, posts, 2, "the Follow and the Join reached Convene signed")
	})

	// Whatever Fedify logged as a warning or an error is a finding, even
	// when every check passed.
	for _, l := range peer.warnings(ctx) {
		t.Logf("Fedify %s: %s: %s", l.Level, l.Category, l.Message)
	}
}

// requireFedifyNode returns the path of node, or skips the test (fails it with
// CONVENE_REQUIRE_NODE=1) when node or the peer's node_modules is missing.
func requireFedifyNode(t *testing.T) string {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		msg := "the Fedify interop test cannot run: " + why
		if os.Getenv(fedifyRequireEnv) == "1" {
			t.Fatalf("%s (%s=1 requires it)", msg, fedifyRequireEnv)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH (install Node.js 20 or later, then run npm ci in federation/fedtest/testdata/fedify)")
		return ""
	}
	if _, err := os.Stat(filepath.Join(fedifyDir, "node_modules", "@fedify", "fedify", "package.json")); err != nil {
		missing("the peer's node_modules is missing: run npm ci in federation/fedtest/testdata/fedify")
	}
	return node
}

// fedifyPeer is the running Fedify peer.
type fedifyPeer struct {
	Origin string `json:"origin"`
	Actor  string `json:"actor"`
}

// fedifyActivity is an activity that reached one of the peer's inbox listeners.
type fedifyActivity struct {
	Verified   bool   `json:"verified"`
	TypeName   string `json:"typeName"`
	ID         string `json:"id"`
	Actor      string `json:"actor"`
	Object     string `json:"object"`
	ObjectType string `json:"objectType"`
	ObjectName string `json:"objectName"`
	// Raw is the JSON body the activity arrived in.
	Raw json.RawMessage `json:"raw"`
}

// fedifyRequest is a request the peer answered.
type fedifyRequest struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
	Signature *struct {
		Spec  string `json:"spec"`
		KeyID string `json:"keyId"`
	} `json:"signature"`
	Response string `json:"response"`
}

// fedifyLog is a log record of Fedify.
type fedifyLog struct {
	Level, Category, Message string
}

// fedifyBuffer collects a process's output.
type fedifyBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *fedifyBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *fedifyBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// startFedifyPeer runs node peer.mjs and reads the line it prints once it
// listens. Its stderr (Fedify's log) is shown when the test fails.
func startFedifyPeer(ctx context.Context, t *testing.T, node string) *fedifyPeer {
	t.Helper()
	ctx, cancel := context.WithCancel(ctx)
	cmd := exec.CommandContext(ctx, node, "peer.mjs", "--port", "0")
	cmd.Dir = fedifyDir
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	stderr := &fedifyBuffer{}
	cmd.Stderr = stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("Fedify peer stderr:\n%s", stderr.String())
		}
	})

	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(stdout)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var p fedifyPeer
	select {
	case l, ok := <-line:
		require.True(t, ok, "the Fedify peer exited before listening:\n%s", stderr.String())
		require.NoError(t, json.Unmarshal([]byte(l), &p), "the peer's first line: %q", l)
	case <-time.After(fedifyWait):
		t.Fatalf("the Fedify peer did not start in %s:\n%s", fedifyWait, stderr.String())
	}
	require.True(t, strings.HasPrefix(p.Origin, "http://127.0.0.1:"), "peer origin %q", p.Origin)
	require.Equal(t, p.Origin+"/users/peer", p.Actor)
	return &p
}

// call makes one request to the peer's control API.
func (p *fedifyPeer) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.Origin+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return err
	}
	var status struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if err := json.Unmarshal(raw, &status); err != nil {
		return fmt.Errorf("%s %s: %d %q: %w", method, path, res.StatusCode, raw, err)
	}
	if !status.OK {
		return fmt.Errorf("%s %s: %d: %s", method, path, res.StatusCode, status.Error)
	}
	if out != nil {
		return json.Unmarshal(raw, out)
	}
	return nil
}

// control POSTs a command and fails the test with Fedify's error if it
// failed.
func (p *fedifyPeer) control(ctx context.Context, t *testing.T, path string, in, out any) {
	t.Helper()
	require.NoError(t, p.call(ctx, http.MethodPost, path, in, out), "Fedify log:\n%s", p.logs(ctx))
}

func (p *fedifyPeer) requests(ctx context.Context, t *testing.T) []fedifyRequest {
	t.Helper()
	var out struct{ Requests []fedifyRequest }
	require.NoError(t, p.call(ctx, http.MethodGet, "/control/requests", nil, &out))
	return out.Requests
}

func (p *fedifyPeer) warnings(ctx context.Context) []fedifyLog {
	var out struct{ Logs []fedifyLog }
	if err := p.call(ctx, http.MethodGet, "/control/logs", nil, &out); err != nil {
		return []fedifyLog{{Level: "error", Category: "test", Message: err.Error()}}
	}
	return out.Logs
}

// logs renders the peer's warnings and the requests it answered with an
// error, for failure messages.
func (p *fedifyPeer) logs(ctx context.Context) string {
	var b strings.Builder
	for _, l := range p.warnings(ctx) {
		fmt.Fprintf(&b, "%s %s: %s\n", l.Level, l.Category, l.Message)
	}
	var out struct{ Requests []fedifyRequest }
	if err := p.call(ctx, http.MethodGet, "/control/requests", nil, &out); err == nil {
		for _, r := range out.Requests {
			if r.Status >= 400 {
				fmt.Fprintf(&b, "answered %s %s: %d %s\n", r.Method, r.Path, r.Status, r.Response)
			}
		}
	}
	return b.String()
}

// await polls the peer's inbox until an activity matches.
func (p *fedifyPeer) await(ctx context.Context, t *testing.T, what string, match func(fedifyActivity) bool) fedifyActivity {
	t.Helper()
	deadline := time.Now().Add(fedifyWait)
	var last []fedifyActivity
	var errs []string
	for {
		var out struct {
			Activities []fedifyActivity
			Errors     []string
		}
		require.NoError(t, p.call(ctx, http.MethodGet, "/control/inbox", nil, &out))
		for _, a := range out.Activities {
			if match(a) {
				return a
			}
		}
		last, errs = out.Activities, out.Errors
		if time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(fedifyPoll)
	}
	t.Fatalf("the peer did not receive %s in %s; it received %+v; inbox errors %v; Fedify log:\n%s",
		what, fedifyWait, last, errs, p.logs(ctx))
	return fedifyActivity{}
}

// fedifyEventually polls f until it returns nil, and fails the test with its
// last error after fedifyWait.
func fedifyEventually(t *testing.T, what string, f func() error) {
	t.Helper()
	deadline := time.Now().Add(fedifyWait)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: still failing after %s: %v", what, fedifyWait, err)
		}
		time.Sleep(fedifyPoll)
	}
}

// fedifyConvene is a Convene instance serving on a loopback listener.
type fedifyConvene struct {
	t    *testing.T
	base string
	inst *convene.Instance

	mu   sync.Mutex
	seen []conveneRequest
}

// conveneRequest is a request Convene answered.
type conveneRequest struct {
	Method, Path string
	Spec, KeyID  string // the signature's: "rfc9421" or "draft-cavage"; "" unsigned
	Status       int
	Error        string // the start of the body of an answer of 400 or more
}

func (c *fedifyConvene) requests() []conveneRequest {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]conveneRequest(nil), c.seen...)
}

var keyIDParam = regexp.MustCompile(`(?i)keyid="([^"]*)"`)

// record wraps Convene's handler to remember each request's signature
// and the status it was answered.
func (c *fedifyConvene) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := conveneRequest{Method: r.Method, Path: r.URL.Path}
		for _, sig := range []struct{ spec, header string }{{"rfc9421", "Signature-Input"}, {"draft-cavage", "Signature"}} {
			if v := r.Header.Get(sig.header); v != "" {
				rec.Spec = sig.spec
				if m := keyIDParam.FindStringSubmatch(v); m != nil {
					rec.KeyID = m[1]
				}
				break
			}
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		rec.Status = sw.status
		if sw.status >= 400 {
			rec.Error = strings.TrimSpace(sw.body.String())
		}
		c.mu.Lock()
		c.seen = append(c.seen, rec)
		c.mu.Unlock()
	})
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	status int
	wrote  bool
	body   bytes.Buffer // up to 500 bytes
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wrote {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	w.wrote = true
	if n := 500 - w.body.Len(); n > 0 {
		w.body.Write(p[:min(n, len(p))])
	}
	return w.ResponseWriter.Write(p)
}

func startFedifyConvene(ctx context.Context, t *testing.T) *fedifyConvene {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	base := "http://" + ln.Addr().String()

	pemText, err := os.ReadFile(filepath.Join(fedifyDir, "convene-rsa.pem"))
	require.NoError(t, err)
	signer, err := identity.ParsePrivateKeyPEM(string(pemText))
	require.NoError(t, err)
	key, ok := signer.(*rsa.PrivateKey)
	require.True(t, ok, "testdata key is not RSA")

	logs := &fedifyBuffer{}
	inst, err := convene.New(convene.Config{Store: sqlitetest.Open(t), BaseURL: base, Name: "Convene interop",
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: func() (*rsa.PrivateKey, error) { return key, nil },
		Federation: &convene.FederationConfig{
			AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			PollInterval: 20 * time.Millisecond,
			Log:          slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		}})
	require.NoError(t, err)

	c := &fedifyConvene{t: t, base: base, inst: inst}
	srv := &http.Server{Handler: c.record(inst.Handler()), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- inst.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		assert.NoError(t, <-ran, "Instance.Run")
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		assert.NoError(t, srv.Shutdown(sctx))
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			assert.NoError(t, err, "Serve")
		}
		if t.Failed() {
			t.Logf("Convene log:\n%s", logs.String())
		}
	})
	return c
}

func (c *fedifyConvene) register(name string) *identity.Profile {
	c.t.Helper()
	_, p, err := c.inst.Identity.Register(context.Background(), identity.RegisterInput{Email: name + "@mail.example",
		Password: "correct horse battery", Username: name, DisplayName: name})
	require.NoError(c.t, err)
	return p
}
