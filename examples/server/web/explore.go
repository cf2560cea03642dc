package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/identity"
)

// Explore filters.
const (
	// DefaultRadiusKM is the radius of "near" when none is given.
	DefaultRadiusKM = 25
)

// listItem is one occurrence in a list of events.
type listItem struct {
	ID, Title, URL string
	Start, End     time.Time
	TimeZone       string
	Origin         string // host of a remote event; "" for a local one
	Online         bool
	Place          string // locality or place name
	Status         events.Status
	Organizer      string // display name or handle
}

// dayGroup is the occurrences of one day.
type dayGroup struct {
	Day   string
	Items []listItem
}

type exploreData struct {
	Form       url.Values
	Categories []string
	Days       []dayGroup
	Next       string // URL of the next page; "" on the last
	Error      string // catalog key
	Field      string
	Detail     string
}

// explore is the home page: public upcoming events, with filters.
func (w *Web) explore(rw http.ResponseWriter, r *http.Request, v *visit) error {
	qv := r.URL.Query()
	form := url.Values{}
	for _, k := range []string{"text", "tags", "category", "from", "to", "near", "radius", "online"} {
		if s := strings.TrimSpace(qv.Get(k)); s != "" {
			form.Set(k, s)
		}
	}
	data := exploreData{Form: form, Categories: events.Categories()}
	p := &page{w: w, v: v}
	loc := p.zone()
	q, errKey := exploreQuery(form, loc)
	q.After, q.Limit = qv.Get("after"), PageSize
	status := http.StatusOK
	if errKey != "" {
		data.Error, status = errKey, http.StatusBadRequest
		w.render(rw, r, v, status, "explore", "explore.title", data)
		return nil
	}
	res, err := w.inst.Events.Search(r.Context(), q)
	var ve *events.ValidationError
	if errors.As(err, &ve) {
		data.Error, data.Detail, status = "form.invalid", ve.Field+": "+ve.Reason, http.StatusBadRequest
		w.render(rw, r, v, status, "explore", "explore.title", data)
		return nil
	}
	if err != nil {
		return err
	}
	names := newActorNames(w)
	for _, o := range res.Occurrences {
		it := w.listItem(r.Context(), names, o.Event, o.Start, o.End)
		day := p.Day(o.Start)
		if n := len(data.Days); n == 0 || data.Days[n-1].Day != day {
			data.Days = append(data.Days, dayGroup{Day: day})
		}
		g := &data.Days[len(data.Days)-1]
		g.Items = append(g.Items, it)
	}
	if res.Next != "" {
		next := url.Values{}
		for k := range form {
			next.Set(k, form.Get(k))
		}
		next.Set("after", res.Next)
		data.Next = "/?" + next.Encode()
	}
	w.render(rw, r, v, status, "explore", "explore.title", data)
	return nil
}

// exploreQuery reads the filters; a bad one gives a catalog key.
func exploreQuery(f url.Values, loc *time.Location) (events.Query, string) {
	var q events.Query
	q.Text, q.Category = f.Get("text"), strings.ToUpper(f.Get("category"))
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#")); t != "" {
			q.Tags = append(q.Tags, t)
		}
	}
	for _, d := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &q.From, 0}, {"to", &q.To, 1}} {
		if s := f.Get(d.name); s != "" {
			t, err := time.ParseInLocation("2006-01-02", s, loc)
			if err != nil {
				return q, "explore.bad_date"
			}
			*d.dst = t.AddDate(0, 0, d.add) // "to" includes its day
		}
	}
	if f.Get("online") == "1" {
		online := true
		q.Online = &online
	}
	if near := f.Get("near"); near != "" {
		lat, lon, ok := strings.Cut(near, ",")
		la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
		lo, err2 := strconv.ParseFloat(strings.TrimSpace(lon), 64)
		pt := geo.Point{Lat: la, Lon: lo}
		if !ok || err1 != nil || err2 != nil || pt.Validate() != nil {
			return q, "explore.bad_near"
		}
		q.Near, q.RadiusKM = &pt, DefaultRadiusKM
		if s := f.Get("radius"); s != "" {
			r, err := strconv.ParseFloat(s, 64)
			if err != nil || r <= 0 || r > geo.MaxRadiusKM {
				return q, "explore.bad_radius"
			}
			q.RadiusKM = r
		}
	}
	return q, ""
}

// actorNames caches actor display names for one page.
type actorNames struct {
	w     *Web
	cache map[string]*identity.Actor
}

func newActorNames(w *Web) *actorNames {
	return &actorNames{w: w, cache: map[string]*identity.Actor{}}
}

// get returns an actor, nil when unknown.
func (n *actorNames) get(ctx context.Context, id string) *identity.Actor {
	if id == "" {
		return nil
	}
	if a, ok := n.cache[id]; ok {
		return a
	}
	a, err := n.w.inst.Identity.GetActor(ctx, id)
	if err != nil {
		a = nil
	}
	n.cache[id] = a
	return a
}

// name is an actor's display name, or its handle.
func (n *actorNames) name(ctx context.Context, id string) string {
	a := n.get(ctx, id)
	switch {
	case a == nil:
		return ""
	case a.DisplayName != "":
		return a.DisplayName
	}
	return a.Handle()
}

// listItem makes the list view of an occurrence.
func (w *Web) listItem(ctx context.Context, names *actorNames, e *events.Event, start, end time.Time) listItem {
	it := listItem{ID: e.ID, Title: e.Title, URL: "/events/" + e.ID, Start: start, End: end, TimeZone: e.TimeZone,
		Online: e.OnlineAddress != "", Status: e.Status, Organizer: names.name(ctx, e.OrganizerID)}
	if !e.Local {
		if u, err := url.Parse(e.APID); err == nil {
			it.Origin = u.Host
		}
	}
	if e.Place != nil {
		it.Place = e.Place.Locality
		if it.Place == "" {
			it.Place = e.Place.Name
		}
	}
	return it
}
