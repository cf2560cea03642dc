// Package storage holds what every storage backend and every consumer of
// one share: the sentinel errors, the transaction contract and opaque
// pagination cursors. It imports no domain package.
//
// Each domain package (identity, groups, events, and later federation)
// declares the store contract it needs, with ctx first and these sentinels
// as its errors. Backends (storage/sqlite, storage/postgres) implement all
// of them, and storage/storagetest checks that they do, the same way for
// every backend. Storage never reads the clock: callers pass times in.
package storage

import (
	"context"
	"errors"
	"fmt"
)

// Sentinel errors. Backends return them, possibly wrapped; callers test
// them with errors.Is.
var (
	// ErrNotFound: no row matches the key.
	ErrNotFound = errors.New("storage: not found")
	// ErrConflict: a uniqueness rule would be broken (an email, a
	// username, an ActivityPub id that is already taken).
	ErrConflict = errors.New("storage: conflict")
	// ErrInvalidCursor: a pagination cursor that this package did not
	// make, or that was damaged.
	ErrInvalidCursor = errors.New("storage: invalid cursor")
	// ErrUnsupported: a transaction that does not implement the contract
	// a consumer asked for (see As).
	ErrUnsupported = errors.New("storage: contract not implemented by this backend")
)

// Tx is an open transaction of a backend. The value a backend hands out
// implements every store contract that the backend implements
// (identity.Store, groups.Store, events.Store, and the federation outbox
// of later packages), each method running inside the transaction; a
// consumer gets the contract it declared with As.
//
// A Tx is only valid inside the function passed to InTx and must not be
// used from several goroutines at once.
type Tx interface {
	Transactor
}

// AfterCommitter is a transaction that runs functions once it has
// committed: to wake a worker for what the transaction queued, say. The
// functions run in the order given, after the commit, outside the
// transaction; not at all when it rolls back. Both SQL backends'
// transactions implement it; callers find it with As and do without it
// when the backend lacks it.
type AfterCommitter interface {
	AfterCommit(fn func())
}

// Transactor runs work atomically.
type Transactor interface {
	// InTx runs fn inside one transaction. The transaction commits when
	// fn returns nil and rolls back when it returns an error or panics
	// (the panic is re-raised after the rollback). InTx on a Tx runs fn
	// in that same transaction, so services compose: a domain service
	// and the hooks it calls all write in one commit.
	//
	// On backends with several writers (PostgreSQL) fn may run more than
	// once when the database reports a serialization failure; fn must
	// therefore have no effects outside the transaction.
	InTx(ctx context.Context, fn func(tx Tx) error) error
}

// As returns the contract T of a transaction, or an error wrapping
// ErrUnsupported when the backend does not implement it.
func As[T any](tx Tx) (T, error) {
	t, ok := tx.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("%w: %T is not a %T", ErrUnsupported, tx, (*T)(nil))
	}
	return t, nil
}

// InTxAs runs fn in a transaction of t, handing it the transaction and
// the transaction's contract T (see As): the usual way for a service to
// write through its own store contract while hooks get the transaction.
func InTxAs[T any](ctx context.Context, t Transactor, fn func(tx Tx, st T) error) error {
	return t.InTx(ctx, func(tx Tx) error {
		st, err := As[T](tx)
		if err != nil {
			return err
		}
		return fn(tx, st)
	})
}
