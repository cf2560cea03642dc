package events_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func TestHideEvent(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b.open(t))
			alice, bob, carol := f.actor("alice"), f.actor("bob"), f.actor("carol")
			in := input("Picnic")
			in.AnonymousParticipation = true
			e := f.create(alice, in)
			_, err := f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{})
			require.NoError(t, err)
			c, err := f.svc.Comment(f.ctx, bob, e.ID, events.CommentInput{Text: "See you there"})
			require.NoError(t, err)
			_, anonTokens, err := f.svc.JoinAnonymously(f.ctx, e.ID, events.AnonymousJoin{Email: "anon@mail.example"})
			require.NoError(t, err)
			listed := func() bool {
				t.Helper()
				page, err := f.svc.Search(f.ctx, events.Query{})
				require.NoError(t, err)
				return len(page.Occurrences) == 1
			}
			require.True(t, listed())
			before := len(f.hook.kinds())

			require.NoError(t, f.svc.HideEvent(f.ctx, e.ID, true))
			require.NoError(t, f.svc.HideEvent(f.ctx, e.ID, true), "hiding twice changes nothing")
			assert.Equal(t, []events.ChangeKind{events.EventHidden}, f.hook.kinds()[before:],
				"one change, which the outbox ignores")
			require.True(t, f.hook.changes[before].Event.Hidden)

			// Not found for everyone through the service, organizer included.
			assert.False(t, listed(), "search leaves it out")
			for _, viewer := range []string{"", alice, bob, carol} {
				_, err := f.svc.Get(f.ctx, viewer, e.ID)
				assert.ErrorIs(t, err, events.ErrNotFound, "Get by %q", viewer)
				_, _, err = f.svc.Comments(f.ctx, viewer, e.ID, "", 0)
				assert.ErrorIs(t, err, events.ErrNotFound, "Comments by %q", viewer)
			}
			refused := map[string]error{}
			_, refused["join"] = f.svc.Join(f.ctx, e.ID, carol, events.JoinInput{})
			_, _, refused["join anonymously"] = f.svc.JoinAnonymously(f.ctx, e.ID, events.AnonymousJoin{Email: "other@mail.example"})
			_, refused["confirm anonymous"] = f.svc.ConfirmAnonymous(f.ctx, anonTokens.Confirm)
			_, refused["comment"] = f.svc.Comment(f.ctx, bob, e.ID, events.CommentInput{Text: "Hello?"})
			_, refused["edit comment"] = f.svc.EditComment(f.ctx, bob, c.ID, "Edited")
			_, refused["update"] = f.svc.Update(f.ctx, alice, e.ID, input("Picnic again"))
			_, refused["cancel"] = f.svc.Cancel(f.ctx, alice, e.ID)
			_, _, refused["participants"] = f.svc.Participants(f.ctx, alice, e.ID, nil, "", 0)
			for what, err := range refused {
				assert.ErrorIs(t, err, events.ErrNotFound, what)
			}
			assert.Equal(t, []events.ChangeKind{events.EventHidden}, f.hook.kinds()[before:], "nothing changed")

			// The moderators still see it; the store keeps it.
			got, err := f.svc.GetForModeration(f.ctx, e.ID)
			require.NoError(t, err)
			assert.True(t, got.Hidden)
			assert.Equal(t, e.UpdatedAt, got.UpdatedAt, "hiding is no update")
			assert.Equal(t, e.Sequence, got.Sequence)

			// Shown again: everything works again.
			require.NoError(t, f.svc.HideEvent(f.ctx, e.ID, false))
			assert.Equal(t, []events.ChangeKind{events.EventHidden, events.EventShown}, f.hook.kinds()[before:])
			assert.True(t, listed())
			got, err = f.svc.Get(f.ctx, "", e.ID)
			require.NoError(t, err)
			assert.False(t, got.Hidden)
			_, err = f.svc.Join(f.ctx, e.ID, carol, events.JoinInput{})
			require.NoError(t, err)
			cs, _, err := f.svc.Comments(f.ctx, carol, e.ID, "", 0)
			require.NoError(t, err)
			assert.Len(t, cs, 1)
		})
	}
}

func TestHiddenEventKeepsLeavingAndDeleting(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice, bob := f.actor("alice"), f.actor("bob")
	e := f.create(alice, input("Picnic"))
	_, err := f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{})
	require.NoError(t, err)
	require.NoError(t, f.svc.HideEvent(f.ctx, e.ID, true))

	require.NoError(t, f.svc.Leave(f.ctx, e.ID, bob), "a participant may leave a hidden event")
	require.NoError(t, f.svc.Delete(f.ctx, alice, e.ID), "its organizer may delete it")
	_, err = f.svc.GetForModeration(f.ctx, e.ID)
	require.ErrorIs(t, err, events.ErrNotFound)
	require.ErrorIs(t, f.svc.HideEvent(f.ctx, e.ID, false), events.ErrNotFound)
	require.ErrorIs(t, f.svc.HideEvent(f.ctx, "no-such-event", true), events.ErrNotFound)
}

// TestUpdatesKeepAnEventHidden: UpdateEvent, as the inbox calls it for a
// remote Update converted from the wire (Hidden false), keeps the event
// hidden.
func TestUpdatesKeepAnEventHidden(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice := f.actor("alice")
	e := f.create(alice, input("Picnic"))
	require.NoError(t, f.svc.HideEvent(f.ctx, e.ID, true))
	fromWire := *e
	fromWire.Title, fromWire.Hidden = "Picnic (moved)", false
	require.NoError(t, f.store.UpdateEvent(f.ctx, &fromWire))
	got, err := f.svc.GetForModeration(f.ctx, e.ID)
	require.NoError(t, err)
	assert.True(t, got.Hidden)
	assert.Equal(t, "Picnic (moved)", got.Title)
	_, err = f.svc.Get(f.ctx, "", e.ID)
	require.ErrorIs(t, err, events.ErrNotFound)
}
