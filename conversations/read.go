package conversations

import (
	"context"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
)

// mayRead returns nil when viewerID may read c: its participant (always,
// even after leaving the event: it is their own correspondence) or a
// current organizer of its event. Anyone else gets ErrNotFound.
func (s *Service) mayRead(ctx context.Context, c *Conversation, viewerID string) (*events.Event, error) {
	e, err := getEvent(ctx, s.store, c.EventID)
	if err != nil {
		return nil, err
	}
	if viewerID != "" && viewerID == c.ParticipantID {
		return e, nil
	}
	org, err := isOrganizer(ctx, s.store, e, viewerID)
	switch {
	case err != nil:
		return nil, err
	case !org:
		return nil, ErrNotFound
	}
	return e, nil
}

// Conversation returns a conversation and its event to viewerID, its
// participant or an organizer of the event; ErrNotFound to anyone else.
func (s *Service) Conversation(ctx context.Context, viewerID, id string) (*Conversation, *events.Event, error) {
	if err := checkID("conversation_id", id); err != nil {
		return nil, nil, wrap("conversation", err)
	}
	c, err := s.store.GetConversation(ctx, id)
	if err != nil {
		return nil, nil, wrap("conversation", notFound(err))
	}
	e, err := s.mayRead(ctx, c, viewerID)
	if err != nil {
		return nil, nil, wrap("conversation", err)
	}
	return c, e, nil
}

// Message returns one message with its conversation, to those who may
// read the conversation (Conversation); ErrNotFound to anyone else.
func (s *Service) Message(ctx context.Context, viewerID, id string) (*Message, *Conversation, error) {
	if err := checkID("message_id", id); err != nil {
		return nil, nil, wrap("message", err)
	}
	m, err := s.store.GetMessage(ctx, id)
	if err != nil {
		return nil, nil, wrap("message", notFound(err))
	}
	c, _, err := s.Conversation(ctx, viewerID, m.ConversationID)
	if err != nil {
		return nil, nil, err
	}
	return m, c, nil
}

// Messages lists a conversation's messages, oldest first, to those who
// may read it (Conversation). limit <= 0 means DefaultPageSize and is
// capped at MaxPageSize; the cursor returned is the one to pass for the
// next page, zero after the last page.
func (s *Service) Messages(ctx context.Context, viewerID, conversationID string, after storage.Cursor, limit int) ([]Message, storage.Cursor, error) {
	if _, _, err := s.Conversation(ctx, viewerID, conversationID); err != nil {
		return nil, storage.Cursor{}, err
	}
	limit = pageSize(limit)
	ms, err := s.store.ListMessages(ctx, conversationID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("messages", err)
	}
	return ms, pageCursor(ms, limit, func(m Message) (time.Time, string) { return m.CreatedAt, m.ID }), nil
}

// MyConversations lists the conversations of participantID (the acting
// profile; the caller checks that the account may act as it), most
// recently active first, paged as Messages. A conversation that gets a
// new message while pages are read moves to the top and may be skipped
// by the next pages: lists are read again from the start to see it.
func (s *Service) MyConversations(ctx context.Context, participantID string, after storage.Cursor, limit int) ([]Conversation, storage.Cursor, error) {
	if err := checkID("participant_id", participantID); err != nil {
		return nil, storage.Cursor{}, wrap("my conversations", err)
	}
	limit = pageSize(limit)
	cs, err := s.store.ListConversationsOf(ctx, participantID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("my conversations", err)
	}
	return cs, pageCursor(cs, limit, conversationKey), nil
}

// EventConversations lists an event's conversations to one of its
// organizers (IsOrganizer), most recently active first, paged as
// MyConversations. Anyone else gets ErrNotFound.
func (s *Service) EventConversations(ctx context.Context, organizerID, eventID string, after storage.Cursor, limit int) ([]Conversation, storage.Cursor, error) {
	if err := checkID("event_id", eventID); err != nil {
		return nil, storage.Cursor{}, wrap("event conversations", err)
	}
	e, err := getEvent(ctx, s.store, eventID)
	if err != nil {
		return nil, storage.Cursor{}, wrap("event conversations", err)
	}
	org, err := isOrganizer(ctx, s.store, e, organizerID)
	switch {
	case err != nil:
		return nil, storage.Cursor{}, wrap("event conversations", err)
	case !org:
		return nil, storage.Cursor{}, wrap("event conversations", ErrNotFound)
	}
	limit = pageSize(limit)
	cs, err := s.store.ListEventConversations(ctx, eventID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("event conversations", err)
	}
	return cs, pageCursor(cs, limit, conversationKey), nil
}

func conversationKey(c Conversation) (time.Time, string) { return c.LastMessageAt, c.ID }
