package groups

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/internal/htmlsafe"
	"codeberg.org/convene/convene/storage"
)

// ValidationError names the field of an input that is wrong and why.
type ValidationError = fielderr.Error

// Errors of this package.
var (
	ErrInvalid = fielderr.ErrInvalid
	// ErrNotFound is storage.ErrNotFound: no such group or membership.
	ErrNotFound = storage.ErrNotFound
	// ErrForbidden: the actor's role does not allow this.
	ErrForbidden = errors.New("groups: forbidden")
	// ErrAlreadyMember: the actor already is a member, or already has a
	// pending request or invitation.
	ErrAlreadyMember = errors.New("groups: already a member or pending")
	// ErrNotMember: the actor has no membership in the state the
	// operation needs (no invitation to accept, no request to approve).
	ErrNotMember = errors.New("groups: no such membership")
	// ErrLastAdministrator: the group would be left without an
	// administrator.
	ErrLastAdministrator = errors.New("groups: the last administrator cannot leave or be demoted")
)

// Limits.
const (
	MaxDisplayNameLength = 100
	MaxSummaryLength     = 5000 // bytes of sanitized HTML
	MaxURLLength         = 2048
	MaxAddressField      = 200
)

// ActorMaker builds a new local actor with its keys and URLs, without
// storing it. identity.Service implements it.
type ActorMaker interface {
	NewLocalActor(ctx context.Context, typ identity.ActorType, username, displayName string) (*identity.Actor, error)
}

// Hook learns of every membership change this service commits, inside
// its transaction (see events.Hook).
type Hook interface {
	GroupChanged(ctx context.Context, tx storage.Tx, c Change) error
}

// ChangeKind says what happened.
type ChangeKind string

// Change kinds.
const (
	GroupCreated  ChangeKind = "group.created"
	GroupUpdated  ChangeKind = "group.updated"
	GroupDeleted  ChangeKind = "group.deleted"
	MemberChanged ChangeKind = "member.changed" // joined, requested, invited, approved, rejected, role changed
	MemberRemoved ChangeKind = "member.removed" // left, removed, declined
)

// Change is one committed change. ActorID is who did it.
type Change struct {
	Kind    ChangeKind
	ActorID string
	Group   *Group
	Member  *Member
	// PreviousRole is the member's role before a MemberChanged or
	// MemberRemoved ("" for a new membership).
	PreviousRole Role
	// The content object of a content change (content.go), as it is
	// after the change or was before a deletion; nil when not concerned.
	// A Comment's change also carries its Discussion, a Todo's its
	// TodoList. MovedFrom is the folder a ResourceMoved left ("" for the
	// root).
	Discussion *Discussion
	Comment    *Comment
	Resource   *Resource
	Post       *Post
	TodoList   *TodoList
	Todo       *Todo
	MovedFrom  string
}

// Config configures a Service.
type Config struct {
	// Store and Actors are required.
	Store  Store
	Actors ActorMaker
	// BaseURL is the instance's public URL; required. Memberships get
	// BaseURL/member/{id} as ActivityPub id.
	BaseURL string
	// Hook is told of every change; optional.
	Hook Hook
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes storage ids; nil means random UUIDs.
	NewID func() string
	// Previewer fills a new link's title, summary and image from the
	// page's metadata; optional (nil: no previews).
	Previewer Previewer
}

// Service holds the rules of groups and memberships. It is safe for
// concurrent use.
type Service struct {
	store     Store
	actors    ActorMaker
	base      string
	hook      Hook
	now       func() time.Time
	newID     func() string
	sanitize  *htmlsafe.Sanitizer
	previewer Previewer
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Store == nil:
		return nil, errors.New("groups: Config.Store is required")
	case cfg.Actors == nil:
		return nil, errors.New("groups: Config.Actors is required")
	}
	base, _, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("groups: Config.%w", err)
	}
	s := &Service{store: cfg.Store, actors: cfg.Actors, base: base,
		hook: cfg.Hook, now: cfg.Now, newID: cfg.NewID, sanitize: htmlsafe.New(), previewer: cfg.Previewer}
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

func (s *Service) emit(ctx context.Context, tx storage.Tx, c Change) error {
	if s.hook == nil {
		return nil
	}
	if err := s.hook.GroupChanged(ctx, tx, c); err != nil {
		return fmt.Errorf("groups: hook for %s: %w", c.Kind, err)
	}
	return nil
}

// CreateInput is a new group.
type CreateInput struct {
	Username    string // the group's @name, unique on the instance
	DisplayName string
	Summary     string     // HTML; sanitized
	Openness    Openness   // "" means moderated
	Visibility  Visibility // "" means public
	Address     *geo.Place
	AvatarURL   string
	BannerURL   string
}

// UpdateInput changes a group's settings; nil fields stay as they are.
// The username cannot change.
type UpdateInput struct {
	DisplayName *string
	Summary     *string
	Openness    *Openness
	Visibility  *Visibility
	Address     **geo.Place // a pointer to nil removes the address
	AvatarURL   *string
	BannerURL   *string
}

// settings is the editable part of a group, validated.
type settings struct {
	displayName, summary, avatar, banner string
	openness                             Openness
	visibility                           Visibility
	address                              *geo.Place
}

func (s *Service) clean(in settings) (settings, error) {
	in.displayName = s.sanitize.Text(in.displayName)
	if utf8.RuneCountInString(in.displayName) > MaxDisplayNameLength {
		return in, fielderr.New("display_name", "is longer than %d characters", MaxDisplayNameLength)
	}
	in.summary = s.sanitize.HTML(in.summary)
	if len(in.summary) > MaxSummaryLength {
		return in, fielderr.New("summary", "is longer than %d bytes", MaxSummaryLength)
	}
	if in.openness == "" {
		in.openness = Moderated
	}
	if in.openness != Open && in.openness != Moderated && in.openness != InviteOnly {
		return in, fielderr.New("openness", "unknown value %q", in.openness)
	}
	if in.visibility == "" {
		in.visibility = Public
	}
	if in.visibility != Public && in.visibility != Unlisted && in.visibility != Private {
		return in, fielderr.New("visibility", "unknown value %q", in.visibility)
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"avatar_url", &in.avatar}, {"banner_url", &in.banner}} {
		*f.v = strings.TrimSpace(*f.v)
		if *f.v == "" {
			continue
		}
		u, err := url.Parse(*f.v)
		if len(*f.v) > MaxURLLength || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return in, fielderr.New(f.name, "is not an http(s) URL")
		}
	}
	if in.address.IsZero() {
		in.address = nil
		return in, nil
	}
	a := *in.address
	for _, f := range []*string{&a.Name, &a.Street, &a.Locality, &a.Region, &a.PostalCode, &a.Country} {
		*f = s.sanitize.Text(*f)
		if utf8.RuneCountInString(*f) > MaxAddressField {
			return in, fielderr.New("address", "a field is longer than %d characters", MaxAddressField)
		}
	}
	if err := a.Validate(); err != nil {
		return in, fielderr.New("address", "%v", err)
	}
	in.address = &a
	return in, nil
}

func (g *Group) settings() settings {
	return settings{displayName: g.DisplayName, summary: g.Summary, avatar: g.AvatarURL, banner: g.BannerURL,
		openness: g.Openness, visibility: g.Visibility, address: g.Address}
}

func (g *Group) apply(st settings) {
	g.DisplayName, g.Summary, g.AvatarURL, g.BannerURL = st.displayName, st.summary, st.avatar, st.banner
	g.Openness, g.Visibility, g.Address = st.openness, st.visibility, st.address
	g.Discoverable = st.visibility == Public
	// FEP-1b12: a group accepts follows itself; membership is separate.
	g.ManuallyApprovesFollowers = false
}

// Create makes a group with creatorID (a local profile) as its creator.
func (s *Service) Create(ctx context.Context, creatorID string, in CreateInput) (*Group, error) {
	st, err := s.clean(settings{displayName: in.DisplayName, summary: in.Summary, avatar: in.AvatarURL,
		banner: in.BannerURL, openness: in.Openness, visibility: in.Visibility, address: in.Address})
	if err != nil {
		return nil, err
	}
	if creatorID == "" {
		return nil, ErrForbidden
	}
	actor, err := s.actors.NewLocalActor(ctx, identity.TypeGroup, in.Username, st.displayName)
	if err != nil {
		return nil, fmt.Errorf("groups: create: %w", err)
	}
	now := s.clock()
	actor.CreatedAt, actor.UpdatedAt = now, now
	if actor.ID == "" {
		actor.ID = s.newID()
	}
	g := &Group{Actor: *actor}
	g.apply(st)
	err = s.inTx(ctx, func(tx storage.Tx, store Store) error {
		if err := store.CreateGroup(ctx, g); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return fielderr.New("username", "%q is taken", in.Username)
			}
			return err
		}
		m, err := s.putMember(ctx, store, g.ID, creatorID, RoleCreator, "", "")
		if err != nil {
			return err
		}
		if err := s.emit(ctx, tx, Change{Kind: GroupCreated, ActorID: creatorID, Group: g}); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: MemberChanged, ActorID: creatorID, Group: g, Member: m})
	})
	if err != nil {
		return nil, fmt.Errorf("groups: create: %w", err)
	}
	return g, nil
}

// Get returns a group.
func (s *Service) Get(ctx context.Context, groupID string) (*Group, error) {
	g, err := s.store.GetGroup(ctx, groupID)
	if err != nil {
		return nil, fmt.Errorf("groups: get: %w", err)
	}
	return g, nil
}

// Update changes a group's settings (PermGroupUpdate).
func (s *Service) Update(ctx context.Context, actorID, groupID string, in UpdateInput) (*Group, error) {
	var out *Group
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		g, err := st.LockGroup(ctx, groupID)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, groupID, actorID, PermGroupUpdate); err != nil {
			return err
		}
		cur := g.settings()
		set(&cur.displayName, in.DisplayName)
		set(&cur.summary, in.Summary)
		set(&cur.openness, in.Openness)
		set(&cur.visibility, in.Visibility)
		set(&cur.address, in.Address)
		set(&cur.avatar, in.AvatarURL)
		set(&cur.banner, in.BannerURL)
		clean, err := s.clean(cur)
		if err != nil {
			return err
		}
		g.apply(clean)
		g.UpdatedAt = s.clock()
		if err := st.UpdateGroup(ctx, g); err != nil {
			return err
		}
		out = g
		return s.emit(ctx, tx, Change{Kind: GroupUpdated, ActorID: actorID, Group: g})
	})
	if err != nil {
		return nil, fmt.Errorf("groups: update: %w", err)
	}
	return out, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// Delete removes a group with its memberships (PermGroupDelete).
func (s *Service) Delete(ctx context.Context, actorID, groupID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		g, err := st.LockGroup(ctx, groupID)
		if err != nil {
			return err
		}
		if err := s.authorize(ctx, st, groupID, actorID, PermGroupDelete); err != nil {
			return err
		}
		if err := st.DeleteGroup(ctx, groupID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: GroupDeleted, ActorID: actorID, Group: g})
	})
	if err != nil {
		return fmt.Errorf("groups: delete: %w", err)
	}
	return nil
}

// Authorize returns nil when actorID's membership of groupID allows p,
// and an error wrapping ErrForbidden otherwise (also for non-members).
func (s *Service) Authorize(ctx context.Context, groupID, actorID string, p Permission) error {
	return s.authorize(ctx, s.store, groupID, actorID, p)
}

func (s *Service) authorize(ctx context.Context, st Store, groupID, actorID string, p Permission) error {
	role, err := roleOf(ctx, st, groupID, actorID)
	if err != nil {
		return err
	}
	if !Can(role, p) {
		return fmt.Errorf("%w: %s needs more than %q", ErrForbidden, p, role)
	}
	return nil
}

// roleOf returns an actor's role, "" when it has no membership.
func roleOf(ctx context.Context, st Store, groupID, actorID string) (Role, error) {
	if actorID == "" {
		return "", nil
	}
	m, err := st.GetMember(ctx, groupID, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	return m.Role, nil
}

// MemberRole returns an actor's role in a group; ErrNotFound when it
// has none.
func (s *Service) MemberRole(ctx context.Context, groupID, actorID string) (Role, error) {
	m, err := s.store.GetMember(ctx, groupID, actorID)
	if err != nil {
		return "", fmt.Errorf("groups: member role: %w", err)
	}
	return m.Role, nil
}

// Members lists a group's memberships in the given roles (all when
// empty), oldest first, after the cursor (the zero Cursor is the start).
// The returned cursor leads to the next page; it is zero on the last.
// limit <= 0 means DefaultPageSize, and it is capped at MaxPageSize. Who
// may see the list is the caller's decision (members only for a private
// group: Authorize with PermGroupAccess).
func (s *Service) Members(ctx context.Context, groupID string, roles []Role, after storage.Cursor, limit int) ([]Member, storage.Cursor, error) {
	limit = pageSize(limit)
	ms, err := s.store.ListMembers(ctx, groupID, roles, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, fmt.Errorf("groups: members: %w", err)
	}
	return ms, nextCursor(ms, limit), nil
}

// Memberships lists an actor's memberships in the given roles (all when
// empty), paged as Members.
func (s *Service) Memberships(ctx context.Context, actorID string, roles []Role, after storage.Cursor, limit int) ([]Member, storage.Cursor, error) {
	limit = pageSize(limit)
	ms, err := s.store.ListMemberships(ctx, actorID, roles, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, fmt.Errorf("groups: memberships: %w", err)
	}
	return ms, nextCursor(ms, limit), nil
}

// Page sizes of Members and Memberships.
const (
	DefaultPageSize = 50
	MaxPageSize     = 200
)

func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

func nextCursor(ms []Member, limit int) storage.Cursor {
	if len(ms) < limit {
		return storage.Cursor{}
	}
	last := ms[len(ms)-1]
	return storage.Cursor{At: last.CreatedAt, ID: last.ID}
}
