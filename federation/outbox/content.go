package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// isContent reports whether k is a change of a group's collaboration
// content (discussions, comments, resources, posts, todo lists, todos).
func isContent(k groups.ChangeKind) bool {
	switch k {
	case groups.DiscussionCreated, groups.DiscussionUpdated, groups.DiscussionDeleted,
		groups.CommentCreated, groups.CommentUpdated, groups.CommentDeleted,
		groups.ResourceCreated, groups.ResourceUpdated, groups.ResourceMoved, groups.ResourceDeleted,
		groups.PostCreated, groups.PostUpdated, groups.PostPublished, groups.PostDeleted,
		groups.TodoListCreated, groups.TodoListUpdated, groups.TodoListDeleted,
		groups.TodoCreated, groups.TodoUpdated, groups.TodoDeleted:
		return true
	}
	return false
}

// contentView is what every content activity of one change shares.
type contentView struct {
	t       *txn
	c       groups.Change
	actor   string // the acting local profile's IRI
	group   string // the group's IRI
	members string // the group's members collection
	now     time.Time
}

// contentChanged federates a local profile's change of a group's
// content (see the package documentation): to the remote members of a
// local group (and its followers for a public post), or to the remote
// group itself, which relays it to its members (FEP-1b12). Changes made
// by remote actors (taken by the inbox, which has the group relay them)
// and by a remote group's own actor send nothing.
func (o *Outbox) contentChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	g := c.Group
	if g == nil || c.ActorID == "" || c.ActorID == g.ID {
		return nil
	}
	t, err := open(tx, true)
	if err != nil {
		return err
	}
	who, err := t.actor(ctx, c.ActorID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !who.Local {
		return nil
	}
	v := contentView{t: t, c: c, actor: who.APID, group: g.APID, members: g.APID + "/members", now: o.clock()}
	act, public, err := v.activity(ctx)
	if err != nil || act.Type == "" {
		return err
	}
	if act.Type == wire.TypeDelete && strings.HasPrefix(tombstoneID(act), o.base+"/") {
		// The object's IRI answers 410 Gone from now on.
		ts, err := storage.As[inbox.Tombstones](tx)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if err := ts.AddTombstone(ctx, tombstoneID(act), v.now); err != nil {
			return fmt.Errorf("outbox: tombstone %s: %w", tombstoneID(act), err)
		}
	}
	aud := &audience{}
	if !g.Local {
		aud.add(&g.Actor)
		return o.enqueue(ctx, t, act, who.APID, aud)
	}
	if public {
		if err := t.addFollowers(ctx, aud, g.ID); err != nil {
			return err
		}
	}
	if err := t.addMembers(ctx, aud, g.ID); err != nil {
		return err
	}
	return o.enqueue(ctx, t, act, who.APID, aud)
}

// activity builds the change's activity and reports whether it is for
// the group's followers too (a public or unlisted published post). A
// zero Activity means nothing to send.
func (v contentView) activity(ctx context.Context) (wire.Activity, bool, error) {
	c := v.c
	switch {
	case c.Comment != nil && c.Discussion != nil && (c.Kind == groups.CommentCreated || c.Kind == groups.CommentUpdated || c.Kind == groups.CommentDeleted):
		return v.comment(ctx)
	case c.Discussion != nil:
		return v.discussion(ctx)
	case c.Resource != nil:
		return v.resource(ctx)
	case c.Post != nil:
		return v.post(ctx)
	case c.Todo != nil && c.TodoList != nil:
		return v.todo(ctx)
	case c.TodoList != nil:
		return v.todoList(ctx)
	}
	return wire.Activity{}, false, nil
}

// iri returns the IRI of the stored actor id ("" when it is gone).
func (v contentView) iri(ctx context.Context, id string) (string, error) {
	if id == "" {
		return "", nil
	}
	a, err := v.t.actor(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return a.APID, nil
}

// wrap makes the Create, Update or Delete of obj (id objID, of
// formerType when deleted), addressed to the members.
func (v contentView) wrap(typ, objID, formerType string, obj wire.Object, at time.Time) wire.Activity {
	to := []string{v.members}
	switch typ {
	case wire.TypeDelete:
		act := wire.Delete(wire.Tombstone{ID: objID, FormerType: formerType, Deleted: v.now}, v.actor, to, nil)
		act.AttributedTo = v.group
		return act
	case wire.TypeUpdate:
		return wire.Activity{Type: typ, ID: updateID(objID, at), Actor: v.actor, AttributedTo: v.group, Object: obj,
			To: to, Published: at}
	}
	return wire.Activity{Type: typ, ID: objID + "/activity", Actor: v.actor, AttributedTo: v.group, Object: obj,
		To: to, Published: at}
}

// tombstoneID is the id of the object a Delete carries.
func tombstoneID(act wire.Activity) string {
	if t, ok := act.Object.(wire.Tombstone); ok {
		return t.ID
	}
	return ""
}

// updateID is a new id for every update (receivers deduplicate by id).
func updateID(objID string, at time.Time) string {
	return objID + "/updates/" + strconv.FormatInt(at.UnixMicro(), 10)
}

// kindType picks the activity type of a created, updated or deleted
// change.
func kindType(k groups.ChangeKind, created, updated, deleted groups.ChangeKind) string {
	switch k {
	case created:
		return wire.TypeCreate
	case updated:
		return wire.TypeUpdate
	case deleted:
		return wire.TypeDelete
	}
	return ""
}

// discussion: a Note with the title as name and the first message as
// content, its own context (WIRE.md §2.7).
func (v contentView) discussion(ctx context.Context) (wire.Activity, bool, error) {
	d := v.c.Discussion
	typ := kindType(v.c.Kind, groups.DiscussionCreated, groups.DiscussionUpdated, groups.DiscussionDeleted)
	if typ == "" {
		return wire.Activity{}, false, nil
	}
	if typ == wire.TypeDelete {
		return v.wrap(typ, d.APID, "Note", nil, v.now), false, nil
	}
	first := v.c.Comment
	if first == nil {
		c, err := v.t.groups.GetDiscussionComment(ctx, d.FirstCommentID())
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return wire.Activity{}, false, fmt.Errorf("outbox: discussion %s: %w", d.ID, err)
		}
		first = c
	}
	if first != nil && first.Hidden {
		// Its first message is hidden by our moderators: the Note would
		// carry it, or travel empty. A rename stays here meanwhile.
		return wire.Activity{}, false, nil
	}
	creator, err := v.iri(ctx, d.CreatorID)
	if err != nil {
		return wire.Activity{}, false, err
	}
	n := wire.DiscussionNote(d, first, creator, v.group)
	return v.wrap(typ, d.APID, "Note", n, d.UpdatedAt), false, nil
}

// firstComment reports whether c is d's first message (it travels as
// the discussion's content, without an id of its own).
func (v contentView) firstComment(ctx context.Context, c *groups.Comment, d *groups.Discussion) (bool, error) {
	return c.APID == "" || c.ID == d.FirstCommentID(), nil
}

func (v contentView) comment(ctx context.Context) (wire.Activity, bool, error) {
	c, d := v.c.Comment, v.c.Discussion
	typ := kindType(v.c.Kind, groups.CommentCreated, groups.CommentUpdated, groups.CommentDeleted)
	if typ == wire.TypeUpdate {
		first, err := v.firstComment(ctx, c, d)
		if err != nil {
			return wire.Activity{}, false, err
		}
		if first { // the first message is the discussion's content
			creator, err := v.iri(ctx, d.CreatorID)
			if err != nil {
				return wire.Activity{}, false, err
			}
			return v.wrap(typ, d.APID, "Note", wire.DiscussionNote(d, c, creator, v.group), c.UpdatedAt), false, nil
		}
	}
	if c.APID == "" {
		return wire.Activity{}, false, nil
	}
	if typ == wire.TypeDelete {
		return v.wrap(typ, c.APID, "Note", nil, v.now), false, nil
	}
	author, err := v.iri(ctx, c.AuthorID)
	if err != nil {
		return wire.Activity{}, false, err
	}
	return v.wrap(typ, c.APID, "Note", wire.DiscussionCommentNote(c, d, author, v.group), c.UpdatedAt), false, nil
}

// folderIRI is the IRI of a folder (the group's resources collection
// for the root).
func (v contentView) folderIRI(ctx context.Context, id string) (string, error) {
	if id == "" {
		return v.group + "/resources", nil
	}
	f, err := v.t.groups.GetResource(ctx, id)
	if err != nil {
		return "", fmt.Errorf("outbox: folder %s: %w", id, err)
	}
	return f.APID, nil
}

// resource: Create at the root, Add into a folder (target the folder),
// Update, Move (origin and target), Delete (WIRE.md §2.8).
func (v contentView) resource(ctx context.Context) (wire.Activity, bool, error) {
	r := v.c.Resource
	formerType := "Document"
	if r.IsFolder() {
		formerType = "ResourceCollection"
	}
	if v.c.Kind == groups.ResourceDeleted {
		return v.wrap(wire.TypeDelete, r.APID, formerType, nil, v.now), false, nil
	}
	creator, err := v.iri(ctx, r.CreatorID)
	if err != nil {
		return wire.Activity{}, false, err
	}
	parent, err := v.folderIRI(ctx, r.ParentID)
	if err != nil {
		return wire.Activity{}, false, err
	}
	obj := wire.GroupResource(r, creator, v.group, parent)
	switch v.c.Kind {
	case groups.ResourceCreated:
		act := v.wrap(wire.TypeCreate, r.APID, formerType, obj, r.CreatedAt)
		if r.ParentID != "" {
			act.Type, act.ID, act.Target = wire.TypeAdd, r.APID+"/add", parent
		}
		return act, false, nil
	case groups.ResourceUpdated:
		return v.wrap(wire.TypeUpdate, r.APID, formerType, obj, r.UpdatedAt), false, nil
	case groups.ResourceMoved:
		from, err := v.folderIRI(ctx, v.c.MovedFrom)
		if errors.Is(err, storage.ErrNotFound) {
			from, err = "", nil
		}
		if err != nil {
			return wire.Activity{}, false, err
		}
		act := v.wrap(wire.TypeUpdate, r.APID, formerType, obj, r.UpdatedAt)
		act.Type, act.ID = wire.TypeMove, r.APID+"/move/"+strconv.FormatInt(r.UpdatedAt.UnixMicro(), 10)
		act.Origin, act.Target = from, parent
		return act, false, nil
	}
	return wire.Activity{}, false, nil
}

// post: an Article to its audience (WIRE.md §2.9). Publishing a draft
// is a Create of a new id (the followers never saw the draft).
func (v contentView) post(ctx context.Context) (wire.Activity, bool, error) {
	p := v.c.Post
	public := !p.Draft && p.Visibility != groups.Private
	followers := v.c.Group.Followers
	if followers == "" {
		followers = v.group + "/followers"
	}
	author, err := v.iri(ctx, p.AuthorID)
	if err != nil {
		return wire.Activity{}, false, err
	}
	art := wire.PostArticle(p, author, v.group, followers)
	var act wire.Activity
	switch v.c.Kind {
	case groups.PostCreated:
		act = v.wrap(wire.TypeCreate, p.APID, "Article", art, p.CreatedAt)
	case groups.PostPublished:
		act = v.wrap(wire.TypeCreate, p.APID, "Article", art, p.PublishedAt)
		act.ID = p.APID + "/activity/published"
	case groups.PostUpdated:
		act = v.wrap(wire.TypeUpdate, p.APID, "Article", art, p.UpdatedAt)
	case groups.PostDeleted:
		act = v.wrap(wire.TypeDelete, p.APID, "Article", nil, v.now)
	default:
		return wire.Activity{}, false, nil
	}
	if v.c.Kind != groups.PostDeleted || public {
		act.To, act.CC = art.To, art.CC
	}
	return act, public, nil
}

func (v contentView) todoList(context.Context) (wire.Activity, bool, error) {
	l := v.c.TodoList
	typ := kindType(v.c.Kind, groups.TodoListCreated, groups.TodoListUpdated, groups.TodoListDeleted)
	if typ == "" {
		return wire.Activity{}, false, nil
	}
	return v.wrap(typ, l.APID, "TodoList", wire.GroupTodoList(l, v.group), l.UpdatedAt), false, nil
}

func (v contentView) todo(ctx context.Context) (wire.Activity, bool, error) {
	t, l := v.c.Todo, v.c.TodoList
	typ := kindType(v.c.Kind, groups.TodoCreated, groups.TodoUpdated, groups.TodoDeleted)
	if typ == "" {
		return wire.Activity{}, false, nil
	}
	if typ == wire.TypeDelete {
		return v.wrap(typ, t.APID, "Todo", nil, v.now), false, nil
	}
	creator, err := v.iri(ctx, t.CreatorID)
	if err != nil {
		return wire.Activity{}, false, err
	}
	return v.wrap(typ, t.APID, "Todo", wire.GroupTodo(t, l, creator, v.group), t.UpdatedAt), false, nil
}
