package storage

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Cursor marks a position in a list ordered by (At, ID): the last item
// of a page. The next page holds the items strictly after it. Lists
// ordered by a time and a unique id are stable under inserts: a new item
// lands either before or after the cursor, never on both pages.
type Cursor struct {
	At time.Time
	ID string
}

// MaxCursorLength bounds the opaque cursor text a client may send.
const MaxCursorLength = 256

// String encodes the cursor as opaque URL-safe text. The zero Cursor
// encodes as "".
func (c Cursor) String() string {
	if c.At.IsZero() && c.ID == "" {
		return ""
	}
	raw := strconv.FormatInt(c.At.UnixNano(), 10) + "|" + c.ID
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// IsZero reports whether the cursor is the start of the list.
func (c Cursor) IsZero() bool { return c.At.IsZero() && c.ID == "" }

// ParseCursor decodes text made by Cursor.String. The empty string is the
// zero Cursor, the start of the list. Anything else that String did not
// make is an error wrapping ErrInvalidCursor.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{}, nil
	}
	if len(s) > MaxCursorLength {
		return Cursor{}, fmt.Errorf("%w: longer than %d bytes", ErrInvalidCursor, MaxCursorLength)
	}
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: %v", ErrInvalidCursor, err)
	}
	nanos, id, ok := strings.Cut(string(raw), "|")
	if !ok || id == "" {
		return Cursor{}, fmt.Errorf("%w: malformed", ErrInvalidCursor)
	}
	n, err := strconv.ParseInt(nanos, 10, 64)
	if err != nil {
		return Cursor{}, fmt.Errorf("%w: bad position", ErrInvalidCursor)
	}
	return Cursor{At: time.Unix(0, n).UTC(), ID: id}, nil
}
