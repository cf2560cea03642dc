package groups_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
)

// TestDiscussionFlow runs on every backend: a thread, replies, read
// markers, edits and deletions.
func TestDiscussionFlow(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, open(t))
			alice, bob := f.person("alice"), f.person("bob")
			g := f.group(alice, groups.Open)
			_, err := f.svc.Join(f.ctx, g.ID, bob, "")
			require.NoError(t, err)

			d, first, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{
				Title: "  Budget <b>2026</b> ", Text: `<p>Hello <script>alert(1)</script><a href="javascript:x">x</a></p>`})
			require.NoError(t, err)
			assert.Equal(t, "Budget 2026", d.Title, "titles are plain text")
			assert.Equal(t, "https://events.example/discussions/"+d.ID, d.APID)
			assert.Equal(t, d.APID+"/comments/"+first.ID, first.APID)
			assert.True(t, d.Local && first.Local)
			assert.NotContains(t, first.Text, "script")
			assert.NotContains(t, first.Text, "javascript")
			assert.Equal(t, d.CreatedAt, d.LastCommentAt)

			unread, err := f.svc.Unread(f.ctx, bob, d)
			require.NoError(t, err)
			assert.True(t, unread, "never read")
			require.NoError(t, f.svc.MarkRead(f.ctx, bob, d.ID))
			d, err = f.svc.Discussion(f.ctx, bob, d.ID)
			require.NoError(t, err)
			unread, err = f.svc.Unread(f.ctx, bob, d)
			require.NoError(t, err)
			assert.False(t, unread)

			var replies []*groups.Comment
			for i := range 3 {
				m, err := f.svc.Reply(f.ctx, alice, d.ID, groups.CommentInput{Text: fmt.Sprintf("reply %d", i)})
				require.NoError(t, err)
				replies = append(replies, m)
			}
			d, err = f.svc.Discussion(f.ctx, bob, d.ID)
			require.NoError(t, err)
			assert.Equal(t, replies[2].CreatedAt, d.LastCommentAt)
			unread, err = f.svc.Unread(f.ctx, bob, d)
			require.NoError(t, err)
			assert.True(t, unread, "new replies since the marker")

			// Pages of two.
			var texts []string
			var after storage.Cursor
			for {
				page, next, err := f.svc.Comments(f.ctx, bob, d.ID, after, 2)
				require.NoError(t, err)
				for _, m := range page {
					texts = append(texts, m.Text)
				}
				if next.IsZero() {
					break
				}
				after = next
			}
			assert.Len(t, texts, 4)
			assert.Equal(t, "reply 2", texts[3])

			err = f.svc.DeleteComment(f.ctx, alice, first.ID)
			require.ErrorIs(t, err, groups.ErrInvalid, "the first message goes with the discussion")
			require.NoError(t, f.svc.DeleteComment(f.ctx, alice, replies[0].ID))
			_, err = f.svc.EditComment(f.ctx, bob, replies[1].ID, "not mine")
			require.ErrorIs(t, err, groups.ErrForbidden)

			require.NoError(t, f.svc.DeleteDiscussion(f.ctx, alice, d.ID))
			_, err = f.svc.Discussion(f.ctx, alice, d.ID)
			require.ErrorIs(t, err, groups.ErrNotFound)
			_, err = f.store.GetDiscussionComment(f.ctx, replies[1].ID)
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
}

// TestDiscussionValidation: every bad input is refused with the field
// named and changes nothing.
func TestDiscussionValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	alice := f.person("alice")
	g := f.group(alice, groups.Open)
	d, first, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: "T", Text: "x"})
	require.NoError(t, err)
	long := strings.Repeat("é", groups.MaxTitleLength+1)
	huge := strings.Repeat("a", groups.MaxCommentSize+1)
	before := f.hook.count()
	for _, tc := range []struct {
		name, field string
		do          func() error
	}{
		{"empty title", "title", func() error {
			_, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: " <b></b> ", Text: "x"})
			return err
		}},
		{"long title", "title", func() error {
			_, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: long, Text: "x"})
			return err
		}},
		{"empty text", "text", func() error {
			_, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: "T", Text: "<script>x</script>"})
			return err
		}},
		{"huge text", "text", func() error {
			_, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: "T", Text: huge})
			return err
		}},
		{"bad remote id", "ap_id", func() error {
			_, _, err := f.svc.CreateDiscussion(f.ctx, alice, g.ID, groups.DiscussionInput{Title: "T", Text: "x",
				Remote: groups.Remote{APID: "not a url"}})
			return err
		}},
		{"empty reply", "text", func() error { _, err := f.svc.Reply(f.ctx, alice, d.ID, groups.CommentInput{}); return err }},
		{"huge edit", "text", func() error { _, err := f.svc.EditComment(f.ctx, alice, first.ID, huge); return err }},
		{"long rename", "title", func() error { _, err := f.svc.RenameDiscussion(f.ctx, alice, d.ID, long); return err }},
	} {
		err := tc.do()
		var ve *groups.ValidationError
		require.ErrorAs(t, err, &ve, tc.name)
		assert.Equal(t, tc.field, ve.Field, tc.name)
		assert.ErrorIs(t, err, groups.ErrInvalid, tc.name)
	}
	assert.Equal(t, before, f.hook.count(), "nothing changed")
	ds, _, err := f.svc.Discussions(f.ctx, alice, g.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	assert.Len(t, ds, 1)

	_, err = f.svc.Reply(f.ctx, alice, "no-such-discussion", groups.CommentInput{Text: "x"})
	assert.ErrorIs(t, err, groups.ErrNotFound)
	_, _, err = f.svc.CreateDiscussion(f.ctx, alice, "no-such-group", groups.DiscussionInput{Title: "T", Text: "x"})
	assert.ErrorIs(t, err, groups.ErrNotFound)
}

// Example_discussion starts a discussion in a group and reads it as
// another member.
func Example_discussion() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	for _, name := range []string{"alice", "bob"} {
		_ = db.CreateActor(ctx, &identity.Actor{ID: name, APID: "https://events.example/@" + name,
			Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example"})
	}
	svc, _ := groups.New(groups.Config{Store: db, Actors: fakeActors{}, BaseURL: "https://events.example"})
	g, _ := svc.Create(ctx, "alice", groups.CreateInput{Username: "choir", DisplayName: "Choir", Openness: groups.Open})
	_, _ = svc.Join(ctx, g.ID, "bob", "")

	d, _, _ := svc.CreateDiscussion(ctx, "alice", g.ID, groups.DiscussionInput{Title: "Spring concert", Text: "<p>Which date?</p>"})
	_, _ = svc.Reply(ctx, "bob", d.ID, groups.CommentInput{Text: "<p>May 12!</p>"})
	msgs, _, _ := svc.Comments(ctx, "bob", d.ID, storage.Cursor{}, 0)
	fmt.Println(d.Title)
	for _, m := range msgs {
		fmt.Println(m.AuthorID+":", m.Text)
	}
	_, err = svc.Discussion(ctx, "carol", d.ID)
	fmt.Println("carol, not a member:", err != nil)
	// Output:
	// Spring concert
	// alice: <p>Which date?</p>
	// bob: <p>May 12!</p>
	// carol, not a member: true
}
