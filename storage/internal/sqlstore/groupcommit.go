package sqlstore

import (
	"context"
	"fmt"
	"sync"

	"codeberg.org/convene/convene/storage"
)

// MaxGroupCommit bounds the transactions committed together
// (Dialect.GroupCommit).
const MaxGroupCommit = 64

// groupCommit commits concurrent transactions together: SQLite has one
// writer, and the cost of a write transaction is mostly its BEGIN and
// COMMIT. A caller that finds no batch running leads one: it begins a
// transaction, runs every function waiting by then (its own first) each
// under a SAVEPOINT, rolls back to the savepoint the ones that fail, and
// commits once. Callers that arrive while a batch runs wait for the next
// one, which one of them leads. A lone caller runs alone, at once: there
// is no timer and no added latency.
//
// Each function sees the writes of those before it in its batch, as if
// they had committed first; if the COMMIT itself fails, every function
// of the batch gets the error and nothing of the batch is kept.
type groupCommit struct {
	db *DB

	mu      sync.Mutex
	queue   []*txRequest
	leading bool
	batches int // batches begun, for tests
}

type txRequest struct {
	ctx   context.Context
	fn    func(tx storage.Tx) error
	err   error
	panic any
	after []func() // registered with AfterCommit by fn
	done  chan struct{}
}

// run runs fn in a transaction shared with the concurrent callers.
func (g *groupCommit) run(ctx context.Context, fn func(tx storage.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan struct{})}
	g.mu.Lock()
	g.queue = append(g.queue, r)
	lead := !g.leading
	if lead {
		g.leading = true
	}
	g.mu.Unlock()
	if lead {
		g.lead()
	}
	<-r.done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.err
}

// lead runs batches until the queue is empty.
func (g *groupCommit) lead() {
	for {
		g.mu.Lock()
		n := min(len(g.queue), MaxGroupCommit)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		if n == 0 {
			g.leading = false
			g.mu.Unlock()
			return
		}
		g.batches++
		g.mu.Unlock()
		g.commit(batch)
		for _, r := range batch {
			close(r.done)
		}
	}
}

// commit runs one batch.
func (g *groupCommit) commit(batch []*txRequest) {
	db := g.db
	// The transaction outlives any one caller's context: a cancelled
	// caller fails alone (its statements see its context).
	sqlTx, err := db.write.BeginTx(context.WithoutCancel(batch[0].ctx), nil)
	if err != nil {
		for _, r := range batch {
			r.err = fmt.Errorf("%s: begin transaction: %w", db.d.Name, err)
		}
		return
	}
	tx := db.newTx(sqlTx)
	if len(batch) == 1 {
		// Alone: no savepoint needed.
		r := batch[0]
		r.panic, r.err = call(r.fn, tx)
		if r.err != nil || r.panic != nil {
			_ = sqlTx.Rollback()
		} else if err := sqlTx.Commit(); err != nil {
			r.err = fmt.Errorf("%s: commit: %w", db.d.Name, err)
		} else {
			runAfter(tx.after)
		}
		db.afterTx()
		return
	}
	ok := 0
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			continue
		}
		sp := fmt.Sprintf("convene_%d", i)
		if _, err := sqlTx.ExecContext(r.ctx, "SAVEPOINT "+sp); err != nil {
			r.err = fmt.Errorf("%s: savepoint: %w", db.d.Name, err)
			continue
		}
		tx.after = nil
		r.panic, r.err = call(r.fn, tx)
		r.after = tx.after
		if r.err != nil || r.panic != nil {
			r.after = nil
			if _, err := sqlTx.ExecContext(context.WithoutCancel(r.ctx), "ROLLBACK TO "+sp); err != nil {
				// The transaction is in an unknown state: give up the batch.
				_ = sqlTx.Rollback()
				g.fail(batch, fmt.Errorf("%s: rollback to savepoint: %w", db.d.Name, err))
				db.afterTx()
				return
			}
		} else {
			ok++
		}
		if _, err := sqlTx.ExecContext(context.WithoutCancel(r.ctx), "RELEASE "+sp); err != nil {
			_ = sqlTx.Rollback()
			g.fail(batch, fmt.Errorf("%s: release savepoint: %w", db.d.Name, err))
			db.afterTx()
			return
		}
	}
	if ok == 0 {
		_ = sqlTx.Rollback()
	} else if err := sqlTx.Commit(); err != nil {
		g.fail(batch, fmt.Errorf("%s: commit: %w", db.d.Name, err))
	} else {
		for _, r := range batch {
			runAfter(r.after)
		}
	}
	db.afterTx()
}

// fail gives err to every request of the batch that had succeeded.
func (g *groupCommit) fail(batch []*txRequest, err error) {
	for _, r := range batch {
		if r.err == nil && r.panic == nil {
			r.err = err
		}
	}
}

// call runs fn, turning a panic into a value to raise again in the
// caller's goroutine.
func call(fn func(tx storage.Tx) error, tx *Tx) (p any, err error) {
	defer func() {
		if v := recover(); v != nil {
			p = v
		}
	}()
	return nil, fn(tx)
}
