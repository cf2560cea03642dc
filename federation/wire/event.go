package wire

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/events/recur"
	"codeberg.org/convene/convene/geo"
)

// EventView is what an Event document is built from: the domain event
// plus what the domain model does not hold (IRIs of the actors involved,
// counts). Only Event and Organizer are required.
type EventView struct {
	Event events.Event

	// Organizer is the IRI of the organizing actor (a profile or a
	// group): attributedTo and FEP-8a8e organizers. Required.
	Organizer string
	// Actor is the IRI of the profile that created the event (for a
	// group event, the member who did). Optional: defaults to Organizer.
	Actor string
	// Followers is the organizer's followers collection. Optional:
	// defaults to Organizer + "/followers" (Convene's URL scheme).
	Followers string
	// Members is the group's members collection, for group events.
	Members string
	// Contacts are the IRIs of Event.Contacts.
	Contacts []string
	// ParticipantCount is the number of accepted participants.
	ParticipantCount int
	// BaseURL is the instance origin; hashtags link to BaseURL/tags/{tag}.
	// Optional: without it hashtags have no href.
	BaseURL string
	// Now picks the occurrence a recurring event shows: the one in
	// progress at Now or the next one (or the last, when the series is
	// over). Zero means the first occurrence.
	Now time.Time
	// Zone is Event.TimeZone loaded, for callers that keep loaded zones:
	// loading one costs more than the rest of the document. Optional: nil
	// loads it; a Zone for another name than Event.TimeZone is an error.
	Zone *time.Location
	// Extra are properties to emit besides those the event has, such as
	// the unknown properties of a remote event being relayed
	// (ParsedEvent.Extra). Keys this package writes itself are ignored.
	Extra map[string]json.RawMessage
}

// ParsedEvent is an Event document read from the network: the domain
// event (without storage ids: ID, OrganizerID, GroupID, CreatorID and
// Contacts are the caller's to fill from the IRIs below) plus what the
// domain does not model.
type ParsedEvent struct {
	Event events.Event

	UUID         string   // Mobilizon's uuid, when given
	AttributedTo string   // the organizing actor's IRI
	Actor        string   // the creating actor's IRI, when given
	Organizers   []string // FEP-8a8e organizers (IRIs), when given
	Contacts     []string // Mobilizon contacts (IRIs)
	To, CC       []string // audience, as:Public normalised to PublicIRI
	Summary      string   // the sender's summary, plain text

	ParticipantCount  *int
	RemainingCapacity *int
	// NoEndTime is set when the document has no endTime; Event.EndsAt is
	// then zero (FEP-8a8e: do not display an end).
	NoEndTime bool
	// PlaceID is the id of the location Place, when it has one.
	PlaceID string
	// Metadata holds attachment PropertyValues that are not links
	// (Mobilizon's accessibility flags, for instance).
	Metadata []PropertyValue
	// Extra holds the top-level properties this package does not read,
	// re-emitted as they were when the event is relayed.
	Extra map[string]json.RawMessage
}

// PropertyValue is a schema.org PropertyValue attachment.
type PropertyValue struct {
	PropertyID string
	Name       string
	Value      json.RawMessage
}

// EventDocument returns the Event object as a standalone JSON-LD document
// (what /events/{uuid} serves).
func EventDocument(v EventView) ([]byte, error) { return Marshal(v) }

// Object is a value this package can write as an ActivityStreams object:
// the views (EventView, PersonView...), Activity, Tombstone and the rest.
type Object interface {
	writeObject(e *enc) error
}

// Marshal writes o as a standalone document with the @context.
func Marshal(o Object) ([]byte, error) {
	e := &enc{b: make([]byte, 0, 8192)}
	e.open()
	e.key("@context")
	e.raw(Context)
	if err := o.writeObject(e); err != nil {
		return nil, err
	}
	if e.err != nil {
		return nil, e.err
	}
	e.close()
	return e.b, nil
}

func (v EventView) occurrence() (start, end time.Time, loc *time.Location, err error) {
	ev := &v.Event
	loc = time.UTC
	switch {
	case v.Zone != nil:
		if v.Zone.String() != ev.TimeZone && (ev.TimeZone != "" || v.Zone != time.UTC) {
			return start, end, nil, errf(ErrInvalid, "timezone", "Zone %q is not the event's zone %q", v.Zone, ev.TimeZone)
		}
		loc = v.Zone
	case ev.TimeZone != "":
		if loc, err = time.LoadLocation(ev.TimeZone); err != nil {
			return start, end, nil, errf(ErrInvalid, "timezone", "%v", err)
		}
	}
	start, end = ev.BeginsAt, ev.EndsAt
	if ev.Recurrence == "" || v.Now.IsZero() {
		return start, end, loc, nil
	}
	rule, err := recur.Parse(ev.Recurrence)
	if err != nil {
		return start, end, nil, errf(ErrInvalid, "ical:rrule", "%v", err)
	}
	s := recur.Series{Start: start.In(loc), Duration: end.Sub(start), Rule: rule, ExDates: ev.ExDates}
	if o, ok := s.Next(v.Now); ok {
		return o.Start, o.End, loc, nil
	}
	if last, ok := s.LastEnd(); ok {
		return last.Add(-s.Duration), last, loc, nil
	}
	return start, end, loc, nil
}

func (v EventView) writeObject(e *enc) error {
	ev := &v.Event
	if ev.APID == "" || v.Organizer == "" {
		return errf(ErrMissing, "id", "an event needs its APID and an Organizer")
	}
	if ev.BeginsAt.IsZero() {
		return errf(ErrMissing, "startTime", "an event needs BeginsAt")
	}
	start, end, loc, err := v.occurrence()
	if err != nil {
		return err
	}
	actor := v.Actor
	if actor == "" {
		actor = v.Organizer
	}
	followers := v.Followers
	if followers == "" {
		followers = v.Organizer + "/followers"
	}
	to, cc := eventAudience(ev.Visibility, followers, v.Members)

	e.strProp("type", "Event")
	e.strProp("id", ev.APID)
	e.strProp("url", ev.URL)
	e.strProp("uuid", ev.ID)
	e.strProp("name", ev.Title)
	if ev.Description != "" {
		e.strProp("content", ev.Description)
		e.strProp("mediaType", "text/html")
	}
	e.key("summary")
	e.b = append(e.b, '"')
	e.b = appendSummary(e.b, ev, start, end, loc, appendEscaped)
	e.b = append(e.b, '"')
	e.comma = true
	e.strProp("actor", actor)
	e.strProp("attributedTo", v.Organizer)
	e.key("organizers")
	e.open()
	e.strProp("type", "Collection")
	e.intProp("totalItems", 1)
	e.irisAlways("items", []string{v.Organizer})
	e.close()
	e.iris("contacts", v.Contacts)
	e.irisAlways("to", to)
	e.irisAlways("cc", cc)
	e.timeProp("published", ev.PublishedAt, nil)
	e.timeProp("updated", ev.UpdatedAt, nil)
	e.timeProp("startTime", start, loc)
	e.timeProp("endTime", end, loc)
	e.strProp("timezone", ev.TimeZone)
	if ev.Recurrence != "" {
		e.timeProp("ical:dtstart", ev.BeginsAt, loc)
		e.strProp("ical:rrule", ev.Recurrence)
		if len(ev.ExDates) > 0 {
			e.key("ical:exdate")
			e.openArr()
			for _, t := range ev.ExDates {
				e.elem()
				e.b = append(e.b, '"')
				e.b = t.In(loc).AppendFormat(e.b, time.RFC3339Nano)
				e.b = append(e.b, '"')
				e.comma = true
			}
			e.closeArr()
		}
	}
	if ev.Sequence > 0 {
		e.intProp("ical:sequence", int64(ev.Sequence))
	}
	st := ev.Status
	if st == "" {
		st = events.Confirmed
	}
	e.strProp("eventStatus", eventStatus(st))
	e.strProp("status", icalStatus(st))
	e.strProp("ical:status", icalStatus(st))
	jm := ev.JoinMode
	if jm == "" {
		jm = events.JoinFree
	}
	e.strProp("joinMode", string(jm))
	e.strProp("externalParticipationUrl", ev.ExternalURL)
	if ev.Capacity > 0 {
		e.intProp("maximumAttendeeCapacity", int64(ev.Capacity))
		e.intProp("remainingAttendeeCapacity", int64(max(0, ev.Capacity-v.ParticipantCount)))
	}
	e.intProp("participantCount", int64(v.ParticipantCount))
	e.boolProp("anonymousParticipationEnabled", ev.AnonymousParticipation)
	cm := ev.CommentModeration
	if cm == "" {
		cm = events.CommentsAllowAll
	}
	e.boolProp("commentsEnabled", cm != events.CommentsClosed)
	e.strProp("repliesModerationOption", string(cm))
	e.boolProp("isOnline", ev.OnlineAddress != "" && ev.Place.IsZero())
	e.boolProp("draft", ev.Draft)
	e.strProp("category", ev.Category)
	e.strProp("inLanguage", ev.Language)
	if len(ev.Tags) > 0 {
		e.key("tag")
		e.openArr()
		for _, t := range ev.Tags {
			e.elem()
			e.open()
			e.strProp("type", "Hashtag")
			e.strProp("name", "#"+t)
			if v.BaseURL != "" {
				e.strProp("href", strings.TrimSuffix(v.BaseURL, "/")+"/tags/"+strings.ToLower(t))
			}
			e.close()
		}
		e.closeArr()
	}
	writeLocation(e, ev.Place, ev.OnlineAddress, ev.Title)
	writeEventAttachments(e, ev)
	e.extra(v.Extra, knownEventKey)
	return nil
}

// eventAudience is the addressing of an event object (WIRE.md §2.3):
// public: to Public, cc followers (and members); unlisted: to followers
// (and members), cc Public; private: to the members of the organizing
// group, or the organizer's followers, never Public.
func eventAudience(vis events.Visibility, followers, members string) (to, cc []string) {
	var local []string
	local = append(local, followers)
	if members != "" {
		local = append(local, members)
	}
	switch vis {
	case events.Unlisted:
		return local, []string{PublicIRI}
	case events.Private:
		if members != "" {
			return []string{members}, nil
		}
		return []string{followers}, nil
	default:
		return []string{PublicIRI}, local
	}
}

// eventStatus maps a status to FEP-8a8e's eventStatus.
func eventStatus(s events.Status) string {
	switch s {
	case events.Tentative:
		return "EventTentative"
	case events.Cancelled:
		return "EventCancelled"
	case events.Postponed:
		return "EventPostponed"
	case events.Rescheduled:
		return "EventRescheduled"
	}
	return "EventScheduled"
}

// icalStatus maps a status to iCalendar's STATUS, which has no postponed
// (TENTATIVE: the date is not settled) nor rescheduled (CONFIRMED).
func icalStatus(s events.Status) string {
	switch s {
	case events.Tentative, events.Postponed:
		return "TENTATIVE"
	case events.Cancelled:
		return "CANCELLED"
	}
	return "CONFIRMED"
}

func writeLocation(e *enc, p *geo.Place, online, title string) {
	phys := !p.IsZero()
	if !phys && online == "" {
		return
	}
	e.key("location")
	if phys && online != "" {
		e.openArr()
		e.elem()
	}
	if phys {
		e.open()
		e.strProp("type", "Place")
		e.strProp("name", p.Name)
		if p.Street != "" || p.Locality != "" || p.Region != "" || p.PostalCode != "" || p.Country != "" {
			e.key("address")
			e.open()
			e.strProp("type", "PostalAddress")
			e.strProp("streetAddress", p.Street)
			e.strProp("postalCode", p.PostalCode)
			e.strProp("addressLocality", p.Locality)
			e.strProp("addressRegion", p.Region)
			e.strProp("addressCountry", p.Country)
			e.close()
		}
		if pt, ok := p.Point(); ok {
			e.floatProp("latitude", pt.Lat)
			e.floatProp("longitude", pt.Lon)
		}
		e.close()
	}
	if online != "" {
		if phys {
			e.elem()
		}
		e.open()
		e.strProp("type", "VirtualLocation")
		e.strProp("name", title)
		e.strProp("url", online)
		e.close()
	}
	if phys && online != "" {
		e.closeArr()
	}
}

// Attachment order is Mobilizon's: metadata, banner, website.
func writeEventAttachments(e *enc, ev *events.Event) {
	if len(ev.Links) == 0 && ev.PictureURL == "" && ev.OnlineAddress == "" {
		return
	}
	e.key("attachment")
	e.openArr()
	for _, l := range ev.Links {
		e.elem()
		e.open()
		e.strProp("type", "PropertyValue")
		e.strProp("propertyID", linkPropertyPrefix+string(l.Kind))
		e.strProp("name", l.Title)
		e.strProp("value", l.URL)
		e.close()
	}
	if ev.PictureURL != "" {
		e.elem()
		e.open()
		e.strProp("type", "Document")
		e.strProp("name", "Banner")
		e.strProp("mediaType", imageMediaType(ev.PictureURL))
		e.strProp("url", ev.PictureURL)
		e.close()
	}
	if ev.OnlineAddress != "" {
		e.elem()
		e.open()
		e.strProp("type", "Link")
		e.strProp("name", "Website")
		e.strProp("mediaType", "text/html")
		e.strProp("href", ev.OnlineAddress)
		e.close()
	}
	e.closeArr()
}

// linkPropertyPrefix starts the propertyID of a metadata link Convene
// emits: mz:convene:link:{kind}.
const linkPropertyPrefix = "mz:convene:link:"

func imageMediaType(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i]
	}
	switch ext := strings.ToLower(u[strings.LastIndexByte(u, '.')+1:]); ext {
	case "png":
		return "image/png"
	case "gif":
		return "image/gif"
	case "webp":
		return "image/webp"
	case "avif":
		return "image/avif"
	case "svg":
		return "image/svg+xml"
	default:
		return "image/jpeg"
	}
}

// ParseEvent reads an Event document (or any object document whose type
// is Event).
func (p *Parser) ParseEvent(data []byte) (*ParsedEvent, error) {
	var out *ParsedEvent
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		if t := typeOf(v); t != "Event" {
			return errf(ErrUnsupported, "type", "%q is not an Event", t)
		}
		out = r.event(v, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func knownEventKey(k string) bool {
	switch k {
	case "@context", "type", "id", "url", "uuid", "name", "nameMap", "content", "contentMap", "mediaType", "summary", "summaryMap", "actor", "attributedTo", "organizers", "contacts", "to", "cc", "bto", "bcc", "audience", "published", "updated", "startTime", "endTime", "timezone", "ical:dtstart", "ical:rrule", "ical:exdate", "ical:sequence", "eventStatus", "status", "ical:status", "joinMode", "externalParticipationUrl", "maximumAttendeeCapacity", "remainingAttendeeCapacity", "participantCount", "anonymousParticipationEnabled", "commentsEnabled", "repliesModerationOption", "isOnline", "draft", "category", "inLanguage", "tag", "location", "attachment", "image", "signature":
		return true
	}
	return false
}

func (r *reader) event(v *fastjson.Value, prefix string) *ParsedEvent {
	c := r.loadCore(v, prefix)
	pe := &ParsedEvent{}
	ev := &pe.Event
	ev.APID, ev.URL = c.ID, c.URL
	ev.PublishedAt, ev.UpdatedAt = c.Published, c.Updated
	pe.UUID = r.str(v, prefix, "uuid", MaxShortText)
	ev.Language = r.str(v, prefix, "inLanguage", MaxShortText)
	ev.Title = truncateRunes(r.text(v, prefix, "name", ev.Language, MaxNameLength), events.MaxTitleLength)
	ev.Description = r.html(v, prefix, "content", ev.Language, MaxContent)
	if len(ev.Description) > events.MaxDescriptionLength {
		r.fail(errf(ErrTooLong, path(prefix, "content"), "%d bytes of HTML, the limit is %d", len(ev.Description), events.MaxDescriptionLength))
	}
	pe.Summary = r.text(v, prefix, "summary", ev.Language, MaxContent)
	pe.AttributedTo = r.iri(v, prefix, "attributedTo")
	pe.Actor = r.iri(v, prefix, "actor")
	pe.Organizers = r.organizers(v, prefix)
	pe.Contacts = r.iris(v, prefix, "contacts", MaxAudience)
	pe.To = r.iris(v, prefix, "to", MaxAudience)
	pe.CC = r.iris(v, prefix, "cc", MaxAudience)
	ev.Visibility = visibility(pe.To, pe.CC)

	// Times: read in the event's zone when they carry no offset.
	var loc *time.Location
	if tz := r.str(v, prefix, "timezone", MaxShortText); tz != "" {
		if l := r.zone(tz); l != nil {
			ev.TimeZone, loc = tz, l
		}
	}
	start := r.timeIn(v, "startTime", loc)
	end := r.timeIn(v, "endTime", loc)
	pe.NoEndTime = end.IsZero()
	if rule := r.str(v, prefix, "ical:rrule", MaxShortText); rule != "" {
		if _, err := recur.Parse(rule); err == nil {
			ev.Recurrence = rule
			if first := r.timeIn(v, "ical:dtstart", loc); !first.IsZero() && !start.IsZero() {
				if !end.IsZero() {
					end = first.Add(end.Sub(start))
				}
				start = first
			}
			if x := v.Get("ical:exdate"); x != nil && x.Type() == fastjson.TypeArray {
				arr := x.GetArray()
				if len(arr) > events.MaxExDates {
					r.fail(errf(ErrTooMany, path(prefix, "ical:exdate"), "%d dates, the limit is %d", len(arr), events.MaxExDates))
				}
				for _, el := range arr {
					if b, err := el.StringBytes(); err == nil && len(b) <= 64 {
						if t := parseTime(string(b), loc); !t.IsZero() {
							ev.ExDates = append(ev.ExDates, utcMicro(t))
						}
					}
				}
			}
		}
	}
	ev.BeginsAt, ev.EndsAt = utcMicro(start), utcMicro(end)
	ev.SeriesEndsAt = seriesEnd(ev, loc)
	if n := intPtr(v, "ical:sequence"); n != nil {
		ev.Sequence = *n
	}

	ev.Status = parseStatus(r.str(v, prefix, "eventStatus", MaxShortText),
		r.str(v, prefix, "status", MaxShortText), r.str(v, prefix, "ical:status", MaxShortText))
	ev.JoinMode = events.JoinFree
	switch jm := events.JoinMode(r.str(v, prefix, "joinMode", MaxShortText)); jm {
	case events.JoinFree, events.JoinRestricted, events.JoinInvite, events.JoinExternal, events.JoinNone:
		ev.JoinMode = jm
	}
	if s := r.iri(v, prefix, "externalParticipationUrl"); s != "" {
		ev.ExternalURL = s
	} else if b, ok := rawString(v, "externalParticipationUrl"); ok && strings.HasPrefix(string(b), "mailto:") && len(b) <= MaxIRILength {
		ev.ExternalURL = string(b)
	}
	if n := intPtr(v, "maximumAttendeeCapacity"); n != nil {
		ev.Capacity = min(*n, events.MaxCapacity)
	}
	pe.RemainingCapacity = intPtr(v, "remainingAttendeeCapacity")
	pe.ParticipantCount = intPtr(v, "participantCount")
	if b := boolPtr(v, "anonymousParticipationEnabled"); b != nil {
		ev.AnonymousParticipation = *b
	}
	ev.CommentModeration = events.CommentsAllowAll
	switch cm := events.CommentModeration(r.str(v, prefix, "repliesModerationOption", MaxShortText)); cm {
	case events.CommentsAllowAll, events.CommentsModerated, events.CommentsClosed:
		ev.CommentModeration = cm
	default:
		if b := boolPtr(v, "commentsEnabled"); b != nil && !*b {
			ev.CommentModeration = events.CommentsClosed
		}
	}
	if b := boolPtr(v, "draft"); b != nil {
		ev.Draft = *b
	}
	ev.Category = strings.ToUpper(r.str(v, prefix, "category", MaxShortText))
	ev.Tags = r.hashtags(v, prefix)
	r.location(v, prefix, pe)
	r.eventAttachments(v, prefix, pe)
	pe.Extra = extra(v, func(k string) bool { return knownEventKey(k) })
	return pe
}

func seriesEnd(ev *events.Event, loc *time.Location) time.Time {
	if ev.Recurrence == "" || ev.BeginsAt.IsZero() || ev.EndsAt.IsZero() {
		return ev.EndsAt
	}
	rule, err := recur.Parse(ev.Recurrence)
	if err != nil {
		return ev.EndsAt
	}
	if loc == nil {
		loc = time.UTC
	}
	s := recur.Series{Start: ev.BeginsAt.In(loc), Duration: ev.EndsAt.Sub(ev.BeginsAt), Rule: rule, ExDates: ev.ExDates}
	if t, ok := s.LastEnd(); ok {
		return utcMicro(t)
	}
	return time.Time{}
}

func visibility(to, cc []string) events.Visibility {
	for _, s := range to {
		if s == PublicIRI {
			return events.Public
		}
	}
	for _, s := range cc {
		if s == PublicIRI {
			return events.Unlisted
		}
	}
	return events.Private
}

// parseStatus prefers FEP-8a8e's eventStatus, then Mobilizon's status and
// ical:status; the default is confirmed.
func parseStatus(eventStatus, status, ical string) events.Status {
	switch strings.TrimPrefix(strings.TrimPrefix(eventStatus, "sc:"), "https://schema.org/") {
	case "EventScheduled", "EventMovedOnline":
		return events.Confirmed
	case "EventCancelled":
		return events.Cancelled
	case "EventPostponed":
		return events.Postponed
	case "EventRescheduled":
		return events.Rescheduled
	case "EventTentative":
		return events.Tentative
	}
	if status == "" {
		status = ical
	}
	switch strings.ToUpper(status) {
	case "TENTATIVE":
		return events.Tentative
	case "CANCELLED", "CANCELED":
		return events.Cancelled
	}
	return events.Confirmed
}

func (r *reader) organizers(v *fastjson.Value, prefix string) []string {
	x := v.Get("organizers")
	if x == nil {
		return nil
	}
	if x.Type() == fastjson.TypeObject && (x.Exists("items") || x.Exists("orderedItems")) {
		key := "items"
		if !x.Exists("items") {
			key = "orderedItems"
		}
		return r.iris(x, path(prefix, "organizers"), key, MaxAudience)
	}
	return r.iris(v, prefix, "organizers", MaxAudience)
}

func (r *reader) hashtags(v *fastjson.Value, prefix string) []string {
	x := v.Get("tag")
	if x == nil || x.Type() != fastjson.TypeArray {
		return nil
	}
	arr := x.GetArray()
	if len(arr) > MaxTags {
		r.fail(errf(ErrTooMany, path(prefix, "tag"), "%d tags, the limit is %d", len(arr), MaxTags))
		return nil
	}
	var out []string
	for i, el := range arr {
		if typeOf(el) != "Hashtag" {
			continue
		}
		name := strings.TrimPrefix(r.str(el, path(prefix, "tag."+strconv.Itoa(i)), "name", MaxShortText), "#")
		name = strings.TrimSpace(name)
		if name == "" || utf8.RuneCountInString(name) > events.MaxTagLength || len(out) == events.MaxTags {
			continue
		}
		dup := false
		for _, t := range out {
			if strings.EqualFold(t, name) {
				dup = true
			}
		}
		if !dup {
			out = append(out, name)
		}
	}
	return out
}

// location reads location: a string (Gancio, WordPress), a Place, a
// VirtualLocation, or an array of them (the first of each kind wins).
func (r *reader) location(v *fastjson.Value, prefix string, pe *ParsedEvent) {
	x := v.Get("location")
	if x == nil {
		return
	}
	items := []*fastjson.Value{x}
	if x.Type() == fastjson.TypeArray {
		items = x.GetArray()
		if len(items) > MaxLocations {
			r.fail(errf(ErrTooMany, path(prefix, "location"), "%d locations, the limit is %d", len(items), MaxLocations))
			return
		}
	}
	field := path(prefix, "location")
	for _, el := range items {
		switch el.Type() {
		case fastjson.TypeString:
			if pe.Event.Place == nil {
				b, _ := el.StringBytes()
				if len(b) > MaxShortText {
					r.fail(errf(ErrTooLong, field, "%d bytes, the limit is %d", len(b), MaxShortText))
					return
				}
				if s := r.san.Text(string(b)); s != "" {
					pe.Event.Place = &geo.Place{Name: truncateRunes(s, events.MaxPlaceFieldLength)}
				}
			}
		case fastjson.TypeObject:
			if typeOf(el) == "VirtualLocation" {
				if pe.Event.OnlineAddress == "" {
					pe.Event.OnlineAddress = r.iri(el, field, "url")
				}
				continue
			}
			if pe.Event.Place == nil {
				pe.Event.Place, pe.PlaceID = r.place(el, field)
			}
		}
	}
}

// ParsePlace-style reading of a schema.org Place with its PostalAddress
// (or a string address). Coordinates out of range, or without their
// pair, are dropped.
func (r *reader) place(v *fastjson.Value, prefix string) (*geo.Place, string) {
	p := &geo.Place{Name: r.text(v, prefix, "name", "", MaxShortText)}
	id := r.iri(v, prefix, "id")
	addr := v.Get("address")
	switch {
	case addr == nil:
	case addr.Type() == fastjson.TypeString:
		p.Street = r.text(v, prefix, "address", "", MaxShortText)
	case addr.Type() == fastjson.TypeObject:
		ap := path(prefix, "address")
		p.Street = r.text(addr, ap, "streetAddress", "", MaxShortText)
		p.PostalCode = r.text(addr, ap, "postalCode", "", MaxShortText)
		p.Locality = r.text(addr, ap, "addressLocality", "", MaxShortText)
		p.Region = r.text(addr, ap, "addressRegion", "", MaxShortText)
		p.Country = r.text(addr, ap, "addressCountry", "", MaxShortText)
	}
	lat, lon := floatPtr(v, "latitude"), floatPtr(v, "longitude")
	if lat != nil && lon != nil && (geo.Point{Lat: *lat, Lon: *lon}).Validate() == nil {
		p.Latitude, p.Longitude = lat, lon
	}
	if p.IsZero() {
		return nil, id
	}
	for _, f := range []*string{&p.Name, &p.Street, &p.PostalCode, &p.Locality, &p.Region, &p.Country} {
		*f = truncateRunes(*f, events.MaxPlaceFieldLength)
	}
	return p, id
}

// truncateRunes cuts s to at most n characters, so that remote values fit
// the domain's limits instead of failing its validation.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return strings.TrimSpace(s[:j])
		}
		i++
	}
	return s
}

// eventAttachments reads metadata links, the banner and the website.
func (r *reader) eventAttachments(v *fastjson.Value, prefix string, pe *ParsedEvent) {
	ev := &pe.Event
	var firstDoc, website string
	if x := v.Get("attachment"); x != nil {
		items := []*fastjson.Value{x}
		if x.Type() == fastjson.TypeArray {
			items = x.GetArray()
		}
		if len(items) > MaxAttachments {
			r.fail(errf(ErrTooMany, path(prefix, "attachment"), "%d attachments, the limit is %d", len(items), MaxAttachments))
			return
		}
		for i, el := range items {
			if el.Type() != fastjson.TypeObject {
				continue
			}
			ap := path(prefix, "attachment."+strconv.Itoa(i))
			name := r.text(el, ap, "name", "", MaxShortText)
			switch typeOf(el) {
			case "PropertyValue":
				id := r.str(el, ap, "propertyID", MaxShortText)
				if u := r.iri(el, ap, "value"); u != "" {
					if kind, ok := linkKind(id); ok {
						ev.Links = append(ev.Links, events.Link{Kind: kind, Title: name, URL: u})
						continue
					}
				}
				if val := el.Get("value"); val != nil && len(pe.Metadata) < MaxAttachments {
					pe.Metadata = append(pe.Metadata, PropertyValue{PropertyID: id, Name: name, Value: val.MarshalTo(nil)})
				}
			case "Document", "Image":
				u := r.iri(el, ap, "url")
				if u == "" {
					continue
				}
				if name == "Banner" && ev.PictureURL == "" {
					ev.PictureURL = u
				} else if firstDoc == "" {
					firstDoc = u
				}
			case "Link":
				u := r.iri(el, ap, "href")
				if u == "" {
					continue
				}
				if name == "Website" && website == "" {
					website = u
				} else {
					ev.Links = append(ev.Links, events.Link{Kind: events.LinkOther, Title: name, URL: u})
				}
			}
		}
	}
	if ev.PictureURL == "" {
		ev.PictureURL = r.imageURL(v, prefix, "image")
	}
	if ev.PictureURL == "" {
		ev.PictureURL = firstDoc
	}
	if ev.OnlineAddress == "" {
		ev.OnlineAddress = website
	}
	if len(ev.Links) > events.MaxLinks {
		ev.Links = ev.Links[:events.MaxLinks]
	}
}

// linkKind maps a PropertyValue's propertyID to a link kind: Convene's
// own ids, and Mobilizon's metadata keys by family.
func linkKind(id string) (events.LinkKind, bool) {
	if k, ok := strings.CutPrefix(id, linkPropertyPrefix); ok {
		switch kind := events.LinkKind(k); kind {
		case events.LinkPad, events.LinkCalc, events.LinkVisio, events.LinkLivestream, events.LinkTicket, events.LinkOther:
			return kind, true
		}
		return events.LinkOther, true
	}
	switch {
	case strings.HasPrefix(id, "mz:visio:"):
		return events.LinkVisio, true
	case strings.HasPrefix(id, "mz:live:"), strings.HasPrefix(id, "mz:replay:"):
		return events.LinkLivestream, true
	case strings.Contains(id, "pad"), strings.HasPrefix(id, "mz:notes:"):
		return events.LinkPad, true
	case strings.Contains(id, "calc"):
		return events.LinkCalc, true
	case strings.Contains(id, "ticket"):
		return events.LinkTicket, true
	case strings.HasPrefix(id, "mz:accessibility:"):
		return "", false
	}
	return events.LinkOther, true
}
