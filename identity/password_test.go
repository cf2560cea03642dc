package identity_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

func TestDefaultArgon2Params(t *testing.T) {
	t.Parallel()
	assert.Equal(t, identity.Argon2Params{Time: 2, MemoryKiB: 19456, Threads: 1, KeyLen: 32, SaltLen: 16},
		identity.DefaultArgon2Params())
}

func TestHashPasswordRoundTrip(t *testing.T) {
	t.Parallel()
	p := cheapArgon2()
	h1, err := identity.HashPassword("correct horse battery", p)
	require.NoError(t, err)
	h2, err := identity.HashPassword("correct horse battery", p)
	require.NoError(t, err)

	assert.True(t, strings.HasPrefix(h1, "$argon2id$v=19$m=64,t=1,p=1$"), h1)
	parts := strings.Split(h1, "$")
	require.Len(t, parts, 6)
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	require.NoError(t, err)
	assert.Len(t, salt, 16)
	sum, err := base64.RawStdEncoding.DecodeString(parts[5])
	require.NoError(t, err)
	assert.Len(t, sum, 32)
	assert.NotEqual(t, h1, h2, "each hash has its own salt")

	for _, h := range []string{h1, h2} {
		ok, err := identity.VerifyPassword(h, "correct horse battery")
		require.NoError(t, err)
		assert.True(t, ok)
		ok, err = identity.VerifyPassword(h, "correct horse batterY")
		require.NoError(t, err)
		assert.False(t, ok)
		ok, err = identity.VerifyPassword(h, strings.Repeat("x", identity.MaxPasswordLength+1))
		require.NoError(t, err)
		assert.False(t, ok)
	}
}

func TestVerifyPasswordUsesTheHashParameters(t *testing.T) {
	t.Parallel()
	old := identity.Argon2Params{Time: 2, MemoryKiB: 32, Threads: 2, KeyLen: 24, SaltLen: 8}
	h, err := identity.HashPassword("an old password", old)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(h, "$argon2id$v=19$m=32,t=2,p=2$"), h)

	ok, err := identity.VerifyPassword(h, "an old password")
	require.NoError(t, err)
	assert.True(t, ok)
	assert.False(t, identity.NeedsRehash(h, old))
	assert.True(t, identity.NeedsRehash(h, cheapArgon2()))
	assert.True(t, identity.NeedsRehash("garbage", old))
}

func TestHashPasswordRefusesBadInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		password string
		params   identity.Argon2Params
	}{
		{"zero time", "long enough pw", identity.Argon2Params{Time: 0, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}},
		{"zero threads", "long enough pw", identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 0, KeyLen: 32, SaltLen: 16}},
		{"memory under 8 per thread", "long enough pw", identity.Argon2Params{Time: 1, MemoryKiB: 15, Threads: 2, KeyLen: 32, SaltLen: 16}},
		{"short key", "long enough pw", identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 8, SaltLen: 16}},
		{"short salt", "long enough pw", identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 4}},
		{"password too long", strings.Repeat("p", identity.MaxPasswordLength+1), cheapArgon2()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, err := identity.HashPassword(tt.password, tt.params)
			require.Error(t, err)
			assert.Empty(t, h)
		})
	}
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	t.Parallel()
	b64 := base64.RawStdEncoding.EncodeToString
	salt, sum := b64([]byte("saltsaltsaltsalt")), b64([]byte("0123456789abcdef0123456789abcdef"))
	good := "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + sum
	ok, err := identity.VerifyPassword(good, "whatever it is")
	require.NoError(t, err, "the base case must parse")
	assert.False(t, ok)

	tests := map[string]string{
		"empty":                 "",
		"not PHC":               "plain text",
		"no leading dollar":     "argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + sum,
		"argon2i":               "$argon2i$v=19$m=64,t=1,p=1$" + salt + "$" + sum,
		"bcrypt":                "$2b$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
		"old version":           "$argon2id$v=16$m=64,t=1,p=1$" + salt + "$" + sum,
		"missing version":       "$argon2id$m=64,t=1,p=1$" + salt + "$" + sum,
		"missing p":             "$argon2id$v=19$m=64,t=1$" + salt + "$" + sum,
		"repeated m":            "$argon2id$v=19$m=64,m=64,t=1,p=1$" + salt + "$" + sum,
		"unknown parameter":     "$argon2id$v=19$m=64,t=1,p=1,x=2$" + salt + "$" + sum,
		"parameter no value":    "$argon2id$v=19$m=64,t,p=1$" + salt + "$" + sum,
		"not a number":          "$argon2id$v=19$m=sixty,t=1,p=1$" + salt + "$" + sum,
		"negative":              "$argon2id$v=19$m=-64,t=1,p=1$" + salt + "$" + sum,
		"leading zero":          "$argon2id$v=19$m=064,t=1,p=1$" + salt + "$" + sum,
		"overflow":              "$argon2id$v=19$m=99999999999,t=1,p=1$" + salt + "$" + sum,
		"memory over 4 GiB":     "$argon2id$v=19$m=4194305,t=1,p=1$" + salt + "$" + sum,
		"zero time":             "$argon2id$v=19$m=64,t=0,p=1$" + salt + "$" + sum,
		"time over 64":          "$argon2id$v=19$m=64,t=65,p=1$" + salt + "$" + sum,
		"zero threads":          "$argon2id$v=19$m=64,t=1,p=0$" + salt + "$" + sum,
		"256 threads":           "$argon2id$v=19$m=4096,t=1,p=256$" + salt + "$" + sum,
		"salt not base64":       "$argon2id$v=19$m=64,t=1,p=1$sa!t$" + sum,
		"padded salt":           "$argon2id$v=19$m=64,t=1,p=1$" + base64.StdEncoding.EncodeToString([]byte("saltsaltsalt1")) + "$" + sum,
		"hash not base64":       "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$***",
		"short salt":            "$argon2id$v=19$m=64,t=1,p=1$" + b64([]byte("salt")) + "$" + sum,
		"short hash":            "$argon2id$v=19$m=64,t=1,p=1$" + salt + "$" + b64([]byte("short")),
		"extra segment":         good + "$extra",
		"missing hash":          "$argon2id$v=19$m=64,t=1,p=1$" + salt,
		"space in parameters":   "$argon2id$v=19$m=64, t=1,p=1$" + salt + "$" + sum,
		"empty parameter block": "$argon2id$v=19$$" + salt + "$" + sum,
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ok, err := identity.VerifyPassword(h, "whatever it is")
			require.ErrorIs(t, err, identity.ErrBadHash)
			assert.False(t, ok)
			assert.True(t, identity.NeedsRehash(h, cheapArgon2()))
		})
	}
}
