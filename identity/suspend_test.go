package identity_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

// TestSuspendActor: a moderator's suspension of one profile stops it
// from being acted as, not the account's other profiles; lifting it
// restores it. Remote actors are suspended the same way.
func TestSuspendActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	acct, first := e.register(t, "ann@example.org", "ann")
	second, err := e.svc.CreateProfile(ctx, acct.ID, identity.ProfileInput{Username: "ann_choir"})
	require.NoError(t, err)

	require.NoError(t, e.svc.SuspendActor(ctx, second.ID, true))
	_, err = e.svc.ProfileOf(ctx, acct.ID, second.ID)
	require.ErrorIs(t, err, identity.ErrSuspended)
	_, err = e.svc.ProfileOf(ctx, acct.ID, first.ID)
	require.NoError(t, err, "the account's other profile still acts")
	suspended, err := e.svc.ActorSuspended(ctx, second.ID)
	require.NoError(t, err)
	assert.True(t, suspended)

	require.NoError(t, e.svc.SuspendActor(ctx, second.ID, false))
	_, err = e.svc.ProfileOf(ctx, acct.ID, second.ID)
	require.NoError(t, err)

	remote := e.putRemote(t, "remote.example", "rita")
	require.NoError(t, e.svc.SuspendActor(ctx, remote.ID, true))
	suspended, err = e.svc.ActorSuspendedByAPID(ctx, remote.APID)
	require.NoError(t, err)
	assert.True(t, suspended)
	suspended, err = e.svc.ActorSuspendedByAPID(ctx, "https://unknown.example/u/x")
	require.NoError(t, err)
	assert.False(t, suspended)
	require.ErrorIs(t, e.svc.SuspendActor(ctx, "no-such-actor", true), identity.ErrNotFound)
}
