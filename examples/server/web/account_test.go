package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/examples/server/web"
)

func TestNewRefusesIncompleteConfig(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	good := web.Config{Instance: w.inst, Participations: w.db, Secret: secret, Confirmations: w.mail, Resets: w.mail}
	_, err := web.New(good)
	require.NoError(t, err)
	for name, change := range map[string]func(c *web.Config){
		"no instance":       func(c *web.Config) { c.Instance = nil },
		"no participations": func(c *web.Config) { c.Participations = nil },
		"short secret":      func(c *web.Config) { c.Secret = secret[:31] },
		"no confirmations":  func(c *web.Config) { c.Confirmations = nil },
		"no resets":         func(c *web.Config) { c.Resets = nil },
		"bad zone":          func(c *web.Config) { c.TimeZone = "Mars/Olympus" },
	} {
		t.Run(name, func(t *testing.T) {
			c := good
			change(&c)
			_, err := web.New(c)
			require.Error(t, err)
		})
	}
}

func TestSignUpConfirmAndLogIn(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.get("/signup").status(http.StatusOK).contains(`name="email"`, `for="f-email"`)

	form := url.Values{"email": {"Carol@Mail.example"}, "username": {"carol"}, "display_name": {"Carol"},
		"password": {password}, "password2": {password}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("password2", "something else entirely")
	b.post("/signup", bad).status(http.StatusBadRequest).contains("The two passwords differ", `aria-invalid="true"`)
	bad.Set("password2", password)
	bad.Set("username", "Not Valid!")
	b.post("/signup", bad).status(http.StatusBadRequest).contains(`href="#f-username"`, "may contain only")

	b.post("/signup", form).status(http.StatusOK).contains("we sent you an email")
	link := w.mail.last("carol@mail.example")
	require.NotEmpty(t, link)
	require.True(t, strings.HasPrefix(link, base+"/confirm?token="), link)

	// Before confirming, the right password gets a reminder and a new
	// link; no session.
	b.post("/login", url.Values{"email": {"carol@mail.example"}, "password": {password}}).
		status(http.StatusForbidden).contains("confirm your email address")
	assert.Equal(t, 2, w.mail.count("carol@mail.example"))
	assert.Empty(t, b.cookies[web.SessionCookie])

	// A forged token is refused; the mailed one confirms.
	b.get(strings.Replace(path(t, link), "token=", "token=x", 1)).status(http.StatusNotFound)
	res := b.get(path(t, link)).status(http.StatusSeeOther)
	assert.Equal(t, "/login?msg=confirmed", res.location())

	res = b.post("/login", url.Values{"email": {"carol@mail.example"}, "password": {password}, "next": {"/me/events"}}).
		status(http.StatusSeeOther)
	assert.Equal(t, "/me/events", res.location())
	b.get("/").status(http.StatusOK).contains("Log out", "@carol@events.example")
}

func TestConfirmationLinkExpires(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.post("/signup", url.Values{"email": {"dan@mail.example"}, "username": {"dan"}, "password": {password},
		"password2": {password}}).status(http.StatusOK)
	link := w.mail.last("dan@mail.example")
	w.clock.Advance(web.ConfirmTokenLifetime)
	b.get(path(t, link)).status(http.StatusNotFound).contains("invalid or has expired")
}

func TestLoginRedirectStaysOnSite(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("alice")
	for _, next := range []string{"https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"} {
		b := w.browser()
		res := b.post("/login", url.Values{"email": {u.email}, "password": {password}, "next": {next}}).status(http.StatusSeeOther)
		assert.Equal(t, "/", res.location(), next)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("alice")
	b := w.login(u)
	other := w.browser()
	otherToken := other.csrf()

	for name, form := range map[string]url.Values{
		"missing":       {},
		"wrong":         {web.CSRFField: {"not-the-token"}},
		"other browser": {web.CSRFField: {otherToken}},
	} {
		t.Run(name, func(t *testing.T) {
			form.Set("title", "x")
			b.do(http.MethodPost, "/logout", form).status(http.StatusForbidden).contains("This form has expired")
		})
	}
	// The session is still there: logging out failed each time.
	b.get("/").contains("Log out")

	// A token from before login is no good after it.
	anon := w.browser()
	before := anon.csrf()
	anon.post("/login", url.Values{"email": {u.email}, "password": {password}}).status(http.StatusSeeOther)
	anon.do(http.MethodPost, "/logout", url.Values{web.CSRFField: {before}}).status(http.StatusForbidden)

	// A cross-site request is refused even with the right token.
	req := httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(url.Values{web.CSRFField: {b.csrf()}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	for k, v := range b.cookies {
		req.AddCookie(&http.Cookie{Name: k, Value: v})
	}
	rec := httptest.NewRecorder()
	w.web.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusForbidden, rec.Code)

	// Only forms: another body is refused.
	req = httptest.NewRequest(http.MethodPost, "/logout", strings.NewReader(`{"csrf":"x"}`))
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	w.web.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusBadRequest, rec.Code)

	// With everything right, the same form logs out.
	b.post("/logout", nil).status(http.StatusSeeOther)
	b.get("/").lacks("Log out")
}

func TestCookies(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		base   string
		secure bool
	}{{"https://events.example", true}, {"http://127.0.0.1:8080", false}} {
		w := newWorld(t, func(c *web.Config) { c.BaseURL = tc.base })
		u := w.user("alice")
		b := w.browser()
		b.csrf()
		form := url.Values{"email": {u.email}, "password": {password}, web.CSRFField: {b.csrf()}}
		res := b.do(http.MethodPost, "/login", form).status(http.StatusSeeOther)
		var session *http.Cookie
		for _, c := range res.rec.Result().Cookies() {
			if c.Name == web.SessionCookie {
				session = c
			}
		}
		require.NotNil(t, session)
		assert.True(t, session.HttpOnly)
		assert.Equal(t, tc.secure, session.Secure)
		assert.Equal(t, http.SameSiteLaxMode, session.SameSite)
		assert.Equal(t, "/", session.Path)
	}
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("alice")
	b := w.browser()
	for range web.LoginBurst {
		b.post("/login", url.Values{"email": {u.email}, "password": {"wrong password!"}}).
			status(http.StatusUnauthorized).contains("Wrong email or password")
	}
	// Even the right password waits now.
	b.post("/login", url.Values{"email": {u.email}, "password": {password}}).
		status(http.StatusTooManyRequests).contains("Too many attempts")
	// Another email from the same address is not limited.
	v := w.user("victor")
	b.post("/login", url.Values{"email": {v.email}, "password": {password}}).status(http.StatusSeeOther)

	w.clock.Advance(web.LoginRefill)
	b2 := w.browser()
	b2.post("/login", url.Values{"email": {u.email}, "password": {password}}).status(http.StatusSeeOther)
}

func TestLogoutEndsTheSession(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("alice")
	b := w.login(u)
	stolen := b.cookies[web.SessionCookie]
	res := b.post("/logout", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/?msg=signed_out", res.location())
	assert.Empty(t, b.cookies[web.SessionCookie])

	replay := w.browser()
	replay.cookies[web.SessionCookie] = stolen
	replay.get("/me/events").status(http.StatusSeeOther)
	sessions, err := w.inst.Identity.ListSessions(w.ctx, u.account.ID)
	require.NoError(t, err)
	assert.Empty(t, sessions)
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("alice")
	old := w.login(u)
	b := w.browser()
	b.get("/reset").status(http.StatusOK)

	// Unknown and known emails get the same answer.
	unknown := b.post("/reset", url.Values{"email": {"nobody@mail.example"}}).status(http.StatusOK)
	known := b.post("/reset", url.Values{"email": {u.email}}).status(http.StatusOK)
	assert.Equal(t, unknown.body, known.body)
	assert.Zero(t, w.mail.count("nobody@mail.example"))
	link := w.mail.last(u.email)
	require.True(t, strings.HasPrefix(link, base+"/reset/"), link)
	p := path(t, link)

	b.get(p).status(http.StatusOK).contains(`name="password"`)
	assert.Equal(t, "no-referrer", b.get(p).rec.Header().Get("Referrer-Policy"))
	b.post(p, url.Values{"password": {"new password 123"}, "password2": {"different"}}).status(http.StatusBadRequest)
	b.post(p, url.Values{"password": {"short"}, "password2": {"short"}}).status(http.StatusBadRequest).contains(`href="#f-password"`)
	res := b.post(p, url.Values{"password": {"new password 123"}, "password2": {"new password 123"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/login?msg=password_reset", res.location())

	// The link dies with the password it reset; the old sessions too.
	b.get(p).status(http.StatusNotFound)
	b.post(p, url.Values{"password": {"another password 1"}, "password2": {"another password 1"}}).status(http.StatusNotFound)
	old.get("/me/events").status(http.StatusSeeOther)
	w.browser().post("/login", url.Values{"email": {u.email}, "password": {password}}).status(http.StatusUnauthorized)
	w.browser().post("/login", url.Values{"email": {u.email}, "password": {"new password 123"}}).status(http.StatusSeeOther)

	// A fresh link expires after ResetTokenLifetime.
	b.post("/reset", url.Values{"email": {u.email}}).status(http.StatusOK)
	p2 := path(t, w.mail.last(u.email))
	require.NotEqual(t, p, p2)
	w.clock.Advance(web.ResetTokenLifetime + time.Second)
	b.get(p2).status(http.StatusNotFound)

	// A confirmation token is no reset token.
	confirmLike := strings.Replace(p2, "/reset/", "/confirm?token=", 1)
	b.get(confirmLike).status(http.StatusNotFound)
}

func TestLanguage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	b := w.browser()
	b.lang = "de-DE, fr-CA;q=0.8, en;q=0.5"
	res := b.get("/login").status(http.StatusOK).contains(`<html lang="fr">`, "Se connecter", "Aller au contenu")
	assert.Equal(t, "fr", res.rec.Header().Get("Content-Language"))

	b.post("/lang", url.Values{"lang": {"en"}, "next": {"/login"}}).status(http.StatusSeeOther)
	b.get("/login").contains(`<html lang="en">`, "Skip to content")
	b.post("/lang", url.Values{"lang": {"xx"}}).status(http.StatusBadRequest)

	// An account's locale wins over the browser's languages.
	u := w.user("alice")
	_, err := w.inst.Identity.UpdateAccountSettings(w.ctx, u.account.ID, "fr", "")
	require.NoError(t, err)
	a := w.login(u)
	a.lang = "en"
	a.get("/").contains("Événements à venir")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	res := w.browser().get("/")
	h := res.rec.Header()
	assert.Contains(t, h.Get("Content-Security-Policy"), "default-src 'none'")
	assert.Equal(t, "nosniff", h.Get("X-Content-Type-Options"))
	assert.Equal(t, "no-store", h.Get("Cache-Control"))
	w.browser().get("/static/style.css").status(http.StatusOK)
}

// TestRegistrationsApproval: with approval, a confirmed new account
// cannot sign in until an administrator approves it from the users page.
func TestRegistrationsApproval(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(c *web.Config) { c.RegistrationsApproval = true })
	b := w.browser()
	form := url.Values{"email": {"dan@mail.example"}, "username": {"dan"}, "display_name": {"Dan"},
		"password": {password}, "password2": {password}}
	b.post("/signup", form).status(http.StatusOK).contains("we sent you an email", "approves new accounts")
	b.get(path(t, w.mail.last("dan@mail.example"))).status(http.StatusSeeOther)
	login := url.Values{"email": {"dan@mail.example"}, "password": {password}}
	b.post("/login", login).status(http.StatusForbidden).contains("waits for an administrator")
	assert.Empty(t, b.cookies[web.SessionCookie])

	admin := w.login(w.admin("ada"))
	admin.get("/admin/users").status(http.StatusOK).contains("Awaiting approval", "dan@mail.example")
	acct, err := w.inst.Identity.GetAccountByEmail(w.ctx, "dan@mail.example")
	require.NoError(t, err)
	w.login(w.user("eve")).post("/admin/users/"+acct.ID+"/approve", url.Values{}).status(http.StatusNotFound) // admin pages are 404 to others
	admin.post("/admin/users/"+acct.ID+"/approve", url.Values{}).status(http.StatusSeeOther)
	b.post("/login", login).status(http.StatusSeeOther)
	admin.get("/admin/users").status(http.StatusOK).lacks("Awaiting approval")
}
