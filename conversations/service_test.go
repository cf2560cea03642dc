package conversations_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func TestNew(t *testing.T) {
	t.Parallel()
	db := sqlitetest.Open(t)
	for name, cfg := range map[string]conversations.Config{
		"no store":      {BaseURL: base},
		"no base":       {Store: db},
		"relative base": {Store: db, BaseURL: "/x"},
		"base path":     {Store: db, BaseURL: base + "/x"},
	} {
		_, err := conversations.New(cfg)
		require.Error(t, err, name)
	}
	_, err := conversations.New(conversations.Config{Store: db, BaseURL: base + "/"})
	require.NoError(t, err)
}

func TestWriteValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	long := strings.Repeat("a", conversations.MaxMessageSize+1)
	tests := []struct {
		name  string
		run   func() error
		field string
	}{
		{"empty text", func() error { _, _, err := f.svc.WriteToOrganizers(f.ctx, f.part.ID, f.event.ID, " "); return err }, "text"},
		{"only markup", func() error {
			_, _, err := f.svc.WriteToOrganizers(f.ctx, f.part.ID, f.event.ID, "<p><script>x</script></p>")
			return err
		}, "text"},
		{"too long", func() error { _, _, err := f.svc.WriteToOrganizers(f.ctx, f.part.ID, f.event.ID, long); return err }, "text"},
		{"no participant", func() error { _, _, err := f.svc.WriteToOrganizers(f.ctx, "", f.event.ID, "hi"); return err }, "participant_id"},
		{"no event", func() error { _, _, err := f.svc.WriteToParticipant(f.ctx, f.org.ID, "", f.part.ID, "hi"); return err }, "event_id"},
		{"long id", func() error {
			_, _, err := f.svc.WriteToParticipant(f.ctx, f.org.ID, f.event.ID, strings.Repeat("x", 101), "hi")
			return err
		}, "participant_id"},
		{"reply without text", func() error { _, err := f.svc.Reply(f.ctx, f.part.ID, f.id(), ""); return err }, "text"},
		{"announce bad role", func() error {
			_, err := f.svc.Announce(f.ctx, f.org.ID, f.event.ID, "hi", []events.ParticipantRole{events.RoleRejected})
			return err
		}, "roles"},
		{"announce organizers", func() error {
			_, err := f.svc.Announce(f.ctx, f.org.ID, f.event.ID, "hi", []events.ParticipantRole{events.RoleModerator})
			return err
		}, "roles"},
	}
	for _, tt := range tests {
		err := tt.run()
		require.ErrorIs(t, err, conversations.ErrInvalid, tt.name)
		var ve *conversations.ValidationError
		require.True(t, errors.As(err, &ve), tt.name)
		require.Equal(t, tt.field, ve.Field, tt.name)
	}
	n, k := f.count(f.event)
	require.Zero(t, n+k)
	require.Empty(t, f.hook.all())
}

func TestTextIsSanitized(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, m, err := f.svc.WriteToOrganizers(f.ctx, f.part.ID, f.event.ID,
		`<p onclick="x()">Hi <script>alert(1)</script><a href="javascript:x">link</a> <strong>bold</strong></p>`)
	require.NoError(t, err)
	require.NotContains(t, m.Text, "script")
	require.NotContains(t, m.Text, "onclick")
	require.NotContains(t, m.Text, "javascript")
	require.Contains(t, m.Text, "<strong>bold</strong>")
}

func TestOneConversationPerParticipant(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c1 := f.ask(f.part)
	f.tick()
	c2, m, err := f.svc.WriteToParticipant(f.ctx, f.eventMod.ID, f.event.ID, f.part.ID, "Yes there is")
	require.NoError(t, err)
	require.Equal(t, c1.ID, c2.ID)
	require.Equal(t, base+"/conversations/"+c1.ID, c1.APID)
	require.Equal(t, c1.APID+"/messages/"+m.ID, m.APID)
	require.True(t, m.Local)
	require.False(t, m.Announcement)
	ch := f.hook.all()
	require.Len(t, ch, 2)
	require.True(t, ch[0].Created)
	require.False(t, ch[1].Created)
	ms, next, err := f.svc.Messages(f.ctx, f.part.ID, c1.ID, storage.Cursor{}, 1)
	require.NoError(t, err)
	require.Len(t, ms, 1)
	require.Equal(t, f.part.ID, ms[0].AuthorID, "oldest first")
	require.False(t, next.IsZero())
	ms, next, err = f.svc.Messages(f.ctx, f.part.ID, c1.ID, next, 1)
	require.NoError(t, err)
	require.Equal(t, m.ID, ms[0].ID)
	ms, next, err = f.svc.Messages(f.ctx, f.part.ID, c1.ID, next, 1)
	require.NoError(t, err)
	require.Empty(t, ms)
	require.True(t, next.IsZero())
}

func TestListsShowRecentFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.ask(f.part)
	b := f.ask(f.pending)
	c := f.ask(f.waitlisted)
	f.tick()
	_, err := f.svc.Reply(f.ctx, f.org.ID, a.ID, "answer")
	require.NoError(t, err)
	var got []string
	var cur storage.Cursor
	for {
		cs, next, err := f.svc.EventConversations(f.ctx, f.org.ID, f.event.ID, cur, 2)
		require.NoError(t, err)
		for _, x := range cs {
			got = append(got, x.ID)
		}
		if next.IsZero() {
			break
		}
		cur = next
	}
	require.Equal(t, []string{a.ID, c.ID, b.ID}, got)
}

func TestAnnounce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	existing := f.ask(f.part)
	f.tick()
	n, err := f.svc.Announce(f.ctx, f.org.ID, f.event.ID, "<p>Room changed</p>", nil)
	require.NoError(t, err)
	require.Equal(t, 2, n, "default roles: participants (local and remote), not the anonymous one")
	ch := f.hook.all()[1:]
	require.Len(t, ch, 2)
	got := map[string]bool{}
	for _, c := range ch {
		require.True(t, c.Message.Announcement)
		require.Equal(t, f.org.ID, c.Message.AuthorID)
		require.Equal(t, []string{c.Conversation.ParticipantID}, c.Recipients)
		got[c.Conversation.ParticipantID] = true
		if c.Conversation.ParticipantID == f.part.ID {
			require.Equal(t, existing.ID, c.Conversation.ID, "into the existing conversation")
			require.False(t, c.Created)
		}
	}
	require.Equal(t, map[string]bool{f.part.ID: true, f.remotePart.ID: true}, got)

	n, err = f.svc.Announce(f.ctx, f.eventMod.ID, f.event.ID, "Doors at 7", conversations.AnnounceRoles())
	require.NoError(t, err)
	require.Equal(t, 4, n, "participants, waitlisted and pending")

	n, err = f.svc.Announce(f.ctx, f.groupMod.ID, f.groupEvent.ID, "Hello", nil)
	require.NoError(t, err)
	require.Equal(t, 1, n, "group moderators taking part are organizers, not recipients")

	for name, who := range map[string]*identity.Actor{"participant": f.part, "stranger": f.stranger, "remote": f.remotePart} {
		_, err = f.svc.Announce(f.ctx, who.ID, f.event.ID, "spam", nil)
		require.ErrorIs(t, err, conversations.ErrForbidden, name)
	}
	convs, msgs := f.count(f.event)
	require.Equal(t, 4, convs)
	require.Equal(t, 1+2+4, msgs)
}

func TestAnnounceCap(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.newEvent(f.org.ID, "", true)
	require.NoError(t, f.db.InTx(f.ctx, func(tx storage.Tx) error {
		st, err := storage.As[events.Store](tx)
		require.NoError(t, err)
		for i := range conversations.MaxAnnounceRecipients + 1 {
			id := f.id()
			require.NoError(t, st.CreateParticipant(f.ctx, &events.Participant{ID: id, EventID: e.ID, ActorID: id,
				Role: events.RoleParticipant, CreatedAt: t0.Add(time.Duration(i) * time.Millisecond), UpdatedAt: t0}))
		}
		return nil
	}))
	_, err := f.svc.Announce(f.ctx, f.org.ID, e.ID, "too many", nil)
	require.ErrorIs(t, err, conversations.ErrTooManyRecipients)
	n, k := f.count(e)
	require.Zero(t, n+k, "nothing written")
	require.Empty(t, f.hook.all())
}

func TestHookErrorRollsBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	boom := errors.New("boom")
	f.hook.fail(boom)
	_, _, err := f.svc.WriteToOrganizers(f.ctx, f.part.ID, f.event.ID, "hi")
	require.ErrorIs(t, err, boom)
	_, err = f.svc.Announce(f.ctx, f.org.ID, f.event.ID, "hi", nil)
	require.ErrorIs(t, err, boom)
	_, err = f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: f.remotePart.ID,
		APID: "https://remote.example/notes/1", Text: "hi", EventID: f.event.ID, ParticipantID: f.remotePart.ID})
	require.ErrorIs(t, err, boom)
	n, k := f.count(f.event)
	require.Zero(t, n+k, "the hook's error rolls the message and its conversation back")
}

func TestReceive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	note := func(apID string) conversations.RemoteMessage {
		return conversations.RemoteMessage{AuthorID: f.remotePart.ID, APID: "https://remote.example/notes/" + apID,
			Text: "<p>Can I bring a friend?</p>", EventID: f.event.ID, ParticipantID: f.remotePart.ID,
			Published: t0.Add(-time.Hour)}
	}
	m, err := f.svc.Receive(f.ctx, note("1"))
	require.NoError(t, err)
	require.False(t, m.Local)
	require.Equal(t, t0.Add(-time.Hour), m.CreatedAt, "published is kept")
	ch := f.hook.all()
	require.Len(t, ch, 1)
	require.True(t, ch[0].FromParticipant)
	require.ElementsMatch(t, []string{f.org.ID, f.eventMod.ID}, ch[0].Recipients)

	again, err := f.svc.Receive(f.ctx, note("1"))
	require.NoError(t, err, "idempotent")
	require.Equal(t, *m, *again)
	require.Len(t, f.hook.all(), 1, "no second hook call")

	forged := note("1")
	forged.AuthorID = f.remoteOrg.ID
	_, err = f.svc.Receive(f.ctx, forged)
	require.ErrorIs(t, err, storage.ErrConflict, "the same id by another author")

	// The organizer answers; the remote participant replies to it.
	f.tick()
	answer, err := f.svc.Reply(f.ctx, f.org.ID, m.ConversationID, "Sure")
	require.NoError(t, err)
	reply := conversations.RemoteMessage{AuthorID: f.remotePart.ID, APID: "https://remote.example/notes/2",
		Text: "Thanks", InReplyTo: answer.APID, Published: t0.Add(time.Hour)}
	f.tick()
	r, err := f.svc.Receive(f.ctx, reply)
	require.NoError(t, err)
	require.Equal(t, m.ConversationID, r.ConversationID)
	require.Equal(t, f.now, r.CreatedAt, "a future published time is now")
	c, _, err := f.svc.Conversation(f.ctx, f.org.ID, m.ConversationID)
	require.NoError(t, err)
	byContext := conversations.RemoteMessage{AuthorID: f.remotePart.ID, APID: "https://remote.example/notes/3",
		Text: "And parking?", Context: c.APID}
	r, err = f.svc.Receive(f.ctx, byContext)
	require.NoError(t, err)
	require.Equal(t, c.ID, r.ConversationID)

	// A remote organizer of a remote event writes to a local participant.
	m, err = f.svc.Receive(f.ctx, conversations.RemoteMessage{AuthorID: f.remoteOrg.ID,
		APID: "https://remote.example/notes/4", Text: "See you", EventID: f.remoteEvent.ID, ParticipantID: f.localPart.ID})
	require.NoError(t, err)
	mine, _, err := f.svc.MyConversations(f.ctx, f.localPart.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.False(t, mine[0].Local)
	require.Equal(t, m.ConversationID, mine[0].ID)
	last := f.hook.all()
	require.Equal(t, []string{f.localPart.ID}, last[len(last)-1].Recipients)
	// and the local participant answers the remote organizers.
	_, err = f.svc.Reply(f.ctx, f.localPart.ID, m.ConversationID, "Thanks!")
	require.NoError(t, err)
	last = f.hook.all()
	require.Equal(t, []string{f.remoteOrg.ID}, last[len(last)-1].Recipients)
}

func TestReceiveRefusals(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.ask(f.part)
	ok := func() conversations.RemoteMessage {
		return conversations.RemoteMessage{AuthorID: f.remotePart.ID, APID: "https://remote.example/notes/x",
			Text: "hi", EventID: f.event.ID, ParticipantID: f.remotePart.ID}
	}
	tests := []struct {
		name   string
		change func(m *conversations.RemoteMessage)
		want   error
	}{
		{"local author", func(m *conversations.RemoteMessage) { m.AuthorID, m.ParticipantID = f.part.ID, f.part.ID }, conversations.ErrForbidden},
		{"unknown author", func(m *conversations.RemoteMessage) { m.AuthorID, m.ParticipantID = f.id(), f.id() }, conversations.ErrNotFound},
		{"id on another host", func(m *conversations.RemoteMessage) { m.APID = "https://evil.example/notes/1" }, conversations.ErrForbidden},
		{"local id", func(m *conversations.RemoteMessage) { m.APID = base + "/conversations/x" }, conversations.ErrInvalid},
		{"no id", func(m *conversations.RemoteMessage) { m.APID = "" }, conversations.ErrInvalid},
		{"not a URL", func(m *conversations.RemoteMessage) { m.APID = "urn:x" }, conversations.ErrInvalid},
		{"no text", func(m *conversations.RemoteMessage) { m.Text = "<b></b>" }, conversations.ErrInvalid},
		{"no conversation named", func(m *conversations.RemoteMessage) { m.EventID, m.ParticipantID = "", "" }, conversations.ErrInvalid},
		{"event without participant", func(m *conversations.RemoteMessage) { m.ParticipantID = "" }, conversations.ErrInvalid},
		{"unknown reply", func(m *conversations.RemoteMessage) { m.InReplyTo = base + "/conversations/none/messages/x" }, conversations.ErrNotFound},
		{"unknown context", func(m *conversations.RemoteMessage) { m.Context = base + "/conversations/none" }, conversations.ErrNotFound},
		{"context of another conversation", func(m *conversations.RemoteMessage) { m.Context = c.APID }, conversations.ErrInvalid},
		{"unknown event", func(m *conversations.RemoteMessage) { m.EventID = f.id() }, conversations.ErrNotFound},
		{"remote participant of a remote event", func(m *conversations.RemoteMessage) { m.EventID = f.remoteEvent.ID }, conversations.ErrForbidden},
		{"remote stranger", func(m *conversations.RemoteMessage) { m.AuthorID, m.ParticipantID = f.remoteOrg.ID, f.remoteOrg.ID }, conversations.ErrNotParticipating},
		{"remote non-organizer to a local participant", func(m *conversations.RemoteMessage) { m.ParticipantID = f.part.ID }, conversations.ErrForbidden},
		{"remote organizer to a remote participant", func(m *conversations.RemoteMessage) {
			m.AuthorID, m.EventID, m.ParticipantID = f.remoteOrg.ID, f.remoteEvent.ID, f.remotePart.ID
		}, conversations.ErrForbidden},
		{"remote organizer to a stranger", func(m *conversations.RemoteMessage) {
			m.AuthorID, m.EventID, m.ParticipantID = f.remoteOrg.ID, f.remoteEvent.ID, f.stranger.ID
		}, conversations.ErrNotParticipating},
	}
	for _, tt := range tests {
		m := ok()
		tt.change(&m)
		_, err := f.svc.Receive(f.ctx, m)
		requireErr(t, tt.want, err, tt.name)
	}
	n, k := f.count(f.event)
	require.Equal(t, 1, n)
	require.Equal(t, 1, k, "nothing received")
	n, k = f.count(f.remoteEvent)
	require.Zero(t, n+k)
	_, err := f.svc.Receive(f.ctx, ok())
	require.NoError(t, err, "the base case is accepted")
}
