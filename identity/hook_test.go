package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// recordingHook records follow changes and fails while fail is set.
type recordingHook struct {
	changes []identity.FollowChange
	fail    bool
}

func (h *recordingHook) FollowChanged(_ context.Context, tx storage.Tx, c identity.FollowChange) error {
	if tx == nil {
		return errors.New("no transaction")
	}
	if h.fail {
		return errors.New("hook failed")
	}
	h.changes = append(h.changes, c)
	return nil
}

func TestFollowHook(t *testing.T) {
	t.Parallel()
	h := &recordingHook{}
	e := newEnv(t, func(c *identity.Config) { c.Hook = h })
	ctx := context.Background()
	_, alice := e.register(t, "alice@example.org", "alice")
	remote := e.putRemote(t, "remote.example", "rita")

	type step struct {
		name    string
		do      func() error
		want    identity.FollowChange // Follow compared by state only
		state   identity.FollowState
		nothing bool
	}
	steps := []step{
		{name: "request", do: func() error { _, err := e.svc.Follow(ctx, alice.ID, remote.ID, ""); return err },
			want: identity.FollowChange{Request: true}, state: identity.FollowPending},
		{name: "accepted by the remote", do: func() error { _, err := e.svc.AcceptFollow(ctx, alice.ID, remote.ID); return err },
			want: identity.FollowChange{Previous: identity.FollowPending}, state: identity.FollowAccepted},
		{name: "accepting again changes nothing", do: func() error { _, err := e.svc.AcceptFollow(ctx, alice.ID, remote.ID); return err },
			nothing: true},
		{name: "asked again while accepted", do: func() error { _, err := e.svc.Follow(ctx, alice.ID, remote.ID, ""); return err },
			want: identity.FollowChange{Previous: identity.FollowAccepted, Request: true}, state: identity.FollowAccepted},
		{name: "unfollow", do: func() error { return e.svc.Unfollow(ctx, alice.ID, remote.ID) },
			want: identity.FollowChange{Previous: identity.FollowAccepted, Removed: true}, state: identity.FollowAccepted},
	}
	for _, s := range steps {
		n := len(h.changes)
		require.NoError(t, s.do(), s.name)
		if s.nothing {
			assert.Len(t, h.changes, n, s.name)
			continue
		}
		require.Len(t, h.changes, n+1, s.name)
		got := h.changes[n]
		assert.Equal(t, s.want.Previous, got.Previous, s.name)
		assert.Equal(t, s.want.Request, got.Request, s.name)
		assert.Equal(t, s.want.Removed, got.Removed, s.name)
		assert.Equal(t, s.state, got.Follow.State, s.name)
		assert.Equal(t, alice.ID, got.Follower.ID, s.name)
		assert.Equal(t, remote.ID, got.Followed.ID, s.name)
	}

	// A failing hook rolls the change back.
	h.fail = true
	_, err := e.svc.Follow(ctx, alice.ID, remote.ID, "")
	require.Error(t, err)
	_, err = e.svc.GetFollow(ctx, alice.ID, remote.ID)
	require.ErrorIs(t, err, identity.ErrNotFound)
	h.fail = false
	_, err = e.svc.Follow(ctx, alice.ID, remote.ID, "")
	require.NoError(t, err)
	h.fail = true
	require.Error(t, e.svc.Unfollow(ctx, alice.ID, remote.ID))
	_, err = e.svc.GetFollow(ctx, alice.ID, remote.ID)
	require.NoError(t, err, "the failed unfollow kept the follow")
}
