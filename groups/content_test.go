package groups_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// roleCast is one actor of each standing in a moderated group g made by
// creator: the column order of the content matrix.
type roleCast struct {
	g       *groups.Group
	creator string
	actors  []string // in the order of castRoles
}

// castRoles are the matrix columns: creator, administrator, moderator,
// member, remote member, invited, not_approved, rejected, no membership.
var castRoles = []struct {
	name   string
	role   groups.Role
	remote bool
}{
	{"creator", groups.RoleCreator, false},
	{"administrator", groups.RoleAdministrator, false},
	{"moderator", groups.RoleModerator, false},
	{"member", groups.RoleMember, false},
	{"remote member", groups.RoleMember, true},
	{"invited", groups.RoleInvited, false},
	{"not approved", groups.RoleNotApproved, false},
	{"rejected", groups.RoleRejected, false},
	{"not a member", "", false},
}

// remotePerson stores a Person actor of another instance.
func (f *fixture) remotePerson(name string) string {
	f.t.Helper()
	a := &identity.Actor{ID: "id-" + name, APID: "https://remote.example/users/" + name, Type: identity.TypePerson,
		Username: name, Domain: "remote.example", Inbox: "https://remote.example/users/" + name + "/inbox",
		CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.store.CreateActor(f.ctx, a))
	return a.ID
}

func (f *fixture) cast() *roleCast {
	f.t.Helper()
	c := &roleCast{creator: f.person("creator")}
	c.g = f.group(c.creator, groups.Moderated)
	for i, r := range castRoles {
		if r.role == groups.RoleCreator {
			c.actors = append(c.actors, c.creator)
			continue
		}
		name := "cast" + string(rune('a'+i))
		var id string
		if r.remote {
			id = f.remotePerson(name)
		} else {
			id = f.person(name)
		}
		f.put(c.g, c.creator, id, r.role)
		c.actors = append(c.actors, id)
	}
	return c
}

// TestContentPermissionMatrix runs every content operation as an actor
// of every standing, local and remote, against objects that someone
// else (the creator) made, and checks a literal table: y = allowed,
// . = ErrForbidden. Columns: creator, administrator, moderator, member,
// remote member, invited, not_approved, rejected, not a member.
// Authors acting on their own comments and discussions are
// TestAuthorsEditTheirOwn's.
func TestContentPermissionMatrix(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.cast()
	ctx := f.ctx
	svc := f.svc
	g := c.g.ID
	// Targets made fresh by the creator for each attempt.
	discussion := func() string {
		d, _, err := svc.CreateDiscussion(ctx, c.creator, g, groups.DiscussionInput{Title: "Budget", Text: "<p>first</p>"})
		require.NoError(t, err)
		return d.ID
	}
	reply := func() string {
		m, err := svc.Reply(ctx, c.creator, discussion(), groups.CommentInput{Text: "<p>second</p>"})
		require.NoError(t, err)
		return m.ID
	}
	resource := func() string {
		r, err := svc.CreateResource(ctx, c.creator, g, groups.ResourceInput{Kind: groups.ResourcePad, Title: "Pad", URL: "https://pad.example/p/1"})
		require.NoError(t, err)
		return r.ID
	}
	folder := func() string {
		r, err := svc.CreateResource(ctx, c.creator, g, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "Folder"})
		require.NoError(t, err)
		return r.ID
	}
	post := func(vis groups.Visibility, draft bool) func() string {
		return func() string {
			p, err := svc.CreatePost(ctx, c.creator, g, groups.PostInput{Title: "News", Body: "<p>hi</p>", Visibility: vis, Draft: draft})
			require.NoError(t, err)
			return p.ID
		}
	}
	list := func() string {
		l, err := svc.CreateTodoList(ctx, c.creator, g, groups.TodoListInput{Title: "Prep"})
		require.NoError(t, err)
		return l.ID
	}
	todo := func() string {
		td, err := svc.CreateTodo(ctx, c.creator, list(), groups.TodoInput{Title: "Book hall"})
		require.NoError(t, err)
		return td.ID
	}
	none := func() string { return "" }
	dest := folder()
	table := []struct {
		want string // CAMmRINJ-
		name string
		prep func() string
		do   func(actor, target string) error
	}{
		{"yyyyy....", "read discussion", discussion, func(a, id string) error { _, err := svc.Discussion(ctx, a, id); return err }},
		{"yyyyy....", "list discussions", none, func(a, _ string) error { _, _, err := svc.Discussions(ctx, a, g, storage.Cursor{}, 0); return err }},
		{"yyyyy....", "create discussion", none, func(a, _ string) error {
			_, _, err := svc.CreateDiscussion(ctx, a, g, groups.DiscussionInput{Title: "T", Text: "x"})
			return err
		}},
		{"yyy......", "rename discussion", discussion, func(a, id string) error { _, err := svc.RenameDiscussion(ctx, a, id, "New"); return err }},
		{"yyy......", "delete discussion", discussion, func(a, id string) error { return svc.DeleteDiscussion(ctx, a, id) }},
		{"yyyyy....", "mark read", discussion, func(a, id string) error { return svc.MarkRead(ctx, a, id) }},
		{"yyyyy....", "list comments", discussion, func(a, id string) error { _, _, err := svc.Comments(ctx, a, id, storage.Cursor{}, 0); return err }},
		{"yyyyy....", "reply", discussion, func(a, id string) error {
			_, err := svc.Reply(ctx, a, id, groups.CommentInput{Text: "me too"})
			return err
		}},
		{"yyy......", "edit another's comment", reply, func(a, id string) error { _, err := svc.EditComment(ctx, a, id, "edited"); return err }},
		{"yyy......", "delete another's comment", reply, func(a, id string) error { return svc.DeleteComment(ctx, a, id) }},
		{"yyyyy....", "read resource", resource, func(a, id string) error { _, err := svc.Resource(ctx, a, id); return err }},
		{"yyyyy....", "list resources", none, func(a, _ string) error { _, _, err := svc.Resources(ctx, a, g, "", storage.Cursor{}, 0); return err }},
		{"yyyyy....", "create resource", none, func(a, _ string) error {
			_, err := svc.CreateResource(ctx, a, g, groups.ResourceInput{Kind: groups.ResourceLink, Title: "L", URL: "https://x.example/"})
			return err
		}},
		{"yyyyy....", "update resource", resource, func(a, id string) error {
			_, err := svc.UpdateResource(ctx, a, id, groups.ResourceUpdate{Title: new("Renamed")})
			return err
		}},
		{"yyyyy....", "move resource", resource, func(a, id string) error { _, err := svc.MoveResource(ctx, a, id, dest); return err }},
		{"yyyyy....", "delete resource", resource, func(a, id string) error { return svc.DeleteResource(ctx, a, id) }},
		{"yyyyyyyyy", "read public post", post(groups.Public, false), func(a, id string) error { _, err := svc.Post(ctx, a, id); return err }},
		{"yyyyyyyyy", "read unlisted post", post(groups.Unlisted, false), func(a, id string) error { _, err := svc.Post(ctx, a, id); return err }},
		{"yyyyy....", "read members-only post", post(groups.Private, false), func(a, id string) error { _, err := svc.Post(ctx, a, id); return err }},
		{"yyy......", "read draft", post(groups.Public, true), func(a, id string) error { _, err := svc.Post(ctx, a, id); return err }},
		{"yyy......", "create post", none, func(a, _ string) error {
			_, err := svc.CreatePost(ctx, a, g, groups.PostInput{Title: "T", Body: "b"})
			return err
		}},
		{"yyy......", "update post", post(groups.Public, false), func(a, id string) error {
			_, err := svc.UpdatePost(ctx, a, id, groups.PostUpdate{Title: new("New")})
			return err
		}},
		{"yyy......", "publish post", post(groups.Public, true), func(a, id string) error { _, err := svc.PublishPost(ctx, a, id); return err }},
		{"yyy......", "delete post", post(groups.Public, false), func(a, id string) error { return svc.DeletePost(ctx, a, id) }},
		{"yyyyy....", "read todo list", list, func(a, id string) error { _, err := svc.TodoList(ctx, a, id); return err }},
		{"yyyyy....", "list todo lists", none, func(a, _ string) error { _, _, err := svc.TodoLists(ctx, a, g, storage.Cursor{}, 0); return err }},
		{"yyyyy....", "create todo list", none, func(a, _ string) error {
			_, err := svc.CreateTodoList(ctx, a, g, groups.TodoListInput{Title: "L"})
			return err
		}},
		{"yyyyy....", "rename todo list", list, func(a, id string) error { _, err := svc.RenameTodoList(ctx, a, id, "R"); return err }},
		{"yyyyy....", "delete todo list", list, func(a, id string) error { return svc.DeleteTodoList(ctx, a, id) }},
		{"yyyyy....", "read todo", todo, func(a, id string) error { _, err := svc.Todo(ctx, a, id); return err }},
		{"yyyyy....", "list todos", list, func(a, id string) error { _, _, err := svc.Todos(ctx, a, id, storage.Cursor{}, 0); return err }},
		{"yyyyy....", "create todo", list, func(a, id string) error {
			_, err := svc.CreateTodo(ctx, a, id, groups.TodoInput{Title: "T"})
			return err
		}},
		{"yyyyy....", "complete todo", todo, func(a, id string) error {
			_, err := svc.UpdateTodo(ctx, a, id, groups.TodoUpdate{Done: new(true)})
			return err
		}},
		{"yyyyy....", "delete todo", todo, func(a, id string) error { return svc.DeleteTodo(ctx, a, id) }},
	}
	for _, row := range table {
		require.Len(t, row.want, len(castRoles), row.name)
		for i, r := range castRoles {
			target := row.prep()
			before := f.hook.count()
			err := row.do(c.actors[i], target)
			if row.want[i] == 'y' {
				assert.NoError(t, err, "%s as %s", row.name, r.name)
				continue
			}
			assert.ErrorIs(t, err, groups.ErrForbidden, "%s as %s", row.name, r.name)
			assert.Equal(t, before, f.hook.count(), "%s as %s: a refused operation emits nothing", row.name, r.name)
		}
	}
}

// TestAuthorsEditTheirOwn: members edit and delete their own comments
// and rename their own discussions, moderators or not; leaving the
// group ends that.
func TestAuthorsEditTheirOwn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.cast()
	for i, r := range castRoles {
		if !groups.IsMember(r.role) {
			continue
		}
		a := c.actors[i]
		d, first, err := f.svc.CreateDiscussion(f.ctx, a, c.g.ID, groups.DiscussionInput{Title: "Mine", Text: "first"})
		require.NoError(t, err, r.name)
		_, err = f.svc.RenameDiscussion(f.ctx, a, d.ID, "Still mine")
		require.NoError(t, err, r.name)
		m, err := f.svc.Reply(f.ctx, a, d.ID, groups.CommentInput{Text: "second"})
		require.NoError(t, err, r.name)
		_, err = f.svc.EditComment(f.ctx, a, m.ID, "second, edited")
		require.NoError(t, err, r.name)
		_, err = f.svc.EditComment(f.ctx, a, first.ID, "first, edited")
		require.NoError(t, err, r.name)
		require.NoError(t, f.svc.DeleteComment(f.ctx, a, m.ID), r.name)
	}
	// A former member loses the author's rights.
	member := c.actors[3]
	d, first, err := f.svc.CreateDiscussion(f.ctx, member, c.g.ID, groups.DiscussionInput{Title: "Mine", Text: "first"})
	require.NoError(t, err)
	require.NoError(t, f.svc.Leave(f.ctx, c.g.ID, member))
	_, err = f.svc.EditComment(f.ctx, member, first.ID, "x")
	require.ErrorIs(t, err, groups.ErrForbidden)
	_, err = f.svc.RenameDiscussion(f.ctx, member, d.ID, "x")
	require.ErrorIs(t, err, groups.ErrForbidden)
}

// TestRemoteGroupContent: a remote group vouches for content of its own
// (the inbox verified it came from the group), naming the author; a
// local group's actor has no such power, and content of a remote group
// needs its ActivityPub id.
func TestRemoteGroupContent(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ga := &identity.Actor{ID: "id-rgroup", APID: "https://remote.example/@club", Type: identity.TypeGroup,
		Username: "club", Domain: "remote.example", CreatedAt: t0, UpdatedAt: t0}
	require.NoError(t, f.store.CreateActor(f.ctx, ga))
	rg, err := f.svc.PutRemoteGroup(f.ctx, &groups.Group{Actor: *ga})
	require.NoError(t, err)
	author := f.remotePerson("bob")

	d, first, err := f.svc.CreateDiscussion(f.ctx, rg.ID, rg.ID, groups.DiscussionInput{Title: "Remote", Text: "<p>hi</p>",
		Remote: groups.Remote{APID: "https://remote.example/@club/c/remote", AuthorID: author, Published: t0}})
	require.NoError(t, err)
	assert.False(t, d.Local)
	assert.Equal(t, author, d.CreatorID)
	assert.Equal(t, "https://remote.example/@club/c/remote", d.APID)
	assert.Equal(t, t0, d.CreatedAt)
	assert.Empty(t, first.APID, "the first message of a remote discussion is the discussion's Note")
	got, err := f.store.GetDiscussionByAPID(f.ctx, d.APID)
	require.NoError(t, err)
	assert.Equal(t, d, got)
	_, err = f.svc.RenameDiscussion(f.ctx, rg.ID, d.ID, "Renamed remotely")
	require.NoError(t, err)

	_, _, err = f.svc.CreateDiscussion(f.ctx, rg.ID, rg.ID, groups.DiscussionInput{Title: "No author", Text: "x",
		Remote: groups.Remote{APID: "https://remote.example/c/2"}})
	require.ErrorIs(t, err, groups.ErrInvalid)
	_, _, err = f.svc.CreateDiscussion(f.ctx, rg.ID, rg.ID, groups.DiscussionInput{Title: "No id", Text: "x",
		Remote: groups.Remote{AuthorID: author}})
	require.ErrorIs(t, err, groups.ErrInvalid)
	_, _, err = f.svc.CreateDiscussion(f.ctx, author, rg.ID, groups.DiscussionInput{Title: "Stranger", Text: "x",
		Remote: groups.Remote{APID: "https://remote.example/c/3"}})
	require.ErrorIs(t, err, groups.ErrForbidden, "a remote author without membership needs the group")

	local := f.group(f.person("alice"), groups.Open)
	_, _, err = f.svc.CreateDiscussion(f.ctx, local.ID, local.ID, groups.DiscussionInput{Title: "Self", Text: "x",
		Remote: groups.Remote{APID: "https://remote.example/c/4", AuthorID: author}})
	require.ErrorIs(t, err, groups.ErrForbidden, "a local group's actor does not act by itself")
}

// TestContentHookFailureRollsBack: when the hook fails, nothing of the
// operation is stored.
func TestContentHookFailureRollsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	boom := errors.New("outbox down")
	f.hook.failWith(boom)
	_, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: "T", Text: "x"})
	require.ErrorIs(t, err, boom)
	_, err = f.svc.CreateResource(f.ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "F"})
	require.ErrorIs(t, err, boom)
	_, err = f.svc.CreatePost(f.ctx, alice, g.ID, groups.PostInput{Title: "T", Body: "b"})
	require.ErrorIs(t, err, boom)
	_, err = f.svc.CreateTodoList(f.ctx, alice, g.ID, groups.TodoListInput{Title: "T"})
	require.ErrorIs(t, err, boom)
	f.hook.failWith(nil)

	ds, _, err := f.svc.Discussions(f.ctx, alice, g.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	rs, _, err := f.svc.Resources(f.ctx, alice, g.ID, "", storage.Cursor{}, 0)
	require.NoError(t, err)
	ps, _, err := f.svc.Posts(f.ctx, alice, g.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	ls, _, err := f.svc.TodoLists(f.ctx, alice, g.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	assert.Empty(t, ds)
	assert.Empty(t, rs)
	assert.Empty(t, ps)
	assert.Empty(t, ls)
}

// TestContentChanges: every mutation emits one change of its kind with
// the group and the object.
func TestContentChanges(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	ctx, s := f.ctx, f.svc
	start := f.hook.count()
	d, _, err := s.CreateDiscussion(ctx, alice, g.ID, groups.DiscussionInput{Title: "T", Text: "x"})
	require.NoError(t, err)
	m, err := s.Reply(ctx, alice, d.ID, groups.CommentInput{Text: "y"})
	require.NoError(t, err)
	_, err = s.EditComment(ctx, alice, m.ID, "z")
	require.NoError(t, err)
	require.NoError(t, s.DeleteComment(ctx, alice, m.ID))
	_, err = s.RenameDiscussion(ctx, alice, d.ID, "U")
	require.NoError(t, err)
	require.NoError(t, s.DeleteDiscussion(ctx, alice, d.ID))
	folder, err := s.CreateResource(ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "F"})
	require.NoError(t, err)
	r, err := s.CreateResource(ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceLink, Title: "L", URL: "https://x.example/"})
	require.NoError(t, err)
	_, err = s.UpdateResource(ctx, alice, r.ID, groups.ResourceUpdate{Summary: new("s")})
	require.NoError(t, err)
	_, err = s.MoveResource(ctx, alice, r.ID, folder.ID)
	require.NoError(t, err)
	require.NoError(t, s.DeleteResource(ctx, alice, folder.ID))
	p, err := s.CreatePost(ctx, alice, g.ID, groups.PostInput{Title: "P", Body: "b", Draft: true})
	require.NoError(t, err)
	_, err = s.UpdatePost(ctx, alice, p.ID, groups.PostUpdate{Body: new("c")})
	require.NoError(t, err)
	_, err = s.PublishPost(ctx, alice, p.ID)
	require.NoError(t, err)
	require.NoError(t, s.DeletePost(ctx, alice, p.ID))
	l, err := s.CreateTodoList(ctx, alice, g.ID, groups.TodoListInput{Title: "L"})
	require.NoError(t, err)
	td, err := s.CreateTodo(ctx, alice, l.ID, groups.TodoInput{Title: "T"})
	require.NoError(t, err)
	_, err = s.UpdateTodo(ctx, alice, td.ID, groups.TodoUpdate{Done: new(true)})
	require.NoError(t, err)
	require.NoError(t, s.DeleteTodo(ctx, alice, td.ID))
	_, err = s.RenameTodoList(ctx, alice, l.ID, "M")
	require.NoError(t, err)
	require.NoError(t, s.DeleteTodoList(ctx, alice, l.ID))

	f.hook.mu.Lock()
	changes := f.hook.changes[start:]
	f.hook.mu.Unlock()
	var kinds []string
	for _, c := range changes {
		kinds = append(kinds, string(c.Kind))
		assert.Equal(t, g.ID, c.Group.ID, c.Kind)
		assert.Equal(t, alice, c.ActorID, c.Kind)
		var object any
		switch {
		case strings.HasPrefix(string(c.Kind), "discussion."):
			object = c.Discussion
		case strings.HasPrefix(string(c.Kind), "comment."):
			object = c.Comment
			assert.NotNil(t, c.Discussion, c.Kind)
		case strings.HasPrefix(string(c.Kind), "resource."):
			object = c.Resource
		case strings.HasPrefix(string(c.Kind), "post."):
			object = c.Post
		case strings.HasPrefix(string(c.Kind), "todo_list."):
			object = c.TodoList
		case strings.HasPrefix(string(c.Kind), "todo."):
			object = c.Todo
			assert.NotNil(t, c.TodoList, c.Kind)
		}
		assert.NotNil(t, object, c.Kind)
	}
	assert.Equal(t, []string{
		"discussion.created", "comment.created", "comment.updated", "comment.deleted", "discussion.updated", "discussion.deleted",
		"resource.created", "resource.created", "resource.updated", "resource.moved", "resource.deleted",
		"post.created", "post.updated", "post.published", "post.deleted",
		"todo_list.created", "todo.created", "todo.updated", "todo.deleted", "todo_list.updated", "todo_list.deleted",
	}, kinds)
	assert.Equal(t, folder.ID, changes[9].Resource.ParentID)
	assert.Empty(t, changes[9].MovedFrom, "moved from the root")
}

// fakePreviewer is a Previewer that answers from a map and counts calls.
type fakePreviewer struct {
	pages map[string]groups.LinkPreview
	calls int
}

func (p *fakePreviewer) Preview(_ context.Context, u string) (groups.LinkPreview, error) {
	p.calls++
	lp, ok := p.pages[u]
	if !ok {
		return groups.LinkPreview{}, errors.New("no such page")
	}
	return lp, nil
}
