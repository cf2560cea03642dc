package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

// searchSep separates title and description in search_text; a search
// text containing it matches nothing.
const searchSep = "\x1f"

// searchText is what the text filter of FindEvents matches against.
func searchText(e *events.Event) string {
	return strings.ToLower(e.Title) + searchSep + strings.ToLower(e.Description)
}

const eventCols = `e.id, e.ap_id, e.url, e.local, e.organizer_id, e.group_id, e.creator_id, e.contacts,
	e.title, e.description, e.begins_at, e.ends_at, e.time_zone, e.status, e.visibility, e.join_mode,
	e.external_url, e.capacity, e.anonymous_participation, e.online_address,
	e.place_present, e.place_name, e.place_street, e.place_locality, e.place_region, e.place_postal_code,
	e.place_country, e.latitude, e.longitude,
	e.category, e.tags, e.language, e.picture_url, e.links, e.draft, e.comment_moderation,
	e.recurrence, e.exdates, e.series_ends_at, e.sequence, e.published_at, e.created_at, e.updated_at,
	e.hidden`

// eventColumns are the columns written by insert and update, in the order
// of eventArgs. The hidden column is not one of them: CreateEvent writes
// it too, UpdateEvent keeps it, and only SetEventHidden changes it.
const eventColumns = `ap_id, url, local, organizer_id, group_id, creator_id, contacts,
	title, description, search_text, begins_at, ends_at, time_zone, status, visibility, join_mode,
	external_url, capacity, anonymous_participation, online_address,
	place_present, place_name, place_street, place_locality, place_region, place_postal_code,
	place_country, latitude, longitude, geo_cell,
	category, tags, language, picture_url, links, draft, comment_moderation,
	recurrence, exdates, series_ends_at, sequence, published_at, created_at, updated_at`

const eventColumnCount = 44

// GeoCellsPerDegree sets the latitude bands of the geo_cell column:
// 10 per degree, about 11 km each. A radius query over public, published
// events reads each band its box covers in start order on the index
// events_upcoming_cell (geo_cell, begins_at, id, longitude, latitude),
// checking the box on the index entries, and stops at the page size:
// in a city with thousands of events it reads about a page per band, and
// in an empty box only that band's index entries. A (latitude,
// longitude) index instead reads every event of the box (or of the
// latitude band around the world) and sorts them.
const GeoCellsPerDegree = 10

// MaxGeoCells is the most bands a query reads one by one; a taller box
// uses the latitude range on events_upcoming_geo instead.
const MaxGeoCells = 16

// geoCell is the band of a latitude.
func geoCell(lat float64) int { return int(math.Floor((lat + 90) * GeoCellsPerDegree)) }

func geoCellArg(p *geo.Place) any {
	if p == nil || p.Latitude == nil {
		return nil
	}
	return geoCell(*p.Latitude)
}

func (s *store) eventArgs(e *events.Event) ([]any, error) {
	contacts, err := jsonText(e.Contacts)
	if err != nil {
		return nil, fmt.Errorf("contacts: %w", err)
	}
	tags, err := jsonText(e.Tags)
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	links, err := jsonText(e.Links)
	if err != nil {
		return nil, fmt.Errorf("links: %w", err)
	}
	exdates := make([]time.Time, len(e.ExDates))
	for i, t := range e.ExDates {
		exdates[i] = t.UTC()
	}
	ex, err := jsonText(exdates)
	if err != nil {
		return nil, fmt.Errorf("exdates: %w", err)
	}
	args := []any{nullStr(e.APID), e.URL, e.Local, e.OrganizerID, e.GroupID, e.CreatorID, contacts,
		e.Title, e.Description, searchText(e), s.d.Time(e.BeginsAt), s.d.nullTime(e.EndsAt), e.TimeZone,
		string(e.Status), string(e.Visibility), string(e.JoinMode),
		e.ExternalURL, e.Capacity, e.AnonymousParticipation, e.OnlineAddress}
	args = append(args, placeArgs(e.Place)...)
	args = append(args, geoCellArg(e.Place), e.Category, tags, e.Language, e.PictureURL, links, e.Draft, string(e.CommentModeration),
		e.Recurrence, ex, s.d.nullTime(e.SeriesEndsAt), e.Sequence, s.d.nullTime(e.PublishedAt),
		s.d.Time(e.CreatedAt), s.d.Time(e.UpdatedAt))
	return args, nil
}

func scanEvent(sc func(dest ...any) error) (events.Event, error) {
	var e events.Event
	var contacts, tags, links, exdates string
	pd := placeDest{dst: &e.Place}
	dest := []any{&e.ID, strCol{&e.APID}, &e.URL, &e.Local, &e.OrganizerID, &e.GroupID, &e.CreatorID, &contacts,
		&e.Title, &e.Description, timeCol{&e.BeginsAt}, timeCol{&e.EndsAt}, &e.TimeZone, &e.Status, &e.Visibility,
		&e.JoinMode, &e.ExternalURL, &e.Capacity, &e.AnonymousParticipation, &e.OnlineAddress}
	dest = append(dest, pd.dest()...)
	dest = append(dest, &e.Category, &tags, &e.Language, &e.PictureURL, &links, &e.Draft, &e.CommentModeration,
		&e.Recurrence, &exdates, timeCol{&e.SeriesEndsAt}, &e.Sequence, timeCol{&e.PublishedAt},
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt}, &e.Hidden)
	if err := sc(dest...); err != nil {
		return events.Event{}, err
	}
	pd.finish()
	var err error
	if e.Contacts, err = fromJSON[string](contacts); err != nil {
		return events.Event{}, fmt.Errorf("event %s contacts: %w", e.ID, err)
	}
	if e.Tags, err = fromJSON[string](tags); err != nil {
		return events.Event{}, fmt.Errorf("event %s tags: %w", e.ID, err)
	}
	if e.Links, err = fromJSON[events.Link](links); err != nil {
		return events.Event{}, fmt.Errorf("event %s links: %w", e.ID, err)
	}
	if e.ExDates, err = fromJSON[time.Time](exdates); err != nil {
		return events.Event{}, fmt.Errorf("event %s exdates: %w", e.ID, err)
	}
	for i, t := range e.ExDates {
		e.ExDates[i] = t.UTC()
	}
	return e, nil
}

func scanEventPtr(sc func(dest ...any) error) (*events.Event, error) {
	e, err := scanEvent(sc)
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// putTags replaces the event's rows in event_tags.
func (s *store) putTags(ctx context.Context, op string, e *events.Event, replace bool) error {
	if replace {
		if _, err := s.exec(ctx, op, `DELETE FROM event_tags WHERE event_id = ?`, e.ID); err != nil {
			return err
		}
	}
	seen := make(map[string]bool, len(e.Tags))
	for _, t := range e.Tags {
		t = strings.ToLower(t)
		if seen[t] {
			continue
		}
		seen[t] = true
		if _, err := s.exec(ctx, op, `INSERT INTO event_tags (event_id, tag_lower) VALUES (?, ?)`, e.ID, t); err != nil {
			return err
		}
	}
	return nil
}

// CreateEvent inserts e with its tags, and its Hidden flag. ErrConflict
// when its ID or APID is taken.
func (s *store) CreateEvent(ctx context.Context, e *events.Event) error {
	if e.ID == "" {
		return errors.New("sqlstore: create event: empty ID")
	}
	args, err := s.eventArgs(e)
	if err != nil {
		return fmt.Errorf("sqlstore: create event: %w", err)
	}
	return s.atomic(ctx, func(s *store) error {
		if _, err := s.exec(ctx, "create event",
			`INSERT INTO events (id, hidden, `+eventColumns+`) VALUES (?, ?`+strings.Repeat(", ?", eventColumnCount)+`)`,
			append([]any{e.ID, e.Hidden}, args...)...); err != nil {
			return err
		}
		return s.putTags(ctx, "create event", e, false)
	})
}

// UpdateEvent replaces the stored event and its tags by ID; the hidden
// column keeps its value.
func (s *store) UpdateEvent(ctx context.Context, e *events.Event) error {
	args, err := s.eventArgs(e)
	if err != nil {
		return fmt.Errorf("sqlstore: update event: %w", err)
	}
	set := strings.ReplaceAll(strings.Join(strings.Fields(eventColumns), " "), ",", " = ?,") + " = ?"
	return s.atomic(ctx, func(s *store) error {
		if err := s.execOne(ctx, "update event", `UPDATE events SET `+set+` WHERE id = ?`,
			append(args, e.ID)...); err != nil {
			return err
		}
		return s.putTags(ctx, "update event", e, true)
	})
}

// SetEventHidden sets the hidden column of an event, and nothing else.
func (s *store) SetEventHidden(ctx context.Context, id string, hidden bool) error {
	return s.execOne(ctx, "set event hidden", `UPDATE events SET hidden = ? WHERE id = ?`, hidden, id)
}

// GetEvent returns an event by ID, hidden or not.
func (s *store) GetEvent(ctx context.Context, id string) (*events.Event, error) {
	e, err := scanEventPtr(s.queryRow(ctx, `SELECT `+eventCols+` FROM events e WHERE e.id = ?`, id).Scan)
	return e, s.wrap("get event", err)
}

// GetEventByAPID returns an event by its ActivityPub id.
func (s *store) GetEventByAPID(ctx context.Context, apID string) (*events.Event, error) {
	if apID == "" {
		return nil, s.notFound("get event by ap id")
	}
	e, err := scanEventPtr(s.queryRow(ctx, `SELECT `+eventCols+` FROM events e WHERE e.ap_id = ?`, apID).Scan)
	return e, s.wrap("get event by ap id", err)
}

// LockEvent returns the event, locking it until the transaction ends.
func (s *store) LockEvent(ctx context.Context, id string) (*events.Event, error) {
	e, err := scanEventPtr(s.queryRow(ctx, `SELECT `+eventCols+` FROM events e WHERE e.id = ?`+s.lockClause(), id).Scan)
	return e, s.wrap("lock event", err)
}

// DeleteEvent removes the event with its tags, participations and
// comments.
func (s *store) DeleteEvent(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete event", `DELETE FROM events WHERE id = ?`, id)
}

// FindEvents returns single events matching q that begin in [From, To),
// ordered by (BeginsAt, ID), after q.After, at most q.Limit
// (events.DefaultPageSize when not set); hidden events never.
func (s *store) FindEvents(ctx context.Context, q events.StoreQuery) ([]events.Event, error) {
	return s.find(ctx, "find events", q, false)
}

// FindSeries returns the recurring events matching q that may have an
// occurrence beginning in [From, To), at most events.MaxSeriesPerQuery,
// ordered by (BeginsAt, ID); hidden events never.
func (s *store) FindSeries(ctx context.Context, q events.StoreQuery) ([]events.Event, error) {
	return s.find(ctx, "find series", q, true)
}

// knownVisibility reports a visibility that may be written into SQL as a
// literal: partial indexes match literals, not parameters.
func knownVisibility(v events.Visibility) bool {
	switch v {
	case events.Public, events.Unlisted, events.Private:
		return true
	}
	return false
}

// likePattern is a LIKE pattern (with ESCAPE '\') matching text as a
// substring.
func likePattern(text string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(text) + "%"
}

// FindSQL returns the query and arguments of FindEvents (series false)
// or FindSeries (series true) for q; ok is false when q matches nothing
// without a query. The terms about recurrence, visibility and drafts are
// literals so that the partial indexes of the schema (events_upcoming,
// events_upcoming_geo) match them. Hidden events are left out by a
// residual term on the rows the index finds (no index has the column:
// hidden events are rare, and the rows are read for the result anyway).
// Plan tests (EXPLAIN QUERY PLAN) use it.
func FindSQL(d *Dialect, q events.StoreQuery, series bool) (query string, args []any, ok bool) {
	var p page
	if series {
		p.add("e.recurrence <> ''")
		if !q.To.IsZero() {
			p.add("e.begins_at < ?", d.Time(q.To))
		}
		if !q.From.IsZero() {
			p.add("(e.series_ends_at IS NULL OR e.series_ends_at > ?)", d.Time(q.From))
		}
	} else {
		p.add("e.recurrence = ''")
		if !q.From.IsZero() {
			p.add("e.begins_at >= ?", d.Time(q.From))
		}
		if !q.To.IsZero() {
			p.add("e.begins_at < ?", d.Time(q.To))
		}
		if !q.After.IsZero() {
			p.add("(e.begins_at, e.id) > (?, ?)", d.Time(q.After.At), q.After.ID)
		}
	}
	if len(q.Visibilities) > 0 {
		terms := make([]string, len(q.Visibilities))
		for i, v := range q.Visibilities {
			if knownVisibility(v) {
				terms[i] = "e.visibility = '" + string(v) + "'"
			} else {
				terms[i] = "e.visibility = ?"
				p.args = append(p.args, string(v))
			}
		}
		cond := strings.Join(terms, " OR ")
		if len(terms) > 1 {
			cond = "(" + cond + ")"
		}
		p.where = append(p.where, cond)
	}
	if !q.IncludeDrafts {
		p.add("NOT e.draft")
	}
	p.add("NOT e.hidden")
	if q.Text != "" {
		if strings.Contains(q.Text, searchSep) {
			return "", nil, false
		}
		p.add(`e.search_text LIKE ? ESCAPE '\'`, likePattern(strings.ToLower(q.Text)))
	}
	if len(q.Tags) > 0 {
		lower := make([]string, len(q.Tags))
		for i, t := range q.Tags {
			lower[i] = strings.ToLower(t)
		}
		list, args := in(lower)
		p.add("EXISTS (SELECT 1 FROM event_tags t WHERE t.event_id = e.id AND t.tag_lower IN "+list+")", args...)
	}
	if q.Category != "" {
		p.add("lower(e.category) = lower(?)", q.Category)
	}
	if q.OrganizerID != "" {
		p.add("e.organizer_id = ?", q.OrganizerID)
	}
	if q.GroupID != "" {
		p.add("e.group_id = ?", q.GroupID)
	}
	if q.Online != nil {
		if *q.Online {
			p.add("e.online_address <> ''")
		} else {
			p.add("e.online_address = ''")
		}
	}
	if q.Local != nil {
		if *q.Local {
			p.add("e.local")
		} else {
			p.add("NOT e.local")
		}
	}
	var cells []int
	if b := q.Box; b != nil {
		if lo, hi := geoCell(b.MinLat), geoCell(b.MaxLat); hi-lo < MaxGeoCells {
			for c := lo; c <= hi; c++ {
				cells = append(cells, c)
			}
		}
		p.add("e.latitude >= ? AND e.latitude <= ?", b.MinLat, b.MaxLat)
		if b.Wraps() {
			p.add("(e.longitude >= ? OR e.longitude <= ?)", b.MinLon, b.MaxLon)
		} else {
			p.add("e.longitude >= ? AND e.longitude <= ?", b.MinLon, b.MaxLon)
		}
	}
	limit := q.Limit
	if series {
		limit = events.MaxSeriesPerQuery
	} else if limit <= 0 {
		limit = events.DefaultPageSize
	}
	publicBox := !series && q.Box != nil && !q.IncludeDrafts &&
		len(q.Visibilities) == 1 && q.Visibilities[0] == events.Public
	where := strings.Join(p.where, " AND ")
	if publicBox && len(cells) > 0 {
		// One start-ordered read per band, merged.
		parts := make([]string, len(cells))
		for i, c := range cells {
			parts[i] = fmt.Sprintf(`SELECT * FROM (SELECT %s FROM events e %s WHERE e.geo_cell = ? AND %s ORDER BY e.begins_at, e.id LIMIT ?) AS band%d`,
				eventCols, d.GeoCellIndexHint, where, i)
			args = append(args, c)
			args = append(args, p.args...)
			args = append(args, limit)
		}
		query = strings.Join(parts, " UNION ALL ") + ` ORDER BY begins_at, id LIMIT ?`
		return d.rebind(query), append(args, limit), true
	}
	from := "events e"
	if publicBox && d.GeoIndexHint != "" {
		from += " " + d.GeoIndexHint
	}
	query = `SELECT ` + eventCols + ` FROM ` + from + ` WHERE ` + where + ` ORDER BY e.begins_at, e.id LIMIT ?`
	return d.rebind(query), append(p.args, limit), true
}

func (s *store) find(ctx context.Context, op string, q events.StoreQuery, series bool) ([]events.Event, error) {
	query, args, ok := FindSQL(s.d, q, series)
	if !ok {
		return nil, nil
	}
	rows, err := s.r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := collect(rows, scanEvent)
	return out, s.wrap(op, err)
}
