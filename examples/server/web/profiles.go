package web

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

type profileData struct {
	Actor  *identity.Actor
	Own    bool // one of the visitor's profiles
	Events []listItem
}

// actorPage is GET /@{username}: a local profile or group.
func (w *Web) actorPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	username := strings.TrimPrefix(r.URL.Path, "/@")
	if username == "" || strings.Contains(username, "@") {
		return errNotFound // remote actors have their own pages
	}
	ctx := r.Context()
	a, err := w.inst.Identity.GetLocalActor(ctx, username)
	if err != nil {
		return err
	}
	switch a.Type {
	case identity.TypeGroup:
		return w.groupPage(rw, r, v, a)
	case identity.TypePerson:
	default:
		return errNotFound
	}
	p, err := w.inst.Identity.GetProfile(ctx, a.ID)
	if err != nil {
		return err
	}
	if acct, err := w.inst.Identity.GetAccount(ctx, p.AccountID); err != nil || acct.Suspended {
		return errNotFound
	}
	d := profileData{Actor: &p.Actor}
	for _, own := range v.profiles {
		d.Own = d.Own || own.ID == p.ID
	}
	res, err := w.inst.Events.Search(ctx, events.Query{OrganizerID: p.ID, Limit: MaxListed})
	if err != nil {
		return err
	}
	names := newActorNames(w)
	for _, o := range res.Occurrences {
		d.Events = append(d.Events, w.listItem(ctx, names, o.Event, o.Start, o.End))
	}
	title := p.DisplayName
	if title == "" {
		title = p.Handle()
	}
	w.render(rw, r, v, http.StatusOK, "profile", "="+title, d)
	return nil
}

type myEventsData struct {
	Organizing, Going, Pending []listItem
	Past                       int // participations in events that are over, not listed
}

// myEvents lists the current profile's upcoming events: organizing,
// going (a seat), pending (approval, waitlist, email confirmation).
func (w *Web) myEvents(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	now := w.now()
	var d myEventsData
	names := newActorNames(w)
	var cur storage.Cursor
	for range 10 { // at most 10 × MaxPageSize participations
		ps, err := w.parts.ListParticipations(ctx, v.profile.ID, nil, cur, events.MaxPageSize)
		if err != nil {
			return err
		}
		for _, p := range ps {
			e, err := w.inst.Events.Get(ctx, v.profile.ID, p.EventID)
			if errors.Is(err, events.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			occ := w.inst.Events.Occurrences(e, now, now.Add(events.MaxSearchWindow), 1)
			if len(occ) == 0 {
				d.Past++
				continue
			}
			it := w.listItem(ctx, names, e, occ[0].Start, occ[0].End)
			switch p.Role {
			case events.RoleCreator, events.RoleModerator:
				d.Organizing = append(d.Organizing, it)
			case events.RoleParticipant:
				d.Going = append(d.Going, it)
			case events.RoleNotApproved, events.RoleWaitlisted, events.RoleNotConfirmed:
				d.Pending = append(d.Pending, it)
			}
		}
		if len(ps) < events.MaxPageSize {
			break
		}
		last := ps[len(ps)-1]
		cur = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
	for _, l := range [][]listItem{d.Organizing, d.Going, d.Pending} {
		slices.SortFunc(l, func(a, b listItem) int { return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.ID, b.ID)) })
	}
	w.render(rw, r, v, http.StatusOK, "my_events", "my_events.title", d)
	return nil
}

type followData struct {
	Handle string
	Error  string
	Detail string
	Done   bool
}

func (w *Web) followForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	if w.follows == nil {
		return errNotFound
	}
	w.render(rw, r, v, http.StatusOK, "follow", "follow.title", followData{})
	return nil
}

// follow makes the current profile follow a remote actor by handle.
func (w *Web) follow(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	if w.follows == nil {
		return errNotFound
	}
	handle := strings.TrimSpace(r.PostForm.Get("handle"))
	d := followData{Handle: handle}
	if handle == "" {
		d.Error = "follow.bad_handle"
		w.render(rw, r, v, http.StatusBadRequest, "follow", "follow.title", d)
		return nil
	}
	if _, err := w.follows.Follow(r.Context(), v.profile.ID, handle); err != nil {
		if he := classify(err); he.status >= 500 && !errors.Is(err, storage.ErrNotFound) {
			w.log.WarnContext(r.Context(), "web: follow", "handle", handle, "err", err)
		}
		d.Error, d.Detail = "follow.failed", err.Error()
		w.render(rw, r, v, http.StatusBadRequest, "follow", "follow.title", d)
		return nil
	}
	redirect(rw, r, "/follow", "follow_sent")
	return nil
}
