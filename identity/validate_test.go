package identity_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

// requireField asserts that err is a *ValidationError for field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.Error(t, err)
	var ve *identity.ValidationError
	require.True(t, errors.As(err, &ve), "want a *ValidationError, got %T: %v", err, err)
	assert.Equal(t, field, ve.Field, "error: %v", err)
	assert.NotEmpty(t, ve.Reason)
	assert.ErrorIs(t, err, identity.ErrInvalid)
}

func TestNormalizeEmail(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 64) + "@" + strings.Repeat("b", 63) + "." + strings.Repeat("c", 63) + "." + strings.Repeat("d", 57) + ".org"
	require.Len(t, long, 254)
	tests := []struct {
		in, want string
	}{
		{"alice@example.org", "alice@example.org"},
		{"  Alice@Example.ORG \n", "alice@example.org"},
		{"ALICE.B+events@mail.example.org", "alice.b+events@mail.example.org"},
		{"o'brien@example.ie", "o'brien@example.ie"},
		{"Élodie@Exämple.org", "élodie@exämple.org"},
		{"user@localhost", "user@localhost"},
		{strings.ToUpper(long), long},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := identity.NormalizeEmail(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			again, err := identity.NormalizeEmail(got)
			require.NoError(t, err)
			assert.Equal(t, got, again, "normalizing is idempotent")
		})
	}
}

func TestNormalizeEmailRefuses(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"empty":            "",
		"blank":            "   ",
		"no at":            "alice",
		"no domain":        "alice@",
		"no local part":    "@example.org",
		"display name":     "Alice <alice@example.org>",
		"angle brackets":   "<alice@example.org>",
		"two addresses":    "a@example.org, b@example.org",
		"comment":          "alice@example.org (work)",
		"quoted local":     `"alice smith"@example.org`,
		"space inside":     "al ice@example.org",
		"new line inside":  "alice@exa\nmple.org",
		"two ats":          "a@b@example.org",
		"invalid UTF-8":    "\xff@example.org",
		"255 bytes":        strings.Repeat("a", 64) + "@" + strings.Repeat("b", 186) + ".org",
		"double dot":       "alice..b@example.org",
		"trailing dot":     "alice.@example.org",
		"domain with dots": "alice@example..org",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := identity.NormalizeEmail(in)
			requireField(t, err, "email")
			assert.Empty(t, got)
		})
	}
}

func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{
		"alice@example.org", " Alice@Example.ORG ", "Alice <a@b.org>", `"q"@x.org`,
		"a@[127.0.0.1]", "İSTANBUL@example.org", "ǅ@x.org", "a@b", "", "@", "a@b@c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := identity.NormalizeEmail(in)
		if err != nil {
			var ve *identity.ValidationError
			if !errors.As(err, &ve) || ve.Field != "email" {
				t.Fatalf("NormalizeEmail(%q): error %v is not a ValidationError for email", in, err)
			}
			return
		}
		if len(out) > identity.MaxEmailLength || !strings.Contains(out, "@") {
			t.Fatalf("NormalizeEmail(%q) = %q: too long or no @", in, out)
		}
		if out != strings.ToLower(out) {
			t.Fatalf("NormalizeEmail(%q) = %q: not lower case", in, out)
		}
		again, err := identity.NormalizeEmail(out)
		if err != nil || again != out {
			t.Fatalf("NormalizeEmail(%q) = %q, but again gives %q, %v", in, out, again, err)
		}
	})
}
