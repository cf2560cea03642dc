package web_test

import (
	"html"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

// The marks of unread conversations: the badge in the lists and the
// count on the Messages link.
const (
	unreadBadge   = `<strong class="tag">Unread</strong>`
	unreadBadgeFR = `<strong class="tag">Non lu</strong>`
)

func unreadCount(n int) string {
	return `<span class="visually-hidden">unread conversations: </span>` + strconv.Itoa(n) + `</strong>`
}

// TestConversationUnread: a message is marked unread for the other side
// only, in the lists and in the Messages link's count, until they view
// the thread.
func TestConversationUnread(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	ab, bb := w.login(alice), w.login(bob)
	write := "/events/" + e.ID + "/conversations"

	// Bob writes: new to Alice, not to Bob.
	thread := "/conversations/" + conversationOf(t, bb.post(write, url.Values{"text": {"Is there a ramp?"}}).
		status(http.StatusSeeOther))
	bb.get("/conversations").contains(`href="`+thread+`"`).lacks(unreadBadge, "unread conversations:")
	ab.get(write).contains(`href="`+thread+`"`, unreadBadge)

	// Alice views it: read for her.
	w.clock.Advance(time.Minute)
	ab.get(thread).status(http.StatusOK)
	ab.get(write).contains(`href="` + thread + `"`).lacks(unreadBadge)

	// Alice answers: new to Bob, in his list and on every page's
	// Messages link; not to Alice.
	w.clock.Advance(time.Minute)
	ab.post(thread+"/reply", url.Values{"text": {"Yes."}}).status(http.StatusSeeOther)
	ab.get(write).lacks(unreadBadge)
	bb.get("/conversations").contains(unreadBadge, unreadCount(1))
	bb.get("/events/" + e.ID).contains(unreadCount(1))
	bb.lang = "fr"
	bb.get("/conversations").contains(unreadBadgeFR, `<span class="visually-hidden">conversations non lues : </span>1</strong>`)
	bb.lang = ""

	// Bob views it: the badge and the count are gone.
	bb.get(thread).status(http.StatusOK).contains("Yes.")
	bb.get("/conversations").contains(`href="`+thread+`"`).lacks(unreadBadge, "unread conversations:")
	ab.get(write).lacks(unreadBadge)

	// A stranger's attempt marks nothing.
	w.clock.Advance(time.Minute)
	ab.post(thread+"/reply", url.Values{"text": {"See you."}}).status(http.StatusSeeOther)
	w.login(w.user("carol")).get(thread).status(http.StatusNotFound)
	bb.get("/conversations").contains(unreadBadge, unreadCount(1))
}

// TestConversationUnreadPaged: a long thread is marked read when its
// last page, with the newest messages, is shown; not by its first.
func TestConversationUnreadPaged(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	c, _, err := w.inst.Conversations.WriteToOrganizers(w.ctx, bob.profile.ID, e.ID, "message 0")
	require.NoError(t, err)
	for i := 1; i <= 55; i++ {
		w.clock.Advance(time.Second)
		_, err := w.inst.Conversations.Reply(w.ctx, alice.profile.ID, c.ID, "message "+strconv.Itoa(i))
		require.NoError(t, err)
	}
	bb := w.login(bob)
	first := bb.get("/conversations/" + c.ID).status(http.StatusOK)
	bb.get("/conversations").contains(unreadBadge, unreadCount(1))
	m := regexpNext.FindStringSubmatch(first.body)
	require.NotNil(t, m, "a link to the next page")
	bb.get(html.UnescapeString(m[1])).status(http.StatusOK).contains("message 55<")
	bb.get("/conversations").lacks(unreadBadge, "unread conversations:")
}
