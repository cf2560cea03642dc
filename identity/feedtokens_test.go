package identity_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

func TestFeedTokenLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, p := e.register(t, "una@example.org", "una")

	text, tok, err := e.svc.CreateFeedToken(ctx, a.ID, "")
	require.NoError(t, err)
	assert.Len(t, text, 43)
	raw, err := base64.RawURLEncoding.DecodeString(text)
	require.NoError(t, err)
	assert.Len(t, raw, identity.FeedTokenBytes)
	sum := sha256.Sum256([]byte(text))
	assert.Equal(t, sum[:], tok.Hash, "only the SHA-256 is stored")
	assert.Equal(t, a.ID, tok.AccountID)
	assert.Empty(t, tok.ProfileID)
	assert.True(t, tok.RevokedAt.IsZero())

	text2, tok2, err := e.svc.CreateFeedToken(ctx, a.ID, p.ID)
	require.NoError(t, err)
	assert.NotEqual(t, text, text2)
	assert.Equal(t, p.ID, tok2.ProfileID)

	got, err := e.svc.ResolveFeedToken(ctx, text)
	require.NoError(t, err)
	assert.Equal(t, tok, got)
	got, err = e.svc.ResolveFeedToken(ctx, text2)
	require.NoError(t, err)
	assert.Equal(t, p.ID, got.ProfileID)

	list, err := e.svc.ListFeedTokens(ctx, a.ID)
	require.NoError(t, err)
	assert.Len(t, list, 2)

	e.clock.Advance(time.Hour)
	require.NoError(t, e.svc.RevokeFeedToken(ctx, a.ID, tok.ID))
	_, err = e.svc.ResolveFeedToken(ctx, text)
	require.ErrorIs(t, err, identity.ErrNotFound, "revoked")
	require.NoError(t, e.svc.RevokeFeedToken(ctx, a.ID, tok.ID), "revoking twice is harmless")
	list, err = e.svc.ListFeedTokens(ctx, a.ID)
	require.NoError(t, err)
	for _, x := range list {
		if x.ID == tok.ID {
			assert.Equal(t, e.clock.Now().UTC().Truncate(time.Microsecond), x.RevokedAt)
		} else {
			assert.True(t, x.RevokedAt.IsZero())
		}
	}
	_, err = e.svc.ResolveFeedToken(ctx, text2)
	require.NoError(t, err, "the other token still works")

	// Suspension stops every token; lifting it brings them back.
	_, err = e.svc.Suspend(ctx, a.ID, true)
	require.NoError(t, err)
	_, err = e.svc.ResolveFeedToken(ctx, text2)
	require.ErrorIs(t, err, identity.ErrNotFound)
	_, _, err = e.svc.CreateFeedToken(ctx, a.ID, "")
	require.ErrorIs(t, err, identity.ErrSuspended)
	_, err = e.svc.Suspend(ctx, a.ID, false)
	require.NoError(t, err)
	_, err = e.svc.ResolveFeedToken(ctx, text2)
	require.NoError(t, err)
}

func TestResolveFeedTokenRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "vic@example.org", "vic")
	text, _, err := e.svc.CreateFeedToken(ctx, a.ID, "")
	require.NoError(t, err)
	flipped := []byte(text)
	flipped[10] ^= 1 // still base64url, another token
	if flipped[10] == '-' || flipped[10] == '_' {
		flipped[10] = 'A'
	}

	tests := map[string]string{
		"empty":            "",
		"short":            text[:42],
		"long":             text + "A",
		"padded":           text[:42] + "=",
		"standard base64":  strings.Repeat("+", 43),
		"spaces":           strings.Repeat(" ", 43),
		"one bit off":      string(flipped),
		"unknown":          base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		"non-canonical":    text[:42] + string(nonCanonicalLast(text[42])),
		"path traversal":   "../../../../../../../../../../../etc/passwd",
		"upper-cased copy": strings.ToUpper(text),
	}
	for name, tok := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tok == text {
				t.Skip("the variant equals the token")
			}
			got, err := e.svc.ResolveFeedToken(ctx, tok)
			require.ErrorIs(t, err, identity.ErrNotFound)
			assert.Nil(t, got)
		})
	}
}

// nonCanonicalLast returns a last character that decodes to the same
// bytes with non-zero padding bits (refused by strict decoding).
func nonCanonicalLast(c byte) byte {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, c)
	return alphabet[i|1] // 43 chars of 6 bits hold 256 bits + 2 padding bits
}

func TestFeedTokenOwnership(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "wes@example.org", "wes")
	b, _ := e.register(t, "xia@example.org", "xia")
	text, tok, err := e.svc.CreateFeedToken(ctx, b.ID, "")
	require.NoError(t, err)

	ownText, _, err := e.svc.CreateFeedToken(ctx, a.ID, "")
	require.NoError(t, err)

	beforeA, beforeB := e.state(t, a.ID), e.state(t, b.ID)
	require.ErrorIs(t, e.svc.RevokeFeedToken(ctx, a.ID, tok.ID), identity.ErrNotFound)
	assert.Equal(t, beforeA, e.state(t, a.ID))
	assert.Equal(t, beforeB, e.state(t, b.ID))
	_, err = e.svc.ResolveFeedToken(ctx, text)
	require.NoError(t, err, "still valid")
	_, err = e.svc.ResolveFeedToken(ctx, ownText)
	require.NoError(t, err, "still valid")

	require.ErrorIs(t, e.svc.RevokeFeedToken(ctx, a.ID, "no-such-token"), identity.ErrNotFound)
	_, _, err = e.svc.CreateFeedToken(ctx, "no-such-account", "")
	require.ErrorIs(t, err, identity.ErrNotFound)
	beforeA = e.state(t, a.ID)
	_, _, err = e.svc.CreateFeedToken(ctx, a.ID, "no-such-profile")
	require.ErrorIs(t, err, identity.ErrNotFound)
	assert.Equal(t, beforeA, e.state(t, a.ID))
}

func TestFeedTokenLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "yves@example.org", "yves")
	var first string
	for i := range identity.MaxFeedTokensPerAccount {
		_, tok, err := e.svc.CreateFeedToken(ctx, a.ID, "")
		require.NoError(t, err)
		if i == 0 {
			first = tok.ID
		}
	}
	before := e.state(t, a.ID)
	_, _, err := e.svc.CreateFeedToken(ctx, a.ID, "")
	requireField(t, err, "feed_tokens")
	assert.Equal(t, before, e.state(t, a.ID))

	require.NoError(t, e.svc.RevokeFeedToken(ctx, a.ID, first))
	_, _, err = e.svc.CreateFeedToken(ctx, a.ID, "")
	require.NoError(t, err, "revoked tokens do not count")
}
