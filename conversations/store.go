package conversations

import (
	"context"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// Store is the storage contract of this package, with the storage
// sentinels as errors (see identity.Store for the shared rules). It is
// ConversationStore, which backends implement for this package, plus
// lookups that every complete backend already has (the methods are those
// of events.Store, groups.Store and identity.Store): the service reads
// events, participations, memberships and actors inside its own
// transactions, so that the rules it checks hold when it writes.
type Store interface {
	storage.Transactor
	ConversationStore
	EventReader
	MemberReader
	ActorReader
}

// ConversationStore keeps conversations and their messages. The rules of
// identity.Store apply: ErrNotFound for a missing row, ErrConflict for a
// taken key, times in UTC with microsecond precision, limit <= 0 means no
// limit. A conversation goes with its event, a message with its
// conversation. Actor ids are not checked.
type ConversationStore interface {
	// CreateConversation inserts c. ErrConflict when its ID or APID is
	// taken or when c.ParticipantID has a conversation about c.EventID
	// already; ErrNotFound when the event does not exist.
	CreateConversation(ctx context.Context, c *Conversation) error
	// UpdateConversation stores c.LastMessageAt (by ID); the other
	// fields never change. ErrNotFound for an unknown conversation.
	UpdateConversation(ctx context.Context, c *Conversation) error
	GetConversation(ctx context.Context, id string) (*Conversation, error)
	// GetConversationByAPID finds a conversation by its APID; an empty
	// APID finds nothing.
	GetConversationByAPID(ctx context.Context, apID string) (*Conversation, error)
	// GetConversationOf returns the conversation of participantID about
	// eventID.
	GetConversationOf(ctx context.Context, eventID, participantID string) (*Conversation, error)
	// ListConversationsOf returns participantID's conversations, most
	// recently active first: ordered by (LastMessageAt, ID) descending,
	// strictly after the cursor in that order (a zero cursor starts at
	// the top), at most limit.
	ListConversationsOf(ctx context.Context, participantID string, after storage.Cursor, limit int) ([]Conversation, error)
	// ListEventConversations returns an event's conversations in the
	// order of ListConversationsOf.
	ListEventConversations(ctx context.Context, eventID string, after storage.Cursor, limit int) ([]Conversation, error)

	// CreateMessage inserts m. ErrConflict when its ID or APID is taken,
	// ErrNotFound when its conversation does not exist.
	CreateMessage(ctx context.Context, m *Message) error
	GetMessage(ctx context.Context, id string) (*Message, error)
	// GetMessageByAPID finds a message by its APID; an empty APID finds
	// nothing.
	GetMessageByAPID(ctx context.Context, apID string) (*Message, error)
	// ListMessages returns a conversation's messages, oldest first:
	// ordered by (CreatedAt, ID), strictly after the cursor, at most
	// limit.
	ListMessages(ctx context.Context, conversationID string, after storage.Cursor, limit int) ([]Message, error)

	// PutConversationRead inserts or replaces the read marker of the
	// pair (conversationID, profileID): the time of the newest message
	// profileID has read there. ErrNotFound for an unknown
	// conversation; profileID is not checked. A marker goes with its
	// conversation.
	PutConversationRead(ctx context.Context, conversationID, profileID string, at time.Time) error
	// GetConversationRead returns the time PutConversationRead stored
	// for the pair; ErrNotFound when profileID never read it.
	GetConversationRead(ctx context.Context, conversationID, profileID string) (time.Time, error)
	// CountUnreadConversationsOf counts participantID's conversations
	// (those ListConversationsOf lists) that participantID never read
	// or whose LastMessageAt is after participantID's read marker.
	CountUnreadConversationsOf(ctx context.Context, participantID string) (int, error)
}

// EventReader reads events and participations (events.Store has these
// methods).
type EventReader interface {
	GetEvent(ctx context.Context, id string) (*events.Event, error)
	// LockEvent is events.EventStore.LockEvent: writes lock the event,
	// so that two first messages of one participant make one
	// conversation and the rules hold against concurrent role changes.
	LockEvent(ctx context.Context, id string) (*events.Event, error)
	GetParticipantByActor(ctx context.Context, eventID, actorID string) (*events.Participant, error)
	ListParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error)
}

// MemberReader reads group memberships (groups.Store has these methods):
// a group's moderators organize its events.
type MemberReader interface {
	GetMember(ctx context.Context, groupID, actorID string) (*groups.Member, error)
	ListMembers(ctx context.Context, groupID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error)
}

// ActorReader reads actors (identity.Store has this method): a received
// message's author and the participant side must be known actors.
type ActorReader interface {
	GetActor(ctx context.Context, id string) (*identity.Actor, error)
}
