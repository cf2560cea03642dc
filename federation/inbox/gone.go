package inbox

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// MaxGoneCleanup bounds the participations and the memberships (each)
// that ActorGone ends for one gone actor; the rest stay, and are logged
// by the caller through the returned error.
const MaxGoneCleanup = 1000

// GoneActors is what ActorGone needs beyond the other fields of
// ServicesConfig: identity.Service marks the actor gone, the storage
// backend lists its participations and memberships.
type GoneActors interface {
	RemoteActorGone(ctx context.Context, apID string) error
	ListParticipations(ctx context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error)
	ListMemberships(ctx context.Context, actorID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error)
}

// errGoneCleanup: some of a gone actor's places could not be freed.
var errGoneCleanup = errors.New("inbox: gone actor not entirely cleaned up")

// ActorGone forgets a remote actor that is gone (it deleted itself, or
// its own inbox answers 410): it is marked gone and its follows end
// (identity.Service.RemoteActorGone), it leaves the local events it
// takes part in (a seat it held goes to the waitlist, whose promoted
// participant is told) and the local groups it belongs to or was
// invited to. Its events, comments and messages stay. A local actor is
// refused; an unknown one, or Gone unset, changes nothing. A group
// whose last administrator it was keeps it (groups.ErrLastAdministrator),
// as does anything past MaxGoneCleanup: the error then says so, after
// everything else was done.
func (s *Services) ActorGone(ctx context.Context, apID string) error {
	g := s.cfg.Gone
	if g == nil {
		return nil
	}
	a, err := s.cfg.Identity.GetActorByAPID(ctx, apID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if a.Local {
		return refused("%s is a local actor", apID)
	}
	if err := g.RemoteActorGone(ctx, apID); err != nil {
		return fmt.Errorf("inbox: %s gone: %w", apID, err)
	}
	var kept []error
	left, err := s.leaveGoneEvents(ctx, g, a)
	if err != nil {
		return err
	}
	kept = append(kept, left...)
	if s.cfg.Groups != nil {
		ms, err := g.ListMemberships(ctx, a.ID, nil, storage.Cursor{}, MaxGoneCleanup)
		if err != nil {
			return fmt.Errorf("inbox: memberships of %s: %w", apID, err)
		}
		for _, m := range ms {
			if err := s.leaveGone(ctx, a, m); err != nil {
				kept = append(kept, err)
			}
		}
		if len(ms) == MaxGoneCleanup {
			kept = append(kept, fmt.Errorf("more than %d memberships", MaxGoneCleanup))
		}
	}
	if len(kept) > 0 {
		return fmt.Errorf("%w: %s: %w", errGoneCleanup, apID, errors.Join(kept...))
	}
	return nil
}

// goneCleanupPage is how many participations ActorGone reads at once.
const goneCleanupPage = 200

// leaveGoneEvents has a gone actor leave the local events it takes part
// in, reading its participations (local and remote events alike) page
// by page, and leaving at most MaxGoneCleanup events. It returns what
// could not be left.
func (s *Services) leaveGoneEvents(ctx context.Context, g GoneActors, a *identity.Actor) ([]error, error) {
	var kept []error
	var after storage.Cursor
	left := 0
	for {
		ps, err := g.ListParticipations(ctx, a.ID, nil, after, goneCleanupPage)
		if err != nil {
			return nil, fmt.Errorf("inbox: participations of %s: %w", a.APID, err)
		}
		for _, p := range ps {
			e, err := s.cfg.Events.GetEvent(ctx, p.EventID)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if !e.Local {
				continue
			}
			if left == MaxGoneCleanup {
				return append(kept, fmt.Errorf("more than %d participations", MaxGoneCleanup)), nil
			}
			left++
			if err := s.cfg.Participation.Leave(ctx, e.ID, a.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				kept = append(kept, fmt.Errorf("event %s: %w", e.APID, err))
			}
		}
		if len(ps) < goneCleanupPage {
			return kept, nil
		}
		last := ps[len(ps)-1]
		after = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
}

// leaveGone ends a gone actor's membership of a local group.
func (s *Services) leaveGone(ctx context.Context, a *identity.Actor, m groups.Member) error {
	g, err := s.cfg.Identity.GetActor(ctx, m.GroupID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if !g.Local {
		return nil
	}
	switch m.Role {
	case groups.RoleInvited:
		err = s.cfg.Groups.DeclineInvitation(ctx, m.GroupID, a.ID)
	case groups.RoleRejected:
		return nil // a refusal is remembered
	default:
		err = s.cfg.Groups.Leave(ctx, m.GroupID, a.ID)
	}
	if err != nil && !errors.Is(err, groups.ErrNotMember) {
		return fmt.Errorf("group %s: %w", g.APID, err)
	}
	return nil
}

// selfDelete handles an actor's Delete of itself (the origin check let
// only the actor do it): see ActorGone. It reports whether the Delete
// was one.
func (s *Services) selfDelete(ctx context.Context, a *Activity) (bool, error) {
	if a.ObjectIRI == "" || a.ObjectIRI != a.Actor {
		return false, nil
	}
	if err := s.ActorGone(ctx, a.Actor); err != nil {
		if errors.Is(err, errGoneCleanup) {
			// Done what could be done; retrying changes nothing.
			s.cfg.Log.WarnContext(ctx, "inbox: a deleted actor keeps places here", "actor", a.Actor, "err", err)
			return true, nil
		}
		return true, err
	}
	return true, nil
}
