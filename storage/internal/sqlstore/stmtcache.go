package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// MaxCachedStatements bounds the prepared statements kept per pool. The
// store's queries are a fixed set, but some are built per call (IN lists
// of several lengths, search filters); past the bound a query is run
// unprepared rather than cached.
const MaxCachedStatements = 512

// stmtCache keeps one prepared statement per query text on a pool, so
// that a query is parsed and planned once per connection instead of on
// every call (Dialect.CacheStatements). database/sql prepares a cached
// statement again on each connection that runs it, and inside a
// transaction on the transaction's connection (Tx.StmtContext), reusing
// what that connection prepared before.
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	// pending are queries first seen inside a transaction: they are
	// prepared on the pool once the transaction is over (preparing needs
	// a connection, and the transaction holds SQLite's only writer).
	pending map[string]bool
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// lookup returns the statement of query, or nil; a miss inside a
// transaction (inTx) is remembered for preparePending.
func (c *stmtCache) lookup(query string, inTx bool) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if inTx && len(c.m)+len(c.pending) < MaxCachedStatements {
		c.pending[query] = true
	}
	return nil
}

// get returns the statement of query, preparing it on first use; nil
// (run it unprepared) when the cache is full. The lock is not held while
// preparing, which waits for a connection.
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	if st := c.lookup(query, false); st != nil {
		return st, nil
	}
	c.mu.Lock()
	full := len(c.m) >= MaxCachedStatements
	c.mu.Unlock()
	if full {
		return nil, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return c.keep(query, st), nil
}

// keep stores st for query, or closes it when another call stored one
// first, and returns the stored one.
func (c *stmtCache) keep(query string, st *sql.Stmt) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.pending, query)
	if old, ok := c.m[query]; ok {
		_ = st.Close()
		return old
	}
	c.m[query] = st
	return st
}

// preparePending prepares the queries first seen in transactions. It is
// called after a transaction ended; a query that fails to prepare is
// dropped (it runs unprepared).
func (c *stmtCache) preparePending(ctx context.Context) {
	c.mu.Lock()
	if len(c.pending) == 0 {
		c.mu.Unlock()
		return
	}
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	c.pending = map[string]bool{}
	c.mu.Unlock()
	for _, q := range queries {
		if st, err := c.pool.PrepareContext(ctx, q); err == nil {
			c.keep(q, st)
		}
	}
}

// close closes every statement.
func (c *stmtCache) close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	var first error
	for q, st := range c.m {
		if err := st.Close(); err != nil && first == nil {
			first = err
		}
		delete(c.m, q)
	}
	return first
}

// cached runs queries through a stmtCache: a dbtx over a pool, or over a
// transaction of the pool (tx set).
type cached struct {
	c  *stmtCache
	tx *sql.Tx
	// plain runs a query that is not cached.
	plain dbtx
}

func (d cached) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if d.tx != nil {
		// Never prepare inside a transaction: its connection may be the
		// pool's only one. Tx.StmtContext reuses what the connection
		// prepared before.
		if st := d.c.lookup(query, true); st != nil {
			return d.tx.StmtContext(ctx, st), nil
		}
		return nil, nil
	}
	return d.c.get(ctx, query)
}

func (d cached) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, err := d.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return d.plain.ExecContext(ctx, query, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (d cached) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := d.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return d.plain.QueryContext(ctx, query, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (d cached) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := d.stmt(ctx, query)
	if err != nil || st == nil {
		// A failed prepare is reported by the unprepared query itself.
		return d.plain.QueryRowContext(ctx, query, args...)
	}
	return st.QueryRowContext(ctx, args...)
}
