package identity_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "sam@example.org", "sam")

	text, sess, err := e.svc.CreateSession(ctx, a.ID, "  phone ")
	require.NoError(t, err)
	assert.Len(t, text, 43)
	raw, err := base64.RawURLEncoding.DecodeString(text)
	require.NoError(t, err)
	assert.Len(t, raw, identity.SessionTokenBytes)
	sum := sha256.Sum256([]byte(text))
	assert.Equal(t, sum[:], sess.Hash, "only the SHA-256 is stored")
	assert.Equal(t, a.ID, sess.AccountID)
	assert.Equal(t, "phone", sess.Label, "the label is trimmed")
	now := e.clock.Now().UTC().Truncate(time.Microsecond)
	assert.Equal(t, now, sess.CreatedAt)
	assert.Equal(t, now, sess.LastUsedAt)
	assert.Equal(t, now.Add(identity.SessionLifetime), sess.ExpiresAt())

	e.clock.Advance(time.Minute)
	text2, sess2, err := e.svc.CreateSession(ctx, a.ID, "")
	require.NoError(t, err)
	assert.NotEqual(t, text, text2)

	got, err := e.svc.ResolveSession(ctx, text)
	require.NoError(t, err)
	assert.Equal(t, sess, got)

	list, err := e.svc.ListSessions(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, sess.ID, list[0].ID)
	assert.Equal(t, sess2.ID, list[1].ID)

	require.NoError(t, e.svc.RevokeSession(ctx, a.ID, sess.ID))
	_, err = e.svc.ResolveSession(ctx, text)
	require.ErrorIs(t, err, identity.ErrNotFound, "revoked")
	require.ErrorIs(t, e.svc.RevokeSession(ctx, a.ID, sess.ID), identity.ErrNotFound, "revoked twice")
	_, err = e.svc.ResolveSession(ctx, text2)
	require.NoError(t, err, "revoking one session leaves the others")
}

// touchCounter counts TouchSession calls and can make them fail.
type touchCounter struct {
	identity.Store
	n    atomic.Int32
	fail bool
}

func (s *touchCounter) TouchSession(ctx context.Context, id string, at time.Time) error {
	s.n.Add(1)
	if s.fail {
		return errors.New("disk full")
	}
	return s.Store.TouchSession(ctx, id, at)
}

func TestSessionSlidingExpiry(t *testing.T) {
	t.Parallel()
	counter := &touchCounter{}
	e := newEnv(t, func(c *identity.Config) {
		counter.Store = c.Store
		c.Store = counter
	})
	ctx := context.Background()
	a, _ := e.register(t, "sal@example.org", "sal")
	text, sess, err := e.svc.CreateSession(ctx, a.ID, "cli")
	require.NoError(t, err)

	// Many uses within the touch interval write nothing.
	for range 5 {
		e.clock.Advance(identity.SessionTouchInterval / 10)
		got, err := e.svc.ResolveSession(ctx, text)
		require.NoError(t, err)
		assert.Equal(t, sess.LastUsedAt, got.LastUsedAt)
	}
	assert.Zero(t, counter.n.Load(), "no write within the touch interval")

	// Once the interval has passed, one use writes the time, once.
	e.clock.Advance(identity.SessionTouchInterval)
	got, err := e.svc.ResolveSession(ctx, text)
	require.NoError(t, err)
	touched := e.clock.Now().UTC().Truncate(time.Microsecond)
	assert.Equal(t, touched, got.LastUsedAt)
	_, err = e.svc.ResolveSession(ctx, text)
	require.NoError(t, err)
	assert.EqualValues(t, 1, counter.n.Load(), "one write per interval")

	// Used just before it expires, the session lives on past the first
	// expiry.
	e.clock.Advance(identity.SessionLifetime - time.Minute)
	_, err = e.svc.ResolveSession(ctx, text)
	require.NoError(t, err, "sliding: still valid")
	e.clock.Advance(2 * time.Minute)
	_, err = e.svc.ResolveSession(ctx, text)
	require.NoError(t, err, "the last use moved the expiry")

	// Left alone for SessionLifetime, it expires.
	e.clock.Advance(identity.SessionLifetime)
	_, err = e.svc.ResolveSession(ctx, text)
	require.ErrorIs(t, err, identity.ErrNotFound, "expired")
	list, err := e.svc.ListSessions(ctx, a.ID)
	require.NoError(t, err)
	assert.Empty(t, list, "expired sessions are not listed")

	// A failed touch does not fail the request.
	text, _, err = e.svc.CreateSession(ctx, a.ID, "")
	require.NoError(t, err)
	counter.fail = true
	e.clock.Advance(2 * identity.SessionTouchInterval)
	_, err = e.svc.ResolveSession(ctx, text)
	require.NoError(t, err)
}

func TestSessionRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "rue@example.org", "rue")
	other, _ := e.register(t, "ola@example.org", "ola")
	text, sess, err := e.svc.CreateSession(ctx, a.ID, "")
	require.NoError(t, err)

	t.Run("malformed and unknown tokens", func(t *testing.T) {
		for _, tok := range []string{
			"", "short", text + "x", text[:42], strings.Repeat("A", 43),
			strings.ReplaceAll(text, text[:1], "+"), text[:42] + "=", strings.Repeat("é", 22),
		} {
			_, err := e.svc.ResolveSession(ctx, tok)
			require.ErrorIs(t, err, identity.ErrNotFound, "%q", tok)
		}
	})
	t.Run("another account's session", func(t *testing.T) {
		require.ErrorIs(t, e.svc.RevokeSession(ctx, other.ID, sess.ID), identity.ErrNotFound)
		_, err := e.svc.ResolveSession(ctx, text)
		require.NoError(t, err, "still valid")
		list, err := e.svc.ListSessions(ctx, other.ID)
		require.NoError(t, err)
		assert.Empty(t, list)
	})
	t.Run("bad labels", func(t *testing.T) {
		for _, label := range []string{strings.Repeat("x", identity.MaxSessionLabelLength+1), "a\nb", "\x00", "bad \xff"} {
			_, _, err := e.svc.CreateSession(ctx, a.ID, label)
			var ve *identity.ValidationError
			require.ErrorAs(t, err, &ve, "%q", label)
			assert.Equal(t, "label", ve.Field)
		}
		list, err := e.svc.ListSessions(ctx, a.ID)
		require.NoError(t, err)
		assert.Len(t, list, 1, "refused sessions are not stored")
	})
	t.Run("unknown account", func(t *testing.T) {
		_, _, err := e.svc.CreateSession(ctx, "no-such-account", "")
		require.ErrorIs(t, err, identity.ErrNotFound)
	})
}

func TestSessionSuspendedAndUnconfirmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "sue@example.org", "sue")
	text, _, err := e.svc.CreateSession(ctx, a.ID, "")
	require.NoError(t, err)

	_, err = e.svc.Suspend(ctx, a.ID, true)
	require.NoError(t, err)
	_, err = e.svc.ResolveSession(ctx, text)
	require.ErrorIs(t, err, identity.ErrSuspended)
	_, _, err = e.svc.CreateSession(ctx, a.ID, "")
	require.ErrorIs(t, err, identity.ErrSuspended)
	_, err = e.svc.Suspend(ctx, a.ID, false)
	require.NoError(t, err)
	_, err = e.svc.ResolveSession(ctx, text)
	require.NoError(t, err, "lifting the suspension makes the session work again")

	fresh, _, err := e.svc.Register(ctx, identity.RegisterInput{Email: "new@example.org", Password: "a long enough password", Username: "newbie"})
	require.NoError(t, err)
	_, _, err = e.svc.CreateSession(ctx, fresh.ID, "")
	require.ErrorIs(t, err, identity.ErrNotConfirmed)
	list, err := e.svc.ListSessions(ctx, fresh.ID)
	require.NoError(t, err)
	assert.Empty(t, list)
}

func TestSessionLimitEndsTheLeastRecentlyUsed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "max@example.org", "max")
	var texts []string
	for range identity.MaxSessionsPerAccount {
		text, _, err := e.svc.CreateSession(ctx, a.ID, "")
		require.NoError(t, err)
		texts = append(texts, text)
		e.clock.Advance(time.Second)
	}
	// The first session is used, so the second is now the least
	// recently used.
	e.clock.Advance(identity.SessionTouchInterval)
	_, err := e.svc.ResolveSession(ctx, texts[0])
	require.NoError(t, err)

	_, _, err = e.svc.CreateSession(ctx, a.ID, "one more")
	require.NoError(t, err)
	list, err := e.svc.ListSessions(ctx, a.ID)
	require.NoError(t, err)
	assert.Len(t, list, identity.MaxSessionsPerAccount)
	_, err = e.svc.ResolveSession(ctx, texts[1])
	require.ErrorIs(t, err, identity.ErrNotFound, "the least recently used session ended")
	_, err = e.svc.ResolveSession(ctx, texts[0])
	require.NoError(t, err)
	_, err = e.svc.ResolveSession(ctx, texts[2])
	require.NoError(t, err)
}
