package events

import (
	"context"
	"crypto/subtle"
	"fmt"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// CommentInput is a new comment.
type CommentInput struct {
	Text      string // HTML; sanitized on the way in
	InReplyTo string // id of the comment answered; "" for a new thread
	// APID is the Note's id for a remote author; empty for local ones.
	APID string
}

// Comment adds authorID's comment to an event the author can see. On a
// closed event it is ErrCommentsClosed; on a moderated one it waits for
// approval (CommentPending) unless the author may moderate the event.
func (s *Service) Comment(ctx context.Context, authorID, eventID string, in CommentInput) (*Comment, error) {
	if authorID == "" {
		return nil, fmt.Errorf("events: comment: %w", ErrForbidden)
	}
	text, err := s.commentText(in.Text)
	if err != nil {
		return nil, err
	}
	var out *Comment
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.GetEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := s.mayView(ctx, st, e, authorID); err != nil {
			return err
		}
		moderator := s.mayManage(ctx, st, e, authorID, OpModerate) == nil
		state := CommentPublished
		switch e.CommentModeration {
		case CommentsClosed:
			if !moderator {
				return ErrCommentsClosed
			}
		case CommentsModerated:
			if !moderator {
				state = CommentPending
			}
		}
		if in.InReplyTo != "" {
			parent, err := st.GetComment(ctx, in.InReplyTo)
			if err != nil || parent.EventID != e.ID || parent.State != CommentPublished {
				return fielderr.New("in_reply_to", "is not a published comment of this event")
			}
		}
		now := s.clock()
		c := &Comment{ID: s.newID(), APID: in.APID, EventID: e.ID, AuthorID: authorID, InReplyTo: in.InReplyTo,
			Text: text, State: state, CreatedAt: now, UpdatedAt: now}
		if c.APID == "" {
			c.APID = s.base + "/comments/" + c.ID
			c.URL = c.APID
		}
		if err := st.CreateComment(ctx, c); err != nil {
			return err
		}
		out = c
		return s.emit(ctx, tx, Change{Kind: CommentCreated, ActorID: authorID, Event: e, Comment: c})
	})
	if err != nil {
		return nil, fmt.Errorf("events: comment: %w", err)
	}
	return out, nil
}

func (s *Service) commentText(t string) (string, error) {
	t = s.sanitize.HTML(t)
	switch {
	case s.sanitize.Text(t) == "":
		return "", fielderr.New("text", "is required")
	case len(t) > MaxCommentLength:
		return "", fielderr.New("text", "is longer than %d bytes", MaxCommentLength)
	}
	return t, nil
}

// EditComment replaces the text of authorID's own comment.
func (s *Service) EditComment(ctx context.Context, authorID, commentID, text string) (*Comment, error) {
	t, err := s.commentText(text)
	if err != nil {
		return nil, err
	}
	return s.changeComment(ctx, authorID, commentID, func(e *Event, c *Comment, moderator bool) error {
		if c.AuthorID != authorID || c.State == CommentDeleted || c.State == CommentRejected {
			return ErrForbidden
		}
		c.Text = t
		return nil
	})
}

// DeleteComment deletes a comment, by its author or a moderator of the
// event. A deleted comment stays as an empty tombstone so that its
// replies keep their thread.
func (s *Service) DeleteComment(ctx context.Context, actorID, commentID string) (*Comment, error) {
	return s.changeComment(ctx, actorID, commentID, func(e *Event, c *Comment, moderator bool) error {
		if c.AuthorID != actorID && !moderator {
			return ErrForbidden
		}
		c.Text, c.State = "", CommentDeleted
		return nil
	})
}

// ModerateComment publishes (approve) or rejects a comment held by
// moderation, or rejects a published one.
func (s *Service) ModerateComment(ctx context.Context, moderatorID, commentID string, approve bool) (*Comment, error) {
	return s.changeComment(ctx, moderatorID, commentID, func(e *Event, c *Comment, moderator bool) error {
		switch {
		case !moderator:
			return ErrForbidden
		case c.State == CommentDeleted:
			return fmt.Errorf("%w: the comment is deleted", ErrForbidden)
		case approve:
			c.State = CommentPublished
		default:
			c.State = CommentRejected
		}
		return nil
	})
}

func (s *Service) changeComment(ctx context.Context, actorID, commentID string, change func(e *Event, c *Comment, moderator bool) error) (*Comment, error) {
	var out *Comment
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		c, err := st.GetComment(ctx, commentID)
		if err != nil {
			return notFound(err)
		}
		e, err := st.GetEvent(ctx, c.EventID)
		if err != nil {
			return notFound(err)
		}
		if err := hiddenNotFound(e); err != nil {
			return err
		}
		moderator := s.mayManage(ctx, st, e, actorID, OpModerate) == nil
		if err := change(e, c, moderator); err != nil {
			return err
		}
		c.UpdatedAt = s.clock()
		if err := st.UpdateComment(ctx, c); err != nil {
			return err
		}
		out = c
		return s.emit(ctx, tx, Change{Kind: CommentUpdated, ActorID: actorID, Event: e, Comment: c})
	})
	if err != nil {
		return nil, fmt.Errorf("events: comment: %w", err)
	}
	return out, nil
}

// Comments lists an event's comments as viewerID may see them, oldest
// first: published and deleted (tombstones) for everyone who can see the
// event, and also pending and rejected ones for its moderators.
func (s *Service) Comments(ctx context.Context, viewerID, eventID, after string, limit int) ([]Comment, string, error) {
	e, err := s.store.GetEvent(ctx, eventID)
	if err != nil {
		return nil, "", fmt.Errorf("events: comments: %w", notFound(err))
	}
	if err := s.mayView(ctx, s.store, e, viewerID); err != nil {
		return nil, "", fmt.Errorf("events: comments: %w", err)
	}
	states := []CommentState{CommentPublished, CommentDeleted}
	if viewerID != "" && s.mayManage(ctx, s.store, e, viewerID, OpModerate) == nil {
		states = nil
	}
	cur, err := storage.ParseCursor(after)
	if err != nil {
		return nil, "", fmt.Errorf("events: comments: %w", err)
	}
	limit = pageSize(limit)
	cs, err := s.store.ListComments(ctx, eventID, states, cur, limit)
	if err != nil {
		return nil, "", fmt.Errorf("events: comments: %w", err)
	}
	next := ""
	if len(cs) == limit {
		last := cs[len(cs)-1]
		next = storage.Cursor{At: last.CreatedAt, ID: last.ID}.String()
	}
	return cs, next, nil
}

func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

func subtleEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }

// HideComment hides a comment by the instance's moderators (hidden), or
// shows it again: it becomes rejected, or published again when it was
// rejected. It is the instance's decision, not the event's organizers':
// no permission is checked here (the moderation service checks the
// caller's role), and the hook is not told, so nothing federates.
func (s *Service) HideComment(ctx context.Context, commentID string, hidden bool) error {
	return s.inTx(ctx, func(_ storage.Tx, st Store) error {
		c, err := st.GetComment(ctx, commentID)
		if err != nil {
			return fmt.Errorf("events: hide comment: %w", notFound(err))
		}
		switch {
		case c.State == CommentDeleted:
			return nil
		case hidden && c.State != CommentRejected:
			c.State = CommentRejected
		case !hidden && c.State == CommentRejected:
			c.State = CommentPublished
		default:
			return nil
		}
		c.UpdatedAt = s.clock()
		return st.UpdateComment(ctx, c)
	})
}
