package groups

import (
	"context"
	"time"

	"codeberg.org/convene/convene/storage"
)

// ContentStore is the storage contract of a group's collaboration
// content, with the storage sentinels as errors (the shared rules are
// identity.Store's). Every Create* returns ErrConflict for a taken ID or
// APID (an empty APID is no key) and ErrNotFound when the group or the
// parent (discussion, folder, todo list) does not exist, storing
// nothing; Update*, Get* and Delete* of a missing row return
// ErrNotFound. Deleting a group deletes all of its content. List*
// order by (CreatedAt, ID), start strictly after the cursor and return
// at most limit items (limit <= 0: all).
type ContentStore interface {
	DiscussionStore
	ResourceStore
	PostStore
	TodoStore
}

// DiscussionStore keeps discussions, their comments and read markers.
type DiscussionStore interface {
	CreateDiscussion(ctx context.Context, d *Discussion) error
	// UpdateDiscussion replaces every field but ID, GroupID and CreatedAt.
	UpdateDiscussion(ctx context.Context, d *Discussion) error
	GetDiscussion(ctx context.Context, id string) (*Discussion, error)
	GetDiscussionByAPID(ctx context.Context, apID string) (*Discussion, error)
	// DeleteDiscussion deletes it with its comments and read markers.
	DeleteDiscussion(ctx context.Context, id string) error
	ListDiscussions(ctx context.Context, groupID string, after storage.Cursor, limit int) ([]Discussion, error)

	// CreateDiscussionComment: ErrNotFound when c.DiscussionID does not
	// exist.
	CreateDiscussionComment(ctx context.Context, c *Comment) error
	// UpdateDiscussionComment replaces Text, APID and UpdatedAt; it
	// keeps the stored Hidden flag whatever c.Hidden says.
	UpdateDiscussionComment(ctx context.Context, c *Comment) error
	// SetDiscussionCommentHidden sets a message's Hidden flag and nothing
	// else (not UpdatedAt).
	SetDiscussionCommentHidden(ctx context.Context, id string, hidden bool) error
	GetDiscussionComment(ctx context.Context, id string) (*Comment, error)
	GetDiscussionCommentByAPID(ctx context.Context, apID string) (*Comment, error)
	DeleteDiscussionComment(ctx context.Context, id string) error
	ListDiscussionComments(ctx context.Context, discussionID string, after storage.Cursor, limit int) ([]Comment, error)

	// PutReadMarker inserts or replaces the marker of the pair
	// (DiscussionID, ActorID); ErrNotFound for an unknown discussion.
	PutReadMarker(ctx context.Context, m ReadMarker) error
	// GetReadMarker: ErrNotFound when the actor never read it.
	GetReadMarker(ctx context.Context, discussionID, actorID string) (*ReadMarker, error)
}

// ResourceStore keeps resources (links and folders).
type ResourceStore interface {
	// CreateResource: ErrNotFound when r.ParentID names no resource of
	// the group. The store does not check that the parent is a folder.
	CreateResource(ctx context.Context, r *Resource) error
	// UpdateResource replaces every field but ID, GroupID, Kind and
	// CreatedAt (ParentID included: a move).
	UpdateResource(ctx context.Context, r *Resource) error
	GetResource(ctx context.Context, id string) (*Resource, error)
	GetResourceByAPID(ctx context.Context, apID string) (*Resource, error)
	// DeleteResource deletes it and, for a folder, everything inside.
	DeleteResource(ctx context.Context, id string) error
	// ListResources lists the items of a folder (parentID "" is the
	// group's root).
	ListResources(ctx context.Context, groupID, parentID string, after storage.Cursor, limit int) ([]Resource, error)
	CountResources(ctx context.Context, groupID, parentID string) (int, error)
}

// PostStore keeps posts.
type PostStore interface {
	CreatePost(ctx context.Context, p *Post) error
	// UpdatePost replaces every field but ID, GroupID and CreatedAt.
	UpdatePost(ctx context.Context, p *Post) error
	GetPost(ctx context.Context, id string) (*Post, error)
	GetPostByAPID(ctx context.Context, apID string) (*Post, error)
	DeletePost(ctx context.Context, id string) error
	ListPosts(ctx context.Context, q PostQuery, after storage.Cursor, limit int) ([]Post, error)
}

// PostQuery selects a group's posts.
type PostQuery struct {
	GroupID string
	// Visibilities keeps posts with one of these (all when empty).
	Visibilities []Visibility
	// Drafts includes drafts; otherwise only published posts.
	Drafts bool
}

// TodoStore keeps todo lists and todos.
type TodoStore interface {
	CreateTodoList(ctx context.Context, l *TodoList) error
	// UpdateTodoList replaces Title, APID and UpdatedAt.
	UpdateTodoList(ctx context.Context, l *TodoList) error
	GetTodoList(ctx context.Context, id string) (*TodoList, error)
	GetTodoListByAPID(ctx context.Context, apID string) (*TodoList, error)
	// DeleteTodoList deletes it with its todos.
	DeleteTodoList(ctx context.Context, id string) error
	ListTodoLists(ctx context.Context, groupID string, after storage.Cursor, limit int) ([]TodoList, error)

	// CreateTodo: ErrNotFound when t.ListID does not exist.
	CreateTodo(ctx context.Context, t *Todo) error
	// UpdateTodo replaces every field but ID, ListID, GroupID and
	// CreatedAt.
	UpdateTodo(ctx context.Context, t *Todo) error
	GetTodo(ctx context.Context, id string) (*Todo, error)
	GetTodoByAPID(ctx context.Context, apID string) (*Todo, error)
	DeleteTodo(ctx context.Context, id string) error
	ListTodos(ctx context.Context, listID string, after storage.Cursor, limit int) ([]Todo, error)
	CountTodos(ctx context.Context, listID string) (int, error)
}

// ReadMarker is when an actor last read a discussion.
type ReadMarker struct {
	DiscussionID string
	ActorID      string
	ReadAt       time.Time
}
