package sqlstore

import (
	"errors"
	"fmt"
	"strings"

	"codeberg.org/convene/convene/events"
)

// Statement is one SQL statement with its arguments, in the placeholder
// style of the dialect that made it.
type Statement struct {
	SQL  string
	Args []any
}

// InsertEventsSQL returns multi-row INSERT statements that write es
// exactly as CreateEvent writes them: the same events columns and
// values (search_text included) and the same event_tags rows (lower
// case, deduplicated). Each statement holds at most perStatement events
// (or their tags); keep perStatement × 44 under the driver's parameter
// limit (SQLite 32766, PostgreSQL 65535).
//
// It exists for the benchmarks: the raw batched INSERT that CreateEvent
// is compared with, and bulk loads of benchmark data. It validates
// nothing and does not map errors to the storage sentinels; run the
// statements in one transaction, events before tags.
func InsertEventsSQL(d *Dialect, es []*events.Event, perStatement int) ([]Statement, error) {
	if d == nil {
		return nil, errors.New("sqlstore: insert events: nil dialect")
	}
	if perStatement < 1 {
		return nil, fmt.Errorf("sqlstore: insert events: %d events per statement", perStatement)
	}
	s := store{d: d}
	row := "(?" + strings.Repeat(", ?", eventColumnCount) + ")"
	var stmts, tagStmts []Statement
	var tagRows []string
	var tagArgs []any
	flushTags := func() {
		if len(tagRows) == 0 {
			return
		}
		tagStmts = append(tagStmts, Statement{
			SQL:  d.rebind(`INSERT INTO event_tags (event_id, tag_lower) VALUES ` + strings.Join(tagRows, ", ")),
			Args: tagArgs,
		})
		tagRows, tagArgs = nil, nil
	}
	for start := 0; start < len(es); start += perStatement {
		chunk := es[start:min(start+perStatement, len(es))]
		rows := make([]string, len(chunk))
		args := make([]any, 0, len(chunk)*(eventColumnCount+1))
		for i, e := range chunk {
			if e.ID == "" {
				return nil, errors.New("sqlstore: insert events: empty ID")
			}
			ea, err := s.eventArgs(e)
			if err != nil {
				return nil, fmt.Errorf("sqlstore: insert event %s: %w", e.ID, err)
			}
			rows[i] = row
			args = append(append(args, e.ID), ea...)
			for _, t := range lowerTags(e.Tags) {
				tagRows = append(tagRows, "(?, ?)")
				tagArgs = append(tagArgs, e.ID, t)
				if len(tagRows) == perStatement*eventColumnCount/2 {
					flushTags()
				}
			}
		}
		stmts = append(stmts, Statement{
			SQL:  d.rebind(`INSERT INTO events (id, ` + eventColumns + `) VALUES ` + strings.Join(rows, ", ")),
			Args: args,
		})
	}
	flushTags()
	return append(stmts, tagStmts...), nil
}

// lowerTags is the tag_lower values putTags writes for tags: lower case,
// first occurrence kept.
func lowerTags(tags []string) []string {
	seen := make(map[string]bool, len(tags))
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		t = strings.ToLower(t)
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
