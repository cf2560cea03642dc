package events

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/storage"
)

// Create makes an event organized by the profile actorID, or by the group
// in.GroupID with actorID acting for it. The profile becomes the event's
// creator participant. Nothing is written when validation fails.
func (s *Service) Create(ctx context.Context, actorID string, in Input) (*Event, error) {
	if actorID == "" {
		return nil, ErrForbidden
	}
	n, err := s.validate(&in)
	if err != nil {
		return nil, err
	}
	if in.GroupID != "" {
		if err := s.authorizeGroup(ctx, in.GroupID, actorID, OpCreate); err != nil {
			return nil, err
		}
	}
	now := s.clock()
	id := s.newID()
	e := &Event{ID: id, APID: s.base + "/events/" + id, URL: s.base + "/events/" + id, Local: true,
		OrganizerID: actorID, CreatorID: actorID, CreatedAt: now, UpdatedAt: now}
	if in.GroupID != "" {
		e.OrganizerID, e.GroupID = in.GroupID, in.GroupID
	}
	apply(e, in, n)
	if !e.Draft {
		e.PublishedAt = now
	}
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		if err := st.CreateEvent(ctx, e); err != nil {
			return err
		}
		p := &Participant{ID: s.newID(), EventID: e.ID, ActorID: actorID, Role: RoleCreator, CreatedAt: now, UpdatedAt: now}
		p.APID = s.base + "/join/event/" + p.ID
		if err := st.CreateParticipant(ctx, p); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: EventCreated, ActorID: actorID, Event: e})
	})
	if err != nil {
		return nil, fmt.Errorf("events: create: %w", err)
	}
	return e, nil
}

// apply copies a validated Input onto e.
func apply(e *Event, in Input, n normalized) {
	e.Title, e.Description = in.Title, in.Description
	e.BeginsAt, e.EndsAt, e.TimeZone = in.BeginsAt, in.EndsAt, in.TimeZone
	e.Status, e.Visibility, e.JoinMode = in.Status, in.Visibility, in.JoinMode
	e.ExternalURL, e.Capacity = in.ExternalURL, in.Capacity
	e.AnonymousParticipation = in.AnonymousParticipation
	e.OnlineAddress, e.Place = in.OnlineAddress, in.Place
	e.Category, e.Tags, e.Language, e.PictureURL = in.Category, in.Tags, in.Language, in.PictureURL
	e.Links, e.Contacts = in.Links, in.Contacts
	e.Draft, e.CommentModeration = in.Draft, in.CommentModeration
	e.Recurrence, e.ExDates, e.SeriesEndsAt = in.Recurrence, in.ExDates, n.seriesEnd
}

// Update replaces an event's settings with in (see InputOf). The
// sequence number grows; raising the capacity promotes waitlisted
// participants. Lowering it below the number of participants takes no
// seat away: nobody new gets one until enough leave. in.GroupID cannot
// move an event between organizers and is ignored.
func (s *Service) Update(ctx context.Context, actorID, eventID string, in Input) (*Event, error) {
	n, err := s.validate(&in)
	if err != nil {
		return nil, err
	}
	var out *Event
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.LockEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := hiddenNotFound(e); err != nil {
			return err
		}
		if err := s.mayManage(ctx, st, e, actorID, OpUpdate); err != nil {
			return err
		}
		if !e.Local {
			return fmt.Errorf("%w: a remote event is changed by its origin only", ErrForbidden)
		}
		wasDraft := e.Draft
		apply(e, in, n)
		e.Sequence++
		e.UpdatedAt = s.clock()
		if wasDraft && !e.Draft {
			e.PublishedAt = e.UpdatedAt
		}
		if err := st.UpdateEvent(ctx, e); err != nil {
			return err
		}
		published := wasDraft && !e.Draft
		if err := s.emit(ctx, tx, Change{Kind: EventUpdated, ActorID: actorID, Event: e, Published: published}); err != nil {
			return err
		}
		out = e
		return s.promote(ctx, tx, st, e)
	})
	if err != nil {
		return nil, fmt.Errorf("events: update: %w", err)
	}
	return out, nil
}

// Cancel sets an event's status to cancelled.
func (s *Service) Cancel(ctx context.Context, actorID, eventID string) (*Event, error) {
	e, err := s.store.GetEvent(ctx, eventID)
	if err != nil {
		return nil, fmt.Errorf("events: cancel: %w", notFound(err))
	}
	in := InputOf(e)
	in.Status = Cancelled
	return s.Update(ctx, actorID, eventID, in)
}

// Delete removes an event with its participations and comments. Its
// organizers may delete it even while the instance's moderators hide it.
func (s *Service) Delete(ctx context.Context, actorID, eventID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		e, err := st.LockEvent(ctx, eventID)
		if err != nil {
			return notFound(err)
		}
		if err := s.mayManage(ctx, st, e, actorID, OpDelete); err != nil {
			return err
		}
		if err := st.DeleteEvent(ctx, e.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: EventDeleted, ActorID: actorID, Event: e})
	})
	if err != nil {
		return fmt.Errorf("events: delete: %w", err)
	}
	return nil
}

// Get returns an event as viewerID may see it ("" for an anonymous
// visitor). Public and unlisted events are visible to all once
// published; drafts only to those who may manage the event; private
// events only to them, to the event's participants and, for a group
// event, to the group's members. Anything else is ErrNotFound, so that
// outsiders learn nothing of private events. An event hidden by the
// instance's moderators is ErrNotFound to every viewer, its organizers
// included (see GetForModeration).
func (s *Service) Get(ctx context.Context, viewerID, eventID string) (*Event, error) {
	e, err := s.store.GetEvent(ctx, eventID)
	if err != nil {
		return nil, fmt.Errorf("events: get: %w", notFound(err))
	}
	if err := s.mayView(ctx, s.store, e, viewerID); err != nil {
		return nil, fmt.Errorf("events: get: %w", err)
	}
	return e, nil
}

// mayView applies Get's visibility rules.
func (s *Service) mayView(ctx context.Context, st Store, e *Event, viewerID string) error {
	if e.Hidden {
		return ErrNotFound
	}
	if !e.Draft && e.Visibility != Private {
		return nil
	}
	if viewerID == "" {
		return ErrNotFound
	}
	if e.Draft {
		if err := s.mayManage(ctx, st, e, viewerID, OpViewDraft); err != nil {
			return ErrNotFound
		}
		return nil
	}
	if s.mayManage(ctx, st, e, viewerID, OpView) == nil {
		return nil
	}
	p, err := st.GetParticipantByActor(ctx, e.ID, viewerID)
	switch {
	case err == nil && p.Role != RoleRejected:
		return nil
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return ErrNotFound
}

// mayManage returns nil when actorID may act on e with permission p: as
// the organizing profile or the creator of a profile's event, through the
// group's permission matrix for a group event, or, for moderation, as
// one of the event's moderators.
func (s *Service) mayManage(ctx context.Context, st Store, e *Event, actorID string, op GroupOp) error {
	if actorID == "" {
		return ErrForbidden
	}
	if e.GroupID != "" {
		return s.authorizeGroup(ctx, e.GroupID, actorID, op)
	}
	if actorID == e.OrganizerID || (e.CreatorID != "" && actorID == e.CreatorID) {
		return nil
	}
	if op == OpModerate || op == OpView {
		part, err := st.GetParticipantByActor(ctx, e.ID, actorID)
		if err == nil && (part.Role == RoleModerator || part.Role == RoleCreator) {
			return nil
		}
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	return ErrForbidden
}

func (s *Service) authorizeGroup(ctx context.Context, groupID, actorID string, op GroupOp) error {
	if s.groups == nil {
		return fmt.Errorf("%w: group events are not enabled", ErrForbidden)
	}
	if err := s.groups.AuthorizeEvent(ctx, groupID, actorID, op); err != nil {
		if errors.Is(err, ErrForbidden) || errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("%w: %v", ErrForbidden, err)
		}
		return err
	}
	return nil
}
