package outbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
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

func TestAnswersGroupJoinRefused(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ob, err := outbox.New(outbox.Config{BaseURL: base, Now: w.clock.Now})
	require.NoError(t, err)
	g, err := w.inst.Groups.Create(w.ctx, w.alice.ID, groups.CreateInput{Username: "closed", Openness: groups.InviteOnly})
	require.NoError(t, err)
	w.drain()
	ga, err := w.inst.Identity.GetActor(w.ctx, g.ID)
	require.NoError(t, err)
	ans := ob.Answers(w.store)
	require.NoError(t, ans.GroupJoinRefused(w.ctx, inbox.GroupJoinAnswer{JoinID: w.r3.APID + "/join/1", Actor: w.r3, Group: ga}))
	got := w.drain()
	require.Len(t, got, 1)
	assert.Equal(t, wire.TypeReject, got[0].Activity.Type)
	assert.Equal(t, ga.APID, got[0].Signer)
	assert.Equal(t, w.r3.APID+"/join/1", got[0].Activity.ObjectIRI)
	assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes)
}
