package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Session limits.
const (
	// SessionTokenBytes is the number of random bytes in a session
	// token; its text is their unpadded base64url encoding (43
	// characters).
	SessionTokenBytes = 32
	// SessionLifetime is how long a session stays valid after its last
	// use: a session used at least once every SessionLifetime never
	// expires (sliding expiry), one left alone that long is refused.
	SessionLifetime = 30 * 24 * time.Hour
	// SessionTouchInterval is how stale a session's LastUsedAt may get
	// before ResolveSession writes the current time: at most one write
	// per session and interval, however many requests it makes.
	SessionTouchInterval = time.Hour
	// MaxSessionsPerAccount is the most sessions an account keeps.
	// Creating one more ends the least recently used.
	MaxSessionsPerAccount = 50
	// MaxSessionLabelLength bounds a session's label, in characters.
	MaxSessionLabelLength = 100
)

// Session is a signed-in session of an account, such as a bearer token
// of the JSON API. Its token text is shown once, when created; only its
// SHA-256 is stored.
type Session struct {
	ID         string
	Hash       []byte // SHA-256 of the token text
	AccountID  string
	Label      string // plain text chosen at sign-in ("phone", "cli")
	CreatedAt  time.Time
	LastUsedAt time.Time // updated at most once per SessionTouchInterval
}

// ExpiresAt is when the session stops being valid unless used before.
func (s *Session) ExpiresAt() time.Time { return s.LastUsedAt.Add(SessionLifetime) }

// newSecret returns a fresh secret of n random bytes as unpadded
// base64url text, and the SHA-256 of that text, which is what gets
// stored.
func newSecret(n int) (text string, hash []byte, err error) {
	raw := make([]byte, n)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("identity: random secret: %w", err)
	}
	text = base64.RawURLEncoding.EncodeToString(raw)
	return text, secretHash(text), nil
}

// secretHash is the SHA-256 of a secret's text.
func secretHash(text string) []byte {
	sum := sha256.Sum256([]byte(text))
	return sum[:]
}

// wellFormedSecret reports whether text could be a secret of n bytes
// made by newSecret, so that garbage never reaches the store.
func wellFormedSecret(text string, n int) bool {
	if len(text) != base64.RawURLEncoding.EncodedLen(n) {
		return false
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(text)
	return err == nil && len(raw) == n
}

// cleanSessionLabel trims a label and checks it is short plain text.
func cleanSessionLabel(label string) (string, error) {
	label = strings.TrimSpace(label)
	switch {
	case !utf8.ValidString(label) || strings.IndexFunc(label, unicode.IsControl) >= 0:
		return "", invalid("label", "must be plain text without control characters")
	case utf8.RuneCountInString(label) > MaxSessionLabelLength:
		return "", invalid("label", "is longer than %d characters", MaxSessionLabelLength)
	}
	return label, nil
}

// CreateSession opens a session for the account (after the caller
// checked its credentials, see Authenticate) and returns its token text,
// which is shown only this once. label names the session for its owner
// (field "label": plain text, at most MaxSessionLabelLength
// characters). A suspended account gets ErrSuspended, one not confirmed
// ErrNotConfirmed. An account keeps at most MaxSessionsPerAccount
// sessions: expired ones go first, then the least recently used.
func (s *Service) CreateSession(ctx context.Context, accountID, label string) (string, *Session, error) {
	label, err := cleanSessionLabel(label)
	if err != nil {
		return "", nil, err
	}
	text, hash, err := newSecret(SessionTokenBytes)
	if err != nil {
		return "", nil, err
	}
	now := s.clock()
	sess := &Session{ID: s.newID(), Hash: hash, AccountID: accountID, Label: label, CreatedAt: now, LastUsedAt: now}
	err = s.inTx(ctx, func(st Store) error {
		a, err := st.GetAccount(ctx, accountID)
		if err != nil {
			return storeErr("account "+accountID, err)
		}
		if err := usable(a); err != nil {
			return err
		}
		list, err := st.ListSessions(ctx, accountID)
		if err != nil {
			return storeErr("list sessions", err)
		}
		// Expired sessions first, then the least recently used, until
		// there is room for the new one.
		slices.SortStableFunc(list, func(x, y Session) int { return x.LastUsedAt.Compare(y.LastUsedAt) })
		for i, old := range list {
			if !expired(&old, now) && len(list)-i < MaxSessionsPerAccount {
				break
			}
			if err := st.DeleteSession(ctx, old.ID); err != nil {
				return storeErr("end session", err)
			}
		}
		return storeErr("create session", st.CreateSession(ctx, sess))
	})
	if err != nil {
		return "", nil, err
	}
	return text, sess, nil
}

// usable refuses accounts that may not hold sessions.
func usable(a *Account) error {
	switch {
	case a.Suspended:
		return ErrSuspended
	case !a.Confirmed:
		return ErrNotConfirmed
	}
	return nil
}

// expired reports whether the session has gone unused for
// SessionLifetime at now.
func expired(sess *Session, now time.Time) bool { return !now.Before(sess.ExpiresAt()) }

// ResolveSession returns the valid session whose token text is token.
// Unknown, malformed and expired tokens give ErrNotFound, all alike; a
// valid token of an account that is suspended gives ErrSuspended, of one
// not confirmed (any more) ErrNotConfirmed. A session last used more
// than SessionTouchInterval ago gets LastUsedAt set to now, which keeps
// it alive (sliding expiry); a failure to store that does not fail the
// call.
func (s *Service) ResolveSession(ctx context.Context, token string) (*Session, error) {
	notFound := fmt.Errorf("session: %w", ErrNotFound)
	if !wellFormedSecret(token, SessionTokenBytes) {
		return nil, notFound
	}
	hash := secretHash(token)
	sess, err := s.store.GetSessionByHash(ctx, hash)
	if err != nil {
		if isStoreNotFound(err) {
			return nil, notFound
		}
		return nil, storeErr("session", err)
	}
	now := s.clock()
	if subtle.ConstantTimeCompare(sess.Hash, hash) != 1 || expired(sess, now) {
		return nil, notFound
	}
	a, err := s.store.GetAccount(ctx, sess.AccountID)
	if err != nil {
		return nil, storeErr("session account", err)
	}
	if err := usable(a); err != nil {
		return nil, err
	}
	if now.Sub(sess.LastUsedAt) >= SessionTouchInterval {
		if err := s.store.TouchSession(ctx, sess.ID, now); err == nil {
			sess.LastUsedAt = now
		}
	}
	return sess, nil
}

// RevokeSession ends a session of the account (signing out).
// ErrNotFound when the account has no such session.
func (s *Service) RevokeSession(ctx context.Context, accountID, sessionID string) error {
	return s.inTx(ctx, func(st Store) error {
		list, err := st.ListSessions(ctx, accountID)
		if err != nil {
			return storeErr("list sessions", err)
		}
		for _, sess := range list {
			if sess.ID == sessionID {
				return storeErr("end session", st.DeleteSession(ctx, sessionID))
			}
		}
		return fmt.Errorf("session %s: %w", sessionID, ErrNotFound)
	})
}

// ListSessions returns the account's valid sessions, oldest first, for
// its owner to review and revoke.
func (s *Service) ListSessions(ctx context.Context, accountID string) ([]Session, error) {
	list, err := s.store.ListSessions(ctx, accountID)
	if err != nil {
		return nil, storeErr("list sessions", err)
	}
	now := s.clock()
	return slices.DeleteFunc(list, func(sess Session) bool { return expired(&sess, now) }), nil
}
