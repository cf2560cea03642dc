package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/identity"
)

// eventFields is the body of POST /events and PATCH /events/{id}. A
// field that is absent keeps its value (PATCH) or default (POST); null
// clears it.
type eventFields struct {
	Profile string `json:"profile"`
	GroupID string `json:"group_id"`

	Title                  *string        `json:"title"`
	Description            *string        `json:"description"`
	BeginsOn               *string        `json:"begins_on"`
	EndsOn                 *string        `json:"ends_on"`
	Timezone               *string        `json:"timezone"`
	Status                 *string        `json:"status"`
	Visibility             *string        `json:"visibility"`
	JoinMode               *string        `json:"join_mode"`
	ExternalURL            *string        `json:"external_url"`
	Capacity               *int           `json:"capacity"`
	AnonymousParticipation *bool          `json:"anonymous_participation"`
	OnlineAddress          *string        `json:"online_address"`
	Place                  *geo.Place     `json:"place"`
	Category               *string        `json:"category"`
	Tags                   *[]string      `json:"tags"`
	Language               *string        `json:"language"`
	PictureURL             *string        `json:"picture_url"`
	Links                  *[]events.Link `json:"links"`
	Contacts               *[]string      `json:"contacts"`
	Draft                  *bool          `json:"draft"`
	CommentModeration      *string        `json:"comment_moderation"`
	Recurrence             *string        `json:"recurrence"`
	ExDates                *[]string      `json:"exdates"`
}

// set copies a field that was given (or clears one given as null).
func set[T any](present map[string]bool, name string, v *T, dst *T) {
	switch {
	case v != nil:
		*dst = *v
	case present[name]:
		var zero T
		*dst = zero
	}
}

// setString is set for the string types of the domain.
func setString[T ~string](present map[string]bool, name string, v *string, dst *T) {
	switch {
	case v != nil:
		*dst = T(*v)
	case present[name]:
		*dst = ""
	}
}

// apply changes in by the fields given.
func (f *eventFields) apply(in *events.Input, present map[string]bool) error {
	setString(present, "title", f.Title, &in.Title)
	setString(present, "description", f.Description, &in.Description)
	for _, t := range []struct {
		name string
		v    *string
		dst  *time.Time
	}{{"begins_on", f.BeginsOn, &in.BeginsAt}, {"ends_on", f.EndsOn, &in.EndsAt}} {
		switch {
		case t.v != nil:
			at, err := parseTime(t.name, *t.v)
			if err != nil {
				return err
			}
			*t.dst = at
		case present[t.name]:
			*t.dst = time.Time{}
		}
	}
	setString(present, "timezone", f.Timezone, &in.TimeZone)
	setString(present, "status", f.Status, &in.Status)
	setString(present, "visibility", f.Visibility, &in.Visibility)
	setString(present, "join_mode", f.JoinMode, &in.JoinMode)
	setString(present, "external_url", f.ExternalURL, &in.ExternalURL)
	set(present, "capacity", f.Capacity, &in.Capacity)
	set(present, "anonymous_participation", f.AnonymousParticipation, &in.AnonymousParticipation)
	setString(present, "online_address", f.OnlineAddress, &in.OnlineAddress)
	switch {
	case f.Place != nil:
		p := *f.Place
		in.Place = &p
	case present["place"]:
		in.Place = nil
	}
	setString(present, "category", f.Category, &in.Category)
	set(present, "tags", f.Tags, &in.Tags)
	setString(present, "language", f.Language, &in.Language)
	setString(present, "picture_url", f.PictureURL, &in.PictureURL)
	set(present, "links", f.Links, &in.Links)
	set(present, "contacts", f.Contacts, &in.Contacts)
	set(present, "draft", f.Draft, &in.Draft)
	setString(present, "comment_moderation", f.CommentModeration, &in.CommentModeration)
	setString(present, "recurrence", f.Recurrence, &in.Recurrence)
	switch {
	case f.ExDates != nil:
		in.ExDates = nil
		for i, s := range *f.ExDates {
			at, err := parseTime("exdates."+strconv.Itoa(i), s)
			if err != nil {
				return err
			}
			in.ExDates = append(in.ExDates, at)
		}
	case present["exdates"]:
		in.ExDates = nil
	}
	return nil
}

// createEvent: POST /events, organized by the acting profile, or by the
// group group_id with the acting profile acting for it.
func (a *API) createEvent(w http.ResponseWriter, r *http.Request, c *caller) error {
	var f eventFields
	b, err := decodeBody(w, r, &f, false)
	if err != nil {
		return err
	}
	p, err := c.profile(r, f.Profile)
	if err != nil {
		return err
	}
	in := events.Input{GroupID: strings.TrimSpace(f.GroupID)}
	if err := f.apply(&in, presentKeys(b)); err != nil {
		return err
	}
	ctx := r.Context()
	if in.GroupID != "" {
		if err := a.groupVisible(r, in.GroupID, p.ID); err != nil {
			return err
		}
	}
	e, err := a.inst.Events.Create(ctx, p.ID, in)
	if err != nil {
		return err
	}
	v, err := a.actorCache().event(ctx, e)
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.base+Prefix+"/events/"+e.ID)
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// getEvent: GET /events/{id}, as the acting profile (or anonymously)
// may see it: a private event is a 404 to outsiders.
func (a *API) getEvent(w http.ResponseWriter, r *http.Request, c *caller) error {
	viewer, err := c.viewer(r)
	if err != nil {
		return err
	}
	e, err := a.inst.Events.Get(r.Context(), viewer, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := a.actorCache().event(r.Context(), e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// updateEvent: PATCH /events/{id} changes the fields given.
func (a *API) updateEvent(w http.ResponseWriter, r *http.Request, c *caller) error {
	var f eventFields
	b, err := decodeBody(w, r, &f, false)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, e, err := a.pathEvent(r, c, f.Profile)
	if err != nil {
		return err
	}
	if f.GroupID != "" && f.GroupID != e.GroupID {
		return invalid("group_id", "an event does not move to another organizer")
	}
	in := events.InputOf(e)
	if err := f.apply(&in, presentKeys(b)); err != nil {
		return err
	}
	e, err = a.inst.Events.Update(ctx, p.ID, e.ID, in)
	if err != nil {
		return err
	}
	v, err := a.actorCache().event(ctx, e)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// pathEvent returns the acting profile (profileID, "" for the default
// one) and the event of the path as that profile may see it.
func (a *API) pathEvent(r *http.Request, c *caller, profileID string) (*identity.Profile, *events.Event, error) {
	p, err := c.profile(r, profileID)
	if err != nil {
		return nil, nil, err
	}
	e, err := a.inst.Events.Get(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	return p, e, nil
}

// deleteEvent: DELETE /events/{id}.
func (a *API) deleteEvent(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, e, err := a.pathEvent(r, c, "")
	if err != nil {
		return err
	}
	if err := a.inst.Events.Delete(ctx, p.ID, e.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// occurrenceJSON is one search result: an event, or one occurrence of a
// recurring one.
type occurrenceJSON struct {
	BeginsOn string     `json:"begins_on"`
	EndsOn   string     `json:"ends_on"`
	Event    *eventJSON `json:"event"`
}

// searchEvents: GET /events, the explore page's search over public
// upcoming events.
func (a *API) searchEvents(w http.ResponseWriter, r *http.Request, c *caller) error {
	if _, err := c.viewer(r); err != nil {
		return err // a bad token or profile is refused even here
	}
	q := newQuery(r, "text", "tags", "category", "from", "to", "near", "radius", "online", "local",
		"organizer", "group", "after", "limit")
	_, after, limit := q.page()
	query := events.Query{
		Text: q.str("text"), Tags: q.list("tags"), Category: q.str("category"),
		From: q.time("from"), To: q.time("to"), Online: q.boolean("online"), Local: q.boolean("local"),
		OrganizerID: q.str("organizer"), GroupID: q.str("group"), After: after, Limit: limit,
	}
	if near := q.str("near"); near != "" {
		lat, lon, ok := strings.Cut(near, ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		if !ok || err1 != nil || err2 != nil {
			q.fail(invalid("near", "must be latitude,longitude such as 48.85,2.35"))
		}
		query.Near = &geo.Point{Lat: la, Lon: lo}
		radius, given := q.float("radius")
		if !given {
			q.fail(invalid("radius", "is required with near (kilometres)"))
		}
		query.RadiusKM = radius
	} else if _, given := q.float("radius"); given {
		q.fail(invalid("radius", "needs near"))
	}
	if q.err != nil {
		return q.err
	}
	page, err := a.inst.Events.Search(r.Context(), query)
	if err != nil {
		return err
	}
	cache := a.actorCache()
	out := make([]occurrenceJSON, 0, len(page.Occurrences))
	for _, o := range page.Occurrences {
		v, err := cache.event(r.Context(), o.Event)
		if err != nil {
			return err
		}
		out = append(out, occurrenceJSON{BeginsOn: formatTime(o.Start), EndsOn: formatTime(o.End), Event: v})
	}
	writeJSON(w, http.StatusOK, newList(out, page.Next))
	return nil
}
