package endpoints_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// The group's content is served at its ids to signed fetches by
// members; posts by their visibility; the collections to members.
func TestContentDocuments(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(c *endpoints.Config) { c.Content = c.Store.(endpoints.Content) })
	ctx, svc, g := w.ctx, w.inst.Groups, w.group
	actor := func(p *identity.Profile) *identity.Actor {
		a, err := w.inst.Identity.GetActor(ctx, p.ID)
		require.NoError(t, err)
		return a
	}
	d, _, err := svc.CreateDiscussion(ctx, w.bob.ID, g.ID, groups.DiscussionInput{Title: "Route", Text: "<p>Where?</p>"})
	require.NoError(t, err)
	bob, carol := actor(w.bob), actor(w.carol)
	path := func(iri string) string { return strings.TrimPrefix(iri, base) }
	// (Before any reply: under the fixed clock messages tie on time.)
	doc := w.as2(path(d.APID), bob, http.StatusOK)
	assert.Equal(t, "Route", doc["name"])
	assert.Equal(t, "<p>Where?</p>", doc["content"])
	assert.Equal(t, g.APID, doc["attributedTo"])
	assert.Equal(t, bob.APID, doc["actor"])
	c, err := svc.Reply(ctx, w.alice.ID, d.ID, groups.CommentInput{Text: "<p>Coast</p>"})
	require.NoError(t, err)
	pad, err := svc.CreateResource(ctx, w.bob.ID, g.ID, groups.ResourceInput{Kind: groups.ResourcePad, Title: "Notes", URL: "https://pad.example/p/1"})
	require.NoError(t, err)
	list, err := svc.CreateTodoList(ctx, w.bob.ID, g.ID, groups.TodoListInput{Title: "Prep"})
	require.NoError(t, err)
	todo, err := svc.CreateTodo(ctx, w.bob.ID, list.ID, groups.TodoInput{Title: "Maps"})
	require.NoError(t, err)
	post := func(vis groups.Visibility, draft bool) *groups.Post {
		p, err := svc.CreatePost(ctx, w.alice.ID, g.ID, groups.PostInput{Title: "News", Body: "<p>Hi</p>", Visibility: vis, Draft: draft})
		require.NoError(t, err)
		return p
	}
	public, private, draft := post(groups.Public, false), post(groups.Private, false), post(groups.Public, true)
	for _, tc := range []struct {
		name, iri, typ string
		signer         *identity.Actor
		status         int
	}{
		{"discussion to a member", d.APID, "Note", bob, http.StatusOK},
		{"discussion to a non-member", d.APID, "", carol, http.StatusForbidden},
		{"discussion unsigned", d.APID, "", nil, http.StatusUnauthorized},
		{"message", c.APID, "Note", bob, http.StatusOK},
		{"resource", pad.APID, "Document", bob, http.StatusOK},
		{"resource to a non-member", pad.APID, "", carol, http.StatusForbidden},
		{"todo list", list.APID, "TodoList", bob, http.StatusOK},
		{"todo", todo.APID, "Todo", bob, http.StatusOK},
		{"public post to anyone", public.APID, "Article", nil, http.StatusOK},
		{"members-only post to a member", private.APID, "Article", bob, http.StatusOK},
		{"members-only post to a non-member", private.APID, "", carol, http.StatusForbidden},
		{"draft to a plain member", draft.APID, "", bob, http.StatusForbidden},
		{"unknown", base + "/todos/00000000-0000-0000-0000-000000000000", "", bob, http.StatusNotFound},
		{"members' collection", g.APID + "/discussions?page=1", "OrderedCollectionPage", bob, http.StatusOK},
		{"members' collection page to a non-member", g.APID + "/resources?page=1", "", carol, http.StatusForbidden},
		{"public posts to anyone", g.APID + "/posts?page=1", "OrderedCollectionPage", nil, http.StatusOK},
	} {
		rec := w.get(path(tc.iri), "application/activity+json", tc.signer)
		require.Equal(t, tc.status, rec.Code, tc.name+": "+rec.Body.String())
		if tc.typ != "" {
			doc := decode(t, rec.Body.Bytes())
			assert.Equal(t, tc.typ, doc["type"], tc.name)
		}
	}
	page := w.as2(path(g.APID+"/posts?page=1"), nil, http.StatusOK)
	assert.Equal(t, []any{public.APID}, page["orderedItems"], "only the public posts are listed")

	// Messages hidden by the instance's moderators answer 404 (they may
	// come back), and so does a discussion whose first message is hidden.
	require.NoError(t, svc.HideComment(ctx, c.ID, true))
	w.as2(path(c.APID), bob, http.StatusNotFound)
	require.NoError(t, svc.HideComment(ctx, c.ID, false))
	w.as2(path(c.APID), bob, http.StatusOK)
	require.NoError(t, svc.HideComment(ctx, d.FirstCommentID(), true))
	w.as2(path(d.APID), bob, http.StatusNotFound)
	require.NoError(t, svc.HideComment(ctx, d.FirstCommentID(), false))
	w.as2(path(d.APID), bob, http.StatusOK)
}
