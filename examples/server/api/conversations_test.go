package api_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/api"
	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
)

func TestConversations(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org, ria, sol := w.user("quin"), w.user("ria"), w.user("sol")
	e := w.event(org.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, ria.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	write := "/api/v1/events/" + e.ID + "/conversations"

	// Ria writes to the organizers: a conversation is made.
	res := w.do("POST", write, ria.token, map[string]any{"text": "<p>Is there a ramp?</p><script>x</script>"}).status(http.StatusCreated)
	out := res.object()
	conv := out["conversation"].(map[string]any)
	msg := out["message"].(map[string]any)
	cid := conv["id"].(string)
	assert.Equal(t, base+"/api/v1/conversations/"+cid, res.rec.Header().Get("Location"))
	assert.Equal(t, base+"/conversations/"+cid, conv["url"])
	assert.Equal(t, e.ID, conv["event_id"])
	assert.Equal(t, ria.profile.ID, conv["participant"].(map[string]any)["id"])
	assert.Equal(t, "<p>Is there a ramp?</p>", msg["text"], "sanitized")
	assert.Equal(t, ria.profile.ID, msg["author"].(map[string]any)["id"])
	assert.Equal(t, false, msg["announcement"])

	// Her list; the organizer's list of the event.
	items := w.do("GET", "/api/v1/conversations", ria.token, nil).status(http.StatusOK).items()
	require.Len(t, items, 1)
	assert.Equal(t, cid, items[0]["id"])
	assert.Empty(t, w.do("GET", "/api/v1/conversations", org.token, nil).status(http.StatusOK).items())
	items = w.do("GET", write, org.token, nil).status(http.StatusOK).items()
	require.Len(t, items, 1)
	assert.Equal(t, cid, items[0]["id"])

	// The organizer replies, and writes to Ria by participant_id: the
	// same conversation.
	thread := "/api/v1/conversations/" + cid
	w.clock.Advance(time.Second) // messages are ordered by time
	reply := w.do("POST", thread+"/messages", org.token, map[string]any{"text": "Yes."}).status(http.StatusCreated).object()
	assert.Equal(t, org.profile.ID, reply["author"].(map[string]any)["id"])
	w.clock.Advance(time.Second)
	again := w.do("POST", write, org.token, map[string]any{"text": "See you", "participant_id": ria.profile.ID}).
		status(http.StatusCreated).object()
	assert.Equal(t, cid, again["conversation"].(map[string]any)["id"])

	page := w.do("GET", thread, ria.token, nil).status(http.StatusOK).object()
	assert.Equal(t, cid, page["conversation"].(map[string]any)["id"])
	ms := page["messages"].(map[string]any)["items"].([]any)
	require.Len(t, ms, 3)
	assert.Equal(t, "Yes.", ms[1].(map[string]any)["text"], "oldest first")
	// Paged.
	first := w.do("GET", thread+"?limit=2", ria.token, nil).status(http.StatusOK).object()["messages"].(map[string]any)
	require.Len(t, first["items"], 2)
	next, _ := first["next"].(string)
	require.NotEmpty(t, next)
	rest := w.do("GET", thread+"?after="+next, ria.token, nil).status(http.StatusOK).object()["messages"].(map[string]any)
	require.Len(t, rest["items"], 1)
	assert.Equal(t, "See you", rest["items"].([]any)[0].(map[string]any)["text"])

	// A stranger: 404s; a participant writing as an organizer: 403; an
	// organizer to a non-participant: 409.
	w.do("GET", thread, sol.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("POST", thread+"/messages", sol.token, map[string]any{"text": "hi"}).apiErr(http.StatusNotFound, "not_found", "")
	w.do("GET", write, sol.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("POST", write, sol.token, map[string]any{"text": "hi"}).apiErr(http.StatusConflict, "not_participating", "")
	w.do("POST", write, ria.token, map[string]any{"text": "hi", "participant_id": org.profile.ID}).apiErr(http.StatusForbidden, "forbidden", "")
	w.do("POST", write, org.token, map[string]any{"text": "hi", "participant_id": sol.profile.ID}).apiErr(http.StatusConflict, "not_participating", "")
	w.do("GET", "/api/v1/conversations/nope", ria.token, nil).apiErr(http.StatusNotFound, "not_found", "")

	// Bad input; no token.
	w.do("POST", write, ria.token, map[string]any{"text": " "}).apiErr(http.StatusUnprocessableEntity, "invalid", "text")
	w.do("POST", write, ria.token, map[string]any{"text": "x", "extra": 1}).apiErr(http.StatusUnprocessableEntity, "invalid", "extra")
	w.do("GET", "/api/v1/conversations?after=garbage", ria.token, nil).apiErr(http.StatusUnprocessableEntity, "invalid", "after")
	w.do("GET", "/api/v1/conversations", "", nil).apiErr(http.StatusUnauthorized, "unauthorized", "")
	w.do("POST", thread+"/messages", "", map[string]any{"text": "x"}).apiErr(http.StatusUnauthorized, "unauthorized", "")

	// Ria leaves: the conversation is readable, and takes no message.
	require.NoError(t, w.inst.Events.Leave(w.ctx, e.ID, ria.profile.ID))
	w.do("GET", thread, ria.token, nil).status(http.StatusOK)
	w.do("POST", thread+"/messages", ria.token, map[string]any{"text": "x"}).apiErr(http.StatusConflict, "not_participating", "")
}

func TestConversationsRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org, ria := w.user("quin"), w.user("ria")
	e := w.event(org.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, ria.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	write := "/api/v1/events/" + e.ID + "/conversations"
	for i := range api.MessageBurst {
		w.do("POST", write, ria.token, map[string]any{"text": "hello " + strconv.Itoa(i)}).status(http.StatusCreated)
	}
	w.do("POST", write, ria.token, map[string]any{"text": "more"}).apiErr(http.StatusTooManyRequests, "rate_limited", "")
	w.clock.Advance(api.MessageRefill + time.Second)
	w.do("POST", write, ria.token, map[string]any{"text": "later"}).status(http.StatusCreated)
}

// TestConversationsSharedRateLimit: with Config.MessageLimit, messages
// take their tokens from the limiter given, under the key
// "account:{account id}" that the web UI uses too: what an account sent
// through the web pages counts here.
func TestConversationsSharedRateLimit(t *testing.T) {
	t.Parallel()
	var shared *ratelimit.Limiter
	w := newWorld(t, func(c *api.Config) {
		shared = ratelimit.New(c.Now, api.MessageBurst, api.MessageRefill, api.MaxLoginKeys)
		c.MessageLimit = shared
	})
	org, ria := w.user("quin"), w.user("ria")
	e := w.event(org.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, ria.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	for range api.MessageBurst - 1 { // spent elsewhere (the web UI)
		ok, _ := shared.Allow("account:" + ria.account.ID)
		require.True(t, ok)
	}
	write := "/api/v1/events/" + e.ID + "/conversations"
	w.do("POST", write, ria.token, map[string]any{"text": "the last one"}).status(http.StatusCreated)
	w.do("POST", write, ria.token, map[string]any{"text": "more"}).apiErr(http.StatusTooManyRequests, "rate_limited", "")
}
