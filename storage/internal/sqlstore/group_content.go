package sqlstore

import (
	"context"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// A group's collaboration content (groups.ContentStore), migration 0008.

// getOne runs a one-row read and names the operation of its error.
func getOne[T any](s *store, ctx context.Context, op string, scan func(sc func(dest ...any) error) (T, error), query string, args ...any) (*T, error) {
	v, err := scan(s.queryRow(ctx, query, args...).Scan)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	return &v, nil
}

// byAPID is getOne by a non-empty ActivityPub id.
func byAPID[T any](s *store, ctx context.Context, op string, scan func(sc func(dest ...any) error) (T, error), query, apID string) (*T, error) {
	if apID == "" {
		return nil, s.notFound(op)
	}
	return getOne(s, ctx, op, scan, query, apID)
}

// list runs a paged list query over table.
func list[T any](s *store, ctx context.Context, op, cols, table string, p *page, after storage.Cursor, limit int, scan func(sc func(dest ...any) error) (T, error)) ([]T, error) {
	rows, err := s.query(ctx, `SELECT `+cols+` FROM `+table+p.sql(s.d, "created_at", after, limit), p.args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := collect(rows, scan)
	return out, s.wrap(op, err)
}

// ---- discussions ------------------------------------------------------

const discussionCols = `id, ap_id, group_id, creator_id, title, local, last_comment_at, created_at, updated_at`

func scanDiscussion(sc func(dest ...any) error) (groups.Discussion, error) {
	var d groups.Discussion
	err := sc(&d.ID, strCol{&d.APID}, &d.GroupID, &d.CreatorID, &d.Title, &d.Local,
		timeCol{&d.LastCommentAt}, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt})
	return d, err
}

// CreateDiscussion inserts a discussion.
func (s *store) CreateDiscussion(ctx context.Context, d *groups.Discussion) error {
	_, err := s.exec(ctx, "create discussion", `INSERT INTO discussions (`+discussionCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		d.ID, nullStr(d.APID), d.GroupID, d.CreatorID, d.Title, d.Local,
		s.d.Time(d.LastCommentAt), s.d.Time(d.CreatedAt), s.d.Time(d.UpdatedAt))
	return err
}

// UpdateDiscussion replaces a discussion's fields.
func (s *store) UpdateDiscussion(ctx context.Context, d *groups.Discussion) error {
	return s.execOne(ctx, "update discussion", `UPDATE discussions SET ap_id = ?, creator_id = ?, title = ?,
		local = ?, last_comment_at = ?, updated_at = ? WHERE id = ?`,
		nullStr(d.APID), d.CreatorID, d.Title, d.Local, s.d.Time(d.LastCommentAt), s.d.Time(d.UpdatedAt), d.ID)
}

// GetDiscussion returns a discussion by ID.
func (s *store) GetDiscussion(ctx context.Context, id string) (*groups.Discussion, error) {
	return getOne(s, ctx, "get discussion", scanDiscussion,
		`SELECT `+discussionCols+` FROM discussions WHERE id = ?`, id)
}

// GetDiscussionByAPID returns a discussion by its ActivityPub id.
func (s *store) GetDiscussionByAPID(ctx context.Context, apID string) (*groups.Discussion, error) {
	return byAPID(s, ctx, "get discussion by ap id", scanDiscussion,
		`SELECT `+discussionCols+` FROM discussions WHERE ap_id = ?`, apID)
}

// DeleteDiscussion deletes a discussion with its comments and markers.
func (s *store) DeleteDiscussion(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete discussion", `DELETE FROM discussions WHERE id = ?`, id)
}

// ListDiscussions lists a group's discussions.
func (s *store) ListDiscussions(ctx context.Context, groupID string, after storage.Cursor, limit int) ([]groups.Discussion, error) {
	var p page
	p.add("group_id = ?", groupID)
	return list(s, ctx, "list discussions", discussionCols, "discussions", &p, after, limit, scanDiscussion)
}

// discussionCommentCols: hidden (migration 0015) is written by
// CreateDiscussionComment and SetDiscussionCommentHidden only.
const discussionCommentCols = `id, ap_id, discussion_id, group_id, author_id, text, local, hidden, created_at, updated_at`

func scanDiscussionComment(sc func(dest ...any) error) (groups.Comment, error) {
	var c groups.Comment
	err := sc(&c.ID, strCol{&c.APID}, &c.DiscussionID, &c.GroupID, &c.AuthorID, &c.Text, &c.Local, &c.Hidden,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

// CreateDiscussionComment inserts a message of a discussion.
func (s *store) CreateDiscussionComment(ctx context.Context, c *groups.Comment) error {
	_, err := s.exec(ctx, "create discussion comment", `INSERT INTO discussion_comments (`+discussionCommentCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, nullStr(c.APID), c.DiscussionID, c.GroupID, c.AuthorID, c.Text, c.Local, c.Hidden,
		s.d.Time(c.CreatedAt), s.d.Time(c.UpdatedAt))
	return err
}

// UpdateDiscussionComment replaces a message's text, APID and UpdatedAt;
// its hidden flag stays.
func (s *store) UpdateDiscussionComment(ctx context.Context, c *groups.Comment) error {
	return s.execOne(ctx, "update discussion comment",
		`UPDATE discussion_comments SET ap_id = ?, text = ?, updated_at = ? WHERE id = ?`,
		nullStr(c.APID), c.Text, s.d.Time(c.UpdatedAt), c.ID)
}

// SetDiscussionCommentHidden sets a message's hidden flag, and nothing
// else.
func (s *store) SetDiscussionCommentHidden(ctx context.Context, id string, hidden bool) error {
	return s.execOne(ctx, "set discussion comment hidden",
		`UPDATE discussion_comments SET hidden = ? WHERE id = ?`, hidden, id)
}

// GetDiscussionComment returns a message by ID.
func (s *store) GetDiscussionComment(ctx context.Context, id string) (*groups.Comment, error) {
	return getOne(s, ctx, "get discussion comment", scanDiscussionComment,
		`SELECT `+discussionCommentCols+` FROM discussion_comments WHERE id = ?`, id)
}

// GetDiscussionCommentByAPID returns a message by its ActivityPub id.
func (s *store) GetDiscussionCommentByAPID(ctx context.Context, apID string) (*groups.Comment, error) {
	return byAPID(s, ctx, "get discussion comment by ap id", scanDiscussionComment,
		`SELECT `+discussionCommentCols+` FROM discussion_comments WHERE ap_id = ?`, apID)
}

// DeleteDiscussionComment deletes a message.
func (s *store) DeleteDiscussionComment(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete discussion comment", `DELETE FROM discussion_comments WHERE id = ?`, id)
}

// ListDiscussionComments lists a discussion's messages.
func (s *store) ListDiscussionComments(ctx context.Context, discussionID string, after storage.Cursor, limit int) ([]groups.Comment, error) {
	var p page
	p.add("discussion_id = ?", discussionID)
	return list(s, ctx, "list discussion comments", discussionCommentCols, "discussion_comments", &p, after, limit, scanDiscussionComment)
}

// PutReadMarker inserts or replaces a read marker.
func (s *store) PutReadMarker(ctx context.Context, m groups.ReadMarker) error {
	_, err := s.exec(ctx, "put read marker", `INSERT INTO discussion_reads (discussion_id, actor_id, read_at)
		VALUES (?, ?, ?) ON CONFLICT (discussion_id, actor_id) DO UPDATE SET read_at = excluded.read_at`,
		m.DiscussionID, m.ActorID, s.d.Time(m.ReadAt))
	return err
}

// GetReadMarker returns an actor's read marker of a discussion.
func (s *store) GetReadMarker(ctx context.Context, discussionID, actorID string) (*groups.ReadMarker, error) {
	m := groups.ReadMarker{DiscussionID: discussionID, ActorID: actorID}
	err := s.queryRow(ctx, `SELECT read_at FROM discussion_reads WHERE discussion_id = ? AND actor_id = ?`,
		discussionID, actorID).Scan(timeCol{&m.ReadAt})
	if err != nil {
		return nil, s.wrap("get read marker", err)
	}
	return &m, nil
}

// ---- resources --------------------------------------------------------

const resourceCols = `id, ap_id, group_id, parent_id, creator_id, kind, title, summary, url, image_url, local,
	created_at, updated_at`

func scanResource(sc func(dest ...any) error) (groups.Resource, error) {
	var r groups.Resource
	err := sc(&r.ID, strCol{&r.APID}, &r.GroupID, strCol{&r.ParentID}, &r.CreatorID, &r.Kind, &r.Title,
		&r.Summary, &r.URL, &r.ImageURL, &r.Local, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt})
	return r, err
}

// CreateResource inserts a resource.
func (s *store) CreateResource(ctx context.Context, r *groups.Resource) error {
	_, err := s.exec(ctx, "create resource", `INSERT INTO resources (`+resourceCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, nullStr(r.APID), r.GroupID, nullStr(r.ParentID), r.CreatorID, string(r.Kind), r.Title, r.Summary,
		r.URL, r.ImageURL, r.Local, s.d.Time(r.CreatedAt), s.d.Time(r.UpdatedAt))
	return err
}

// UpdateResource replaces a resource's fields, its folder included.
func (s *store) UpdateResource(ctx context.Context, r *groups.Resource) error {
	return s.execOne(ctx, "update resource", `UPDATE resources SET ap_id = ?, parent_id = ?, creator_id = ?,
		title = ?, summary = ?, url = ?, image_url = ?, local = ?, updated_at = ? WHERE id = ?`,
		nullStr(r.APID), nullStr(r.ParentID), r.CreatorID, r.Title, r.Summary, r.URL, r.ImageURL, r.Local,
		s.d.Time(r.UpdatedAt), r.ID)
}

// GetResource returns a resource by ID.
func (s *store) GetResource(ctx context.Context, id string) (*groups.Resource, error) {
	return getOne(s, ctx, "get resource", scanResource, `SELECT `+resourceCols+` FROM resources WHERE id = ?`, id)
}

// GetResourceByAPID returns a resource by its ActivityPub id.
func (s *store) GetResourceByAPID(ctx context.Context, apID string) (*groups.Resource, error) {
	return byAPID(s, ctx, "get resource by ap id", scanResource,
		`SELECT `+resourceCols+` FROM resources WHERE ap_id = ?`, apID)
}

// DeleteResource deletes a resource and what a folder holds.
func (s *store) DeleteResource(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete resource", `DELETE FROM resources WHERE id = ?`, id)
}

// folder restricts p to the items of a folder ("" is the root).
func folder(p *page, groupID, parentID string) {
	p.add("group_id = ?", groupID)
	if parentID == "" {
		p.add("parent_id IS NULL")
	} else {
		p.add("parent_id = ?", parentID)
	}
}

// ListResources lists the items of a folder.
func (s *store) ListResources(ctx context.Context, groupID, parentID string, after storage.Cursor, limit int) ([]groups.Resource, error) {
	var p page
	folder(&p, groupID, parentID)
	return list(s, ctx, "list resources", resourceCols, "resources", &p, after, limit, scanResource)
}

// CountResources counts the items of a folder.
func (s *store) CountResources(ctx context.Context, groupID, parentID string) (int, error) {
	q, args := `SELECT count(*) FROM resources WHERE group_id = ? AND parent_id IS NULL`, []any{groupID}
	if parentID != "" {
		q, args = `SELECT count(*) FROM resources WHERE group_id = ? AND parent_id = ?`, []any{groupID, parentID}
	}
	var n int
	err := s.queryRow(ctx, q, args...).Scan(&n)
	return n, s.wrap("count resources", err)
}

// ---- posts ------------------------------------------------------------

const postCols = `id, ap_id, group_id, author_id, title, body, banner_url, visibility, draft, published_at, local,
	created_at, updated_at`

func scanPost(sc func(dest ...any) error) (groups.Post, error) {
	var p groups.Post
	err := sc(&p.ID, strCol{&p.APID}, &p.GroupID, &p.AuthorID, &p.Title, &p.Body, &p.BannerURL, &p.Visibility,
		&p.Draft, timeCol{&p.PublishedAt}, &p.Local, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

// CreatePost inserts a post.
func (s *store) CreatePost(ctx context.Context, p *groups.Post) error {
	_, err := s.exec(ctx, "create post", `INSERT INTO posts (`+postCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, nullStr(p.APID), p.GroupID, p.AuthorID, p.Title, p.Body, p.BannerURL, string(p.Visibility), p.Draft,
		s.d.nullTime(p.PublishedAt), p.Local, s.d.Time(p.CreatedAt), s.d.Time(p.UpdatedAt))
	return err
}

// UpdatePost replaces a post's fields.
func (s *store) UpdatePost(ctx context.Context, p *groups.Post) error {
	return s.execOne(ctx, "update post", `UPDATE posts SET ap_id = ?, author_id = ?, title = ?, body = ?,
		banner_url = ?, visibility = ?, draft = ?, published_at = ?, local = ?, updated_at = ? WHERE id = ?`,
		nullStr(p.APID), p.AuthorID, p.Title, p.Body, p.BannerURL, string(p.Visibility), p.Draft,
		s.d.nullTime(p.PublishedAt), p.Local, s.d.Time(p.UpdatedAt), p.ID)
}

// GetPost returns a post by ID.
func (s *store) GetPost(ctx context.Context, id string) (*groups.Post, error) {
	return getOne(s, ctx, "get post", scanPost, `SELECT `+postCols+` FROM posts WHERE id = ?`, id)
}

// GetPostByAPID returns a post by its ActivityPub id.
func (s *store) GetPostByAPID(ctx context.Context, apID string) (*groups.Post, error) {
	return byAPID(s, ctx, "get post by ap id", scanPost, `SELECT `+postCols+` FROM posts WHERE ap_id = ?`, apID)
}

// DeletePost deletes a post.
func (s *store) DeletePost(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete post", `DELETE FROM posts WHERE id = ?`, id)
}

// ListPosts lists a group's posts.
func (s *store) ListPosts(ctx context.Context, q groups.PostQuery, after storage.Cursor, limit int) ([]groups.Post, error) {
	var p page
	p.add("group_id = ?", q.GroupID)
	if len(q.Visibilities) > 0 {
		l, args := in(q.Visibilities)
		p.add("visibility IN "+l, args...)
	}
	if !q.Drafts {
		p.add("NOT draft")
	}
	return list(s, ctx, "list posts", postCols, "posts", &p, after, limit, scanPost)
}

// ---- todos ------------------------------------------------------------

const todoListCols = `id, ap_id, group_id, creator_id, title, local, created_at, updated_at`

func scanTodoList(sc func(dest ...any) error) (groups.TodoList, error) {
	var l groups.TodoList
	err := sc(&l.ID, strCol{&l.APID}, &l.GroupID, &l.CreatorID, &l.Title, &l.Local,
		timeCol{&l.CreatedAt}, timeCol{&l.UpdatedAt})
	return l, err
}

// CreateTodoList inserts a todo list.
func (s *store) CreateTodoList(ctx context.Context, l *groups.TodoList) error {
	_, err := s.exec(ctx, "create todo list", `INSERT INTO todo_lists (`+todoListCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		l.ID, nullStr(l.APID), l.GroupID, l.CreatorID, l.Title, l.Local, s.d.Time(l.CreatedAt), s.d.Time(l.UpdatedAt))
	return err
}

// UpdateTodoList replaces a list's title, APID and UpdatedAt.
func (s *store) UpdateTodoList(ctx context.Context, l *groups.TodoList) error {
	return s.execOne(ctx, "update todo list", `UPDATE todo_lists SET ap_id = ?, title = ?, updated_at = ? WHERE id = ?`,
		nullStr(l.APID), l.Title, s.d.Time(l.UpdatedAt), l.ID)
}

// GetTodoList returns a todo list by ID.
func (s *store) GetTodoList(ctx context.Context, id string) (*groups.TodoList, error) {
	return getOne(s, ctx, "get todo list", scanTodoList, `SELECT `+todoListCols+` FROM todo_lists WHERE id = ?`, id)
}

// GetTodoListByAPID returns a todo list by its ActivityPub id.
func (s *store) GetTodoListByAPID(ctx context.Context, apID string) (*groups.TodoList, error) {
	return byAPID(s, ctx, "get todo list by ap id", scanTodoList,
		`SELECT `+todoListCols+` FROM todo_lists WHERE ap_id = ?`, apID)
}

// DeleteTodoList deletes a list with its todos.
func (s *store) DeleteTodoList(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete todo list", `DELETE FROM todo_lists WHERE id = ?`, id)
}

// ListTodoLists lists a group's todo lists.
func (s *store) ListTodoLists(ctx context.Context, groupID string, after storage.Cursor, limit int) ([]groups.TodoList, error) {
	var p page
	p.add("group_id = ?", groupID)
	return list(s, ctx, "list todo lists", todoListCols, "todo_lists", &p, after, limit, scanTodoList)
}

const todoCols = `id, ap_id, list_id, group_id, creator_id, title, done, due_at, assignee_id, local, created_at, updated_at`

func scanTodo(sc func(dest ...any) error) (groups.Todo, error) {
	var t groups.Todo
	err := sc(&t.ID, strCol{&t.APID}, &t.ListID, &t.GroupID, &t.CreatorID, &t.Title, &t.Done, timeCol{&t.DueAt},
		&t.AssigneeID, &t.Local, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt})
	return t, err
}

// CreateTodo inserts a todo.
func (s *store) CreateTodo(ctx context.Context, t *groups.Todo) error {
	_, err := s.exec(ctx, "create todo", `INSERT INTO todos (`+todoCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, nullStr(t.APID), t.ListID, t.GroupID, t.CreatorID, t.Title, t.Done, s.d.nullTime(t.DueAt), t.AssigneeID,
		t.Local, s.d.Time(t.CreatedAt), s.d.Time(t.UpdatedAt))
	return err
}

// UpdateTodo replaces a todo's fields.
func (s *store) UpdateTodo(ctx context.Context, t *groups.Todo) error {
	return s.execOne(ctx, "update todo", `UPDATE todos SET ap_id = ?, creator_id = ?, title = ?, done = ?, due_at = ?,
		assignee_id = ?, local = ?, updated_at = ? WHERE id = ?`,
		nullStr(t.APID), t.CreatorID, t.Title, t.Done, s.d.nullTime(t.DueAt), t.AssigneeID, t.Local,
		s.d.Time(t.UpdatedAt), t.ID)
}

// GetTodo returns a todo by ID.
func (s *store) GetTodo(ctx context.Context, id string) (*groups.Todo, error) {
	return getOne(s, ctx, "get todo", scanTodo, `SELECT `+todoCols+` FROM todos WHERE id = ?`, id)
}

// GetTodoByAPID returns a todo by its ActivityPub id.
func (s *store) GetTodoByAPID(ctx context.Context, apID string) (*groups.Todo, error) {
	return byAPID(s, ctx, "get todo by ap id", scanTodo, `SELECT `+todoCols+` FROM todos WHERE ap_id = ?`, apID)
}

// DeleteTodo deletes a todo.
func (s *store) DeleteTodo(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete todo", `DELETE FROM todos WHERE id = ?`, id)
}

// ListTodos lists a list's todos.
func (s *store) ListTodos(ctx context.Context, listID string, after storage.Cursor, limit int) ([]groups.Todo, error) {
	var p page
	p.add("list_id = ?", listID)
	return list(s, ctx, "list todos", todoCols, "todos", &p, after, limit, scanTodo)
}

// CountTodos counts a list's todos.
func (s *store) CountTodos(ctx context.Context, listID string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM todos WHERE list_id = ?`, listID).Scan(&n)
	return n, s.wrap("count todos", err)
}
