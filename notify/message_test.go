package notify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

func TestParticipantsMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := testNow
	w := newWorld(t, Config{Now: func() time.Time { return now }})
	m, err := NewMessenger(w.n)
	require.NoError(t, err)
	from := w.dir.profiles["org"]

	sent, err := m.ParticipantsMessage(ctx, &w.event, from, " Bring  tools\n", "Hello all,\r\nbring your tools.\x07")
	require.NoError(t, err)
	msgs := w.mail.Messages()
	require.Len(t, msgs, sent)
	var to []string
	for _, msg := range msgs {
		to = append(to, msg.To)
		assert.Equal(t, string(ParticipantsMessageKind), msg.Kind)
	}
	sort.Strings(to)
	// Alice once for two profiles, Zoé, the confirmed anonymous
	// participant; not the organizer, remote, unconfirmed, suspended,
	// rejected or unconfirmed anonymous participants.
	assert.Equal(t, []string{"alice@example.net", "anon@example.net", "zoe@example.net"}, to)
	for _, msg := range msgs {
		assert.Equal(t, "[Repair Café] Bring tools", msg.Subject)
		assert.Contains(t, msg.Text, "Hello all,\nbring your tools.\n")
		assert.NotContains(t, msg.Text, "\x07")
		assert.Contains(t, msg.Text, "https://events.example/events/ev1")
		if msg.To == "zoe@example.net" || msg.To == "anon@example.net" {
			assert.Contains(t, msg.Text, "Repair Café, qui organise cet événement")
		} else {
			assert.Contains(t, msg.Text, "Repair Café, who organizes this event")
		}
	}

	// Rate limited per event.
	_, err = m.ParticipantsMessage(ctx, &w.event, from, "Again", "Again")
	require.ErrorIs(t, err, ErrMessageTooSoon)
	require.Len(t, w.mail.Messages(), sent)
	now = now.Add(MessageInterval)
	n, err := m.ParticipantsMessage(ctx, &w.event, from, "Again", "Again")
	require.NoError(t, err)
	assert.Equal(t, sent, n)
}

func TestParticipantsMessageRefuses(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{})
	m, err := NewMessenger(w.n)
	require.NoError(t, err)
	from := w.dir.profiles["org"]
	for name, tc := range map[string]struct{ subject, text string }{
		"empty subject": {"  ", "text"},
		"empty text":    {"subject", "\n\t "},
		"long subject":  {strings.Repeat("s", MaxMessageSubject+1), "text"},
		"long text":     {"subject", strings.Repeat("é", MaxMessageText+1)},
	} {
		_, err := m.ParticipantsMessage(context.Background(), &w.event, from, tc.subject, tc.text)
		assert.ErrorIs(t, err, ErrInvalidMessage, name)
	}
	assert.Zero(t, w.mail.Len())
	// A refused message does not count against the rate limit.
	_, err = m.ParticipantsMessage(context.Background(), &w.event, from, "ok", "ok")
	require.NoError(t, err)
	_, err = NewMessenger(nil)
	require.Error(t, err)
	_, err = m.ParticipantsMessage(context.Background(), nil, from, "ok", "ok")
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrMessageTooSoon))
}

// TestAnonymousParticipantsMessage: only the anonymous participants are
// mailed, after before; a failing before mails nothing and frees the
// interval; a refused message never runs before.
func TestAnonymousParticipantsMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	m, err := NewMessenger(w.n)
	require.NoError(t, err)
	from := w.dir.profiles["org"]

	calls := 0
	failing := func(context.Context) error { calls++; return errors.New("announce failed") }
	_, err = m.AnonymousParticipantsMessage(ctx, &w.event, from, "", "text", failing)
	require.ErrorIs(t, err, ErrInvalidMessage)
	assert.Zero(t, calls, "a refused message runs nothing")
	_, err = m.AnonymousParticipantsMessage(ctx, &w.event, from, "Bring tools", "Please", failing)
	require.EqualError(t, err, "announce failed")
	assert.Equal(t, 1, calls)
	assert.Zero(t, w.mail.Len(), "nothing is mailed when before fails")

	// The failure freed the interval: the next message goes out, to the
	// confirmed anonymous participant alone.
	mailedBefore := -1
	sent, err := m.AnonymousParticipantsMessage(ctx, &w.event, from, "Bring tools", "Please", func(context.Context) error {
		mailedBefore = w.mail.Len()
		return nil
	})
	require.NoError(t, err)
	assert.Zero(t, mailedBefore, "before runs before any mail")
	assert.Equal(t, 1, sent)
	msgs := w.mail.Messages()
	require.Len(t, msgs, 1)
	assert.Equal(t, "anon@example.net", msgs[0].To)
	assert.Equal(t, string(ParticipantsMessageKind), msgs[0].Kind)

	// The interval holds for both kinds of message.
	_, err = m.AnonymousParticipantsMessage(ctx, &w.event, from, "Again", "Again", nil)
	require.ErrorIs(t, err, ErrMessageTooSoon)
	_, err = m.ParticipantsMessage(ctx, &w.event, from, "Again", "Again")
	require.ErrorIs(t, err, ErrMessageTooSoon)
}

// TestAnonymousParticipantsMessageCountsAnonymousOnly: the participants
// with a profile, however many joined first, do not use up the
// MaxRecipients of an anonymous-only message; the anonymous ones are
// bounded by it.
func TestAnonymousParticipantsMessageCountsAnonymousOnly(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	at := testNow.Add(-time.Hour)
	var ps []events.Participant
	add := func(n int, anonymous bool) {
		for range n {
			at = at.Add(time.Millisecond)
			p := events.Participant{ID: fmt.Sprintf("p%06d", len(ps)), EventID: "ev1", Role: events.RoleParticipant, CreatedAt: at}
			if anonymous {
				p.Email = fmt.Sprintf("anon%d@example.net", len(ps)-MaxRecipients-100)
			} else {
				p.ActorID = fmt.Sprintf("someone-%d", len(ps))
			}
			ps = append(ps, p)
		}
	}
	add(MaxRecipients+100, false) // joined first, with a profile
	add(3, true)
	w.events.parts["ev1"] = ps
	m, err := NewMessenger(w.n)
	require.NoError(t, err)
	sent, err := m.AnonymousParticipantsMessage(ctx, &w.event, w.dir.profiles["org"], "Bring tools", "Please", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, sent, "the anonymous participants after the first MaxRecipients are mailed")
	assert.Equal(t, []string{"anon0@example.net", "anon1@example.net", "anon2@example.net"}, recipients(w.mail))

	// More anonymous participants than MaxRecipients: the first ones.
	w.mail.Reset()
	add(MaxRecipients, true)
	w.events.parts["ev1"] = ps
	m, err = NewMessenger(w.n)
	require.NoError(t, err)
	sent, err = m.AnonymousParticipantsMessage(ctx, &w.event, w.dir.profiles["org"], "Bring tools", "Please", nil)
	require.NoError(t, err)
	assert.Equal(t, MaxRecipients, sent)
	assert.Equal(t, MaxRecipients, w.mail.Len())
}
