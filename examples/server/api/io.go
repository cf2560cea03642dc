package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/storage"
)

// writeJSON writes v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// list is the shape of every list response.
type list[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"`
}

func newList[T any](items []T, next string) list[T] {
	if items == nil {
		items = []T{}
	}
	return list[T]{Items: items, Next: next}
}

// readBody returns the request body, at most MaxBodyBytes of it, after
// checking its Content-Type. An empty body is returned as nil.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: "too_large",
			message: fmt.Sprintf("the body is larger than %d bytes", MaxBodyBytes)}
	case err != nil:
		return nil, &apiError{status: http.StatusBadRequest, code: "bad_request", message: "could not read the body"}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, &apiError{status: http.StatusUnsupportedMediaType, code: "unsupported_media_type",
			message: "send the body as application/json"}
	}
	return b, nil
}

// decodeBody reads the body into dst (see decodeJSON). An empty body
// leaves dst alone when optional is set, and is refused otherwise.
func decodeBody(w http.ResponseWriter, r *http.Request, dst any, optional bool) ([]byte, error) {
	b, err := readBody(w, r)
	if err != nil {
		return nil, err
	}
	if b == nil {
		if optional {
			return nil, nil
		}
		return nil, &apiError{status: http.StatusBadRequest, code: "bad_request", message: "a JSON body is required"}
	}
	return b, decodeJSON(b, dst)
}

// decodeJSON decodes one JSON object into dst, refusing unknown fields,
// wrong types (422 naming the field) and trailing data.
func decodeJSON(b []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(dst)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return &apiError{status: http.StatusBadRequest, code: "bad_json", message: "the body holds more than one JSON value"}
		}
		return nil
	}
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return &apiError{status: http.StatusBadRequest, code: "bad_json", message: "the body must be a JSON object"}
		}
		return invalid(typeErr.Field, "must be "+jsonKind(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return &apiError{status: http.StatusBadRequest, code: "bad_json", message: "the body is not valid JSON"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return invalid(name, "is not a field of this request")
	}
	return &apiError{status: http.StatusBadRequest, code: "bad_json", message: "the body is not a valid request"}
}

// jsonKind names a Go kind as a JSON type.
func jsonKind(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	case "struct", "map", "ptr":
		return "an object"
	}
	return "a number" // ints, uints and floats
}

// presentKeys returns the top-level keys of a JSON object (b is known
// to decode as one).
func presentKeys(b []byte) map[string]bool {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	keys := make(map[string]bool, len(m))
	for k := range m {
		keys[k] = true
	}
	return keys
}

// parseTime reads an RFC 3339 time for field.
func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, invalid(field, "must be an RFC 3339 time such as 2026-05-01T18:30:00+02:00")
	}
	return t, nil
}

// formatTime writes an instant in UTC, RFC 3339.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// optTime is formatTime, or nil for the zero time.
func optTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := formatTime(t)
	return &s
}

// query reads query parameters, refusing unknown ones.
type query struct {
	v   url.Values
	err error
}

func newQuery(r *http.Request, known ...string) *query {
	q := &query{v: r.URL.Query()}
	for k := range q.v {
		ok := false
		for _, n := range known {
			ok = ok || k == n
		}
		if !ok {
			q.fail(invalid(k, "is not a parameter of this request"))
		}
	}
	return q
}

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

func (q *query) str(name string) string { return strings.TrimSpace(q.v.Get(name)) }

// list returns a parameter given as a comma-separated list, repeated, or
// both.
func (q *query) list(name string) []string {
	var out []string
	for _, v := range q.v[name] {
		for s := range strings.SplitSeq(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (q *query) time(name string) time.Time {
	s := q.str(name)
	if s == "" {
		return time.Time{}
	}
	t, err := parseTime(name, s)
	if err != nil {
		q.fail(err)
	}
	return t
}

func (q *query) boolean(name string) *bool {
	s := q.str(name)
	if s == "" {
		return nil
	}
	b, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(invalid(name, "must be true or false"))
		return nil
	}
	return &b
}

func (q *query) float(name string) (float64, bool) {
	s := q.str(name)
	if s == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		q.fail(invalid(name, "must be a number"))
		return 0, false
	}
	return f, true
}

// page reads "after" (a cursor) and "limit" (1..MaxPageSize, 0 when
// absent).
func (q *query) page() (storage.Cursor, string, int) {
	after := q.str("after")
	cur, err := storage.ParseCursor(after)
	if err != nil {
		q.fail(invalid("after", "is not a cursor from a previous page"))
	}
	limit := 0
	if s := q.str("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > MaxPageSize {
			q.fail(invalid("limit", fmt.Sprintf("must be a whole number from 1 to %d", MaxPageSize)))
		}
		limit = n
	}
	return cur, after, limit
}

// cursorText is a cursor for "next", "" for the zero cursor.
func cursorText(c storage.Cursor) string {
	if c.IsZero() {
		return ""
	}
	return c.String()
}
