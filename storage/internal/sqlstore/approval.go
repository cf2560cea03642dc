package sqlstore

import (
	"context"
	"time"
)

// HoldAccount implements identity.ApprovalStore.
func (s *store) HoldAccount(ctx context.Context, accountID string, at time.Time) error {
	if accountID == "" {
		return s.notFound("hold account")
	}
	_, err := s.exec(ctx, "hold account",
		`INSERT INTO accounts_held (account_id, held_at) VALUES (?, ?) ON CONFLICT (account_id) DO NOTHING`,
		accountID, s.d.Time(at))
	return err
}

// ReleaseAccount implements identity.ApprovalStore.
func (s *store) ReleaseAccount(ctx context.Context, accountID string) error {
	_, err := s.exec(ctx, "release account", `DELETE FROM accounts_held WHERE account_id = ?`, accountID)
	return err
}

// AccountHeldAt implements identity.ApprovalStore.
func (s *store) AccountHeldAt(ctx context.Context, accountID string) (time.Time, error) {
	var t time.Time
	err := s.queryRow(ctx, `SELECT held_at FROM accounts_held WHERE account_id = ?`, accountID).Scan(timeCol{&t})
	if err != nil {
		return time.Time{}, s.wrap("account held at", err)
	}
	return t, nil
}

// HeldAccounts implements identity.ApprovalStore.
func (s *store) HeldAccounts(ctx context.Context, limit int) ([]string, error) {
	rows, err := s.query(ctx, `SELECT account_id FROM accounts_held ORDER BY held_at, account_id LIMIT ?`, limit)
	if err != nil {
		return nil, s.wrap("held accounts", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("held accounts", err)
		}
		out = append(out, id)
	}
	return out, s.wrap("held accounts", rows.Err())
}
