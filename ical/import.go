package ical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
)

// EventWriter is what the importer needs of events; *events.Service
// satisfies it. Imported events are created and changed through it like
// any local event, so they are validated, authorized and federated alike.
type EventWriter interface {
	Create(ctx context.Context, actorID string, in events.Input) (*events.Event, error)
	Update(ctx context.Context, actorID, eventID string, in events.Input) (*events.Event, error)
	Delete(ctx context.Context, actorID, eventID string) error
	Get(ctx context.Context, viewerID, eventID string) (*events.Event, error)
	// GetForModeration returns the event whatever its visibility or
	// Hidden flag: the importer tells an event the instance's moderators
	// hid (which Get says is not found) from one deleted since.
	GetForModeration(ctx context.Context, eventID string) (*events.Event, error)
}

// Imported remembers which event an imported UID became.
type Imported struct {
	Owner       string // the group id, or the profile id, the event belongs to
	UID         string
	Source      string // which calendar it came from (ImportOptions.Source)
	EventID     string
	Fingerprint string // of the last imported content
}

// UIDStore keeps the UID → event mapping that makes imports idempotent.
// The domain has no field for an event's outside UID yet (see the
// package documentation); until it does, this table is kept apart
// (storage/sqlite and storage/postgres implement UIDStore).
// Methods return storage.ErrNotFound for a missing row. The SQL
// backends delete a row with its event, so that an event deleted here is
// imported again as new, as it is when its row outlives it.
type UIDStore interface {
	// ImportedUIDs returns the owner's imported UIDs, by UID.
	ImportedUIDs(ctx context.Context, owner string) ([]Imported, error)
	// PutImported inserts or replaces the row of (m.Owner, m.UID). It
	// may return storage.ErrNotFound when the event or the owner does not
	// exist.
	PutImported(ctx context.Context, m Imported) error
	// DeleteImported removes the row of (owner, uid).
	DeleteImported(ctx context.Context, owner, uid string) error
}

// ImporterConfig configures an Importer.
type ImporterConfig struct {
	Events EventWriter // required
	UIDs   UIDStore    // required
}

// Importer imports calendars into the events of a profile or a group.
type Importer struct {
	events EventWriter
	uids   UIDStore
}

// NewImporter returns an Importer.
func NewImporter(cfg ImporterConfig) (*Importer, error) {
	if cfg.Events == nil {
		return nil, errors.New("ical: ImporterConfig.Events is required")
	}
	if cfg.UIDs == nil {
		return nil, errors.New("ical: ImporterConfig.UIDs is required")
	}
	return &Importer{events: cfg.Events, uids: cfg.UIDs}, nil
}

// Target is who receives imported events: the acting profile, and the
// group when the events are the group's.
type Target struct {
	ActorID string // required: the profile that imports
	GroupID string // "" for the profile's own events
}

func (t Target) owner() string {
	if t.GroupID != "" {
		return t.GroupID
	}
	return t.ActorID
}

// ImportOptions tunes an import; nil means the defaults.
type ImportOptions struct {
	// Source names the calendar ("" means "upload"): the UIDs that
	// disappeared are those this source gave before and not now.
	Source string
	// Visibility of the imported events; "" means public. CLASS:PRIVATE
	// and CLASS:CONFIDENTIAL make an event private in any case.
	Visibility events.Visibility
	// DeleteMissing deletes the events whose UID disappeared from the
	// source, instead of only reporting them.
	DeleteMissing bool
}

// Action is what an import did with a component.
type Action string

// Actions.
const (
	Created   Action = "created"
	Updated   Action = "updated"
	Unchanged Action = "unchanged"
	Cancelled Action = "cancelled"
	Skipped   Action = "skipped"
	Missing   Action = "missing" // the UID disappeared from the source
	Deleted   Action = "deleted" // ... and its event was deleted (DeleteMissing)
)

// Result is what happened to one UID.
type Result struct {
	Index   int // component position; -1 for Missing and Deleted
	UID     string
	EventID string
	Action  Action
	Reason  string // for Skipped
}

// Report lists what an import did, component by component.
type Report struct {
	Name    string // the calendar's name
	Results []Result
}

// Count returns how many results have action a.
func (r *Report) Count(a Action) int {
	n := 0
	for _, x := range r.Results {
		if x.Action == a {
			n++
		}
	}
	return n
}

// Import reads an .ics file and creates, updates or cancels the target's
// events, one per VEVENT, identified by UID: a second import of the same
// file changes nothing, a changed event is updated (its sequence grows),
// STATUS:CANCELLED cancels it. A file that cannot be read at all
// (ErrMalformed) writes nothing. A component that cannot be imported,
// whether the file or the events service refuses it, is skipped with its
// reason and writes nothing; the others are imported. A storage failure
// stops the import and is returned with the report so far: each event
// is written whole or not at all, and its UID is remembered after it, so
// running the import again finishes the work.
//
// An event deleted here since its import is created again; one the
// instance's moderators hid (events.Event.Hidden) is skipped instead,
// with its reason, so that neither a subscription's refresh nor another
// upload brings it back.
func (im *Importer) Import(ctx context.Context, t Target, r io.Reader, opts *ImportOptions) (*Report, error) {
	if t.ActorID == "" {
		return nil, fmt.Errorf("ical: import: %w", events.ErrForbidden)
	}
	dec, err := Decode(r)
	if err != nil {
		return nil, err
	}
	return im.Apply(ctx, t, dec, opts)
}

// Apply imports what Decode read (see Import).
func (im *Importer) Apply(ctx context.Context, t Target, dec *Decoded, opts *ImportOptions) (*Report, error) {
	var o ImportOptions
	if opts != nil {
		o = *opts
	}
	if o.Source == "" {
		o.Source = "upload"
	}
	owner := t.owner()
	known, err := im.uids.ImportedUIDs(ctx, owner)
	if err != nil {
		return nil, fmt.Errorf("ical: import: %w", err)
	}
	byUID := make(map[string]Imported, len(known))
	for _, k := range known {
		byUID[k.UID] = k
	}
	rep := &Report{Name: dec.Name}
	for _, s := range dec.Skipped {
		rep.Results = append(rep.Results, Result{Index: s.Index, UID: s.UID, Action: Skipped, Reason: s.Reason})
	}
	present := map[string]bool{}
	for _, it := range dec.Items {
		present[it.UID] = true
		res, err := im.one(ctx, t, owner, o, it, byUID)
		res.Index, res.UID = it.Index, it.UID
		if err != nil {
			return rep, fmt.Errorf("ical: import %q: %w", it.UID, err)
		}
		rep.Results = append(rep.Results, res)
	}
	var missing []Imported
	for _, k := range known {
		if k.Source == o.Source && !present[k.UID] {
			missing = append(missing, k)
		}
	}
	sort.Slice(missing, func(i, j int) bool { return missing[i].UID < missing[j].UID })
	for _, k := range missing {
		res := Result{Index: -1, UID: k.UID, EventID: k.EventID, Action: Missing}
		if o.DeleteMissing {
			err := im.events.Delete(ctx, t.ActorID, k.EventID)
			if err != nil && !errors.Is(err, storage.ErrNotFound) {
				return rep, fmt.Errorf("ical: delete missing %q: %w", k.UID, err)
			}
			if err := im.uids.DeleteImported(ctx, owner, k.UID); err != nil && !errors.Is(err, storage.ErrNotFound) {
				return rep, fmt.Errorf("ical: forget missing %q: %w", k.UID, err)
			}
			res.Action = Deleted
		}
		rep.Results = append(rep.Results, res)
	}
	sort.SliceStable(rep.Results, func(i, j int) bool {
		a, b := rep.Results[i].Index, rep.Results[j].Index
		return a >= 0 && (b < 0 || a < b)
	})
	return rep, nil
}

// Skip reasons of events that exist but that Get does not return.
const (
	reasonHidden    = "hidden by moderators: not imported again"
	reasonNotViewed = "the event it was imported as exists but this profile may no longer see it: not imported again"
)

// unseen looks at an imported event that Get said is not found: gone is
// true when it really is gone (import it again); otherwise res is the
// Skipped result to report.
func (im *Importer) unseen(ctx context.Context, eventID string) (res Result, gone bool, _ error) {
	e, err := im.events.GetForModeration(ctx, eventID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return Result{}, true, nil
	case err != nil:
		return Result{}, false, err
	case e.Hidden:
		return Result{Action: Skipped, Reason: reasonHidden}, false, nil
	}
	return Result{Action: Skipped, Reason: reasonNotViewed}, false, nil
}

// one imports one item. Validation and permission refusals become a
// Skipped result; other errors are returned.
func (im *Importer) one(ctx context.Context, t Target, owner string, o ImportOptions, it Item, byUID map[string]Imported) (Result, error) {
	in := it.Input
	if in.Visibility == "" {
		in.Visibility = o.Visibility
	}
	fp := it.Fingerprint + "/" + string(in.Visibility)
	skip := func(err error) (Result, error) {
		var ve *events.ValidationError
		if errors.As(err, &ve) || errors.Is(err, events.ErrForbidden) {
			return Result{Action: Skipped, Reason: err.Error()}, nil
		}
		return Result{}, err
	}
	if prev, ok := byUID[it.UID]; ok {
		cur, err := im.events.Get(ctx, t.ActorID, prev.EventID)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			// Deleted here since: import it again as new. But Get also
			// says not found for an event the moderators hid, or one the
			// importer may no longer see: those exist, and a new copy
			// would bring them back.
			if res, gone, err := im.unseen(ctx, prev.EventID); err != nil || !gone {
				return res, err
			}
		case err != nil:
			return Result{}, err
		case prev.Fingerprint == fp:
			return Result{EventID: cur.ID, Action: Unchanged}, nil
		default:
			if _, err := im.events.Update(ctx, t.ActorID, cur.ID, in); err != nil {
				return skip(err)
			}
			prev.Fingerprint, prev.Source = fp, o.Source
			if err := im.uids.PutImported(ctx, prev); err != nil {
				return Result{}, err
			}
			if it.Cancelled {
				return Result{EventID: cur.ID, Action: Cancelled}, nil
			}
			return Result{EventID: cur.ID, Action: Updated}, nil
		}
	}
	if it.Cancelled {
		return Result{Action: Skipped, Reason: "cancelled, and never imported before"}, nil
	}
	in.GroupID = t.GroupID
	e, err := im.events.Create(ctx, t.ActorID, in)
	if err != nil {
		return skip(err)
	}
	m := Imported{Owner: owner, UID: it.UID, Source: o.Source, EventID: e.ID, Fingerprint: fp}
	if err := im.uids.PutImported(ctx, m); err != nil {
		// Undo, so that the next run does not create it twice.
		if derr := im.events.Delete(ctx, t.ActorID, e.ID); derr != nil {
			return Result{}, errors.Join(err, fmt.Errorf("and the event %s could not be removed: %w", e.ID, derr))
		}
		return Result{}, err
	}
	return Result{EventID: e.ID, Action: Created}, nil
}
