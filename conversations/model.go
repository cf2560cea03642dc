package conversations

import (
	"time"

	"codeberg.org/convene/convene/events"
)

// Conversation is the private thread about one event between one
// participant (a local profile or a remote actor) and the event's
// organizers (see Service.IsOrganizer). There is at most one per event
// and participant actor; it is made by its first message.
type Conversation struct {
	ID string
	// APID is BaseURL/conversations/{ID}: this instance's name for the
	// thread, the context of the Notes it sends, whether the event is
	// local or not. Peers' own thread ids are not kept: a received
	// message finds its conversation by event and participant, by
	// inReplyTo or by context (RemoteMessage).
	APID    string
	EventID string
	// ParticipantID is the actor id of the participant side: a local
	// profile or a remote actor, never an organizer of the event.
	ParticipantID string
	// Local reports whether the event is local: this instance then
	// holds the organizer side of the thread.
	Local bool
	// LastMessageAt is the time of the newest message; lists show the
	// most recently active conversations first.
	LastMessageAt time.Time
	CreatedAt     time.Time
}

// Message is one message of a conversation. Messages are flat, in time
// order, and never edited.
type Message struct {
	ID string
	// APID is BaseURL/conversations/{conversation id}/messages/{ID} for
	// a local message, the Note's id for a received one; unique.
	APID           string
	ConversationID string
	AuthorID       string // actor id: the participant or an organizer
	Text           string // sanitized HTML, at most MaxMessageSize bytes
	// Announcement marks a message written to many participants at once
	// (Service.Announce): each got a copy in their own conversation.
	Announcement bool
	Local        bool // written on this instance
	CreatedAt    time.Time
}

// RemoteMessage is a private message received from another instance (a
// Note addressed only to its recipients, WIRE.md §2.7), as the inbox
// hands it to Service.Receive once the signature and the origin are
// checked.
//
// The conversation it belongs to is found by the first of these that is
// set: InReplyTo (the APID of a message stored here), Context (the APID
// of a conversation of this instance), or EventID with ParticipantID.
// When several are set they must agree.
type RemoteMessage struct {
	// AuthorID is the storage id of the remote actor that wrote the
	// Note (attributedTo); required, and not a local actor.
	AuthorID string
	// APID is the Note's id: an absolute http(s) URL on the author's
	// host, not under BaseURL; required.
	APID string
	// Text is the Note's content, HTML; it is sanitized here.
	Text string
	// Published is the Note's published time; zero, or a time after
	// now, means now.
	Published time.Time

	InReplyTo string // APID of the message answered
	Context   string // APID of the conversation
	// EventID (storage id) and ParticipantID (actor id of the
	// participant side) name the conversation when the Note starts one.
	EventID       string
	ParticipantID string
}

// Change is one new message, handed to the Hook inside the transaction
// that stores it.
type Change struct {
	Event        *events.Event
	Conversation *Conversation
	Message      *Message
	// Created reports whether the message started the conversation.
	Created bool
	// FromParticipant reports whether the author is the conversation's
	// participant; otherwise it is an organizer.
	FromParticipant bool
	// Recipients are the actor ids the message goes to, the author
	// excluded, sorted: for a message from the participant, the event's
	// organizers (Service.Organizers: at most MaxOrganizers); for a
	// message from an organizer, the participant alone (co-organizers
	// read it on the event's conversations, they are not sent a copy).
	// Local and remote actors alike: the outbox addresses the remote
	// ones, the notifier mails the local profiles.
	Recipients []string
}
