// Package inboxtest provides in-memory implementations of the inbox's
// storage contracts (Seen, Tombstones, Policy), for tests and examples.
package inboxtest

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Seen is an in-memory inbox.Seen.
type Seen struct {
	mu  sync.Mutex
	ids map[string]time.Time
}

// NewSeen returns an empty Seen.
func NewSeen() *Seen { return &Seen{ids: map[string]time.Time{}} }

// Claim records id; false when it was already recorded.
func (s *Seen) Claim(_ context.Context, id string, at time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ids[id]; ok {
		return false, nil
	}
	s.ids[id] = at
	return true, nil
}

// Release forgets id.
func (s *Seen) Release(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.ids, id)
	return nil
}

// Len returns how many ids are recorded.
func (s *Seen) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.ids)
}

// Tombstones is an in-memory inbox.Tombstones.
type Tombstones struct {
	mu   sync.Mutex
	iris map[string]time.Time
}

// NewTombstones returns an empty Tombstones.
func NewTombstones() *Tombstones { return &Tombstones{iris: map[string]time.Time{}} }

// Tombstoned reports whether iri was deleted.
func (t *Tombstones) Tombstoned(_ context.Context, iri string) (bool, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.iris[iri]
	return ok, nil
}

// AddTombstone remembers iri as deleted (the first time is kept).
func (t *Tombstones) AddTombstone(_ context.Context, iri string, at time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.iris[iri]; !ok {
		t.iris[iri] = at
	}
	return nil
}

// Len returns how many tombstones are remembered.
func (t *Tombstones) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.iris)
}

// Policy is an in-memory inbox.Policy: blocked domains (a block covers
// subdomains), or, in allow-list mode, only the allowed domains.
type Policy struct {
	mu        sync.Mutex
	blocked   map[string]bool
	allowed   map[string]bool
	allowList bool
}

// NewPolicy returns a Policy that allows every domain.
func NewPolicy() *Policy { return &Policy{blocked: map[string]bool{}, allowed: map[string]bool{}} }

// Block blocks a domain and its subdomains.
func (p *Policy) Block(domain string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.blocked[strings.ToLower(domain)] = true
}

// AllowOnly switches to allow-list mode with these domains.
func (p *Policy) AllowOnly(domains ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.allowList = true
	for _, d := range domains {
		p.allowed[strings.ToLower(d)] = true
	}
}

// Allowed reports whether host (host[:port]) may federate.
func (p *Policy) Allowed(_ context.Context, host string) (bool, error) {
	h := strings.ToLower(host)
	if i := strings.LastIndexByte(h, ':'); i >= 0 && !strings.HasSuffix(h, "]") {
		h = h[:i]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for d := h; d != ""; {
		if p.blocked[d] {
			return false, nil
		}
		i := strings.IndexByte(d, '.')
		if i < 0 {
			break
		}
		d = d[i+1:]
	}
	if p.allowList {
		return p.allowed[h], nil
	}
	return true, nil
}
