package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// DomainRule is an administrator's rule for one domain.
type DomainRule string

// The domain rules. A block covers the domain and its subdomains
// (b.example blocks x.b.example, not ab.example) and wins over any
// allow rule. An allow rule matters only in allow-list mode, and covers
// the exact domain only.
const (
	RuleBlock DomainRule = "block"
	RuleAllow DomainRule = "allow"
)

// MaxDomainLen bounds a domain of a rule (a DNS name is at most 253
// bytes; a bracketed IPv6 literal is shorter).
const MaxDomainLen = 253

// ErrInvalidDomain is wrapped by the errors of [NormalizeDomain] and of
// the PolicyAdmin methods given a malformed domain.
var ErrInvalidDomain = errors.New("inbox: invalid domain")

// Domain is one rule of the federation policy.
type Domain struct {
	Domain    string // normalized, see NormalizeDomain
	Rule      DomainRule
	CreatedAt time.Time // when the rule was last set
}

// PolicyAdmin is the administration side of the federation policy and
// of the inbox's remembered state, for an admin UI and for maintenance.
// A SQL store implements it next to Policy, Seen and Tombstones
// (federation_domains, federation_settings and inbox_seen of migration
// 0005).
//
// Domains are normalized with NormalizeDomain: lower case, a trailing
// dot and the port removed. Ports are ignored throughout: a rule on
// b.example covers b.example:8443, and Allowed("b.example:8443") is
// answered as for b.example.
type PolicyAdmin interface {
	// BlockDomain blocks domain and its subdomains, replacing an allow
	// rule on the same domain.
	BlockDomain(ctx context.Context, domain string, at time.Time) error
	// AllowDomain allows domain in allow-list mode, replacing a block
	// rule on the same domain.
	AllowDomain(ctx context.Context, domain string, at time.Time) error
	// RemoveDomain removes the rule on domain; storage.ErrNotFound when
	// there is none.
	RemoveDomain(ctx context.Context, domain string) error
	// ListDomains returns every rule, ordered by domain.
	ListDomains(ctx context.Context) ([]Domain, error)
	// SetAllowListMode switches allow-list mode: on, only allowed
	// domains (and no blocked one) federate.
	SetAllowListMode(ctx context.Context, on bool) error
	// AllowListMode reports whether allow-list mode is on.
	AllowListMode(ctx context.Context) (bool, error)
	// PruneSeen forgets the activity ids received before the given
	// time and returns how many it forgot.
	PruneSeen(ctx context.Context, before time.Time) (int64, error)
}

// TombstoneDates reads the deletion time a Tombstones store kept (the
// first one added), for the `deleted` property of a Tombstone.
type TombstoneDates interface {
	// TombstonedAt returns when iri was first deleted, in UTC;
	// storage.ErrNotFound when it was not.
	TombstonedAt(ctx context.Context, iri string) (time.Time, error)
}

// NormalizeDomain returns the policy form of a host or domain: lower
// case, without port and trailing dot ("B.Example:8443" → "b.example";
// "[::1]:80" → "[::1]"). Empty names, names longer than MaxDomainLen,
// and names with characters outside letters, digits, '-', '.', '_' (or
// a bracketed IPv6 literal) are ErrInvalidDomain.
func NormalizeDomain(host string) (string, error) {
	h := strings.ToLower(strings.TrimSpace(host))
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", fmt.Errorf("%w: %q", ErrInvalidDomain, host)
		}
		h6 := h[:end+1]
		for _, c := range h6[1 : len(h6)-1] {
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c == ':' || c == '.') {
				return "", fmt.Errorf("%w: %q", ErrInvalidDomain, host)
			}
		}
		if len(h6) == 2 {
			return "", fmt.Errorf("%w: %q", ErrInvalidDomain, host)
		}
		return h6, nil
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		h = h[:i]
	}
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > MaxDomainLen || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return "", fmt.Errorf("%w: %q", ErrInvalidDomain, host)
	}
	for _, c := range h {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_') {
			return "", fmt.Errorf("%w: %q", ErrInvalidDomain, host)
		}
	}
	return h, nil
}

// DomainSuffixes returns a normalized domain and its parent domains,
// the rules that may block it: "x.b.example" → [x.b.example b.example
// example]. An IP literal has no parents.
func DomainSuffixes(domain string) []string {
	if strings.HasPrefix(domain, "[") || strings.Trim(domain, "0123456789.") == "" {
		return []string{domain}
	}
	out := []string{domain}
	for d := domain; ; {
		i := strings.IndexByte(d, '.')
		if i < 0 {
			return out
		}
		d = d[i+1:]
		out = append(out, d)
	}
}
