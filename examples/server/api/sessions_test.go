package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/examples/server/api"
	"codeberg.org/convene/convene/identity"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("ana")

	res := w.do("POST", "/api/v1/sessions", "", map[string]any{"email": " ANA@mail.example ", "password": password, "label": "phone"})
	res.status(http.StatusCreated)
	var out struct {
		Token   string
		Session map[string]any
	}
	res.decode(&out)
	assert.Len(t, out.Token, 43)
	assert.Equal(t, "phone", out.Session["label"])
	assert.Equal(t, true, out.Session["current"])
	assert.Equal(t, t0.Add(identity.SessionLifetime).Format(time.RFC3339), out.Session["expires_at"])

	me := w.do("GET", "/api/v1/me", out.Token, nil).status(http.StatusOK).object()
	assert.Equal(t, u.account.ID, me["id"])
	assert.Equal(t, "ana@mail.example", me["email"])
	profiles := me["profiles"].([]any)
	require.Len(t, profiles, 1)
	assert.Equal(t, u.profile.ID, profiles[0].(map[string]any)["id"])
	assert.Equal(t, true, profiles[0].(map[string]any)["default"])

	for _, tc := range []struct {
		name        string
		body        any
		status      int
		code, field string
	}{
		{"wrong password", map[string]any{"email": "ana@mail.example", "password": "not the password"}, 401, "bad_credentials", ""},
		{"unknown email", map[string]any{"email": "nobody@mail.example", "password": password}, 401, "bad_credentials", ""},
		{"no email", map[string]any{"password": password}, 422, "invalid", "email"},
		{"no password", map[string]any{"email": "ana@mail.example"}, 422, "invalid", "password"},
		{"unknown field", map[string]any{"email": "ana@mail.example", "password": password, "remember": true}, 422, "invalid", "remember"},
		{"password of the wrong type", map[string]any{"email": "ana@mail.example", "password": 12}, 422, "invalid", "password"},
		{"label too long", map[string]any{"email": "ana@mail.example", "password": password, "label": strings.Repeat("x", 101)}, 422, "invalid", "label"},
		{"no body", nil, 400, "bad_request", ""},
		{"not JSON", "email=ana", 400, "bad_json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.do("POST", "/api/v1/sessions", "", tc.body).apiErr(tc.status, tc.code, tc.field)
		})
	}

	// An account not confirmed yet gets no session.
	a, _, err := w.inst.Identity.Register(w.ctx, identity.RegisterInput{Email: "new@mail.example", Password: password, Username: "newbie"})
	require.NoError(t, err)
	w.do("POST", "/api/v1/sessions", "", map[string]any{"email": "new@mail.example", "password": password}).
		apiErr(http.StatusForbidden, "not_confirmed", "")
	list, err := w.inst.Identity.ListSessions(w.ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestLoginRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.user("bea")
	wrong := map[string]any{"email": "bea@mail.example", "password": "wrong password!"}
	// One token went to the helper's login.
	for range api.LoginBurst - 1 {
		w.do("POST", "/api/v1/sessions", "", wrong).apiErr(http.StatusUnauthorized, "bad_credentials", "")
	}
	res := w.do("POST", "/api/v1/sessions", "", map[string]any{"email": "bea@mail.example", "password": password})
	res.apiErr(http.StatusTooManyRequests, "rate_limited", "")
	assert.Equal(t, "60", res.rec.Header().Get("Retry-After"))

	// Another email from the same address is not limited.
	w.do("POST", "/api/v1/sessions", "", map[string]any{"email": "other@mail.example", "password": "x"}).
		apiErr(http.StatusUnauthorized, "bad_credentials", "")

	// A minute later one more attempt is allowed.
	w.clock.Advance(api.LoginRefill)
	w.do("POST", "/api/v1/sessions", "", map[string]any{"email": "bea@mail.example", "password": password}).status(http.StatusCreated)
	w.do("POST", "/api/v1/sessions", "", map[string]any{"email": "bea@mail.example", "password": password}).
		apiErr(http.StatusTooManyRequests, "rate_limited", "")
}

func TestBearerAuthentication(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("cai")

	// Every route that needs a session refuses a request without one.
	for _, rt := range w.api.Routes() {
		if rt.Method == "POST" && rt.Path == "/api/v1/sessions" {
			continue
		}
		path := strings.NewReplacer("{id}", "some-id").Replace(rt.Path)
		res := w.do(rt.Method, path, "", nil)
		if res.rec.Code == http.StatusUnauthorized {
			assert.Equal(t, `Bearer realm="convene"`, res.rec.Header().Get("WWW-Authenticate"), rt)
		}
		// A bad token is refused everywhere, even where anonymous
		// callers are welcome.
		res = w.do(rt.Method, path, "not-a-token", nil)
		res.apiErr(http.StatusUnauthorized, "invalid_token", "")
		assert.Equal(t, `Bearer realm="convene", error="invalid_token"`, res.rec.Header().Get("WWW-Authenticate"), rt)
	}
	for _, path := range []string{"/api/v1/me", "/api/v1/profiles", "/api/v1/sessions", "/api/v1/feed-tokens"} {
		w.do("GET", path, "", nil).apiErr(http.StatusUnauthorized, "unauthorized", "")
	}
	w.do("GET", "/api/v1/me", "", nil, "Authorization", "Basic "+u.token).apiErr(http.StatusUnauthorized, "invalid_token", "")
	w.do("GET", "/api/v1/me", "", nil, "Authorization", "bearer "+u.token).status(http.StatusOK)

	// Suspension shuts the session out; lifting it lets it back in.
	_, err := w.inst.Identity.Suspend(w.ctx, u.account.ID, true)
	require.NoError(t, err)
	w.do("GET", "/api/v1/me", u.token, nil).apiErr(http.StatusUnauthorized, "invalid_token", "")
	_, err = w.inst.Identity.Suspend(w.ctx, u.account.ID, false)
	require.NoError(t, err)
	w.do("GET", "/api/v1/me", u.token, nil).status(http.StatusOK)

	// Unused for the session lifetime, the token expires.
	w.clock.Advance(identity.SessionLifetime)
	w.do("GET", "/api/v1/me", u.token, nil).apiErr(http.StatusUnauthorized, "invalid_token", "")
}

func TestSessionsListLogoutRevoke(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("dan")
	w.clock.Advance(time.Minute)
	second := w.user2(u)
	other := w.user("eve")

	items := w.do("GET", "/api/v1/sessions", u.token, nil).status(http.StatusOK).items()
	require.Len(t, items, 2)
	assert.Equal(t, true, items[0]["current"])
	assert.Equal(t, false, items[1]["current"])
	for _, it := range items {
		assert.NotContains(t, it, "token", "a session's token is never shown again")
	}
	secondID := items[1]["id"].(string)

	// Another account cannot end this account's session.
	w.do("DELETE", "/api/v1/sessions/"+secondID, other.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("GET", "/api/v1/me", second, nil).status(http.StatusOK)

	// Its owner can.
	w.do("DELETE", "/api/v1/sessions/"+secondID, u.token, nil).status(http.StatusNoContent)
	w.do("GET", "/api/v1/me", second, nil).apiErr(http.StatusUnauthorized, "invalid_token", "")

	// Logging out ends the current session only.
	w.do("DELETE", "/api/v1/sessions", other.token, nil).status(http.StatusNoContent)
	w.do("GET", "/api/v1/me", other.token, nil).apiErr(http.StatusUnauthorized, "invalid_token", "")
	w.do("GET", "/api/v1/me", u.token, nil).status(http.StatusOK)
}

// user2 signs u in once more and returns the new token.
func (w *world) user2(u *user) string {
	w.t.Helper()
	var out struct{ Token string }
	w.do("POST", "/api/v1/sessions", "", map[string]any{"email": u.account.Email, "password": password}).
		status(http.StatusCreated).decode(&out)
	return out.Token
}
