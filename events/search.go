package events

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/convene/convene/events/recur"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// Search limits.
const (
	// DefaultSearchWindow is how far ahead a search looks when Query.To
	// is zero.
	DefaultSearchWindow = 365 * 24 * time.Hour
	// MaxSearchWindow bounds To - From.
	MaxSearchWindow = 5 * 366 * 24 * time.Hour
	// MaxQueryTextLength bounds Query.Text, in characters.
	MaxQueryTextLength = 200
	// maxScanRounds bounds how many store pages one radius search reads
	// to fill a page after the exact-distance filter.
	maxScanRounds = 20
)

// Query selects public upcoming events. Zero fields do not filter.
type Query struct {
	// From and To bound when occurrences begin: From <= begin < To.
	// From defaults to now, To to From + DefaultSearchWindow.
	From, To time.Time
	Text     string   // words found in the title or description
	Tags     []string // any of these tags
	Category string
	// OrganizerID and GroupID select one organizer's or group's events.
	OrganizerID string
	GroupID     string
	Online      *bool // true: online events; false: in-person ones
	Local       *bool // true: this instance's events; false: remote ones
	// Near and RadiusKM select events whose place lies within RadiusKM
	// of Near.
	Near     *geo.Point
	RadiusKM float64
	// After is the Next of the previous page; Limit the page size
	// (DefaultPageSize when 0, at most MaxPageSize).
	After string
	Limit int
}

// Occurrence is one time an event happens: the event itself for a single
// event, one instance of the series for a recurring one.
type Occurrence struct {
	Event      *Event
	Start, End time.Time
}

// Page is a page of search results, in order of beginning (then event
// id). Next is the cursor of the following page, "" at the end.
type Page struct {
	Occurrences []Occurrence
	Next        string
}

// Search finds public, published events with an occurrence beginning in
// the query's window. Recurring events are expanded into their
// occurrences; private, unlisted and draft events never appear. Pages
// are stable: an event added or removed between two calls moves no
// other result across the page boundary.
func (s *Service) Search(ctx context.Context, q Query) (Page, error) {
	sq, err := s.storeQuery(q)
	if err != nil {
		return Page{}, err
	}
	var near geo.Point
	if q.Near != nil {
		near = *q.Near
	}
	within := func(e *Event) bool {
		if q.Near == nil {
			return true
		}
		p, ok := e.Place.Point()
		return ok && geo.DistanceKM(near, p) <= q.RadiusKM
	}

	// Single events come from the store in order, already paged.
	var out []Occurrence
	scan := sq
	for round := 0; round < maxScanRounds && len(out) < sq.Limit; round++ {
		evs, err := s.store.FindEvents(ctx, scan)
		if err != nil {
			return Page{}, fmt.Errorf("events: search: %w", err)
		}
		for i := range evs {
			e := &evs[i]
			if within(e) && len(out) < sq.Limit {
				out = append(out, Occurrence{Event: e, Start: e.BeginsAt, End: endOf(e)})
			}
		}
		if len(evs) < scan.Limit {
			break
		}
		last := evs[len(evs)-1]
		scan.After = storage.Cursor{At: last.BeginsAt, ID: last.ID}
	}

	// Recurring series are expanded here and merged in.
	series, err := s.store.FindSeries(ctx, sq)
	if err != nil {
		return Page{}, fmt.Errorf("events: search: %w", err)
	}
	for i := range series {
		e := &series[i]
		if !within(e) {
			continue
		}
		for _, o := range s.occurrences(e, sq.From, sq.To, sq.Limit, sq.After) {
			out = append(out, o)
		}
	}
	slices.SortFunc(out, func(a, b Occurrence) int {
		return cmp.Or(a.Start.Compare(b.Start), strings.Compare(a.Event.ID, b.Event.ID))
	})
	page := Page{Occurrences: out}
	if len(out) >= sq.Limit {
		page.Occurrences = out[:sq.Limit]
		last := page.Occurrences[sq.Limit-1]
		page.Next = storage.Cursor{At: last.Start, ID: last.Event.ID}.String()
	}
	return page, nil
}

// occurrences expands a series' occurrences that begin in [from, to) and
// come after the cursor, at most limit.
func (s *Service) occurrences(e *Event, from, to time.Time, limit int, after storage.Cursor) []Occurrence {
	rule, err := recur.Parse(e.Recurrence)
	if err != nil {
		return nil // stored rules were validated; a remote one we cannot read shows nothing
	}
	loc, err := loadZone(e.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	var out []Occurrence
	for _, o := range seriesOf(e.BeginsAt, endOf(e), loc, rule, e.ExDates).Between(from, to, 0) {
		start := o.Start.UTC()
		if start.Before(from) || !start.Before(to) {
			continue
		}
		if !after.IsZero() && (start.Before(after.At) || (start.Equal(after.At) && e.ID <= after.ID)) {
			continue
		}
		out = append(out, Occurrence{Event: e, Start: start, End: o.End.UTC()})
		if len(out) == limit {
			break
		}
	}
	return out
}

// Occurrences expands an event into the occurrences that begin in
// [from, to): itself for a single event, its instances for a series.
func (s *Service) Occurrences(e *Event, from, to time.Time, limit int) []Occurrence {
	if limit <= 0 {
		limit = recur.MaxExpand
	}
	if !e.Recurring() {
		if e.BeginsAt.Before(from) || !e.BeginsAt.Before(to) {
			return nil
		}
		return []Occurrence{{Event: e, Start: e.BeginsAt, End: endOf(e)}}
	}
	return s.occurrences(e, from, to, limit, storage.Cursor{})
}

// endOf is an event's end, its beginning when it has no end time.
func endOf(e *Event) time.Time {
	if e.EndsAt.IsZero() {
		return e.BeginsAt
	}
	return e.EndsAt
}

// storeQuery validates q and turns it into the store's query.
func (s *Service) storeQuery(q Query) (StoreQuery, error) {
	sq := StoreQuery{
		From: q.From.UTC(), To: q.To.UTC(), Visibilities: []Visibility{Public},
		Category: strings.ToUpper(strings.TrimSpace(q.Category)), OrganizerID: q.OrganizerID, GroupID: q.GroupID,
		Online: q.Online, Local: q.Local, Limit: pageSize(q.Limit),
	}
	if q.From.IsZero() {
		sq.From = s.clock()
	}
	if q.To.IsZero() {
		sq.To = sq.From.Add(DefaultSearchWindow)
	}
	switch {
	case !sq.To.After(sq.From):
		return sq, fielderr.New("to", "must be after from")
	case sq.To.Sub(sq.From) > MaxSearchWindow:
		return sq, fielderr.New("to", "the window is longer than %v", MaxSearchWindow)
	}
	sq.Text = strings.TrimSpace(q.Text)
	if utf8.RuneCountInString(sq.Text) > MaxQueryTextLength {
		return sq, fielderr.New("text", "is longer than %d characters", MaxQueryTextLength)
	}
	tags, err := normalizeTags(q.Tags)
	if err != nil {
		return sq, err
	}
	sq.Tags = tags
	if q.Near != nil {
		if err := q.Near.Validate(); err != nil {
			return sq, fielderr.New("near", "%v", err)
		}
		if !(q.RadiusKM > 0 && q.RadiusKM <= geo.MaxRadiusKM) {
			return sq, fielderr.New("radius", "must be more than 0 and at most %.0f km", geo.MaxRadiusKM)
		}
		box := geo.BoundingBox(*q.Near, q.RadiusKM)
		sq.Box = &box
	}
	cur, err := storage.ParseCursor(q.After)
	if err != nil {
		return sq, fielderr.New("after", "%v", err)
	}
	sq.After = cur
	return sq, nil
}
