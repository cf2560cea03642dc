package endpoints

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// listFollows pages an actor's accepted followers (or follows), oldest
// first, as actor IRIs. It scans the whole list (at most MaxFollowScan)
// to count it.
func (c *core) listFollows(r *http.Request, actorID string, n int, following bool) (listing, error) {
	ctx := r.Context()
	from, to := window(n)
	var l listing
	var ids []string
	var after storage.Cursor
	for l.total < MaxFollowScan {
		var fs []identity.Follow
		var err error
		if following {
			fs, after, err = c.cfg.Identity.Following(ctx, actorID, after, identity.MaxPageLimit)
		} else {
			fs, after, err = c.cfg.Identity.Followers(ctx, actorID, after, identity.MaxPageLimit)
		}
		if err != nil {
			return l, err
		}
		for _, f := range fs {
			if l.total >= from && l.total < to {
				if following {
					ids = append(ids, f.FollowedID)
				} else {
					ids = append(ids, f.FollowerID)
				}
			}
			l.total++
		}
		if after.IsZero() {
			break
		}
	}
	l.hasNext = l.total > to
	iris, err := c.actorIRIs(ctx, ids)
	l.iris = iris
	return l, err
}

// listMembers pages a group's members (creator to member), oldest first.
func (c *core) listMembers(r *http.Request, groupID string, n int) (listing, error) {
	ctx := r.Context()
	from, to := window(n)
	var l listing
	var ids []string
	var after storage.Cursor
	for l.total < MaxFollowScan {
		ms, next, err := c.cfg.Groups.Members(ctx, groupID, memberRoles, after, groups.MaxPageSize)
		if err != nil {
			return l, err
		}
		for _, m := range ms {
			if l.total >= from && l.total < to {
				ids = append(ids, m.ActorID)
			}
			l.total++
		}
		if next.IsZero() {
			break
		}
		after = next
	}
	l.hasNext = l.total > to
	iris, err := c.actorIRIs(ctx, ids)
	l.iris = iris
	return l, err
}

func (c *core) actorIRIs(ctx context.Context, ids []string) ([]string, error) {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		a, err := c.cfg.Identity.GetActor(ctx, id)
		if notFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a.APID)
	}
	return out, nil
}

// eventQuery selects the local public events an actor organizes: a
// profile's own events, a group's events; nothing for the instance actor.
func eventQuery(a *identity.Actor) (events.StoreQuery, bool) {
	local := true
	q := events.StoreQuery{Visibilities: []events.Visibility{events.Public}, Local: &local, Limit: MaxCollectionItems}
	switch a.Type {
	case identity.TypePerson:
		q.OrganizerID = a.ID
	case identity.TypeGroup:
		q.GroupID = a.ID
	default:
		return q, false
	}
	return q, true
}

// publicEvents returns the public, published events of q (single events
// and series), checked again here whatever the store did, in order of
// key then id.
func (c *core) publicEvents(ctx context.Context, q events.StoreQuery, key func(*events.Event) time.Time) ([]events.Event, error) {
	single, err := c.cfg.Store.FindEvents(ctx, q)
	if err != nil {
		return nil, err
	}
	series, err := c.cfg.Store.FindSeries(ctx, q)
	if err != nil {
		return nil, err
	}
	all := slices.DeleteFunc(append(single, series...), func(e events.Event) bool {
		return e.Draft || e.Visibility != events.Public || !e.Local
	})
	slices.SortFunc(all, func(a, b events.Event) int {
		return cmp.Or(key(&a).Compare(key(&b)), strings.Compare(a.ID, b.ID))
	})
	if len(all) > MaxCollectionItems {
		all = all[:MaxCollectionItems]
	}
	return all, nil
}

// listOutbox pages an actor's public events as Create activities, in
// order of beginning.
func (c *core) listOutbox(r *http.Request, a *identity.Actor, n int) (listing, error) {
	q, ok := eventQuery(a)
	if !ok {
		return listing{}, nil
	}
	all, err := c.publicEvents(r.Context(), q, func(e *events.Event) time.Time { return e.BeginsAt })
	if err != nil {
		return listing{}, err
	}
	return c.eventPage(r, all, n, true)
}

// listUpcoming pages an actor's ongoing and future public events
// (FEP-8a8e upcomingEvents), in order of the beginning of the occurrence
// in progress or next.
func (c *core) listUpcoming(r *http.Request, a *identity.Actor, n int) (listing, error) {
	q, ok := eventQuery(a)
	if !ok {
		return listing{}, nil
	}
	now := c.clock()
	next := map[string]time.Time{}
	key := func(e *events.Event) time.Time {
		if t, ok := next[e.ID]; ok {
			return t
		}
		return e.BeginsAt
	}
	// Future events, then those begun (at most MaxEventDuration ago: no
	// single event lasts longer) that may still be going on.
	q.From = now
	single, err := c.cfg.Store.FindEvents(r.Context(), q)
	if err != nil {
		return listing{}, err
	}
	begun := q
	begun.From, begun.To = now.Add(-events.MaxEventDuration*time.Second), now
	ongoing, err := c.cfg.Store.FindEvents(r.Context(), begun)
	if err != nil {
		return listing{}, err
	}
	single = append(single, ongoing...)
	series, err := c.cfg.Store.FindSeries(r.Context(), q)
	if err != nil {
		return listing{}, err
	}
	var all []events.Event
	for _, e := range single {
		end := e.EndsAt
		if end.IsZero() {
			end = e.BeginsAt
		}
		if end.After(now) || !e.BeginsAt.Before(now) {
			all = append(all, e)
		}
	}
	for _, e := range series {
		d := e.EndsAt.Sub(e.BeginsAt)
		if d < 0 {
			d = 0
		}
		occ := c.cfg.Events.Occurrences(&e, now.Add(-d), now.Add(events.MaxEventDuration*time.Second*5), 1)
		if len(occ) == 0 {
			continue
		}
		next[e.ID] = occ[0].Start
		all = append(all, e)
	}
	all = slices.DeleteFunc(all, func(e events.Event) bool {
		return e.Draft || e.Visibility != events.Public || !e.Local
	})
	slices.SortFunc(all, func(a, b events.Event) int {
		return cmp.Or(key(&a).Compare(key(&b)), strings.Compare(a.ID, b.ID))
	})
	if len(all) > MaxCollectionItems {
		all = all[:MaxCollectionItems]
	}
	return c.eventPage(r, all, n, false)
}

// eventPage builds page n of a list of events: Create activities or
// Event objects.
func (c *core) eventPage(r *http.Request, all []events.Event, n int, create bool) (listing, error) {
	from, to := window(n)
	l := listing{total: len(all), hasNext: len(all) > to}
	if from >= len(all) {
		return l, nil
	}
	actors := map[string]*identity.Actor{}
	for i := from; i < min(to, len(all)); i++ {
		v, err := c.eventView(r.Context(), &all[i], actors)
		if err != nil {
			return l, err
		}
		if create {
			l.items = append(l.items, wire.CreateEvent(v))
		} else {
			l.items = append(l.items, v)
		}
	}
	return l, nil
}

// participantRoles count as participants in participantCount.
var participantRoles = []events.ParticipantRole{events.RoleCreator, events.RoleModerator, events.RoleParticipant}

// eventView gathers what an Event document needs besides the event.
// actors caches actor lookups across calls of one request.
func (c *core) eventView(ctx context.Context, e *events.Event, actors map[string]*identity.Actor) (wire.EventView, error) {
	get := func(id string) (*identity.Actor, error) {
		if a, ok := actors[id]; ok {
			return a, nil
		}
		a, err := c.cfg.Identity.GetActor(ctx, id)
		if err != nil {
			return nil, err
		}
		actors[id] = a
		return a, nil
	}
	org, err := get(e.OrganizerID)
	if err != nil {
		return wire.EventView{}, err
	}
	v := wire.EventView{Event: *e, Organizer: org.APID, Followers: org.Followers, BaseURL: c.base, Now: c.clock()}
	if e.CreatorID != "" {
		cr, err := get(e.CreatorID)
		if err != nil && !notFound(err) {
			return v, err
		}
		if cr != nil {
			v.Actor = cr.APID
		}
	}
	if e.GroupID != "" {
		v.Members = org.APID + "/members"
	}
	for _, id := range e.Contacts {
		a, err := get(id)
		if notFound(err) {
			continue
		}
		if err != nil {
			return v, err
		}
		v.Contacts = append(v.Contacts, a.APID)
	}
	if v.ParticipantCount, err = c.cfg.Store.CountParticipants(ctx, e.ID, participantRoles); err != nil {
		return v, err
	}
	return v, nil
}
