package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/internal/htmlsafe"
	"codeberg.org/convene/convene/storage"
)

// ValidationError names the field of an input that is wrong and why.
type ValidationError = fielderr.Error

// Errors of this package. Store errors keep their storage sentinel too:
// a missing event is both ErrNotFound and storage.ErrNotFound.
var (
	ErrInvalid = fielderr.ErrInvalid
	// ErrNotFound: no such event, participation or comment, or one the
	// viewer may not see (a private event is "not found" to outsiders,
	// and an event hidden by the instance's moderators to everyone).
	ErrNotFound = storage.ErrNotFound
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("events: forbidden")
	// ErrNotJoinable: the event takes no joins here (join mode external
	// or none). Federation answers such a Join with Ignore (FEP-8a8e).
	ErrNotJoinable = errors.New("events: the event takes no participation here")
	// ErrClosed: the event takes no new participants: cancelled, over,
	// a draft, or invitation only.
	ErrClosed = errors.New("events: the event is closed to new participants")
	// ErrAlreadyParticipating: the actor already has a participation.
	ErrAlreadyParticipating = errors.New("events: already participating")
	// ErrOnlyOrganizer: the only organizer cannot leave.
	ErrOnlyOrganizer = errors.New("events: the only organizer cannot leave")
	// ErrCommentsClosed: the event takes no comments.
	ErrCommentsClosed = errors.New("events: comments are closed")
	// ErrAnonymousDisabled: the event does not take participation
	// without an account.
	ErrAnonymousDisabled = errors.New("events: participation without an account is not enabled")
)

// GroupOp is something done to a group's event, which the group's
// permission matrix allows or not.
type GroupOp string

// Operations on group events.
const (
	OpView      GroupOp = "view"       // see a private event of the group
	OpViewDraft GroupOp = "view_draft" // see a draft
	OpCreate    GroupOp = "create"
	OpUpdate    GroupOp = "update"
	OpDelete    GroupOp = "delete"
	OpModerate  GroupOp = "moderate" // approve and reject participants, moderate comments
)

// GroupAuthorizer answers whether an actor may do something to the
// events of a group. The root package adapts groups.Service to it; nil
// in Config means group events are refused.
type GroupAuthorizer interface {
	// AuthorizeEvent returns nil when actorID's membership of groupID
	// allows op, ErrForbidden (or an error wrapping it) when it does not,
	// and another error when it cannot tell.
	AuthorizeEvent(ctx context.Context, groupID, actorID string, op GroupOp) error
}

// Hook learns of every change this service commits. It runs inside the
// change's transaction, with that transaction, so what it writes (the
// federation outbox) commits or rolls back together with the change. An
// error from the hook rolls the change back.
type Hook interface {
	EventChanged(ctx context.Context, tx storage.Tx, c Change) error
}

// ChangeKind says what happened.
type ChangeKind string

// Change kinds.
const (
	EventCreated       ChangeKind = "event.created"
	EventUpdated       ChangeKind = "event.updated"
	EventDeleted       ChangeKind = "event.deleted"
	ParticipantAdded   ChangeKind = "participant.added"   // a join, whatever role it got
	ParticipantChanged ChangeKind = "participant.changed" // approved, rejected, promoted, confirmed
	ParticipantRemoved ChangeKind = "participant.removed" // left or cancelled
	CommentCreated     ChangeKind = "comment.created"
	CommentUpdated     ChangeKind = "comment.updated" // edited, approved, rejected, deleted
	// EventHidden and EventShown: the instance's moderators hid the
	// event, or showed it again (Service.HideEvent). They are local
	// decisions: the federation outbox ignores them, and embedders may
	// use them to drop the event from (or put it back into) their own
	// listings. ActorID is empty: the moderation service records who.
	EventHidden ChangeKind = "event.hidden"
	EventShown  ChangeKind = "event.shown"
)

// Change is one committed change. Event is always set; Participant and
// Comment for the kinds about them. ActorID is who did it ("" for an
// anonymous participant).
type Change struct {
	Kind        ChangeKind
	ActorID     string
	Event       *Event
	Participant *Participant
	Comment     *Comment
	// PreviousRole is the role before a ParticipantChanged.
	PreviousRole ParticipantRole
	// Published is set on the EventUpdated that turned a draft into a
	// published event: for everyone else the event is new.
	Published bool
}

// Config configures a Service.
type Config struct {
	// Store is required.
	Store Store
	// BaseURL is the instance's public URL, such as
	// "https://events.example"; required. Local events get
	// BaseURL/events/{id} as ActivityPub id and page.
	BaseURL string
	// Groups authorizes group-organized events; nil refuses them.
	Groups GroupAuthorizer
	// Hook is told of every change; optional.
	Hook Hook
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes storage ids; nil means random UUIDs.
	NewID func() string
}

// Service holds the business rules of events, participation, comments
// and search. It is safe for concurrent use.
type Service struct {
	store    Store
	base     string
	groups   GroupAuthorizer
	hook     Hook
	now      func() time.Time
	newID    func() string
	sanitize *htmlsafe.Sanitizer
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("events: Config.Store is required")
	}
	base, _, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("events: Config.%w", err)
	}
	s := &Service{
		store:    cfg.Store,
		base:     base,
		groups:   cfg.Groups,
		hook:     cfg.Hook,
		now:      cfg.Now,
		newID:    cfg.NewID,
		sanitize: htmlsafe.New(),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = uuid.NewString
	}
	return s, nil
}

// clock returns now in UTC at the precision every backend keeps.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// inTx runs fn in a transaction with this package's view of it.
func (s *Service) inTx(ctx context.Context, fn func(tx storage.Tx, st Store) error) error {
	return storage.InTxAs(ctx, s.store, fn)
}

// emit tells the hook of a change, inside the transaction.
func (s *Service) emit(ctx context.Context, tx storage.Tx, c Change) error {
	if s.hook == nil {
		return nil
	}
	if err := s.hook.EventChanged(ctx, tx, c); err != nil {
		return fmt.Errorf("events: hook for %s: %w", c.Kind, err)
	}
	return nil
}

// notFound maps a store miss to ErrNotFound, keeping other errors.
func notFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return ErrNotFound
	}
	return err
}
