package wire

import (
	"errors"
	"fmt"
)

// Input limits. A document beyond any of them is refused with an error
// that matches [ErrInvalid] and the more precise sentinel named below.
// They bound the work and memory one inbound document can cost; they are
// far above what real servers send (a Mobilizon Create{Event} is ~3 KB,
// nested 4 deep).
const (
	// MaxDocumentSize is the largest document accepted, in bytes
	// (Mastodon's limit too). Beyond it: ErrTooLarge.
	MaxDocumentSize = 1 << 20
	// MaxDepth is the deepest nesting of JSON objects and arrays accepted.
	// It is checked by a byte scan before any parser sees the document.
	// Beyond it: ErrTooDeep.
	MaxDepth = 32
	// MaxTags bounds the tag array of an object; MaxAttachments its
	// attachment array; MaxAudience the to/cc/audience lists; MaxItems the
	// items of a collection page; MaxLocations a location array.
	MaxTags        = 100
	MaxAttachments = 50
	MaxAudience    = 500
	MaxItems       = 500
	MaxLocations   = 10
	// MaxNameLength bounds a name, title or preferredUsername; MaxContent
	// the HTML of a content or summary; MaxIRILength an IRI; MaxShortText
	// every other string (category, time zone, roles, address lines).
	// Beyond them: ErrTooLong.
	MaxNameLength = 1000
	MaxContent    = 200_000
	MaxIRILength  = 2048
	MaxShortText  = 500
	// MaxKeyPEM bounds a publicKeyPem.
	MaxKeyPEM = 16 << 10
	// MaxExtra bounds how many unknown top-level properties of an object
	// are kept in Extra for relaying; the rest are dropped.
	MaxExtra = 64
)

// Sentinel errors. Every error a parser returns matches ErrInvalid and,
// where it applies, one of the others (errors.Is).
var (
	ErrInvalid     = errors.New("wire: invalid document")
	ErrTooLarge    = errors.New("wire: document too large")
	ErrTooDeep     = errors.New("wire: document nested too deep")
	ErrEncoding    = errors.New("wire: invalid UTF-8 or NUL byte")
	ErrSyntax      = errors.New("wire: malformed JSON")
	ErrTooLong     = errors.New("wire: value too long")
	ErrTooMany     = errors.New("wire: too many values")
	ErrMissing     = errors.New("wire: required property missing")
	ErrUnsupported = errors.New("wire: unsupported type")
)

// Error is a parse or emit error: which property, why, and the sentinel
// it matches.
type Error struct {
	Field  string // JSON property path, e.g. "object.location.latitude"; "" for the whole document
	Reason string
	Err    error // one of the sentinels
}

// Error says which property is wrong and why.
func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("%v: %s", e.Err, e.Reason)
	}
	return fmt.Sprintf("%v: %s: %s", e.Err, e.Field, e.Reason)
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

// Is makes every *Error match ErrInvalid.
func (e *Error) Is(target error) bool { return target == ErrInvalid }

func errf(sentinel error, field, format string, args ...any) *Error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...), Err: sentinel}
}
