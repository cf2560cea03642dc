package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"codeberg.org/convene/convene/storage"
)

// openCached is a DB over one SQLite connection (like the SQLite
// backend's writer) with the statement cache on.
func openCached(t *testing.T) *DB {
	t.Helper()
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "c.db"))
	require.NoError(t, err)
	pool.SetMaxOpenConns(1)
	_, err = pool.Exec("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)")
	require.NoError(t, err)
	d := &Dialect{Name: "test", CacheStatements: true, Time: func(t time.Time) any { return t.UnixMicro() },
		IsUnique: func(error) bool { return false }, IsForeignKey: func(error) bool { return false }}
	db, err := New(d, pool, nil)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func (c *stmtCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// TestStatementCache: a query first seen inside a transaction on the
// pool's only connection runs unprepared (preparing would wait for that
// connection forever) and is prepared once the transaction is over; the
// next transaction and plain calls use the prepared statement.
func TestStatementCache(t *testing.T) {
	t.Parallel()
	db := openCached(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	insert := "INSERT INTO t (k, v) VALUES (?, ?)"
	count := "SELECT count(*) FROM t"

	for i := range 3 {
		err := db.InTx(ctx, func(tx storage.Tx) error {
			s := &tx.(*Tx).store
			if _, err := s.exec(ctx, "insert", insert, fmt.Sprint(i), i); err != nil {
				return err
			}
			var n int
			return s.queryRow(ctx, count).Scan(&n)
		})
		require.NoError(t, err, "transaction %d", i)
		assert.Equal(t, 2, db.wc.size(), "both queries are prepared after the first transaction")
	}
	var n int
	require.NoError(t, db.queryRow(ctx, count).Scan(&n))
	assert.Equal(t, 3, n)

	// A rolled-back transaction prepares its queries too, and changes
	// nothing.
	err := db.InTx(ctx, func(tx storage.Tx) error {
		if _, err := tx.(*Tx).exec(ctx, "update", "UPDATE t SET v = v + 1"); err != nil {
			return err
		}
		return fmt.Errorf("roll back")
	})
	require.Error(t, err)
	assert.Equal(t, 3, db.wc.size())
	var sum int
	require.NoError(t, db.queryRow(ctx, "SELECT sum(v) FROM t").Scan(&sum))
	assert.Equal(t, 0+1+2, sum)
}

// TestStatementCacheBound: past MaxCachedStatements queries run
// unprepared.
func TestStatementCacheBound(t *testing.T) {
	t.Parallel()
	db := openCached(t)
	ctx := context.Background()
	for i := range MaxCachedStatements + 10 {
		var n int
		require.NoError(t, db.queryRow(ctx, fmt.Sprintf("SELECT %d", i)).Scan(&n))
		require.Equal(t, i, n)
	}
	assert.Equal(t, MaxCachedStatements, db.wc.size())
}
