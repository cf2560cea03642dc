package identity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func TestFollowInitialState(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, alice := e.register(t, "alice@example.org", "alice")
	_, bob := e.register(t, "bob@example.org", "bob")
	openGroup := e.localActor(t, identity.TypeGroup, "open_group", false)
	closedGroup := e.localActor(t, identity.TypeGroup, "closed_group", true)
	remote := e.putRemote(t, "remote.example", "rita")

	tests := []struct {
		name               string
		follower, followed string
		apID               string
		want               identity.FollowState
		wantAPIDPrefix     string
	}{
		{"local person follows local person", alice.ID, bob.ID, "", identity.FollowAccepted, "https://events.example/follows/"},
		{"local person follows open group", alice.ID, openGroup.ID, "", identity.FollowAccepted, "https://events.example/follows/"},
		{"local person follows group with approval", alice.ID, closedGroup.ID, "", identity.FollowPending, "https://events.example/follows/"},
		{"local person follows remote actor", alice.ID, remote.ID, "https://events.example/f/1", identity.FollowPending, "https://events.example/f/1"},
		{"remote actor follows local person", remote.ID, bob.ID, "https://remote.example/follows/9", identity.FollowAccepted, "https://remote.example/follows/9"},
		{"remote actor follows group with approval", remote.ID, closedGroup.ID, "https://remote.example/follows/10", identity.FollowPending, "https://remote.example/follows/10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := e.svc.Follow(ctx, tt.follower, tt.followed, tt.apID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, f.State)
			assert.True(t, strings.HasPrefix(f.APID, tt.wantAPIDPrefix), f.APID)
			assert.Equal(t, tt.follower, f.FollowerID)
			assert.Equal(t, tt.followed, f.FollowedID)
			stored, err := e.svc.GetFollow(ctx, tt.follower, tt.followed)
			require.NoError(t, err)
			assert.Equal(t, f, stored)
			byAPID, err := e.svc.GetFollowByAPID(ctx, f.APID)
			require.NoError(t, err)
			assert.Equal(t, f.ID, byAPID.ID)
		})
	}
}

func TestFollowRefuses(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, alice := e.register(t, "alice@example.org", "alice")
	_, bob := e.register(t, "bob@example.org", "bob")
	remote := e.putRemote(t, "remote.example", "rita")
	taken, err := e.svc.Follow(ctx, remote.ID, alice.ID, "https://remote.example/follows/1")
	require.NoError(t, err)

	tests := []struct {
		name               string
		follower, followed string
		apID               string
		field              string // "" for ErrNotFound
	}{
		{"self", alice.ID, alice.ID, "", "followed_id"},
		{"remote follower without id", remote.ID, bob.ID, "", "ap_id"},
		{"remote follower, id on another host", remote.ID, bob.ID, "https://evil.example/follows/2", "ap_id"},
		{"local follower, id on a remote host", alice.ID, bob.ID, "https://remote.example/follows/3", "ap_id"},
		{"id not a URL", remote.ID, bob.ID, "follow-4", "ap_id"},
		{"id of another follow", remote.ID, bob.ID, taken.APID, "ap_id"},
		{"unknown follower", "nobody", bob.ID, "", ""},
		{"unknown followed", alice.ID, "nobody", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := e.svc.Follow(ctx, tt.follower, tt.followed, tt.apID)
			assert.Nil(t, f)
			if tt.field == "" {
				require.ErrorIs(t, err, identity.ErrNotFound)
			} else {
				requireField(t, err, tt.field)
			}
			_, err = e.store.GetFollow(ctx, tt.follower, tt.followed)
			if tt.follower == remote.ID && tt.followed == alice.ID {
				return
			}
			require.ErrorIs(t, err, storage.ErrNotFound, "nothing stored")
		})
	}
	_, err = e.svc.Follow(ctx, remote.ID, bob.ID, taken.APID)
	require.ErrorIs(t, err, identity.ErrConflict, "a taken id is also a conflict")
}

// The follow state machine, from each state through each transition.
func TestFollowStateMachine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, alice := e.register(t, "alice@example.org", "alice")

	type step string
	const (
		accept   step = "accept"
		reject   step = "reject"
		refollow step = "follow"
		unfollow step = "unfollow"
	)
	tests := []struct {
		from    identity.FollowState
		step    step
		want    identity.FollowState // "" when the follow is gone
		wantErr error
	}{
		{identity.FollowPending, accept, identity.FollowAccepted, nil},
		{identity.FollowPending, reject, identity.FollowRejected, nil},
		{identity.FollowPending, refollow, identity.FollowPending, nil},
		{identity.FollowPending, unfollow, "", nil},
		{identity.FollowAccepted, accept, identity.FollowAccepted, nil},
		{identity.FollowAccepted, reject, identity.FollowRejected, nil},
		{identity.FollowAccepted, refollow, identity.FollowAccepted, nil},
		{identity.FollowAccepted, unfollow, "", nil},
		{identity.FollowRejected, accept, identity.FollowRejected, identity.ErrFollowState},
		{identity.FollowRejected, reject, identity.FollowRejected, nil},
		{identity.FollowRejected, refollow, identity.FollowPending, nil},
		{identity.FollowRejected, unfollow, "", nil},
	}
	for i, tt := range tests {
		t.Run(fmt.Sprintf("%s %s", tt.from, tt.step), func(t *testing.T) {
			// alice follows a remote actor: pending until its answer.
			remote := e.putRemote(t, "remote.example", fmt.Sprintf("r%d", i))
			apID := fmt.Sprintf("https://events.example/f/%d", i)
			f, err := e.svc.Follow(ctx, alice.ID, remote.ID, apID)
			require.NoError(t, err)
			require.Equal(t, identity.FollowPending, f.State)
			switch tt.from {
			case identity.FollowAccepted:
				_, err = e.svc.AcceptFollow(ctx, alice.ID, remote.ID)
			case identity.FollowRejected:
				_, err = e.svc.RejectFollow(ctx, alice.ID, remote.ID)
			}
			require.NoError(t, err)
			e.clock.Advance(time.Second)

			var got *identity.Follow
			switch tt.step {
			case accept:
				got, err = e.svc.AcceptFollow(ctx, alice.ID, remote.ID)
			case reject:
				got, err = e.svc.RejectFollow(ctx, alice.ID, remote.ID)
			case refollow:
				got, err = e.svc.Follow(ctx, alice.ID, remote.ID, apID+"/again")
			case unfollow:
				err = e.svc.Unfollow(ctx, alice.ID, remote.ID)
			}
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			stored, getErr := e.svc.GetFollow(ctx, alice.ID, remote.ID)
			if tt.want == "" {
				require.ErrorIs(t, getErr, identity.ErrNotFound)
				require.ErrorIs(t, e.svc.Unfollow(ctx, alice.ID, remote.ID), identity.ErrNotFound)
				return
			}
			require.NoError(t, getErr)
			assert.Equal(t, tt.want, stored.State)
			assert.Equal(t, f.ID, stored.ID, "one row per pair")
			assert.Equal(t, f.CreatedAt, stored.CreatedAt)
			if got != nil {
				assert.Equal(t, tt.want, got.State)
			}
			if tt.step == refollow {
				assert.Equal(t, apID+"/again", stored.APID, "the new Follow id is kept")
			}
		})
	}

	t.Run("unknown follow", func(t *testing.T) {
		_, err := e.svc.AcceptFollow(ctx, alice.ID, "nobody")
		require.ErrorIs(t, err, identity.ErrNotFound)
		_, err = e.svc.RejectFollow(ctx, alice.ID, "nobody")
		require.ErrorIs(t, err, identity.ErrNotFound)
		_, err = e.svc.GetFollowByAPID(ctx, "https://events.example/f/none")
		require.ErrorIs(t, err, identity.ErrNotFound)
	})
}

func TestFollowersPages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, star := e.register(t, "star@example.org", "star")
	_, fan := e.register(t, "fan@example.org", "fan")

	const n = 25
	var want []string
	for i := range n {
		r := e.putRemote(t, "remote.example", fmt.Sprintf("fan%02d", i))
		f, err := e.svc.Follow(ctx, r.ID, star.ID, fmt.Sprintf("https://remote.example/follows/%d", i))
		require.NoError(t, err)
		want = append(want, f.ID)
		e.clock.Advance(time.Second)
	}
	// Pending and rejected follows are not followers.
	pendingActor := e.putRemote(t, "remote.example", "waiting")
	_, err := e.store.GetActor(ctx, pendingActor.ID)
	require.NoError(t, err)
	rejected := e.putRemote(t, "remote.example", "rejected")
	_, err = e.svc.Follow(ctx, rejected.ID, star.ID, "https://remote.example/follows/rejected")
	require.NoError(t, err)
	_, err = e.svc.RejectFollow(ctx, rejected.ID, star.ID)
	require.NoError(t, err)

	var got []string
	var cursor storage.Cursor
	pages := 0
	for {
		page, next, err := e.svc.Followers(ctx, star.ID, cursor, 10)
		require.NoError(t, err)
		pages++
		for _, f := range page {
			got = append(got, f.ID)
			assert.Equal(t, identity.FollowAccepted, f.State)
		}
		if next.IsZero() {
			break
		}
		assert.Len(t, page, 10)
		cursor = next
	}
	assert.Equal(t, 3, pages)
	assert.Equal(t, want, got)

	// The whole list fits the default page size exactly: no cursor.
	page, next, err := e.svc.Followers(ctx, star.ID, storage.Cursor{}, n)
	require.NoError(t, err)
	assert.Len(t, page, n)
	assert.True(t, next.IsZero())

	// Following, from the other side; PendingFollowers.
	_, err = e.svc.Follow(ctx, fan.ID, star.ID, "")
	require.NoError(t, err)
	following, next, err := e.svc.Following(ctx, fan.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, following, 1)
	assert.Equal(t, star.ID, following[0].FollowedID)
	assert.True(t, next.IsZero())

	group := e.localActor(t, identity.TypeGroup, "approval_club", true)
	_, err = e.svc.Follow(ctx, fan.ID, group.ID, "")
	require.NoError(t, err)
	pending, _, err := e.svc.PendingFollowers(ctx, group.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	assert.Equal(t, fan.ID, pending[0].FollowerID)
	followers, _, err := e.svc.Followers(ctx, group.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	assert.Empty(t, followers)

	for _, limit := range []int{-1, identity.MaxPageLimit + 1} {
		_, _, err := e.svc.Followers(ctx, star.ID, storage.Cursor{}, limit)
		requireField(t, err, "limit")
	}
	_, _, err = e.svc.Following(ctx, "nobody", storage.Cursor{}, 0)
	require.ErrorIs(t, err, identity.ErrNotFound)
}
