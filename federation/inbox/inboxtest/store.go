package inboxtest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/storage"
)

// Store is an in-memory implementation of every inbox storage contract
// (Seen, Tombstones, Policy and PolicyAdmin), with the semantics of the
// SQL stores: domains normalized with inbox.NormalizeDomain (ports
// ignored), one rule per domain, a block covering subdomains, an allow
// covering the exact domain in allow-list mode.
type Store struct {
	*Seen
	*Tombstones

	mu        sync.Mutex
	rules     map[string]inbox.Domain
	allowList bool
}

// NewStore returns an empty Store that allows every domain.
func NewStore() *Store {
	return &Store{Seen: NewSeen(), Tombstones: NewTombstones(), rules: map[string]inbox.Domain{}}
}

var (
	_ inbox.Seen           = (*Store)(nil)
	_ inbox.Tombstones     = (*Store)(nil)
	_ inbox.Policy         = (*Store)(nil)
	_ inbox.PolicyAdmin    = (*Store)(nil)
	_ inbox.TombstoneDates = (*Store)(nil)
)

// TombstonedAt implements inbox.TombstoneDates.
func (s *Store) TombstonedAt(_ context.Context, iri string) (time.Time, error) {
	s.Tombstones.mu.Lock()
	defer s.Tombstones.mu.Unlock()
	at, ok := s.Tombstones.iris[iri]
	if !ok {
		return time.Time{}, fmt.Errorf("inboxtest: tombstone %s: %w", iri, storage.ErrNotFound)
	}
	return at.UTC().Truncate(time.Microsecond), nil
}

// Allowed implements inbox.Policy.
func (s *Store) Allowed(_ context.Context, host string) (bool, error) {
	h, err := inbox.NormalizeDomain(host)
	if err != nil {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range inbox.DomainSuffixes(h) {
		if s.rules[d].Rule == inbox.RuleBlock {
			return false, nil
		}
	}
	if s.allowList {
		return s.rules[h].Rule == inbox.RuleAllow, nil
	}
	return true, nil
}

// BlockDomain implements inbox.PolicyAdmin.
func (s *Store) BlockDomain(_ context.Context, domain string, at time.Time) error {
	return s.set(domain, inbox.RuleBlock, at)
}

// AllowDomain implements inbox.PolicyAdmin.
func (s *Store) AllowDomain(_ context.Context, domain string, at time.Time) error {
	return s.set(domain, inbox.RuleAllow, at)
}

func (s *Store) set(domain string, rule inbox.DomainRule, at time.Time) error {
	d, err := inbox.NormalizeDomain(domain)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules[d] = inbox.Domain{Domain: d, Rule: rule, CreatedAt: at.UTC().Truncate(time.Microsecond)}
	return nil
}

// RemoveDomain implements inbox.PolicyAdmin.
func (s *Store) RemoveDomain(_ context.Context, domain string) error {
	d, err := inbox.NormalizeDomain(domain)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.rules[d]; !ok {
		return fmt.Errorf("inboxtest: remove domain %s: %w", d, storage.ErrNotFound)
	}
	delete(s.rules, d)
	return nil
}

// ListDomains implements inbox.PolicyAdmin.
func (s *Store) ListDomains(context.Context) ([]inbox.Domain, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []inbox.Domain
	for _, d := range s.rules {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Domain < out[j].Domain })
	return out, nil
}

// SetAllowListMode implements inbox.PolicyAdmin.
func (s *Store) SetAllowListMode(_ context.Context, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.allowList = on
	return nil
}

// AllowListMode implements inbox.PolicyAdmin.
func (s *Store) AllowListMode(context.Context) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.allowList, nil
}

// PruneSeen implements inbox.PolicyAdmin.
func (s *Store) PruneSeen(_ context.Context, before time.Time) (int64, error) {
	s.Seen.mu.Lock()
	defer s.Seen.mu.Unlock()
	var n int64
	for id, at := range s.Seen.ids {
		if at.Before(before) {
			delete(s.Seen.ids, id)
			n++
		}
	}
	return n, nil
}
