package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

func TestParticipation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org := w.user("quin")
	ria := w.user("ria")
	sol := w.user("sol")
	e := w.event(org.profile, func(in *events.Input) { in.Capacity = 1 })
	path := "/api/v1/events/" + e.ID + "/participation"

	p := w.do("POST", path, ria.token, map[string]any{"message": "I'll bring cake"}).status(http.StatusCreated).object()
	assert.Equal(t, "participant", p["role"])
	assert.Equal(t, ria.profile.ID, p["actor"].(map[string]any)["id"])
	assert.Equal(t, "I'll bring cake", p["message"])
	w.do("POST", path, ria.token, nil).apiErr(http.StatusConflict, "already_participating", "")

	// The last seat is gone: Sol waits.
	assert.Equal(t, "waitlisted", w.do("POST", path, sol.token, nil).status(http.StatusCreated).object()["role"])
	assert.Equal(t, "waitlisted", w.do("GET", path, sol.token, nil).status(http.StatusOK).object()["role"])

	// Ria leaves; Sol gets the seat.
	w.do("DELETE", path, ria.token, nil).status(http.StatusNoContent)
	w.do("DELETE", path, ria.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("GET", path, ria.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	assert.Equal(t, "participant", w.do("GET", path, sol.token, nil).status(http.StatusOK).object()["role"])

	// The only organizer cannot leave.
	w.do("DELETE", path, org.token, nil).apiErr(http.StatusConflict, "only_organizer", "")

	// A cancelled event takes nobody new.
	_, err := w.inst.Events.Cancel(w.ctx, org.profile.ID, e.ID)
	require.NoError(t, err)
	w.do("POST", path, ria.token, nil).apiErr(http.StatusConflict, "closed", "")
	w.do("POST", "/api/v1/events/nope/participation", ria.token, nil).apiErr(http.StatusNotFound, "not_found", "")
}

func TestParticipantsApproveReject(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org := w.user("tao")
	uma := w.user("uma")
	vic := w.user("vic")
	e := w.event(org.profile, func(in *events.Input) {
		in.JoinMode = events.JoinRestricted
		in.AnonymousParticipation = true
	})
	base := "/api/v1/events/" + e.ID

	uj := w.do("POST", base+"/participation", uma.token, map[string]any{"message": "please"}).status(http.StatusCreated).object()
	assert.Equal(t, "not_approved", uj["role"])
	vj := w.do("POST", base+"/participation", vic.token, nil).status(http.StatusCreated).object()
	anon, _, err := w.inst.Events.JoinAnonymously(w.ctx, e.ID, events.AnonymousJoin{Email: "secret.person@mail.example", Message: "hi"})
	require.NoError(t, err)

	// Only the organizers see the list; no email ever shows in it.
	w.do("GET", base+"/participants", uma.token, nil).apiErr(http.StatusForbidden, "forbidden", "")
	res := w.do("GET", base+"/participants", org.token, nil).status(http.StatusOK)
	items := res.items()
	assert.ElementsMatch(t, []string{"creator", "not_approved", "not_approved", "not_confirmed"}, roles(items))
	assert.NotContains(t, string(res.body), "secret.person", "an anonymous participant's email is never shown")
	assert.NotContains(t, string(res.body), "@mail.example", "nor any account's email")
	for _, it := range items {
		if it["id"] == anon.ID {
			assert.Equal(t, true, it["anonymous"])
			assert.Nil(t, it["actor"])
		}
		assert.NotContains(t, it, "email")
	}
	pending := w.do("GET", base+"/participants?role=not_approved&limit=1", org.token, nil).status(http.StatusOK)
	var page struct {
		Items []map[string]any
		Next  string
	}
	pending.decode(&page)
	require.Len(t, page.Items, 1)
	require.NotEmpty(t, page.Next)
	w.do("GET", base+"/participants?role=not_approved&after="+page.Next, org.token, nil).status(http.StatusOK)
	w.do("GET", base+"/participants?after=bad!", org.token, nil).apiErr(422, "invalid", "after")

	// Only organizers decide.
	w.do("POST", "/api/v1/participants/"+uj["id"].(string)+"/approve", vic.token, nil).apiErr(http.StatusForbidden, "forbidden", "")
	assert.Equal(t, "participant",
		w.do("POST", "/api/v1/participants/"+uj["id"].(string)+"/approve", org.token, nil).status(http.StatusOK).object()["role"])
	assert.Equal(t, "rejected",
		w.do("POST", "/api/v1/participants/"+vj["id"].(string)+"/reject", org.token, map[string]any{"profile": org.profile.ID}).
			status(http.StatusOK).object()["role"])
	w.do("POST", "/api/v1/participants/nope/reject", org.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("POST", "/api/v1/participants/"+anon.ID+"/approve", org.token, nil).apiErr(http.StatusForbidden, "forbidden", "")

	// A rejected participant cannot join again.
	w.do("POST", base+"/participation", vic.token, nil).apiErr(http.StatusForbidden, "forbidden", "")
}

func roles(items []map[string]any) []string {
	var out []string
	for _, it := range items {
		out = append(out, it["role"].(string))
	}
	return out
}

func TestComments(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org := w.user("wes")
	xan := w.user("xan")
	e := w.event(org.profile, nil)
	path := "/api/v1/events/" + e.ID + "/comments"

	c := w.do("POST", path, xan.token, map[string]any{"text": "<p>Count me in<script>x</script></p>"}).status(http.StatusCreated).object()
	assert.Equal(t, "<p>Count me in</p>", c["text"])
	assert.Equal(t, "published", c["state"])
	assert.Equal(t, xan.profile.ID, c["author"].(map[string]any)["id"])
	w.clock.Advance(time.Second)
	reply := w.do("POST", path, org.token, map[string]any{"text": "Great", "in_reply_to": c["id"]}).status(http.StatusCreated).object()
	assert.Equal(t, c["id"], reply["in_reply_to"])

	w.do("POST", path, xan.token, map[string]any{"text": "   "}).apiErr(422, "invalid", "text")
	w.do("POST", path, xan.token, map[string]any{"text": "x", "in_reply_to": "nope"}).apiErr(422, "invalid", "in_reply_to")
	w.do("POST", path, xan.token, map[string]any{"text": 5}).apiErr(422, "invalid", "text")

	items := w.do("GET", path, "", nil).status(http.StatusOK).items()
	assert.Equal(t, []string{c["id"].(string), reply["id"].(string)}, ids(items, ""))
	items = w.do("GET", path+"?limit=1", "", nil).status(http.StatusOK).items()
	assert.Len(t, items, 1)

	// Only the author or a moderator deletes; a deleted comment stays as
	// an empty tombstone.
	w.do("DELETE", "/api/v1/comments/"+reply["id"].(string), xan.token, nil).apiErr(http.StatusForbidden, "forbidden", "")
	w.do("DELETE", "/api/v1/comments/"+c["id"].(string), xan.token, nil).status(http.StatusNoContent)
	w.do("DELETE", "/api/v1/comments/nope", xan.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	items = w.do("GET", path, "", nil).status(http.StatusOK).items()
	assert.Equal(t, "deleted", items[0]["state"])
	assert.Equal(t, "", items[0]["text"])

	// Closed comments.
	in := events.InputOf(e)
	in.CommentModeration = events.CommentsClosed
	_, err := w.inst.Events.Update(w.ctx, org.profile.ID, e.ID, in)
	require.NoError(t, err)
	w.do("POST", path, xan.token, map[string]any{"text": "late"}).apiErr(http.StatusConflict, "comments_closed", "")
}
