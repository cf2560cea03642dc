package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

// TestApproval: a held account cannot sign in nor act as its profile
// until an administrator approves it; the waiting list shows it.
func TestApproval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct, p := e.register(t, "new@example.org", "newcomer")
	require.NoError(t, e.svc.HoldForApproval(ctx, acct.ID))

	_, err := e.svc.Authenticate(ctx, "new@example.org", "a long enough password")
	require.ErrorIs(t, err, identity.ErrAwaitingApproval)
	_, err = e.svc.Authenticate(ctx, "new@example.org", "the wrong password")
	require.ErrorIs(t, err, identity.ErrBadCredentials, "the wait is told only to who knows the password")
	_, err = e.svc.ProfileOf(ctx, acct.ID, p.ID)
	require.ErrorIs(t, err, identity.ErrAwaitingApproval)
	waiting, err := e.svc.AwaitingApproval(ctx)
	require.NoError(t, err)
	require.Len(t, waiting, 1)
	assert.Equal(t, acct.ID, waiting[0].ID)

	require.NoError(t, e.svc.ApproveAccount(ctx, acct.ID))
	_, err = e.svc.Authenticate(ctx, "new@example.org", "a long enough password")
	require.NoError(t, err)
	waiting, err = e.svc.AwaitingApproval(ctx)
	require.NoError(t, err)
	assert.Empty(t, waiting)
	require.ErrorIs(t, e.svc.ApproveAccount(ctx, "no-such-account"), identity.ErrNotFound)
}
