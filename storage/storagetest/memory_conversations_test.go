package storagetest_test

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/storage"
)

// ---- conversations (conversations.ConversationStore) ----------------

// convState holds the conversation rows of a memState.
type convState struct {
	convs    map[string]conversations.Conversation
	messages map[string]conversations.Message
	reads    map[[2]string]time.Time // (conversation id, profile id): read marker
}

func newConvState() convState {
	return convState{convs: map[string]conversations.Conversation{}, messages: map[string]conversations.Message{},
		reads: map[[2]string]time.Time{}}
}

func (c convState) clone() convState {
	return convState{convs: maps.Clone(c.convs), messages: maps.Clone(c.messages), reads: maps.Clone(c.reads)}
}

// deleteEvent removes an event's conversations with their messages and
// read markers.
func (c convState) deleteEvent(eventID string) {
	gone := map[string]bool{}
	maps.DeleteFunc(c.convs, func(id string, x conversations.Conversation) bool {
		gone[id] = x.EventID == eventID
		return gone[id]
	})
	maps.DeleteFunc(c.messages, func(_ string, m conversations.Message) bool { return gone[m.ConversationID] })
	maps.DeleteFunc(c.reads, func(k [2]string, _ time.Time) bool { return gone[k[0]] })
}

func (v *memView) convRead() *convState { return &v.read().conv }

func (v *memView) CreateConversation(ctx context.Context, c *conversations.Conversation) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.events[c.EventID]; !ok {
			return notFound("event", c.EventID)
		}
		if _, ok := s.conv.convs[c.ID]; ok {
			return conflict("conversation id")
		}
		for _, o := range s.conv.convs {
			switch {
			case o.APID == c.APID:
				return conflict("conversation APID")
			case o.EventID == c.EventID && o.ParticipantID == c.ParticipantID:
				return conflict("conversation of the participant")
			}
		}
		s.conv.convs[c.ID] = utc(*c)
		return nil
	})
}

func (v *memView) UpdateConversation(ctx context.Context, c *conversations.Conversation) error {
	return v.write(ctx, func(s *memState) error {
		o, ok := s.conv.convs[c.ID]
		if !ok {
			return notFound("conversation", c.ID)
		}
		o.LastMessageAt = c.LastMessageAt.UTC()
		s.conv.convs[c.ID] = o
		return nil
	})
}

func (v *memView) findConversation(key string, match func(conversations.Conversation) bool) (*conversations.Conversation, error) {
	for _, c := range v.convRead().convs {
		if match(c) {
			return &c, nil
		}
	}
	return nil, notFound("conversation", key)
}

func (v *memView) GetConversation(_ context.Context, id string) (*conversations.Conversation, error) {
	return v.findConversation(id, func(c conversations.Conversation) bool { return c.ID == id })
}

func (v *memView) GetConversationByAPID(_ context.Context, apID string) (*conversations.Conversation, error) {
	return v.findConversation(apID, func(c conversations.Conversation) bool { return apID != "" && c.APID == apID })
}

func (v *memView) GetConversationOf(_ context.Context, eventID, participantID string) (*conversations.Conversation, error) {
	return v.findConversation(eventID+"/"+participantID, func(c conversations.Conversation) bool {
		return c.EventID == eventID && c.ParticipantID == participantID
	})
}

// activePage lists conversations most recently active first, strictly
// after the cursor in that order.
func (v *memView) activePage(match func(conversations.Conversation) bool, after storage.Cursor, limit int) []conversations.Conversation {
	var out []conversations.Conversation
	for _, c := range v.convRead().convs {
		if match(c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b conversations.Conversation) int {
		return cmp.Or(b.LastMessageAt.Compare(a.LastMessageAt), strings.Compare(b.ID, a.ID))
	})
	out = slices.DeleteFunc(out, func(c conversations.Conversation) bool {
		return !after.IsZero() && !(c.LastMessageAt.Before(after.At) || c.LastMessageAt.Equal(after.At) && c.ID < after.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func (v *memView) ListConversationsOf(_ context.Context, participantID string, after storage.Cursor, limit int) ([]conversations.Conversation, error) {
	return v.activePage(func(c conversations.Conversation) bool { return c.ParticipantID == participantID }, after, limit), nil
}

func (v *memView) ListEventConversations(_ context.Context, eventID string, after storage.Cursor, limit int) ([]conversations.Conversation, error) {
	return v.activePage(func(c conversations.Conversation) bool { return c.EventID == eventID }, after, limit), nil
}

func (v *memView) CreateMessage(ctx context.Context, m *conversations.Message) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.conv.convs[m.ConversationID]; !ok {
			return notFound("conversation", m.ConversationID)
		}
		if _, ok := s.conv.messages[m.ID]; ok {
			return conflict("message id")
		}
		for _, o := range s.conv.messages {
			if o.APID == m.APID {
				return conflict("message APID")
			}
		}
		s.conv.messages[m.ID] = utc(*m)
		return nil
	})
}

func (v *memView) findMessage(key string, match func(conversations.Message) bool) (*conversations.Message, error) {
	for _, m := range v.convRead().messages {
		if match(m) {
			return &m, nil
		}
	}
	return nil, notFound("message", key)
}

func (v *memView) GetMessage(_ context.Context, id string) (*conversations.Message, error) {
	return v.findMessage(id, func(m conversations.Message) bool { return m.ID == id })
}

func (v *memView) GetMessageByAPID(_ context.Context, apID string) (*conversations.Message, error) {
	return v.findMessage(apID, func(m conversations.Message) bool { return apID != "" && m.APID == apID })
}

func (v *memView) ListMessages(_ context.Context, conversationID string, after storage.Cursor, limit int) ([]conversations.Message, error) {
	var ms []conversations.Message
	for _, m := range v.convRead().messages {
		if m.ConversationID == conversationID {
			ms = append(ms, m)
		}
	}
	return page(ms, func(m conversations.Message) (time.Time, string) { return m.CreatedAt, m.ID }, after, limit), nil
}

func (v *memView) PutConversationRead(ctx context.Context, conversationID, profileID string, at time.Time) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.conv.convs[conversationID]; !ok {
			return notFound("conversation", conversationID)
		}
		s.conv.reads[[2]string{conversationID, profileID}] = at.UTC()
		return nil
	})
}

func (v *memView) GetConversationRead(_ context.Context, conversationID, profileID string) (time.Time, error) {
	at, ok := v.convRead().reads[[2]string{conversationID, profileID}]
	if !ok {
		return time.Time{}, notFound("conversation read", conversationID+"/"+profileID)
	}
	return at, nil
}

func (v *memView) CountUnreadConversationsOf(_ context.Context, participantID string) (int, error) {
	st, n := v.convRead(), 0
	for _, c := range st.convs {
		if c.ParticipantID != participantID {
			continue
		}
		if at, ok := st.reads[[2]string{c.ID, participantID}]; !ok || c.LastMessageAt.After(at) {
			n++
		}
	}
	return n, nil
}
