package inbox

import (
	"context"
	"sync"
	"time"
)

// Policy cache limits.
const (
	// PolicyCacheTTL is how long an answer of the domain policy is
	// reused. Changes made through the cache apply at once in this
	// process; changes made by another process sharing the database
	// (PostgreSQL) apply within this long.
	PolicyCacheTTL = 30 * time.Second
	// MaxPolicyCacheHosts bounds the hosts remembered; past it the cache
	// starts afresh.
	MaxPolicyCacheHosts = 10_000
)

// PolicyStore is a federation policy with its administration: what the
// SQL stores implement.
type PolicyStore interface {
	Policy
	PolicyAdmin
}

// PolicyCache remembers the policy's answers per host for
// PolicyCacheTTL: an activity names a handful of IRIs, and asking the
// database for each was a quarter of the inbox's cost. It implements
// Policy and PolicyAdmin; its administration methods pass through and
// forget every answer. It is safe for concurrent use.
type PolicyCache struct {
	PolicyStore
	now func() time.Time

	mu      sync.Mutex
	answers map[string]policyAnswer
}

type policyAnswer struct {
	allowed bool
	at      time.Time
}

// NewPolicyCache returns a cache over st; now nil means time.Now.
func NewPolicyCache(st PolicyStore, now func() time.Time) *PolicyCache {
	if now == nil {
		now = time.Now
	}
	return &PolicyCache{PolicyStore: st, now: now, answers: map[string]policyAnswer{}}
}

// Allowed implements Policy.
func (c *PolicyCache) Allowed(ctx context.Context, host string) (bool, error) {
	now := c.now()
	c.mu.Lock()
	a, ok := c.answers[host]
	c.mu.Unlock()
	if ok && now.Sub(a.at) < PolicyCacheTTL && !now.Before(a.at) {
		return a.allowed, nil
	}
	allowed, err := c.PolicyStore.Allowed(ctx, host)
	if err != nil {
		return false, err
	}
	c.mu.Lock()
	if len(c.answers) >= MaxPolicyCacheHosts {
		c.answers = map[string]policyAnswer{}
	}
	c.answers[host] = policyAnswer{allowed: allowed, at: now}
	c.mu.Unlock()
	return allowed, nil
}

// forget drops every answer.
func (c *PolicyCache) forget() {
	c.mu.Lock()
	c.answers = map[string]policyAnswer{}
	c.mu.Unlock()
}

// BlockDomain implements PolicyAdmin.
func (c *PolicyCache) BlockDomain(ctx context.Context, domain string, at time.Time) error {
	defer c.forget()
	return c.PolicyStore.BlockDomain(ctx, domain, at)
}

// AllowDomain implements PolicyAdmin.
func (c *PolicyCache) AllowDomain(ctx context.Context, domain string, at time.Time) error {
	defer c.forget()
	return c.PolicyStore.AllowDomain(ctx, domain, at)
}

// RemoveDomain implements PolicyAdmin.
func (c *PolicyCache) RemoveDomain(ctx context.Context, domain string) error {
	defer c.forget()
	return c.PolicyStore.RemoveDomain(ctx, domain)
}

// SetAllowListMode implements PolicyAdmin.
func (c *PolicyCache) SetAllowListMode(ctx context.Context, on bool) error {
	defer c.forget()
	return c.PolicyStore.SetAllowListMode(ctx, on)
}
