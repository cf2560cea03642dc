package groups_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// TestHideComment: a message the instance's moderators hide keeps its
// place, is listed without its text to every reader (its author too),
// stays hidden through an edit, shows again, and tells the hook nothing.
func TestHideComment(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, open(t))
			alice, bob := f.person("alice"), f.person("bob")
			g := f.group(alice, groups.Open)
			_, err := f.svc.Join(f.ctx, g.ID, bob, "")
			require.NoError(t, err)
			d, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: "Budget", Text: "<p>first</p>"})
			require.NoError(t, err)
			spam, err := f.svc.Reply(f.ctx, bob, d.ID, groups.CommentInput{Text: "<p>cheap pills</p>"})
			require.NoError(t, err)
			_, err = f.svc.Reply(f.ctx, alice, d.ID, groups.CommentInput{Text: "<p>last</p>"})
			require.NoError(t, err)
			changes := f.hook.count()

			require.NoError(t, f.svc.HideComment(f.ctx, spam.ID, true))
			require.NoError(t, f.svc.HideComment(f.ctx, spam.ID, true), "hiding twice changes nothing")
			for _, reader := range []string{alice, bob} {
				cs, _, err := f.svc.Comments(f.ctx, reader, d.ID, storage.Cursor{}, 0)
				require.NoError(t, err)
				require.Len(t, cs, 3, "a hidden message keeps its place")
				require.Equal(t, spam.ID, cs[1].ID)
				require.True(t, cs[1].Hidden)
				require.Empty(t, cs[1].Text, "nobody reads a hidden message's text")
				require.False(t, cs[0].Hidden || cs[2].Hidden)
				require.Equal(t, "<p>last</p>", cs[2].Text)
			}
			c, dd, err := f.svc.CommentForModeration(f.ctx, spam.ID)
			require.NoError(t, err)
			require.True(t, c.Hidden)
			require.Equal(t, "<p>cheap pills</p>", c.Text, "moderators read it")
			require.Equal(t, d.ID, dd.ID)

			// Its author's edit (or a remote Update) keeps it hidden.
			_, err = f.svc.EditComment(f.ctx, bob, spam.ID, "<p>still pills</p>")
			require.NoError(t, err)
			c, _, err = f.svc.CommentForModeration(f.ctx, spam.ID)
			require.NoError(t, err)
			require.True(t, c.Hidden)
			require.Equal(t, "<p>still pills</p>", c.Text)

			require.NoError(t, f.svc.HideComment(f.ctx, spam.ID, false))
			cs, _, err := f.svc.Comments(f.ctx, bob, d.ID, storage.Cursor{}, 0)
			require.NoError(t, err)
			require.False(t, cs[1].Hidden)
			require.Equal(t, "<p>still pills</p>", cs[1].Text)
			require.Equal(t, changes+1, f.hook.count(), "only the edit told the hook: hiding is local")

			require.ErrorIs(t, f.svc.HideComment(f.ctx, "nope", true), groups.ErrNotFound)
			_, _, err = f.svc.CommentForModeration(f.ctx, "nope")
			require.ErrorIs(t, err, groups.ErrNotFound)
		})
	}
}
