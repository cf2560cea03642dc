package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// ErrSchemaTooNew is returned when the database holds a migration newer
// than the code knows: it was migrated by a newer release, and this one
// must not write to it.
var ErrSchemaTooNew = errors.New("database schema is newer than this program")

// Migration is one forward-only schema change.
type Migration struct {
	Version int    // from the file name: 0001_init.sql is 1
	Name    string // the file name
	SQL     string
}

// LoadMigrations reads the files NNNN_name.sql of dir in fsys, ordered by
// version. Versions start at 1 and have no gaps or duplicates.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migrations: %s: name is not NNNN_name.sql", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("migrations: %w", err)
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migrations: %s: expected version %d (no gaps or duplicates)", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate applies the migrations that conn's database lacks, each in its
// own transaction, and records them in schema_migrations (version,
// applied_at). It fails with ErrSchemaTooNew when the database has a
// version above the last of ms. The caller serializes concurrent
// migrators (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock); each
// transaction still checks again that its version is missing.
func Migrate(ctx context.Context, conn *sql.Conn, d *Dialect, ms []Migration) error {
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		applied_at `+d.TimeType+` NOT NULL)`); err != nil {
		return fmt.Errorf("%s: migrate: create schema_migrations: %w", d.Name, err)
	}
	current, err := SchemaVersion(ctx, conn)
	if err != nil {
		return fmt.Errorf("%s: migrate: %w", d.Name, err)
	}
	latest := len(ms)
	if current > latest {
		return fmt.Errorf("%s: %w: database at version %d, program knows up to %d",
			d.Name, ErrSchemaTooNew, current, latest)
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, conn, d, m); err != nil {
			return fmt.Errorf("%s: migrate %s: %w", d.Name, m.Name, err)
		}
	}
	return nil
}

func apply(ctx context.Context, conn *sql.Conn, d *Dialect, m Migration) (err error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var done int
	if err := tx.QueryRowContext(ctx, d.rebind(`SELECT count(*) FROM schema_migrations WHERE version = ?`),
		m.Version).Scan(&done); err != nil {
		return err
	}
	if done > 0 {
		return tx.Rollback() // another process applied it meanwhile
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, d.rebind(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, `+d.Now+`)`),
		m.Version); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion returns the highest applied migration, 0 for none.
func SchemaVersion(ctx context.Context, conn *sql.Conn) (int, error) {
	var v sql.NullInt64
	if err := conn.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, err
	}
	return int(v.Int64), nil
}
