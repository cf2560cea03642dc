package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"database/sql"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/storage"
)

func openGroup(t *testing.T) *DB {
	t.Helper()
	pool, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "g.db")+"?_txlock=immediate")
	require.NoError(t, err)
	pool.SetMaxOpenConns(1)
	_, err = pool.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
	require.NoError(t, err)
	d := &Dialect{Name: "test", GroupCommit: true, CacheStatements: true, Time: func(t time.Time) any { return t.UnixMicro() },
		IsUnique: func(error) bool { return false }, IsForeignKey: func(error) bool { return false }}
	db, err := New(d, pool, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

// TestGroupCommit: concurrent transactions share commits; one that
// fails or panics leaves nothing and takes nothing of the others with
// it; each sees what it wrote.
func TestGroupCommit(t *testing.T) {
	t.Parallel()
	db := openGroup(t)
	ctx := context.Background()
	const n = 200
	errBoom := errors.New("boom")
	var wg sync.WaitGroup
	errs := make([]error, n)
	panics := make([]any, n)
	for i := range n {
		wg.Go(func() {
			defer func() { panics[i] = recover() }()
			errs[i] = db.InTx(ctx, func(tx storage.Tx) error {
				s := &tx.(*Tx).store
				if _, err := s.exec(ctx, "insert", "INSERT INTO t (k, v) VALUES (?, ?)", fmt.Sprint(i), i); err != nil {
					return err
				}
				var v int
				if err := s.queryRow(ctx, "SELECT v FROM t WHERE k = ?", fmt.Sprint(i)).Scan(&v); err != nil || v != i {
					return fmt.Errorf("own write not seen: %v %d", err, v)
				}
				switch i % 10 {
				case 3:
					return errBoom
				case 7:
					panic(fmt.Sprint("panic ", i))
				}
				return nil
			})
		})
	}
	wg.Wait()
	want := 0
	for i := range n {
		switch i % 10 {
		case 3:
			assert.ErrorIs(t, errs[i], errBoom, "transaction %d", i)
		case 7:
			assert.Equal(t, fmt.Sprint("panic ", i), panics[i], "the panic is raised in its own goroutine")
		default:
			assert.NoError(t, errs[i], "transaction %d", i)
			assert.Nil(t, panics[i])
			want++
		}
	}
	var got int
	require.NoError(t, db.queryRow(ctx, "SELECT count(*) FROM t WHERE k NOT LIKE '%3' AND k NOT LIKE '%7'").Scan(&got))
	assert.Equal(t, want, got)
	require.NoError(t, db.queryRow(ctx, "SELECT count(*) FROM t").Scan(&got))
	assert.Equal(t, want, got, "nothing of the failed ones was kept")
	db.group.mu.Lock()
	batches := db.group.batches
	db.group.mu.Unlock()
	assert.Less(t, batches, n, "some transactions were committed together")
	t.Logf("%d transactions in %d batches", n, batches)
}

// TestGroupCommitCancelled: a caller whose context is done fails alone.
func TestGroupCommitCancelled(t *testing.T) {
	t.Parallel()
	db := openGroup(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := db.InTx(ctx, func(storage.Tx) error { return nil })
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, db.InTx(context.Background(), func(tx storage.Tx) error {
		_, err := tx.(*Tx).exec(context.Background(), "insert", "INSERT INTO t (k, v) VALUES ('a', 1)")
		return err
	}))
}

// TestAfterCommit: functions registered in a transaction run after its
// commit, and not at all when it rolls back, alone or in a batch.
func TestAfterCommit(t *testing.T) {
	t.Parallel()
	for _, group := range []bool{false, true} {
		t.Run(fmt.Sprint("group=", group), func(t *testing.T) {
			t.Parallel()
			db := openGroup(t)
			if !group {
				db.group = nil
			}
			ctx := context.Background()
			var mu sync.Mutex
			ran := map[int]bool{}
			var wg sync.WaitGroup
			for i := range 40 {
				wg.Go(func() {
					_ = db.InTx(ctx, func(tx storage.Tx) error {
						ac, err := storage.As[storage.AfterCommitter](tx)
						if err != nil {
							return err
						}
						ac.AfterCommit(func() {
							mu.Lock()
							ran[i] = true
							mu.Unlock()
						})
						if i%2 == 1 {
							return errors.New("roll back")
						}
						return nil
					})
				})
			}
			wg.Wait()
			for i := range 40 {
				assert.Equal(t, i%2 == 0, ran[i], "transaction %d", i)
			}
		})
	}
}
