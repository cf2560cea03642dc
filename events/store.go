package events

import (
	"context"
	"time"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
)

// Store is the storage contract of this package, with the storage
// sentinels as errors (see identity.Store for the shared rules). It is
// three smaller contracts so that a consumer can ask for only one.
type Store interface {
	storage.Transactor
	EventStore
	ParticipantStore
	CommentStore
}

// EventStore stores events.
type EventStore interface {
	// CreateEvent inserts e. ErrConflict when its ID or APID is taken.
	CreateEvent(ctx context.Context, e *Event) error
	// UpdateEvent replaces the stored event with e's fields (by ID),
	// except Hidden: the stored value is kept whatever e.Hidden says, so
	// that an update (an organizer's, or a remote one from the wire)
	// never shows an event the moderators hid.
	UpdateEvent(ctx context.Context, e *Event) error
	// SetEventHidden sets the event's Hidden flag and nothing else (not
	// UpdatedAt, which orders remote updates). ErrNotFound when there is
	// no such event.
	SetEventHidden(ctx context.Context, id string, hidden bool) error
	// GetEvent and GetEventByAPID return the event even when it is
	// hidden (with Hidden set).
	GetEvent(ctx context.Context, id string) (*Event, error)
	GetEventByAPID(ctx context.Context, apID string) (*Event, error)
	// LockEvent returns the event and, inside a transaction, keeps any
	// other transaction from changing its participations until this one
	// ends (SELECT … FOR UPDATE where the backend has several writers).
	// The capacity rule runs under this lock.
	LockEvent(ctx context.Context, id string) (*Event, error)
	// DeleteEvent removes the event with its participations and comments.
	DeleteEvent(ctx context.Context, id string) error

	// FindEvents returns single (non-recurring) events that match q and
	// begin in [q.From, q.To), ordered by (BeginsAt, ID), strictly after
	// q.After, at most q.Limit. Hidden events are never returned.
	FindEvents(ctx context.Context, q StoreQuery) ([]Event, error)
	// FindSeries returns the recurring events that match q and may have
	// an occurrence beginning in [q.From, q.To): BeginsAt < q.To and
	// SeriesEndsAt zero or after q.From. q.After and q.Limit are ignored;
	// at most MaxSeriesPerQuery are returned, ordered by (BeginsAt, ID).
	// Hidden events are never returned.
	FindSeries(ctx context.Context, q StoreQuery) ([]Event, error)
}

// StoreQuery is what FindEvents and FindSeries filter on. Zero fields
// do not filter. Text, Tags and Category compare case-insensitively.
type StoreQuery struct {
	From, To      time.Time
	Visibilities  []Visibility // empty: any
	IncludeDrafts bool
	Text          string   // substring of title or description
	Tags          []string // events having any of these tags
	Category      string
	OrganizerID   string
	GroupID       string
	Online        *bool // true: has an online address; false: has none
	Local         *bool // true: local events only; false: remote only
	Box           *geo.Box
	After         storage.Cursor
	Limit         int
}

// ParticipantStore stores participations.
type ParticipantStore interface {
	// CreateParticipant inserts p. ErrConflict when the actor already
	// takes part in the event, or p.APID is taken.
	CreateParticipant(ctx context.Context, p *Participant) error
	UpdateParticipant(ctx context.Context, p *Participant) error
	GetParticipant(ctx context.Context, id string) (*Participant, error)
	GetParticipantByActor(ctx context.Context, eventID, actorID string) (*Participant, error)
	GetParticipantByAPID(ctx context.Context, apID string) (*Participant, error)
	// GetParticipantByToken finds an anonymous participation by the
	// SHA-256 of its confirmation or cancellation token.
	GetParticipantByToken(ctx context.Context, hash []byte) (*Participant, error)
	DeleteParticipant(ctx context.Context, id string) error
	// CountParticipants counts an event's participations whose role is
	// one of roles (all when empty).
	CountParticipants(ctx context.Context, eventID string, roles []ParticipantRole) (int, error)
	// ListParticipants returns participations whose role is one of roles
	// (all when empty), ordered by (CreatedAt, ID), after the cursor, at
	// most limit. The waitlist is this list for RoleWaitlisted.
	ListParticipants(ctx context.Context, eventID string, roles []ParticipantRole, after storage.Cursor, limit int) ([]Participant, error)
	// ListParticipations returns the participations of an actor, ordered
	// by (CreatedAt, ID).
	ListParticipations(ctx context.Context, actorID string, roles []ParticipantRole, after storage.Cursor, limit int) ([]Participant, error)
}

// CommentStore stores comments.
type CommentStore interface {
	CreateComment(ctx context.Context, c *Comment) error
	UpdateComment(ctx context.Context, c *Comment) error
	GetComment(ctx context.Context, id string) (*Comment, error)
	GetCommentByAPID(ctx context.Context, apID string) (*Comment, error)
	// ListComments returns an event's comments whose state is one of
	// states (all when empty), ordered by (CreatedAt, ID), after the
	// cursor, at most limit.
	ListComments(ctx context.Context, eventID string, states []CommentState, after storage.Cursor, limit int) ([]Comment, error)
}
