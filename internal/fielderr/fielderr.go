// Package fielderr is the validation error that the domain packages
// share: it names the field and the reason. The domain packages export it
// as their ValidationError.
package fielderr

import (
	"errors"
	"fmt"
)

// ErrInvalid is matched (errors.Is) by every *Error.
var ErrInvalid = errors.New("invalid input")

// Error says which field of an input is wrong and why.
type Error struct {
	Field  string // the field's name in snake_case, as the JSON API spells it
	Reason string // human-readable, lower case, no trailing period
}

// New returns an *Error.
func New(field, format string, args ...any) *Error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	if e.Field == "" {
		return "invalid input: " + e.Reason
	}
	return "invalid " + e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *Error) Is(target error) bool { return target == ErrInvalid }
