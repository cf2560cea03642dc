package inbox

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// PrivateMessages takes private messages about events from other
// instances: conversations.Service implements it.
type PrivateMessages interface {
	Receive(ctx context.Context, in conversations.RemoteMessage) (*conversations.Message, error)
	IsOrganizer(ctx context.Context, e *events.Event, actorID string) (bool, error)
}

// ConversationLookup finds the messages and conversations a private
// message names: conversations.ConversationStore implements it.
type ConversationLookup interface {
	GetMessageByAPID(ctx context.Context, apID string) (*conversations.Message, error)
	GetConversationByAPID(ctx context.Context, apID string) (*conversations.Conversation, error)
}

// privateMessage takes a Create of a Note addressed to neither Public
// nor a collection as a private message about an event (WIRE.md §2.7):
// in reply to a message stored here (a Mastodon user answering a direct
// message), in a conversation of ours (its context), or in reply to an
// event, whose local side is then the organizers (a local event) or the
// participant it is addressed to (a remote one). Anything else is not a
// private message for us: false, and the activity is dropped.
func (s *Services) privateMessage(ctx context.Context, a *Activity) (bool, error) {
	o := a.Object
	if s.cfg.Conversations == nil || s.cfg.ConversationStore == nil || a.Type != wire.TypeCreate || o == nil ||
		o.Type != "Note" || o.Name != "" || o.Public() || a.Public() {
		return false, nil
	}
	if o.AttributedTo != "" && !safehttp.SameIRI(o.AttributedTo, a.Actor) {
		return false, nil // someone else's words: not a message of a.Actor
	}
	in := conversations.RemoteMessage{APID: o.ID, Text: o.Content, Published: o.Published}
	st := s.cfg.ConversationStore
	found := false
	if o.InReplyTo != "" {
		switch _, err := st.GetMessageByAPID(ctx, o.InReplyTo); {
		case err == nil:
			in.InReplyTo, found = o.InReplyTo, true
		case !errors.Is(err, storage.ErrNotFound):
			return true, err
		}
	}
	if !found && o.Context != "" {
		switch _, err := st.GetConversationByAPID(ctx, o.Context); {
		case err == nil:
			in.Context, found = o.Context, true
		case !errors.Is(err, storage.ErrNotFound):
			return true, err
		}
	}
	author, err := s.cfg.Actors.ResolveActor(ctx, a.Actor)
	if err != nil {
		return true, fmt.Errorf("inbox: message author %s: %w", a.Actor, err)
	}
	in.AuthorID = author.ID
	if !found {
		e, err := s.cfg.Events.GetEventByAPID(ctx, o.InReplyTo)
		if errors.Is(err, storage.ErrNotFound) || o.InReplyTo == "" {
			return false, nil
		}
		if err != nil {
			return true, err
		}
		participant, err := s.participantSide(ctx, e, author, append(append([]string(nil), o.To...), o.CC...))
		if err != nil || participant == "" {
			return participant != "", err
		}
		in.EventID, in.ParticipantID = e.ID, participant
	}
	_, err = s.cfg.Conversations.Receive(ctx, in)
	switch {
	case errors.Is(err, conversations.ErrForbidden), errors.Is(err, conversations.ErrNotParticipating),
		errors.Is(err, conversations.ErrInvalid), errors.Is(err, storage.ErrConflict):
		return true, refused("private message %s: %v", o.ID, err)
	case errors.Is(err, storage.ErrNotFound):
		return true, nil // about something gone: nothing to keep
	}
	return true, err
}

// participantSide is the participant of the conversation a message
// about e starts: its author, unless the author organizes e (always the
// case for a remote event, whose participant side is ours); then the
// first local actor the message is addressed to. "" means no local
// participant is addressed: not ours.
func (s *Services) participantSide(ctx context.Context, e *events.Event, author *identity.Actor, addressed []string) (string, error) {
	if e.Local {
		org, err := s.cfg.Conversations.IsOrganizer(ctx, e, author.ID)
		if err != nil {
			return "", err
		}
		if !org {
			return author.ID, nil
		}
	}
	for _, iri := range addressed {
		a, err := s.cfg.Identity.GetActorByAPID(ctx, iri)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return "", err
		}
		if a.Local && a.Type != identity.TypeGroup && a.Type != identity.TypeApplication {
			return a.ID, nil
		}
	}
	return "", nil
}
