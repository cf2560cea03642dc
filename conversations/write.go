package conversations

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// WriteToOrganizers writes participantID's message to the organizers of
// an event, in the participant's conversation about it (made by the
// first message). participantID must take part in the event (any role
// but rejected: pending applicants and waitlisted people may ask) and
// must not be one of its organizers (ErrForbidden: organizers use
// WriteToParticipant). Without a participation it is
// ErrNotParticipating, or ErrNotFound when the event is private or a
// draft, so that outsiders learn nothing of it.
func (s *Service) WriteToOrganizers(ctx context.Context, participantID, eventID, text string) (*Conversation, *Message, error) {
	if err := errors.Join(checkID("participant_id", participantID), checkID("event_id", eventID)); err != nil {
		return nil, nil, wrap("write to organizers", err)
	}
	t, err := s.text(text)
	if err != nil {
		return nil, nil, wrap("write to organizers", err)
	}
	var c *Conversation
	var m *Message
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		if err := localAuthor(ctx, st, participantID); err != nil {
			return err
		}
		e, err := lockEvent(ctx, st, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := participation(ctx, st, e, participantID); err != nil {
			if errors.Is(err, ErrNotParticipating) && hidden(e) {
				return ErrNotFound
			}
			return err
		}
		c, m, err = s.post(ctx, tx, st, post{event: e, participantID: participantID, authorID: participantID, text: t})
		return err
	})
	if err != nil {
		return nil, nil, wrap("write to organizers", err)
	}
	return c, m, nil
}

// WriteToParticipant writes organizerID's message to one participant of
// an event (participantID, the actor id of a local profile or a remote
// actor), in that participant's conversation about the event.
// organizerID must be an organizer (IsOrganizer; otherwise ErrForbidden,
// or ErrNotFound when the event is private or a draft); the participant
// must take part in the event (ErrNotParticipating) and not organize it
// (ErrForbidden).
func (s *Service) WriteToParticipant(ctx context.Context, organizerID, eventID, participantID, text string) (*Conversation, *Message, error) {
	if err := errors.Join(checkID("organizer_id", organizerID), checkID("event_id", eventID),
		checkID("participant_id", participantID)); err != nil {
		return nil, nil, wrap("write to participant", err)
	}
	t, err := s.text(text)
	if err != nil {
		return nil, nil, wrap("write to participant", err)
	}
	var c *Conversation
	var m *Message
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		if err := localAuthor(ctx, st, organizerID); err != nil {
			return err
		}
		e, err := lockEvent(ctx, st, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := mustOrganize(ctx, st, e, organizerID); err != nil {
			return err
		}
		if err := participation(ctx, st, e, participantID); err != nil {
			return err
		}
		c, m, err = s.post(ctx, tx, st, post{event: e, participantID: participantID, authorID: organizerID, text: t})
		return err
	})
	if err != nil {
		return nil, nil, wrap("write to participant", err)
	}
	return c, m, nil
}

// AnnounceRoles returns the roles Announce takes, in order: the
// participations that hold or wait for a seat. Organizers (creator,
// moderator) are not among them: they are the announcing side, and read
// announcements in the event's conversations.
func AnnounceRoles() []events.ParticipantRole {
	return []events.ParticipantRole{events.RoleParticipant, events.RoleWaitlisted, events.RoleNotApproved}
}

// DefaultAnnounceRoles are the roles an announcement goes to when none
// are given: the participants holding a seat, as notify.Messenger's
// messages, less the organizers (see AnnounceRoles).
func DefaultAnnounceRoles() []events.ParticipantRole {
	return []events.ParticipantRole{events.RoleParticipant}
}

// Announce writes organizerID's message to every participant of an
// event whose role is one of roles (DefaultAnnounceRoles when empty;
// each must be one of AnnounceRoles): one message with Announcement set
// in each participant's own conversation, so that replies stay private.
// Anonymous participants (no actor) and participants who also organize
// the event are skipped. It returns how many messages it wrote; 0 when
// nobody matches. All are written in one transaction, the Hook called
// for each; more than MaxAnnounceRecipients recipients is
// ErrTooManyRecipients and writes nothing. organizerID must organize
// the event (as WriteToParticipant).
func (s *Service) Announce(ctx context.Context, organizerID, eventID, text string, roles []events.ParticipantRole) (int, error) {
	if err := errors.Join(checkID("organizer_id", organizerID), checkID("event_id", eventID)); err != nil {
		return 0, wrap("announce", err)
	}
	roles, err := announceRoles(roles)
	if err != nil {
		return 0, wrap("announce", err)
	}
	t, err := s.text(text)
	if err != nil {
		return 0, wrap("announce", err)
	}
	n := 0
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		n = 0
		if err := localAuthor(ctx, st, organizerID); err != nil {
			return err
		}
		e, err := lockEvent(ctx, st, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := mustOrganize(ctx, st, e, organizerID); err != nil {
			return err
		}
		to, err := announceRecipients(ctx, st, e, roles)
		if err != nil {
			return err
		}
		for _, id := range to {
			if _, _, err := s.post(ctx, tx, st, post{event: e, participantID: id, authorID: organizerID, text: t,
				announcement: true}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, wrap("announce", err)
	}
	return n, nil
}

// announceRoles checks and defaults Announce's roles, without repeats.
func announceRoles(roles []events.ParticipantRole) ([]events.ParticipantRole, error) {
	if len(roles) == 0 {
		return DefaultAnnounceRoles(), nil
	}
	var out []events.ParticipantRole
	for _, r := range roles {
		ok := false
		for _, a := range AnnounceRoles() {
			ok = ok || r == a
		}
		if !ok {
			return nil, fielderr.New("roles", "%q is not one of %v", r, AnnounceRoles())
		}
		if !containsRole(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

func containsRole(rs []events.ParticipantRole, r events.ParticipantRole) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// announceRecipients lists the actors an announcement goes to, in the
// order they joined, or ErrTooManyRecipients.
func announceRecipients(ctx context.Context, st Store, e *events.Event, roles []events.ParticipantRole) ([]string, error) {
	const page = 200
	var out []string
	var cur storage.Cursor
	for {
		ps, err := st.ListParticipants(ctx, e.ID, roles, cur, page)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			p := &ps[i]
			if !takesPart(p) {
				continue
			}
			org, err := isOrganizer(ctx, st, e, p.ActorID)
			if err != nil {
				return nil, err
			}
			if org {
				continue
			}
			if len(out) == MaxAnnounceRecipients {
				return nil, fmt.Errorf("%w: more than %d participants", ErrTooManyRecipients, MaxAnnounceRecipients)
			}
			out = append(out, p.ActorID)
		}
		if len(ps) < page {
			return out, nil
		}
		last := ps[len(ps)-1]
		cur = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
}

// Reply writes authorID's message in an existing conversation, from
// either side: its participant, who must still take part in the event
// (ErrNotParticipating), or one of the event's organizers, while the
// participant takes part (ErrNotParticipating). Anyone else gets
// ErrNotFound, as for a conversation that does not exist.
func (s *Service) Reply(ctx context.Context, authorID, conversationID, text string) (*Message, error) {
	if err := errors.Join(checkID("author_id", authorID), checkID("conversation_id", conversationID)); err != nil {
		return nil, wrap("reply", err)
	}
	t, err := s.text(text)
	if err != nil {
		return nil, wrap("reply", err)
	}
	var m *Message
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		c, err := st.GetConversation(ctx, conversationID)
		if err != nil {
			return notFound(err)
		}
		e, err := lockEvent(ctx, st, c.EventID)
		if err != nil {
			return notFound(err)
		}
		if err := localAuthor(ctx, st, authorID); err != nil {
			return err
		}
		if authorID != c.ParticipantID {
			org, err := isOrganizer(ctx, st, e, authorID)
			if err != nil {
				return err
			}
			if !org {
				return ErrNotFound
			}
		}
		if err := participation(ctx, st, e, c.ParticipantID); err != nil {
			return err
		}
		_, m, err = s.post(ctx, tx, st, post{event: e, conv: c, participantID: c.ParticipantID, authorID: authorID, text: t})
		return err
	})
	if err != nil {
		return nil, wrap("reply", err)
	}
	return m, nil
}

// Receive stores a private message from another instance, with the
// rules of the local writes: a remote participant writes to the
// organizers of a local event (as WriteToOrganizers, or Reply), a remote
// organizer writes to a local participant (as WriteToParticipant, or
// Reply). A message that has no local side (a remote participant of a
// remote event, a remote participant as recipient) is ErrForbidden, and
// so is a local author, or an APID on another host than the author's.
// The conversation is found as RemoteMessage says, and made when the
// message starts it (ErrNotFound when InReplyTo or Context names nothing
// known here).
//
// Receive is idempotent on the APID: a message already stored with the
// same APID and author is returned as it is, with a nil error, and the
// Hook is not called again. The same APID by another author is
// ErrConflict (storage.ErrConflict). One author's messages beyond
// MaxReceivedPerAuthor in ReceiveWindow are ErrTooManyMessages.
func (s *Service) Receive(ctx context.Context, in RemoteMessage) (*Message, error) {
	t, err := s.checkRemote(&in)
	if err != nil {
		return nil, wrap("receive", err)
	}
	if !s.received.allow(in.AuthorID, s.clock()) {
		return nil, wrap("receive", ErrTooManyMessages)
	}
	var m *Message
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		author, err := st.GetActor(ctx, in.AuthorID)
		if err != nil {
			return fmt.Errorf("author: %w", notFound(err))
		}
		if author.Local {
			return fmt.Errorf("%w: the author is a local actor", ErrForbidden)
		}
		host, _ := checkIRI("author", author.APID, false)
		if apHost, _ := checkIRI("ap_id", in.APID, false); host == "" || apHost != host {
			return fmt.Errorf("%w: the message's id is not on its author's host", ErrForbidden)
		}
		if old, err := st.GetMessageByAPID(ctx, in.APID); err == nil {
			if old.AuthorID != in.AuthorID {
				return fmt.Errorf("%w: the message id is taken by another author", storage.ErrConflict)
			}
			m = old
			return nil
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		c, err := resolve(ctx, st, &in)
		if err != nil {
			return err
		}
		e, err := lockEvent(ctx, st, in.EventID)
		if err != nil {
			return notFound(err)
		}
		if err := s.mayReceive(ctx, st, e, &in); err != nil {
			return err
		}
		at := s.clock()
		if p := in.Published.UTC().Truncate(time.Microsecond); !in.Published.IsZero() && p.Before(at) {
			at = p
		}
		_, m, err = s.post(ctx, tx, st, post{event: e, conv: c, participantID: in.ParticipantID, authorID: in.AuthorID,
			text: t, apID: in.APID, at: at})
		return err
	})
	if err != nil {
		return nil, wrap("receive", err)
	}
	return m, nil
}

// checkRemote validates a received message and returns its clean text.
func (s *Service) checkRemote(in *RemoteMessage) (string, error) {
	err := checkID("author_id", in.AuthorID)
	host, e := checkIRI("ap_id", in.APID, false)
	err = errors.Join(err, e)
	if _, own, _ := strings.Cut(s.base, "://"); e == nil && host == strings.ToLower(own) {
		err = errors.Join(err, fielderr.New("ap_id", "is a local id"))
	}
	_, e = checkIRI("in_reply_to", in.InReplyTo, true)
	err = errors.Join(err, e)
	_, e = checkIRI("context", in.Context, true)
	err = errors.Join(err, e)
	switch {
	case (in.EventID == "") != (in.ParticipantID == ""):
		err = errors.Join(err, fielderr.New("event_id", "and participant_id go together"))
	case in.EventID != "":
		err = errors.Join(err, checkID("event_id", in.EventID), checkID("participant_id", in.ParticipantID))
	case in.InReplyTo == "" && in.Context == "":
		err = errors.Join(err, fielderr.New("event_id", "is required without in_reply_to or context"))
	}
	if err != nil {
		return "", err
	}
	return s.text(in.Text)
}

// resolve finds the conversation of a received message (nil when it
// starts one) and fills in.EventID and in.ParticipantID from it.
func resolve(ctx context.Context, st Store, in *RemoteMessage) (*Conversation, error) {
	var found *Conversation
	agree := func(c *Conversation, by string) error {
		if found != nil && found.ID != c.ID {
			return fielderr.New(by, "names another conversation")
		}
		found = c
		return nil
	}
	if in.InReplyTo != "" {
		prev, err := st.GetMessageByAPID(ctx, in.InReplyTo)
		if err != nil {
			return nil, fmt.Errorf("in reply to: %w", notFound(err))
		}
		c, err := st.GetConversation(ctx, prev.ConversationID)
		if err != nil {
			return nil, err
		}
		_ = agree(c, "in_reply_to")
	}
	if in.Context != "" {
		c, err := st.GetConversationByAPID(ctx, in.Context)
		if err != nil {
			return nil, fmt.Errorf("context: %w", notFound(err))
		}
		if err := agree(c, "context"); err != nil {
			return nil, err
		}
	}
	if in.EventID != "" {
		if found != nil {
			if found.EventID != in.EventID || found.ParticipantID != in.ParticipantID {
				return nil, fielderr.New("event_id", "and participant_id name another conversation")
			}
			return found, nil
		}
		c, err := st.GetConversationOf(ctx, in.EventID, in.ParticipantID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			return nil, nil
		case err != nil:
			return nil, err
		}
		return c, nil
	}
	in.EventID, in.ParticipantID = found.EventID, found.ParticipantID
	return found, nil
}

// mayReceive applies the rules of the local writes to a received
// message, and requires a local side. About a private or draft event,
// a refusal is ErrNotFound, so that outsiders learn nothing of it.
func (s *Service) mayReceive(ctx context.Context, st Store, e *events.Event, in *RemoteMessage) error {
	err := s.mayReceiveOn(ctx, st, e, in)
	if err != nil && hidden(e) && (errors.Is(err, ErrForbidden) || errors.Is(err, ErrNotParticipating)) {
		return ErrNotFound
	}
	return err
}

func (s *Service) mayReceiveOn(ctx context.Context, st Store, e *events.Event, in *RemoteMessage) error {
	if in.AuthorID == in.ParticipantID {
		if !e.Local {
			return fmt.Errorf("%w: the organizers of a remote event are written to on their instance", ErrForbidden)
		}
		return participation(ctx, st, e, in.AuthorID)
	}
	if err := mustOrganize(ctx, st, e, in.AuthorID); err != nil {
		if errors.Is(err, ErrNotFound) {
			return fmt.Errorf("%w: the author does not organize the event", ErrForbidden)
		}
		return err
	}
	p, err := st.GetActor(ctx, in.ParticipantID)
	if err != nil {
		return fmt.Errorf("participant: %w", notFound(err))
	}
	if !p.Local {
		return fmt.Errorf("%w: the participant is not local", ErrForbidden)
	}
	return participation(ctx, st, e, in.ParticipantID)
}

// hidden reports whether outsiders must not learn that e exists.
func hidden(e *events.Event) bool { return e.Draft || e.Visibility == events.Private }

// lockEvent locks an event for a write. An event the instance's
// moderators hid is not found, for everyone, as in the events service:
// nobody writes about it, and nothing about it is mailed or sent.
func lockEvent(ctx context.Context, st Store, id string) (*events.Event, error) {
	e, err := st.LockEvent(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	if e.Hidden {
		return nil, ErrNotFound
	}
	return e, nil
}

// getEvent reads an event, as lockEvent does.
func getEvent(ctx context.Context, st EventReader, id string) (*events.Event, error) {
	e, err := st.GetEvent(ctx, id)
	if err != nil {
		return nil, notFound(err)
	}
	if e.Hidden {
		return nil, ErrNotFound
	}
	return e, nil
}

// mustOrganize returns nil when actorID organizes e; otherwise
// ErrForbidden, or ErrNotFound for an event outsiders do not see.
func mustOrganize(ctx context.Context, st Store, e *events.Event, actorID string) error {
	org, err := isOrganizer(ctx, st, e, actorID)
	switch {
	case err != nil:
		return err
	case org:
		return nil
	case hidden(e):
		return ErrNotFound
	}
	return fmt.Errorf("%w: only the event's organizers may do this", ErrForbidden)
}

// post is one message to write.
type post struct {
	event         *events.Event
	conv          *Conversation // nil: found or made from event and participantID
	participantID string
	authorID      string
	text          string
	announcement  bool
	apID          string    // "" for a local message
	at            time.Time // zero: now
}

// post writes a message, making its conversation when needed, and tells
// the hook. The rules are checked by the caller, under the event's lock.
func (s *Service) post(ctx context.Context, tx storage.Tx, st Store, p post) (*Conversation, *Message, error) {
	now := s.clock()
	at := p.at
	if at.IsZero() {
		at = now
	}
	c, created := p.conv, false
	if c == nil {
		var err error
		c, err = st.GetConversationOf(ctx, p.event.ID, p.participantID)
		if errors.Is(err, storage.ErrNotFound) {
			if _, err := st.GetActor(ctx, p.participantID); err != nil {
				return nil, nil, fmt.Errorf("participant: %w", notFound(err))
			}
			id := s.newID()
			c = &Conversation{ID: id, APID: s.base + "/conversations/" + id, EventID: p.event.ID,
				ParticipantID: p.participantID, Local: p.event.Local, LastMessageAt: at, CreatedAt: now}
			if err := st.CreateConversation(ctx, c); err != nil {
				return nil, nil, err
			}
			created = true
		} else if err != nil {
			return nil, nil, err
		}
	}
	m := &Message{ID: s.newID(), APID: p.apID, ConversationID: c.ID, AuthorID: p.authorID, Text: p.text,
		Announcement: p.announcement, Local: p.apID == "", CreatedAt: at}
	if m.Local {
		m.APID = c.APID + "/messages/" + m.ID
	}
	if err := st.CreateMessage(ctx, m); err != nil {
		return nil, nil, err
	}
	if at.After(c.LastMessageAt) {
		c.LastMessageAt = at
		if err := st.UpdateConversation(ctx, c); err != nil {
			return nil, nil, err
		}
	}
	if m.Local {
		// The author has read the thread up to their own message.
		if err := st.PutConversationRead(ctx, c.ID, p.authorID, c.LastMessageAt); err != nil {
			return nil, nil, err
		}
	}
	ch := Change{Event: p.event, Conversation: c, Message: m, Created: created,
		FromParticipant: p.authorID == c.ParticipantID}
	if ch.FromParticipant {
		orgs, err := organizers(ctx, st, p.event)
		if err != nil {
			return nil, nil, err
		}
		ch.Recipients = orgs
	} else {
		ch.Recipients = []string{c.ParticipantID}
	}
	if s.hook != nil {
		if err := s.hook.ConversationChanged(ctx, tx, ch); err != nil {
			return nil, nil, fmt.Errorf("hook: %w", err)
		}
	}
	return c, m, nil
}
