package sqlstore

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"codeberg.org/convene/convene/storage"
)

// timeCol scans a time column in either encoding (INTEGER unix
// microseconds on SQLite, timestamptz on PostgreSQL) into a UTC time;
// NULL scans as the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case int64:
		*c.t = time.UnixMicro(v).UTC()
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a time", src)
	}
	return nil
}

// strCol scans a nullable text column, NULL as "".
type strCol struct{ s *string }

func (c strCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.s = ""
	case string:
		*c.s = v
	case []byte:
		*c.s = string(v)
	default:
		return fmt.Errorf("sqlstore: cannot scan %T into a string", src)
	}
	return nil
}

// nullStr encodes s for a nullable column: NULL when empty (ActivityPub
// ids, which must not collide when absent).
func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullBytes encodes b for a nullable column: NULL when empty.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// jsonText encodes v as JSON text; empty slices as "".
func jsonText[T any](v []T) (string, error) {
	if len(v) == 0 {
		return "", nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// fromJSON decodes JSON text made by jsonText; "" is nil.
func fromJSON[T any](s string) ([]T, error) {
	if s == "" {
		return nil, nil
	}
	var v []T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return nil, err
	}
	return v, nil
}

// in returns "(?, ?, …)" for n values and the values as []any.
func in[T ~string](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = string(v)
	}
	return "(" + strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", ") + ")", args
}

// page holds the WHERE fragments and arguments of a list query ordered by
// (created_at, id).
type page struct {
	where []string
	args  []any
}

func (p *page) add(cond string, args ...any) {
	p.where = append(p.where, cond)
	p.args = append(p.args, args...)
}

// sql returns " WHERE … ORDER BY col, id LIMIT n" for the list.
func (p *page) sql(d *Dialect, col string, after storage.Cursor, limit int) string {
	if !after.IsZero() {
		p.add("("+col+", id) > (?, ?)", d.Time(after.At), after.ID)
	}
	q := ""
	if len(p.where) > 0 {
		q = " WHERE " + strings.Join(p.where, " AND ")
	}
	q += " ORDER BY " + col + ", id"
	if limit > 0 {
		q += " LIMIT ?"
		p.args = append(p.args, limit)
	}
	return q
}

// collect reads every row of rows with scan.
func collect[T any](rows *sql.Rows, scan func(sc func(dest ...any) error) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
