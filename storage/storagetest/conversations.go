package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/storage"
)

// conversationCases check conversations.Store: conversations and their
// messages. The read contracts it embeds (events, memberships, actors)
// are checked by their own cases; here they are only required to be
// there, on the backend and on its transactions.
func conversationCases() []testCase {
	return []testCase{
		{"RoundTrip", testConversationRoundTrip},
		{"Errors", testConversationErrors},
		{"ListActive", testListConversations},
		{"Messages", testConversationMessages},
		{"ReadMarkers", testConversationReads},
		{"CountUnread", testCountUnreadConversations},
		{"GoWithEvent", testConversationsGoWithEvent},
		{"RolledBack", testConversationsRolledBack},
	}
}

func (w *world) conversations() conversations.Store {
	w.t.Helper()
	c, ok := w.b.(conversations.Store)
	require.True(w.t, ok, "the backend must implement conversations.Store")
	return c
}

// newConversation returns an unstored conversation with every field set.
func (w *world) newConversation(eventID, participantID string) *conversations.Conversation {
	id := w.id()
	return &conversations.Conversation{ID: id, APID: "https://convene.test/conversations/" + id, EventID: eventID,
		ParticipantID: participantID, Local: true, LastMessageAt: at(-time.Minute), CreatedAt: at(-time.Hour)}
}

func (w *world) conversation(eventID, participantID string) *conversations.Conversation {
	w.t.Helper()
	c := w.newConversation(eventID, participantID)
	require.NoError(w.t, w.conversations().CreateConversation(w.ctx, c))
	return c
}

// newMessage returns an unstored message with every field set.
func (w *world) newMessage(c *conversations.Conversation, authorID string, created time.Time) *conversations.Message {
	id := w.id()
	return &conversations.Message{ID: id, APID: c.APID + "/messages/" + id, ConversationID: c.ID, AuthorID: authorID,
		Text: "<p>Is there a <strong>ramp</strong>? ünïcode</p>", Announcement: true, Local: true, CreatedAt: created}
}

func testConversationRoundTrip(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.remoteActor()
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	c := w.newConversation(e.ID, p.ID)
	c.Local = false
	require.NoError(t, st.CreateConversation(w.ctx, c))
	got, err := st.GetConversation(w.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, *c, *got)
	got, err = st.GetConversationByAPID(w.ctx, c.APID)
	require.NoError(t, err)
	require.Equal(t, *c, *got)
	got, err = st.GetConversationOf(w.ctx, e.ID, p.ID)
	require.NoError(t, err)
	require.Equal(t, *c, *got)

	c.LastMessageAt = at(time.Hour)
	changed := *c
	changed.ParticipantID, changed.EventID, changed.APID = w.id(), w.id(), "https://convene.test/other"
	require.NoError(t, st.UpdateConversation(w.ctx, &changed))
	got, err = st.GetConversation(w.ctx, c.ID)
	require.NoError(t, err)
	require.Equal(t, *c, *got, "UpdateConversation stores LastMessageAt only")

	m := w.newMessage(c, p.ID, at(time.Minute))
	remote := w.newMessage(c, org.ID, at(2*time.Minute))
	remote.APID, remote.Local, remote.Announcement = "https://remote.example/notes/1", false, false
	for _, msg := range []*conversations.Message{m, remote} {
		require.NoError(t, st.CreateMessage(w.ctx, msg))
		gm, err := st.GetMessage(w.ctx, msg.ID)
		require.NoError(t, err)
		require.Equal(t, *msg, *gm)
		gm, err = st.GetMessageByAPID(w.ctx, msg.APID)
		require.NoError(t, err)
		require.Equal(t, *msg, *gm)
	}
}

func testConversationErrors(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.profile()
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	c := w.conversation(e.ID, p.ID)

	for name, get := range map[string]func() error{
		"id":          func() error { _, err := st.GetConversation(w.ctx, w.id()); return err },
		"apid":        func() error { _, err := st.GetConversationByAPID(w.ctx, "https://convene.test/none"); return err },
		"empty apid":  func() error { _, err := st.GetConversationByAPID(w.ctx, ""); return err },
		"of":          func() error { _, err := st.GetConversationOf(w.ctx, e.ID, org.ID); return err },
		"message":     func() error { _, err := st.GetMessage(w.ctx, w.id()); return err },
		"message ap":  func() error { _, err := st.GetMessageByAPID(w.ctx, "https://convene.test/none"); return err },
		"empty ap":    func() error { _, err := st.GetMessageByAPID(w.ctx, ""); return err },
		"update miss": func() error { return st.UpdateConversation(w.ctx, w.newConversation(e.ID, p.ID)) },
	} {
		require.ErrorIs(t, get(), storage.ErrNotFound, name)
	}

	dupID := w.newConversation(e.ID, w.id())
	dupID.ID = c.ID
	dupAP := w.newConversation(e.ID, w.id())
	dupAP.APID = c.APID
	dupPair := w.newConversation(e.ID, p.ID)
	for name, d := range map[string]*conversations.Conversation{"id": dupID, "apid": dupAP, "event and participant": dupPair} {
		require.ErrorIs(t, st.CreateConversation(w.ctx, d), storage.ErrConflict, name)
	}
	noEvent := w.newConversation(w.id(), p.ID)
	require.ErrorIs(t, st.CreateConversation(w.ctx, noEvent), storage.ErrNotFound, "the event must exist")
	_, err := st.GetConversation(w.ctx, noEvent.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")

	m := w.newMessage(c, p.ID, at(0))
	require.NoError(t, st.CreateMessage(w.ctx, m))
	mID := w.newMessage(c, p.ID, at(0))
	mID.ID = m.ID
	mAP := w.newMessage(c, p.ID, at(0))
	mAP.APID = m.APID
	for name, d := range map[string]*conversations.Message{"id": mID, "apid": mAP} {
		require.ErrorIs(t, st.CreateMessage(w.ctx, d), storage.ErrConflict, name)
	}
	orphan := w.newMessage(w.newConversation(e.ID, w.id()), p.ID, at(0))
	require.ErrorIs(t, st.CreateMessage(w.ctx, orphan), storage.ErrNotFound, "the conversation must exist")
	_, err = st.GetMessage(w.ctx, orphan.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
}

// testListConversations: most recently active first, ties by id
// descending, paged by cursor, per participant and per event.
func testListConversations(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.profile()
	times := tiedTimes(7, at(0))
	var mine, evs []conversations.Conversation
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	for i, id := range w.descendingIDs(7) {
		other := w.event(w.newEvent(org.ID, at(24*time.Hour)))
		c := w.newConversation(other.ID, p.ID)
		c.ID, c.LastMessageAt = id, times[i]
		require.NoError(t, st.CreateConversation(w.ctx, c))
		mine = append(mine, *c)
		c2 := w.newConversation(e.ID, w.id())
		c2.LastMessageAt = times[i]
		require.NoError(t, st.CreateConversation(w.ctx, c2))
		evs = append(evs, *c2)
	}
	desc := func(cs []conversations.Conversation) []conversations.Conversation {
		cs = slices.Clone(cs)
		slices.SortFunc(cs, func(a, b conversations.Conversation) int {
			if c := b.LastMessageAt.Compare(a.LastMessageAt); c != 0 {
				return c
			}
			if a.ID > b.ID {
				return -1
			}
			return 1
		})
		return cs
	}
	for name, tc := range map[string]struct {
		want []conversations.Conversation
		list func(after storage.Cursor, limit int) ([]conversations.Conversation, error)
	}{
		"of participant": {desc(mine), func(a storage.Cursor, l int) ([]conversations.Conversation, error) {
			return st.ListConversationsOf(w.ctx, p.ID, a, l)
		}},
		"of event": {desc(evs), func(a storage.Cursor, l int) ([]conversations.Conversation, error) {
			return st.ListEventConversations(w.ctx, e.ID, a, l)
		}},
	} {
		all, err := tc.list(storage.Cursor{}, 0)
		require.NoError(t, err, name)
		require.Equal(t, tc.want, all, name)
		var got []conversations.Conversation
		var cur storage.Cursor
		for range 10 {
			pg, err := tc.list(cur, 3)
			require.NoError(t, err, name)
			require.LessOrEqual(t, len(pg), 3, name)
			got = append(got, pg...)
			if len(pg) < 3 {
				break
			}
			last := pg[len(pg)-1]
			cur = storage.Cursor{At: last.LastMessageAt, ID: last.ID}
		}
		require.Equal(t, tc.want, got, name+": pages")
	}
	none, err := st.ListConversationsOf(w.ctx, org.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Empty(t, none)
}

// testConversationMessages: oldest first by (CreatedAt, ID), per
// conversation, paged by cursor.
func testConversationMessages(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.profile()
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	c, other := w.conversation(e.ID, p.ID), w.conversation(e.ID, w.id())
	times := tiedTimes(8, at(0))
	var want []conversations.Message
	for i, id := range w.descendingIDs(8) {
		m := w.newMessage(c, p.ID, times[i])
		m.ID, m.APID = id, c.APID+"/messages/"+id
		require.NoError(t, st.CreateMessage(w.ctx, m))
		want = append(want, *m)
		require.NoError(t, st.CreateMessage(w.ctx, w.newMessage(other, org.ID, times[i])))
	}
	slices.SortFunc(want, func(a, b conversations.Message) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	all, err := st.ListMessages(w.ctx, c.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Equal(t, want, all)
	var got []conversations.Message
	var cur storage.Cursor
	for range 10 {
		pg, err := st.ListMessages(w.ctx, c.ID, cur, 3)
		require.NoError(t, err)
		got = append(got, pg...)
		if len(pg) < 3 {
			break
		}
		cur = storage.Cursor{At: pg[len(pg)-1].CreatedAt, ID: pg[len(pg)-1].ID}
	}
	require.Equal(t, want, got)
	none, err := st.ListMessages(w.ctx, w.id(), storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Empty(t, none)
}

// testConversationsGoWithEvent: deleting an event deletes its
// conversations and their messages.
func testConversationsGoWithEvent(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.profile()
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	kept := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	c, k := w.conversation(e.ID, p.ID), w.conversation(kept.ID, p.ID)
	m, km := w.newMessage(c, p.ID, at(0)), w.newMessage(k, p.ID, at(0))
	require.NoError(t, st.CreateMessage(w.ctx, m))
	require.NoError(t, st.CreateMessage(w.ctx, km))
	require.NoError(t, st.PutConversationRead(w.ctx, c.ID, p.ID, at(0)))
	require.NoError(t, st.PutConversationRead(w.ctx, k.ID, p.ID, at(0)))
	require.NoError(t, w.b.DeleteEvent(w.ctx, e.ID))
	_, err := st.GetConversationRead(w.ctx, c.ID, p.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "a read marker goes with its conversation")
	_, err = st.GetConversationRead(w.ctx, k.ID, p.ID)
	require.NoError(t, err, "another conversation's read marker stays")
	_, err = st.GetConversation(w.ctx, c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = st.GetMessage(w.ctx, m.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = st.GetConversation(w.ctx, k.ID)
	require.NoError(t, err, "another event's conversation stays")
	_, err = st.GetMessage(w.ctx, km.ID)
	require.NoError(t, err)
}

// testConversationsRolledBack: writes in a rolled-back transaction leave
// nothing; the transaction sees its own writes and has the read
// contracts.
func testConversationsRolledBack(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.profile()
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	kept := w.conversation(e.ID, org.ID)
	var c *conversations.Conversation
	var m *conversations.Message
	err := st.InTx(w.ctx, func(tx storage.Tx) error {
		ts, err := storage.As[conversations.Store](tx)
		require.NoError(t, err, "storage.As[conversations.Store]")
		c = w.newConversation(e.ID, p.ID)
		require.NoError(t, ts.CreateConversation(w.ctx, c))
		m = w.newMessage(c, p.ID, at(0))
		require.NoError(t, ts.CreateMessage(w.ctx, m))
		moved := *kept
		moved.LastMessageAt = at(time.Hour)
		require.NoError(t, ts.UpdateConversation(w.ctx, &moved))
		require.NoError(t, ts.PutConversationRead(w.ctx, kept.ID, org.ID, at(time.Hour)))
		read, err := ts.GetConversationRead(w.ctx, kept.ID, org.ID)
		require.NoError(t, err)
		require.Equal(t, at(time.Hour), read, "the transaction sees its read marker")
		got, err := ts.GetConversationOf(w.ctx, e.ID, p.ID)
		require.NoError(t, err)
		require.Equal(t, c.ID, got.ID)
		_, err = ts.GetMessageByAPID(w.ctx, m.APID)
		require.NoError(t, err)
		_, err = ts.LockEvent(w.ctx, e.ID)
		require.NoError(t, err, "the read contracts work in a transaction")
		_, err = ts.GetActor(w.ctx, p.ID)
		require.NoError(t, err)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = st.GetConversationRead(w.ctx, kept.ID, org.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "a rolled-back read marker")
	_, err = st.GetConversation(w.ctx, c.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = st.GetMessage(w.ctx, m.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	got, err := st.GetConversation(w.ctx, kept.ID)
	require.NoError(t, err)
	require.Equal(t, *kept, *got)
}

// testConversationReads: a marker is put, read back and replaced (later
// or earlier) per pair; a pair never marked and an unknown conversation
// are ErrNotFound, and a refused marker stores nothing.
func testConversationReads(t *testing.T, w *world) {
	st := w.conversations()
	org, p := w.profile(), w.profile()
	e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
	c, other := w.conversation(e.ID, p.ID), w.conversation(e.ID, w.id())
	_, err := st.GetConversationRead(w.ctx, c.ID, p.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "never read")

	require.NoError(t, st.PutConversationRead(w.ctx, c.ID, p.ID, at(time.Minute)))
	require.NoError(t, st.PutConversationRead(w.ctx, c.ID, org.ID, at(time.Hour)))
	require.NoError(t, st.PutConversationRead(w.ctx, other.ID, p.ID, at(3*time.Hour)))
	for _, tc := range []struct {
		put  time.Time
		want time.Time
	}{{at(2 * time.Minute), at(2 * time.Minute)}, {at(time.Second), at(time.Second)}} {
		require.NoError(t, st.PutConversationRead(w.ctx, c.ID, p.ID, tc.put))
		got, err := st.GetConversationRead(w.ctx, c.ID, p.ID)
		require.NoError(t, err)
		require.True(t, tc.want.Equal(got), "replaced: want %v, got %v", tc.want, got)
		require.Equal(t, time.UTC, got.Location())
	}
	got, err := st.GetConversationRead(w.ctx, c.ID, org.ID)
	require.NoError(t, err)
	require.Equal(t, at(time.Hour), got, "each profile has its own marker")
	got, err = st.GetConversationRead(w.ctx, other.ID, p.ID)
	require.NoError(t, err)
	require.Equal(t, at(3*time.Hour), got, "each conversation has its own marker")

	unknown := w.id()
	require.ErrorIs(t, st.PutConversationRead(w.ctx, unknown, p.ID, at(0)), storage.ErrNotFound,
		"the conversation must exist")
	_, err = st.GetConversationRead(w.ctx, unknown, p.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
}

// testCountUnreadConversations: a participant's conversations never read
// by them, or active after their marker, count; read ones, other
// profiles' markers and other participants' conversations do not.
func testCountUnreadConversations(t *testing.T, w *world) {
	st := w.conversations()
	org, p, q := w.profile(), w.profile(), w.profile()
	count := func(id string) int {
		t.Helper()
		n, err := st.CountUnreadConversationsOf(w.ctx, id)
		require.NoError(t, err)
		return n
	}
	require.Zero(t, count(p.ID), "no conversation")
	conv := func(last time.Time) *conversations.Conversation {
		e := w.event(w.newEvent(org.ID, at(24*time.Hour)))
		c := w.newConversation(e.ID, p.ID)
		c.LastMessageAt = last
		require.NoError(t, st.CreateConversation(w.ctx, c))
		return c
	}
	never := conv(at(time.Minute))
	require.NoError(t, st.PutConversationRead(w.ctx, never.ID, org.ID, at(time.Hour)))
	readAt := conv(at(time.Minute))
	require.NoError(t, st.PutConversationRead(w.ctx, readAt.ID, p.ID, at(time.Minute)))
	readAfter := conv(at(time.Minute))
	require.NoError(t, st.PutConversationRead(w.ctx, readAfter.ID, p.ID, at(time.Hour)))
	newer := conv(at(time.Hour))
	require.NoError(t, st.PutConversationRead(w.ctx, newer.ID, p.ID, at(time.Hour-time.Microsecond)))
	theirs := w.conversation(w.event(w.newEvent(org.ID, at(24*time.Hour))).ID, q.ID)
	require.NoError(t, st.PutConversationRead(w.ctx, theirs.ID, p.ID, at(-24*time.Hour)))

	require.Equal(t, 2, count(p.ID), "never read by the participant, and active a microsecond after the marker")
	require.Equal(t, 1, count(q.ID), "another participant's own")
	require.Zero(t, count(org.ID), "organizers have no participant-side conversations here")

	newer.LastMessageAt = at(2 * time.Hour)
	require.NoError(t, st.UpdateConversation(w.ctx, newer))
	require.NoError(t, st.PutConversationRead(w.ctx, newer.ID, p.ID, newer.LastMessageAt))
	require.NoError(t, st.PutConversationRead(w.ctx, never.ID, p.ID, never.LastMessageAt))
	require.Zero(t, count(p.ID), "all read")
}
