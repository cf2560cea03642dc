package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
)

// Event form limits.
const (
	// LinkRows is the least number of link rows the event form shows.
	LinkRows = 3
	// MaxDurationMinutes bounds the "duration" field.
	MaxDurationMinutes = 366 * 24 * 60
)

// Zones are the time zones the form suggests; any IANA zone is
// accepted.
var zones = []string{"UTC", "Europe/London", "Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome",
	"Europe/Brussels", "Europe/Zurich", "America/New_York", "America/Chicago", "America/Denver",
	"America/Los_Angeles", "America/Montreal", "America/Sao_Paulo", "Africa/Dakar", "Africa/Abidjan",
	"Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Pacific/Auckland"}

// formFields maps the domain's field names to the form's.
var formFields = map[string]string{"begins_on": "start_date", "ends_on": "end_date", "timezone": "time_zone",
	"recurrence": "rrule", "place": "place_name", "anonymous_participation": "anonymous", "links": "link_url_0"}

type linkRow struct {
	Index            int
	Kind, URL, Title string
}

type groupOption struct{ ID, Name string }

type eventFormData struct {
	Form         url.Values
	Action       string
	Edit         bool
	EventID      string
	Error        string // catalog key
	Field        string
	Detail       string
	Categories   []string
	Zones        []string
	Groups       []groupOption
	Links        []linkRow
	JoinModes    []events.JoinMode
	Visibilities []events.Visibility
	Moderations  []events.CommentModeration
	Statuses     []events.Status
	LinkKinds    []events.LinkKind
	Repeats      []string
}

// fieldError is a form field refused before the service saw it.
type fieldError struct{ field, key string }

func (e *fieldError) Error() string { return "invalid " + e.field }

func (w *Web) eventForm(ctx context.Context, v *visit, f url.Values, action string) eventFormData {
	d := eventFormData{Form: f, Action: action, Categories: events.Categories(), Zones: zones,
		JoinModes:    []events.JoinMode{events.JoinFree, events.JoinRestricted, events.JoinInvite, events.JoinExternal, events.JoinNone},
		Visibilities: []events.Visibility{events.Public, events.Unlisted, events.Private},
		Moderations:  []events.CommentModeration{events.CommentsAllowAll, events.CommentsModerated, events.CommentsClosed},
		Statuses:     []events.Status{events.Confirmed, events.Tentative, events.Postponed},
		LinkKinds:    []events.LinkKind{events.LinkOther, events.LinkPad, events.LinkCalc, events.LinkVisio, events.LinkLivestream, events.LinkTicket},
		Repeats:      []string{"", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"},
	}
	n := 0
	for i := 0; i < events.MaxLinks; i++ {
		if f.Get("link_url_"+strconv.Itoa(i)) != "" {
			n = i + 1
		}
	}
	for i := 0; i < min(events.MaxLinks, max(LinkRows, n+1)); i++ {
		s := strconv.Itoa(i)
		d.Links = append(d.Links, linkRow{Index: i, Kind: f.Get("link_kind_" + s), URL: f.Get("link_url_" + s), Title: f.Get("link_title_" + s)})
	}
	if v.profile != nil {
		ms, _, err := w.inst.Groups.Memberships(ctx, v.profile.ID,
			[]groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator}, groupsStart, MaxListed)
		if err == nil {
			names := newActorNames(w)
			for _, m := range ms {
				d.Groups = append(d.Groups, groupOption{ID: m.GroupID, Name: names.name(ctx, m.GroupID)})
			}
		}
	}
	return d
}

// defaultForm is the form of a new event: tomorrow at 18:00 for two
// hours, in the visitor's zone.
func (w *Web) defaultForm(v *visit) url.Values {
	p := &page{w: w, v: v}
	loc := p.zone()
	start := w.now().In(loc).AddDate(0, 0, 1)
	return url.Values{"start_date": {start.Format("2006-01-02")}, "start_time": {"18:00"}, "duration": {"120"},
		"time_zone": {loc.String()}, "visibility": {"public"}, "join_mode": {"free"}, "comment_moderation": {"allow_all"},
		"status": {"confirmed"}}
}

// formOf is the form of an existing event, in its zone.
func formOf(e *events.Event) url.Values {
	loc, err := time.LoadLocation(e.TimeZone)
	if e.TimeZone == "" || err != nil {
		loc = time.UTC
	}
	b := e.BeginsAt.In(loc)
	f := url.Values{"title": {e.Title}, "description": {e.Description}, "start_date": {b.Format("2006-01-02")},
		"start_time": {b.Format("15:04")}, "time_zone": {loc.String()}, "status": {string(e.Status)},
		"visibility": {string(e.Visibility)}, "join_mode": {string(e.JoinMode)}, "external_url": {e.ExternalURL},
		"online_address": {e.OnlineAddress}, "category": {e.Category}, "tags": {strings.Join(e.Tags, ", ")},
		"language": {e.Language}, "picture_url": {e.PictureURL}, "comment_moderation": {string(e.CommentModeration)}}
	if e.Capacity > 0 {
		f.Set("capacity", strconv.Itoa(e.Capacity))
	}
	if !e.EndsAt.IsZero() {
		en := e.EndsAt.In(loc)
		f.Set("end_date", en.Format("2006-01-02"))
		f.Set("end_time", en.Format("15:04"))
	}
	if e.AnonymousParticipation {
		f.Set("anonymous", "1")
	}
	if e.Draft {
		f.Set("draft", "1")
	}
	if pl := e.Place; pl != nil {
		f.Set("place_name", pl.Name)
		f.Set("street", pl.Street)
		f.Set("locality", pl.Locality)
		f.Set("region", pl.Region)
		f.Set("postal_code", pl.PostalCode)
		f.Set("country", pl.Country)
		if pt, ok := pl.Point(); ok {
			f.Set("latitude", strconv.FormatFloat(pt.Lat, 'f', -1, 64))
			f.Set("longitude", strconv.FormatFloat(pt.Lon, 'f', -1, 64))
		}
	}
	if freq, count, ok := simpleRule(e.Recurrence); ok {
		f.Set("repeat", freq)
		f.Set("repeat_count", count)
	} else {
		f.Set("rrule", e.Recurrence)
	}
	for i, l := range e.Links {
		s := strconv.Itoa(i)
		f.Set("link_kind_"+s, string(l.Kind))
		f.Set("link_url_"+s, l.URL)
		f.Set("link_title_"+s, l.Title)
	}
	return f
}

// simpleRule recognises the rules the form's simple controls make:
// FREQ=X or FREQ=X;COUNT=n.
func simpleRule(rule string) (freq, count string, ok bool) {
	if rule == "" {
		return "", "", true
	}
	parts := strings.Split(rule, ";")
	if len(parts) > 2 {
		return "", "", false
	}
	freq, ok = strings.CutPrefix(parts[0], "FREQ=")
	if !ok {
		return "", "", false
	}
	switch freq {
	case "DAILY", "WEEKLY", "MONTHLY", "YEARLY":
	default:
		return "", "", false
	}
	if len(parts) == 2 {
		if count, ok = strings.CutPrefix(parts[1], "COUNT="); !ok {
			return "", "", false
		}
	}
	return freq, count, true
}

// inputOf reads the form into in (which holds the event's other fields).
func inputOf(f url.Values, in *events.Input) error {
	in.Title = strings.TrimSpace(f.Get("title"))
	in.Description = plainToHTML(f.Get("description"))
	in.TimeZone = strings.TrimSpace(f.Get("time_zone"))
	loc, err := time.LoadLocation(in.TimeZone)
	if err != nil {
		return &fieldError{"time_zone", "form.bad_zone"}
	}
	at := func(date, clock string) (time.Time, error) {
		if clock == "" {
			clock = "00:00"
		}
		return time.ParseInLocation("2006-01-02 15:04", date+" "+clock, loc)
	}
	if in.BeginsAt, err = at(f.Get("start_date"), f.Get("start_time")); err != nil {
		return &fieldError{"start_date", "form.bad_date"}
	}
	in.EndsAt = time.Time{}
	switch {
	case f.Get("end_date") != "" || f.Get("end_time") != "":
		date := f.Get("end_date")
		if date == "" {
			date = f.Get("start_date")
		}
		if in.EndsAt, err = at(date, f.Get("end_time")); err != nil {
			return &fieldError{"end_date", "form.bad_date"}
		}
	case f.Get("duration") != "":
		m, err := strconv.Atoi(f.Get("duration"))
		if err != nil || m <= 0 || m > MaxDurationMinutes {
			return &fieldError{"duration", "form.bad_duration"}
		}
		in.EndsAt = in.BeginsAt.Add(time.Duration(m) * time.Minute)
	}
	in.Status = events.Status(f.Get("status"))
	if in.Status == "" {
		in.Status = events.Confirmed
	}
	in.Visibility = events.Visibility(f.Get("visibility"))
	in.JoinMode = events.JoinMode(f.Get("join_mode"))
	in.ExternalURL = strings.TrimSpace(f.Get("external_url"))
	in.Capacity = 0
	if s := strings.TrimSpace(f.Get("capacity")); s != "" {
		if in.Capacity, err = strconv.Atoi(s); err != nil || in.Capacity < 0 {
			return &fieldError{"capacity", "form.bad_number"}
		}
	}
	in.AnonymousParticipation = f.Get("anonymous") == "1"
	in.OnlineAddress = strings.TrimSpace(f.Get("online_address"))
	pl := &geo.Place{Name: f.Get("place_name"), Street: f.Get("street"), Locality: f.Get("locality"),
		Region: f.Get("region"), PostalCode: f.Get("postal_code"), Country: f.Get("country")}
	for _, c := range []struct {
		name string
		dst  **float64
	}{{"latitude", &pl.Latitude}, {"longitude", &pl.Longitude}} {
		if s := strings.TrimSpace(strings.ReplaceAll(f.Get(c.name), ",", ".")); s != "" {
			x, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return &fieldError{c.name, "form.bad_number"}
			}
			*c.dst = &x
		}
	}
	in.Place = pl
	if pl.IsZero() {
		in.Place = nil
	}
	in.Category = strings.ToUpper(strings.TrimSpace(f.Get("category")))
	in.Tags = nil
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#")); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	in.Language = strings.TrimSpace(f.Get("language"))
	in.PictureURL = strings.TrimSpace(f.Get("picture_url"))
	in.Draft = f.Get("draft") == "1"
	in.CommentModeration = events.CommentModeration(f.Get("comment_moderation"))
	in.Recurrence = strings.TrimSpace(f.Get("rrule"))
	if in.Recurrence == "" && f.Get("repeat") != "" {
		in.Recurrence = "FREQ=" + f.Get("repeat")
		if _, _, ok := simpleRule(in.Recurrence); !ok {
			return &fieldError{"repeat", "form.bad_repeat"}
		}
		if c := strings.TrimSpace(f.Get("repeat_count")); c != "" {
			n, err := strconv.Atoi(c)
			if err != nil || n < 1 {
				return &fieldError{"repeat_count", "form.bad_number"}
			}
			in.Recurrence += ";COUNT=" + strconv.Itoa(n)
		}
	}
	in.Links = nil
	for i := 0; i < events.MaxLinks; i++ {
		s := strconv.Itoa(i)
		u := strings.TrimSpace(f.Get("link_url_" + s))
		if u == "" {
			continue
		}
		kind := events.LinkKind(f.Get("link_kind_" + s))
		if kind == "" {
			kind = events.LinkOther
		}
		in.Links = append(in.Links, events.Link{Kind: kind, URL: u, Title: strings.TrimSpace(f.Get("link_title_" + s))})
	}
	return nil
}

// plainToHTML keeps HTML as it is (the domain sanitizes it) and turns
// plain text into paragraphs, so that line breaks survive.
func plainToHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" || strings.ContainsAny(s, "<>") {
		return s
	}
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		if para = strings.TrimSpace(para); para == "" {
			continue
		}
		b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(para), "\n", "<br>") + "</p>")
	}
	return b.String()
}

// renderEventForm shows the form again with the error of err, or
// returns err when it is not about a field.
func (w *Web) renderEventForm(rw http.ResponseWriter, r *http.Request, v *visit, d eventFormData, err error) error {
	var fe *fieldError
	switch {
	case errors.As(err, &fe):
		d.Error, d.Field = fe.key, fe.field
	default:
		field, detail, ok := formError(err)
		if !ok {
			return err
		}
		d.Error, d.Field, d.Detail = "form.invalid", field, detail
		if f, ok := formFields[field]; ok {
			d.Field = f
		}
	}
	title := "event.new"
	if d.Edit {
		title = "event.edit"
	}
	w.render(rw, r, v, http.StatusBadRequest, "event_form", title, d)
	return nil
}

func (w *Web) newEventForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	f := w.defaultForm(v)
	if g := r.URL.Query().Get("group"); g != "" {
		f.Set("group", g)
	}
	w.render(rw, r, v, http.StatusOK, "event_form", "event.new", w.eventForm(r.Context(), v, f, "/events/new"))
	return nil
}

// duplicateEvent is the new-event form filled with an event's settings.
func (w *Web) duplicateEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	e, err := w.inst.Events.Get(r.Context(), v.profile.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !w.mayManage(r.Context(), e, v.profile.ID) {
		return errForbidden
	}
	f := formOf(e)
	f.Set("group", e.GroupID)
	f.Set("status", string(events.Confirmed))
	w.render(rw, r, v, http.StatusOK, "event_form", "event.new", w.eventForm(r.Context(), v, f, "/events/new"))
	return nil
}

// createEvent makes an event organized by the current profile, or by a
// group it acts for.
func (w *Web) createEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	f := r.PostForm
	d := w.eventForm(r.Context(), v, f, "/events/new")
	in := events.Input{GroupID: strings.TrimSpace(f.Get("group"))}
	if err := inputOf(f, &in); err != nil {
		return w.renderEventForm(rw, r, v, d, err)
	}
	e, err := w.inst.Events.Create(r.Context(), v.profile.ID, in)
	if err != nil {
		return w.renderEventForm(rw, r, v, d, err)
	}
	redirect(rw, r, "/events/"+e.ID, "created")
	return nil
}

func (w *Web) editEventForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	e, err := w.inst.Events.Get(r.Context(), v.profile.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !w.mayManage(r.Context(), e, v.profile.ID) {
		return errForbidden
	}
	d := w.eventForm(r.Context(), v, formOf(e), "/events/"+e.ID+"/edit")
	d.Edit, d.EventID = true, e.ID
	w.render(rw, r, v, http.StatusOK, "event_form", "event.edit", d)
	return nil
}

func (w *Web) updateEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	e, err := w.inst.Events.Get(ctx, v.profile.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := w.eventForm(ctx, v, r.PostForm, "/events/"+e.ID+"/edit")
	d.Edit, d.EventID = true, e.ID
	in := events.InputOf(e)
	if err := inputOf(r.PostForm, &in); err != nil {
		return w.renderEventForm(rw, r, v, d, err)
	}
	if e.Status == events.Cancelled {
		in.Status = events.Cancelled // uncancelling is not a form edit
	}
	if _, err := w.inst.Events.Update(ctx, v.profile.ID, e.ID, in); err != nil {
		return w.renderEventForm(rw, r, v, d, err)
	}
	redirect(rw, r, "/events/"+e.ID, "updated")
	return nil
}
