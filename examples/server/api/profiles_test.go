package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProfiles(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("fay")
	other := w.user("gil")

	res := w.do("POST", "/api/v1/profiles", u.token, map[string]any{"username": "fay_club", "display_name": "Fay's club",
		"summary": "<p>Hi<script>alert(1)</script></p>", "discoverable": true})
	res.status(http.StatusCreated)
	p := res.object()
	assert.Equal(t, "fay_club", p["username"])
	assert.Equal(t, "@fay_club@events.example", p["handle"])
	assert.Equal(t, false, p["default"])
	assert.Equal(t, true, p["discoverable"])
	assert.NotContains(t, p["summary"], "script", "summaries are sanitized")
	assert.Equal(t, base+"/api/v1/profiles/"+p["id"].(string), res.rec.Header().Get("Location"))
	id := p["id"].(string)

	items := w.do("GET", "/api/v1/profiles", u.token, nil).status(http.StatusOK).items()
	assert.Equal(t, []string{u.profile.ID, id}, ids(items, ""), "default first")

	w.do("POST", "/api/v1/profiles", u.token, map[string]any{"username": "gil"}).apiErr(http.StatusConflict, "conflict", "username")
	w.do("POST", "/api/v1/profiles", u.token, map[string]any{"username": "Not Valid!"}).apiErr(http.StatusUnprocessableEntity, "invalid", "username")
	w.do("POST", "/api/v1/profiles", u.token, map[string]any{"username": "ok_name", "avatar_url": "javascript:alert(1)"}).
		apiErr(http.StatusUnprocessableEntity, "invalid", "avatar_url")

	// Anyone sees the public view of a profile, which names no account.
	pub := w.do("GET", "/api/v1/profiles/"+id, "", nil).status(http.StatusOK).object()
	assert.Equal(t, "Fay's club", pub["display_name"])
	for _, k := range []string{"default", "account_id", "email", "discoverable"} {
		assert.NotContains(t, pub, k)
	}
	w.do("GET", "/api/v1/profiles/nope", "", nil).apiErr(http.StatusNotFound, "not_found", "")

	// PATCH changes one's own profile, and can make it the default.
	upd := w.do("PATCH", "/api/v1/profiles/"+id, u.token, map[string]any{"display_name": "Club", "default": true}).
		status(http.StatusOK).object()
	assert.Equal(t, "Club", upd["display_name"])
	assert.Equal(t, true, upd["default"])
	me := w.do("GET", "/api/v1/me", u.token, nil).status(http.StatusOK).object()
	assert.Equal(t, id, me["profiles"].([]any)[0].(map[string]any)["id"], "the new default comes first")

	// Nobody changes another account's profile.
	w.do("PATCH", "/api/v1/profiles/"+id, other.token, map[string]any{"display_name": "Hacked"}).
		apiErr(http.StatusForbidden, "forbidden", "")
	w.do("PATCH", "/api/v1/profiles/"+id, u.token, map[string]any{"default": false}).
		apiErr(http.StatusUnprocessableEntity, "invalid", "default")
	got, err := w.inst.Identity.GetProfile(w.ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Club", got.DisplayName)
}

// TestActingProfile: an account acts as one of its profiles, chosen by
// the body, the header or by default, and never as another account's.
func TestActingProfile(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("hal")
	second := w.profile(u, "hal_band")
	mallory := w.user("mallory")
	body := func(extra map[string]any) map[string]any {
		m := map[string]any{"title": "Gig", "begins_on": "2026-04-01T20:00:00+02:00"}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	organizer := func(res *response) string {
		return res.status(http.StatusCreated).object()["organizer"].(map[string]any)["id"].(string)
	}

	assert.Equal(t, u.profile.ID, organizer(w.do("POST", "/api/v1/events", u.token, body(nil))), "the default profile")
	assert.Equal(t, second.ID, organizer(w.as(u, second, "POST", "/api/v1/events", body(nil))), "the header")
	assert.Equal(t, second.ID, organizer(w.do("POST", "/api/v1/events", u.token, body(map[string]any{"profile": second.ID}))), "the body")
	assert.Equal(t, u.profile.ID, organizer(w.as(u, second, "POST", "/api/v1/events", body(map[string]any{"profile": u.profile.ID}))),
		"the body wins over the header")

	// Mallory cannot act as Hal's profiles, by body or header, on any
	// route that acts.
	w.do("POST", "/api/v1/events", mallory.token, body(map[string]any{"profile": u.profile.ID})).apiErr(http.StatusForbidden, "forbidden", "profile")
	w.as(mallory, u.profile, "POST", "/api/v1/events", body(nil)).apiErr(http.StatusForbidden, "forbidden", "")
	w.do("POST", "/api/v1/events", mallory.token, body(map[string]any{"profile": "no-such-profile"})).apiErr(http.StatusForbidden, "forbidden", "profile")
	e := w.event(u.profile, nil)
	w.as(mallory, u.profile, "DELETE", "/api/v1/events/"+e.ID, nil).apiErr(http.StatusForbidden, "forbidden", "")
	w.as(mallory, u.profile, "DELETE", "/api/v1/events/"+e.ID+"/participation", nil).apiErr(http.StatusForbidden, "forbidden", "")
	w.as(mallory, u.profile, "POST", "/api/v1/groups", map[string]any{"username": "stolen"}).apiErr(http.StatusForbidden, "forbidden", "")
	w.as(mallory, u.profile, "POST", "/api/v1/follows", map[string]any{"handle": "@x@remote.example"}).apiErr(http.StatusForbidden, "forbidden", "")
	w.as(mallory, u.profile, "GET", "/api/v1/events/"+e.ID, nil).apiErr(http.StatusForbidden, "forbidden", "")
	_, err := w.inst.Events.Get(w.ctx, "", e.ID)
	require.NoError(t, err, "the event is still there")
	assert.Empty(t, w.follows.calls)
}
