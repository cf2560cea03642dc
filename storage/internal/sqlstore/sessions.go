package sqlstore

import (
	"context"
	"errors"
	"time"

	"codeberg.org/convene/convene/identity"
)

// Sessions.

const sessionCols = `id, hash, account_id, label, created_at, last_used_at`

func scanSession(sc func(dest ...any) error) (identity.Session, error) {
	var s identity.Session
	err := sc(&s.ID, &s.Hash, &s.AccountID, &s.Label, timeCol{&s.CreatedAt}, timeCol{&s.LastUsedAt})
	return s, err
}

// CreateSession inserts sess. ErrConflict on a taken ID or hash,
// ErrNotFound for a missing account.
func (s *store) CreateSession(ctx context.Context, sess *identity.Session) error {
	switch {
	case sess.ID == "":
		return errors.New("sqlstore: create session: empty ID")
	case len(sess.Hash) == 0:
		return errors.New("sqlstore: create session: empty hash")
	}
	_, err := s.exec(ctx, "create session",
		`INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		sess.ID, sess.Hash, sess.AccountID, sess.Label, s.d.Time(sess.CreatedAt), s.d.Time(sess.LastUsedAt))
	return err
}

// GetSessionByHash finds a session by the hash of its token.
func (s *store) GetSessionByHash(ctx context.Context, hash []byte) (*identity.Session, error) {
	if len(hash) == 0 {
		return nil, s.notFound("get session")
	}
	sess, err := scanSession(s.queryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE hash = ?`, hash).Scan)
	if err != nil {
		return nil, s.wrap("get session", err)
	}
	return &sess, nil
}

// ListSessions returns an account's sessions by creation.
func (s *store) ListSessions(ctx context.Context, accountID string) ([]identity.Session, error) {
	rows, err := s.query(ctx,
		`SELECT `+sessionCols+` FROM sessions WHERE account_id = ? ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, s.wrap("list sessions", err)
	}
	out, err := collect(rows, scanSession)
	return out, s.wrap("list sessions", err)
}

// TouchSession sets a session's last use. ErrNotFound for an unknown id.
func (s *store) TouchSession(ctx context.Context, id string, lastUsedAt time.Time) error {
	return s.execOne(ctx, "touch session", `UPDATE sessions SET last_used_at = ? WHERE id = ?`,
		s.d.Time(lastUsedAt), id)
}

// DeleteSession removes a session. ErrNotFound for an unknown id.
func (s *store) DeleteSession(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete session", `DELETE FROM sessions WHERE id = ?`, id)
}
