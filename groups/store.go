package groups

import (
	"context"

	"codeberg.org/convene/convene/storage"
)

// Store is the storage contract of this package, with the storage
// sentinels as errors (see identity.Store for the shared rules).
type Store interface {
	storage.Transactor
	RemoteStore
	ContentStore

	// CreateGroup inserts the group's actor and its settings in one
	// write. ErrConflict on a taken APID or local username.
	CreateGroup(ctx context.Context, g *Group) error
	// UpdateGroup replaces the group's actor fields and settings.
	UpdateGroup(ctx context.Context, g *Group) error
	GetGroup(ctx context.Context, id string) (*Group, error)
	// LockGroup returns the group and, inside a transaction, keeps any
	// other transaction from changing its memberships until this one
	// ends (SELECT … FOR UPDATE where the backend has several writers).
	// Membership rules that count members (the last administrator) run
	// under this lock.
	LockGroup(ctx context.Context, id string) (*Group, error)
	// DeleteGroup removes the group, its actor and its memberships.
	DeleteGroup(ctx context.Context, id string) error

	// PutMember inserts or updates the membership of m.ActorID in
	// m.GroupID (one row per pair; ID and CreatedAt of an existing row
	// are kept and copied back into m).
	PutMember(ctx context.Context, m *Member) error
	GetMember(ctx context.Context, groupID, actorID string) (*Member, error)
	GetMemberByAPID(ctx context.Context, apID string) (*Member, error)
	DeleteMember(ctx context.Context, groupID, actorID string) error
	// ListMembers returns memberships of a group whose role is one of
	// roles (all roles when empty), ordered by (CreatedAt, ID), after the
	// cursor, at most limit.
	ListMembers(ctx context.Context, groupID string, roles []Role, after storage.Cursor, limit int) ([]Member, error)
	// CountMembers counts memberships whose role is one of roles.
	CountMembers(ctx context.Context, groupID string, roles []Role) (int, error)
	// ListMemberships returns the groups an actor belongs to in one of
	// roles (all when empty), ordered by (CreatedAt, ID).
	ListMemberships(ctx context.Context, actorID string, roles []Role, after storage.Cursor, limit int) ([]Member, error)
}
