package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/postgres/pgtest"
)

var testNow = time.Date(2026, 3, 14, 17, 0, 0, 123456000, time.UTC)

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		cfg     postgres.Config
		wantErr string
	}{
		{"no url", postgres.Config{}, "Config.URL is required"},
		{"negative pool", postgres.Config{URL: "postgres://localhost/x", MaxConns: -1}, "negative Config.MaxConns"},
		{"unparsable url", postgres.Config{URL: "postgres://u:secret@[::1/x"}, "parse Config.URL"},
		// Port 1 on loopback refuses at once.
		{"unreachable", postgres.Config{URL: "postgres://u:secret@127.0.0.1:1/x?connect_timeout=2"}, "postgres: connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			db, err := postgres.Open(context.Background(), tt.cfg)
			require.ErrorContains(t, err, tt.wantErr)
			assert.NotContains(t, err.Error(), "secret", "the password is not in the error")
			assert.Nil(t, db)
		})
	}
}

func TestOpenIsIdempotentAndConcurrent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.Schema(t)

	// Several processes starting at once: one migrates, the others wait
	// for the advisory lock and find nothing to do.
	const n = 4
	dbs := make([]*postgres.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 2}) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i])
		require.NoError(t, dbs[i].Close())
	}

	pc, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	raw := stdlib.OpenDB(*pc)
	defer raw.Close()
	var count, max int
	require.NoError(t, raw.QueryRowContext(ctx, `SELECT count(*), max(version) FROM schema_migrations`).Scan(&count, &max))
	assert.Equal(t, postgres.MigrationCount(), count, "each migration recorded once")
	assert.Equal(t, postgres.MigrationCount(), max)
}

func TestOpenRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := pgtest.Schema(t)
	db, err := postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 1})
	require.NoError(t, err)
	require.NoError(t, db.Close())
	pgtest.Exec(t, url, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, now())`)

	db, err = postgres.Open(ctx, postgres.Config{URL: url, MaxConns: 1})
	require.ErrorIs(t, err, postgres.ErrSchemaTooNew)
	assert.ErrorContains(t, err, "9999")
	assert.Nil(t, db)
}

func TestInTxRetriesSerializationFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t)
	tests := []struct {
		name      string
		failures  int    // attempts that fail before one succeeds
		code      string // the failures' SQLSTATE
		wantRuns  int
		wantError bool
	}{
		{"serialization failure once", 1, "40001", 2, false},
		{"deadlock twice", 2, "40P01", 3, false},
		{"gives up after postgres.MaxTxAttempts", 5, "40001", postgres.MaxTxAttempts, true},
		{"other errors are not retried", 5, "23505", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			runs := 0
			err := db.InTx(ctx, func(tx storage.Tx) error {
				runs++
				s, err := storage.As[events.Store](tx)
				if err != nil {
					return err
				}
				if _, err := s.CountParticipants(ctx, "e", nil); err != nil {
					return err
				}
				if runs <= tt.failures {
					return &pgconn.PgError{Code: tt.code, Message: "simulated"}
				}
				return nil
			})
			assert.Equal(t, tt.wantRuns, runs)
			if tt.wantError {
				var pe *pgconn.PgError
				require.True(t, errors.As(err, &pe), "the last error is returned: %v", err)
				assert.Equal(t, tt.code, pe.Code)
			} else {
				require.NoError(t, err)
			}
		})
	}
}

func TestLockEventBlocksOtherTransactions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.Open(t)
	require.NoError(t, db.CreateEvent(ctx, &events.Event{ID: "e1", Title: "t", BeginsAt: testNow,
		Visibility: events.Public, CreatedAt: testNow, UpdatedAt: testNow}))

	locked := make(chan struct{})
	release := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- db.InTx(ctx, func(tx storage.Tx) error {
			s, _ := storage.As[events.Store](tx)
			if _, err := s.LockEvent(ctx, "e1"); err != nil {
				close(locked)
				return err
			}
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked

	// A second locker gives up after a short statement timeout.
	err := db.InTx(ctx, func(tx storage.Tx) error {
		s, _ := storage.As[events.Store](tx)
		short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		_, err := s.LockEvent(short, "e1")
		return err
	})
	require.Error(t, err, "the row is locked by the first transaction")
	close(release)
	require.NoError(t, <-first)

	// Once released, locking works again.
	require.NoError(t, db.InTx(ctx, func(tx storage.Tx) error {
		s, _ := storage.As[events.Store](tx)
		_, err := s.LockEvent(ctx, "e1")
		return err
	}))
}
