package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// approvalCases check identity.ApprovalStore.
func approvalCases() []testCase {
	return []testCase{
		{"HoldAndRelease", testHoldAndRelease},
	}
}

func testHoldAndRelease(t *testing.T, w *world) {
	ctx := context.Background()
	as, ok := w.b.(identity.ApprovalStore)
	require.True(t, ok, "the backend must implement identity.ApprovalStore")
	first, second := w.account(), w.account()
	_, err := as.AccountHeldAt(ctx, first.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "not held")

	require.NoError(t, as.HoldAccount(ctx, second.ID, t0.Add(time.Minute)))
	require.NoError(t, as.HoldAccount(ctx, first.ID, t0))
	require.NoError(t, as.HoldAccount(ctx, first.ID, t0.Add(time.Hour)), "again")
	at, err := as.AccountHeldAt(ctx, first.ID)
	require.NoError(t, err)
	assert.True(t, at.Equal(t0), "the first time is kept")
	ids, err := as.HeldAccounts(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, []string{first.ID, second.ID}, ids, "oldest first")
	ids, err = as.HeldAccounts(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{first.ID}, ids)

	require.NoError(t, as.ReleaseAccount(ctx, first.ID))
	_, err = as.AccountHeldAt(ctx, first.ID)
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.NoError(t, as.ReleaseAccount(ctx, first.ID), "releasing again changes nothing")
	require.ErrorIs(t, as.HoldAccount(ctx, "no-such-account", t0), storage.ErrNotFound)
}
