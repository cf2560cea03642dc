package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"codeberg.org/convene/convene/federation/inbox"
)

// inbox.Seen, inbox.Tombstones, inbox.Policy and inbox.PolicyAdmin over
// inbox_seen, inbox_tombstones, federation_domains and
// federation_settings (migration 0005). Claim and AddTombstone are one
// INSERT … ON CONFLICT DO NOTHING each, so concurrent claims of one id,
// in any number of processes, see exactly one winner; the first
// deletion time of a tombstone is kept.

// Claim implements inbox.Seen.
func (s *store) Claim(ctx context.Context, id string, at time.Time) (bool, error) {
	if id == "" {
		return false, fmt.Errorf("%s: claim: empty activity id", s.d.Name)
	}
	n, err := s.exec(ctx, "claim", `INSERT INTO inbox_seen (activity_id, received_at) VALUES (?, ?)
		ON CONFLICT (activity_id) DO NOTHING`, id, s.d.Time(at.UTC().Truncate(time.Microsecond)))
	return n == 1, err
}

// Release implements inbox.Seen; releasing an unknown id does nothing.
func (s *store) Release(ctx context.Context, id string) error {
	_, err := s.exec(ctx, "release", `DELETE FROM inbox_seen WHERE activity_id = ?`, id)
	return err
}

// PruneSeen implements inbox.PolicyAdmin.
func (s *store) PruneSeen(ctx context.Context, before time.Time) (int64, error) {
	return s.exec(ctx, "prune seen", `DELETE FROM inbox_seen WHERE received_at < ?`,
		s.d.Time(before.UTC().Truncate(time.Microsecond)))
}

// Tombstoned implements inbox.Tombstones.
func (s *store) Tombstoned(ctx context.Context, iri string) (bool, error) {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM inbox_tombstones WHERE iri = ?`, iri).Scan(&one)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, sql.ErrNoRows):
		return false, nil
	default:
		return false, s.wrap("tombstoned", err)
	}
}

// TombstonedAt implements inbox.TombstoneDates.
func (s *store) TombstonedAt(ctx context.Context, iri string) (time.Time, error) {
	var at time.Time
	if err := s.queryRow(ctx, `SELECT deleted_at FROM inbox_tombstones WHERE iri = ?`, iri).Scan(timeCol{&at}); err != nil {
		return time.Time{}, s.wrap("tombstoned at", err)
	}
	return at, nil
}

// AddTombstone implements inbox.Tombstones: the first deletion time is
// kept.
func (s *store) AddTombstone(ctx context.Context, iri string, at time.Time) error {
	if iri == "" {
		return fmt.Errorf("%s: add tombstone: empty iri", s.d.Name)
	}
	_, err := s.exec(ctx, "add tombstone", `INSERT INTO inbox_tombstones (iri, deleted_at) VALUES (?, ?)
		ON CONFLICT (iri) DO NOTHING`, iri, s.d.Time(at.UTC().Truncate(time.Microsecond)))
	return err
}

// Allowed implements inbox.Policy. Ports are ignored and case does not
// matter (inbox.NormalizeDomain); a malformed host is not allowed. A
// block on the host or any parent domain refuses it; in allow-list mode
// the host itself must have an allow rule.
func (s *store) Allowed(ctx context.Context, host string) (bool, error) {
	h, err := inbox.NormalizeDomain(host)
	if err != nil {
		return false, nil
	}
	list, args := in(inbox.DomainSuffixes(h))
	var blocked, allowed, allowList int
	err = s.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM federation_domains WHERE policy = 'block' AND domain IN `+list+`),
		(SELECT COUNT(*) FROM federation_domains WHERE policy = 'allow' AND domain = ?),
		(SELECT allow_list FROM federation_settings WHERE id = 1)`,
		append(args, h)...).Scan(&blocked, &allowed, &allowList)
	if err != nil {
		return false, s.wrap("allowed", err)
	}
	switch {
	case blocked > 0:
		return false, nil
	case allowList == 1:
		return allowed > 0, nil
	default:
		return true, nil
	}
}

// BlockDomain implements inbox.PolicyAdmin.
func (s *store) BlockDomain(ctx context.Context, domain string, at time.Time) error {
	return s.setDomain(ctx, domain, inbox.RuleBlock, at)
}

// AllowDomain implements inbox.PolicyAdmin.
func (s *store) AllowDomain(ctx context.Context, domain string, at time.Time) error {
	return s.setDomain(ctx, domain, inbox.RuleAllow, at)
}

func (s *store) setDomain(ctx context.Context, domain string, rule inbox.DomainRule, at time.Time) error {
	d, err := inbox.NormalizeDomain(domain)
	if err != nil {
		return err
	}
	_, err = s.exec(ctx, string(rule)+" domain", `INSERT INTO federation_domains (domain, policy, created_at) VALUES (?, ?, ?)
		ON CONFLICT (domain) DO UPDATE SET policy = excluded.policy, created_at = excluded.created_at`,
		d, string(rule), s.d.Time(at.UTC().Truncate(time.Microsecond)))
	return err
}

// RemoveDomain implements inbox.PolicyAdmin.
func (s *store) RemoveDomain(ctx context.Context, domain string) error {
	d, err := inbox.NormalizeDomain(domain)
	if err != nil {
		return err
	}
	return s.execOne(ctx, "remove domain", `DELETE FROM federation_domains WHERE domain = ?`, d)
}

// ListDomains implements inbox.PolicyAdmin.
func (s *store) ListDomains(ctx context.Context) ([]inbox.Domain, error) {
	rows, err := s.query(ctx, `SELECT domain, policy, created_at FROM federation_domains ORDER BY domain`)
	if err != nil {
		return nil, s.wrap("list domains", err)
	}
	out, err := collect(rows, func(sc func(dest ...any) error) (inbox.Domain, error) {
		var d inbox.Domain
		var rule string
		err := sc(&d.Domain, &rule, timeCol{&d.CreatedAt})
		d.Rule = inbox.DomainRule(rule)
		return d, err
	})
	if err != nil {
		return nil, s.wrap("list domains", err)
	}
	return out, nil
}

// SetAllowListMode implements inbox.PolicyAdmin.
func (s *store) SetAllowListMode(ctx context.Context, on bool) error {
	v := 0
	if on {
		v = 1
	}
	return s.execOne(ctx, "set allow-list mode", `UPDATE federation_settings SET allow_list = ? WHERE id = 1`, v)
}

// AllowListMode implements inbox.PolicyAdmin.
func (s *store) AllowListMode(ctx context.Context) (bool, error) {
	var v int
	if err := s.queryRow(ctx, `SELECT allow_list FROM federation_settings WHERE id = 1`).Scan(&v); err != nil {
		return false, s.wrap("allow-list mode", err)
	}
	return v == 1, nil
}
