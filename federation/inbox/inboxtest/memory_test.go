package inboxtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/inbox/inboxtest"
)

var (
	_ inbox.Seen       = (*inboxtest.Seen)(nil)
	_ inbox.Tombstones = (*inboxtest.Tombstones)(nil)
	_ inbox.Policy     = (*inboxtest.Policy)(nil)
)

func TestPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name  string
		setup func(p *inboxtest.Policy)
		host  string
		want  bool
	}{
		{"open by default", func(*inboxtest.Policy) {}, "a.example", true},
		{"blocked", func(p *inboxtest.Policy) { p.Block("a.example") }, "a.example", false},
		{"blocked with port", func(p *inboxtest.Policy) { p.Block("a.example") }, "a.example:8443", false},
		{"subdomain of a blocked domain", func(p *inboxtest.Policy) { p.Block("a.example") }, "x.A.example", false},
		{"sibling of a blocked domain", func(p *inboxtest.Policy) { p.Block("a.example") }, "ba.example", true},
		{"allow-list, listed", func(p *inboxtest.Policy) { p.AllowOnly("a.example") }, "a.example", true},
		{"allow-list, not listed", func(p *inboxtest.Policy) { p.AllowOnly("a.example") }, "b.example", false},
		{"allow-list, listed but blocked", func(p *inboxtest.Policy) { p.AllowOnly("a.example"); p.Block("a.example") }, "a.example", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := inboxtest.NewPolicy()
			tt.setup(p)
			got, err := p.Allowed(ctx, tt.host)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestSeenAndTombstones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := inboxtest.NewSeen()
	ok, err := s.Claim(ctx, "https://a.example/1", time.Time{})
	require.NoError(t, err)
	assert.True(t, ok)
	ok, err = s.Claim(ctx, "https://a.example/1", time.Time{})
	require.NoError(t, err)
	assert.False(t, ok)
	require.NoError(t, s.Release(ctx, "https://a.example/1"))
	assert.Zero(t, s.Len())

	ts := inboxtest.NewTombstones()
	require.NoError(t, ts.AddTombstone(ctx, "https://a.example/e/1", time.Time{}))
	dead, err := ts.Tombstoned(ctx, "https://a.example/e/1")
	require.NoError(t, err)
	assert.True(t, dead)
	dead, err = ts.Tombstoned(ctx, "https://a.example/e/2")
	require.NoError(t, err)
	assert.False(t, dead)
}
