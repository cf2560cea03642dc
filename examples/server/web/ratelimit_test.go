package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// TestDiscussionRateLimit: new discussions and replies, which may mail
// the group's members, share a bucket of DiscussionBurst per account;
// past it the page answers 429 and writes nothing, until it refills.
// Other accounts are not affected.
func TestDiscussionRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, bob.profile.ID, "")
	require.NoError(t, err)
	ab, bb := w.login(alice), w.login(bob)
	list := "/groups/" + g.ID + "/discussions"

	res := bb.post(list, url.Values{"title": {"Seeds"}, "text": {"Who has seeds?"}}).status(http.StatusSeeOther)
	m := discPath.FindStringSubmatch(lastPath(res))
	require.NotNil(t, m, res.location())
	thread := list + "/" + m[1]
	for i := 1; i < web.DiscussionBurst; i++ {
		bb.post(thread+"/reply", url.Values{"text": {"reply " + strconv.Itoa(i)}}).status(http.StatusSeeOther)
	}
	bb.post(thread+"/reply", url.Values{"text": {"one too many"}}).status(http.StatusTooManyRequests).contains("many messages")
	bb.post(list, url.Values{"title": {"Spam"}, "text": {"spam"}}).status(http.StatusTooManyRequests).contains("many messages")
	cs, _, err := w.inst.Groups.Comments(w.ctx, bob.profile.ID, m[1], storage.Cursor{}, 100)
	require.NoError(t, err)
	assert.Len(t, cs, web.DiscussionBurst, "the refused reply is not stored")
	ds, _, err := w.inst.Groups.Discussions(w.ctx, bob.profile.ID, g.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Len(t, ds, 1, "the refused discussion is not created")

	ab.post(thread+"/reply", url.Values{"text": {"alice has her own bucket"}}).status(http.StatusSeeOther)
	w.clock.Advance(web.DiscussionRefill)
	bb.post(thread+"/reply", url.Values{"text": {"later"}}).status(http.StatusSeeOther)
	bb.post(thread+"/reply", url.Values{"text": {"too soon again"}}).status(http.StatusTooManyRequests)
}

// TestSharedMessageLimit: with Config.MessageLimit, private messages
// take their tokens from the limiter given, under the key
// "account:{account id}" that the JSON API uses too: what an account
// sent through the API counts here.
func TestSharedMessageLimit(t *testing.T) {
	t.Parallel()
	var shared *ratelimit.Limiter
	w := newWorld(t, func(c *web.Config) {
		shared = ratelimit.New(c.Now, web.MessageBurst, web.MessageRefill, web.MaxLimiterKeys)
		c.MessageLimit = shared
	})
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	for range web.MessageBurst - 1 { // spent elsewhere (the API)
		ok, _ := shared.Allow("account:" + bob.account.ID)
		require.True(t, ok)
	}
	bb := w.login(bob)
	write := "/events/" + e.ID + "/conversations"
	bb.post(write, url.Values{"text": {"the last one"}}).status(http.StatusSeeOther)
	bb.post(write, url.Values{"text": {"one too many"}}).status(http.StatusTooManyRequests).contains("many messages")
}
