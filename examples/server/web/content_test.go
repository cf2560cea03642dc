package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// lastPath is the path (without query) of a redirect.
func lastPath(r *response) string {
	l := r.location()
	if i := strings.Index(l, "?"); i >= 0 {
		return l[:i]
	}
	return l
}

func TestGroupContentAccess(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	pub, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "open", DisplayName: "Open", Openness: groups.Open})
	require.NoError(t, err)
	priv, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "secret", DisplayName: "Secret",
		Openness: groups.InviteOnly, Visibility: groups.Private})
	require.NoError(t, err)
	ab, bb := w.login(alice), w.login(bob)
	for _, p := range []string{"discussions", "resources", "todos"} {
		ab.get("/groups/" + pub.ID + "/" + p).status(http.StatusOK)
		bb.get("/groups/" + pub.ID + "/" + p).status(http.StatusForbidden)
		bb.get("/groups/" + priv.ID + "/" + p).status(http.StatusNotFound)
		w.browser().get("/groups/" + pub.ID + "/" + p).status(http.StatusSeeOther)
		bb.post("/groups/"+pub.ID+"/"+map[string]string{"discussions": "discussions", "resources": "resources", "todos": "todos/lists"}[p],
			url.Values{"title": {"x"}, "text": {"x"}, "kind": {"folder"}}).status(http.StatusForbidden)
		bb.post("/groups/"+priv.ID+"/discussions", url.Values{"title": {"x"}, "text": {"x"}}).status(http.StatusNotFound)
	}
	// Posts: public ones to everyone; the form to editors.
	w.browser().get("/groups/" + pub.ID + "/posts").status(http.StatusOK)
	w.browser().get("/groups/" + priv.ID + "/posts").status(http.StatusNotFound)
	bb.get("/groups/" + pub.ID + "/posts/new").status(http.StatusForbidden)
	bb.post("/groups/"+pub.ID+"/posts/new", url.Values{"title": {"x"}, "body": {"x"}}).status(http.StatusForbidden)
	// Tabs for members only.
	ab.get("/@open").contains(`href="/groups/`+pub.ID+`/discussions"`, `href="/groups/`+pub.ID+`/posts"`)
	bb.get("/@open").lacks(`/discussions"`).contains(`href="/groups/` + pub.ID + `/posts"`)
}

var discPath = regexp.MustCompile(`^/groups/[^/]+/discussions/([^/?]+)$`)

func TestDiscussions(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, bob.profile.ID, "")
	require.NoError(t, err)
	ab, bb, cb := w.login(alice), w.login(bob), w.login(carol)
	list := "/groups/" + g.ID + "/discussions"

	bb.post(list, url.Values{"title": {""}, "text": {"hi"}}).status(http.StatusBadRequest).contains(`aria-invalid="true"`)
	res := bb.post(list, url.Values{"title": {"Seeds"}, "text": {"Who has <b>tomato</b> seeds?"}}).status(http.StatusSeeOther)
	m := discPath.FindStringSubmatch(lastPath(res))
	require.NotNil(t, m, res.location())
	did := m[1]
	thread := list + "/" + did
	ab.get(list).contains("Seeds", "Unread")
	ab.get(thread).status(http.StatusOK).contains("Who has &lt;b&gt;tomato&lt;/b&gt; seeds?")
	ab.get(list).lacks("Unread")
	cb.get(thread).status(http.StatusForbidden)
	cb.post(thread+"/reply", url.Values{"text": {"me"}}).status(http.StatusForbidden)

	w.clock.Advance(time.Minute)
	ab.post(thread+"/reply", url.Values{"text": {"I do"}}).status(http.StatusSeeOther)
	bb.get(list).contains("Unread")
	cs, _, err := w.inst.Groups.Comments(w.ctx, alice.profile.ID, did, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	first, reply := cs[0].ID, cs[1].ID

	// Bob (a member) edits his own message but not Alice's, renames his
	// discussion, deletes neither the first message nor the discussion.
	bb.post(thread+"/messages/"+first+"/edit", url.Values{"text": {"Tomato seeds?"}}).status(http.StatusSeeOther)
	bb.post(thread+"/messages/"+reply+"/edit", url.Values{"text": {"no"}}).status(http.StatusForbidden)
	bb.post(thread+"/messages/"+reply+"/delete", nil).status(http.StatusForbidden)
	bb.post(thread+"/messages/"+first+"/delete", nil).status(http.StatusBadRequest)
	bb.post(thread+"/rename", url.Values{"title": {"Seed swap"}}).status(http.StatusSeeOther)
	bb.post(thread+"/delete", nil).status(http.StatusForbidden)
	bb.get(thread).contains("Seed swap", "Tomato seeds?", "I do").lacks(`/messages/` + reply + `/edit"`)
	// A message of another discussion is a 404 under this one.
	res = bb.post(list, url.Values{"title": {"Other"}, "text": {"x"}}).status(http.StatusSeeOther)
	other := discPath.FindStringSubmatch(lastPath(res))[1]
	ab.post(list+"/"+other+"/messages/"+reply+"/delete", nil).status(http.StatusNotFound)
	// The creator moderates: deletes Bob's reply and the discussion.
	ab.post(thread+"/messages/"+reply+"/delete", nil).status(http.StatusSeeOther)
	ab.post(thread+"/delete", nil).status(http.StatusSeeOther)
	ab.get(thread).status(http.StatusNotFound)
}

func TestResourcesPostsTodos(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, bob.profile.ID, "")
	require.NoError(t, err)
	ab, bb, out := w.login(alice), w.login(bob), w.browser()
	res := "/groups/" + g.ID + "/resources"

	// Resources: a pad link, a folder, a move, a delete.
	bb.post(res, url.Values{"kind": {"pad"}, "url": {"https://pad.example/p/garden"}, "title": {"Plans"}}).status(http.StatusSeeOther)
	bb.post(res, url.Values{"kind": {"pad"}, "url": {"not a url"}}).status(http.StatusBadRequest).contains(`id="f-url"`, `aria-invalid="true"`)
	w.clock.Advance(time.Minute)
	bb.post(res, url.Values{"kind": {"folder"}, "title": {"Archive"}}).status(http.StatusSeeOther)
	page := bb.get(res).status(http.StatusOK).contains("Plans", "Pad", "pad.example", "Archive", "Folder")
	items, _, err := w.inst.Groups.Resources(w.ctx, bob.profile.ID, g.ID, "", storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, items, 2)
	_ = page
	pad, folder := items[0], items[1]
	bb.post(res+"/"+pad.ID+"/move", url.Values{"parent": {folder.ID}}).status(http.StatusSeeOther)
	bb.get(res).lacks("Plans")
	bb.get(res+"?folder="+folder.ID).contains("Plans", `aria-current="page">Archive`)
	w.login(w.user("carol")).post(res+"/"+pad.ID+"/delete", nil).status(http.StatusForbidden)
	bb.post(res+"/"+folder.ID+"/delete", nil).status(http.StatusSeeOther)
	bb.get(res).lacks("Archive")

	// Posts: members cannot write; the creator writes a draft, then
	// publishes; members-only posts are hidden from outsiders.
	posts := "/groups/" + g.ID + "/posts"
	r := ab.post(posts+"/new", url.Values{"title": {"Spring"}, "body": {"We open in April."}, "visibility": {"private"}, "draft": {"1"}}).status(http.StatusSeeOther)
	post := lastPath(r)
	bb.get(post).status(http.StatusForbidden)
	bb.get(posts).lacks("Spring")
	ab.get(post).contains("Draft", "Publish")
	bb.post(post+"/publish", nil).status(http.StatusForbidden)
	ab.post(post+"/publish", nil).status(http.StatusSeeOther)
	bb.get(post).status(http.StatusOK).contains("We open in April.").lacks("/edit")
	out.get(post).status(http.StatusForbidden)
	out.get(posts).lacks("Spring")
	ab.get(post + "/edit").status(http.StatusOK).contains("We open in April.")
	ab.post(post+"/edit", url.Values{"title": {"Spring"}, "body": {"We open in May."}, "visibility": {"public"}}).status(http.StatusSeeOther)
	out.get(post).status(http.StatusOK).contains("We open in May.")
	bb.post(post+"/delete", nil).status(http.StatusForbidden)
	ab.post(post+"/delete", nil).status(http.StatusSeeOther)
	out.get(post).status(http.StatusNotFound)

	// Todos: lists, todos with a due date and an assignee among members.
	todos := "/groups/" + g.ID + "/todos"
	bb.post(todos+"/lists", url.Values{"title": {"Planting"}}).status(http.StatusSeeOther)
	ls, _, err := w.inst.Groups.TodoLists(w.ctx, bob.profile.ID, g.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, ls, 1)
	lid := ls[0].ID
	bb.post(todos+"/lists/"+lid+"/todos", url.Values{"title": {"Water"}, "due": {"2026-02-01"}, "assignee": {alice.profile.ID}}).status(http.StatusSeeOther)
	bb.post(todos+"/lists/"+lid+"/todos", url.Values{"title": {"Dig"}, "assignee": {"stranger"}}).status(http.StatusBadRequest)
	bb.post(todos+"/lists/"+lid+"/todos", url.Values{"title": {"Dig"}, "due": {"soon"}}).status(http.StatusBadRequest).contains("yyyy-mm-dd")
	bb.get(todos).contains("Water", "assigned to Alice", "due 2026-02-01", "late")
	ts, _, err := w.inst.Groups.Todos(w.ctx, bob.profile.ID, lid, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, ts, 1)
	tid := ts[0].ID
	bb.post(todos+"/"+tid+"/update", url.Values{"done": {"1"}}).status(http.StatusSeeOther)
	td, err := w.inst.Groups.Todo(w.ctx, bob.profile.ID, tid)
	require.NoError(t, err)
	assert.True(t, td.Done)
	assert.Equal(t, alice.profile.ID, td.AssigneeID)
	w.login(w.user("dave")).post(todos+"/"+tid+"/delete", nil).status(http.StatusForbidden)
	bb.post(todos+"/"+tid+"/delete", nil).status(http.StatusSeeOther)
	bb.post(todos+"/lists/"+lid+"/delete", nil).status(http.StatusSeeOther)
	bb.get(todos).lacks("Planting")
}
