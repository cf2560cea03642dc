package groups

import (
	"context"

	"codeberg.org/convene/convene/storage"
)

// HideComment hides a message of a discussion by the instance's
// moderators (hidden), or shows it again. A hidden message keeps its
// place in the thread: Comments lists it with Hidden set and without
// its text, for every reader (its author and the group's admins too),
// so that pages, mail and collections built from the service never show
// it. Its author may still edit it (it stays hidden) or delete it.
//
// It is the instance's decision, not the group's: no permission is
// checked here (the moderation service checks that the caller moderates
// the instance), the hook is not told and nothing federates. Hiding a
// hidden message, or showing a shown one, changes nothing. An unknown
// message is ErrNotFound.
func (s *Service) HideComment(ctx context.Context, commentID string, hidden bool) error {
	err := s.inTx(ctx, func(_ storage.Tx, st Store) error {
		c, err := st.GetDiscussionComment(ctx, commentID)
		if err != nil {
			return err
		}
		if c.Hidden == hidden {
			return nil
		}
		return st.SetDiscussionCommentHidden(ctx, c.ID, hidden)
	})
	return wrap("hide comment", err)
}

// CommentForModeration returns a message, with its text whether hidden
// or not, and its discussion, for the instance's moderators, who review
// reported messages and show hidden ones again. No permission is
// checked here: the caller must have checked that the viewer moderates
// the instance. An unknown message is ErrNotFound.
func (s *Service) CommentForModeration(ctx context.Context, commentID string) (*Comment, *Discussion, error) {
	c, err := s.store.GetDiscussionComment(ctx, commentID)
	if err != nil {
		return nil, nil, wrap("comment for moderation", err)
	}
	d, err := s.store.GetDiscussion(ctx, c.DiscussionID)
	if err != nil {
		return nil, nil, wrap("comment for moderation", err)
	}
	return c, d, nil
}
