package groups

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// Change kinds of the group's collaboration content (discussions,
// comments, resources, posts, todo lists and todos). The Change carries
// the group and the object (Change.Discussion, Change.Comment, …) as it
// is after the change, or as it was before a deletion.
const (
	DiscussionCreated ChangeKind = "discussion.created" // with its first Comment
	DiscussionUpdated ChangeKind = "discussion.updated" // renamed
	DiscussionDeleted ChangeKind = "discussion.deleted" // with its comments
	CommentCreated    ChangeKind = "comment.created"    // a reply in a discussion
	CommentUpdated    ChangeKind = "comment.updated"
	CommentDeleted    ChangeKind = "comment.deleted"
	ResourceCreated   ChangeKind = "resource.created"
	ResourceUpdated   ChangeKind = "resource.updated" // title, summary or URL
	ResourceMoved     ChangeKind = "resource.moved"   // Change.MovedFrom is the old folder
	ResourceDeleted   ChangeKind = "resource.deleted" // a folder with everything in it
	PostCreated       ChangeKind = "post.created"     // a draft or a published post
	PostUpdated       ChangeKind = "post.updated"
	PostPublished     ChangeKind = "post.published" // a draft made public to its audience
	PostDeleted       ChangeKind = "post.deleted"
	TodoListCreated   ChangeKind = "todo_list.created"
	TodoListUpdated   ChangeKind = "todo_list.updated"
	TodoListDeleted   ChangeKind = "todo_list.deleted" // with its todos
	TodoCreated       ChangeKind = "todo.created"
	TodoUpdated       ChangeKind = "todo.updated" // title, status, due date or assignee
	TodoDeleted       ChangeKind = "todo.deleted"
)

// Limits of the group's content. Lengths of plain text are in
// characters, sizes of HTML in bytes after sanitizing.
const (
	MaxTitleLength        = 200     // discussion, resource, post, todo list and todo titles
	MaxCommentSize        = 20_000  // a message in a discussion
	MaxPostSize           = 100_000 // a post's body
	MaxResourceSummary    = 1000    // a resource's summary (plain text)
	MaxFolderDepth        = 8       // folders inside folders; a root item is at depth 1
	MaxResourcesPerFolder = 1000    // items in one folder, the root included
	MaxTodosPerList       = 500     // todos in one list
)

// Remote describes content that another instance made; the federation
// inbox fills it, local callers leave it zero.
type Remote struct {
	// APID is the object's ActivityPub id; non-empty marks the object as
	// remote (Local false) and keeps this instance from minting one.
	APID string
	// Published is when the origin made it; zero means now.
	Published time.Time
	// AuthorID is the author's actor id when the group itself acts (see
	// Service's note on remote groups); ignored otherwise.
	AuthorID string
}

// acting is who does a content operation in a group, resolved inside
// the operation's transaction.
type acting struct {
	group *Group
	actor string
	role  Role
	// asGroup: a remote group acting on its own content (FEP-1b12: the
	// inbox verified that the group sent or announced the activity).
	asGroup bool
}

// can reports whether the actor may do p.
func (a acting) can(p Permission) bool { return a.asGroup || Can(a.role, p) }

// canAsAuthor reports whether the actor may do p, or is authorID and
// still a member (authors edit and delete their own, outside the
// matrix).
func (a acting) canAsAuthor(p Permission, authorID string) bool {
	return a.can(p) || (a.actor != "" && a.actor == authorID && IsMember(a.role))
}

// need returns nil when the actor may do p, ErrForbidden otherwise.
func (a acting) need(p Permission) error {
	if a.can(p) {
		return nil
	}
	return fmt.Errorf("%w: %s needs more than %q", ErrForbidden, p, a.role)
}

// act locks the group (so counts and limits hold under concurrency) and
// resolves the actor's standing in it.
func (s *Service) act(ctx context.Context, st Store, groupID, actorID string) (acting, error) {
	g, err := st.LockGroup(ctx, groupID)
	if err != nil {
		return acting{}, err
	}
	return s.standing(ctx, st, g, actorID)
}

// standing resolves the actor's role in g without a lock (reads).
func (s *Service) standing(ctx context.Context, st Store, g *Group, actorID string) (acting, error) {
	a := acting{group: g, actor: actorID}
	if !g.Local && actorID != "" && actorID == g.ID {
		a.asGroup = true
		return a, nil
	}
	role, err := roleOf(ctx, st, g.ID, actorID)
	if err != nil {
		return acting{}, err
	}
	a.role = role
	return a, nil
}

// view resolves a reader's standing in groupID (no lock).
func (s *Service) view(ctx context.Context, groupID, viewerID string) (acting, error) {
	g, err := s.store.GetGroup(ctx, groupID)
	if err != nil {
		return acting{}, err
	}
	return s.standing(ctx, s.store, g, viewerID)
}

// origin resolves who is recorded as the author of a new object and
// its identity: a local object gets a new id, its APID under the base
// URL (path + id) and the current time; a remote one keeps its APID.
type origin struct {
	id, apID, author string
	local            bool
	at, now          time.Time
}

func (s *Service) origin(a acting, r Remote, path string) (origin, error) {
	o := origin{id: s.newID(), author: a.actor, now: s.clock()}
	o.at = o.now
	if a.asGroup {
		if r.AuthorID == "" {
			return o, fielderr.New("author", "is required when the group acts")
		}
		o.author = r.AuthorID
	}
	if r.APID == "" {
		if a.asGroup {
			return o, fielderr.New("ap_id", "is required for content of a remote group")
		}
		o.apID, o.local = s.base+path+o.id, true
		return o, nil
	}
	if err := checkURL("ap_id", r.APID, false); err != nil {
		return o, err
	}
	o.apID = r.APID
	if !r.Published.IsZero() {
		o.at = r.Published.UTC().Truncate(time.Microsecond)
	}
	return o, nil
}

// title cleans a plain-text title: required, at most MaxTitleLength.
func (s *Service) title(field, in string) (string, error) {
	t := strings.TrimSpace(s.sanitize.Text(in))
	switch {
	case t == "":
		return "", fielderr.New(field, "is required")
	case utf8.RuneCountInString(t) > MaxTitleLength:
		return "", fielderr.New(field, "is longer than %d characters", MaxTitleLength)
	}
	return t, nil
}

// html cleans rich text: required unless optional, at most max bytes.
func (s *Service) html(field, in string, max int, optional bool) (string, error) {
	h := strings.TrimSpace(s.sanitize.HTML(in))
	switch {
	case h == "" && !optional:
		return "", fielderr.New(field, "is required")
	case len(h) > max:
		return "", fielderr.New(field, "is longer than %d bytes", max)
	}
	return h, nil
}

// checkURL accepts an absolute http(s) URL of at most MaxURLLength.
func checkURL(field, v string, optional bool) error {
	if v == "" {
		if optional {
			return nil
		}
		return fielderr.New(field, "is required")
	}
	u, err := url.Parse(v)
	if len(v) > MaxURLLength || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fielderr.New(field, "is not an http(s) URL")
	}
	return nil
}

// pageCursor returns the cursor after a full page of items, zero otherwise.
func pageCursor[T any](items []T, limit int, key func(T) (time.Time, string)) storage.Cursor {
	if len(items) < limit || len(items) == 0 {
		return storage.Cursor{}
	}
	at, id := key(items[len(items)-1])
	return storage.Cursor{At: at, ID: id}
}

// wrap names the operation of an error.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("groups: %s: %w", op, err)
}

func storageNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
