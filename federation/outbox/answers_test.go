package outbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
)

func TestAnswers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ob, err := outbox.New(outbox.Config{BaseURL: base, Now: w.clock.Now})
	require.NoError(t, err)
	ans := ob.Answers(w.store)
	ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, input("Talk", t0.Add(48*time.Hour)))
	require.NoError(t, err)
	w.drain()
	alice, err := w.inst.Identity.GetActor(w.ctx, w.alice.ID)
	require.NoError(t, err)
	bob, err := w.inst.Identity.GetActor(w.ctx, w.bob.ID)
	require.NoError(t, err)

	t.Run("follow", func(t *testing.T) {
		f, err := w.inst.Identity.Follow(w.ctx, w.r3.ID, w.alice.ID, w.r3.APID+"/follows/7")
		require.NoError(t, err)
		require.NoError(t, ans.FollowAccepted(w.ctx, inbox.FollowAnswer{Follow: f, Follower: w.r3, Followed: alice}))
		got := w.drain()
		require.Len(t, got, 1)
		a := got[0].Activity
		assert.Equal(t, wire.TypeAccept, a.Type)
		assert.Equal(t, alice.APID, a.Actor)
		assert.Equal(t, alice.APID, got[0].Signer)
		require.NotNil(t, a.Activity)
		assert.Equal(t, wire.TypeFollow, a.Activity.Type)
		assert.Equal(t, w.r3.APID+"/follows/7", a.Activity.ID)
		assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes)

		local := &identity.Follow{ID: "l", APID: base + "/follows/l"}
		require.NoError(t, ans.FollowAccepted(w.ctx, inbox.FollowAnswer{Follow: local, Follower: bob, Followed: alice}))
		assert.Empty(t, w.drain(), "a local follower needs no Accept over HTTP")
	})

	for _, tc := range []struct {
		outcome inbox.JoinOutcome
		want    string // "" for nothing
	}{
		{inbox.JoinRejected, wire.TypeReject},
		{inbox.JoinIgnored, wire.TypeIgnore},
		{inbox.JoinAccepted, ""}, // the events hook answered, in the join's transaction
		{inbox.JoinWaitlisted, ""},
		{inbox.JoinPending, ""},
	} {
		t.Run("join "+string(tc.outcome), func(t *testing.T) {
			joinID := w.r1.APID + "/join/" + string(tc.outcome)
			require.NoError(t, ans.Join(w.ctx, inbox.JoinAnswer{Outcome: tc.outcome, JoinID: joinID, Actor: w.r1, Event: ev}))
			got := w.drain()
			if tc.want == "" {
				assert.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			a := got[0].Activity
			assert.Equal(t, tc.want, a.Type)
			assert.Equal(t, alice.APID, a.Actor)
			assert.Equal(t, joinID, a.ObjectIRI)
			assert.Equal(t, []string{"https://a.example/inbox"}, got[0].Inboxes)
		})
	}
}
