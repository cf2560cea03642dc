package inbox

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/convene/convene/federation/wire"
)

// Activity is an activity that passed every check of the pipeline:
// signed by its actor, bound to its origin, not seen before, allowed by
// the domain policy. Embedded objects not from the actor's origin have
// been replaced by their origin's copy.
type Activity struct {
	*wire.ParsedActivity
	// KeyID is the key that signed the request.
	KeyID string
	// Body is the request body as received (for relaying, FEP-1b12).
	Body []byte
	// ReceivedAt is when it was received, truncated to microseconds.
	ReceivedAt time.Time
}

// Handlers receive verified activities, one typed function per activity
// type. A nil function ignores that type (202 all the same). A function
// returns an error wrapping ErrRefused when the activity is not
// authorized (403), any other error for a failure (500: the sender
// retries); in both cases the activity id is forgotten.
type Handlers struct {
	Follow func(ctx context.Context, a *Activity) error
	Accept func(ctx context.Context, a *Activity) error
	Reject func(ctx context.Context, a *Activity) error
	Undo   func(ctx context.Context, a *Activity) error
	Join   func(ctx context.Context, a *Activity) error
	Leave  func(ctx context.Context, a *Activity) error
	Create func(ctx context.Context, a *Activity) error
	Update func(ctx context.Context, a *Activity) error
	Delete func(ctx context.Context, a *Activity) error
	// Other receives every other type (Announce, Add, Remove, Invite,
	// Flag, Like...).
	Other func(ctx context.Context, a *Activity) error
}

// dispatch hands the activity to its handler, after the tombstone rule
// (a Create or Update of a deleted object is dropped); a Delete that its
// handler took is remembered as a tombstone.
func (h *Handler) dispatch(ctx context.Context, a *Activity) error {
	switch a.Type {
	case wire.TypeCreate, wire.TypeUpdate:
		dead, err := h.cfg.Tombstones.Tombstoned(ctx, a.ObjectIRI)
		if err != nil {
			return fmt.Errorf("inbox: tombstone %s: %w", a.ObjectIRI, err)
		}
		if dead {
			return nil // deleted before: never resurrected
		}
	}
	if fn := h.handlerFor(a.Type); fn != nil {
		if err := fn(ctx, a); err != nil {
			return err
		}
	}
	if a.Type == wire.TypeDelete {
		if err := h.cfg.Tombstones.AddTombstone(ctx, a.ObjectIRI, a.ReceivedAt); err != nil {
			return fmt.Errorf("inbox: tombstone %s: %w", a.ObjectIRI, err)
		}
	}
	return nil
}

func (h *Handler) handlerFor(typ string) func(context.Context, *Activity) error {
	hs := h.cfg.Handlers
	switch typ {
	case wire.TypeFollow:
		return hs.Follow
	case wire.TypeAccept:
		return hs.Accept
	case wire.TypeReject:
		return hs.Reject
	case wire.TypeUndo:
		return hs.Undo
	case wire.TypeJoin:
		return hs.Join
	case wire.TypeLeave:
		return hs.Leave
	case wire.TypeCreate:
		return hs.Create
	case wire.TypeUpdate:
		return hs.Update
	case wire.TypeDelete:
		return hs.Delete
	}
	return hs.Other
}
