package benchdata

import (
	"context"
	"database/sql"
	"fmt"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/internal/sqlstore"
)

// RawPerStatement is how many events one multi-row INSERT of InsertRaw
// holds: 44 parameters each, well under SQLite's 32766 and PostgreSQL's
// 65535.
const RawPerStatement = 100

// Load writes the first n events of the dataset through the store's own
// CreateEvent, LoadBatch events per transaction (InTx), so that the rows
// are exactly the ones the application writes. progress, when not nil,
// is called after each transaction with the number of events written.
func Load(ctx context.Context, tr storage.Transactor, n int, progress func(done int)) error {
	g, err := NewGenerator()
	if err != nil {
		return err
	}
	for done := 0; done < n; {
		es := g.Batch(min(LoadBatch, n-done))
		if err := CreateEvents(ctx, tr, es); err != nil {
			return fmt.Errorf("benchdata: load events %d-%d: %w", done, done+len(es), err)
		}
		done += len(es)
		if progress != nil {
			progress(done)
		}
	}
	return nil
}

// CreateEvents writes es with the store's CreateEvent in one transaction.
func CreateEvents(ctx context.Context, tr storage.Transactor, es []*events.Event) error {
	return storage.InTxAs(ctx, tr, func(_ storage.Tx, st events.EventStore) error {
		for _, e := range es {
			if err := st.CreateEvent(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// InsertRaw writes es in one transaction on db with the multi-row
// INSERT statements of sqlstore.InsertEventsSQL (RawPerStatement events
// each): the same rows as CreateEvents, without the store.
func InsertRaw(ctx context.Context, db *sql.DB, d *sqlstore.Dialect, es []*events.Event) (err error) {
	stmts, err := sqlstore.InsertEventsSQL(d, es, RawPerStatement)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("benchdata: begin: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s.SQL, s.Args...); err != nil {
			return fmt.Errorf("benchdata: raw insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("benchdata: commit: %w", err)
	}
	return nil
}
