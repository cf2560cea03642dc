package api_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/examples/server/api"
)

func TestFollows(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("fox")
	band := w.profile(u, "fox_band")

	f := w.as(u, band, "POST", "/api/v1/follows", map[string]any{"handle": "@alice@remote.example"}).status(http.StatusCreated).object()
	assert.Equal(t, "pending", f["state"])
	assert.Equal(t, band.ID, f["follower_id"])
	assert.Equal(t, []string{band.ID + " @alice@remote.example"}, w.follows.calls)

	for _, h := range []string{"", "alice", "@alice", "https://remote.example/users/alice", "@a@b@c", "@alice@remote example"} {
		w.do("POST", "/api/v1/follows", u.token, map[string]any{"handle": h}).apiErr(422, "invalid", "handle")
	}
	w.do("POST", "/api/v1/follows", u.token, map[string]any{"handle": "@a@remote.example", "note": "x"}).apiErr(422, "invalid", "note")

	w.follows.err = errors.New("webfinger: connection refused")
	w.do("POST", "/api/v1/follows", u.token, map[string]any{"handle": "@bob@down.example"}).apiErr(http.StatusBadGateway, "remote_failed", "handle")
}

func TestFollowsWithoutFederation(t *testing.T) {
	t.Parallel()
	var none *fakeFollower // a nil pointer counts as no follower
	w := newWorld(t, func(c *api.Config) { c.Follows = none })
	u := w.user("gus")
	w.do("POST", "/api/v1/follows", u.token, map[string]any{"handle": "@alice@remote.example"}).apiErr(http.StatusNotImplemented, "not_implemented", "")
	w.do("POST", "/api/v1/group-memberships", u.token, map[string]any{"handle": "@walkers@remote.example"}).apiErr(http.StatusNotImplemented, "not_implemented", "")
}

func TestJoinGroupByHandle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("jo")
	m := w.do("POST", "/api/v1/group-memberships", u.token, map[string]any{"handle": "@walkers@remote.example"}).
		status(http.StatusCreated).object()
	assert.Equal(t, "not_approved", m["role"], "the remote group decides")
	w.do("POST", "/api/v1/group-memberships", u.token, map[string]any{"handle": "walkers"}).apiErr(http.StatusUnprocessableEntity, "invalid", "handle")
	w.do("POST", "/api/v1/group-memberships", "", map[string]any{"handle": "@walkers@remote.example"}).status(http.StatusUnauthorized)
}

func TestFeedTokens(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("hob")
	other := w.user("ivy")

	all := w.do("POST", "/api/v1/feed-tokens", u.token, nil).status(http.StatusCreated).object()
	token := all["token"].(string)
	assert.Len(t, token, 43)
	assert.Equal(t, base+"/feed/private/"+token+".ics", all["url"])
	assert.NotContains(t, all, "profile_id")
	w.clock.Advance(time.Second)
	one := w.do("POST", "/api/v1/feed-tokens", u.token, map[string]any{"profile_id": u.profile.ID}).status(http.StatusCreated).object()
	assert.Equal(t, u.profile.ID, one["profile_id"])

	// Not for another account's profile.
	w.do("POST", "/api/v1/feed-tokens", other.token, map[string]any{"profile_id": u.profile.ID}).apiErr(http.StatusForbidden, "forbidden", "profile_id")
	w.do("POST", "/api/v1/feed-tokens", other.token, map[string]any{"profile_id": "nope"}).apiErr(http.StatusForbidden, "forbidden", "profile_id")

	items := w.do("GET", "/api/v1/feed-tokens", u.token, nil).status(http.StatusOK).items()
	assert.Equal(t, []string{all["id"].(string), one["id"].(string)}, ids(items, ""))
	for _, it := range items {
		assert.NotContains(t, it, "token", "the token text is shown once")
	}
	assert.Empty(t, w.do("GET", "/api/v1/feed-tokens", other.token, nil).status(http.StatusOK).items())

	// The feed answers the token until it is revoked.
	_, err := w.inst.Identity.ResolveFeedToken(w.ctx, token)
	require.NoError(t, err)
	w.do("DELETE", "/api/v1/feed-tokens/"+all["id"].(string), other.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("DELETE", "/api/v1/feed-tokens/"+all["id"].(string), u.token, nil).status(http.StatusNoContent)
	_, err = w.inst.Identity.ResolveFeedToken(w.ctx, token)
	require.Error(t, err)
	assert.Len(t, w.do("GET", "/api/v1/feed-tokens", u.token, nil).status(http.StatusOK).items(), 1)
}

func TestUnknownPathsAndMethods(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("jay")
	w.do("GET", "/api/v1/nothing", "", nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("GET", "/api/v2/events", "", nil).apiErr(http.StatusNotFound, "not_found", "")
	res := w.do("PUT", "/api/v1/events/x", u.token, map[string]any{})
	res.apiErr(http.StatusMethodNotAllowed, "method_not_allowed", "")
	assert.Equal(t, "GET, PATCH, DELETE, HEAD", res.rec.Header().Get("Allow"))
	res = w.do("GET", "/api/v1/me", u.token, nil).status(http.StatusOK)
	assert.Equal(t, "no-store", res.rec.Header().Get("Cache-Control"))
	assert.True(t, strings.HasPrefix(res.rec.Header().Get("Content-Type"), "application/json"))
	w.do("GET", "/api/v1/profiles?x=1", u.token, nil).apiErr(422, "invalid", "x")
}

func TestNewRefusesMissingInstance(t *testing.T) {
	t.Parallel()
	_, err := api.New(api.Config{})
	require.Error(t, err)
}
