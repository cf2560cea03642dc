package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
)

func TestGroups(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada := w.user("ada")
	ben := w.user("ben")
	cyd := w.user("cyd")

	res := w.do("POST", "/api/v1/groups", ada.token, map[string]any{"username": "gardeners", "display_name": "Gardeners",
		"openness": "open", "address": map[string]any{"locality": "Lyon"}}).status(http.StatusCreated)
	g := res.object()
	id := g["id"].(string)
	assert.Equal(t, "@gardeners@events.example", g["handle"])
	assert.Equal(t, "open", g["openness"])
	assert.Equal(t, "public", g["visibility"])
	assert.Equal(t, "Lyon", g["address"].(map[string]any)["locality"])
	assert.Equal(t, base+"/api/v1/groups/"+id, res.rec.Header().Get("Location"))

	w.do("POST", "/api/v1/groups", ada.token, map[string]any{"username": "gardeners"}).apiErr(422, "invalid", "username")
	w.do("POST", "/api/v1/groups", ada.token, map[string]any{"username": "x_y", "openness": "anyone"}).apiErr(422, "invalid", "openness")
	w.do("POST", "/api/v1/groups", ada.token, map[string]any{"username": "x_y", "members": []string{}}).apiErr(422, "invalid", "members")

	assert.Equal(t, "Gardeners", w.do("GET", "/api/v1/groups/"+id, "", nil).status(http.StatusOK).object()["display_name"])
	w.do("GET", "/api/v1/groups/nope", "", nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("GET", "/api/v1/groups/"+ada.profile.ID, "", nil).apiErr(http.StatusNotFound, "not_found", "")

	// Joining an open group; twice is a conflict.
	m := w.do("POST", "/api/v1/groups/"+id+"/membership", ben.token, nil).status(http.StatusCreated).object()
	assert.Equal(t, "member", m["role"])
	assert.Equal(t, ben.profile.ID, m["actor"].(map[string]any)["id"])
	w.do("POST", "/api/v1/groups/"+id+"/membership", ben.token, nil).apiErr(http.StatusConflict, "already_member", "")

	// Members see the members; others do not.
	items := w.do("GET", "/api/v1/groups/"+id+"/members", ben.token, nil).status(http.StatusOK).items()
	assert.ElementsMatch(t, []string{"creator", "member"}, roles(items))
	w.do("GET", "/api/v1/groups/"+id+"/members", cyd.token, nil).apiErr(http.StatusForbidden, "forbidden", "")
	w.do("GET", "/api/v1/groups/"+id+"/members", "", nil).apiErr(http.StatusUnauthorized, "unauthorized", "")
	items = w.do("GET", "/api/v1/groups/"+id+"/members?limit=1", ada.token, nil).status(http.StatusOK).items()
	assert.Len(t, items, 1)

	// A member creates a group event only with the permission for it.
	ev := map[string]any{"group_id": id, "title": "Planting", "begins_on": "2026-04-10T09:00:00Z"}
	w.do("POST", "/api/v1/events", ben.token, ev).apiErr(http.StatusForbidden, "forbidden", "")
	created := w.do("POST", "/api/v1/events", ada.token, ev).status(http.StatusCreated).object()
	assert.Equal(t, id, created["group_id"])
	assert.Equal(t, id, created["organizer"].(map[string]any)["id"])

	// Leaving; the last administrator cannot.
	w.do("DELETE", "/api/v1/groups/"+id+"/membership", ben.token, nil).status(http.StatusNoContent)
	w.do("DELETE", "/api/v1/groups/"+id+"/membership", ben.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("DELETE", "/api/v1/groups/"+id+"/membership", ada.token, nil).apiErr(http.StatusConflict, "last_administrator", "")
}

func TestPrivateGroupIsNotFoundToOutsiders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ada := w.user("ada")
	mem := w.user("mem")
	out := w.user("out")
	g, err := w.inst.Groups.Create(w.ctx, ada.profile.ID, groups.CreateInput{Username: "hidden", Openness: groups.Open, Visibility: groups.Private})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, mem.profile.ID, "")
	require.NoError(t, err)
	path := "/api/v1/groups/" + g.ID

	w.do("GET", path, mem.token, nil).status(http.StatusOK)
	w.do("GET", path+"/members", mem.token, nil).status(http.StatusOK)
	for _, token := range []string{"", out.token} {
		w.do("GET", path, token, nil).apiErr(http.StatusNotFound, "not_found", "")
		w.do("GET", path+"/members", token, nil).apiErr(http.StatusNotFound, "not_found", "")
	}
	w.do("POST", path+"/membership", out.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("DELETE", path+"/membership", out.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("POST", "/api/v1/events", out.token, map[string]any{"group_id": g.ID, "title": "x", "begins_on": "2026-04-10T09:00:00Z"}).
		apiErr(http.StatusNotFound, "not_found", "")
	_, err = w.inst.Groups.MemberRole(w.ctx, g.ID, out.profile.ID)
	require.Error(t, err, "the outsider did not get in")

	// A private group event is visible to members only.
	e := w.event(ada.profile, func(in *events.Input) { in.GroupID = g.ID; in.Visibility = events.Private })
	w.do("GET", "/api/v1/events/"+e.ID, mem.token, nil).status(http.StatusOK)
	w.do("GET", "/api/v1/events/"+e.ID, out.token, nil).apiErr(http.StatusNotFound, "not_found", "")
}
