package groups

import (
	"context"
	"errors"
	"time"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// Discussion is a thread with a title among a group's members. Its
// first message is its first Comment. On the wire it is a Note with a
// name (WIRE.md §2.7): id APID, context APID, attributedTo the group.
type Discussion struct {
	ID        string
	APID      string // BaseURL/discussions/{id} for local discussions
	GroupID   string
	CreatorID string // the author of the first message
	Title     string // plain text
	Local     bool
	// LastCommentAt is when the latest message was written: a reader
	// whose read marker is older has unread messages.
	LastCommentAt time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// FirstCommentID is the id of the discussion's first message, which
// starts it and goes only with it: it shares the discussion's id (in
// another table), so that no clock or id order decides which one it is.
func (d *Discussion) FirstCommentID() string { return d.ID }

// Comment is a message in a discussion: a Note with context set to the
// discussion (WIRE.md §2.7). Messages are flat, in time order.
type Comment struct {
	ID           string
	APID         string // BaseURL/discussions/{discussion id}/comments/{id} for local ones
	DiscussionID string
	GroupID      string
	AuthorID     string
	Text         string // sanitized HTML; "" when the service hides it
	Local        bool
	// Hidden: the instance's moderators hid the message (reversible, see
	// Service.HideComment). It keeps its place in the thread, and the
	// service's listings return it with Hidden set and no Text. It is a
	// local decision: it never federates, and only
	// DiscussionStore.SetDiscussionCommentHidden changes it.
	Hidden    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// DiscussionInput starts a discussion.
type DiscussionInput struct {
	Title string // plain text; required
	Text  string // the first message, HTML; sanitized; required
	// Remote is set for a discussion of another instance (its APID is
	// the Note's id; the first message then has no APID of its own).
	Remote Remote
}

// CommentInput is a new message.
type CommentInput struct {
	Text   string // HTML; sanitized; required
	Remote Remote
}

// CreateDiscussion starts a discussion in groupID with its first
// message (PermDiscussionCreate).
func (s *Service) CreateDiscussion(ctx context.Context, actorID, groupID string, in DiscussionInput) (*Discussion, *Comment, error) {
	title, err := s.title("title", in.Title)
	if err != nil {
		return nil, nil, wrap("create discussion", err)
	}
	text, err := s.html("text", in.Text, MaxCommentSize, false)
	if err != nil {
		return nil, nil, wrap("create discussion", err)
	}
	var d *Discussion
	var c *Comment
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		a, err := s.act(ctx, st, groupID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermDiscussionCreate); err != nil {
			return err
		}
		o, err := s.origin(a, in.Remote, "/discussions/")
		if err != nil {
			return err
		}
		d = &Discussion{ID: o.id, APID: o.apID, GroupID: groupID, CreatorID: o.author, Title: title,
			Local: o.local, LastCommentAt: o.at, CreatedAt: o.at, UpdatedAt: o.at}
		c = &Comment{ID: d.FirstCommentID(), DiscussionID: d.ID, GroupID: groupID, AuthorID: o.author, Text: text,
			Local: o.local, CreatedAt: o.at, UpdatedAt: o.at}
		if o.local {
			c.APID = d.APID + "/comments/" + c.ID
		}
		if err := st.CreateDiscussion(ctx, d); err != nil {
			return err
		}
		if err := st.CreateDiscussionComment(ctx, c); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: DiscussionCreated, ActorID: actorID, Group: a.group, Discussion: d, Comment: c})
	})
	if err != nil {
		return nil, nil, wrap("create discussion", err)
	}
	return d, c, nil
}

// RenameDiscussion changes a discussion's title: its creator (while a
// member) or PermDiscussionUpdate.
func (s *Service) RenameDiscussion(ctx context.Context, actorID, discussionID, title string) (*Discussion, error) {
	t, err := s.title("title", title)
	if err != nil {
		return nil, wrap("rename discussion", err)
	}
	var out *Discussion
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		d, a, err := s.discussionFor(ctx, st, discussionID, actorID)
		if err != nil {
			return err
		}
		if !a.canAsAuthor(PermDiscussionUpdate, d.CreatorID) {
			return a.need(PermDiscussionUpdate)
		}
		d.Title, d.UpdatedAt = t, s.clock()
		if err := st.UpdateDiscussion(ctx, d); err != nil {
			return err
		}
		out = d
		return s.emit(ctx, tx, Change{Kind: DiscussionUpdated, ActorID: actorID, Group: a.group, Discussion: d})
	})
	if err != nil {
		return nil, wrap("rename discussion", err)
	}
	return out, nil
}

// DeleteDiscussion deletes a discussion with its messages
// (PermDiscussionDelete).
func (s *Service) DeleteDiscussion(ctx context.Context, actorID, discussionID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		d, a, err := s.discussionFor(ctx, st, discussionID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermDiscussionDelete); err != nil {
			return err
		}
		if err := st.DeleteDiscussion(ctx, d.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: DiscussionDeleted, ActorID: actorID, Group: a.group, Discussion: d})
	})
	return wrap("delete discussion", err)
}

// discussionFor loads a discussion and locks its group for actorID.
func (s *Service) discussionFor(ctx context.Context, st Store, discussionID, actorID string) (*Discussion, acting, error) {
	d, err := st.GetDiscussion(ctx, discussionID)
	if err != nil {
		return nil, acting{}, err
	}
	a, err := s.act(ctx, st, d.GroupID, actorID)
	return d, a, err
}

// Discussion returns a discussion to a reader with
// PermDiscussionAccess.
func (s *Service) Discussion(ctx context.Context, viewerID, discussionID string) (*Discussion, error) {
	d, err := s.store.GetDiscussion(ctx, discussionID)
	if err == nil {
		err = s.mayRead(ctx, d.GroupID, viewerID, PermDiscussionAccess)
	}
	if err != nil {
		return nil, wrap("discussion", err)
	}
	return d, nil
}

// mayRead checks a reader's permission in a group.
func (s *Service) mayRead(ctx context.Context, groupID, viewerID string, p Permission) error {
	a, err := s.view(ctx, groupID, viewerID)
	if err != nil {
		return err
	}
	return a.need(p)
}

// Discussions lists a group's discussions, oldest first, to a reader
// with PermDiscussionAccess; paged as Members.
func (s *Service) Discussions(ctx context.Context, viewerID, groupID string, after storage.Cursor, limit int) ([]Discussion, storage.Cursor, error) {
	if err := s.mayRead(ctx, groupID, viewerID, PermDiscussionAccess); err != nil {
		return nil, storage.Cursor{}, wrap("discussions", err)
	}
	limit = pageSize(limit)
	ds, err := s.store.ListDiscussions(ctx, groupID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("discussions", err)
	}
	return ds, pageCursor(ds, limit, func(d Discussion) (time.Time, string) { return d.CreatedAt, d.ID }), nil
}

// Reply adds a message to a discussion (PermCommentCreate).
func (s *Service) Reply(ctx context.Context, actorID, discussionID string, in CommentInput) (*Comment, error) {
	text, err := s.html("text", in.Text, MaxCommentSize, false)
	if err != nil {
		return nil, wrap("reply", err)
	}
	var out *Comment
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		d, a, err := s.discussionFor(ctx, st, discussionID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermCommentCreate); err != nil {
			return err
		}
		o, err := s.origin(a, in.Remote, "/discussions/"+d.ID+"/comments/")
		if err != nil {
			return err
		}
		c := &Comment{ID: o.id, APID: o.apID, DiscussionID: d.ID, GroupID: d.GroupID, AuthorID: o.author,
			Text: text, Local: o.local, CreatedAt: o.at, UpdatedAt: o.at}
		if err := st.CreateDiscussionComment(ctx, c); err != nil {
			return err
		}
		if c.CreatedAt.After(d.LastCommentAt) {
			d.LastCommentAt = c.CreatedAt
			if err := st.UpdateDiscussion(ctx, d); err != nil {
				return err
			}
		}
		out = c
		return s.emit(ctx, tx, Change{Kind: CommentCreated, ActorID: actorID, Group: a.group, Discussion: d, Comment: c})
	})
	if err != nil {
		return nil, wrap("reply", err)
	}
	return out, nil
}

// EditComment changes a message's text: its author (while a member) or
// PermCommentUpdate.
func (s *Service) EditComment(ctx context.Context, actorID, commentID, text string) (*Comment, error) {
	t, err := s.html("text", text, MaxCommentSize, false)
	if err != nil {
		return nil, wrap("edit comment", err)
	}
	var out *Comment
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		c, d, a, err := s.commentFor(ctx, st, commentID, actorID)
		if err != nil {
			return err
		}
		if !a.canAsAuthor(PermCommentUpdate, c.AuthorID) {
			return a.need(PermCommentUpdate)
		}
		c.Text, c.UpdatedAt = t, s.clock()
		if err := st.UpdateDiscussionComment(ctx, c); err != nil {
			return err
		}
		out = c
		return s.emit(ctx, tx, Change{Kind: CommentUpdated, ActorID: actorID, Group: a.group, Discussion: d, Comment: c})
	})
	if err != nil {
		return nil, wrap("edit comment", err)
	}
	return out, nil
}

// DeleteComment deletes a message: its author (while a member) or
// PermCommentDelete. The first message of a discussion goes only with
// the discussion (DeleteDiscussion).
func (s *Service) DeleteComment(ctx context.Context, actorID, commentID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		c, d, a, err := s.commentFor(ctx, st, commentID, actorID)
		if err != nil {
			return err
		}
		if !a.canAsAuthor(PermCommentDelete, c.AuthorID) {
			return a.need(PermCommentDelete)
		}
		if c.ID == d.FirstCommentID() {
			return fielderr.New("comment", "is the discussion's first message: delete the discussion instead")
		}
		if err := st.DeleteDiscussionComment(ctx, c.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: CommentDeleted, ActorID: actorID, Group: a.group, Discussion: d, Comment: c})
	})
	return wrap("delete comment", err)
}

func (s *Service) commentFor(ctx context.Context, st Store, commentID, actorID string) (*Comment, *Discussion, acting, error) {
	c, err := st.GetDiscussionComment(ctx, commentID)
	if err != nil {
		return nil, nil, acting{}, err
	}
	d, a, err := s.discussionFor(ctx, st, c.DiscussionID, actorID)
	return c, d, a, err
}

// Comments lists a discussion's messages, oldest first, to a reader with
// PermCommentAccess; paged as Members. A message the instance's
// moderators hid is listed in its place with Hidden set and an empty
// Text, for every reader, its author too.
func (s *Service) Comments(ctx context.Context, viewerID, discussionID string, after storage.Cursor, limit int) ([]Comment, storage.Cursor, error) {
	d, err := s.store.GetDiscussion(ctx, discussionID)
	if err == nil {
		err = s.mayRead(ctx, d.GroupID, viewerID, PermCommentAccess)
	}
	if err != nil {
		return nil, storage.Cursor{}, wrap("comments", err)
	}
	limit = pageSize(limit)
	cs, err := s.store.ListDiscussionComments(ctx, discussionID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("comments", err)
	}
	for i := range cs {
		if cs[i].Hidden {
			cs[i].Text = ""
		}
	}
	return cs, pageCursor(cs, limit, func(c Comment) (time.Time, string) { return c.CreatedAt, c.ID }), nil
}

// MarkRead records that actorID (a member) has read the discussion up
// to now. It is no Change: read markers are private and not federated.
func (s *Service) MarkRead(ctx context.Context, actorID, discussionID string) error {
	d, err := s.store.GetDiscussion(ctx, discussionID)
	if err == nil {
		err = s.mayRead(ctx, d.GroupID, actorID, PermDiscussionAccess)
	}
	if err == nil {
		err = s.store.PutReadMarker(ctx, ReadMarker{DiscussionID: discussionID, ActorID: actorID, ReadAt: s.clock()})
	}
	return wrap("mark read", err)
}

// Unread reports whether the discussion has messages newer than
// actorID's read marker (true when never read).
func (s *Service) Unread(ctx context.Context, actorID string, d *Discussion) (bool, error) {
	m, err := s.store.GetReadMarker(ctx, d.ID, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return true, nil
	case err != nil:
		return false, wrap("unread", err)
	}
	return d.LastCommentAt.After(m.ReadAt), nil
}
