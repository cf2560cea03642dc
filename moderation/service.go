package moderation

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// Limits.
const (
	// MaxCommentLength bounds a report's comment, in bytes. A Flag's
	// longer content is cut to it rather than refused.
	MaxCommentLength = 2000
	// MaxNoteLength bounds a moderator's note, in bytes.
	MaxNoteLength = 5000
	// MaxReasonLength bounds the comment of a logged action, in bytes.
	MaxReasonLength = 1000
	// MaxRulesLength bounds the instance's rules text, in bytes.
	MaxRulesLength = 20000
	// MaxIDLength bounds a storage id given as input, in bytes.
	MaxIDLength = 100
	// MaxIRILength bounds an ActivityPub id of a Flag, in bytes.
	MaxIRILength = 2048
	// MaxFlagObjects is the most objects of a Flag that are looked at;
	// the rest are ignored.
	MaxFlagObjects = 20
	// MaxNotesPerReport is the most notes one report takes.
	MaxNotesPerReport = 200
	// DefaultPageSize and MaxPageSize bound the report and log pages.
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ValidationError names the input field that was refused and why. Every
// validation failure of this package is one (test with errors.As), and
// matches ErrInvalid (test with errors.Is).
type ValidationError = fielderr.Error

// Errors of this package. Test them with errors.Is.
var (
	// ErrInvalid is matched by every *ValidationError.
	ErrInvalid = fielderr.ErrInvalid
	// ErrNotFound is storage.ErrNotFound: no such report, or the
	// reported target does not exist.
	ErrNotFound = storage.ErrNotFound
	// ErrForbidden: the account may not do this (not an admin or a
	// moderator, suspended, not the profile's owner, or acting on
	// itself or on a fellow moderator's account).
	ErrForbidden = errors.New("moderation: forbidden")
	// ErrAlreadyReported: the profile has an open report about this
	// target already, or the Flag was received before.
	ErrAlreadyReported = errors.New("moderation: already reported")
	// ErrStatus: the report's status does not allow this change
	// (resolving a resolved report, reopening an open one).
	ErrStatus = errors.New("moderation: the report's status does not allow this")
	// ErrTooManyNotes: the report has MaxNotesPerReport notes.
	ErrTooManyNotes = errors.New("moderation: the report has too many notes")
	// ErrUnsupported: the action needs a Config field that is nil
	// (Suspender or ContentHider).
	ErrUnsupported = errors.New("moderation: action not supported by this instance")
)

// Identity is what the service needs of the identity service:
// identity.Service implements it.
type Identity interface {
	// GetAccount returns an account (its Role and Suspended decide who
	// moderates), or an error matching identity.ErrNotFound.
	GetAccount(ctx context.Context, accountID string) (*identity.Account, error)
	// ProfileOf returns profileID for acting as it on behalf of
	// accountID (see identity.Service.ProfileOf).
	ProfileOf(ctx context.Context, accountID, profileID string) (*identity.Profile, error)
	// Suspend suspends an account or lifts the suspension
	// (ActionSuspendAccount, ActionUnsuspendAccount).
	Suspend(ctx context.Context, accountID string, suspended bool) (*identity.Account, error)
}

// Suspender suspends actors on this instance (ActionSuspend,
// ActionUnsuspend). It is called outside the moderation transaction,
// before the action is logged, and must be idempotent: suspending a
// suspended actor succeeds and changes nothing.
type Suspender interface {
	// SuspendActor suspends (true) or restores (false) the actor or
	// group actorID, local or remote. A suspended local actor cannot
	// act and its content is hidden; a suspended remote actor's
	// activities are refused and what it sent is hidden. An unknown
	// actor is an error matching storage.ErrNotFound.
	SuspendActor(ctx context.Context, actorID string, suspended bool) error
}

// ContentHider hides events, comments and discussion messages from
// everyone but moderators (ActionHide, ActionUnhide), with the
// Suspender's rules: outside the moderation transaction, idempotent,
// storage.ErrNotFound for an unknown id. Hiding is local: nothing is
// federated.
type ContentHider interface {
	HideEvent(ctx context.Context, eventID string, hidden bool) error
	HideComment(ctx context.Context, commentID string, hidden bool) error
	// HideDiscussionMessage hides a message of a group's discussion
	// (groups.Service.HideComment).
	HideDiscussionMessage(ctx context.Context, messageID string, hidden bool) error
}

// Hook learns of every report filed, local or remote, inside the
// transaction that stores it: what it writes commits or rolls back with
// the report, and its error rolls the report back. The federation
// outbox implements it: when r.Forwarded is set it queues a Flag from
// the instance actor to the target's instance, with the target actor and
// r.ContentIRIs as objects and r.Comment as content, and never names the
// reporter.
type Hook interface {
	ReportFiled(ctx context.Context, tx storage.Tx, r Report) error
}

// Config configures a Service.
type Config struct {
	// Store and Identity are required.
	Store    Store
	Identity Identity
	// Hook is told of every report; optional.
	Hook Hook
	// Suspender and Content carry out suspensions and hiding; nil
	// refuses those actions with ErrUnsupported.
	Suspender Suspender
	Content   ContentHider
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes storage ids; nil means random UUIDs.
	NewID func() string
}

// Service holds the rules of reports, the moderation queue, the action
// log and the rules page. It is safe for concurrent use.
type Service struct {
	store     Store
	ident     Identity
	hook      Hook
	suspender Suspender
	content   ContentHider
	now       func() time.Time
	newID     func() string
}

// New returns a Service, or an error when Store or Identity is missing.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("moderation: Config.Store is required")
	case cfg.Identity == nil:
		return nil, errors.New("moderation: Config.Identity is required")
	}
	s := &Service{store: cfg.Store, ident: cfg.Identity, hook: cfg.Hook, suspender: cfg.Suspender,
		content: cfg.Content, now: cfg.Now, newID: cfg.NewID}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = uuid.NewString
	}
	return s, nil
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) inTx(ctx context.Context, fn func(tx storage.Tx, st Store) error) error {
	return storage.InTxAs(ctx, s.store, fn)
}

// staff returns the account when it may moderate: an admin or a
// moderator, not suspended. Otherwise ErrForbidden.
func (s *Service) staff(ctx context.Context, accountID string) (*identity.Account, error) {
	if accountID == "" {
		return nil, fmt.Errorf("%w: not signed in", ErrForbidden)
	}
	a, err := s.ident.GetAccount(ctx, accountID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("%w: unknown account", ErrForbidden)
	case err != nil:
		return nil, err
	case a.Suspended:
		return nil, fmt.Errorf("%w: the account is suspended", ErrForbidden)
	case a.Role != identity.RoleAdmin && a.Role != identity.RoleModerator:
		return nil, fmt.Errorf("%w: only admins and moderators moderate", ErrForbidden)
	}
	return a, nil
}

// admin is staff for admins only.
func (s *Service) admin(ctx context.Context, accountID string) (*identity.Account, error) {
	a, err := s.staff(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if a.Role != identity.RoleAdmin {
		return nil, fmt.Errorf("%w: only admins may do this", ErrForbidden)
	}
	return a, nil
}

// Rules returns the instance's rules page; anyone may read it. Rules
// that were never set are the zero Rules.
func (s *Service) Rules(ctx context.Context) (*Rules, error) {
	st, err := s.store.GetSetting(ctx, SettingRules)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return &Rules{}, nil
	case err != nil:
		return nil, fmt.Errorf("moderation: rules: %w", err)
	}
	return &Rules{Text: st.Value, UpdatedAt: st.UpdatedAt, UpdatedBy: st.UpdatedBy}, nil
}

// SetRules replaces the instance's rules page (plain text, at most
// MaxRulesLength bytes, field "text"; "" empties it). Only admins may.
func (s *Service) SetRules(ctx context.Context, accountID, text string) (*Rules, error) {
	a, err := s.admin(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("moderation: set rules: %w", err)
	}
	text, err = cleanText("text", text, MaxRulesLength)
	if err != nil {
		return nil, err
	}
	st := &Setting{Key: SettingRules, Value: text, UpdatedAt: s.clock(), UpdatedBy: a.ID}
	if err := s.store.PutSetting(ctx, st); err != nil {
		return nil, fmt.Errorf("moderation: set rules: %w", err)
	}
	return &Rules{Text: st.Value, UpdatedAt: st.UpdatedAt, UpdatedBy: st.UpdatedBy}, nil
}

// cleanText checks plain text from a person: valid UTF-8, no control
// characters but newlines and tabs (CRLF becomes LF), at most max bytes
// once trimmed.
func cleanText(field, v string, max int) (string, error) {
	if !utf8.ValidString(v) {
		return "", fielderr.New(field, "is not valid UTF-8")
	}
	v = strings.TrimSpace(strings.ReplaceAll(v, "\r\n", "\n"))
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", fielderr.New(field, "contains control characters")
		}
	}
	if len(v) > max {
		return "", fielderr.New(field, "is longer than %d bytes", max)
	}
	return v, nil
}

// cutText is cleanText for remote input: invalid bytes and control
// characters are dropped and the text is cut to max bytes.
func cutText(v string, max int) string {
	v = strings.ToValidUTF8(strings.ReplaceAll(v, "\r\n", "\n"), "")
	v = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, v)
	v = strings.TrimSpace(v)
	if len(v) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(v[cut]) {
			cut-- // back to the start of the rune that crosses max
		}
		v = strings.TrimSpace(v[:cut])
	}
	return v
}

// checkID checks a storage id given as input.
func checkID(field, id string) error {
	switch {
	case id == "":
		return fielderr.New(field, "is required")
	case len(id) > MaxIDLength || !utf8.ValidString(id) || strings.IndexFunc(id, unicode.IsControl) >= 0:
		return fielderr.New(field, "is not an id")
	}
	return nil
}

// page returns the cursor and limit of a listing request.
func page(after string, limit int) (storage.Cursor, int, error) {
	cur, err := storage.ParseCursor(after)
	if err != nil {
		return cur, 0, fmt.Errorf("%w: %w", fielderr.New("after", "is not a cursor of this list"), err)
	}
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	return cur, limit, nil
}

// next returns the cursor of the page after a full one, "" after the
// last page.
func next(n, limit int, at time.Time, id string) string {
	if n < limit {
		return ""
	}
	return storage.Cursor{At: at, ID: id}.String()
}
