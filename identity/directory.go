package identity

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/storage"
)

// Directory listing limits.
const (
	// MaxAccountsListed bounds one page of Accounts.
	MaxAccountsListed = 100
	// MaxKnownHosts bounds KnownHosts.
	MaxKnownHosts = 500
)

// HostCount is another instance this one knows, with how many of its
// actors are stored here.
type HostCount struct {
	Host   string
	Actors int
}

// DirectoryStore lists accounts and the instances this one knows, for
// the administration pages. Backends implement it next to Store (found
// with a type assertion, like GoneStore).
type DirectoryStore interface {
	// ListAccounts returns accounts ordered by (CreatedAt, ID), after the
	// cursor, at most limit.
	ListAccounts(ctx context.Context, after storage.Cursor, limit int) ([]Account, error)
	// KnownHosts returns the hosts of the stored remote actors, the one
	// with most actors first (then by host), at most limit.
	KnownHosts(ctx context.Context, limit int) ([]HostCount, error)
}

var errNoDirectoryStore = errors.New("identity: the Store does not implement identity.DirectoryStore")

// Accounts lists the instance's accounts, oldest first, a page at a
// time (limit at most MaxAccountsListed; 0 means DefaultPageLimit). The
// returned cursor is the zero Cursor on the last page. It is for
// administrators: accounts hold emails.
func (s *Service) Accounts(ctx context.Context, after storage.Cursor, limit int) ([]Account, storage.Cursor, error) {
	ds, ok := s.store.(DirectoryStore)
	if !ok {
		return nil, storage.Cursor{}, errNoDirectoryStore
	}
	switch {
	case limit == 0:
		limit = DefaultPageLimit
	case limit < 0 || limit > MaxAccountsListed:
		return nil, storage.Cursor{}, invalid("limit", "must be between 1 and %d", MaxAccountsListed)
	}
	list, err := ds.ListAccounts(ctx, after, limit+1)
	if err != nil {
		return nil, storage.Cursor{}, storeErr("list accounts", err)
	}
	var next storage.Cursor
	if len(list) > limit {
		list = list[:limit]
		last := list[limit-1]
		next = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
	return list, next, nil
}

// KnownHosts returns the other instances this one knows (the hosts of
// its stored remote actors), the busiest first, at most MaxKnownHosts.
func (s *Service) KnownHosts(ctx context.Context) ([]HostCount, error) {
	ds, ok := s.store.(DirectoryStore)
	if !ok {
		return nil, errNoDirectoryStore
	}
	hosts, err := ds.KnownHosts(ctx, MaxKnownHosts)
	return hosts, storeErr("known hosts", err)
}
