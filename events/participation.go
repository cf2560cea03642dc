package events

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// Seats: only RoleParticipant holds one. Organizers (creator, moderator)
// do not count against the capacity, as in Mobilizon.
var seatRoles = []ParticipantRole{RoleParticipant}

// JoinInput is what a joining actor says.
type JoinInput struct {
	Message string // the participation message, shown to organizers
	// APID is the Join activity's id for a remote actor's join; empty
	// for local ones, which get BaseURL/join/event/{id}.
	APID string
}

// Join makes actorID take part in an event, following its join mode:
// free joins take a seat while one is left and are waitlisted otherwise;
// restricted joins wait for approval (not_approved); invitation-only
// events refuse joins (ErrClosed) and external or none ones too
// (ErrNotJoinable). The capacity holds however many joins arrive at once:
// the seat count and the insert happen under the event's lock.
//
// A join of another instance's event waits (not_approved) for that
// instance's answer, which AnswerRemoteJoin records: the federation hook
// sends the Join.
func (s *Service) Join(ctx context.Context, eventID, actorID string, in JoinInput) (*Participant, error) {
	if actorID == "" {
		return nil, fmt.Errorf("events: join: %w", ErrForbidden)
	}
	msg, err := s.message(in.Message)
	if err != nil {
		return nil, err
	}
	var out *Participant
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.LockEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := s.mayView(ctx, st, e, actorID); err != nil {
			return err
		}
		if err := s.joinable(e); err != nil {
			return err
		}
		if e.JoinMode == JoinInvite {
			return fmt.Errorf("%w: participation is by invitation", ErrClosed)
		}
		if old, err := st.GetParticipantByActor(ctx, e.ID, actorID); err == nil {
			if old.Role == RoleRejected {
				return fmt.Errorf("%w: the organizers declined this participation", ErrForbidden)
			}
			return ErrAlreadyParticipating
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		now := s.clock()
		p := &Participant{ID: s.newID(), EventID: e.ID, ActorID: actorID, Message: msg, APID: in.APID, CreatedAt: now, UpdatedAt: now}
		if p.APID == "" {
			p.APID = s.base + "/join/event/" + p.ID
		}
		if !e.Local {
			// Another instance holds the seats: the join waits for its
			// organizer's Accept or Reject (AnswerRemoteJoin).
			p.Role = RoleNotApproved
		} else if p.Role, err = s.entryRole(ctx, st, e); err != nil {
			return err
		}
		if err := st.CreateParticipant(ctx, p); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return ErrAlreadyParticipating
			}
			return err
		}
		out = p
		return s.emit(ctx, tx, Change{Kind: ParticipantAdded, ActorID: actorID, Event: e, Participant: p})
	})
	if err != nil {
		return nil, fmt.Errorf("events: join: %w", err)
	}
	return out, nil
}

// entryRole is the role a join (or a confirmed anonymous join) gets:
// not_approved when the organizer approves each join, otherwise a seat
// or, when none is left, the waitlist. The event must be locked.
func (s *Service) entryRole(ctx context.Context, st Store, e *Event) (ParticipantRole, error) {
	if e.JoinMode == JoinRestricted {
		return RoleNotApproved, nil
	}
	return s.seatOrWait(ctx, st, e)
}

func (s *Service) seatOrWait(ctx context.Context, st Store, e *Event) (ParticipantRole, error) {
	if e.Capacity == 0 {
		return RoleParticipant, nil
	}
	n, err := st.CountParticipants(ctx, e.ID, seatRoles)
	if err != nil {
		return "", err
	}
	if n < e.Capacity {
		return RoleParticipant, nil
	}
	return RoleWaitlisted, nil
}

// joinable refuses joins on events that take none.
func (s *Service) joinable(e *Event) error {
	switch {
	case e.JoinMode == JoinExternal || e.JoinMode == JoinNone:
		return ErrNotJoinable
	case e.Draft:
		return fmt.Errorf("%w: the event is a draft", ErrClosed)
	case e.Status == Cancelled:
		return fmt.Errorf("%w: the event is cancelled", ErrClosed)
	}
	end := e.SeriesEndsAt
	if !end.IsZero() && end.Before(s.clock()) {
		return fmt.Errorf("%w: the event is over", ErrClosed)
	}
	return nil
}

func (s *Service) message(m string) (string, error) {
	m = strings.TrimSpace(s.sanitize.Text(m))
	if utf8.RuneCountInString(m) > MaxMessageLength {
		return "", fielderr.New("message", "is longer than %d characters", MaxMessageLength)
	}
	return m, nil
}

// Leave ends actorID's participation. The seat it held goes to the first
// waitlisted participant. The only organizer cannot leave. Leaving works
// on an event hidden by the instance's moderators too, as does
// CancelAnonymous: nobody is held in an event they can no longer see.
func (s *Service) Leave(ctx context.Context, eventID, actorID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.LockEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		p, err := st.GetParticipantByActor(ctx, e.ID, actorID)
		if err != nil {
			return notFound(err)
		}
		if p.Role == RoleCreator || p.Role == RoleModerator {
			n, err := st.CountParticipants(ctx, e.ID, []ParticipantRole{RoleCreator, RoleModerator})
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrOnlyOrganizer
			}
		}
		return s.remove(ctx, tx, st, e, p, actorID)
	})
	if err != nil {
		return fmt.Errorf("events: leave: %w", err)
	}
	return nil
}

// remove deletes a participation and hands its seat on.
func (s *Service) remove(ctx context.Context, tx storage.Tx, st Store, e *Event, p *Participant, actorID string) error {
	if err := st.DeleteParticipant(ctx, p.ID); err != nil {
		return err
	}
	if err := s.emit(ctx, tx, Change{Kind: ParticipantRemoved, ActorID: actorID, Event: e, Participant: p}); err != nil {
		return err
	}
	return s.promote(ctx, tx, st, e)
}

// promote gives free seats to waitlisted participants, first come first
// served. The event must be locked.
func (s *Service) promote(ctx context.Context, tx storage.Tx, st Store, e *Event) error {
	for {
		free := MaxPageSize
		if e.Capacity > 0 {
			n, err := st.CountParticipants(ctx, e.ID, seatRoles)
			if err != nil {
				return err
			}
			free = min(e.Capacity-n, MaxPageSize)
		}
		if free <= 0 {
			return nil
		}
		waiting, err := st.ListParticipants(ctx, e.ID, []ParticipantRole{RoleWaitlisted}, storage.Cursor{}, free)
		if err != nil {
			return err
		}
		if len(waiting) == 0 {
			return nil
		}
		for i := range waiting {
			if err := s.setRole(ctx, tx, st, e, &waiting[i], RoleParticipant, ""); err != nil {
				return err
			}
		}
	}
}

// setRole changes a participation's role and tells the hook.
func (s *Service) setRole(ctx context.Context, tx storage.Tx, st Store, e *Event, p *Participant, role ParticipantRole, actorID string) error {
	prev := p.Role
	p.Role, p.UpdatedAt = role, s.clock()
	if err := st.UpdateParticipant(ctx, p); err != nil {
		return err
	}
	return s.emit(ctx, tx, Change{Kind: ParticipantChanged, ActorID: actorID, Event: e, Participant: p, PreviousRole: prev})
}

// Approve accepts a participation waiting for approval (not_approved, or
// rejected earlier): it takes a seat if one is left and joins the
// waitlist otherwise. moderatorID must be allowed to moderate the event.
func (s *Service) Approve(ctx context.Context, moderatorID, participantID string) (*Participant, error) {
	return s.decide(ctx, moderatorID, participantID, true)
}

// Reject declines a participation. A participant's seat goes to the
// first waitlisted one. Organizers cannot be rejected.
func (s *Service) Reject(ctx context.Context, moderatorID, participantID string) (*Participant, error) {
	return s.decide(ctx, moderatorID, participantID, false)
}

func (s *Service) decide(ctx context.Context, moderatorID, participantID string, approve bool) (*Participant, error) {
	var out *Participant
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, err := st.GetParticipant(ctx, participantID)
		if err != nil {
			return notFound(err)
		}
		e, err := st.LockEvent(ctx, p.EventID)
		if err != nil {
			return notFound(err)
		}
		if err := hiddenNotFound(e); err != nil {
			return err
		}
		if err := s.mayManage(ctx, st, e, moderatorID, OpModerate); err != nil {
			return err
		}
		if p, err = st.GetParticipant(ctx, participantID); err != nil { // re-read under the lock
			return notFound(err)
		}
		out = p
		switch {
		case p.Role == RoleCreator || p.Role == RoleModerator:
			return fmt.Errorf("%w: organizers are not approved or rejected", ErrForbidden)
		case p.Role == RoleNotConfirmed:
			return fmt.Errorf("%w: the participant has not confirmed their email yet", ErrForbidden)
		case approve && (p.Role == RoleNotApproved || p.Role == RoleRejected):
			role, err := s.seatOrWait(ctx, st, e)
			if err != nil {
				return err
			}
			return s.setRole(ctx, tx, st, e, p, role, moderatorID)
		case approve:
			return nil // already approved: participant or waitlisted
		case p.Role == RoleRejected:
			return nil
		default:
			held := p.Role == RoleParticipant
			if err := s.setRole(ctx, tx, st, e, p, RoleRejected, moderatorID); err != nil {
				return err
			}
			if held {
				return s.promote(ctx, tx, st, e)
			}
			return nil
		}
	})
	if err != nil {
		return nil, fmt.Errorf("events: moderate participation: %w", err)
	}
	return out, nil
}

// Participants lists an event's participations in the given roles (all
// when empty), for those who may moderate the event. Anonymous
// participants' emails are included: organizers need them to write to
// participants; callers must not show them to anyone else.
func (s *Service) Participants(ctx context.Context, viewerID, eventID string, roles []ParticipantRole, after string, limit int) ([]Participant, string, error) {
	e, err := s.store.GetEvent(ctx, eventID)
	if err == nil {
		err = hiddenNotFound(e)
	}
	if err != nil {
		return nil, "", fmt.Errorf("events: participants: %w", notFound(err))
	}
	if err := s.mayManage(ctx, s.store, e, viewerID, OpModerate); err != nil {
		return nil, "", fmt.Errorf("events: participants: %w", err)
	}
	cur, err := storage.ParseCursor(after)
	if err != nil {
		return nil, "", fmt.Errorf("events: participants: %w", err)
	}
	limit = pageSize(limit)
	ps, err := s.store.ListParticipants(ctx, eventID, roles, cur, limit)
	if err != nil {
		return nil, "", fmt.Errorf("events: participants: %w", err)
	}
	next := ""
	if len(ps) == limit {
		last := ps[len(ps)-1]
		next = storage.Cursor{At: last.CreatedAt, ID: last.ID}.String()
	}
	return ps, next, nil
}

// Participation returns actorID's participation in an event.
func (s *Service) Participation(ctx context.Context, eventID, actorID string) (*Participant, error) {
	p, err := s.store.GetParticipantByActor(ctx, eventID, actorID)
	if err != nil {
		return nil, fmt.Errorf("events: participation: %w", notFound(err))
	}
	return p, nil
}

// WaitlistPosition returns the 1-based place of a waitlisted
// participation in its event's waitlist, 0 when it is not waitlisted.
func (s *Service) WaitlistPosition(ctx context.Context, p *Participant) (int, error) {
	if p.Role != RoleWaitlisted {
		return 0, nil
	}
	pos := 0
	var cur storage.Cursor
	for {
		ps, err := s.store.ListParticipants(ctx, p.EventID, []ParticipantRole{RoleWaitlisted}, cur, MaxPageSize)
		if err != nil {
			return 0, fmt.Errorf("events: waitlist position: %w", err)
		}
		for _, q := range ps {
			pos++
			if q.ID == p.ID {
				return pos, nil
			}
		}
		if len(ps) < MaxPageSize {
			return 0, nil
		}
		last := ps[len(ps)-1]
		cur = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
}

// AnonymousJoin is a join without an account.
type AnonymousJoin struct {
	Email   string
	Message string
	Locale  string
}

// AnonymousTokens are the secrets mailed to an anonymous participant:
// one confirms the participation, the other cancels it. Only their
// SHA-256 hashes are stored.
type AnonymousTokens struct {
	Confirm string
	Cancel  string
}

// JoinAnonymously records a participation by email, without an account,
// on an event that allows it. It is not_confirmed until ConfirmAnonymous
// is called with the mailed token; the join mode applies then. The email
// is stored only to write to the participant: it is never shown to other
// users and never federated.
func (s *Service) JoinAnonymously(ctx context.Context, eventID string, in AnonymousJoin) (*Participant, AnonymousTokens, error) {
	var tokens AnonymousTokens
	addr, err := mail.ParseAddress(strings.TrimSpace(in.Email))
	if err != nil || addr.Name != "" || len(addr.Address) > 254 {
		return nil, tokens, fielderr.New("email", "is not an email address")
	}
	msg, err := s.message(in.Message)
	if err != nil {
		return nil, tokens, err
	}
	if len(in.Locale) > 35 {
		return nil, tokens, fielderr.New("locale", "is too long")
	}
	if tokens.Confirm, err = newToken(); err != nil {
		return nil, tokens, err
	}
	if tokens.Cancel, err = newToken(); err != nil {
		return nil, tokens, err
	}
	var out *Participant
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.LockEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := s.mayView(ctx, st, e, ""); err != nil {
			return err
		}
		if err := s.joinable(e); err != nil {
			return err
		}
		if !e.AnonymousParticipation || (e.JoinMode != JoinFree && e.JoinMode != JoinRestricted) {
			return ErrAnonymousDisabled
		}
		now := s.clock()
		p := &Participant{ID: s.newID(), EventID: e.ID, Role: RoleNotConfirmed, Message: msg,
			Email: strings.ToLower(addr.Address), Locale: in.Locale,
			ConfirmTokenHash: hashToken(tokens.Confirm), CancelTokenHash: hashToken(tokens.Cancel),
			CreatedAt: now, UpdatedAt: now}
		p.APID = s.base + "/join/event/" + p.ID
		if err := st.CreateParticipant(ctx, p); err != nil {
			return err
		}
		out = p
		return s.emit(ctx, tx, Change{Kind: ParticipantAdded, Event: e, Participant: p})
	})
	if err != nil {
		return nil, AnonymousTokens{}, fmt.Errorf("events: join anonymously: %w", err)
	}
	return out, tokens, nil
}

// ConfirmAnonymous confirms an anonymous participation with its mailed
// confirmation token; the event's join mode then applies (a seat, the
// waitlist, or approval). Confirming twice is harmless. An unknown token
// is ErrNotFound.
func (s *Service) ConfirmAnonymous(ctx context.Context, token string) (*Participant, error) {
	var out *Participant
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, e, err := s.byToken(ctx, st, token)
		if err != nil {
			return err
		}
		if err := hiddenNotFound(e); err != nil {
			return err
		}
		out = p
		if subtleEqual(p.CancelTokenHash, hashToken(token)) || p.Role != RoleNotConfirmed {
			if p.Role == RoleNotConfirmed { // the cancellation token does not confirm
				return ErrNotFound
			}
			return nil
		}
		role, err := s.entryRole(ctx, st, e)
		if err != nil {
			return err
		}
		return s.setRole(ctx, tx, st, e, p, role, "")
	})
	if err != nil {
		return nil, fmt.Errorf("events: confirm participation: %w", err)
	}
	return out, nil
}

// CancelAnonymous ends an anonymous participation with its mailed
// cancellation token; its seat goes to the first waitlisted participant.
func (s *Service) CancelAnonymous(ctx context.Context, token string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, e, err := s.byToken(ctx, st, token)
		if err != nil {
			return err
		}
		if !subtleEqual(p.CancelTokenHash, hashToken(token)) {
			return ErrNotFound
		}
		return s.remove(ctx, tx, st, e, p, "")
	})
	if err != nil {
		return fmt.Errorf("events: cancel participation: %w", err)
	}
	return nil
}

// byToken finds an anonymous participation and locks its event.
func (s *Service) byToken(ctx context.Context, st Store, token string) (*Participant, *Event, error) {
	if len(token) < 16 || len(token) > 128 {
		return nil, nil, ErrNotFound
	}
	p, err := st.GetParticipantByToken(ctx, hashToken(token))
	if err != nil {
		return nil, nil, notFound(err)
	}
	e, err := st.LockEvent(ctx, p.EventID)
	if err != nil {
		return nil, nil, notFound(err)
	}
	if p, err = st.GetParticipant(ctx, p.ID); err != nil { // re-read under the lock
		return nil, nil, notFound(err)
	}
	return p, e, nil
}

// newToken returns 256 random bits, URL-safe.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("events: random token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

// AnswerRemoteJoin records the answer of another instance to a local
// participation in one of its events: the participation whose Join had
// the id joinAPID becomes a participant (accepted) or rejected. Only the
// event's organizer, or the group that organizes it, answers: byActorID
// must be the organizer (the inbox checked that it signed the answer);
// anyone else gets ErrForbidden. A participation in a local event gives
// ErrForbidden too (local organizers use Approve and Reject). Answering
// twice the same way changes nothing.
func (s *Service) AnswerRemoteJoin(ctx context.Context, joinAPID, byActorID string, accepted bool) (*Participant, error) {
	var out *Participant
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, err := st.GetParticipantByAPID(ctx, joinAPID)
		if err != nil {
			return notFound(err)
		}
		e, err := st.LockEvent(ctx, p.EventID)
		if err != nil {
			return notFound(err)
		}
		if e.Local || (e.OrganizerID != byActorID && e.GroupID != byActorID) {
			return fmt.Errorf("%w: only the remote organizer answers this join", ErrForbidden)
		}
		out = p
		role := RoleRejected
		if accepted {
			role = RoleParticipant
		}
		if p.Role == role {
			return nil
		}
		return s.setRole(ctx, tx, st, e, p, role, byActorID)
	})
	if err != nil {
		return nil, fmt.Errorf("events: answer to join: %w", err)
	}
	return out, nil
}
