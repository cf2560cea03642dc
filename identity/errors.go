package identity

import (
	"errors"
	"fmt"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// ValidationError names the input field that was refused and why. Every
// validation failure of this package is one (test with errors.As), and
// matches ErrInvalid (test with errors.Is).
type ValidationError = fielderr.Error

// ErrInvalid is matched by every *ValidationError.
var ErrInvalid = fielderr.ErrInvalid

// Sentinel errors of the identity service. Test them with errors.Is.
var (
	// ErrNotFound: no such account, profile, actor, follow or feed token.
	// It wraps storage.ErrNotFound, so errors.Is(err, storage.ErrNotFound)
	// holds as well.
	ErrNotFound error = &wrapped{"identity: not found", storage.ErrNotFound}
	// ErrConflict: an email, username or ActivityPub id is already taken.
	// It wraps storage.ErrConflict. When the taken value came from user
	// input the error is also a *ValidationError naming the field.
	ErrConflict error = &wrapped{"identity: conflict", storage.ErrConflict}
	// ErrBadCredentials: unknown email or wrong password (the caller is
	// not told which).
	ErrBadCredentials = errors.New("identity: wrong email or password")
	// ErrSuspended: the account is suspended by a moderator.
	ErrSuspended = errors.New("identity: account suspended")
	// ErrNotConfirmed: the account's email address is not confirmed yet.
	ErrNotConfirmed = errors.New("identity: account not confirmed")
	// ErrForbidden: the profile (or token) belongs to another account.
	ErrForbidden = errors.New("identity: forbidden")
	// ErrLastProfile: an account keeps at least one profile.
	ErrLastProfile = errors.New("identity: an account keeps at least one profile")
	// ErrFollowState: the follow's current state does not allow the
	// requested transition (accepting a rejected follow).
	ErrFollowState = errors.New("identity: follow state does not allow this")
	// ErrBadHash: a stored password hash that is not an argon2id PHC
	// string this package can verify.
	ErrBadHash = errors.New("identity: malformed password hash")
	// ErrInvalidKey: a PEM key that cannot be parsed, of an unsupported
	// algorithm, or too weak.
	ErrInvalidKey = errors.New("identity: invalid key")
)

// wrapped is a sentinel with its own message that also matches another
// sentinel.
type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

// storeErr translates the storage sentinels returned by the Store into
// this package's ones, prefixed with what was being done ("account 42:
// identity: not found"). Other errors get an "identity: " prefix.
func storeErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotFound), errors.Is(err, ErrConflict):
		return fmt.Errorf("%s: %w", op, err)
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%s: %w", op, ErrNotFound)
	case errors.Is(err, storage.ErrConflict):
		return fmt.Errorf("%s: %w", op, ErrConflict)
	default:
		return fmt.Errorf("identity: %s: %w", op, err)
	}
}

// taken is the error for a unique value from user input that is already
// used: both a *ValidationError naming field and ErrConflict.
func taken(field, reason string) error {
	return fmt.Errorf("%w: %w", ErrConflict, fielderr.New(field, "%s", reason))
}

// invalid returns a *ValidationError.
func invalid(field, format string, args ...any) error {
	return fielderr.New(field, format, args...)
}

func isStoreNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

func isStoreConflict(err error) bool { return errors.Is(err, storage.ErrConflict) }
