package sqlstore

import (
	"strconv"
	"strings"
	"time"
)

// Dialect is what differs between the SQL backends.
type Dialect struct {
	// Name is the backend's name, used in error messages ("sqlite").
	Name string
	// Dollar selects $1, $2… placeholders (PostgreSQL) instead of ?.
	Dollar bool
	// GroupCommit commits concurrent transactions together (SQLite,
	// whose single writer makes every transaction wait for the one
	// before: see groupCommit). A transaction function may then see the
	// writes of others committed in the same batch before it.
	GroupCommit bool
	// CacheStatements keeps a prepared statement per query (SQLite,
	// whose driver parses every query again; pgx caches statements
	// itself).
	CacheStatements bool
	// ForUpdate is appended to the SELECT of LockEvent and LockGroup
	// (" FOR UPDATE"); "" where a transaction already excludes every other
	// writer (SQLite with BEGIN IMMEDIATE).
	ForUpdate string
	// GeoIndexHint follows "FROM events e" in a FindEvents query with a
	// Box over public, published events only: the query matches the
	// partial index events_upcoming_geo, and without statistics a
	// planner may walk the start-time index instead, which is slow when
	// few events are in the box. SQLite: "INDEXED BY events_upcoming_geo".
	GeoIndexHint string
	// GeoCellIndexHint is the same for a box short enough to be looked
	// up band by band (see GeoCellsPerDegree). SQLite: "INDEXED BY
	// events_upcoming_cell".
	GeoCellIndexHint string
	// Time encodes a time for a NOT NULL column; the zero time is a value
	// like any other.
	Time func(t time.Time) any
	// TimeType is the column type of times (schema_migrations.applied_at).
	TimeType string
	// Now is an SQL expression of the database's current time in the
	// encoding of Time, used only for schema_migrations.applied_at.
	Now string
	// IsUnique reports a unique or primary key violation.
	IsUnique func(err error) bool
	// IsForeignKey reports a foreign key violation.
	IsForeignKey func(err error) bool
	// Retryable reports an error after which InTx runs the whole
	// function again (serialization failure, deadlock). Nil: never.
	Retryable func(err error) bool
	// MaxAttempts bounds the runs of one InTx when Retryable errors
	// happen (values below 1 mean 1).
	MaxAttempts int
}

// nullTime encodes t for a nullable column: NULL when t is zero.
func (d *Dialect) nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.Time(t)
}

// rebind rewrites ? placeholders as $n for dialects that need it. The SQL
// of this package never has a ? inside a string literal, but quoted text is
// skipped anyway.
func (d *Dialect) rebind(query string) string {
	if !d.Dollar || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// retryable reports whether err calls for another attempt of a
// transaction.
func (d *Dialect) retryable(err error) bool {
	return err != nil && d.Retryable != nil && d.Retryable(err)
}
