package web_test

import (
	"context"
	"crypto/rsa"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

const base = "https://events.example"

// t0 is the tests' "now"; events are planned after it.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var secret = []byte("0123456789abcdef0123456789abcdef")

// clock is a fake clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

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

// mailbox records the links the UI mails.
type mailbox struct {
	mu    sync.Mutex
	links map[string][]string // email → links, oldest first
}

func (m *mailbox) put(email, link string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.links == nil {
		m.links = map[string][]string{}
	}
	m.links[email] = append(m.links[email], link)
}

func (m *mailbox) SendConfirmation(_ context.Context, a *identity.Account, link string) error {
	m.put(a.Email, link)
	return nil
}

func (m *mailbox) SendPasswordReset(_ context.Context, a *identity.Account, link string) error {
	m.put(a.Email, link)
	return nil
}

// last returns the last link mailed to email, "" when none.
func (m *mailbox) last(email string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	l := m.links[email]
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

func (m *mailbox) count(email string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.links[email])
}

// fakeFollower records follows instead of resolving handles.
type fakeFollower struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeFollower) Follow(_ context.Context, followerID, handle string) (*identity.Follow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, followerID+" "+handle)
	return &identity.Follow{ID: "follow-1", FollowerID: followerID, State: identity.FollowPending}, nil
}

// world is an instance over SQLite with its web UI.
type world struct {
	t       testing.TB
	ctx     context.Context
	clock   *clock
	db      *sqlite.DB
	inst    *convene.Instance
	web     *web.Web
	mail    *mailbox
	follows *fakeFollower
}

func newWorld(t testing.TB, opts ...func(*web.Config)) *world {
	t.Helper()
	clk := &clock{t: t0}
	db := sqlitetest.Open(t)
	inst, err := convene.New(convene.Config{Store: db, BaseURL: base, Now: clk.Now,
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: fixedKey})
	require.NoError(t, err)
	w := &world{t: t, ctx: context.Background(), clock: clk, db: db, inst: inst, mail: &mailbox{}, follows: &fakeFollower{}}
	cfg := web.Config{Instance: inst, Participations: db, Secret: secret, Confirmations: w.mail, Resets: w.mail,
		Follows: w.follows, Name: "Test events", TimeZone: "Europe/Paris", Now: clk.Now,
		Log: slog.New(slog.NewTextHandler(logWriter{t}, nil))}
	for _, o := range opts {
		o(&cfg)
	}
	w.web, err = web.New(cfg)
	require.NoError(t, err)
	return w
}

const password = "a long enough password"

// user is a confirmed account with its default profile.
type user struct {
	account *identity.Account
	profile *identity.Profile
	email   string
}

func (w *world) user(username string) *user {
	w.t.Helper()
	email := username + "@mail.example"
	a, p, err := w.inst.Identity.Register(w.ctx, identity.RegisterInput{Email: email, Password: password,
		Username: username, DisplayName: strings.ToUpper(username[:1]) + username[1:]})
	require.NoError(w.t, err)
	a, err = w.inst.Identity.ConfirmAccount(w.ctx, a.ID)
	require.NoError(w.t, err)
	return &user{account: a, profile: p, email: email}
}

// event creates an event organized by p, with change applied over
// defaults.
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

// browser keeps cookies between requests, like a browser.
type browser struct {
	w       *world
	cookies map[string]string
	lang    string // Accept-Language
}

func (w *world) browser() *browser { return &browser{w: w, cookies: map[string]string{}} }

// login signs the browser in as u.
func (w *world) login(u *user) *browser {
	w.t.Helper()
	b := w.browser()
	b.post("/login", url.Values{"email": {u.email}, "password": {password}}).status(http.StatusSeeOther)
	require.NotEmpty(w.t, b.cookies[web.SessionCookie])
	return b
}

// response is a recorded response.
type response struct {
	t    testing.TB
	rec  *httptest.ResponseRecorder
	body string
}

func (b *browser) do(method, target string, form url.Values) *response {
	b.w.t.Helper()
	var body *strings.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	} else {
		body = strings.NewReader("")
	}
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = "192.0.2.1:1234"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	b.w.web.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c.Value
		}
	}
	return &response{t: b.w.t, rec: rec, body: rec.Body.String()}
}

func (b *browser) get(target string) *response { return b.do(http.MethodGet, target, nil) }

var csrfPattern = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the browser's forms, read from a page.
func (b *browser) csrf() string {
	b.w.t.Helper()
	res := b.get("/login")
	m := csrfPattern.FindStringSubmatch(res.body)
	require.NotNil(b.w.t, m, "no CSRF field in %s", res.body)
	return html.UnescapeString(m[1])
}

// post sends a form with the browser's CSRF token.
func (b *browser) post(target string, form url.Values) *response { // form is not changed
	b.w.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form = cloneValues(form)
	if form.Get(web.CSRFField) == "" {
		form.Set(web.CSRFField, b.csrf())
	}
	return b.do(http.MethodPost, target, form)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// logWriter sends the UI's log to the test's.
type logWriter struct{ t testing.TB }

func (l logWriter) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

func (r *response) status(want int) *response {
	r.t.Helper()
	require.Equalf(r.t, want, r.rec.Code, "main: %s", r.main())
	return r
}

// main is the page's main element (or the whole body), for failure
// messages.
func (r *response) main() string {
	b := r.body
	if i := strings.Index(b, "<main"); i >= 0 {
		b = b[i:]
	}
	if i := strings.Index(b, "</main>"); i >= 0 {
		b = b[:i]
	}
	return b
}

func (r *response) location() string {
	r.t.Helper()
	return r.rec.Header().Get("Location")
}

func (r *response) contains(s ...string) *response {
	r.t.Helper()
	for _, x := range s {
		require.Truef(r.t, strings.Contains(r.body, x), "missing %q in main: %s", x, r.main())
	}
	return r
}

func (r *response) lacks(s ...string) *response {
	r.t.Helper()
	for _, x := range s {
		require.Falsef(r.t, strings.Contains(r.body, x), "unexpected %q in main: %s", x, r.main())
	}
	return r
}

// path returns the path and query of a mailed link.
func path(t testing.TB, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	return u.RequestURI()
}
