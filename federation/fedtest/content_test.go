package fedtest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/fedtest"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// TestGroupContentAcrossInstances is a group on a.test whose members
// live on a.test, b.test and c.test: a discussion started on a.test
// reaches the remote members; bea on b.test replies, starts a
// discussion and adds a pad link through her own instance, a.test takes
// them (bea's role allows it) and relays them to c.test; a rename and a
// deletion follow; once a.test removed her, bea's next discussion is
// refused there.
func TestGroupContentAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := fedtest.New(t)
	a, b, c := net.Instance("a.test"), net.Instance("b.test"), net.Instance("c.test")
	org := a.Profile("org")
	g, err := a.Groups.Create(ctx, org.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	bea, cid := b.Profile("bea"), c.Profile("cid")
	mb, err := b.Federation.JoinGroup(ctx, bea.ID, "@walkers@a.test")
	require.NoError(t, err)
	mc, err := c.Federation.JoinGroup(ctx, cid.ID, "@walkers@a.test")
	require.NoError(t, err)
	net.Deliver()

	// a.test's member starts a discussion: it reaches b.test and c.test.
	d, _, err := a.Groups.CreateDiscussion(ctx, org.ID, g.ID, groups.DiscussionInput{Title: "Spring route", Text: "<p>Where to?</p>"})
	require.NoError(t, err)
	net.Deliver()
	onB, err := b.Store.GetDiscussionByAPID(ctx, d.APID)
	require.NoError(t, err, "the discussion reached b.test")
	assert.Equal(t, "Spring route", onB.Title)
	assert.Equal(t, mb.GroupID, onB.GroupID)
	assert.False(t, onB.Local)
	msgs, _, err := b.Groups.Comments(ctx, bea.ID, onB.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, msgs, 1)
	assert.Equal(t, "<p>Where to?</p>", msgs[0].Text)
	orgOnB, err := b.Identity.GetActorByAPID(ctx, a.BaseURL+"/@org")
	require.NoError(t, err)
	assert.Equal(t, orgOnB.ID, msgs[0].AuthorID, "the author, not the group")
	_, err = c.Store.GetDiscussionByAPID(ctx, d.APID)
	require.NoError(t, err, "the discussion reached c.test")

	// bea replies from b.test: a.test takes it and relays it to c.test.
	reply, err := b.Groups.Reply(ctx, bea.ID, onB.ID, groups.CommentInput{Text: "<p>The coast!</p>"})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(reply.APID, b.BaseURL+"/discussions/"))
	net.Deliver()
	onA, err := a.Store.GetDiscussionCommentByAPID(ctx, reply.APID)
	require.NoError(t, err, "a.test took bea's reply")
	assert.Equal(t, d.ID, onA.DiscussionID)
	beaOnA, err := a.Identity.GetActorByAPID(ctx, b.BaseURL+"/@bea")
	require.NoError(t, err)
	assert.Equal(t, beaOnA.ID, onA.AuthorID)
	onC, err := c.Store.GetDiscussionCommentByAPID(ctx, reply.APID)
	require.NoError(t, err, "the group relayed bea's reply to c.test")
	beaOnC, err := c.Identity.GetActorByAPID(ctx, b.BaseURL+"/@bea")
	require.NoError(t, err)
	assert.Equal(t, beaOnC.ID, onC.AuthorID)

	// bea starts a discussion and adds a pad link in the remote group.
	d2, _, err := b.Groups.CreateDiscussion(ctx, bea.ID, mb.GroupID, groups.DiscussionInput{Title: "Carpool", Text: "<p>Who drives?</p>"})
	require.NoError(t, err)
	pad, err := b.Groups.CreateResource(ctx, bea.ID, mb.GroupID, groups.ResourceInput{Kind: groups.ResourcePad,
		Title: "Route notes", URL: "https://pad.example/p/route"})
	require.NoError(t, err)
	net.Deliver()
	d2OnA, err := a.Store.GetDiscussionByAPID(ctx, d2.APID)
	require.NoError(t, err, "a.test took bea's discussion")
	assert.Equal(t, beaOnA.ID, d2OnA.CreatorID)
	padOnA, err := a.Store.GetResourceByAPID(ctx, pad.APID)
	require.NoError(t, err, "a.test took bea's pad")
	assert.Equal(t, "https://pad.example/p/route", padOnA.URL)
	d2OnC, err := c.Store.GetDiscussionByAPID(ctx, d2.APID)
	require.NoError(t, err, "relayed to c.test")
	assert.Equal(t, mc.GroupID, d2OnC.GroupID)
	_, err = c.Store.GetResourceByAPID(ctx, pad.APID)
	require.NoError(t, err, "the pad relayed to c.test")

	// Renames and deletions follow.
	_, err = a.Groups.RenameDiscussion(ctx, org.ID, d.ID, "Spring route (final)")
	require.NoError(t, err)
	require.NoError(t, b.Groups.DeleteResource(ctx, bea.ID, pad.ID))
	net.Deliver()
	onB, err = b.Store.GetDiscussionByAPID(ctx, d.APID)
	require.NoError(t, err)
	assert.Equal(t, "Spring route (final)", onB.Title)
	_, err = a.Store.GetResourceByAPID(ctx, pad.APID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "deleted on a.test")
	_, err = c.Store.GetResourceByAPID(ctx, pad.APID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "deleted on c.test")

	// The documents are the members': a.test serves the discussion to
	// no anonymous fetch.
	req, err := http.NewRequest(http.MethodGet, d.APID, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/activity+json")
	res, err := net.RoundTrip(req)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)

	// Removed on a.test (removals do not federate yet), bea still counts
	// as a member on b.test: a.test refuses her next discussion.
	require.NoError(t, a.Groups.Remove(ctx, org.ID, g.ID, beaOnA.ID))
	d3, _, err := b.Groups.CreateDiscussion(ctx, bea.ID, mb.GroupID, groups.DiscussionInput{Title: "Sneaky", Text: "<p>Still here</p>"})
	require.NoError(t, err)
	net.Deliver()
	_, err = a.Store.GetDiscussionByAPID(ctx, d3.APID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "a non-member's Create is refused")
	_, err = c.Store.GetDiscussionByAPID(ctx, d3.APID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "and not relayed")
}
