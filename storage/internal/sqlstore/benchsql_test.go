package sqlstore

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

func TestInsertEventsSQL(t *testing.T) {
	t.Parallel()
	d := &Dialect{Name: "test", Dollar: true, Time: func(t time.Time) any { return t.UnixMicro() }}
	at := time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC)
	es := make([]*events.Event, 5)
	for i := range es {
		es[i] = &events.Event{ID: string(rune('a' + i)), Title: "T", BeginsAt: at, CreatedAt: at, UpdatedAt: at}
	}
	es[1].Tags = []string{"Jazz", "jazz", "Folk"}
	es[3].Tags = []string{"folk"}

	stmts, err := InsertEventsSQL(d, es, 2)
	require.NoError(t, err)
	require.Len(t, stmts, 4, "three statements of events (2+2+1), then one of tags")
	for i, want := range []int{2, 2, 1} {
		s := stmts[i]
		assert.True(t, strings.HasPrefix(s.SQL, "INSERT INTO events (id, "), s.SQL)
		assert.Len(t, s.Args, want*(eventColumnCount+1))
		assert.Equal(t, want*(eventColumnCount+1), strings.Count(s.SQL, "$"), "every argument has a placeholder")
	}
	assert.Equal(t, "a", stmts[0].Args[0])
	assert.Equal(t, "c", stmts[1].Args[0])
	tags := stmts[3]
	assert.True(t, strings.HasPrefix(tags.SQL, "INSERT INTO event_tags (event_id, tag_lower) VALUES ($1, $2), "), tags.SQL)
	assert.Equal(t, []any{"b", "jazz", "b", "folk", "d", "folk"}, tags.Args, "lower case, first occurrence only")

	for name, call := range map[string]func() ([]Statement, error){
		"nil dialect":   func() ([]Statement, error) { return InsertEventsSQL(nil, es, 2) },
		"zero per stmt": func() ([]Statement, error) { return InsertEventsSQL(d, es, 0) },
		"empty id":      func() ([]Statement, error) { return InsertEventsSQL(d, []*events.Event{{}}, 2) },
	} {
		_, err := call()
		assert.Error(t, err, name)
	}
	// Tag rows are split like event rows: at most as many parameters.
	many := make([]*events.Event, 50)
	for i := range many {
		many[i] = &events.Event{ID: strings.Repeat("x", i+1), Tags: []string{"t"}}
	}
	stmts, err = InsertEventsSQL(d, many, 2)
	require.NoError(t, err)
	require.Len(t, stmts, 25+2)
	assert.Len(t, stmts[25].Args, 2*eventColumnCount)
	assert.Len(t, stmts[26].Args, 2*(50-eventColumnCount))

	none, err := InsertEventsSQL(d, nil, 2)
	require.NoError(t, err)
	assert.Empty(t, none)
}
