package inbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// note is a discussion start (title set) or a message in the discussion
// ctx, attributed to the group g.
func note(id, actor, g, title, content, ctx string) map[string]any {
	n := map[string]any{"type": "Note", "id": id, "actor": actor, "attributedTo": g, "content": content,
		"mediaType": "text/html", "to": []string{g + "/members"}}
	if title != "" {
		n["name"] = title
		ctx = id
	}
	n["context"] = ctx
	if ctx != id {
		n["inReplyTo"] = ctx
	}
	return n
}

func members(a map[string]any, g string) map[string]any {
	a["to"] = []string{g + "/members"}
	return a
}

// TestRemoteMemberContentOfLocalGroups: a remote member starts a
// discussion, replies, edits and deletes its reply, adds a folder and a
// link into it; the group relays each. A non-member is refused, and so
// is a member creating an object of another host.
func TestRemoteMemberContentOfLocalGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	g, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	_, err = e.gr.Join(ctx, g.ID, e.remote[victim].ID, victim+"/join/1")
	require.NoError(t, err)

	dID := "https://victim.example/discussions/1"
	start := note(dID, victim, g.APID, "Route", "<p>Where?</p>", "")
	require.Equal(t, http.StatusAccepted, e.post(victim, members(activity("Create", dID+"/activity", victim, start), g.APID)))
	d, err := e.db.GetDiscussionByAPID(ctx, dID)
	require.NoError(t, err)
	assert.Equal(t, "Route", d.Title)
	assert.Equal(t, e.remote[victim].ID, d.CreatorID)
	assert.Equal(t, g.ID, d.GroupID)
	require.Len(t, e.relayed, 1, "the group relays it")
	assert.False(t, e.relayed[0].Public)

	// The same Create again (another activity id) stores nothing more.
	require.Equal(t, http.StatusAccepted, e.post(victim, members(activity("Create", dID+"/activity/2", victim, start), g.APID)))
	ds, _, err := e.gr.Discussions(ctx, e.alice.ID, g.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Len(t, ds, 1)

	cID := "https://victim.example/comments/1"
	require.Equal(t, http.StatusAccepted, e.post(victim, members(activity("Create", cID+"/activity", victim,
		note(cID, victim, g.APID, "", "<p>The coast</p>", dID)), g.APID)))
	c, err := e.db.GetDiscussionCommentByAPID(ctx, cID)
	require.NoError(t, err)
	assert.Equal(t, d.ID, c.DiscussionID)
	require.Equal(t, http.StatusAccepted, e.post(victim, members(activity("Update", cID+"/updates/1", victim,
		note(cID, victim, g.APID, "", "<p>The north coast</p>", dID)), g.APID)))
	c, err = e.db.GetDiscussionCommentByAPID(ctx, cID)
	require.NoError(t, err)
	assert.Equal(t, "<p>The north coast</p>", c.Text)
	require.Equal(t, http.StatusAccepted, e.post(victim, members(activity("Delete", cID+"/delete", victim, cID), g.APID)))
	_, err = e.db.GetDiscussionCommentByAPID(ctx, cID)
	require.ErrorIs(t, err, storage.ErrNotFound)

	folderID, padID := "https://victim.example/resource/f", "https://victim.example/resource/pad"
	folder := map[string]any{"type": "ResourceCollection", "id": folderID, "name": "Tools", "actor": victim,
		"attributedTo": g.APID, "context": g.APID + "/resources"}
	require.Equal(t, http.StatusAccepted, e.post(victim, members(activity("Create", folderID+"/activity", victim, folder), g.APID)))
	pad := map[string]any{"type": "Document", "id": padID, "name": "Notes", "url": "https://pad.example/p/1", "actor": victim,
		"attributedTo": g.APID, "context": folderID}
	add := members(activity("Add", padID+"/add", victim, pad), g.APID)
	add["target"] = folderID
	require.Equal(t, http.StatusAccepted, e.post(victim, add))
	f, err := e.db.GetResourceByAPID(ctx, folderID)
	require.NoError(t, err)
	assert.True(t, f.IsFolder())
	r, err := e.db.GetResourceByAPID(ctx, padID)
	require.NoError(t, err)
	assert.Equal(t, f.ID, r.ParentID)
	assert.Equal(t, "https://pad.example/p/1", r.URL)
	assert.Equal(t, groups.ResourcePad, r.Kind, "the kind does not travel: guessed from the URL")
	assert.Len(t, e.relayed, 7)

	// evil is no member; victim cannot create an object of evil's host.
	eID := "https://evil.example/discussions/1"
	require.Equal(t, http.StatusForbidden, e.post(evil, members(activity("Create", eID+"/activity", evil,
		note(eID, evil, g.APID, "Spam", "<p>Buy</p>", "")), g.APID)))
	_, err = e.db.GetDiscussionByAPID(ctx, eID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	e.fetch.serve(eID, note(eID, victim, g.APID, "Forged", "<p>x</p>", ""))
	require.Equal(t, http.StatusForbidden, e.post(victim, members(activity("Create", "https://victim.example/a/9", victim,
		note(eID, victim, g.APID, "Forged", "<p>x</p>", "")), g.APID)))
	_, err = e.db.GetDiscussionByAPID(ctx, eID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	assert.Len(t, e.relayed, 7, "nothing refused is relayed")
}

// TestRemoteGroupContent: the content of a remote group reaches its
// local members from an actor on the group's host, or announced by the
// group (FEP-1b12); an actor of another host cannot speak for the group.
func TestRemoteGroupContent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	ga := e.remote[group]
	rg, err := e.gr.PutRemoteGroup(ctx, &groups.Group{Actor: *ga, Openness: groups.Open, Visibility: groups.Public})
	require.NoError(t, err)
	_, err = e.gr.Join(ctx, rg.ID, e.alice.ID, "")
	require.NoError(t, err)
	_, err = e.gr.AnswerRemoteJoin(ctx, rg.ID, e.alice.ID, rg.ID, true)
	require.NoError(t, err)

	listID := "https://victim.example/todo-lists/1"
	list := map[string]any{"type": "TodoList", "id": listID, "actor": group, "name": "Prep"}
	require.Equal(t, http.StatusAccepted, e.post(other, members(activity("Create", listID+"/activity", other, list), group)))
	l, err := e.db.GetTodoListByAPID(ctx, listID)
	require.NoError(t, err)
	assert.Equal(t, rg.ID, l.GroupID)
	assert.Equal(t, e.remote[other].ID, l.CreatorID)
	assert.Empty(t, e.relayed, "a remote group relays its own")

	todoID := "https://victim.example/todos/1"
	todo := map[string]any{"type": "Todo", "id": todoID, "actor": other, "attributedTo": group, "name": "Maps",
		"status": true, "todoList": listID}
	require.Equal(t, http.StatusAccepted, e.post(other, members(activity("Create", todoID+"/activity", other, todo), group)))
	td, err := e.db.GetTodoByAPID(ctx, todoID)
	require.NoError(t, err)
	assert.True(t, td.Done)

	// evil's message, announced by the group: the group vouches for it.
	cID := "https://evil.example/discussions/9"
	inner := members(activity("Create", cID+"/activity", evil, note(cID, evil, group, "Hello", "<p>hi</p>", "")), group)
	require.Equal(t, http.StatusAccepted, e.post(group, members(activity("Announce", group+"/announces/1", group, inner), group)))
	d, err := e.db.GetDiscussionByAPID(ctx, cID)
	require.NoError(t, err)
	assert.Equal(t, e.remote[evil].ID, d.CreatorID)
	assert.Equal(t, rg.ID, d.GroupID)

	// evil itself cannot speak for the group.
	cID2 := "https://evil.example/discussions/10"
	require.Equal(t, http.StatusForbidden, e.post(evil, members(activity("Create", cID2+"/activity", evil,
		note(cID2, evil, group, "Mine", "<p>x</p>", "")), group)))
	require.Equal(t, http.StatusForbidden, e.post(evil, members(activity("Delete", cID+"/delete", evil, cID), group)),
		"nor delete what the group announced")
	_, err = e.db.GetDiscussionByAPID(ctx, cID)
	require.NoError(t, err)

	// The group's host deletes the todo.
	require.Equal(t, http.StatusAccepted, e.post(other, members(activity("Delete", todoID+"/delete", other, todoID), group)))
	_, err = e.db.GetTodoByAPID(ctx, todoID)
	require.ErrorIs(t, err, storage.ErrNotFound)
}
