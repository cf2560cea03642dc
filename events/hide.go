package events

import (
	"context"
	"fmt"

	"codeberg.org/convene/convene/storage"
)

// HideEvent hides an event by the instance's moderators (hidden), or
// shows it again. A hidden event is in no search, listing or feed (the
// store leaves it out), and every other method of the service treats it
// as not found, for its organizers too: nobody can see, join, comment
// on, update or manage its participations; its organizers may still
// delete it, and its participants leave it.
//
// It is the instance's decision, not the event's organizers': no
// permission is checked here (the moderation service checks that the
// caller moderates the instance), and nothing federates. The hook is
// told with EventHidden or EventShown, which the federation outbox
// ignores; remote copies of a local event stay as they are, and an
// Update of a hidden remote event keeps it hidden (EventStore.UpdateEvent
// keeps the flag). Hiding a hidden event, or showing a shown one,
// changes nothing and tells nobody.
func (s *Service) HideEvent(ctx context.Context, eventID string, hidden bool) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.LockEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		if e.Hidden == hidden {
			return nil
		}
		if err := st.SetEventHidden(ctx, e.ID, hidden); err != nil {
			return notFound(err)
		}
		e.Hidden = hidden
		kind := EventShown
		if hidden {
			kind = EventHidden
		}
		return s.emit(ctx, tx, Change{Kind: kind, Event: e})
	})
	if err != nil {
		return fmt.Errorf("events: hide event: %w", err)
	}
	return nil
}

// GetForModeration returns an event whatever its visibility, draft state
// or Hidden flag, for the instance's moderators, who review reported
// events and show hidden ones again. No permission is checked here: the
// caller must have checked that the viewer moderates the instance.
func (s *Service) GetForModeration(ctx context.Context, eventID string) (*Event, error) {
	e, err := s.store.GetEvent(ctx, eventID)
	if err != nil {
		return nil, fmt.Errorf("events: get for moderation: %w", notFound(err))
	}
	return e, nil
}

// hiddenNotFound is ErrNotFound for an event the instance's moderators
// hid.
func hiddenNotFound(e *Event) error {
	if e.Hidden {
		return ErrNotFound
	}
	return nil
}
