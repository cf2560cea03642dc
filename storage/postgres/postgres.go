// Package postgres is the storage backend for deployments that outgrow
// one machine: several server processes share one PostgreSQL database.
// It implements identity.Store, groups.Store, events.Store and ical's
// UIDStore, SubscriptionStore and SubscriptionManager with pgx v5 through
// database/sql, sharing its implementation with storage/sqlite.
//
// Transactions run at READ COMMITTED; LockEvent and LockGroup take row
// locks (SELECT … FOR UPDATE), so rules that count rows (an event's
// capacity, a group's last administrator) hold however many processes
// write at once. InTx runs its function again, up to MaxTxAttempts times
// in all, when PostgreSQL reports a serialization failure (40001) or a
// deadlock (40P01).
//
// Open applies the embedded migrations (migrations/NNNN_name.sql, the
// same numbering as SQLite's) under a session advisory lock, so that
// processes starting together do not migrate twice. The schema lives in
// the first schema of the connection's search_path.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/internal/sqlstore"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DefaultMaxConns is the pool size when Config.MaxConns is zero.
const DefaultMaxConns = 10

// MaxTxAttempts bounds how many times InTx runs its function when
// PostgreSQL reports a serialization failure or a deadlock.
const MaxTxAttempts = 3

// migrationLockClass is the first key of the advisory lock taken while
// migrating; the second is the hash of the schema being migrated.
const migrationLockClass = 0x636f6e76 // "conv"

// ErrSchemaTooNew: the database was migrated by a newer release of this
// program, which this one must not write to.
var ErrSchemaTooNew = sqlstore.ErrSchemaTooNew

// Config configures Open.
type Config struct {
	// URL is a PostgreSQL connection URL or DSN, as pgx parses it:
	// postgres://user:password@host:5432/db?sslmode=verify-full.
	// Parameters that pgx does not know are sent as run-time settings
	// (search_path=convene). Required.
	URL string
	// MaxConns bounds the pool (DefaultMaxConns when zero).
	MaxConns int
}

type core = sqlstore.DB

// DB is an open PostgreSQL database pool. It implements identity.Store,
// groups.Store, events.Store and the ical store contracts and is safe
// for concurrent use.
type DB struct {
	*core
}

// Tx is the transaction handed to InTx: it implements storage.Tx and the
// same store contracts as DB.
type Tx = sqlstore.Tx

var (
	_ identity.Store = (*DB)(nil)
	_ groups.Store   = (*DB)(nil)
	_ events.Store   = (*DB)(nil)
	_ storage.Tx     = (*Tx)(nil)
	_ identity.Store = (*Tx)(nil)
	_ groups.Store   = (*Tx)(nil)
	_ events.Store   = (*Tx)(nil)

	_ ical.UIDStore            = (*DB)(nil)
	_ ical.SubscriptionStore   = (*DB)(nil)
	_ ical.SubscriptionManager = (*DB)(nil)
	_ ical.UIDStore            = (*Tx)(nil)
	_ ical.SubscriptionStore   = (*Tx)(nil)
	_ ical.SubscriptionManager = (*Tx)(nil)
)

// PostgreSQL error codes.
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

func dialect() *sqlstore.Dialect {
	return &sqlstore.Dialect{
		Name:         "postgres",
		Dollar:       true,
		ForUpdate:    " FOR UPDATE",
		Time:         func(t time.Time) any { return t.UTC() },
		TimeType:     "TIMESTAMPTZ",
		Now:          "now()",
		IsUnique:     func(err error) bool { return hasCode(err, codeUniqueViolation) },
		IsForeignKey: func(err error) bool { return hasCode(err, codeForeignKeyViolation) },
		Retryable:    func(err error) bool { return hasCode(err, codeSerializationFailure, codeDeadlockDetected) },
		MaxAttempts:  MaxTxAttempts,
	}
}

func hasCode(err error, codes ...string) bool {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return false
	}
	for _, c := range codes {
		if pe.Code == c {
			return true
		}
	}
	return false
}

// Open connects to the database at cfg.URL and applies the migrations it
// lacks. It fails with an error wrapping ErrSchemaTooNew when the schema
// was migrated by a newer release.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	if cfg.URL == "" {
		return nil, errors.New("postgres: Config.URL is required")
	}
	if cfg.MaxConns < 0 {
		return nil, fmt.Errorf("postgres: negative Config.MaxConns %d", cfg.MaxConns)
	}
	if cfg.MaxConns == 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	pc, err := pgx.ParseConfig(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse Config.URL: %w", err)
	}
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool := stdlib.OpenDB(*pc)
	pool.SetMaxOpenConns(cfg.MaxConns)
	pool.SetMaxIdleConns(cfg.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := migrate(ctx, pool, ms); err != nil {
		_ = pool.Close()
		return nil, err
	}
	c, err := sqlstore.New(dialect(), pool, nil)
	if err != nil {
		_ = pool.Close()
		return nil, err
	}
	return &DB{core: c}, nil
}

// migrate applies the migrations while holding an advisory lock keyed by
// the current schema, so that concurrent Opens migrate one at a time.
func migrate(ctx context.Context, pool *sql.DB, ms []sqlstore.Migration) (err error) {
	conn, err := pool.Conn(ctx)
	if err != nil {
		return fmt.Errorf("postgres: connect: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1, hashtext(current_schema()))`, migrationLockClass); err != nil {
		return fmt.Errorf("postgres: take the migration lock: %w", err)
	}
	defer func() {
		// A fresh context: the lock must go even when ctx is cancelled.
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, uerr := conn.ExecContext(uctx, `SELECT pg_advisory_unlock($1, hashtext(current_schema()))`, migrationLockClass); uerr != nil {
			// Drop the connection: closing the session releases the lock.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			err = errors.Join(err, fmt.Errorf("postgres: release the migration lock: %w", uerr))
		}
	}()
	return sqlstore.Migrate(ctx, conn, dialect(), ms)
}
