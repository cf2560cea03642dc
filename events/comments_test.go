package events_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func TestComments(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org, bob, carol := f.actor("org"), f.actor("bob"), f.actor("carol")

	open := f.create(org, input("Open thread"))
	c, err := f.svc.Comment(f.ctx, bob, open.ID, events.CommentInput{Text: `Looking forward!<img src=x onerror=alert(1)>`})
	require.NoError(t, err)
	assert.Equal(t, events.CommentPublished, c.State)
	assert.Equal(t, "Looking forward!", c.Text)
	assert.Equal(t, "https://events.example/comments/"+c.ID, c.APID)

	reply, err := f.svc.Comment(f.ctx, carol, open.ID, events.CommentInput{Text: "Me too", InReplyTo: c.ID})
	require.NoError(t, err)
	assert.Equal(t, c.ID, reply.InReplyTo)

	other := f.create(org, input("Other"))
	_, err = f.svc.Comment(f.ctx, carol, other.ID, events.CommentInput{Text: "x", InReplyTo: c.ID})
	require.ErrorIs(t, err, events.ErrInvalid, "a reply stays in its event's thread")
	_, err = f.svc.Comment(f.ctx, carol, open.ID, events.CommentInput{Text: "<p></p>"})
	require.ErrorIs(t, err, events.ErrInvalid)

	// Editing is the author's; deleting the author's or a moderator's.
	_, err = f.svc.EditComment(f.ctx, carol, c.ID, "hijacked")
	require.ErrorIs(t, err, events.ErrForbidden)
	ed, err := f.svc.EditComment(f.ctx, bob, c.ID, "Looking forward a lot!")
	require.NoError(t, err)
	assert.Equal(t, "Looking forward a lot!", ed.Text)
	_, err = f.svc.DeleteComment(f.ctx, carol, c.ID)
	require.ErrorIs(t, err, events.ErrForbidden)
	del, err := f.svc.DeleteComment(f.ctx, org, c.ID)
	require.NoError(t, err)
	assert.Equal(t, events.CommentDeleted, del.State)
	assert.Empty(t, del.Text)

	cs, _, err := f.svc.Comments(f.ctx, "", open.ID, "", 0)
	require.NoError(t, err)
	require.Len(t, cs, 2, "a deleted comment stays as a tombstone for its replies")

	// Closed: only organizers may comment.
	in := input("Closed")
	in.CommentModeration = events.CommentsClosed
	closed := f.create(org, in)
	_, err = f.svc.Comment(f.ctx, bob, closed.ID, events.CommentInput{Text: "hello"})
	require.ErrorIs(t, err, events.ErrCommentsClosed)
	_, err = f.svc.Comment(f.ctx, org, closed.ID, events.CommentInput{Text: "Update: bring water"})
	require.NoError(t, err)

	// Moderated: held until approved, and shown to moderators only.
	in = input("Moderated")
	in.CommentModeration = events.CommentsModerated
	mod := f.create(org, in)
	held, err := f.svc.Comment(f.ctx, bob, mod.ID, events.CommentInput{Text: "first"})
	require.NoError(t, err)
	assert.Equal(t, events.CommentPending, held.State)
	cs, _, err = f.svc.Comments(f.ctx, carol, mod.ID, "", 0)
	require.NoError(t, err)
	assert.Empty(t, cs)
	cs, _, err = f.svc.Comments(f.ctx, org, mod.ID, "", 0)
	require.NoError(t, err)
	assert.Len(t, cs, 1)
	_, err = f.svc.ModerateComment(f.ctx, bob, held.ID, true)
	require.ErrorIs(t, err, events.ErrForbidden)
	ok, err := f.svc.ModerateComment(f.ctx, org, held.ID, true)
	require.NoError(t, err)
	assert.Equal(t, events.CommentPublished, ok.State)
	cs, _, err = f.svc.Comments(f.ctx, carol, mod.ID, "", 0)
	require.NoError(t, err)
	assert.Len(t, cs, 1)

	// Private events take comments only from those who see them.
	in = input("Private")
	in.Visibility = events.Private
	priv := f.create(org, in)
	_, err = f.svc.Comment(f.ctx, bob, priv.ID, events.CommentInput{Text: "let me in"})
	require.ErrorIs(t, err, events.ErrNotFound)
}

func TestCommentsPagination(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org := f.actor("org")
	e := f.create(org, input("Chatty"))
	for i := 0; i < 7; i++ {
		f.clock.Set(t0.Add(time.Duration(i) * time.Second))
		_, err := f.svc.Comment(f.ctx, org, e.ID, events.CommentInput{Text: string(rune('a' + i))})
		require.NoError(t, err)
	}
	var texts []string
	after := ""
	for pages := 0; pages < 10; pages++ {
		cs, next, err := f.svc.Comments(f.ctx, "", e.ID, after, 3)
		require.NoError(t, err)
		for _, c := range cs {
			texts = append(texts, c.Text)
		}
		if next == "" {
			break
		}
		after = next
	}
	assert.Equal(t, []string{"a", "b", "c", "d", "e", "f", "g"}, texts)
	_, _, err := f.svc.Comments(f.ctx, "", e.ID, "garbage!", 3)
	require.Error(t, err)
}

// TestHideComment: the instance's moderators hide a comment (rejected)
// and show it again, without the hook (nothing federates); deleted
// comments stay deleted.
func TestHideComment(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org, bob := f.actor("org"), f.actor("bob")
	ev := f.create(org, input("Thread"))
	c, err := f.svc.Comment(f.ctx, bob, ev.ID, events.CommentInput{Text: "Spam"})
	require.NoError(t, err)
	before := len(f.hook.changes)

	require.NoError(t, f.svc.HideComment(f.ctx, c.ID, true))
	list, _, err := f.svc.Comments(f.ctx, bob, ev.ID, "", 10)
	require.NoError(t, err)
	assert.Empty(t, list, "hidden from everyone but the event's moderators")
	require.NoError(t, f.svc.HideComment(f.ctx, c.ID, false))
	list, _, err = f.svc.Comments(f.ctx, bob, ev.ID, "", 10)
	require.NoError(t, err)
	assert.Len(t, list, 1)
	assert.Len(t, f.hook.changes, before, "the hook is not told")

	_, err = f.svc.DeleteComment(f.ctx, bob, c.ID)
	require.NoError(t, err)
	require.NoError(t, f.svc.HideComment(f.ctx, c.ID, false))
	got, err := f.store.GetComment(f.ctx, c.ID)
	require.NoError(t, err)
	assert.Equal(t, events.CommentDeleted, got.State)
	require.ErrorIs(t, f.svc.HideComment(f.ctx, "no-such-comment", true), events.ErrNotFound)
}
