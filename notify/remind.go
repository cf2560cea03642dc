package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/events/recur"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/storage"
)

// Reminder settings.
const (
	// DefaultReminderLead is how long before an occurrence begins its
	// participants are reminded.
	DefaultReminderLead = 24 * time.Hour
	// ReminderInterval is how often Run looks for reminders to send.
	ReminderInterval = time.Minute
	// MaxReminderEvents bounds the single events one Remind pass looks
	// at (series are bounded by events.MaxSeriesPerQuery).
	MaxReminderEvents = 1000
	// MaxRemembered bounds the occurrences remembered as reminded; the
	// earliest are forgotten first. Occurrences are also forgotten two
	// days after they began.
	MaxRemembered = 20000
	// StateFile is the file under Config.StateDir that remembers
	// reminded occurrences.
	StateFile = "reminders.json"
	// maxStateBytes bounds the state file read at start.
	maxStateBytes = 8 << 20
	forgetAfter   = 48 * time.Hour
)

// reminded remembers the occurrences whose participants were reminded,
// by "eventID@start" (start in RFC 3339, UTC), with their start.
type reminded struct {
	mu   sync.Mutex
	path string // "" keeps it in memory
	sent map[string]time.Time
}

type stateFile struct {
	Version  int                  `json:"version"`
	Reminded map[string]time.Time `json:"reminded"`
}

func loadReminded(dir string) (*reminded, error) {
	r := &reminded{sent: map[string]time.Time{}}
	if dir == "" {
		return r, nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("notify: state directory: %w", err)
	}
	r.path = filepath.Join(dir, StateFile)
	f, err := os.Open(r.path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	defer f.Close()
	var st stateFile
	dec := json.NewDecoder(&limitedReader{f, maxStateBytes})
	if err := dec.Decode(&st); err != nil {
		return nil, fmt.Errorf("notify: %s is damaged (delete it to start afresh): %w", r.path, err)
	}
	if st.Version != 1 {
		return nil, fmt.Errorf("notify: %s has unknown version %d", r.path, st.Version)
	}
	for k, v := range st.Reminded {
		r.sent[k] = v
	}
	return r, nil
}

// limitedReader fails, rather than stops, past its limit.
type limitedReader struct {
	f *os.File
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errors.New("file too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.f.Read(p)
	l.n -= int64(k)
	return k, err
}

func occurrenceKey(eventID string, start time.Time) string {
	return eventID + "@" + start.UTC().Format(time.RFC3339)
}

func (r *reminded) has(key string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.sent[key]
	return ok
}

func (r *reminded) add(key string, start time.Time) {
	r.mu.Lock()
	r.sent[key] = start.UTC()
	r.mu.Unlock()
}

// prune forgets occurrences that began long ago and the earliest ones
// beyond MaxRemembered.
func (r *reminded) prune(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for k, t := range r.sent {
		if t.Before(now.Add(-forgetAfter)) {
			delete(r.sent, k)
		}
	}
	if len(r.sent) <= MaxRemembered {
		return
	}
	keys := make([]string, 0, len(r.sent))
	for k := range r.sent {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return r.sent[a].Compare(r.sent[b]) })
	for _, k := range keys[:len(keys)-MaxRemembered] {
		delete(r.sent, k)
	}
}

// save writes the state file atomically (0600).
func (r *reminded) save() error {
	if r.path == "" {
		return nil
	}
	r.mu.Lock()
	b, err := json.Marshal(stateFile{Version: 1, Reminded: r.sent})
	r.mu.Unlock()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(r.path), ".reminders-*")
	if err != nil {
		return fmt.Errorf("notify: save reminders: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("notify: save reminders: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("notify: save reminders: %w", err)
	}
	if err := os.Rename(tmp.Name(), r.path); err != nil {
		return fmt.Errorf("notify: save reminders: %w", err)
	}
	return nil
}

// occurrence is one time an event happens.
type occurrence struct {
	event      *events.Event
	start, end time.Time
}

// reminderRoles are the participations that get reminders.
func reminderRoles() []events.ParticipantRole {
	return []events.ParticipantRole{events.RoleCreator, events.RoleModerator, events.RoleParticipant}
}

// Remind sends the reminders that are due: for every occurrence (of a
// single event or of a series; drafts and cancelled events excepted)
// that begins within ReminderLead from now, and whose participants were
// not reminded yet, one EventReminder to each participant, organizer and
// anonymous participant, with the event's .ics. Run calls it every
// ReminderInterval. An occurrence counts as reminded once at least one
// message went out (or there was nobody to remind); when every send
// failed, the next pass tries again. Several processes sharing one
// database must run reminders in one of them only (the others set a
// negative ReminderLead), or people get one reminder per process.
func (n *Notifier) Remind(ctx context.Context) error {
	if n.lead < 0 {
		return nil
	}
	n.remindMu.Lock()
	defer n.remindMu.Unlock()
	now := n.now().UTC()
	occs, err := n.upcoming(ctx, now, now.Add(n.lead))
	if err != nil {
		return err
	}
	changed := false
	var first error
	for _, o := range occs {
		key := occurrenceKey(o.event.ID, o.start)
		if n.state.has(key) {
			continue
		}
		att := []mail.Attachment{n.icsOf(ctx, o.event)}
		sent, err := n.eachRecipient(ctx, o.event, reminderRoles(), "", func(r recipient) error {
			d := data{Event: viewOf(o.event, o.start, o.end, resolveLocale(r.locale, n.locale), r.tz)}
			return n.send(ctx, r, EventReminder, d, att)
		})
		if err != nil {
			n.log.ErrorContext(ctx, "notify: reminder", slog.String("event", o.event.ID), slog.Any("error", err))
			first = cmpErr(first, err)
			if sent == 0 {
				continue // try again at the next pass
			}
		}
		n.state.add(key, o.start)
		changed = true
	}
	if changed {
		n.state.prune(now)
		if err := n.state.save(); err != nil {
			return err
		}
	}
	return first
}

// upcoming lists the occurrences that begin in [from, to) of events that
// are neither drafts nor cancelled.
func (n *Notifier) upcoming(ctx context.Context, from, to time.Time) ([]occurrence, error) {
	var out []occurrence
	q := events.StoreQuery{From: from, To: to, Limit: 100}
	for seen := 0; seen < MaxReminderEvents; {
		list, err := n.events.FindEvents(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("notify: upcoming events: %w", err)
		}
		for i := range list {
			e := &list[i]
			if e.Status != events.Cancelled && !e.Draft && !e.Recurring() {
				out = append(out, occurrence{event: e, start: e.BeginsAt, end: e.EndsAt})
			}
		}
		seen += len(list)
		if len(list) < q.Limit {
			break
		}
		last := list[len(list)-1]
		q.After = storage.Cursor{At: last.BeginsAt, ID: last.ID}
	}
	series, err := n.events.FindSeries(ctx, events.StoreQuery{From: from, To: to})
	if err != nil {
		return nil, fmt.Errorf("notify: upcoming series: %w", err)
	}
	for i := range series {
		e := &series[i]
		if e.Status == events.Cancelled || e.Draft {
			continue
		}
		out = append(out, seriesOccurrences(e, from, to)...)
	}
	return out, nil
}

// seriesOccurrences expands a recurring event's occurrences beginning in
// [from, to).
func seriesOccurrences(e *events.Event, from, to time.Time) []occurrence {
	rule, err := recur.Parse(e.Recurrence)
	if err != nil {
		return nil
	}
	loc, ok := loadZone(e.TimeZone)
	if !ok {
		loc = time.UTC
	}
	end := e.EndsAt
	if end.IsZero() {
		end = e.BeginsAt
	}
	s := recur.Series{Start: e.BeginsAt.In(loc), Duration: end.Sub(e.BeginsAt), Rule: rule, ExDates: e.ExDates}
	var out []occurrence
	for _, o := range s.Between(from, to, 100) {
		start := o.Start.UTC()
		if start.Before(from) || !start.Before(to) {
			continue
		}
		var oe time.Time
		if !e.EndsAt.IsZero() {
			oe = o.End.UTC()
		}
		out = append(out, occurrence{event: e, start: start, end: oe})
	}
	return out
}
