package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/storage"
)

// Messages of group discussions hidden by the instance's moderators
// (groups.Comment.Hidden): CreateDiscussionComment stores the flag,
// SetDiscussionCommentHidden alone changes it, UpdateDiscussionComment
// keeps it, and Get* and ListDiscussionComments return hidden messages
// with the flag set, in their place.

func testHiddenDiscussionComment(t *testing.T, w *world) {
	d := w.discussion(w.group().ID)
	c, other := w.newDiscussionComment(d), w.newDiscussionComment(d)
	other.CreatedAt = c.CreatedAt.Add(time.Second)
	c.Hidden = true
	require.NoError(t, w.b.CreateDiscussionComment(w.ctx, c))
	require.NoError(t, w.b.CreateDiscussionComment(w.ctx, other))

	got, err := w.b.GetDiscussionComment(w.ctx, c.ID)
	require.NoError(t, err)
	require.True(t, got.Hidden, "CreateDiscussionComment stores Hidden")
	require.Equal(t, c.Text, got.Text, "the store keeps the text of a hidden message")

	// UpdateDiscussionComment keeps the stored flag whatever it is told.
	upd := *got
	upd.Hidden, upd.Text, upd.UpdatedAt = false, "<p>Edited</p>", at(time.Hour)
	require.NoError(t, w.b.UpdateDiscussionComment(w.ctx, &upd))
	got, err = w.b.GetDiscussionCommentByAPID(w.ctx, c.APID)
	require.NoError(t, err)
	require.True(t, got.Hidden, "UpdateDiscussionComment keeps Hidden")
	require.Equal(t, "<p>Edited</p>", got.Text)

	list, err := w.b.ListDiscussionComments(w.ctx, d.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, list, 2, "a hidden message is listed in its place")
	require.Equal(t, c.ID, list[0].ID)
	require.True(t, list[0].Hidden)
	require.False(t, list[1].Hidden)

	// Showing it again changes the flag and nothing else.
	require.NoError(t, w.b.SetDiscussionCommentHidden(w.ctx, c.ID, false))
	got, err = w.b.GetDiscussionComment(w.ctx, c.ID)
	require.NoError(t, err)
	require.False(t, got.Hidden)
	require.Equal(t, "<p>Edited</p>", got.Text)
	require.True(t, got.UpdatedAt.Equal(at(time.Hour).Truncate(time.Microsecond)), "UpdatedAt unchanged: %s", got.UpdatedAt)
	require.NoError(t, w.b.SetDiscussionCommentHidden(w.ctx, other.ID, true))
	got, err = w.b.GetDiscussionComment(w.ctx, other.ID)
	require.NoError(t, err)
	require.True(t, got.Hidden)
	require.NoError(t, w.b.SetDiscussionCommentHidden(w.ctx, other.ID, true), "hiding twice is no error")

	requireNotFound(t, w.b.SetDiscussionCommentHidden(w.ctx, w.id(), true), "SetDiscussionCommentHidden of a missing message")
	require.NoError(t, w.b.DeleteDiscussion(w.ctx, d.ID))
	requireNotFound(t, w.b.SetDiscussionCommentHidden(w.ctx, other.ID, false), "SetDiscussionCommentHidden of a deleted discussion's message")
}
