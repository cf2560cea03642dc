package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

// TestConversationsUnread: "unread" in lists and on GET, per profile;
// GET leaves it, POST .../read clears it; writing clears it for the
// author.
func TestConversationsUnread(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org, ria, sol := w.user("quin"), w.user("ria"), w.user("sol")
	e := w.event(org.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, ria.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	write := "/api/v1/events/" + e.ID + "/conversations"
	unreadIn := func(path string, u *user) bool {
		t.Helper()
		items := w.do("GET", path, u.token, nil).status(http.StatusOK).items()
		require.Len(t, items, 1, path)
		return items[0]["unread"].(bool)
	}

	created := w.do("POST", write, ria.token, map[string]any{"text": "Is there a ramp?"}).status(http.StatusCreated).object()
	conv := created["conversation"].(map[string]any)
	assert.Equal(t, false, conv["unread"], "the author's own message")
	thread := "/api/v1/conversations/" + conv["id"].(string)
	assert.False(t, unreadIn("/api/v1/conversations", ria))
	assert.True(t, unreadIn(write, org), "new to the organizer")

	// GET does not mark read.
	for range 2 {
		got := w.do("GET", thread, org.token, nil).status(http.StatusOK).object()["conversation"].(map[string]any)
		assert.Equal(t, true, got["unread"])
	}
	// POST .../read does, with no body or with one naming the profile.
	w.do("POST", thread+"/read", org.token, nil).status(http.StatusNoContent)
	assert.False(t, unreadIn(write, org))
	got := w.do("GET", thread, org.token, nil).status(http.StatusOK).object()["conversation"].(map[string]any)
	assert.Equal(t, false, got["unread"])

	// The organizer answers: new to Ria.
	w.clock.Advance(time.Second)
	w.do("POST", thread+"/messages", org.token, map[string]any{"text": "Yes."}).status(http.StatusCreated)
	assert.True(t, unreadIn("/api/v1/conversations", ria))
	assert.False(t, unreadIn(write, org))
	w.do("POST", thread+"/read", ria.token, map[string]any{"profile": ria.profile.ID}).status(http.StatusNoContent)
	assert.False(t, unreadIn("/api/v1/conversations", ria))

	// Refusals: a stranger, an unknown conversation, another account's
	// profile, no token, a bad body.
	w.clock.Advance(time.Second)
	w.do("POST", thread+"/messages", org.token, map[string]any{"text": "See you."}).status(http.StatusCreated)
	w.do("POST", thread+"/read", sol.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("POST", "/api/v1/conversations/nope/read", ria.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("POST", thread+"/read", sol.token, map[string]any{"profile": ria.profile.ID}).apiErr(http.StatusForbidden, "forbidden", "profile")
	w.do("POST", thread+"/read", "", nil).apiErr(http.StatusUnauthorized, "unauthorized", "")
	w.do("POST", thread+"/read", ria.token, map[string]any{"extra": 1}).apiErr(http.StatusUnprocessableEntity, "invalid", "extra")
	assert.True(t, unreadIn("/api/v1/conversations", ria), "nothing marked by the refusals")
}
