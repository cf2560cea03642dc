package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// announce takes the events that an actor we follow re-broadcasts: a
// group's Announce of its members' activity (FEP-1b12) or a relay's (an
// instance actor's) Announce of its public events. The Announce carries
// no proof of what it wraps, so the event is always fetched from its
// origin: a Create or Update (or a bare IRI) stores or updates it, a
// Delete removes our copy once its origin answers 404 or 410.
// Announces from actors nobody here follows are ignored (no spam
// through Announce), as are other objects (notes, posts: not stored).
func (s *Services) announce(ctx context.Context, a *Activity) error {
	if s.cfg.RemoteEvents == nil || s.cfg.Fetcher == nil || s.cfg.Parser == nil {
		return nil
	}
	iri, deleted := a.ObjectIRI, false
	if in := a.Activity; in != nil {
		switch in.Type {
		case wire.TypeCreate, wire.TypeUpdate:
		case wire.TypeDelete:
			deleted = true
		default:
			return nil
		}
		iri = in.ObjectIRI
	}
	if iri == "" {
		return nil
	}
	followed, err := s.followedHere(ctx, a.Actor)
	if err != nil || !followed {
		return err
	}
	if s.cfg.Tombstones != nil {
		dead, err := s.cfg.Tombstones.Tombstoned(ctx, iri)
		if err != nil {
			return fmt.Errorf("inbox: tombstone %s: %w", iri, err)
		}
		if dead {
			return nil
		}
	}
	doc, err := s.cfg.Fetcher.FetchAS(ctx, iri)
	var se *safehttp.StatusError
	switch {
	case errors.As(err, &se) && (se.StatusCode == http.StatusGone || se.StatusCode == http.StatusNotFound):
		return s.forget(ctx, a, iri)
	case err != nil:
		return fmt.Errorf("inbox: announced object %s: %w", iri, err)
	case deleted:
		return nil // the origin still serves it: the Delete was not its
	case !safehttp.SameIRI(doc.ID, iri):
		return refused("announced object %s: its origin serves %s", iri, doc.ID)
	}
	ev, err := s.cfg.Parser.ParseEvent(doc.Body)
	if err != nil {
		return nil // not an event: nothing of ours to store
	}
	owner := ev.AttributedTo
	if owner == "" {
		return nil
	}
	if oh, err1 := hostOf(owner); err1 != nil || !sameHostIRI(oh, iri) {
		return refused("announced event %s attributed to %s on another host", iri, owner)
	}
	return s.upsertEvent(ctx, &Activity{ParsedActivity: &wire.ParsedActivity{Type: wire.TypeCreate, Actor: owner,
		ObjectIRI: iri, Event: ev}, ReceivedAt: a.ReceivedAt})
}

// sameHostIRI reports whether iri is on host.
func sameHostIRI(host, iri string) bool {
	h, err := hostOf(iri)
	return err == nil && h == host
}

// forget removes the stored copy of a remote event its origin deleted,
// and remembers the deletion.
func (s *Services) forget(ctx context.Context, a *Activity, iri string) error {
	old, err := s.cfg.RemoteEvents.GetEventByAPID(ctx, iri)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return err
	case old.Local:
		return nil
	}
	if err := s.cfg.RemoteEvents.DeleteEvent(ctx, old.ID); err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	if s.cfg.Tombstones != nil {
		return s.cfg.Tombstones.AddTombstone(ctx, iri, a.ReceivedAt)
	}
	return nil
}

// followedHere reports whether a local actor follows the actor iri
// (accepted), or is a member of it when it is a group.
func (s *Services) followedHere(ctx context.Context, iri string) (bool, error) {
	actor, err := s.cfg.Identity.GetActorByAPID(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if actor.Local {
		return false, nil
	}
	fs, _, err := s.cfg.Identity.Followers(ctx, actor.ID, storage.Cursor{}, 1)
	if err != nil {
		return false, err
	}
	if len(fs) > 0 && fs[0].State == identity.FollowAccepted {
		return true, nil
	}
	if actor.Type != identity.TypeGroup || s.cfg.Members == nil {
		return false, nil
	}
	// A remote group's members here hear its Announces too.
	n, err := s.cfg.Members.CountMembers(ctx, actor.ID, []groups.Role{groups.RoleCreator, groups.RoleAdministrator,
		groups.RoleModerator, groups.RoleMember})
	if err != nil {
		return false, err
	}
	return n > 0, nil
}
