package inbox_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
)

func TestNormalizeDomain(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"b.example", "b.example"},
		{"B.Example", "b.example"},
		{"b.example:8443", "b.example"},
		{"b.example.", "b.example"},
		{" b.example ", "b.example"},
		{"xn--mnchen-3ya.example", "xn--mnchen-3ya.example"},
		{"127.0.0.1:8080", "127.0.0.1"},
		{"[::1]:8080", "[::1]"},
		{"[2001:DB8::1]", "[2001:db8::1]"},
		{"localhost", "localhost"},
	} {
		got, err := inbox.NormalizeDomain(c.in)
		require.NoError(t, err, c.in)
		assert.Equal(t, c.want, got, c.in)
	}
	for _, in := range []string{"", ":80", ".", ".example", "a..example", "a b", "a/b", "u@b.example",
		"[::1", "[]", "[::g]", "münchen.example", strings.Repeat("a", inbox.MaxDomainLen+1)} {
		_, err := inbox.NormalizeDomain(in)
		assert.ErrorIs(t, err, inbox.ErrInvalidDomain, "%q", in)
	}
}

func TestDomainSuffixes(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"x.b.example": {"x.b.example", "b.example", "example"},
		"localhost":   {"localhost"},
		"1.2.3.4":     {"1.2.3.4"},
		"[::1]":       {"[::1]"},
	} {
		assert.Equal(t, want, inbox.DomainSuffixes(in), in)
	}
}
