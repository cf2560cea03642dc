package conversations_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// TestUnreadTransitions follows one thread between a participant and two
// organizers: each step's writes and reads, then who has it unread and
// the participant's count.
func TestUnreadTransitions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var c *conversations.Conversation
	reload := func() {
		t.Helper()
		got, _, err := f.svc.Conversation(f.ctx, f.part.ID, c.ID)
		require.NoError(t, err)
		c = got
	}
	steps := []struct {
		name string
		do   func()
		// unread for part, org, eventMod
		part, org, mod bool
	}{
		{"the participant asks: their own message is read, new to both organizers", func() {
			c = f.ask(f.part)
		}, false, true, true},
		{"the organizer reads it", func() {
			require.NoError(t, f.svc.MarkRead(f.ctx, f.org.ID, c.ID))
		}, false, false, true},
		{"reading again changes nothing", func() {
			f.tick()
			require.NoError(t, f.svc.MarkRead(f.ctx, f.org.ID, c.ID))
		}, false, false, true},
		{"the organizer answers: new to the participant, not to its author, new to the co-organizer", func() {
			f.tick()
			_, err := f.svc.Reply(f.ctx, f.org.ID, c.ID, "<p>Yes.</p>")
			require.NoError(t, err)
		}, true, false, true},
		{"the participant reads it", func() {
			require.NoError(t, f.svc.MarkRead(f.ctx, f.part.ID, c.ID))
		}, false, false, true},
		{"the co-organizer answers without reading: read for them, new to the others", func() {
			f.tick()
			_, err := f.svc.Reply(f.ctx, f.eventMod.ID, c.ID, "<p>And a lift.</p>")
			require.NoError(t, err)
		}, true, true, false},
		{"an announcement lands in the thread: read for its author only", func() {
			require.NoError(t, f.svc.MarkRead(f.ctx, f.part.ID, c.ID))
			require.NoError(t, f.svc.MarkRead(f.ctx, f.eventMod.ID, c.ID))
			f.tick()
			n, err := f.svc.Announce(f.ctx, f.org.ID, f.event.ID, "<p>Doors at 7.</p>", nil)
			require.NoError(t, err)
			require.Positive(t, n)
		}, true, false, true},
		{"the participant answers: read for them, new to both organizers", func() {
			f.tick()
			_, err := f.svc.Reply(f.ctx, f.part.ID, c.ID, "<p>Thanks!</p>")
			require.NoError(t, err)
		}, false, true, true},
	}
	for _, s := range steps {
		s.do()
		reload()
		for _, who := range []struct {
			a    *identity.Actor
			want bool
		}{{f.part, s.part}, {f.org, s.org}, {f.eventMod, s.mod}} {
			got, err := f.svc.Unread(f.ctx, who.a.ID, c)
			require.NoError(t, err, s.name)
			require.Equal(t, who.want, got, "%s: unread for %s", s.name, who.a.Username)
		}
		n, err := f.svc.UnreadCount(f.ctx, f.part.ID)
		require.NoError(t, err, s.name)
		want := 0
		if s.part {
			want = 1
		}
		require.Equal(t, want, n, "%s: the participant's count", s.name)
	}
}

// TestUnreadReceived: a remote participant's message is new to the
// organizers; the remote author gets no marker here.
func TestUnreadReceived(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.tick()
	m, err := f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: f.remotePart.ID,
		APID: "https://remote.example/notes/1", Text: "<p>Hello</p>", EventID: f.event.ID, ParticipantID: f.remotePart.ID})
	require.NoError(t, err)
	c, _, err := f.svc.Conversation(f.ctx, f.org.ID, m.ConversationID)
	require.NoError(t, err)
	unread, err := f.svc.Unread(f.ctx, f.org.ID, c)
	require.NoError(t, err)
	require.True(t, unread)
	_, err = f.db.GetConversationRead(f.ctx, c.ID, f.remotePart.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "no marker for a remote author")
}

// TestMarkReadRefusals: only those who may read a conversation mark it;
// a refusal stores no marker.
func TestMarkReadRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.ask(f.part)
	tests := []struct {
		name     string
		viewer   string
		conv     string
		want     error
		prepared func()
	}{
		{"a stranger", f.stranger.ID, c.ID, conversations.ErrNotFound, nil},
		{"another participant", f.pending.ID, c.ID, conversations.ErrNotFound, nil},
		{"a remote organizer of another event", f.remoteOrg.ID, c.ID, conversations.ErrNotFound, nil},
		{"an unknown conversation", f.org.ID, f.id(), conversations.ErrNotFound, nil},
		{"no viewer", "", c.ID, conversations.ErrInvalid, nil},
		{"no conversation", f.org.ID, "", conversations.ErrInvalid, nil},
		{"a former organizer", f.eventMod.ID, c.ID, conversations.ErrNotFound, func() {
			f.setRole(f.event, f.eventMod, events.RoleParticipant)
		}},
	}
	for _, tt := range tests {
		if tt.prepared != nil {
			tt.prepared()
		}
		err := f.svc.MarkRead(f.ctx, tt.viewer, tt.conv)
		requireErr(t, tt.want, err, tt.name)
		if tt.viewer != "" {
			_, err = f.db.GetConversationRead(f.ctx, c.ID, tt.viewer)
			require.ErrorIs(t, err, storage.ErrNotFound, "%s: nothing stored", tt.name)
		}
	}

	// The participant marks their thread even after leaving the event.
	f.tick()
	_, err := f.svc.Reply(f.ctx, f.org.ID, c.ID, "<p>Sorry.</p>")
	require.NoError(t, err)
	f.setRole(f.event, f.part, events.RoleRejected)
	require.NoError(t, f.svc.MarkRead(f.ctx, f.part.ID, c.ID))
	n, err := f.svc.UnreadCount(f.ctx, f.part.ID)
	require.NoError(t, err)
	require.Zero(t, n)

	_, err = f.svc.UnreadCount(f.ctx, "")
	require.ErrorIs(t, err, conversations.ErrInvalid)
}
