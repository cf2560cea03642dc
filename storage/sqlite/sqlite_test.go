package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/internal/sqlstore"
)

var testNow = time.Date(2026, 3, 14, 17, 0, 0, 123456000, time.UTC)

func openFile(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), Config{Path: path})
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// rawDB opens a plain connection to the file, for looking under the hood.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", dsn(path, time.Second, false))
	require.NoError(t, err)
	t.Cleanup(func() { _ = raw.Close() })
	return raw
}

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(file, bytes.Repeat([]byte("not a database\n"), 512), 0o600))
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
	}{
		{"no path", Config{}, "Config.Path is required"},
		{"negative busy timeout", Config{Path: filepath.Join(dir, "a.db"), BusyTimeout: -time.Second}, "negative Config.BusyTimeout"},
		{"path is a directory", Config{Path: dir}, "is a directory"},
		{"directory under a file", Config{Path: filepath.Join(file, "sub", "a.db")}, "create the database directory"},
		{"not a database", Config{Path: file}, "not a database"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, err := Open(context.Background(), tt.cfg)
			require.ErrorContains(t, err, tt.wantErr)
			assert.Nil(t, db)
		})
	}
}

func TestOpenCreatesPrivateDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "data", "nested")
	openFile(t, filepath.Join(dir, "convene.db"))
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
}

func TestOpenEscapesPath(t *testing.T) {
	t.Parallel()
	// Characters that mean something in a URI must reach the file name.
	path := filepath.Join(t.TempDir(), "odd ?name#with%25 chars&x=1.db")
	db := openFile(t, path)
	require.NoError(t, db.CreateAccount(context.Background(), account("a1", "a@example.org")))
	_, err := os.Stat(path)
	require.NoError(t, err, "the file has exactly the configured name")
}

func TestOpenIsIdempotentAndKeepsData(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "convene.db")
	db, err := Open(ctx, Config{Path: path})
	require.NoError(t, err)
	require.NoError(t, db.CreateAccount(ctx, account("a1", "a@example.org")))
	require.NoError(t, db.Close())

	db = openFile(t, path)
	got, err := db.GetAccount(ctx, "a1")
	require.NoError(t, err)
	assert.Equal(t, "a@example.org", got.Email)

	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	require.NoError(t, err)
	var n, max int
	require.NoError(t, rawDB(t, path).QueryRow(`SELECT count(*), max(version) FROM schema_migrations`).Scan(&n, &max))
	assert.Equal(t, len(ms), n, "each migration recorded once")
	assert.Equal(t, len(ms), max)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "convene.db")
	db, err := Open(ctx, Config{Path: path})
	require.NoError(t, err)
	require.NoError(t, db.Close())

	raw, err := sql.Open("sqlite", dsn(path, time.Second, false))
	require.NoError(t, err)
	_, err = raw.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)`)
	require.NoError(t, err)
	require.NoError(t, raw.Close())

	db, err = Open(ctx, Config{Path: path})
	require.ErrorIs(t, err, ErrSchemaTooNew)
	assert.ErrorContains(t, err, "9999")
	assert.Nil(t, db)
}

func TestPragmas(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "convene.db")
	openFile(t, path)
	raw := rawDB(t, path)
	var mode string
	require.NoError(t, raw.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
	assert.Equal(t, "wal", mode)

	// The read pool refuses writes.
	ro, err := sql.Open("sqlite", dsn(path, time.Second, true))
	require.NoError(t, err)
	defer ro.Close()
	var fk int
	require.NoError(t, ro.QueryRow(`PRAGMA foreign_keys`).Scan(&fk))
	assert.Equal(t, 1, fk)
	_, err = ro.Exec(`DELETE FROM accounts`)
	require.Error(t, err)
}

func TestTimesAreUnixMicroseconds(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "convene.db")
	db := openFile(t, path)
	require.NoError(t, db.CreateAccount(context.Background(), account("a1", "a@example.org")))
	var typ string
	var v int64
	require.NoError(t, rawDB(t, path).QueryRow(`SELECT typeof(created_at), created_at FROM accounts`).Scan(&typ, &v))
	assert.Equal(t, "integer", typ)
	assert.Equal(t, testNow.UnixMicro(), v)
}

func TestTransactionsSerialize(t *testing.T) {
	t.Parallel()
	// Many concurrent read-modify-write transactions: none fails with
	// SQLITE_BUSY and none loses an update.
	ctx := context.Background()
	db := openFile(t, filepath.Join(t.TempDir(), "convene.db"))
	require.NoError(t, db.CreateAccount(ctx, account("a1", "a@example.org")))
	const n = 40
	errs := make(chan error, n)
	for range n {
		go func() {
			errs <- db.InTx(ctx, func(tx storage.Tx) error {
				s, err := storage.As[identity.Store](tx)
				if err != nil {
					return err
				}
				a, err := s.GetAccount(ctx, "a1")
				if err != nil {
					return err
				}
				a.Locale += "x"
				return s.UpdateAccount(ctx, a)
			})
		}()
	}
	for range n {
		require.NoError(t, <-errs)
	}
	a, err := db.GetAccount(ctx, "a1")
	require.NoError(t, err)
	assert.Len(t, a.Locale, n)
}

func account(id, email string) *identity.Account {
	return &identity.Account{ID: id, Email: email, Role: identity.RoleUser, CreatedAt: testNow, UpdatedAt: testNow}
}
