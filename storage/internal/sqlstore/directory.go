package sqlstore

import (
	"context"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// ListAccounts implements identity.DirectoryStore.
func (s *store) ListAccounts(ctx context.Context, after storage.Cursor, limit int) ([]identity.Account, error) {
	var p page
	rows, err := s.query(ctx, `SELECT `+accountCols+` FROM accounts`+p.sql(s.d, "created_at", after, limit), p.args...)
	if err != nil {
		return nil, s.wrap("list accounts", err)
	}
	out, err := collect(rows, func(sc func(dest ...any) error) (identity.Account, error) {
		a, err := scanAccount(sc)
		if err != nil {
			return identity.Account{}, err
		}
		return *a, nil
	})
	return out, s.wrap("list accounts", err)
}

// KnownHosts implements identity.DirectoryStore.
func (s *store) KnownHosts(ctx context.Context, limit int) ([]identity.HostCount, error) {
	rows, err := s.query(ctx, `SELECT domain, count(*) AS n FROM actors WHERE NOT local
		GROUP BY domain ORDER BY n DESC, domain LIMIT ?`, limit)
	if err != nil {
		return nil, s.wrap("known hosts", err)
	}
	defer rows.Close()
	var out []identity.HostCount
	for rows.Next() {
		var h identity.HostCount
		if err := rows.Scan(&h.Host, &h.Actors); err != nil {
			return nil, s.wrap("known hosts", err)
		}
		out = append(out, h)
	}
	return out, s.wrap("known hosts", rows.Err())
}
