package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/identity"
)

func TestFollowAutoAccepted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	require.Equal(t, http.StatusAccepted, e.post(victim, follow("https://victim.example/f/1", victim, e.alice.APID)))
	f, err := e.id.GetFollow(ctx, e.remote[victim].ID, e.alice.ID)
	require.NoError(t, err)
	assert.Equal(t, identity.FollowAccepted, f.State)
	assert.Equal(t, "https://victim.example/f/1", f.APID)
	require.Len(t, e.follows, 1, "the Accept is to be sent")
	assert.Equal(t, e.alice.APID, e.follows[0].Followed.APID)
	assert.Equal(t, victim, e.follows[0].Follower.APID)

	// Undo{Follow} by the follower removes it.
	undo := activity("Undo", "https://victim.example/undo/1", victim, follow("https://victim.example/f/1", victim, e.alice.APID))
	require.Equal(t, http.StatusAccepted, e.post(victim, undo))
	_, err = e.id.GetFollow(ctx, e.remote[victim].ID, e.alice.ID)
	assert.ErrorIs(t, err, identity.ErrNotFound)
}

func TestFollowManualApproval(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	bob := e.localActor("bob", true)
	require.Equal(t, http.StatusAccepted, e.post(victim, follow("https://victim.example/f/1", victim, bob.APID)))
	f, err := e.id.GetFollow(context.Background(), e.remote[victim].ID, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, identity.FollowPending, f.State)
	assert.Empty(t, e.follows, "no Accept until approved")
}

// TestUndoFollowByIRI: an Undo naming the Follow by id, from its
// follower only.
func TestUndoFollowByIRI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	require.Equal(t, http.StatusAccepted, e.post(victim, follow("https://victim.example/f/1", victim, e.alice.APID)))
	before := e.state()
	assert.Equal(t, http.StatusForbidden, e.post(other, activity("Undo", "https://victim.example/undo/2", other, "https://victim.example/f/1")))
	assert.Equal(t, before, e.state())
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Undo", "https://victim.example/undo/1", victim, "https://victim.example/f/1")))
	_, err := e.id.GetFollow(ctx, e.remote[victim].ID, e.alice.ID)
	assert.ErrorIs(t, err, identity.ErrNotFound)
}

// TestAcceptOfOurFollow: only the followed actor accepts or rejects our
// follow (case 30).
func TestAcceptOfOurFollow(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		by     string
		typ    string
		status int
		want   identity.FollowState
	}{
		{"Accept by the followed group", group, "Accept", http.StatusAccepted, identity.FollowAccepted},
		{"Reject by the followed group", group, "Reject", http.StatusAccepted, identity.FollowRejected},
		{"Accept by a member of the group's host", victim, "Accept", http.StatusForbidden, identity.FollowPending},
		{"Reject by another", other, "Reject", http.StatusForbidden, identity.FollowPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			f, err := e.id.Follow(ctx, e.alice.ID, e.remote[group].ID, "")
			require.NoError(t, err)
			require.Equal(t, identity.FollowPending, f.State)
			inner := follow(f.APID, e.alice.APID, group)
			assert.Equal(t, tt.status, e.post(tt.by, activity(tt.typ, "https://victim.example/answers/1", tt.by, inner)))
			got, err := e.id.GetFollow(ctx, e.alice.ID, e.remote[group].ID)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got.State)
			if tt.status != http.StatusAccepted {
				assert.Zero(t, e.seen.Len(), "a refused activity is forgotten")
			}
		})
	}
}

// TestAcceptWithoutFollowID: an Accept embedding a Follow without id is
// matched by follower and followed; an Accept of something unknown is
// ignored.
func TestAcceptWithoutFollowID(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.id.Follow(ctx, e.alice.ID, e.remote[group].ID, "")
	require.NoError(t, err)
	inner := map[string]any{"type": "Follow", "actor": e.alice.APID, "object": group}
	require.Equal(t, http.StatusAccepted, e.post(group, activity("Accept", "https://victim.example/answers/1", group, inner)))
	got, err := e.id.GetFollow(ctx, e.alice.ID, e.remote[group].ID)
	require.NoError(t, err)
	assert.Equal(t, identity.FollowAccepted, got.State)

	before := e.state()
	require.Equal(t, http.StatusAccepted, e.post(group, activity("Accept", "https://victim.example/answers/2", group, "https://local.example/unknown/1")))
	assert.Equal(t, before.AliceFollowers, e.state().AliceFollowers)
}

func TestJoinAndLeave(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	join := func(actor, id string) map[string]any {
		j := activity("Join", id, actor, e.event.APID)
		j["participationMessage"] = "<b>hi</b>"
		return j
	}
	// The event has one seat: the first takes it, the second waits.
	require.Equal(t, http.StatusAccepted, e.post(victim, join(victim, "https://victim.example/join/1")))
	require.Equal(t, http.StatusAccepted, e.post(other, join(other, "https://victim.example/join/2")))
	require.Len(t, e.joins, 2)
	assert.Equal(t, inbox.JoinAccepted, e.joins[0].Outcome)
	assert.Equal(t, "https://victim.example/join/1", e.joins[0].Participant.APID)
	assert.Equal(t, "hi", e.joins[0].Participant.Message)
	assert.Equal(t, inbox.JoinWaitlisted, e.joins[1].Outcome)

	// Leave frees the seat, which goes to the waitlisted one.
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Leave", "https://victim.example/leave/1", victim, e.event.APID)))
	_, err := e.ev.Participation(ctx, e.event.ID, e.remote[victim].ID)
	assert.Error(t, err)
	p, err := e.ev.Participation(ctx, e.event.ID, e.remote[other].ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, p.Role)

	// Undo{Join} leaves too; a Leave by someone who never joined changes
	// nothing (case 31: a Leave acts for its signer only).
	before := e.state()
	require.Equal(t, http.StatusAccepted, e.post(group, activity("Leave", "https://victim.example/leave/2", group, e.event.APID)))
	assert.Equal(t, before.Participants, e.state().Participants)
	undo := activity("Undo", "https://victim.example/undo/3", other, join(other, "https://victim.example/join/2"))
	require.Equal(t, http.StatusAccepted, e.post(other, undo))
	_, err = e.ev.Participation(ctx, e.event.ID, e.remote[other].ID)
	assert.Error(t, err)
}

func TestJoinOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   events.Input
		want inbox.JoinOutcome
		// participants: the count after the Join (the organizer is one).
		participants int
	}{
		{"external: Ignore", events.Input{JoinMode: events.JoinExternal, ExternalURL: "https://tickets.example/1"}, inbox.JoinIgnored, 1},
		{"none: Ignore", events.Input{JoinMode: events.JoinNone}, inbox.JoinIgnored, 1},
		{"invitation only: Reject (case 28)", events.Input{JoinMode: events.JoinInvite}, inbox.JoinRejected, 1},
		{"restricted: pending (case 28)", events.Input{JoinMode: events.JoinRestricted}, inbox.JoinPending, 2},
		{"free: Accept", events.Input{}, inbox.JoinAccepted, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			ctx := context.Background()
			in := tt.in
			in.Title, in.BeginsAt = "Other", e.event.BeginsAt
			ev, err := e.ev.Create(ctx, e.org.ID, in)
			require.NoError(t, err)
			require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, ev.APID)))
			require.Len(t, e.joins, 1)
			assert.Equal(t, tt.want, e.joins[0].Outcome)
			assert.Equal(t, "https://victim.example/join/1", e.joins[0].JoinID)
			n, err := e.db.CountParticipants(ctx, ev.ID, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.participants, n)
		})
	}
}

// TestConcurrentJoinsLastSeat: 20 remote actors join the last seat at
// once: exactly one takes it (case 27).
func TestConcurrentJoinsLastSeat(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const n = 20
	k := privateKey(t, "rsa1")
	reqs := make([]*http.Request, n)
	for i := range reqs {
		iri := fmt.Sprintf("https://many.example/users/u%d", i)
		e.addRemote(iri, k)
		body := mustJSON(t, activity("Join", fmt.Sprintf("https://many.example/join/%d", i), iri, e.event.APID))
		reqs[i] = e.request(e.signers[iri], body)
	}
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i, r := range reqs {
		wg.Go(func() { codes[i] = e.serve(r) })
	}
	wg.Wait()
	for _, c := range codes {
		assert.Equal(t, http.StatusAccepted, c)
	}
	seated, err := e.db.CountParticipants(ctx, e.event.ID, []events.ParticipantRole{events.RoleParticipant})
	require.NoError(t, err)
	assert.Equal(t, 1, seated)
	waiting, err := e.db.CountParticipants(ctx, e.event.ID, []events.ParticipantRole{events.RoleWaitlisted})
	require.NoError(t, err)
	assert.Equal(t, n-1, waiting)
}

// TestJoinOfRemoteEventRefused: a Join of an event that is not ours.
func TestJoinOfRemoteEventRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	before := e.state()
	assert.Equal(t, http.StatusForbidden, e.post(victim, activity("Join", "https://victim.example/join/1", victim, remoteEventID)))
	assert.Equal(t, before, e.state())
}

// TestAnswerToOurJoin: the Accept or Reject of a local profile's Join of
// a remote event comes from the organizer's host, by embedded Join or by
// its id; from anywhere else it is refused and changes nothing.
func TestAnswerToOurJoin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	groupEventID := "https://victim.example/events/of-the-group"
	join := func(e *env, eventIRI string) *events.Participant {
		if eventIRI == groupEventID {
			require.NoError(t, e.db.CreateEvent(ctx, &events.Event{ID: "remote-g", APID: groupEventID, OrganizerID: e.remote[group].ID,
				CreatorID: e.remote[group].ID, Title: "Group's", BeginsAt: epoch.Add(72 * time.Hour), Status: events.Confirmed,
				Visibility: events.Public, JoinMode: events.JoinFree, CreatedAt: epoch, UpdatedAt: epoch, PublishedAt: epoch}))
		}
		ev, err := e.db.GetEventByAPID(ctx, eventIRI)
		require.NoError(t, err)
		p, err := e.ev.Join(ctx, ev.ID, e.alice.ID, events.JoinInput{})
		require.NoError(t, err)
		require.Equal(t, events.RoleNotApproved, p.Role)
		return p
	}
	embedded := func(p *events.Participant, e *env) any {
		return map[string]any{"type": "Join", "id": p.APID, "actor": e.alice.APID, "object": remoteEventID}
	}
	byID := func(p *events.Participant, _ *env) any { return p.APID }
	tests := []struct {
		name   string
		event  string
		typ    string
		signer string
		object func(p *events.Participant, e *env) any
		status int
		want   events.ParticipantRole
	}{
		{"accept by the organizer, embedded", remoteEventID, "Accept", other, embedded, http.StatusAccepted, events.RoleParticipant},
		{"accept by the organizer, by id", remoteEventID, "Accept", other, byID, http.StatusAccepted, events.RoleParticipant},
		{"reject by the organizer", remoteEventID, "Reject", other, embedded, http.StatusAccepted, events.RoleRejected},
		{"accept by someone else on the organizer's host (case 29)", remoteEventID, "Accept", victim, byID,
			http.StatusForbidden, events.RoleNotApproved},
		{"accept from another host", remoteEventID, "Accept", evil, embedded, http.StatusForbidden, events.RoleNotApproved},
		{"a group's event: accept by a moderator on the group's host", groupEventID, "Accept", victim, byID,
			http.StatusAccepted, events.RoleParticipant},
		{"a group's event: accept from another host", groupEventID, "Accept", evil, byID,
			http.StatusForbidden, events.RoleNotApproved},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			p := join(e, tc.event)
			host := strings.SplitN(strings.TrimPrefix(tc.signer, "https://"), "/", 2)[0]
			doc := activity(tc.typ, "https://"+host+"/answers/1", tc.signer, tc.object(p, e))
			require.Equal(t, tc.status, e.post(tc.signer, doc))
			got, err := e.db.GetParticipantByAPID(ctx, p.APID)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.Role)
		})
	}
}
