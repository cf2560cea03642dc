package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/storage"
)

// ParticipantsMessageKind is the organizer's message to an event's
// participants (Messenger.ParticipantsMessage); its templates are
// templates/{locale}/participants_message.txt.
const ParticipantsMessageKind Kind = "participants_message"

// Limits of the organizer's messages to participants.
const (
	// MessageInterval is the least time between two messages to one
	// event's participants (ErrMessageTooSoon before it).
	MessageInterval = 10 * time.Minute
	// MaxMessageSubject bounds a message's subject, in characters.
	MaxMessageSubject = 150
	// MaxMessageText bounds a message's text, in characters.
	MaxMessageText = 5000
	// maxRemembered bounds the events whose last message is remembered.
	maxRemembered = 10_000
)

// Errors of the organizer's messages.
var (
	// ErrMessageTooSoon: the event's participants got a message less
	// than MessageInterval ago.
	ErrMessageTooSoon = errors.New("notify: a message went to this event's participants too recently")
	// ErrInvalidMessage: the subject or text is empty or too long.
	ErrInvalidMessage = errors.New("notify: invalid message")
)

// Messenger mails organizers' messages to the participants of their
// events: every local one (ParticipantsMessage), or only those who
// joined by email (AnonymousParticipantsMessage). It is safe for
// concurrent use.
type Messenger struct {
	n    *Notifier
	tpl  map[string]*template.Template // by locale
	mu   sync.Mutex
	last map[string]time.Time // event id → last message
}

// NewMessenger returns a Messenger that sends through n.
func NewMessenger(n *Notifier) (*Messenger, error) {
	if n == nil {
		return nil, errors.New("notify: NewMessenger: a Notifier is required")
	}
	m := &Messenger{n: n, tpl: map[string]*template.Template{}, last: map[string]time.Time{}}
	for _, loc := range Locales() {
		k := string(ParticipantsMessageKind)
		t, err := template.New(k).Option("missingkey=error").
			ParseFS(templateFS, "templates/"+loc+"/_common.txt", "templates/"+loc+"/"+k+".txt")
		if err != nil {
			return nil, fmt.Errorf("notify: template %s/%s: %w", loc, k, err)
		}
		m.tpl[loc] = t
	}
	return m, nil
}

// messageData is what the participants_message templates see.
type messageData struct {
	data
	From    string // the organizer's name
	Subject string
	Text    string
}

// cleanMessage trims a message and checks its length; the text keeps
// its line breaks, other control characters go.
func cleanMessage(subject, text string) (string, string, error) {
	subject = oneLine(subject, MaxMessageSubject+1)
	text = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unicode.IsControl(r) {
			return r
		}
		return -1
	}, strings.ReplaceAll(text, "\r\n", "\n"))
	text = strings.TrimSpace(text)
	switch {
	case subject == "" || text == "":
		return "", "", fmt.Errorf("%w: subject and text are required", ErrInvalidMessage)
	case utf8.RuneCountInString(subject) > MaxMessageSubject:
		return "", "", fmt.Errorf("%w: the subject is longer than %d characters", ErrInvalidMessage, MaxMessageSubject)
	case utf8.RuneCountInString(text) > MaxMessageText:
		return "", "", fmt.Errorf("%w: the text is longer than %d characters", ErrInvalidMessage, MaxMessageText)
	}
	return subject, text, nil
}

// ParticipantsMessage mails an organizer's message about event e to its
// local participants: the accounts behind local profiles taking part
// (participant, moderator, creator; confirmed and active accounts, one
// mail per address) and anonymous participants who confirmed their
// email; not from's own account, nor remote participants (not
// federated). It sends at once and returns how many mails went out.
// The caller checks that from may moderate e. At most one message per
// event every MessageInterval (ErrMessageTooSoon); a bad subject or text
// is ErrInvalidMessage. Both change nothing.
func (m *Messenger) ParticipantsMessage(ctx context.Context, e *events.Event, from *identity.Profile, subject, text string) (int, error) {
	return m.message(ctx, e, from, subject, text, false, nil)
}

// AnonymousParticipantsMessage is ParticipantsMessage for the anonymous
// participants only (who joined by email, without a profile): on an
// instance with private conversations, the participants with a profile
// get the organizer's message as a conversations.Service.Announce
// announcement instead, which the Notifier mails to the local ones
// (ConversationChanged) and federation delivers to the remote ones, so
// that nobody gets it twice. The first MaxRecipients anonymous
// participants (in order of joining) get it, however many participants
// with a profile joined before them.
//
// before, when not nil, runs once the message is checked and the event's
// interval reserved, and before any mail goes out: the announcement goes
// there, so that a refused message (ErrInvalidMessage,
// ErrMessageTooSoon) announces nothing, and a failed announcement mails
// nothing. Its error frees the interval and is returned as is.
func (m *Messenger) AnonymousParticipantsMessage(ctx context.Context, e *events.Event, from *identity.Profile, subject, text string,
	before func(ctx context.Context) error) (int, error) {
	return m.message(ctx, e, from, subject, text, true, before)
}

// message sends an organizer's message: to the anonymous participants
// only when anonymousOnly is set, after before.
func (m *Messenger) message(ctx context.Context, e *events.Event, from *identity.Profile, subject, text string,
	anonymousOnly bool, before func(ctx context.Context) error) (int, error) {
	if e == nil || from == nil {
		return 0, errors.New("notify: participants message: event and sender are required")
	}
	subject, text, err := cleanMessage(subject, text)
	if err != nil {
		return 0, err
	}
	now := m.n.now()
	if err := m.reserve(e.ID, now); err != nil {
		return 0, err
	}
	if before != nil {
		if err := before(ctx); err != nil {
			m.release(e.ID, now)
			return 0, err
		}
	}
	fromName := oneLine(actorName(&from.Actor), 100)
	seen := map[string]bool{}
	if r, ok, err := m.n.profileRecipient(ctx, from.ID); err == nil && ok {
		seen[strings.ToLower(r.email)] = true
	}
	roles := []events.ParticipantRole{events.RoleCreator, events.RoleModerator, events.RoleParticipant}
	sent := 0
	var after storage.Cursor
	var firstErr error
	for listed := 0; listed < MaxRecipients; {
		ps, err := m.n.events.ListParticipants(ctx, e.ID, roles, after, participantPage)
		if err != nil {
			return sent, fmt.Errorf("notify: participants of %s: %w", e.ID, err)
		}
		for i := range ps {
			p := &ps[i]
			if anonymousOnly && p.ActorID != "" {
				continue // not one of the MaxRecipients
			}
			if listed >= MaxRecipients {
				break
			}
			listed++
			r, ok, err := m.n.participantRecipient(ctx, p)
			if err != nil {
				firstErr = cmpErr(firstErr, err)
				continue
			}
			key := strings.ToLower(r.email)
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			if err := m.send(ctx, r, e, fromName, subject, text); err != nil {
				m.n.log.WarnContext(ctx, "notify: participants message", slog.String("event", e.ID), slog.Any("error", err))
				firstErr = cmpErr(firstErr, err)
				continue
			}
			sent++
		}
		if len(ps) < participantPage {
			break
		}
		last := ps[len(ps)-1]
		after = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
	return sent, firstErr
}

// reserve records a message to eventID's participants at now, or
// refuses it when the last one is more recent than MessageInterval.
func (m *Messenger) reserve(eventID string, now time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.last[eventID]; ok && now.Sub(t) < MessageInterval {
		return ErrMessageTooSoon
	}
	if len(m.last) >= maxRemembered {
		for id, t := range m.last {
			if now.Sub(t) >= MessageInterval {
				delete(m.last, id)
			}
		}
	}
	m.last[eventID] = now
	return nil
}

// release forgets the message reserve recorded at at, when it is still
// the last one.
func (m *Messenger) release(eventID string, at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.last[eventID]; ok && t.Equal(at) {
		delete(m.last, eventID)
	}
}

// send renders the message for r and sends it.
func (m *Messenger) send(ctx context.Context, r recipient, e *events.Event, from, subject, text string) error {
	loc := resolveLocale(r.locale, m.n.locale)
	d := messageData{data: data{Instance: m.n.instance, BaseURL: m.n.base, Name: r.name,
		Event: viewOf(e, e.BeginsAt, e.EndsAt, loc, r.tz)}, From: from, Subject: subject, Text: text}
	d.Event.URL = cmpOr(e.URL, e.APID)
	t := m.tpl[loc]
	var s, b strings.Builder
	if err := t.ExecuteTemplate(&s, "subject", d); err != nil {
		return fmt.Errorf("notify: render %s/%s: %w", loc, ParticipantsMessageKind, err)
	}
	if err := t.ExecuteTemplate(&b, "body", d); err != nil {
		return fmt.Errorf("notify: render %s/%s: %w", loc, ParticipantsMessageKind, err)
	}
	msg := mail.Message{To: r.email, Subject: oneLine(s.String(), MaxSubjectRunes), Text: b.String(), Kind: string(ParticipantsMessageKind)}
	if err := m.n.mail.Send(ctx, msg); err != nil {
		return fmt.Errorf("notify: send %s: %w", ParticipantsMessageKind, err)
	}
	return nil
}
