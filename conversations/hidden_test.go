package conversations_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
)

// TestHiddenEventConversations: an event the instance's moderators hid
// is not found for everyone, as in the events service: its
// conversations are not read, and nothing is written, announced or
// received about it (so nothing is mailed or sent).
func TestHiddenEventConversations(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.ask(f.part)
	require.NoError(t, f.db.SetEventHidden(f.ctx, f.event.ID, true))
	before := len(f.hook.all())

	_, _, err := f.svc.Conversation(f.ctx, f.part.ID, c.ID)
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	_, _, err = f.svc.Conversation(f.ctx, f.org.ID, c.ID)
	assert.ErrorIs(t, err, conversations.ErrNotFound, "organizers too")
	_, _, err = f.svc.EventConversations(f.ctx, f.org.ID, f.event.ID, storage.Cursor{}, 10)
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	f.tick()
	_, err = f.svc.Reply(f.ctx, f.part.ID, c.ID, "still there?")
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	_, _, err = f.svc.WriteToOrganizers(f.ctx, f.pending.ID, f.event.ID, "hello")
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	_, _, err = f.svc.WriteToParticipant(f.ctx, f.org.ID, f.event.ID, f.part.ID, "hello")
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	_, err = f.svc.Announce(f.ctx, f.org.ID, f.event.ID, "buy my cure", nil)
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	_, err = f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: f.remotePart.ID,
		APID: "https://remote.example/notes/h1", Text: "hi", EventID: f.event.ID, ParticipantID: f.remotePart.ID})
	assert.ErrorIs(t, err, conversations.ErrNotFound)
	assert.Len(t, f.hook.all(), before, "nothing mailed or sent about a hidden event")

	require.NoError(t, f.db.SetEventHidden(f.ctx, f.event.ID, false))
	_, _, err = f.svc.Conversation(f.ctx, f.part.ID, c.ID)
	assert.NoError(t, err, "shown again")
}

// TestReceiveOnPrivateEventsRevealsNothing: a stranger's message about a
// private event is "not found", as about no event at all.
func TestReceiveOnPrivateEventsRevealsNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	stranger := f.actor("remote.example", "stranger2")
	_, err := f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: stranger.ID,
		APID: "https://remote.example/notes/p1", Text: "hi", EventID: f.event.ID, ParticipantID: stranger.ID})
	require.ErrorIs(t, err, conversations.ErrNotParticipating, "a public event says so")
	e := *f.event
	e.Visibility = events.Private
	require.NoError(t, f.db.UpdateEvent(f.ctx, &e))
	_, err = f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: stranger.ID,
		APID: "https://remote.example/notes/p2", Text: "hi", EventID: f.event.ID, ParticipantID: stranger.ID})
	require.ErrorIs(t, err, conversations.ErrNotFound, "a private one does not exist to outsiders")
}

// TestReceiveLimit: one remote author's messages beyond
// MaxReceivedPerAuthor in ReceiveWindow are refused until the window
// moves on; other authors are not concerned.
func TestReceiveLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	receive := func(n int) error {
		_, err := f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: f.remotePart.ID,
			APID: fmt.Sprintf("https://remote.example/notes/l%d", n), Text: "hi", EventID: f.event.ID,
			ParticipantID: f.remotePart.ID})
		return err
	}
	for i := range conversations.MaxReceivedPerAuthor {
		require.NoError(t, receive(i), i)
	}
	require.ErrorIs(t, receive(conversations.MaxReceivedPerAuthor), conversations.ErrTooManyMessages)
	f.now = f.now.Add(conversations.ReceiveWindow + time.Second)
	require.NoError(t, receive(conversations.MaxReceivedPerAuthor+1), "the window moved on")
}
