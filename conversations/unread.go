package conversations

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/storage"
)

// Read markers. Each reader of a conversation (its participant, each
// organizer) has their own marker: the time of the newest message they
// have read there (ConversationStore.PutConversationRead). A
// conversation is unread for a viewer when its LastMessageAt is after
// the viewer's marker, or when the viewer never read it.
//
// Writing a message marks the conversation read for its local author,
// up to that message: one's own message never makes a conversation
// unread for oneself, and the other side's messages it answers count as
// read (the author saw the thread to answer it). A co-organizer's
// message is unread for the other organizers. Markers are private: they
// are neither federated nor shown to the other side.
//
// A received message whose published time is older than the
// conversation's newest message does not move LastMessageAt (it does not
// move the conversation up the lists either), so it makes nothing
// unread.

// MarkRead records that viewerID has read the conversation up to its
// newest message (its LastMessageAt when MarkRead runs). Only those who
// may read it (Conversation: its participant, a current organizer of its
// event) may mark it; anyone else gets ErrNotFound. It is no Change:
// nothing is sent or mailed.
//
// A message stored between the caller's reading of the thread and
// MarkRead counts as read: callers mark right after loading what they
// show.
func (s *Service) MarkRead(ctx context.Context, viewerID, conversationID string) error {
	if err := checkID("viewer_id", viewerID); err != nil {
		return wrap("mark read", err)
	}
	c, _, err := s.Conversation(ctx, viewerID, conversationID)
	if err != nil {
		return err
	}
	return wrap("mark read", s.store.PutConversationRead(ctx, c.ID, viewerID, c.LastMessageAt))
}

// Unread reports whether c has a message viewerID has not read: true
// when c.LastMessageAt is after viewerID's marker, or when viewerID
// never read c. It checks no permission: c comes from a list or a
// lookup that did.
func (s *Service) Unread(ctx context.Context, viewerID string, c *Conversation) (bool, error) {
	at, err := s.store.GetConversationRead(ctx, c.ID, viewerID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return true, nil
	case err != nil:
		return false, wrap("unread", err)
	}
	return c.LastMessageAt.After(at), nil
}

// UnreadCount counts participantID's unread conversations on the
// participant side (those MyConversations lists), in one store query;
// the caller checks that the account may act as participantID.
func (s *Service) UnreadCount(ctx context.Context, participantID string) (int, error) {
	if err := checkID("participant_id", participantID); err != nil {
		return 0, wrap("unread count", err)
	}
	n, err := s.store.CountUnreadConversationsOf(ctx, participantID)
	if err != nil {
		return 0, wrap("unread count", err)
	}
	return n, nil
}
