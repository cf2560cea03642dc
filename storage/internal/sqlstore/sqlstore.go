package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"codeberg.org/convene/convene/storage"
)

// dbtx is what the store methods need: a *sql.DB or a *sql.Tx.
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// store implements every store method once, over r for plain reads and w
// for writes. Outside a transaction r and w may be different pools (SQLite:
// a read-only pool and the single writer); inside one both are the
// *sql.Tx.
type store struct {
	d  *Dialect
	r  dbtx
	w  dbtx
	db *DB // begins transactions for multi-row writes
	tx *Tx // nil outside a transaction
}

// DB is a database handle. It implements identity.Store, groups.Store and
// events.Store; each method outside InTx runs on its own (multi-row writes
// in their own transaction).
type DB struct {
	store
	write *sql.DB
	read  *sql.DB
	// wc and rc cache the prepared statements of the pools
	// (Dialect.CacheStatements); nil otherwise.
	wc, rc *stmtCache
	// group commits concurrent transactions together
	// (Dialect.GroupCommit); nil otherwise.
	group *groupCommit
}

// Tx is an open transaction. It implements storage.Tx and every store
// contract that DB implements, each method running inside the
// transaction. It is valid only inside the function passed to InTx and
// must not be used from several goroutines at once.
type Tx struct {
	store
	sqlTx *sql.Tx
	after []func() // AfterCommit
}

// AfterCommit implements storage.AfterCommitter: fn runs once the
// transaction has committed.
func (tx *Tx) AfterCommit(fn func()) { tx.after = append(tx.after, fn) }

// runAfter runs the functions registered with AfterCommit.
func runAfter(fns []func()) {
	for _, fn := range fns {
		fn()
	}
}

// New returns a DB over the pools write (every write and transaction) and
// read (plain reads; nil means write). The DB owns both: Close closes them.
func New(d *Dialect, write, read *sql.DB) (*DB, error) {
	switch {
	case d == nil:
		return nil, errors.New("sqlstore: nil dialect")
	case d.Time == nil || d.IsUnique == nil || d.IsForeignKey == nil:
		return nil, fmt.Errorf("sqlstore: dialect %q lacks Time, IsUnique or IsForeignKey", d.Name)
	case write == nil:
		return nil, errors.New("sqlstore: nil write pool")
	}
	if read == nil {
		read = write
	}
	db := &DB{write: write, read: read}
	db.store = store{d: d, r: read, w: write, db: db}
	if d.GroupCommit {
		db.group = &groupCommit{db: db}
	}
	if d.CacheStatements {
		db.wc = newStmtCache(write)
		db.rc = db.wc
		if read != write {
			db.rc = newStmtCache(read)
		}
		db.store.r = cached{c: db.rc, plain: read}
		db.store.w = cached{c: db.wc, plain: write}
	}
	return db, nil
}

// Close closes the pools.
func (db *DB) Close() error {
	var err error
	if db.wc != nil {
		err = errors.Join(db.wc.close(), db.rc.close())
	}
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// InTx runs fn in one transaction on the write pool: commit when fn
// returns nil; rollback when it returns an error or panics (the panic is
// raised again after the rollback). When the dialect reports a
// retryable error (PostgreSQL serialization failure or deadlock) from fn
// or from the commit, fn runs again, up to Dialect.MaxAttempts times.
func (db *DB) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	if db.group != nil {
		return db.group.run(ctx, fn)
	}
	attempts := max(db.d.MaxAttempts, 1)
	var err error
	for attempt := 1; ; attempt++ {
		err = db.runTx(ctx, fn)
		if err == nil || attempt >= attempts || !db.d.retryable(err) {
			return err
		}
		// A short pause lets the transaction that won finish.
		t := time.NewTimer(time.Duration(attempt) * 3 * time.Millisecond)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(err, ctx.Err())
		case <-t.C:
		}
	}
}

// newTx wraps an open transaction.
func (db *DB) newTx(sqlTx *sql.Tx) *Tx {
	tx := &Tx{sqlTx: sqlTx}
	tx.store = store{d: db.d, r: sqlTx, w: sqlTx, db: db, tx: tx}
	if db.wc != nil {
		c := cached{c: db.wc, tx: sqlTx, plain: sqlTx}
		tx.store.r, tx.store.w = c, c
	}
	return tx
}

// afterTx runs once a transaction is over and its connection free.
func (db *DB) afterTx() {
	if db.wc != nil {
		db.wc.preparePending(context.Background())
	}
}

func (db *DB) runTx(ctx context.Context, fn func(tx storage.Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin transaction: %w", db.d.Name, err)
	}
	tx := db.newTx(sqlTx)
	committed := false
	defer func() {
		if !committed {
			_ = sqlTx.Rollback()
		}
		db.afterTx()
		if !committed {
			if p := recover(); p != nil {
				panic(p)
			}
		}
	}()
	if err := fn(tx); err != nil {
		return err
	}
	committed = true // no rollback after a failed commit: the tx is done
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", db.d.Name, err)
	}
	runAfter(tx.after)
	return nil
}

// InTx runs fn in this same transaction: its error is returned as is and
// the outermost InTx decides to commit or roll back.
func (tx *Tx) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(tx)
}

// atomic runs fn in a transaction: the current one, or a new one.
func (s *store) atomic(ctx context.Context, fn func(s *store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx storage.Tx) error {
		return fn(&tx.(*Tx).store)
	})
}

// exec runs a write and returns the number of rows it changed.
func (s *store) exec(ctx context.Context, op, query string, args ...any) (int64, error) {
	if s.tx == nil && s.db != nil && s.db.group != nil {
		// A lone write joins the next group commit rather than commit
		// on its own.
		var n int64
		err := s.db.InTx(ctx, func(tx storage.Tx) error {
			var err error
			n, err = tx.(*Tx).exec(ctx, op, query, args...)
			return err
		})
		return n, err
	}
	res, err := s.w.ExecContext(ctx, s.d.rebind(query), args...)
	if err != nil {
		return 0, s.wrap(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, s.wrap(op, err)
	}
	return n, nil
}

// execOne is exec for a write that must change a row: ErrNotFound when it
// changes none.
func (s *store) execOne(ctx context.Context, op, query string, args ...any) error {
	n, err := s.exec(ctx, op, query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s: %s: %w", s.d.Name, op, storage.ErrNotFound)
	}
	return nil
}

// query runs a read on the read pool (or the transaction).
func (s *store) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return s.r.QueryContext(ctx, s.d.rebind(query), args...)
}

// queryRow runs a one-row read on the read pool (or the transaction).
func (s *store) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.r.QueryRowContext(ctx, s.d.rebind(query), args...)
}

// wrap classifies a driver error into the storage sentinels and names the
// operation.
func (s *store) wrap(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %s: %w", s.d.Name, op, storage.ErrNotFound)
	case s.d.IsUnique(err):
		return fmt.Errorf("%s: %s: %w: %w", s.d.Name, op, storage.ErrConflict, err)
	case s.d.IsForeignKey(err):
		return fmt.Errorf("%s: %s: referenced row missing: %w: %w", s.d.Name, op, storage.ErrNotFound, err)
	default:
		return fmt.Errorf("%s: %s: %w", s.d.Name, op, err)
	}
}

// notFound is the error of a lookup by an empty key.
func (s *store) notFound(op string) error {
	return fmt.Errorf("%s: %s: %w", s.d.Name, op, storage.ErrNotFound)
}
