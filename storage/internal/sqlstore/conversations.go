package sqlstore

import (
	"context"
	"errors"
	"time"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/storage"
)

// Private conversations about events (conversations.ConversationStore),
// migration 0014.

const conversationCols = `id, ap_id, event_id, participant_id, local, last_message_at, created_at`

func scanConversation(sc func(dest ...any) error) (conversations.Conversation, error) {
	var c conversations.Conversation
	err := sc(&c.ID, &c.APID, &c.EventID, &c.ParticipantID, &c.Local, timeCol{&c.LastMessageAt}, timeCol{&c.CreatedAt})
	return c, err
}

// CreateConversation inserts a conversation.
func (s *store) CreateConversation(ctx context.Context, c *conversations.Conversation) error {
	if c.ID == "" || c.APID == "" {
		return errors.New("sqlstore: create conversation: empty ID or APID")
	}
	_, err := s.exec(ctx, "create conversation", `INSERT INTO conversations (`+conversationCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.APID, c.EventID, c.ParticipantID, c.Local, s.d.Time(c.LastMessageAt), s.d.Time(c.CreatedAt))
	return err
}

// UpdateConversation stores a conversation's LastMessageAt.
func (s *store) UpdateConversation(ctx context.Context, c *conversations.Conversation) error {
	return s.execOne(ctx, "update conversation", `UPDATE conversations SET last_message_at = ? WHERE id = ?`,
		s.d.Time(c.LastMessageAt), c.ID)
}

// GetConversation returns a conversation by ID.
func (s *store) GetConversation(ctx context.Context, id string) (*conversations.Conversation, error) {
	return getOne(s, ctx, "get conversation", scanConversation,
		`SELECT `+conversationCols+` FROM conversations WHERE id = ?`, id)
}

// GetConversationByAPID returns a conversation by its ActivityPub id.
func (s *store) GetConversationByAPID(ctx context.Context, apID string) (*conversations.Conversation, error) {
	return byAPID(s, ctx, "get conversation by ap id", scanConversation,
		`SELECT `+conversationCols+` FROM conversations WHERE ap_id = ?`, apID)
}

// GetConversationOf returns a participant's conversation about an event.
func (s *store) GetConversationOf(ctx context.Context, eventID, participantID string) (*conversations.Conversation, error) {
	return getOne(s, ctx, "get conversation of", scanConversation,
		`SELECT `+conversationCols+` FROM conversations WHERE event_id = ? AND participant_id = ?`,
		eventID, participantID)
}

// listActive lists conversations matching col = key, most recently
// active first.
func (s *store) listActive(ctx context.Context, op, col, key string, after storage.Cursor, limit int) ([]conversations.Conversation, error) {
	q := `SELECT ` + conversationCols + ` FROM conversations WHERE ` + col + ` = ?`
	args := []any{key}
	if !after.IsZero() {
		q += ` AND (last_message_at, id) < (?, ?)`
		args = append(args, s.d.Time(after.At), after.ID)
	}
	q += ` ORDER BY last_message_at DESC, id DESC`
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := collect(rows, scanConversation)
	return out, s.wrap(op, err)
}

// ListConversationsOf lists a participant's conversations.
func (s *store) ListConversationsOf(ctx context.Context, participantID string, after storage.Cursor, limit int) ([]conversations.Conversation, error) {
	return s.listActive(ctx, "list conversations of", "participant_id", participantID, after, limit)
}

// ListEventConversations lists an event's conversations.
func (s *store) ListEventConversations(ctx context.Context, eventID string, after storage.Cursor, limit int) ([]conversations.Conversation, error) {
	return s.listActive(ctx, "list event conversations", "event_id", eventID, after, limit)
}

const conversationMessageCols = `id, ap_id, conversation_id, author_id, text, announcement, local, created_at`

func scanConversationMessage(sc func(dest ...any) error) (conversations.Message, error) {
	var m conversations.Message
	err := sc(&m.ID, &m.APID, &m.ConversationID, &m.AuthorID, &m.Text, &m.Announcement, &m.Local, timeCol{&m.CreatedAt})
	return m, err
}

// CreateMessage inserts a message of a conversation.
func (s *store) CreateMessage(ctx context.Context, m *conversations.Message) error {
	if m.ID == "" || m.APID == "" {
		return errors.New("sqlstore: create message: empty ID or APID")
	}
	_, err := s.exec(ctx, "create message", `INSERT INTO conversation_messages (`+conversationMessageCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		m.ID, m.APID, m.ConversationID, m.AuthorID, m.Text, m.Announcement, m.Local, s.d.Time(m.CreatedAt))
	return err
}

// GetMessage returns a message by ID.
func (s *store) GetMessage(ctx context.Context, id string) (*conversations.Message, error) {
	return getOne(s, ctx, "get message", scanConversationMessage,
		`SELECT `+conversationMessageCols+` FROM conversation_messages WHERE id = ?`, id)
}

// GetMessageByAPID returns a message by its ActivityPub id.
func (s *store) GetMessageByAPID(ctx context.Context, apID string) (*conversations.Message, error) {
	return byAPID(s, ctx, "get message by ap id", scanConversationMessage,
		`SELECT `+conversationMessageCols+` FROM conversation_messages WHERE ap_id = ?`, apID)
}

// ListMessages lists a conversation's messages, oldest first.
func (s *store) ListMessages(ctx context.Context, conversationID string, after storage.Cursor, limit int) ([]conversations.Message, error) {
	var p page
	p.add("conversation_id = ?", conversationID)
	return list(s, ctx, "list messages", conversationMessageCols, "conversation_messages", &p, after, limit, scanConversationMessage)
}

// PutConversationRead inserts or replaces a read marker (migration
// 0016).
func (s *store) PutConversationRead(ctx context.Context, conversationID, profileID string, at time.Time) error {
	_, err := s.exec(ctx, "put conversation read", `INSERT INTO conversation_reads (conversation_id, profile_id, read_at)
		VALUES (?, ?, ?) ON CONFLICT (conversation_id, profile_id) DO UPDATE SET read_at = excluded.read_at`,
		conversationID, profileID, s.d.Time(at))
	return err
}

// GetConversationRead returns a profile's read marker of a conversation.
func (s *store) GetConversationRead(ctx context.Context, conversationID, profileID string) (time.Time, error) {
	var at time.Time
	err := s.queryRow(ctx, `SELECT read_at FROM conversation_reads WHERE conversation_id = ? AND profile_id = ?`,
		conversationID, profileID).Scan(timeCol{&at})
	if err != nil {
		return time.Time{}, s.wrap("get conversation read", err)
	}
	return at, nil
}

// CountUnreadConversationsOf counts a participant's unread conversations
// in one query: the participant's conversations by their index, each
// marker by its key.
func (s *store) CountUnreadConversationsOf(ctx context.Context, participantID string) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM conversations c
		LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.profile_id = c.participant_id
		WHERE c.participant_id = ? AND (r.read_at IS NULL OR c.last_message_at > r.read_at)`,
		participantID).Scan(&n)
	if err != nil {
		return 0, s.wrap("count unread conversations", err)
	}
	return n, nil
}
