package ical

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

// Import limits.
const (
	// MaxImportBytes bounds an imported or fetched calendar.
	MaxImportBytes = 8 << 20
	// MaxImportComponents bounds the components of one calendar.
	MaxImportComponents = 5000
	// MaxUIDLength bounds a UID, in bytes.
	MaxUIDLength = 255
)

// ErrMalformed: the calendar as a whole cannot be read; nothing is
// imported.
var ErrMalformed = errors.New("ical: malformed calendar")

// Item is one VEVENT of an imported calendar, read into an events.Input.
type Item struct {
	Index int // position of the component in the calendar, from 0
	UID   string
	Input events.Input
	// Cancelled: STATUS:CANCELLED.
	Cancelled bool
	// Fingerprint identifies the content, so that a second import of an
	// unchanged event writes nothing.
	Fingerprint string
}

// Skip says why a component was not imported.
type Skip struct {
	Index  int    // position of the component in the calendar, from 0
	UID    string // "" when it has none
	Reason string
}

// Decoded is what Decode reads from a calendar.
type Decoded struct {
	Name    string // X-WR-CALNAME or NAME
	Items   []Item
	Skipped []Skip
}

// Decode reads an iCalendar file into event inputs, writing nothing. It
// fails with ErrMalformed when the file cannot be read at all; a
// component it cannot use is listed in Skipped with its reason. Each
// VEVENT keeps its zone (TZID, else X-WR-TIMEZONE for floating times),
// recurrence (RRULE, EXDATE), location, geo, URL (as a link), status,
// categories (the first known FEP-8a8e category, the rest as tags),
// online address (CONFERENCE, or a LOCATION that is a URL) and image;
// CLASS:PRIVATE and CONFIDENTIAL make it private.
func Decode(r io.Reader) (*Decoded, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("ical: read: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrMalformed, MaxImportBytes)
	}
	if !utf8.Valid(data) {
		data = bytes.ToValidUTF8(data, []byte("\uFFFD"))
	}
	head := data[:min(len(data), 1024)]
	if !bytes.Contains(bytes.ToUpper(head), []byte("BEGIN:VCALENDAR")) {
		return nil, fmt.Errorf("%w: no BEGIN:VCALENDAR", ErrMalformed)
	}
	cal, err := parse(data)
	if err != nil {
		return nil, err
	}
	out := &Decoded{}
	var defaultZone string
	for _, p := range cal.CalendarProperties {
		switch strings.ToUpper(p.IANAToken) {
		case "X-WR-CALNAME", "NAME":
			if out.Name == "" {
				out.Name = cleanLine(p.Value, 200)
			}
		case "X-WR-TIMEZONE":
			defaultZone = strings.TrimSpace(p.Value)
		}
	}
	if len(cal.Components) > MaxImportComponents {
		return nil, fmt.Errorf("%w: more than %d components", ErrMalformed, MaxImportComponents)
	}
	seen := map[string]bool{}
	for i, c := range cal.Components {
		ev, ok := c.(*ics.VEvent)
		if !ok {
			if _, tz := c.(*ics.VTimezone); !tz {
				out.Skipped = append(out.Skipped, Skip{Index: i, Reason: fmt.Sprintf("a %s is not an event: only VEVENT is imported", componentName(c))})
			}
			continue
		}
		item, reason := decodeEvent(ev, defaultZone)
		switch {
		case reason != "":
			out.Skipped = append(out.Skipped, Skip{Index: i, UID: item.UID, Reason: reason})
		case seen[item.UID]:
			out.Skipped = append(out.Skipped, Skip{Index: i, UID: item.UID, Reason: "another VEVENT has the same UID"})
		default:
			seen[item.UID] = true
			item.Index = i
			out.Items = append(out.Items, item)
		}
	}
	return out, nil
}

// parse runs golang-ical's parser, tolerant of unknown properties, and
// turns its panics (it is outside code reading outside input) into
// ErrMalformed.
func parse(data []byte) (cal *ics.Calendar, err error) {
	defer func() {
		if r := recover(); r != nil {
			cal, err = nil, fmt.Errorf("%w: %v", ErrMalformed, r)
		}
	}()
	cal, err = ics.ParseCalendarWithOptions(bytes.NewReader(data), ics.WithUnknownPropertyHandler(ics.AcceptUnknownPropertyHandler))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return cal, nil
}

func componentName(c ics.Component) string {
	switch c.(type) {
	case *ics.VTodo:
		return "VTODO"
	case *ics.VJournal:
		return "VJOURNAL"
	case *ics.VBusy:
		return "VFREEBUSY"
	}
	return "component"
}

// props indexes a component's properties by upper-case name.
type props map[string][]ics.IANAProperty

func (p props) first(name string) (ics.IANAProperty, bool) {
	if l := p[name]; len(l) > 0 {
		return l[0], true
	}
	return ics.IANAProperty{}, false
}

func (p props) value(name string) string {
	v, _ := p.first(name)
	return v.Value
}

func param(p ics.IANAProperty, name string) string {
	for k, v := range p.ICalParameters {
		if strings.EqualFold(k, name) && len(v) > 0 {
			return v[0]
		}
	}
	return ""
}

// decodeEvent reads one VEVENT; reason says why it is skipped.
func decodeEvent(ev *ics.VEvent, defaultZone string) (Item, string) {
	ps := props{}
	for _, p := range ev.Properties {
		name := strings.ToUpper(p.IANAToken)
		ps[name] = append(ps[name], p)
	}
	var it Item
	it.UID = strings.TrimSpace(ps.value("UID"))
	switch {
	case it.UID == "":
		return it, "no UID"
	case len(it.UID) > MaxUIDLength || strings.IndexFunc(it.UID, unicode.IsControl) >= 0:
		uid := it.UID
		it.UID = ""
		return it, fmt.Sprintf("the UID %.40q is longer than %d bytes or has control characters", uid, MaxUIDLength)
	}
	if _, ok := ps.first("RECURRENCE-ID"); ok {
		return it, "changes to one occurrence of a series (RECURRENCE-ID) are not imported"
	}
	in := &it.Input
	in.Title = cleanLine(ps.value("SUMMARY"), events.MaxTitleLength)
	if in.Title == "" {
		return it, "no SUMMARY (title)"
	}

	startProp, ok := ps.first("DTSTART")
	if !ok {
		return it, "no DTSTART"
	}
	start, loc, allDay, err := readTime(startProp, defaultZone)
	if err != nil {
		return it, "DTSTART: " + err.Error()
	}
	in.BeginsAt = start
	if loc != time.UTC {
		in.TimeZone = loc.String()
	}
	if endProp, ok := ps.first("DTEND"); ok {
		end, _, _, err := readTime(endProp, defaultZone)
		if err != nil {
			return it, "DTEND: " + err.Error()
		}
		in.EndsAt = end
	} else if d, ok := ps.first("DURATION"); ok {
		dur, err := parseDuration(d.Value)
		if err != nil {
			return it, "DURATION: " + err.Error()
		}
		in.EndsAt = start.Add(dur)
	} else if allDay {
		in.EndsAt = start.In(loc).AddDate(0, 0, 1).UTC()
	}
	if !in.EndsAt.IsZero() && in.EndsAt.Before(in.BeginsAt) {
		return it, "DTEND is before DTSTART"
	}
	if in.EndsAt.Equal(in.BeginsAt) {
		in.EndsAt = time.Time{}
	}

	if alt, ok := ps.first("X-ALT-DESC"); ok && strings.EqualFold(param(alt, "FMTTYPE"), "text/html") {
		in.Description = alt.Value // golang-ical unescaped it (an X- property is TEXT)
	} else if d := ps.value("DESCRIPTION"); d != "" {
		in.Description = textToHTML(d)
	}

	switch strings.ToUpper(strings.TrimSpace(ps.value("STATUS"))) {
	case "TENTATIVE":
		in.Status = events.Tentative
	case "CANCELLED":
		in.Status, it.Cancelled = events.Cancelled, true
	default:
		in.Status = events.Confirmed
	}
	switch strings.ToUpper(strings.TrimSpace(ps.value("CLASS"))) {
	case "PRIVATE", "CONFIDENTIAL":
		in.Visibility = events.Private
	}

	if l := cleanLine(ps.value("LOCATION"), events.MaxPlaceFieldLength); l != "" {
		if isWebURL(l) {
			in.OnlineAddress = l
		} else {
			in.Place = &geo.Place{Name: l}
		}
	}
	if g := ps.value("GEO"); g != "" {
		lat, lon, ok := parseGeo(g)
		if !ok {
			return it, fmt.Sprintf("GEO %.40q is not latitude;longitude", g)
		}
		if in.Place == nil {
			in.Place = &geo.Place{}
		}
		in.Place.Latitude, in.Place.Longitude = &lat, &lon
	}
	for _, c := range ps["CONFERENCE"] {
		if isWebURL(c.Value) && in.OnlineAddress == "" {
			in.OnlineAddress = strings.TrimSpace(c.Value)
		}
	}
	if u := strings.TrimSpace(ps.value("URL")); u != "" && isWebURL(u) && len(u) <= events.MaxURLLength {
		in.Links = []events.Link{{Kind: events.LinkOther, Title: "Source", URL: u}}
	}
	if img, ok := ps.first("IMAGE"); ok && isWebURL(img.Value) && len(img.Value) <= events.MaxURLLength {
		in.PictureURL = strings.TrimSpace(img.Value)
	}
	categories(ps["CATEGORIES"], in)

	if rr := ps["RRULE"]; len(rr) > 0 {
		if len(rr) > 1 {
			return it, "more than one RRULE"
		}
		in.Recurrence = strings.TrimSpace(rr[0].Value)
		for _, ex := range ps["EXDATE"] {
			times, err := readTimes(ex, defaultZone, loc)
			if err != nil {
				return it, "EXDATE: " + err.Error()
			}
			in.ExDates = append(in.ExDates, times...)
		}
	}
	if _, ok := ps.first("RDATE"); ok {
		return it, "extra dates (RDATE) are not supported"
	}
	it.Fingerprint = fingerprint(it)
	return it, ""
}

// categories takes the first CATEGORIES value that is an FEP-8a8e
// category as the category, the others as tags.
func categories(list []ics.IANAProperty, in *events.Input) {
	known := events.Categories()
	for _, p := range list {
		for _, v := range strings.Split(p.Value, ",") {
			v = cleanLine(v, events.MaxTagLength)
			if v == "" {
				continue
			}
			up := strings.ToUpper(strings.ReplaceAll(v, " ", "_"))
			if in.Category == "" && slices.Contains(known, up) {
				in.Category = up
				continue
			}
			if len(in.Tags) < events.MaxTags && !slices.ContainsFunc(in.Tags, func(t string) bool { return strings.EqualFold(t, v) }) {
				in.Tags = append(in.Tags, v)
			}
		}
	}
}

// readTime reads a DATE or DATE-TIME property: UTC ("Z"), with a TZID,
// or floating (in defaultZone, else UTC). A DATE is midnight in that zone.
func readTime(p ics.IANAProperty, defaultZone string) (time.Time, *time.Location, bool, error) {
	v := strings.TrimSpace(p.Value)
	loc, err := zoneOf(param(p, "TZID"), defaultZone, strings.HasSuffix(v, "Z"))
	if err != nil {
		return time.Time{}, nil, false, err
	}
	t, allDay, err := parseTimeIn(v, loc)
	return t, loc, allDay, err
}

// readTimes reads a list of DATE-TIMEs (EXDATE).
func readTimes(p ics.IANAProperty, defaultZone string, seriesLoc *time.Location) ([]time.Time, error) {
	var out []time.Time
	for _, v := range strings.Split(p.Value, ",") {
		v = strings.TrimSpace(v)
		loc, err := zoneOf(param(p, "TZID"), defaultZone, strings.HasSuffix(v, "Z"))
		if err != nil {
			return nil, err
		}
		if param(p, "TZID") == "" && !strings.HasSuffix(v, "Z") {
			loc = seriesLoc
		}
		t, _, err := parseTimeIn(v, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		if len(out) > events.MaxExDates {
			return nil, fmt.Errorf("more than %d dates", events.MaxExDates)
		}
	}
	return out, nil
}

// zoneOf resolves a TZID. Names Go's tz database does not know
// (Windows names such as "W. Europe Standard Time") are refused rather
// than guessed.
func zoneOf(tzid, defaultZone string, utc bool) (*time.Location, error) {
	if utc {
		return time.UTC, nil
	}
	name := strings.TrimSpace(tzid)
	if name == "" {
		name = defaultZone
	}
	name = strings.TrimPrefix(name, "/") // some writers prefix a '/'
	if name == "" || name == "UTC" || name == "Z" || name == "Etc/UTC" || name == "GMT" {
		return time.UTC, nil
	}
	if len(name) > 64 || strings.ContainsAny(name, " \\") || strings.Contains(name, "..") || name == "Local" {
		return nil, fmt.Errorf("unknown time zone %.64q", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %.64q", name)
	}
	return loc, nil
}

func parseTimeIn(v string, loc *time.Location) (time.Time, bool, error) {
	switch len(v) {
	case 8:
		t, err := time.ParseInLocation("20060102", v, loc)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%.40q is not a date", v)
		}
		return t.UTC(), true, nil
	case 15:
		t, err := time.ParseInLocation("20060102T150405", v, loc)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%.40q is not a date-time", v)
		}
		return t.UTC(), false, nil
	case 16:
		t, err := time.Parse("20060102T150405Z", v)
		if err != nil {
			return time.Time{}, false, fmt.Errorf("%.40q is not a date-time", v)
		}
		return t, false, nil
	}
	return time.Time{}, false, fmt.Errorf("%.40q is not a date or date-time", v)
}

// parseDuration reads a positive DURATION: PnW or PnDTnHnMnS.
func parseDuration(v string) (time.Duration, error) {
	s := strings.ToUpper(strings.TrimSpace(v))
	bad := fmt.Errorf("%.40q is not a duration", v)
	s = strings.TrimPrefix(s, "+")
	if !strings.HasPrefix(s, "P") || len(s) < 3 {
		return 0, bad
	}
	s = s[1:]
	var d time.Duration
	inTime := false
	num := 0
	digits := false
	for _, c := range s {
		switch {
		case c >= '0' && c <= '9':
			num = num*10 + int(c-'0')
			digits = true
			if num > 1_000_000 {
				return 0, bad
			}
			continue
		case c == 'T' && !inTime && !digits:
			inTime = true
			continue
		}
		if !digits {
			return 0, bad
		}
		n := time.Duration(num)
		switch {
		case c == 'W' && !inTime:
			d += n * 7 * 24 * time.Hour
		case c == 'D' && !inTime:
			d += n * 24 * time.Hour
		case c == 'H' && inTime:
			d += n * time.Hour
		case c == 'M' && inTime:
			d += n * time.Minute
		case c == 'S' && inTime:
			d += n * time.Second
		default:
			return 0, bad
		}
		num, digits = 0, false
	}
	if digits {
		return 0, bad
	}
	return d, nil
}

func parseGeo(v string) (float64, float64, bool) {
	a, b, ok := strings.Cut(v, ";")
	if !ok {
		a, b, ok = strings.Cut(v, ",")
	}
	if !ok {
		return 0, 0, false
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lon, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lat) || math.IsNaN(lon) || (geo.Point{Lat: lat, Lon: lon}).Validate() != nil {
		return 0, 0, false
	}
	return lat, lon, true
}

func isWebURL(s string) bool {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

// cleanLine makes one line of plain text: line breaks and controls
// become spaces, runs of space shrink, and it is cut at max characters.
func cleanLine(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		s = string([]rune(s)[:max])
		s = strings.TrimSpace(s)
	}
	return s
}

// textToHTML turns a plain-text description into HTML paragraphs with
// line breaks; the events service sanitizes it again.
func textToHTML(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
	var b strings.Builder
	for _, para := range strings.Split(strings.TrimSpace(s), "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// fingerprint hashes what an item would write.
func fingerprint(it Item) string {
	data, _ := json.Marshal(struct {
		UID string
		In  events.Input
	}{it.UID, it.Input})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}
