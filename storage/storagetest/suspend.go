package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// suspensionCases check identity.SuspensionStore.
func suspensionCases() []testCase {
	return []testCase{
		{"SuspendAndLift", testSuspendAndLift},
		{"SuspendRolledBack", testSuspendRolledBack},
	}
}

func (w *world) suspensions() identity.SuspensionStore {
	w.t.Helper()
	s, ok := w.b.(identity.SuspensionStore)
	require.True(w.t, ok, "the backend must implement identity.SuspensionStore")
	return s
}

func testSuspendAndLift(t *testing.T, w *world) {
	ctx := context.Background()
	ss := w.suspensions()
	a := w.remoteActor()
	_, err := ss.ActorSuspendedAt(ctx, a.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "not suspended")

	require.NoError(t, ss.SetActorSuspended(ctx, a.ID, true, t0))
	at, err := ss.ActorSuspendedAt(ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, at.Equal(t0))
	require.NoError(t, ss.SetActorSuspended(ctx, a.ID, true, t0.Add(time.Hour)), "again")
	at, err = ss.ActorSuspendedAt(ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, at.Equal(t0), "the first time is kept")

	require.NoError(t, ss.SetActorSuspended(ctx, a.ID, false, t0))
	_, err = ss.ActorSuspendedAt(ctx, a.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "lifted")
	require.NoError(t, ss.SetActorSuspended(ctx, a.ID, false, t0), "lifting again changes nothing")

	for _, suspend := range []bool{true, false} {
		err := ss.SetActorSuspended(ctx, "no-such-actor", suspend, t0)
		require.ErrorIs(t, err, storage.ErrNotFound, "unknown actor, suspend=%v", suspend)
	}
}

func testSuspendRolledBack(t *testing.T, w *world) {
	ctx := context.Background()
	a := w.remoteActor()
	boom := errors.New("boom")
	err := w.b.InTx(ctx, func(tx storage.Tx) error {
		ss, err := storage.As[identity.SuspensionStore](tx)
		require.NoError(t, err)
		require.NoError(t, ss.SetActorSuspended(ctx, a.ID, true, t0))
		return boom
	})
	require.ErrorIs(t, err, boom)
	_, err = w.suspensions().ActorSuspendedAt(ctx, a.ID)
	require.ErrorIs(t, err, storage.ErrNotFound, "nothing kept")
}
