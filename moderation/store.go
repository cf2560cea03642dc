package moderation

import (
	"context"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// Store is the storage contract of this package, with the storage
// sentinels as errors (see identity.Store for the shared rules). It is
// ReportStore, which backends implement for this package, plus
// TargetStore, lookups that every complete backend already has.
type Store interface {
	storage.Transactor
	ReportStore
	TargetStore
}

// ReportStore keeps reports, their notes, the action log and the
// instance settings (the rules page). The rules of identity.Store apply:
// ErrNotFound for a missing row, ErrConflict for a taken key, times in
// UTC with microsecond precision, limit <= 0 means no limit.
type ReportStore interface {
	// CreateReport inserts r. ErrConflict when its ID or (non-empty)
	// APID is taken. Actor ids are not checked: a report outlives the
	// actors and content it names.
	CreateReport(ctx context.Context, r *Report) error
	// UpdateReport stores r's Status and UpdatedAt (by ID); the other
	// fields never change. ErrNotFound for an unknown report.
	UpdateReport(ctx context.Context, r *Report) error
	GetReport(ctx context.Context, id string) (*Report, error)
	// GetReportByAPID finds a remote report by its Flag's id.
	GetReportByAPID(ctx context.Context, apID string) (*Report, error)
	// ListReports returns the reports matching q, ordered by
	// (CreatedAt, ID), strictly after q.After, at most q.Limit.
	ListReports(ctx context.Context, q ReportQuery) ([]Report, error)

	// CreateNote inserts n. ErrNotFound when its report does not exist,
	// ErrConflict on a taken ID.
	CreateNote(ctx context.Context, n *Note) error
	// ListNotes returns a report's notes ordered by (CreatedAt, ID).
	ListNotes(ctx context.Context, reportID string) ([]Note, error)

	// CreateAction appends a to the log. ErrNotFound when a.ReportID is
	// set and the report does not exist, ErrConflict on a taken ID.
	CreateAction(ctx context.Context, a *Action) error
	// ListActions returns the log entries matching q, ordered by
	// (CreatedAt, ID), strictly after q.After, at most q.Limit.
	ListActions(ctx context.Context, q ActionQuery) ([]Action, error)

	// GetSetting returns an instance setting. ErrNotFound when unset.
	GetSetting(ctx context.Context, key string) (*Setting, error)
	// PutSetting inserts or replaces the setting s.Key.
	PutSetting(ctx context.Context, s *Setting) error
}

// ReportQuery filters ListReports. Zero fields do not filter.
type ReportQuery struct {
	Statuses      []Status // any of these
	ReporterID    string
	Target        Target // both Kind and ID, or neither
	TargetActorID string
	After         storage.Cursor
	Limit         int
}

// ActionQuery filters ListActions. Zero fields do not filter.
type ActionQuery struct {
	ReportID string
	After    storage.Cursor
	Limit    int
}

// Setting is an instance-wide setting, such as the rules page (key
// SettingRules).
type Setting struct {
	Key       string
	Value     string
	UpdatedAt time.Time
	UpdatedBy string // account id
}

// SettingRules is the key of the instance's rules page.
const SettingRules = "rules"

// TargetStore is what the service reads to resolve a report's target.
// Complete backends implement it already: the methods are those of
// identity.Store, events.Store and groups.Store.
type TargetStore interface {
	GetActor(ctx context.Context, id string) (*identity.Actor, error)
	GetActorByAPID(ctx context.Context, apID string) (*identity.Actor, error)
	GetProfile(ctx context.Context, id string) (*identity.Profile, error)
	GetEvent(ctx context.Context, id string) (*events.Event, error)
	GetEventByAPID(ctx context.Context, apID string) (*events.Event, error)
	GetComment(ctx context.Context, id string) (*events.Comment, error)
	GetCommentByAPID(ctx context.Context, apID string) (*events.Comment, error)
	GetDiscussion(ctx context.Context, id string) (*groups.Discussion, error)
	GetDiscussionByAPID(ctx context.Context, apID string) (*groups.Discussion, error)
	GetDiscussionComment(ctx context.Context, id string) (*groups.Comment, error)
	GetDiscussionCommentByAPID(ctx context.Context, apID string) (*groups.Comment, error)
}
