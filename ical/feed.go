package ical

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/storage"
)

// Feed window and limits. A feed shows the events that begin in
// [now - DefaultPastWindow, now + DefaultAheadWindow), and the series
// with an occurrence in that window, written once with their RRULE.
const (
	// DefaultPastWindow keeps recent events in feeds, so that a calendar
	// app still shows what happened last week.
	DefaultPastWindow = 30 * 24 * time.Hour
	// DefaultAheadWindow is how far ahead feeds look.
	DefaultAheadWindow = 366 * 24 * time.Hour
	// MaxFeedEvents bounds the single events of one feed; series are
	// bounded by events.MaxSeriesPerQuery.
	MaxFeedEvents = 2000
	// MaxParticipationScan bounds how many participations a private feed
	// reads per profile.
	MaxParticipationScan = 10_000
	// MaxFeedAttendees bounds the ATTENDEE lines of one event in the
	// owner's private feed.
	MaxFeedAttendees = 200
	// formatVersion changes the ETags of every feed when the encoder's
	// output changes.
	formatVersion = "convene-ical-1"
)

// EventSource is what the feeds read of events; events.Store satisfies
// it. Errors are storage sentinels (ErrNotFound for a missing event).
type EventSource interface {
	GetEvent(ctx context.Context, id string) (*events.Event, error)
	FindEvents(ctx context.Context, q events.StoreQuery) ([]events.Event, error)
	FindSeries(ctx context.Context, q events.StoreQuery) ([]events.Event, error)
	ListParticipations(ctx context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error)
	ListParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error)
}

// Directory is what the feeds read of identities; *identity.Service
// satisfies it. ResolveFeedToken answers unknown and revoked tokens with
// an error matching identity.ErrNotFound (the handler answers 404).
type Directory interface {
	ResolveFeedToken(ctx context.Context, token string) (*identity.FeedToken, error)
	ListProfiles(ctx context.Context, accountID string) ([]identity.Profile, error)
	GetActor(ctx context.Context, id string) (*identity.Actor, error)
	GetLocalActor(ctx context.Context, username string) (*identity.Actor, error)
}

// GroupDirectory is what the feeds read of groups; *groups.Service
// satisfies it.
type GroupDirectory interface {
	Get(ctx context.Context, groupID string) (*groups.Group, error)
}

// FeedConfig configures Feeds.
type FeedConfig struct {
	Events   EventSource    // required
	Identity Directory      // required
	Groups   GroupDirectory // required
	// BaseURL is the instance's public URL; required. It names the
	// instance calendar and the feeds' SOURCE.
	BaseURL string
	// InstanceName names the instance feed; "" means the host.
	InstanceName string
	// PastWindow and AheadWindow set the feed window; zero means
	// DefaultPastWindow and DefaultAheadWindow.
	PastWindow, AheadWindow time.Duration
	// RefreshInterval is what feeds tell clients; zero means
	// DefaultRefreshInterval.
	RefreshInterval time.Duration
	// ProdID is the feeds' PRODID; "" means DefaultProdID.
	ProdID string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Feeds serves the iCalendar feeds of DESIGN.md's URL scheme:
//
//	/events/{id}.ics           one public or unlisted event
//	/@{username}/feed.ics      a profile's or a public group's public events
//	/feed/instance.ics         the instance's public local events
//	/feed/private/{token}.ics  a private feed (profile or account token)
//
// Mount it on those paths (with http.StripPrefix under a prefix). It
// answers GET and HEAD with text/calendar, ETag and Last-Modified, and
// 304 to a matching If-None-Match or, without one, If-Modified-Since.
// Private, unlisted and draft events never appear in public feeds; an
// unknown or revoked token, like a missing actor, is a 404.
type Feeds struct {
	cfg  FeedConfig
	base string
	host string
	now  func() time.Time
}

// NewFeeds returns Feeds.
func NewFeeds(cfg FeedConfig) (*Feeds, error) {
	switch {
	case cfg.Events == nil:
		return nil, errors.New("ical: FeedConfig.Events is required")
	case cfg.Identity == nil:
		return nil, errors.New("ical: FeedConfig.Identity is required")
	case cfg.Groups == nil:
		return nil, errors.New("ical: FeedConfig.Groups is required")
	}
	base, host, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("ical: FeedConfig.%w", err)
	}
	if cfg.PastWindow <= 0 {
		cfg.PastWindow = DefaultPastWindow
	}
	if cfg.AheadWindow <= 0 {
		cfg.AheadWindow = DefaultAheadWindow
	}
	if cfg.InstanceName == "" {
		cfg.InstanceName = host
	}
	f := &Feeds{cfg: cfg, base: base, host: host, now: cfg.Now}
	if f.now == nil {
		f.now = time.Now
	}
	return f, nil
}

// IsFeedPath reports whether Feeds serves path, so that an embedder's
// /events/ handler can hand .ics requests over.
func IsFeedPath(path string) bool {
	_, _, ok := route(path)
	return ok
}

type feedKind int

const (
	kindEvent feedKind = iota
	kindActor
	kindInstance
	kindPrivate
)

// route parses a feed path.
func route(path string) (feedKind, string, bool) {
	switch {
	case path == "/feed/instance.ics":
		return kindInstance, "", true
	case strings.HasPrefix(path, "/feed/private/") && strings.HasSuffix(path, ".ics"):
		tok := strings.TrimSuffix(strings.TrimPrefix(path, "/feed/private/"), ".ics")
		return kindPrivate, tok, tok != "" && !strings.Contains(tok, "/")
	case strings.HasPrefix(path, "/events/") && strings.HasSuffix(path, ".ics"):
		id := strings.TrimSuffix(strings.TrimPrefix(path, "/events/"), ".ics")
		return kindEvent, id, id != "" && !strings.Contains(id, "/")
	case strings.HasPrefix(path, "/@") && strings.HasSuffix(path, "/feed.ics"):
		name := strings.TrimSuffix(strings.TrimPrefix(path, "/@"), "/feed.ics")
		return kindActor, name, name != "" && !strings.Contains(name, "/")
	}
	return 0, "", false
}

// feed is a calendar ready to be validated and written.
type feed struct {
	cal      Calendar
	filename string
	private  bool
}

// ServeHTTP serves a feed.
func (f *Feeds) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	kind, key, ok := route(r.URL.Path)
	if !ok {
		http.NotFound(w, r)
		return
	}
	fd, err := f.build(r.Context(), kind, key)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) || errors.Is(err, identity.ErrNotFound) || errors.Is(err, errHidden) {
			http.NotFound(w, r)
			return
		}
		http.Error(w, "the calendar cannot be built now", http.StatusInternalServerError)
		return
	}
	f.write(w, r, fd)
}

// errHidden: the thing exists but is not shown in this feed.
var errHidden = errors.New("ical: not shown")

// Build returns the calendar a feed path would serve, for embedders that
// write it elsewhere (a mail attachment, a file).
func (f *Feeds) Build(ctx context.Context, path string) (*Calendar, error) {
	kind, key, ok := route(path)
	if !ok {
		return nil, fmt.Errorf("ical: %q is not a feed path: %w", path, storage.ErrNotFound)
	}
	fd, err := f.build(ctx, kind, key)
	if err != nil {
		return nil, err
	}
	return &fd.cal, nil
}

func (f *Feeds) build(ctx context.Context, kind feedKind, key string) (*feed, error) {
	now := f.now().UTC()
	from, to := now.Add(-f.cfg.PastWindow), now.Add(f.cfg.AheadWindow)
	// The horizon moves by days, not per request, so ETags stay stable.
	horizon := to.Truncate(24 * time.Hour).Add(24 * time.Hour)
	fd := &feed{cal: Calendar{ProdID: f.cfg.ProdID, RefreshInterval: f.cfg.RefreshInterval, Horizon: horizon}}
	people := map[string]Person{}
	var list []events.Event
	var err error
	switch kind {
	case kindEvent:
		e, err := f.cfg.Events.GetEvent(ctx, key)
		if err != nil {
			return nil, err
		}
		if !publicOrUnlisted(e) {
			return nil, errHidden
		}
		list, err = f.dropPrivateGroups(ctx, []events.Event{*e})
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			return nil, errHidden
		}
		fd.cal.Name, fd.filename = e.Title, "event-"+e.ID
		fd.cal.Source = f.base + "/events/" + e.ID + ".ics"
	case kindActor:
		a, err := f.cfg.Identity.GetLocalActor(ctx, key)
		if err != nil {
			return nil, err
		}
		q := events.StoreQuery{}
		switch a.Type {
		case identity.TypePerson:
			q.OrganizerID = a.ID
		case identity.TypeGroup:
			g, err := f.cfg.Groups.Get(ctx, a.ID)
			if err != nil {
				return nil, err
			}
			if g.Visibility == groups.Private {
				return nil, errHidden
			}
			q.GroupID = a.ID
		default:
			return nil, errHidden
		}
		if list, err = f.public(ctx, q, from, to); err != nil {
			return nil, err
		}
		fd.cal.Name, fd.filename = cmpOr(a.DisplayName, a.Username), a.Username
		fd.cal.Source = f.base + "/@" + a.Username + "/feed.ics"
	case kindInstance:
		local := true
		if list, err = f.public(ctx, events.StoreQuery{Local: &local}, from, to); err != nil {
			return nil, err
		}
		fd.cal.Name, fd.filename = f.cfg.InstanceName, "instance"
		fd.cal.Source = f.base + "/feed/instance.ics"
	case kindPrivate:
		return f.private(ctx, fd, key, from, to, people)
	}
	for i := range list {
		en, err := f.entry(ctx, &list[i], people)
		if err != nil {
			return nil, err
		}
		fd.cal.Entries = append(fd.cal.Entries, en)
	}
	return fd, nil
}

// publicOrUnlisted: what an anonymous visitor may see by address.
func publicOrUnlisted(e *events.Event) bool {
	return !e.Draft && !e.Hidden && (e.Visibility == events.Public || e.Visibility == events.Unlisted)
}

// public returns the public, published events of q in the window. The
// visibility is checked again here, whatever the store did.
func (f *Feeds) public(ctx context.Context, q events.StoreQuery, from, to time.Time) ([]events.Event, error) {
	q.From, q.To, q.Visibilities, q.IncludeDrafts, q.Limit = from, to, []events.Visibility{events.Public}, false, MaxFeedEvents
	single, err := f.cfg.Events.FindEvents(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("ical: feed events: %w", err)
	}
	series, err := f.cfg.Events.FindSeries(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("ical: feed series: %w", err)
	}
	out := slices.DeleteFunc(append(single, series...), func(e events.Event) bool {
		return e.Draft || e.Visibility != events.Public
	})
	sortEvents(out)
	return f.dropPrivateGroups(ctx, out)
}

// dropPrivateGroups removes the events of private groups: what a group
// keeps to its members stays out of public feeds, whatever the event's
// own visibility says.
func (f *Feeds) dropPrivateGroups(ctx context.Context, list []events.Event) ([]events.Event, error) {
	private := map[string]bool{}
	out := list[:0]
	for _, e := range list {
		if e.GroupID != "" {
			hidden, ok := private[e.GroupID]
			if !ok {
				g, err := f.cfg.Groups.Get(ctx, e.GroupID)
				switch {
				case errors.Is(err, storage.ErrNotFound):
					hidden = false // a remote group: its event's visibility decides
				case err != nil:
					return nil, fmt.Errorf("ical: group %s: %w", e.GroupID, err)
				default:
					hidden = g.Visibility == groups.Private
				}
				private[e.GroupID] = hidden
			}
			if hidden {
				continue
			}
		}
		out = append(out, e)
	}
	return out, nil
}

func sortEvents(list []events.Event) {
	slices.SortFunc(list, func(a, b events.Event) int {
		return cmp.Or(a.BeginsAt.Compare(b.BeginsAt), strings.Compare(a.ID, b.ID))
	})
}

// inWindow reports whether an event has an occurrence in [from, to).
func inWindow(e *events.Event, from, to time.Time) bool {
	if !e.BeginsAt.Before(to) {
		return false
	}
	end := e.EndsAt
	if e.Recurring() {
		return e.SeriesEndsAt.IsZero() || e.SeriesEndsAt.After(from)
	}
	return !e.BeginsAt.Before(from) || end.After(from)
}

// entry makes the VEVENT entry of an event, with its organizer.
func (f *Feeds) entry(ctx context.Context, e *events.Event, people map[string]Person) (Entry, error) {
	en := Entry{Event: e}
	if e.OrganizerID != "" {
		p, err := f.person(ctx, e.OrganizerID, people)
		if err != nil {
			return en, err
		}
		en.Organizer = p
	}
	return en, nil
}

// person returns an actor as a calendar user, once per request.
func (f *Feeds) person(ctx context.Context, actorID string, people map[string]Person) (Person, error) {
	if p, ok := people[actorID]; ok {
		return p, nil
	}
	a, err := f.cfg.Identity.GetActor(ctx, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound) || errors.Is(err, identity.ErrNotFound):
		people[actorID] = Person{}
		return Person{}, nil
	case err != nil:
		return Person{}, fmt.Errorf("ical: actor %s: %w", actorID, err)
	}
	p := Person{URI: a.APID, Name: cmpOr(a.DisplayName, a.Username)}
	people[actorID] = p
	return p, nil
}

// feedRoles are the participations a private feed shows.
var feedRoles = []events.ParticipantRole{events.RoleCreator, events.RoleModerator, events.RoleParticipant}

// private builds a private feed: the participations (as creator,
// moderator or participant) of the token's profile, or of every profile
// of the token's account, in the window, drafts excluded. For the events
// a feed's profile organizes, the participants are listed as ATTENDEEs;
// for the others, only the feed's own profiles.
func (f *Feeds) private(ctx context.Context, fd *feed, token string, from, to time.Time, people map[string]Person) (*feed, error) {
	tok, err := f.cfg.Identity.ResolveFeedToken(ctx, token)
	if err != nil {
		return nil, err
	}
	var profiles []identity.Profile
	if tok.ProfileID != "" {
		a, err := f.cfg.Identity.GetActor(ctx, tok.ProfileID)
		if err != nil {
			return nil, err
		}
		profiles = []identity.Profile{{Actor: *a, AccountID: tok.AccountID}}
	} else if profiles, err = f.cfg.Identity.ListProfiles(ctx, tok.AccountID); err != nil {
		return nil, err
	}
	fd.private, fd.filename = true, "private"
	fd.cal.Name = "My events"
	if len(profiles) == 1 {
		fd.cal.Name = cmpOr(profiles[0].DisplayName, profiles[0].Username)
	}
	type mine struct {
		event    events.Event
		selves   []Attendee
		organize bool
	}
	byEvent := map[string]*mine{}
	for _, p := range profiles {
		var after storage.Cursor
		for scanned := 0; scanned < MaxParticipationScan; {
			parts, err := f.cfg.Events.ListParticipations(ctx, p.ID, feedRoles, after, events.MaxPageSize)
			if err != nil {
				return nil, fmt.Errorf("ical: participations: %w", err)
			}
			for _, pt := range parts {
				m := byEvent[pt.EventID]
				if m == nil {
					e, err := f.cfg.Events.GetEvent(ctx, pt.EventID)
					if errors.Is(err, storage.ErrNotFound) {
						continue
					}
					if err != nil {
						return nil, fmt.Errorf("ical: event %s: %w", pt.EventID, err)
					}
					if e.Draft || e.Hidden || !inWindow(e, from, to) {
						continue
					}
					m = &mine{event: *e}
					byEvent[pt.EventID] = m
				}
				m.organize = m.organize || pt.Role == events.RoleCreator || pt.Role == events.RoleModerator
				m.selves = append(m.selves, Attendee{Person: Person{URI: p.APID, Name: cmpOr(p.DisplayName, p.Username)}, Role: pt.Role})
			}
			scanned += len(parts)
			if len(parts) < events.MaxPageSize {
				break
			}
			last := parts[len(parts)-1]
			after = storage.Cursor{At: last.CreatedAt, ID: last.ID}
		}
	}
	list := make([]events.Event, 0, len(byEvent))
	for _, m := range byEvent {
		list = append(list, m.event)
	}
	sortEvents(list)
	if len(list) > MaxFeedEvents+events.MaxSeriesPerQuery {
		list = list[:MaxFeedEvents+events.MaxSeriesPerQuery]
	}
	for i := range list {
		e := &list[i]
		en, err := f.entry(ctx, e, people)
		if err != nil {
			return nil, err
		}
		m := byEvent[e.ID]
		en.Attendees = m.selves
		if m.organize {
			if en.Attendees, err = f.attendees(ctx, e.ID, people); err != nil {
				return nil, err
			}
		}
		fd.cal.Entries = append(fd.cal.Entries, en)
	}
	return fd, nil
}

// attendees lists an event's participants with an actor, for its
// organizer's private feed. Anonymous participants (email only) are left
// out: their address is never shown.
func (f *Feeds) attendees(ctx context.Context, eventID string, people map[string]Person) ([]Attendee, error) {
	roles := []events.ParticipantRole{events.RoleCreator, events.RoleModerator, events.RoleParticipant,
		events.RoleNotApproved, events.RoleWaitlisted}
	parts, err := f.cfg.Events.ListParticipants(ctx, eventID, roles, storage.Cursor{}, MaxFeedAttendees)
	if err != nil {
		return nil, fmt.Errorf("ical: participants: %w", err)
	}
	out := make([]Attendee, 0, len(parts))
	for _, p := range parts {
		if p.ActorID == "" {
			continue
		}
		who, err := f.person(ctx, p.ActorID, people)
		if err != nil {
			return nil, err
		}
		if who.URI != "" {
			out = append(out, Attendee{Person: who, Role: p.Role})
		}
	}
	return out, nil
}

// validators returns the ETag and Last-Modified of a feed without
// writing it: the output is a function of what is hashed here.
func validators(fd *feed) (etag string, modified time.Time) {
	h := sha256.New()
	var n [8]byte
	str := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	c := &fd.cal
	str(formatVersion)
	str(c.ProdID)
	str(c.Name)
	str(c.Description)
	str(c.Source)
	num(int64(c.RefreshInterval))
	num(c.Horizon.Unix())
	for _, en := range c.Entries {
		e := en.Event
		str(e.ID)
		num(e.UpdatedAt.UnixNano())
		num(int64(e.Sequence))
		str(en.Organizer.URI)
		str(en.Organizer.Name)
		num(int64(len(en.Attendees)))
		for _, a := range en.Attendees {
			str(a.URI)
			str(a.Name)
			str(string(a.Role))
		}
		if e.UpdatedAt.After(modified) {
			modified = e.UpdatedAt
		}
	}
	return `"` + base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18]) + `"`, modified.UTC().Truncate(time.Second)
}

// notModified applies RFC 9110 §13.1: If-None-Match when present, else
// If-Modified-Since.
func notModified(r *http.Request, etag string, modified time.Time) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		for _, t := range strings.Split(inm, ",") {
			t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
			if t == "*" || t == etag {
				return true
			}
		}
		return false
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" && !modified.IsZero() {
		if t, err := http.ParseTime(ims); err == nil && !modified.After(t) {
			return true
		}
	}
	return false
}

func (f *Feeds) write(w http.ResponseWriter, r *http.Request, fd *feed) {
	etag, modified := validators(fd)
	h := w.Header()
	h.Set("ETag", etag)
	if !modified.IsZero() {
		h.Set("Last-Modified", modified.Format(http.TimeFormat))
	}
	if fd.private {
		h.Set("Cache-Control", "private, no-cache")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	if notModified(r, etag, modified) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := Marshal(&fd.cal)
	h.Set("Content-Type", "text/calendar; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+safeFilename(fd.filename)+`.ics"`)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// safeFilename keeps [A-Za-z0-9._-] of a name, for Content-Disposition.
func safeFilename(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s) && len(b) < 64; i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' {
			b = append(b, c)
		}
	}
	if len(b) == 0 || b[0] == '.' {
		return "calendar"
	}
	return string(b)
}
