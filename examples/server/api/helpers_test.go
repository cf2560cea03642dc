package api_test

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
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
	"codeberg.org/convene/convene/examples/server/api"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

const base = "https://events.example"

// t0 is the tests' "now"; events are planned after it.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// clock is the tests' fake clock.
type clock = fakeclock.Clock

var (
	keyOnce sync.Once
	key     *rsa.PrivateKey
	keyErr  error
)

// fixedKey hands out one pre-generated key: generating RSA keys is slow.
func fixedKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() {
		var b []byte
		if b, keyErr = os.ReadFile("testdata/rsa.pem"); keyErr != nil {
			return
		}
		k, err := identity.ParsePrivateKeyPEM(string(b))
		if err != nil {
			keyErr = err
			return
		}
		key = k.(*rsa.PrivateKey)
	})
	return key, keyErr
}

// fakeFollower records follows instead of resolving handles.
type fakeFollower struct {
	mu    sync.Mutex
	calls []string
	err   error
}

func (f *fakeFollower) JoinGroup(_ context.Context, actorID, handle string) (*groups.Member, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, "join "+actorID+" "+handle)
	if f.err != nil {
		return nil, f.err
	}
	return &groups.Member{ID: "member-1", GroupID: "remote-group", ActorID: actorID, Role: groups.RoleNotApproved,
		CreatedAt: t0, UpdatedAt: t0}, nil
}

func (f *fakeFollower) Follow(_ context.Context, followerID, handle string) (*identity.Follow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, followerID+" "+handle)
	if f.err != nil {
		return nil, f.err
	}
	return &identity.Follow{ID: "follow-1", FollowerID: followerID, FollowedID: "remote-actor",
		State: identity.FollowPending, CreatedAt: t0}, nil
}

// world is an instance over SQLite with its API.
type world struct {
	t       testing.TB
	ctx     context.Context
	clock   *clock
	inst    *convene.Instance
	api     *api.API
	follows *fakeFollower
}

func newWorld(t testing.TB, opts ...func(*api.Config)) *world {
	t.Helper()
	clk := fakeclock.New(t0)
	inst, err := convene.New(convene.Config{Store: sqlitetest.Open(t), BaseURL: base, Now: clk.Now,
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: fixedKey})
	require.NoError(t, err)
	w := &world{t: t, ctx: context.Background(), clock: clk, inst: inst, follows: &fakeFollower{}}
	cfg := api.Config{Instance: inst, Follows: w.follows, Now: clk.Now}
	for _, o := range opts {
		o(&cfg)
	}
	w.api, err = api.New(cfg)
	require.NoError(t, err)
	return w
}

// user is a confirmed account with its default profile and a token.
type user struct {
	account *identity.Account
	profile *identity.Profile
	token   string
}

const password = "a long enough password"

// user registers a confirmed account and signs it in through the API.
func (w *world) user(username string) *user {
	w.t.Helper()
	email := username + "@mail.example"
	a, p, err := w.inst.Identity.Register(w.ctx, identity.RegisterInput{Email: email, Password: password,
		Username: username, DisplayName: strings.ToUpper(username[:1]) + username[1:]})
	require.NoError(w.t, err)
	a, err = w.inst.Identity.ConfirmAccount(w.ctx, a.ID)
	require.NoError(w.t, err)
	res := w.do("POST", "/api/v1/sessions", "", map[string]any{"email": email, "password": password})
	res.status(http.StatusCreated)
	var out struct{ Token string }
	res.decode(&out)
	require.NotEmpty(w.t, out.Token)
	return &user{account: a, profile: p, token: out.Token}
}

// profile adds a profile to u's account.
func (w *world) profile(u *user, username string) *identity.Profile {
	w.t.Helper()
	p, err := w.inst.Identity.CreateProfile(w.ctx, u.account.ID, identity.ProfileInput{Username: username})
	require.NoError(w.t, err)
	return p
}

// event creates an event organized by p, with in's fields over defaults.
func (w *world) event(p *identity.Profile, change func(in *events.Input)) *events.Event {
	w.t.Helper()
	in := events.Input{Title: "Picnic", BeginsAt: t0.Add(48 * time.Hour), EndsAt: t0.Add(50 * time.Hour),
		TimeZone: "Europe/Paris"}
	if change != nil {
		change(&in)
	}
	e, err := w.inst.Events.Create(w.ctx, p.ID, in)
	require.NoError(w.t, err)
	return e
}

// response is a recorded response.
type response struct {
	t    testing.TB
	rec  *httptest.ResponseRecorder
	body []byte
}

// do sends a request to the API. body is JSON-encoded unless it is a
// string or []byte (sent as is); header pairs follow.
func (w *world) do(method, path, token string, body any, header ...string) *response {
	w.t.Helper()
	var rd *bytes.Reader
	switch b := body.(type) {
	case nil:
		rd = bytes.NewReader(nil)
	case string:
		rd = bytes.NewReader([]byte(b))
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		require.NoError(w.t, err)
		rd = bytes.NewReader(enc)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	w.api.ServeHTTP(rec, req)
	return &response{t: w.t, rec: rec, body: rec.Body.Bytes()}
}

// as sends the request as profile p (X-Convene-Profile).
func (w *world) as(u *user, p *identity.Profile, method, path string, body any) *response {
	w.t.Helper()
	return w.do(method, path, u.token, body, api.ProfileHeader, p.ID)
}

func (r *response) status(want int) *response {
	r.t.Helper()
	require.Equalf(r.t, want, r.rec.Code, "body: %s", r.body)
	return r
}

func (r *response) decode(v any) {
	r.t.Helper()
	require.NoError(r.t, json.Unmarshal(r.body, v), "body: %s", r.body)
}

// object decodes the body as a JSON object.
func (r *response) object() map[string]any {
	r.t.Helper()
	var m map[string]any
	r.decode(&m)
	return m
}

// items decodes a list's items.
func (r *response) items() []map[string]any {
	r.t.Helper()
	var l struct {
		Items []map[string]any `json:"items"`
		Next  string           `json:"next"`
	}
	r.decode(&l)
	require.NotNil(r.t, l.Items, "a list always has items: %s", r.body)
	return l.Items
}

// apiErr checks the error shape and returns it.
func (r *response) apiErr(status int, code, field string) {
	r.t.Helper()
	r.status(status)
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	require.NoError(r.t, dec.Decode(&e), "error body: %s", r.body)
	require.Equal(r.t, code, e.Error.Code, "body: %s", r.body)
	require.Equal(r.t, field, e.Error.Field, "body: %s", r.body)
	require.NotEmpty(r.t, e.Error.Message)
}

// ids returns the "id" of each item (or of item[key] when key is set).
func ids(items []map[string]any, key string) []string {
	var out []string
	for _, it := range items {
		if key != "" {
			it, _ = it[key].(map[string]any)
		}
		s, _ := it["id"].(string)
		out = append(out, s)
	}
	return out
}
