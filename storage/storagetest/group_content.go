package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// groupContentCases check groups.ContentStore: every kind of content
// the same way (round trip, conflicts, missing parents, misses,
// pagination, deletion), then what is particular to each.
func groupContentCases() []testCase {
	cases := []testCase{
		{"ReadMarkers", testReadMarkers},
		{"DeleteDiscussionCascades", testDeleteDiscussionCascades},
		{"ResourceFolders", testResourceFolders},
		{"PostQuery", testPostQuery},
		{"TodoListCascadesAndCount", testTodoListCascades},
		{"DeleteGroupCascadesContent", testDeleteGroupCascadesContent},
		{"HiddenDiscussionComment", testHiddenDiscussionComment},
	}
	for _, k := range []kindCases{
		discussionKind().cases(), discussionCommentKind().cases(), resourceKind().cases(),
		postKind().cases(), todoListKind().cases(), todoKind().cases(),
	} {
		cases = append(cases, k...)
	}
	return cases
}

type kindCases = []testCase

// contentKind describes one kind of group content for the shared cases.
type contentKind[T any] struct {
	name string
	// fresh stores the parents (group, discussion, list…) and returns a
	// new, unsaved row under them with every field set.
	fresh func(w *world) *T
	// sibling returns a new, unsaved row under the same parents as x.
	sibling func(w *world, x *T) *T
	// orphan points x at a parent that does not exist.
	orphan func(w *world, x *T)
	// mutate changes every field that Update replaces.
	mutate func(w *world, x *T)
	// keys reach the row's fields.
	id, apID func(x *T) *string
	created  func(x *T) *time.Time

	create, update func(ctx context.Context, b Backend, x *T) error
	get, byAPID    func(ctx context.Context, b Backend, key string) (*T, error)
	del            func(ctx context.Context, b Backend, id string) error
	// list lists x's siblings.
	list func(ctx context.Context, b Backend, x *T, after storage.Cursor, limit int) ([]T, error)
}

func (k contentKind[T]) cases() []testCase {
	return []testCase{
		{k.name + "RoundTrip", k.testRoundTrip},
		{k.name + "Conflicts", k.testConflicts},
		{k.name + "MissingParent", k.testMissingParent},
		{k.name + "NotFound", k.testNotFound},
		{k.name + "Pagination", k.testPagination},
		{k.name + "Delete", k.testDelete},
	}
}

func (k contentKind[T]) testRoundTrip(t *testing.T, w *world) {
	x := k.fresh(w)
	require.NoError(t, k.create(w.ctx, w.b, x))
	got, err := k.get(w.ctx, w.b, *k.id(x))
	require.NoError(t, err)
	require.Equal(t, x, got)
	got, err = k.byAPID(w.ctx, w.b, *k.apID(x))
	require.NoError(t, err)
	require.Equal(t, x, got)

	up := *x
	k.mutate(w, &up)
	require.NoError(t, k.update(w.ctx, w.b, &up))
	got, err = k.get(w.ctx, w.b, *k.id(x))
	require.NoError(t, err)
	require.Equal(t, &up, got, "Update replaces the fields its contract names")
	if *k.apID(&up) != *k.apID(x) {
		_, err = k.byAPID(w.ctx, w.b, *k.apID(x))
		requireNotFound(t, err, "the old APID after an update")
	}

	// Remote rows without an APID do not collide, and "" finds nothing.
	for range 2 {
		r := k.sibling(w, x)
		*k.apID(r) = ""
		require.NoError(t, k.create(w.ctx, w.b, r), "an empty APID is no key")
		got, err := k.get(w.ctx, w.b, *k.id(r))
		require.NoError(t, err)
		require.Equal(t, r, got)
	}
	_, err = k.byAPID(w.ctx, w.b, "")
	requireNotFound(t, err, "lookup by an empty APID")
}

func (k contentKind[T]) testConflicts(t *testing.T, w *world) {
	x := k.fresh(w)
	require.NoError(t, k.create(w.ctx, w.b, x))

	sameID := k.sibling(w, x)
	*k.id(sameID) = *k.id(x)
	requireConflict(t, k.create(w.ctx, w.b, sameID), k.name+": create with a taken id")
	got, err := k.get(w.ctx, w.b, *k.id(x))
	require.NoError(t, err)
	require.Equal(t, x, got, "the refused write changed nothing")

	sameAPID := k.sibling(w, x)
	*k.apID(sameAPID) = *k.apID(x)
	requireConflict(t, k.create(w.ctx, w.b, sameAPID), k.name+": create with a taken APID")
	_, err = k.get(w.ctx, w.b, *k.id(sameAPID))
	requireNotFound(t, err, k.name+": the refused row")

	other := k.sibling(w, x)
	require.NoError(t, k.create(w.ctx, w.b, other))
	stolen := *other
	*k.apID(&stolen) = *k.apID(x)
	requireConflict(t, k.update(w.ctx, w.b, &stolen), k.name+": update to a taken APID")
	got, err = k.get(w.ctx, w.b, *k.id(other))
	require.NoError(t, err)
	require.Equal(t, other, got, "the refused update changed nothing")
}

func (k contentKind[T]) testMissingParent(t *testing.T, w *world) {
	x := k.fresh(w)
	k.orphan(w, x)
	requireNotFound(t, k.create(w.ctx, w.b, x), k.name+": create under a missing parent")
	_, err := k.get(w.ctx, w.b, *k.id(x))
	requireNotFound(t, err, k.name+": nothing stored")
}

func (k contentKind[T]) testNotFound(t *testing.T, w *world) {
	x := k.fresh(w)
	_, err := k.get(w.ctx, w.b, *k.id(x))
	requireNotFound(t, err, k.name+": get")
	_, err = k.byAPID(w.ctx, w.b, *k.apID(x))
	requireNotFound(t, err, k.name+": get by APID")
	requireNotFound(t, k.update(w.ctx, w.b, x), k.name+": update")
	requireNotFound(t, k.del(w.ctx, w.b, *k.id(x)), k.name+": delete")
}

func (k contentKind[T]) testPagination(t *testing.T, w *world) {
	first := k.fresh(w)
	const n = 8
	ids := w.descendingIDs(n)
	times := tiedTimes(n, at(-time.Hour))
	var want []keyed
	for i := range n {
		x := k.sibling(w, first)
		*k.id(x), *k.created(x) = ids[i], times[i]
		require.NoError(t, k.create(w.ctx, w.b, x))
		want = append(want, keyed{times[i], ids[i]})
	}
	// A row elsewhere is not listed.
	require.NoError(t, k.create(w.ctx, w.b, k.fresh(w)))
	all, sizes := walk(t, 3, func(after storage.Cursor, limit int) ([]T, error) {
		return k.list(w.ctx, w.b, first, after, limit)
	}, func(x T) storage.Cursor { return storage.Cursor{At: *k.created(&x), ID: *k.id(&x)} })
	require.Equal(t, sortKeyed(want), idsOf(all, k.id), "ordered by (CreatedAt, ID)")
	require.Equal(t, pageSizes(n, 3), sizes)
	everything, err := k.list(w.ctx, w.b, first, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, everything, n, "limit 0 lists all")
}

func idsOf[T any](items []T, id func(*T) *string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = *id(&items[i])
	}
	return out
}

func (k contentKind[T]) testDelete(t *testing.T, w *world) {
	x := k.fresh(w)
	keep := k.sibling(w, x)
	require.NoError(t, k.create(w.ctx, w.b, x))
	require.NoError(t, k.create(w.ctx, w.b, keep))
	require.NoError(t, k.del(w.ctx, w.b, *k.id(x)))
	_, err := k.get(w.ctx, w.b, *k.id(x))
	requireNotFound(t, err, k.name+": get after delete")
	requireNotFound(t, k.del(w.ctx, w.b, *k.id(x)), k.name+": delete twice")
	got, err := k.get(w.ctx, w.b, *k.id(keep))
	require.NoError(t, err)
	require.Equal(t, keep, got, "a sibling stays")
}

// ---- the kinds --------------------------------------------------------

func (w *world) newDiscussion(groupID string) *groups.Discussion {
	id := w.id()
	return &groups.Discussion{ID: id, APID: "https://convene.test/discussions/" + id, GroupID: groupID,
		CreatorID: w.id(), Title: "Budget 2030 " + id, Local: true,
		LastCommentAt: at(-time.Minute), CreatedAt: at(-time.Hour), UpdatedAt: at(-30 * time.Minute)}
}

func (w *world) discussion(groupID string) *groups.Discussion {
	w.t.Helper()
	d := w.newDiscussion(groupID)
	require.NoError(w.t, w.b.CreateDiscussion(w.ctx, d))
	return d
}

func discussionKind() contentKind[groups.Discussion] {
	return contentKind[groups.Discussion]{
		name:    "Discussion",
		fresh:   func(w *world) *groups.Discussion { return w.newDiscussion(w.group().ID) },
		sibling: func(w *world, x *groups.Discussion) *groups.Discussion { return w.newDiscussion(x.GroupID) },
		orphan:  func(w *world, x *groups.Discussion) { x.GroupID = w.id() },
		mutate: func(w *world, x *groups.Discussion) {
			x.APID += "-moved"
			x.CreatorID, x.Title, x.Local = w.id(), "Budget 2031 ✓", false
			x.LastCommentAt, x.UpdatedAt = at(time.Hour), at(2*time.Hour)
		},
		id:      func(x *groups.Discussion) *string { return &x.ID },
		apID:    func(x *groups.Discussion) *string { return &x.APID },
		created: func(x *groups.Discussion) *time.Time { return &x.CreatedAt },
		create:  func(ctx context.Context, b Backend, x *groups.Discussion) error { return b.CreateDiscussion(ctx, x) },
		update:  func(ctx context.Context, b Backend, x *groups.Discussion) error { return b.UpdateDiscussion(ctx, x) },
		get: func(ctx context.Context, b Backend, id string) (*groups.Discussion, error) {
			return b.GetDiscussion(ctx, id)
		},
		byAPID: func(ctx context.Context, b Backend, id string) (*groups.Discussion, error) {
			return b.GetDiscussionByAPID(ctx, id)
		},
		del: func(ctx context.Context, b Backend, id string) error { return b.DeleteDiscussion(ctx, id) },
		list: func(ctx context.Context, b Backend, x *groups.Discussion, after storage.Cursor, limit int) ([]groups.Discussion, error) {
			return b.ListDiscussions(ctx, x.GroupID, after, limit)
		},
	}
}

func (w *world) newDiscussionComment(d *groups.Discussion) *groups.Comment {
	id := w.id()
	return &groups.Comment{ID: id, APID: d.APID + "/comments/" + id, DiscussionID: d.ID, GroupID: d.GroupID,
		AuthorID: w.id(), Text: "<p>Agreed, <em>" + id + "</em></p>", Local: true,
		CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Minute)}
}

func discussionCommentKind() contentKind[groups.Comment] {
	return contentKind[groups.Comment]{
		name: "DiscussionComment",
		fresh: func(w *world) *groups.Comment {
			return w.newDiscussionComment(w.discussion(w.group().ID))
		},
		sibling: func(w *world, x *groups.Comment) *groups.Comment {
			c := w.newDiscussionComment(&groups.Discussion{ID: x.DiscussionID, GroupID: x.GroupID, APID: "https://convene.test/d"})
			return c
		},
		orphan: func(w *world, x *groups.Comment) { x.DiscussionID = w.id() },
		mutate: func(w *world, x *groups.Comment) {
			x.APID += "-edited"
			x.Text, x.UpdatedAt = "<p>Edited</p>", at(time.Hour)
		},
		id:      func(x *groups.Comment) *string { return &x.ID },
		apID:    func(x *groups.Comment) *string { return &x.APID },
		created: func(x *groups.Comment) *time.Time { return &x.CreatedAt },
		create: func(ctx context.Context, b Backend, x *groups.Comment) error {
			return b.CreateDiscussionComment(ctx, x)
		},
		update: func(ctx context.Context, b Backend, x *groups.Comment) error {
			return b.UpdateDiscussionComment(ctx, x)
		},
		get: func(ctx context.Context, b Backend, id string) (*groups.Comment, error) {
			return b.GetDiscussionComment(ctx, id)
		},
		byAPID: func(ctx context.Context, b Backend, id string) (*groups.Comment, error) {
			return b.GetDiscussionCommentByAPID(ctx, id)
		},
		del: func(ctx context.Context, b Backend, id string) error { return b.DeleteDiscussionComment(ctx, id) },
		list: func(ctx context.Context, b Backend, x *groups.Comment, after storage.Cursor, limit int) ([]groups.Comment, error) {
			return b.ListDiscussionComments(ctx, x.DiscussionID, after, limit)
		},
	}
}

func (w *world) newResource(groupID, parentID string, kind groups.ResourceKind) *groups.Resource {
	id := w.id()
	r := &groups.Resource{ID: id, APID: "https://convene.test/resource/" + id, GroupID: groupID, ParentID: parentID,
		CreatorID: w.id(), Kind: kind, Title: "Meeting pad " + id, Summary: "Notes & minutes",
		URL: "https://pad.example/p/" + id, ImageURL: "https://pad.example/logo.png", Local: true,
		CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Minute)}
	if kind == groups.ResourceFolder {
		r.URL, r.ImageURL = "", ""
	}
	return r
}

func (w *world) resource(groupID, parentID string, kind groups.ResourceKind) *groups.Resource {
	w.t.Helper()
	r := w.newResource(groupID, parentID, kind)
	require.NoError(w.t, w.b.CreateResource(w.ctx, r))
	return r
}

func resourceKind() contentKind[groups.Resource] {
	return contentKind[groups.Resource]{
		name: "Resource",
		fresh: func(w *world) *groups.Resource {
			g := w.group()
			return w.newResource(g.ID, w.resource(g.ID, "", groups.ResourceFolder).ID, groups.ResourcePad)
		},
		sibling: func(w *world, x *groups.Resource) *groups.Resource {
			return w.newResource(x.GroupID, x.ParentID, groups.ResourceVisio)
		},
		orphan: func(w *world, x *groups.Resource) { x.ParentID = w.id() },
		mutate: func(w *world, x *groups.Resource) {
			x.APID += "-renamed"
			x.ParentID = ""
			x.CreatorID, x.Title, x.Summary, x.URL, x.ImageURL, x.Local = w.id(), "Renamed", "", "https://calc.example/x", "", false
			x.UpdatedAt = at(time.Hour)
		},
		id:      func(x *groups.Resource) *string { return &x.ID },
		apID:    func(x *groups.Resource) *string { return &x.APID },
		created: func(x *groups.Resource) *time.Time { return &x.CreatedAt },
		create:  func(ctx context.Context, b Backend, x *groups.Resource) error { return b.CreateResource(ctx, x) },
		update:  func(ctx context.Context, b Backend, x *groups.Resource) error { return b.UpdateResource(ctx, x) },
		get: func(ctx context.Context, b Backend, id string) (*groups.Resource, error) {
			return b.GetResource(ctx, id)
		},
		byAPID: func(ctx context.Context, b Backend, id string) (*groups.Resource, error) {
			return b.GetResourceByAPID(ctx, id)
		},
		del: func(ctx context.Context, b Backend, id string) error { return b.DeleteResource(ctx, id) },
		list: func(ctx context.Context, b Backend, x *groups.Resource, after storage.Cursor, limit int) ([]groups.Resource, error) {
			return b.ListResources(ctx, x.GroupID, x.ParentID, after, limit)
		},
	}
}

func (w *world) newPost(groupID string) *groups.Post {
	id := w.id()
	return &groups.Post{ID: id, APID: "https://convene.test/p/" + id, GroupID: groupID, AuthorID: w.id(),
		Title: "Our first post " + id, Body: "<p>Hello <strong>all</strong></p>", BannerURL: "https://convene.test/b.png",
		Visibility: groups.Public, PublishedAt: at(-time.Hour), Local: true, CreatedAt: at(-2 * time.Hour),
		UpdatedAt: at(-time.Minute)}
}

func postKind() contentKind[groups.Post] {
	return contentKind[groups.Post]{
		name:    "Post",
		fresh:   func(w *world) *groups.Post { return w.newPost(w.group().ID) },
		sibling: func(w *world, x *groups.Post) *groups.Post { return w.newPost(x.GroupID) },
		orphan:  func(w *world, x *groups.Post) { x.GroupID = w.id() },
		mutate: func(w *world, x *groups.Post) {
			x.APID += "-2"
			x.AuthorID, x.Title, x.Body, x.BannerURL = w.id(), "Changed", "<p>Changed</p>", ""
			x.Visibility, x.Draft, x.PublishedAt, x.Local, x.UpdatedAt = groups.Private, true, time.Time{}, false, at(time.Hour)
		},
		id:      func(x *groups.Post) *string { return &x.ID },
		apID:    func(x *groups.Post) *string { return &x.APID },
		created: func(x *groups.Post) *time.Time { return &x.CreatedAt },
		create:  func(ctx context.Context, b Backend, x *groups.Post) error { return b.CreatePost(ctx, x) },
		update:  func(ctx context.Context, b Backend, x *groups.Post) error { return b.UpdatePost(ctx, x) },
		get:     func(ctx context.Context, b Backend, id string) (*groups.Post, error) { return b.GetPost(ctx, id) },
		byAPID:  func(ctx context.Context, b Backend, id string) (*groups.Post, error) { return b.GetPostByAPID(ctx, id) },
		del:     func(ctx context.Context, b Backend, id string) error { return b.DeletePost(ctx, id) },
		list: func(ctx context.Context, b Backend, x *groups.Post, after storage.Cursor, limit int) ([]groups.Post, error) {
			return b.ListPosts(ctx, groups.PostQuery{GroupID: x.GroupID, Drafts: true}, after, limit)
		},
	}
}

func (w *world) newTodoList(groupID string) *groups.TodoList {
	id := w.id()
	return &groups.TodoList{ID: id, APID: "https://convene.test/todo-lists/" + id, GroupID: groupID,
		CreatorID: w.id(), Title: "Festival prep " + id, Local: true, CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Minute)}
}

func (w *world) todoList(groupID string) *groups.TodoList {
	w.t.Helper()
	l := w.newTodoList(groupID)
	require.NoError(w.t, w.b.CreateTodoList(w.ctx, l))
	return l
}

func todoListKind() contentKind[groups.TodoList] {
	return contentKind[groups.TodoList]{
		name:    "TodoList",
		fresh:   func(w *world) *groups.TodoList { return w.newTodoList(w.group().ID) },
		sibling: func(w *world, x *groups.TodoList) *groups.TodoList { return w.newTodoList(x.GroupID) },
		orphan:  func(w *world, x *groups.TodoList) { x.GroupID = w.id() },
		mutate: func(w *world, x *groups.TodoList) {
			x.APID += "-2"
			x.Title, x.UpdatedAt = "Renamed", at(time.Hour)
		},
		id:      func(x *groups.TodoList) *string { return &x.ID },
		apID:    func(x *groups.TodoList) *string { return &x.APID },
		created: func(x *groups.TodoList) *time.Time { return &x.CreatedAt },
		create:  func(ctx context.Context, b Backend, x *groups.TodoList) error { return b.CreateTodoList(ctx, x) },
		update:  func(ctx context.Context, b Backend, x *groups.TodoList) error { return b.UpdateTodoList(ctx, x) },
		get: func(ctx context.Context, b Backend, id string) (*groups.TodoList, error) {
			return b.GetTodoList(ctx, id)
		},
		byAPID: func(ctx context.Context, b Backend, id string) (*groups.TodoList, error) {
			return b.GetTodoListByAPID(ctx, id)
		},
		del: func(ctx context.Context, b Backend, id string) error { return b.DeleteTodoList(ctx, id) },
		list: func(ctx context.Context, b Backend, x *groups.TodoList, after storage.Cursor, limit int) ([]groups.TodoList, error) {
			return b.ListTodoLists(ctx, x.GroupID, after, limit)
		},
	}
}

func (w *world) newTodo(l *groups.TodoList) *groups.Todo {
	id := w.id()
	return &groups.Todo{ID: id, APID: "https://convene.test/todos/" + id, ListID: l.ID, GroupID: l.GroupID,
		CreatorID: w.id(), Title: "Book the hall " + id, DueAt: at(72 * time.Hour), AssigneeID: w.id(), Local: true,
		CreatedAt: at(-time.Hour), UpdatedAt: at(-time.Minute)}
}

func todoKind() contentKind[groups.Todo] {
	return contentKind[groups.Todo]{
		name:  "Todo",
		fresh: func(w *world) *groups.Todo { return w.newTodo(w.todoList(w.group().ID)) },
		sibling: func(w *world, x *groups.Todo) *groups.Todo {
			return w.newTodo(&groups.TodoList{ID: x.ListID, GroupID: x.GroupID})
		},
		orphan: func(w *world, x *groups.Todo) { x.ListID = w.id() },
		mutate: func(w *world, x *groups.Todo) {
			x.APID += "-2"
			x.CreatorID, x.Title, x.Done, x.DueAt, x.AssigneeID, x.Local = w.id(), "Hall booked", true, time.Time{}, "", false
			x.UpdatedAt = at(time.Hour)
		},
		id:      func(x *groups.Todo) *string { return &x.ID },
		apID:    func(x *groups.Todo) *string { return &x.APID },
		created: func(x *groups.Todo) *time.Time { return &x.CreatedAt },
		create:  func(ctx context.Context, b Backend, x *groups.Todo) error { return b.CreateTodo(ctx, x) },
		update:  func(ctx context.Context, b Backend, x *groups.Todo) error { return b.UpdateTodo(ctx, x) },
		get:     func(ctx context.Context, b Backend, id string) (*groups.Todo, error) { return b.GetTodo(ctx, id) },
		byAPID:  func(ctx context.Context, b Backend, id string) (*groups.Todo, error) { return b.GetTodoByAPID(ctx, id) },
		del:     func(ctx context.Context, b Backend, id string) error { return b.DeleteTodo(ctx, id) },
		list: func(ctx context.Context, b Backend, x *groups.Todo, after storage.Cursor, limit int) ([]groups.Todo, error) {
			return b.ListTodos(ctx, x.ListID, after, limit)
		},
	}
}

// ---- particular cases -------------------------------------------------

// testReadMarkers: a marker is put, read back and replaced per pair; an
// unknown discussion or actor is ErrNotFound, and so is a pair never
// marked.
func testReadMarkers(t *testing.T, w *world) {
	d := w.discussion(w.group().ID)
	alice := w.actor(w.newLocalActor(identity.TypePerson))
	bob := w.remoteActor()
	_, err := w.b.GetReadMarker(w.ctx, d.ID, alice.ID)
	requireNotFound(t, err, "never read")

	require.NoError(t, w.b.PutReadMarker(w.ctx, groups.ReadMarker{DiscussionID: d.ID, ActorID: alice.ID, ReadAt: at(time.Minute)}))
	require.NoError(t, w.b.PutReadMarker(w.ctx, groups.ReadMarker{DiscussionID: d.ID, ActorID: bob.ID, ReadAt: at(time.Hour)}))
	require.NoError(t, w.b.PutReadMarker(w.ctx, groups.ReadMarker{DiscussionID: d.ID, ActorID: alice.ID, ReadAt: at(2 * time.Minute)}))
	m, err := w.b.GetReadMarker(w.ctx, d.ID, alice.ID)
	require.NoError(t, err)
	require.Equal(t, &groups.ReadMarker{DiscussionID: d.ID, ActorID: alice.ID, ReadAt: at(2 * time.Minute)}, m)
	m, err = w.b.GetReadMarker(w.ctx, d.ID, bob.ID)
	require.NoError(t, err)
	require.Equal(t, at(time.Hour), m.ReadAt)

	requireNotFound(t, w.b.PutReadMarker(w.ctx, groups.ReadMarker{DiscussionID: w.id(), ActorID: alice.ID, ReadAt: at(0)}),
		"marker of an unknown discussion")
	requireNotFound(t, w.b.PutReadMarker(w.ctx, groups.ReadMarker{DiscussionID: d.ID, ActorID: w.id(), ReadAt: at(0)}),
		"marker of an unknown actor")
}

// testDeleteDiscussionCascades: a discussion goes with its comments and
// read markers; another discussion keeps its own.
func testDeleteDiscussionCascades(t *testing.T, w *world) {
	g := w.group()
	d, other := w.discussion(g.ID), w.discussion(g.ID)
	c, kept := w.newDiscussionComment(d), w.newDiscussionComment(other)
	require.NoError(t, w.b.CreateDiscussionComment(w.ctx, c))
	require.NoError(t, w.b.CreateDiscussionComment(w.ctx, kept))
	reader := w.actor(w.newLocalActor(identity.TypePerson))
	require.NoError(t, w.b.PutReadMarker(w.ctx, groups.ReadMarker{DiscussionID: d.ID, ActorID: reader.ID, ReadAt: at(0)}))

	require.NoError(t, w.b.DeleteDiscussion(w.ctx, d.ID))
	_, err := w.b.GetDiscussionComment(w.ctx, c.ID)
	requireNotFound(t, err, "a comment of a deleted discussion")
	_, err = w.b.GetDiscussionCommentByAPID(w.ctx, c.APID)
	requireNotFound(t, err, "a comment of a deleted discussion by APID")
	_, err = w.b.GetReadMarker(w.ctx, d.ID, reader.ID)
	requireNotFound(t, err, "a read marker of a deleted discussion")
	got, err := w.b.GetDiscussionComment(w.ctx, kept.ID)
	require.NoError(t, err)
	require.Equal(t, kept, got)
}

// testResourceFolders: items are listed and counted per folder (the root
// apart), a move to a missing folder is ErrNotFound and changes nothing,
// and a folder goes with everything inside, however deep.
func testResourceFolders(t *testing.T, w *world) {
	g, other := w.group(), w.group()
	folder := w.resource(g.ID, "", groups.ResourceFolder)
	sub := w.resource(g.ID, folder.ID, groups.ResourceFolder)
	deep := w.resource(g.ID, sub.ID, groups.ResourceCalc)
	inFolder := w.resource(g.ID, folder.ID, groups.ResourceLink)
	atRoot := w.resource(g.ID, "", groups.ResourcePicture)
	w.resource(other.ID, "", groups.ResourcePad)

	count := func(parent string) int {
		n, err := w.b.CountResources(w.ctx, g.ID, parent)
		require.NoError(t, err)
		return n
	}
	listed := func(parent string) []string {
		rs, err := w.b.ListResources(w.ctx, g.ID, parent, storage.Cursor{}, 0)
		require.NoError(t, err)
		return idsOf(rs, func(r *groups.Resource) *string { return &r.ID })
	}
	require.ElementsMatch(t, []string{folder.ID, atRoot.ID}, listed(""))
	require.ElementsMatch(t, []string{sub.ID, inFolder.ID}, listed(folder.ID))
	require.Equal(t, []int{2, 2, 1, 0}, []int{count(""), count(folder.ID), count(sub.ID), count(deep.ID)})

	moved := *atRoot
	moved.ParentID = w.id()
	requireNotFound(t, w.b.UpdateResource(w.ctx, &moved), "move into a missing folder")
	got, err := w.b.GetResource(w.ctx, atRoot.ID)
	require.NoError(t, err)
	require.Equal(t, atRoot, got)
	moved.ParentID = sub.ID
	require.NoError(t, w.b.UpdateResource(w.ctx, &moved))
	require.ElementsMatch(t, []string{deep.ID, atRoot.ID}, listed(sub.ID))
	require.Equal(t, 1, count(""))

	require.NoError(t, w.b.DeleteResource(w.ctx, folder.ID))
	for _, r := range []*groups.Resource{sub, deep, inFolder, atRoot} {
		_, err := w.b.GetResource(w.ctx, r.ID)
		requireNotFound(t, err, "an item of a deleted folder")
		_, err = w.b.GetResourceByAPID(w.ctx, r.APID)
		requireNotFound(t, err, "an item of a deleted folder by APID")
	}
	require.Equal(t, 0, count(""))
	n, err := w.b.CountResources(w.ctx, other.ID, "")
	require.NoError(t, err)
	require.Equal(t, 1, n, "another group's resources stay")
}

// testPostQuery: ListPosts filters by visibility and drafts.
func testPostQuery(t *testing.T, w *world) {
	g := w.group()
	mk := func(vis groups.Visibility, draft bool) string {
		p := w.newPost(g.ID)
		p.Visibility, p.Draft = vis, draft
		if draft {
			p.PublishedAt = time.Time{}
		}
		require.NoError(t, w.b.CreatePost(w.ctx, p))
		return p.ID
	}
	public, unlisted, private := mk(groups.Public, false), mk(groups.Unlisted, false), mk(groups.Private, false)
	draft := mk(groups.Public, true)
	other := w.newPost(w.group().ID)
	require.NoError(t, w.b.CreatePost(w.ctx, other))

	for _, tc := range []struct {
		name string
		q    groups.PostQuery
		want []string
	}{
		{"public", groups.PostQuery{Visibilities: []groups.Visibility{groups.Public}}, []string{public}},
		{"published", groups.PostQuery{}, []string{public, unlisted, private}},
		{"all", groups.PostQuery{Drafts: true}, []string{public, unlisted, private, draft}},
		{"public with drafts", groups.PostQuery{Drafts: true, Visibilities: []groups.Visibility{groups.Public}}, []string{public, draft}},
		{"two visibilities", groups.PostQuery{Visibilities: []groups.Visibility{groups.Public, groups.Private}}, []string{public, private}},
	} {
		tc.q.GroupID = g.ID
		ps, err := w.b.ListPosts(w.ctx, tc.q, storage.Cursor{}, 0)
		require.NoError(t, err)
		require.ElementsMatch(t, tc.want, idsOf(ps, func(p *groups.Post) *string { return &p.ID }), tc.name)
	}
	got, err := w.b.GetPost(w.ctx, draft)
	require.NoError(t, err)
	require.True(t, got.PublishedAt.IsZero(), "a draft's zero PublishedAt stays zero")
}

// testTodoListCascades: CountTodos counts per list; a list goes with its
// todos.
func testTodoListCascades(t *testing.T, w *world) {
	g := w.group()
	l, other := w.todoList(g.ID), w.todoList(g.ID)
	var todos []*groups.Todo
	for range 3 {
		td := w.newTodo(l)
		require.NoError(t, w.b.CreateTodo(w.ctx, td))
		todos = append(todos, td)
	}
	kept := w.newTodo(other)
	kept.DueAt, kept.AssigneeID = time.Time{}, ""
	require.NoError(t, w.b.CreateTodo(w.ctx, kept))
	n, err := w.b.CountTodos(w.ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, 3, n)

	require.NoError(t, w.b.DeleteTodoList(w.ctx, l.ID))
	for _, td := range todos {
		_, err := w.b.GetTodo(w.ctx, td.ID)
		requireNotFound(t, err, "a todo of a deleted list")
	}
	n, err = w.b.CountTodos(w.ctx, l.ID)
	require.NoError(t, err)
	require.Zero(t, n)
	got, err := w.b.GetTodo(w.ctx, kept.ID)
	require.NoError(t, err)
	require.Equal(t, kept, got, "zero due date and no assignee survive")
}

// testDeleteGroupCascadesContent: a deleted group takes all its content.
func testDeleteGroupCascadesContent(t *testing.T, w *world) {
	g, other := w.group(), w.group()
	fill := func(groupID string) (lookups []func() error) {
		d := w.discussion(groupID)
		c := w.newDiscussionComment(d)
		require.NoError(t, w.b.CreateDiscussionComment(w.ctx, c))
		folder := w.resource(groupID, "", groups.ResourceFolder)
		r := w.resource(groupID, folder.ID, groups.ResourcePad)
		p := w.newPost(groupID)
		require.NoError(t, w.b.CreatePost(w.ctx, p))
		l := w.todoList(groupID)
		td := w.newTodo(l)
		require.NoError(t, w.b.CreateTodo(w.ctx, td))
		return []func() error{
			func() error { _, err := w.b.GetDiscussion(w.ctx, d.ID); return err },
			func() error { _, err := w.b.GetDiscussionComment(w.ctx, c.ID); return err },
			func() error { _, err := w.b.GetResource(w.ctx, folder.ID); return err },
			func() error { _, err := w.b.GetResource(w.ctx, r.ID); return err },
			func() error { _, err := w.b.GetPost(w.ctx, p.ID); return err },
			func() error { _, err := w.b.GetTodoList(w.ctx, l.ID); return err },
			func() error { _, err := w.b.GetTodo(w.ctx, td.ID); return err },
			func() error { _, err := w.b.GetTodoByAPID(w.ctx, td.APID); return err },
		}
	}
	gone, kept := fill(g.ID), fill(other.ID)
	require.NoError(t, w.b.DeleteGroup(w.ctx, g.ID))
	for i, get := range gone {
		requireNotFound(t, get(), "content of a deleted group #"+string(rune('0'+i)))
	}
	for _, get := range kept {
		require.NoError(t, get(), "another group's content stays")
	}
	ds, err := w.b.ListDiscussions(w.ctx, g.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Empty(t, ds)
}
