package identity

import (
	"context"
	"errors"
	"fmt"
	"time"

	"codeberg.org/convene/convene/storage"
)

// GoneStore keeps the remote actors that are gone: their server answered
// 410 Gone for their inbox. Backends implement it next to Store (the
// Service finds it on its Store, and on the Store of a transaction,
// with a type assertion); the rules of Store apply.
type GoneStore interface {
	// ActorsByInbox returns the actors, local or remote, whose Inbox or
	// SharedInbox is inbox, in no particular order, at most limit (<= 0:
	// all). An empty inbox matches nothing.
	ActorsByInbox(ctx context.Context, inbox string, limit int) ([]Actor, error)
	// MarkActorGone records the actor gone at at (an actor already gone
	// keeps its first time) and deletes every follow from or to it, in
	// one transaction. The actor itself stays. ErrNotFound for an
	// unknown actor, and nothing changes.
	MarkActorGone(ctx context.Context, actorID string, at time.Time) error
	// ActorGoneAt returns when the actor was marked gone. ErrNotFound
	// when it is not gone or unknown.
	ActorGoneAt(ctx context.Context, actorID string) (time.Time, error)
}

// errNoGoneStore: the configured Store does not implement GoneStore.
var errNoGoneStore = errors.New("identity: the Store does not implement identity.GoneStore")

// goneStore returns the Service's Store as a GoneStore.
func (s *Service) goneStore() (GoneStore, error) {
	gs, ok := s.store.(GoneStore)
	if !ok {
		return nil, errNoGoneStore
	}
	return gs, nil
}

// RemoteActorGone records that the remote actor whose ActivityPub id is
// apID is gone (its server answers 410 Gone): in one transaction every
// follow from or to it is deleted and it is marked gone. The actor row
// stays, since events, comments, participations and memberships name
// it; they are left as they are. The Hook is not told of the deleted
// follows: there is no one to tell (an Undo would go to the gone inbox).
// Marking an actor gone again changes nothing and keeps the first time.
//
// An empty apID is a *ValidationError ("ap_id"), so is a local actor's;
// an unknown actor is ErrNotFound. A Store that does not implement
// GoneStore is an error.
func (s *Service) RemoteActorGone(ctx context.Context, apID string) error {
	if apID == "" {
		return invalid("ap_id", "is required")
	}
	if _, err := s.goneStore(); err != nil {
		return err
	}
	now := s.clock()
	return storage.InTxAs(ctx, s.store, func(_ storage.Tx, st Store) error {
		a, err := st.GetActorByAPID(ctx, apID)
		if err != nil {
			return storeErr("actor "+apID, err)
		}
		if a.Local {
			return invalid("ap_id", "belongs to a local actor, which cannot be gone")
		}
		return markGone(ctx, st, a, now)
	})
}

// markGone marks a (remote) actor gone in the transaction of st.
func markGone(ctx context.Context, st Store, a *Actor, now time.Time) error {
	gs, ok := st.(GoneStore)
	if !ok {
		return errNoGoneStore
	}
	if err := gs.MarkActorGone(ctx, a.ID, now); err != nil {
		return storeErr("mark actor "+a.APID+" gone", err)
	}
	return nil
}

// inboxLookupLimit is how many actors InboxGone reads for one inbox:
// two tell one owner from several.
const inboxLookupLimit = 2

// InboxGone handles a 410 Gone answer of an inbox, as the delivery
// worker reports it (federation/delivery Config.Gone): when inbox is the
// personal inbox of exactly one remote actor and no actor's shared
// inbox, that actor is gone (see RemoteActorGone) and InboxGone returns
// it. Otherwise, a shared inbox (a 410 there says nothing of any one
// actor), an inbox of several actors, of a local actor or of no known
// actor, nothing changes and InboxGone returns nil, nil.
//
// An empty inbox is a *ValidationError ("inbox").
func (s *Service) InboxGone(ctx context.Context, inbox string) (*Actor, error) {
	if inbox == "" {
		return nil, invalid("inbox", "is required")
	}
	if _, err := s.goneStore(); err != nil {
		return nil, err
	}
	now := s.clock()
	var gone *Actor
	err := storage.InTxAs(ctx, s.store, func(_ storage.Tx, st Store) error {
		gone = nil // a retried transaction starts again
		gs, ok := st.(GoneStore)
		if !ok {
			return errNoGoneStore
		}
		list, err := gs.ActorsByInbox(ctx, inbox, inboxLookupLimit)
		if err != nil {
			return storeErr("actors by inbox", err)
		}
		if len(list) != 1 {
			return nil
		}
		a := &list[0]
		if a.Local || a.Inbox != inbox || a.SharedInbox == inbox {
			return nil
		}
		if err := markGone(ctx, st, a, now); err != nil {
			return err
		}
		gone = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	return gone, nil
}

// ActorGone reports whether the actor (by storage id) was marked gone,
// and when. An unknown actor is not gone.
func (s *Service) ActorGone(ctx context.Context, actorID string) (goneAt time.Time, gone bool, err error) {
	gs, err := s.goneStore()
	if err != nil {
		return time.Time{}, false, err
	}
	at, err := gs.ActorGoneAt(ctx, actorID)
	switch {
	case err == nil:
		return at, true, nil
	case isStoreNotFound(err):
		return time.Time{}, false, nil
	default:
		return time.Time{}, false, fmt.Errorf("identity: actor gone: %w", err)
	}
}
