package notify

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
)

var _ conversations.Hook = (*Notifier)(nil)

func conversationChange(w *world, author string, recipients ...string) conversations.Change {
	c := &conversations.Conversation{ID: "c1", APID: "https://events.example/conversations/c1", EventID: "ev1",
		ParticipantID: "zoe", Local: true}
	m := &conversations.Message{ID: "m1", APID: c.APID + "/messages/m1", ConversationID: "c1", AuthorID: author,
		Text: `<p>Is there a <strong>ramp</strong>?</p><script>alert(1)</script>`, Local: true}
	return conversations.Change{Event: &w.event, Conversation: c, Message: m, Recipients: recipients,
		FromParticipant: author == "zoe"}
}

func TestConversationMail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		author     string
		recipients []string
		want       []string
		says       string
	}{
		{"participant to organizers", "zoe", []string{"alice", "alice2", "org", "remote-actor", "unconf", "susp"},
			[]string{"alice@example.net", "org@example.net"}, "Zoé vous a envoyé un message privé"},
		{"organizer to participant", "org", []string{"zoe"}, []string{"zoe@example.net"}, "Repair Café vous a envoyé"},
		{"not the author's own account", "alice", []string{"alice2", "zoe"}, []string{"zoe@example.net"}, "Alice vous a envoyé"},
		{"remote recipient only", "org", []string{"remote-actor"}, nil, ""},
		{"no recipient", "org", nil, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t, Config{})
			ctx := context.Background()
			tx := &fakeTx{}
			require.NoError(t, w.n.ConversationChanged(ctx, tx, conversationChange(w, tt.author, tt.recipients...)))
			w.drain(ctx)
			assert.Empty(t, w.mail.Messages(), "nothing before the commit")
			tx.commit()
			w.drain(ctx)
			assert.ElementsMatch(t, tt.want, recipients(w.mail))
			for _, m := range w.mail.Messages() {
				assert.Equal(t, string(ConversationMessage), m.Kind)
				assert.Contains(t, m.Text, "Is there a ramp?")
				assert.NotContains(t, m.Text, "alert")
				assert.Contains(t, m.Text, "https://events.example/conversations/c1\n", "the conversation's page")
				if m.To == "zoe@example.net" {
					assert.Equal(t, "[Repair Café] Nouveau message privé", m.Subject)
					assert.Contains(t, m.Text, tt.says)
				} else {
					assert.Equal(t, "[Repair Café] New private message", m.Subject)
					assert.Contains(t, m.Text, "Zoé sent you a private message")
				}
			}
		})
	}
}

func TestConversationMailWithoutAfterCommit(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{})
	ctx := context.Background()
	require.NoError(t, w.n.ConversationChanged(ctx, plainTx{}, conversationChange(w, "org", "zoe")))
	w.drain(ctx)
	assert.Empty(t, w.mail.Messages(), "dropped, and the change is not failed")
}

// TestAnnouncementsDoNotFillTheQueue: an announcement queues one notice
// per recipient (up to conversations.MaxAnnounceRecipients, in one
// committed transaction). With notices already waiting, and even with
// a second full-size announcement before Run catches up, none is
// dropped, and each recipient is mailed.
func TestAnnouncementsDoNotFillTheQueue(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{})
	ctx := context.Background()
	pending := &fakeTx{}
	for range 10 { // notices already waiting
		require.NoError(t, w.n.ConversationChanged(ctx, pending, conversationChange(w, "org", "zoe")))
	}
	pending.commit()
	for range 2 {
		tx := &fakeTx{}
		for range conversations.MaxAnnounceRecipients {
			require.NoError(t, w.n.ConversationChanged(ctx, tx, conversationChange(w, "org", "zoe")))
		}
		tx.commit()
	}
	assert.Zero(t, w.n.Dropped(), "announcement notices dropped because the queue is full")
	assert.Len(t, w.n.queue, 10+2*conversations.MaxAnnounceRecipients)
	assert.Greater(t, QueueSize, 4*conversations.MaxAnnounceRecipients-1, "room for several announcements")
}

// TestAnnouncementMail: an announcement says so, in the recipient's
// language.
func TestAnnouncementMail(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{})
	ctx := context.Background()
	tx := &fakeTx{}
	c := conversationChange(w, "org", "zoe")
	c.Message.Announcement = true
	require.NoError(t, w.n.ConversationChanged(ctx, tx, c))
	tx.commit()
	w.drain(ctx)
	msgs := w.mail.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "[Repair Café] Annonce des organisateurs", msgs[0].Subject)
	assert.Contains(t, msgs[0].Text, "Repair Café a envoyé une annonce aux participants de cet événement")
}
