package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

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
	GetConversation(ctx context.Context, id string) (*conversations.Conversation, error)
	GetMessageByAPID(ctx context.Context, apID string) (*conversations.Message, error)
	GetConversationByAPID(ctx context.Context, apID string) (*conversations.Conversation, error)
}

// MaxMessageAddressees bounds the actors a private message may be
// addressed to (to and cc); a Note to more is no private message.
const MaxMessageAddressees = 50

// privateMessage takes a Create of a Note addressed to neither Public
// nor a collection as a private message about an event (WIRE.md §2.7):
// in reply to a message stored here (a Mastodon user answering a direct
// message), in a conversation of ours (its context), or in reply to an
// event, whose local side is then the organizers (a local event) or the
// participant it is addressed to (a remote one). The Note must be
// addressed to the local side: a local organizer when its author is the
// participant, the local participant otherwise. Anything else (a post
// to followers, a direct message to others) is not a private message
// for us: false, and the activity is dropped.
func (s *Services) privateMessage(ctx context.Context, a *Activity) (bool, error) {
	o := a.Object
	if s.cfg.Conversations == nil || s.cfg.ConversationStore == nil || a.Type != wire.TypeCreate || o == nil ||
		o.Type != "Note" || o.Name != "" || o.Public() || a.Public() {
		return false, nil
	}
	if o.AttributedTo != "" && !safehttp.SameIRI(o.AttributedTo, a.Actor) {
		return false, nil // someone else's words: not a message of a.Actor
	}
	author, err := s.cfg.Actors.ResolveActor(ctx, a.Actor)
	if err != nil {
		return true, fmt.Errorf("inbox: message author %s: %w", a.Actor, err)
	}
	local, ok, err := s.localAddressees(ctx, author, append(append([]string(nil), o.To...), o.CC...))
	if err != nil || !ok {
		return err != nil, err
	}
	in := conversations.RemoteMessage{APID: o.ID, Text: o.Content, Published: o.Published, AuthorID: author.ID}
	conv, err := s.conversationOf(ctx, o)
	if err != nil {
		return true, err
	}
	var e *events.Event
	participant := ""
	switch {
	case conv != nil:
		if o.InReplyTo != "" && conv.viaReply {
			in.InReplyTo = o.InReplyTo
		} else {
			in.Context = o.Context
		}
		participant = conv.c.ParticipantID
		if e, err = s.cfg.Events.GetEvent(ctx, conv.c.EventID); err != nil {
			return true, ignoreNotFound(err)
		}
	case o.InReplyTo == "":
		return false, nil
	default:
		e, err = s.cfg.Events.GetEventByAPID(ctx, o.InReplyTo)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return true, err
		}
		if participant, err = s.participantSide(ctx, e, author, local); err != nil || participant == "" {
			return participant != "", err
		}
		in.EventID, in.ParticipantID = e.ID, participant
	}
	if ok, err := s.addressesOtherSide(ctx, e, author, participant, local); err != nil || !ok {
		return err != nil, err
	}
	_, err = s.cfg.Conversations.Receive(ctx, in)
	switch {
	case errors.Is(err, conversations.ErrTooManyMessages):
		return true, refuse(http.StatusTooManyRequests, "private message %s: %v", o.ID, err)
	case errors.Is(err, conversations.ErrForbidden), errors.Is(err, conversations.ErrNotParticipating),
		errors.Is(err, conversations.ErrInvalid), errors.Is(err, storage.ErrConflict):
		return true, refused("private message %s: %v", o.ID, err)
	case errors.Is(err, storage.ErrNotFound):
		return true, nil // about something gone or unseen: nothing to keep
	}
	return true, err
}

// localAddressees returns the local actors (people and groups, not the
// instance's applications or services) a Note is addressed to. ok is false when it is no private message: too
// many addressees, the author's followers or any followers collection
// among them, or no local actor.
func (s *Services) localAddressees(ctx context.Context, author *identity.Actor, addressed []string) (local []*identity.Actor, ok bool, err error) {
	if len(addressed) == 0 || len(addressed) > MaxMessageAddressees {
		return nil, false, nil
	}
	for _, iri := range addressed {
		if (author.Followers != "" && safehttp.SameIRI(iri, author.Followers)) || strings.HasSuffix(iri, "/followers") {
			return nil, false, nil
		}
	}
	for _, iri := range addressed {
		x, err := s.cfg.Identity.GetActorByAPID(ctx, iri)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, false, err
		}
		if x.Local && x.Type != identity.TypeApplication && x.Type != identity.TypeService {
			local = append(local, x) // people, and groups (which organize events)
		}
	}
	return local, len(local) > 0, nil
}

// conversationFound is a conversation a Note names, and how.
type conversationFound struct {
	c        *conversations.Conversation
	viaReply bool // by the message it answers, else by its context
}

// conversationOf finds the conversation of ours a Note names: by the
// message it answers, else by its context; nil when neither is ours.
func (s *Services) conversationOf(ctx context.Context, o *wire.ParsedObject) (*conversationFound, error) {
	st := s.cfg.ConversationStore
	if o.InReplyTo != "" {
		m, err := st.GetMessageByAPID(ctx, o.InReplyTo)
		switch {
		case err == nil:
			c, err := st.GetConversation(ctx, m.ConversationID)
			if err != nil {
				return nil, ignoreNotFound(err)
			}
			return &conversationFound{c: c, viaReply: true}, nil
		case !errors.Is(err, storage.ErrNotFound):
			return nil, err
		}
	}
	if o.Context != "" {
		c, err := st.GetConversationByAPID(ctx, o.Context)
		switch {
		case err == nil:
			return &conversationFound{c: c}, nil
		case !errors.Is(err, storage.ErrNotFound):
			return nil, err
		}
	}
	return nil, nil
}

// addressesOtherSide reports whether a message about e by author in the
// conversation of participant is addressed to the local side it goes
// to: a local organizer of e when the author is the participant, else
// the participant.
func (s *Services) addressesOtherSide(ctx context.Context, e *events.Event, author *identity.Actor, participant string, local []*identity.Actor) (bool, error) {
	for _, x := range local {
		if author.ID != participant {
			if x.ID == participant {
				return true, nil
			}
			continue
		}
		org, err := s.cfg.Conversations.IsOrganizer(ctx, e, x.ID)
		if err != nil {
			return false, err
		}
		if org {
			return true, nil
		}
	}
	return false, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// participantSide is the participant of the conversation a message
// about e starts: its author, unless the author organizes e (always the
// case for a remote event, whose participant side is ours); then the
// first local actor the message is addressed to. "" means no local
// participant is addressed: not ours.
func (s *Services) participantSide(ctx context.Context, e *events.Event, author *identity.Actor, local []*identity.Actor) (string, error) {
	if e.Local {
		org, err := s.cfg.Conversations.IsOrganizer(ctx, e, author.ID)
		if err != nil {
			return "", err
		}
		if !org {
			return author.ID, nil
		}
	}
	for _, x := range local {
		if x.Type != identity.TypePerson {
			continue // a group takes no part in an event
		}
		org, err := s.cfg.Conversations.IsOrganizer(ctx, e, x.ID)
		if err != nil {
			return "", err
		}
		if !org {
			return x.ID, nil
		}
	}
	return "", nil
}
