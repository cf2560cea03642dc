package events

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/convene/convene/events/recur"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/internal/fielderr"
)

// Input is what an organizer sets on an event. Create and Update take
// it whole; InputOf gives the current Input of an event, to change a few
// fields and call Update with the rest untouched.
type Input struct {
	// GroupID makes the event a group's (Create only): the acting
	// profile needs the group's event-creation permission.
	GroupID string

	Title       string
	Description string // HTML; sanitized on the way in
	BeginsAt    time.Time
	EndsAt      time.Time // optional; zero means no end time is shown
	TimeZone    string    // IANA zone; "" means UTC

	Status      Status     // "" means confirmed
	Visibility  Visibility // "" means public
	JoinMode    JoinMode   // "" means free
	ExternalURL string     // required with JoinExternal
	Capacity    int        // 0 means unlimited

	AnonymousParticipation bool

	OnlineAddress string
	Place         *geo.Place

	Category   string
	Tags       []string
	Language   string
	PictureURL string
	Links      []Link
	Contacts   []string

	Draft             bool
	CommentModeration CommentModeration // "" means allow_all

	Recurrence string      // RRULE text, such as "FREQ=WEEKLY;BYDAY=TU"
	ExDates    []time.Time // occurrence starts to skip
}

// InputOf returns the Input that would make e as it is.
func InputOf(e *Event) Input {
	in := Input{
		GroupID: e.GroupID, Title: e.Title, Description: e.Description,
		BeginsAt: e.BeginsAt, EndsAt: e.EndsAt, TimeZone: e.TimeZone,
		Status: e.Status, Visibility: e.Visibility, JoinMode: e.JoinMode,
		ExternalURL: e.ExternalURL, Capacity: e.Capacity,
		AnonymousParticipation: e.AnonymousParticipation,
		OnlineAddress:          e.OnlineAddress, Category: e.Category, Language: e.Language,
		PictureURL: e.PictureURL, Draft: e.Draft, CommentModeration: e.CommentModeration,
		Recurrence: e.Recurrence,
		Tags:       append([]string(nil), e.Tags...),
		Links:      append([]Link(nil), e.Links...),
		Contacts:   append([]string(nil), e.Contacts...),
		ExDates:    append([]time.Time(nil), e.ExDates...),
	}
	if e.Place != nil {
		p := *e.Place
		in.Place = &p
	}
	return in
}

var (
	categoryPattern = regexp.MustCompile(`^[A-Z][A-Z0-9_]{0,63}$`)
	languagePattern = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,4}$`)
)

// Categories returns FEP-8a8e's recommended event categories. Other
// values matching [A-Z][A-Z0-9_]* are kept as they are: the list is
// extensible.
func Categories() []string {
	return []string{
		"ARTS", "BOOK_CLUBS", "BUSINESS", "CAUSES", "COMEDY", "CRAFTS", "FOOD_DRINK",
		"HEALTH", "MUSIC", "AUTO_BOAT_AIR", "COMMUNITY", "FAMILY_EDUCATION",
		"FASHION_BEAUTY", "FILM_MEDIA", "GAMES", "LANGUAGE_CULTURE", "LEARNING",
		"LGBTQ", "MOVEMENTS_POLITICS", "NETWORKING", "PARTY", "PERFORMING_VISUAL_ARTS",
		"PETS", "PHOTOGRAPHY", "OUTDOORS_ADVENTURE", "SPIRITUALITY_RELIGION_BELIEFS",
		"SCIENCE_TECH", "SPORTS", "THEATRE", "MEETING", "WORKSHOPS_SKILL_SHARING",
		"PERSONAL_DEVELOPMENT", "DANCE", "FAMILY", "GARDENING", "OTHER",
	}
}

// normalized holds what validation derives besides the cleaned Input.
type normalized struct {
	loc       *time.Location
	seriesEnd time.Time
}

// validate cleans in (sanitizing, trimming, defaulting) and checks every
// rule, returning the first *ValidationError.
func (s *Service) validate(in *Input) (normalized, error) {
	var n normalized
	in.Title = s.sanitize.Text(in.Title)
	switch l := utf8.RuneCountInString(in.Title); {
	case l == 0:
		return n, fielderr.New("title", "is required")
	case l > MaxTitleLength:
		return n, fielderr.New("title", "is longer than %d characters", MaxTitleLength)
	}
	if hasControl(in.Title) {
		return n, fielderr.New("title", "contains control characters")
	}
	in.Description = s.sanitize.HTML(in.Description)
	if len(in.Description) > MaxDescriptionLength {
		return n, fielderr.New("description", "is longer than %d bytes", MaxDescriptionLength)
	}

	loc, err := loadZone(in.TimeZone)
	if err != nil {
		return n, err
	}
	n.loc = loc
	if in.BeginsAt.IsZero() {
		return n, fielderr.New("begins_on", "is required")
	}
	in.BeginsAt = in.BeginsAt.UTC().Truncate(time.Microsecond)
	if !in.EndsAt.IsZero() {
		in.EndsAt = in.EndsAt.UTC().Truncate(time.Microsecond)
		if in.EndsAt.Before(in.BeginsAt) {
			return n, fielderr.New("ends_on", "is before the beginning")
		}
		if in.EndsAt.Sub(in.BeginsAt) > MaxEventDuration*time.Second {
			return n, fielderr.New("ends_on", "the event lasts longer than a year")
		}
	}
	if y := in.BeginsAt.Year(); y < 1900 || y > 9999 {
		return n, fielderr.New("begins_on", "year %d is out of range", y)
	}

	if in.Status == "" {
		in.Status = Confirmed
	}
	if !oneOf(in.Status, Tentative, Confirmed, Cancelled, Postponed, Rescheduled) {
		return n, fielderr.New("status", "unknown status %q", in.Status)
	}
	if in.Visibility == "" {
		in.Visibility = Public
	}
	if !oneOf(in.Visibility, Public, Unlisted, Private) {
		return n, fielderr.New("visibility", "unknown visibility %q", in.Visibility)
	}
	if in.JoinMode == "" {
		in.JoinMode = JoinFree
	}
	if !oneOf(in.JoinMode, JoinFree, JoinRestricted, JoinInvite, JoinExternal, JoinNone) {
		return n, fielderr.New("join_mode", "unknown join mode %q", in.JoinMode)
	}
	in.ExternalURL = strings.TrimSpace(in.ExternalURL)
	switch {
	case in.JoinMode == JoinExternal && in.ExternalURL == "":
		return n, fielderr.New("external_url", "is required when the join mode is external")
	case in.JoinMode != JoinExternal && in.ExternalURL != "":
		return n, fielderr.New("external_url", "is only for the external join mode")
	case in.ExternalURL != "":
		if err := checkURL("external_url", in.ExternalURL, "http", "https", "mailto"); err != nil {
			return n, err
		}
	}
	if in.Capacity < 0 || in.Capacity > MaxCapacity {
		return n, fielderr.New("capacity", "must be between 0 (unlimited) and %d", MaxCapacity)
	}
	if in.AnonymousParticipation && in.JoinMode != JoinFree && in.JoinMode != JoinRestricted {
		return n, fielderr.New("anonymous_participation", "needs the free or restricted join mode")
	}

	in.OnlineAddress = strings.TrimSpace(in.OnlineAddress)
	if in.OnlineAddress != "" {
		if err := checkURL("online_address", in.OnlineAddress, "http", "https"); err != nil {
			return n, err
		}
	}
	if err := s.validatePlace(in); err != nil {
		return n, err
	}

	in.Category = strings.ToUpper(strings.TrimSpace(in.Category))
	if in.Category != "" && !categoryPattern.MatchString(in.Category) {
		return n, fielderr.New("category", "must be letters, digits and underscores, such as MEETING")
	}
	tags, err := normalizeTags(in.Tags)
	if err != nil {
		return n, err
	}
	in.Tags = tags
	in.Language = strings.TrimSpace(in.Language)
	if in.Language != "" && !languagePattern.MatchString(in.Language) {
		return n, fielderr.New("language", "%q is not a language tag such as en or pt-BR", in.Language)
	}
	in.PictureURL = strings.TrimSpace(in.PictureURL)
	if in.PictureURL != "" {
		if err := checkURL("picture_url", in.PictureURL, "http", "https"); err != nil {
			return n, err
		}
	}
	if err := s.validateLinks(in); err != nil {
		return n, err
	}
	if len(in.Contacts) > MaxContacts {
		return n, fielderr.New("contacts", "has more than %d entries", MaxContacts)
	}
	for _, c := range in.Contacts {
		if strings.TrimSpace(c) == "" {
			return n, fielderr.New("contacts", "has an empty entry")
		}
	}
	if in.CommentModeration == "" {
		in.CommentModeration = CommentsAllowAll
	}
	if !oneOf(in.CommentModeration, CommentsAllowAll, CommentsModerated, CommentsClosed) {
		return n, fielderr.New("comment_moderation", "unknown setting %q", in.CommentModeration)
	}

	end, err := seriesEnd(in, loc)
	if err != nil {
		return n, err
	}
	n.seriesEnd = end
	return n, nil
}

func (s *Service) validatePlace(in *Input) error {
	if in.Place.IsZero() {
		in.Place = nil
		return nil
	}
	p := *in.Place
	for _, f := range []struct {
		name string
		v    *string
	}{
		{"place.name", &p.Name}, {"place.street", &p.Street}, {"place.locality", &p.Locality},
		{"place.region", &p.Region}, {"place.postal_code", &p.PostalCode}, {"place.country", &p.Country},
	} {
		*f.v = s.sanitize.Text(*f.v)
		if utf8.RuneCountInString(*f.v) > MaxPlaceFieldLength {
			return fielderr.New(f.name, "is longer than %d characters", MaxPlaceFieldLength)
		}
	}
	if err := p.Validate(); err != nil {
		return fielderr.New("place", "%v", err)
	}
	in.Place = &p
	return nil
}

func (s *Service) validateLinks(in *Input) error {
	if len(in.Links) > MaxLinks {
		return fielderr.New("links", "has more than %d entries", MaxLinks)
	}
	links := make([]Link, 0, len(in.Links))
	for _, l := range in.Links {
		if l.Kind == "" {
			l.Kind = LinkOther
		}
		if !oneOf(l.Kind, LinkPad, LinkCalc, LinkVisio, LinkLivestream, LinkTicket, LinkOther) {
			return fielderr.New("links", "unknown kind %q", l.Kind)
		}
		l.Title = s.sanitize.Text(l.Title)
		if utf8.RuneCountInString(l.Title) > MaxTitleLength {
			return fielderr.New("links", "a title is longer than %d characters", MaxTitleLength)
		}
		l.URL = strings.TrimSpace(l.URL)
		if err := checkURL("links", l.URL, "http", "https"); err != nil {
			return err
		}
		links = append(links, l)
	}
	in.Links = links
	return nil
}

// seriesEnd checks the recurrence and returns the end of the last
// occurrence (zero for a series without end).
func seriesEnd(in *Input, loc *time.Location) (time.Time, error) {
	end := in.EndsAt
	if end.IsZero() {
		end = in.BeginsAt
	}
	if in.Recurrence == "" {
		if len(in.ExDates) > 0 {
			return time.Time{}, fielderr.New("exdates", "are only for recurring events")
		}
		return end, nil
	}
	if len(in.ExDates) > MaxExDates {
		return time.Time{}, fielderr.New("exdates", "has more than %d entries", MaxExDates)
	}
	rule, err := recur.Parse(in.Recurrence)
	if err != nil {
		return time.Time{}, fielderr.New("recurrence", "%v", err)
	}
	in.Recurrence = rule.String()
	for i, d := range in.ExDates {
		in.ExDates[i] = d.UTC().Truncate(time.Microsecond)
	}
	last, ok := seriesOf(in.BeginsAt, end, loc, rule, in.ExDates).LastEnd()
	if !ok {
		return time.Time{}, nil
	}
	return last.UTC().Truncate(time.Microsecond), nil
}

func seriesOf(begins, ends time.Time, loc *time.Location, rule recur.Rule, ex []time.Time) recur.Series {
	return recur.Series{Start: begins.In(loc), Duration: ends.Sub(begins), Rule: rule, ExDates: ex}
}

// loadZone resolves an IANA zone name; "" is UTC.
func loadZone(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if len(name) > 64 || strings.ContainsAny(name, " \\") || strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return nil, fielderr.New("timezone", "%q is not an IANA time zone", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || strings.EqualFold(name, "Local") {
		return nil, fielderr.New("timezone", "%q is not an IANA time zone", name)
	}
	return loc, nil
}

// normalizeTags trims a leading '#', drops empty tags and keeps the
// first spelling of tags that are equal ignoring case.
func normalizeTags(tags []string) ([]string, error) {
	out := make([]string, 0, len(tags))
	seen := make(map[string]bool, len(tags))
	for _, t := range tags {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "#"))
		if t == "" {
			continue
		}
		if utf8.RuneCountInString(t) > MaxTagLength {
			return nil, fielderr.New("tags", "%q is longer than %d characters", t, MaxTagLength)
		}
		if strings.IndexFunc(t, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == ',' || r == '#' }) >= 0 {
			return nil, fielderr.New("tags", "%q has spaces, commas or '#'", t)
		}
		k := strings.ToLower(t)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, t)
	}
	if len(out) > MaxTags {
		return nil, fielderr.New("tags", "has more than %d tags", MaxTags)
	}
	return out, nil
}

func checkURL(field, raw string, schemes ...string) error {
	if len(raw) > MaxURLLength {
		return fielderr.New(field, "URL is longer than %d bytes", MaxURLLength)
	}
	u, err := url.Parse(raw)
	if err != nil || !oneOf(strings.ToLower(u.Scheme), schemes...) {
		return fielderr.New(field, "%q is not a %s URL", raw, strings.Join(schemes, " or "))
	}
	if u.Scheme != "mailto" && u.Host == "" {
		return fielderr.New(field, "%q has no host", raw)
	}
	if u.Scheme == "mailto" && u.Opaque == "" {
		return fielderr.New(field, "%q has no address", raw)
	}
	return nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

func oneOf[T comparable](v T, set ...T) bool {
	for _, x := range set {
		if v == x {
			return true
		}
	}
	return false
}
