package outbox_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
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

// TestAnswersGroupRelay: the group announces a remote member's activity
// to its remote members and followers, not back to the author, with the
// activity embedded as received.
func TestAnswersGroupRelay(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ob, err := outbox.New(outbox.Config{BaseURL: base, Now: w.clock.Now})
	require.NoError(t, err)
	g, err := w.inst.Groups.Create(w.ctx, w.alice.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	for _, m := range []string{w.r1.ID, w.r3.ID} {
		_, err = w.inst.Groups.Join(w.ctx, g.ID, m, "")
		require.NoError(t, err)
	}
	w.follow(g.ID, w.r2)
	w.drain()
	ga, err := w.inst.Identity.GetActor(w.ctx, g.ID)
	require.NoError(t, err)
	raw := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://b.example/c/1","type":"Create","actor":"https://b.example/users/r3","object":"https://b.example/events/1"}`)
	require.NoError(t, ob.Answers(w.store).GroupRelay(w.ctx, inbox.GroupRelay{Group: ga, Author: w.r3, Activity: raw, Public: true}))
	got := w.drain()
	require.Len(t, got, 1)
	a := got[0].Activity
	assert.Equal(t, wire.TypeAnnounce, a.Type)
	assert.Equal(t, ga.APID, got[0].Signer)
	require.NotNil(t, a.Activity)
	assert.Equal(t, "https://b.example/c/1", a.Activity.ID)
	assert.Equal(t, []string{"https://a.example/inbox"}, got[0].Inboxes, "r1 and r2 share a.example's inbox; r3 wrote it")
}

// TestReportFiled: a report about a remote actor's content is forwarded
// as a Flag from the instance actor, naming neither the reporter nor
// anything but the actor and the content; local and unforwarded reports
// send nothing.
func TestReportFiled(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ob, err := outbox.New(outbox.Config{BaseURL: base, Now: w.clock.Now})
	require.NoError(t, err)
	inst, err := w.inst.Identity.InstanceActor(w.ctx)
	require.NoError(t, err)
	w.drain()
	report := moderation.Report{ID: "r1", ReporterID: w.alice.ID, TargetActorID: w.r3.ID,
		ContentIRIs: []string{"https://b.example/events/9"}, Comment: "spam", Forwarded: true}
	require.NoError(t, w.store.InTx(w.ctx, func(tx storage.Tx) error { return ob.ReportFiled(w.ctx, tx, report) }))
	got := w.drain()
	require.Len(t, got, 1)
	a := got[0].Activity
	assert.Equal(t, wire.TypeFlag, a.Type)
	assert.Equal(t, inst.APID, a.Actor)
	assert.Equal(t, inst.APID, got[0].Signer)
	assert.Equal(t, []string{w.r3.APID, "https://b.example/events/9"}, a.ObjectIRIs)
	assert.Equal(t, "spam", a.Content)
	assert.NotContains(t, string(mustBody(t, w, a)), w.alice.APID, "the reporter is never named")

	report.Forwarded = false
	require.NoError(t, w.store.InTx(w.ctx, func(tx storage.Tx) error { return ob.ReportFiled(w.ctx, tx, report) }))
	report.Forwarded, report.TargetActorID = true, w.bob.ID
	require.NoError(t, w.store.InTx(w.ctx, func(tx storage.Tx) error { return ob.ReportFiled(w.ctx, tx, report) }))
	assert.Empty(t, w.drain())
}

func mustBody(t *testing.T, _ *world, a *wire.ParsedActivity) []byte {
	t.Helper()
	b, err := json.Marshal(a)
	require.NoError(t, err)
	return b
}
