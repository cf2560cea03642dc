package ical

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/events/recur"
)

// Export defaults.
const (
	// DefaultProdID is the PRODID of calendars that set none.
	DefaultProdID = "-//Convene//Convene iCalendar//EN"
	// DefaultRefreshInterval is the REFRESH-INTERVAL and X-PUBLISHED-TTL
	// of calendars that set none: how often clients should poll a feed.
	DefaultRefreshInterval = time.Hour
	// defaultHorizon is how far past its last event a calendar's
	// VTIMEZONEs reach for never-ending series when Calendar.Horizon is
	// zero.
	defaultHorizon = 366 * 24 * time.Hour
)

// Calendar is what Encode writes: a VCALENDAR of events.
type Calendar struct {
	ProdID      string // "" means DefaultProdID
	Name        string // NAME and X-WR-CALNAME
	Description string // DESCRIPTION and X-WR-CALDESC, plain text
	// Source is the calendar's own address (RFC 7986 SOURCE); optional.
	Source string
	// RefreshInterval is the REFRESH-INTERVAL and X-PUBLISHED-TTL; 0
	// means DefaultRefreshInterval.
	RefreshInterval time.Duration
	// Horizon is how far the VTIMEZONEs reach for series without an end:
	// the end of the feed's window. Zero means a year after the latest
	// event start.
	Horizon time.Time
	Entries []Entry
}

// Entry is one VEVENT: an event with the people the feed may show.
type Entry struct {
	Event *events.Event
	// Organizer becomes ORGANIZER;CN=Name:URI; left out when URI is "".
	Organizer Person
	// Attendees become ATTENDEE lines. Only the owner's private feed
	// sets them.
	Attendees []Attendee
}

// Person is a calendar user: an actor's ActivityPub id and display name.
type Person struct {
	URI  string
	Name string
}

// Attendee is a participant shown in a private feed.
type Attendee struct {
	Person
	Role events.ParticipantRole
}

// Marshal returns c as an RFC 5545 calendar: CRLF line ends, lines
// folded at 75 octets, TEXT escaped, local times with a TZID and a
// VTIMEZONE for every zone used, generated from Go's time zone database.
func Marshal(c *Calendar) []byte {
	var e encoder
	e.out = make([]byte, 0, 512+len(c.Entries)*700)
	e.calendar(c)
	return e.out
}

// Encode writes Marshal(c) to w.
func Encode(w io.Writer, c *Calendar) error {
	_, err := w.Write(Marshal(c))
	return err
}

// encoder builds one content line at a time in b and folds it into out.
type encoder struct {
	out  []byte
	b    []byte
	text []byte // scratch for HTML → text
}

// start begins a content line with a property name.
func (w *encoder) start(name string) {
	w.b = append(w.b[:0], name...)
}

// end folds the current line into the output.
func (w *encoder) end() {
	w.out = appendFolded(w.out, w.b)
}

// line writes a constant line (BEGIN/END and the like).
func (w *encoder) line(s string) {
	w.out = append(w.out, s...)
	w.out = append(w.out, '\r', '\n')
}

// textProp writes NAME:escaped-text; nothing when v is empty.
func (w *encoder) textProp(name, v string) {
	if v == "" {
		return
	}
	w.start(name)
	w.b = append(w.b, ':')
	w.b = appendText(w.b, v)
	w.end()
}

// uriProp writes NAME;params:uri when uri is safe to write.
func (w *encoder) uriProp(name, params, uri string) {
	if !safeURI(uri) {
		return
	}
	w.start(name)
	w.b = append(w.b, params...)
	w.b = append(w.b, ':')
	w.b = append(w.b, uri...)
	w.end()
}

// utcProp writes NAME:20060102T150405Z.
func (w *encoder) utcProp(name string, t time.Time) {
	if t.IsZero() {
		return
	}
	w.start(name)
	w.b = append(w.b, ':')
	w.b = appendDateTime(w.b, t, true)
	w.end()
}

// zone is a time zone used by the calendar and the range it must cover.
type zone struct {
	loc       *time.Location
	from, to  time.Time
	unbounded bool // a series without end: cover up to the horizon
}

// locations resolves each entry's zone once (nil means UTC) and the
// range each zone's VTIMEZONE must cover: from the earliest DTSTART to
// the latest end, or to the horizon for series without an end.
func locations(c *Calendar) ([]*time.Location, []zone) {
	locs := make([]*time.Location, len(c.Entries))
	var zones []zone
	cache := map[string]int{}
	var latest time.Time
	for i := range c.Entries {
		e := c.Entries[i].Event
		latest = maxTime(latest, e.BeginsAt)
		name := e.TimeZone
		if name == "" || name == "UTC" || name == "Etc/UTC" {
			continue
		}
		idx, ok := cache[name]
		if !ok {
			idx = -1
			if loc, err := time.LoadLocation(name); err == nil && name != "Local" {
				idx = len(zones)
				zones = append(zones, zone{loc: loc, from: e.BeginsAt, to: e.BeginsAt})
			}
			cache[name] = idx // the domain validated it; a zone Go lacks is written in UTC
		}
		if idx < 0 {
			continue
		}
		locs[i] = zones[idx].loc
		z := &zones[idx]
		if e.BeginsAt.Before(z.from) {
			z.from = e.BeginsAt
		}
		z.to = maxTime(z.to, e.EndsAt)
		if e.Recurring() {
			z.to = maxTime(z.to, e.SeriesEndsAt)
			z.unbounded = z.unbounded || e.SeriesEndsAt.IsZero()
		}
	}
	horizon := c.Horizon
	if horizon.IsZero() {
		horizon = latest.Add(defaultHorizon)
	}
	for i := range zones {
		if zones[i].unbounded {
			zones[i].to = maxTime(zones[i].to, horizon)
		}
	}
	return locs, zones
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func (w *encoder) calendar(c *Calendar) {
	locs, zones := locations(c)
	w.line("BEGIN:VCALENDAR")
	w.textProp("PRODID", cmpOr(c.ProdID, DefaultProdID))
	w.line("VERSION:2.0")
	w.line("CALSCALE:GREGORIAN")
	w.line("METHOD:PUBLISH")
	w.textProp("NAME", c.Name)
	w.textProp("X-WR-CALNAME", c.Name)
	w.textProp("DESCRIPTION", c.Description)
	w.textProp("X-WR-CALDESC", c.Description)
	w.uriProp("SOURCE", ";VALUE=URI", c.Source)
	refresh := c.RefreshInterval
	if refresh < time.Minute {
		refresh = DefaultRefreshInterval
	}
	w.start("REFRESH-INTERVAL;VALUE=DURATION:")
	w.b = appendDuration(w.b, refresh)
	w.end()
	w.start("X-PUBLISHED-TTL:")
	w.b = appendDuration(w.b, refresh)
	w.end()
	if len(zones) == 1 {
		w.textProp("X-WR-TIMEZONE", zones[0].loc.String())
	}
	for _, z := range zones {
		w.appendVTimezone(z.loc, z.from, z.to)
	}
	for i := range c.Entries {
		w.event(&c.Entries[i], locs[i])
	}
	w.line("END:VCALENDAR")
}

// dateTimeProp writes NAME;TZID=zone:local, or NAME:utcZ without zone.
func (w *encoder) dateTimeProp(name string, t time.Time, loc *time.Location) {
	w.start(name)
	if loc != nil {
		w.b = append(w.b, ";TZID="...)
		w.b = append(w.b, loc.String()...)
		w.b = append(w.b, ':')
		w.b = appendDateTime(w.b, t.In(loc), false)
	} else {
		w.b = append(w.b, ':')
		w.b = appendDateTime(w.b, t, true)
	}
	w.end()
}

func (w *encoder) event(en *Entry, loc *time.Location) {
	e := en.Event
	w.line("BEGIN:VEVENT")
	w.textProp("UID", cmpOr(e.APID, e.ID))
	w.utcProp("DTSTAMP", firstTime(e.UpdatedAt, e.CreatedAt, e.BeginsAt))
	w.dateTimeProp("DTSTART", e.BeginsAt, loc)
	if !e.EndsAt.IsZero() && e.EndsAt.After(e.BeginsAt) {
		w.dateTimeProp("DTEND", e.EndsAt, loc)
	}
	if e.Recurring() {
		w.recurrence(e, loc)
	}
	w.textProp("SUMMARY", e.Title)
	if e.Description != "" {
		w.text = htmlToText(w.text[:0], e.Description)
		w.start("DESCRIPTION")
		w.b = append(w.b, ':')
		w.b = appendText(w.b, string(w.text))
		w.end()
		w.start("X-ALT-DESC;FMTTYPE=text/html:")
		w.b = appendText(w.b, e.Description)
		w.end()
	}
	if loc := location(e); loc != "" {
		w.textProp("LOCATION", loc)
	}
	if p, ok := e.Place.Point(); ok {
		w.start("GEO:")
		w.b = strconv.AppendFloat(w.b, p.Lat, 'f', -1, 64)
		w.b = append(w.b, ';')
		w.b = strconv.AppendFloat(w.b, p.Lon, 'f', -1, 64)
		w.end()
	}
	if e.OnlineAddress != "" && safeURI(e.OnlineAddress) {
		w.start("CONFERENCE;VALUE=URI;FEATURE=AUDIO,VIDEO")
		w.b = appendParam(w.b, "LABEL", "Online")
		w.b = append(w.b, ':')
		w.b = append(w.b, e.OnlineAddress...)
		w.end()
	}
	w.uriProp("URL", ";VALUE=URI", e.URL)
	w.start("STATUS:")
	w.b = append(w.b, statusOf(e.Status)...)
	w.end()
	if e.Visibility == events.Private {
		w.line("CLASS:PRIVATE")
	} else {
		w.line("CLASS:PUBLIC")
	}
	w.start("SEQUENCE:")
	w.b = strconv.AppendInt(w.b, int64(max(e.Sequence, 0)), 10)
	w.end()
	w.utcProp("CREATED", e.CreatedAt)
	w.utcProp("LAST-MODIFIED", e.UpdatedAt)
	if o := en.Organizer; safeURI(o.URI) {
		w.start("ORGANIZER")
		if o.Name != "" {
			w.b = appendParam(w.b, "CN", o.Name)
		}
		w.b = append(w.b, ':')
		w.b = append(w.b, o.URI...)
		w.end()
	}
	if e.Category != "" || len(e.Tags) > 0 {
		w.start("CATEGORIES:")
		n := 0
		for _, v := range append([]string{e.Category}, e.Tags...) {
			if v == "" {
				continue
			}
			if n > 0 {
				w.b = append(w.b, ',')
			}
			w.b = appendText(w.b, v)
			n++
		}
		w.end()
	}
	w.uriProp("IMAGE", ";VALUE=URI;DISPLAY=BADGE", e.PictureURL)
	for _, a := range en.Attendees {
		if !safeURI(a.URI) {
			continue
		}
		w.start("ATTENDEE;CUTYPE=INDIVIDUAL")
		role, stat := attendeeRole(a.Role)
		w.b = append(w.b, ";ROLE="...)
		w.b = append(w.b, role...)
		w.b = append(w.b, ";PARTSTAT="...)
		w.b = append(w.b, stat...)
		if a.Name != "" {
			w.b = appendParam(w.b, "CN", a.Name)
		}
		w.b = append(w.b, ':')
		w.b = append(w.b, a.URI...)
		w.end()
	}
	w.line("END:VEVENT")
}

// recurrence writes RRULE and EXDATE. UNTIL is written as a UTC instant,
// as RFC 5545 requires when DTSTART has a TZID or is in UTC.
func (w *encoder) recurrence(e *events.Event, loc *time.Location) {
	rule, err := recur.Parse(e.Recurrence)
	if err != nil {
		return // a remote rule we cannot read: the first occurrence alone
	}
	if !rule.Until.IsZero() {
		zl := loc
		if zl == nil {
			zl = time.UTC
		}
		u := rule.Until.UTC()
		switch rule.UntilKind {
		case recur.UntilDate: // through the end of that local day
			y, m, d := u.Date()
			rule.Until = time.Date(y, m, d, 23, 59, 59, 0, zl).UTC()
		case recur.UntilFloating:
			y, m, d := u.Date()
			h, mi, s := u.Clock()
			rule.Until = time.Date(y, m, d, h, mi, s, 0, zl).UTC()
		}
		rule.UntilKind = recur.UntilInstant
	}
	w.start("RRULE:")
	w.b = append(w.b, rule.String()...)
	w.end()
	if len(e.ExDates) == 0 {
		return
	}
	ex := slices.Clone(e.ExDates)
	slices.SortFunc(ex, time.Time.Compare)
	w.start("EXDATE")
	if loc != nil {
		w.b = append(w.b, ";TZID="...)
		w.b = append(w.b, loc.String()...)
	}
	w.b = append(w.b, ':')
	for i, d := range ex {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		if loc != nil {
			w.b = appendDateTime(w.b, d.In(loc), false)
		} else {
			w.b = appendDateTime(w.b, d, true)
		}
	}
	w.end()
}

// statusOf maps an event status to STATUS. iCalendar knows three:
// a postponed event's date is open again (TENTATIVE), a rescheduled one
// has a new, settled date (CONFIRMED).
func statusOf(s events.Status) string {
	switch s {
	case events.Tentative, events.Postponed:
		return "TENTATIVE"
	case events.Cancelled:
		return "CANCELLED"
	default:
		return "CONFIRMED"
	}
}

// attendeeRole maps a participant role to ROLE and PARTSTAT.
func attendeeRole(r events.ParticipantRole) (role, partstat string) {
	switch r {
	case events.RoleCreator, events.RoleModerator:
		return "CHAIR", "ACCEPTED"
	case events.RoleParticipant:
		return "REQ-PARTICIPANT", "ACCEPTED"
	case events.RoleRejected:
		return "REQ-PARTICIPANT", "DECLINED"
	case events.RoleWaitlisted:
		return "REQ-PARTICIPANT", "TENTATIVE"
	default:
		return "REQ-PARTICIPANT", "NEEDS-ACTION"
	}
}

// location is the LOCATION text: the place's name and postal address,
// or the online address when the event has no place.
func location(e *events.Event) string {
	p := e.Place
	if p.IsZero() {
		return e.OnlineAddress
	}
	parts := make([]string, 0, 5)
	for _, s := range []string{p.Name, p.Street, strings.TrimSpace(p.PostalCode + " " + p.Locality), p.Region, p.Country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
