package fedtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/fedtest"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// TestPrivateMessagesAcrossInstances: a participant on b.test writes to
// the organizers of a group's event on a.test; a group administrator
// answers from a.test, and announces to every participant; each side
// finds the messages in the same conversation.
func TestPrivateMessagesAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := fedtest.New(t)
	a, b := net.Instance("a.test"), net.Instance("b.test")
	org := a.Profile("org")
	g, err := a.Groups.Create(ctx, org.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	bea := b.Profile("bea")
	_, err = b.Federation.Follow(ctx, bea.ID, "@walkers@a.test")
	require.NoError(t, err)
	net.Deliver()
	ev, err := a.Events.Create(ctx, org.ID, events.Input{GroupID: g.ID, Title: "Ridge walk",
		BeginsAt: fedtest.Start.Add(72 * time.Hour)})
	require.NoError(t, err)
	net.Deliver()
	remote, err := b.Store.GetEventByAPID(ctx, ev.APID)
	require.NoError(t, err)
	_, err = b.Events.Join(ctx, remote.ID, bea.ID, events.JoinInput{})
	require.NoError(t, err)
	net.Deliver()
	beaOnA, err := a.Identity.GetActorByAPID(ctx, b.BaseURL+"/@bea")
	require.NoError(t, err)

	// bea writes to the organizers.
	convB, _, err := b.Conversations.WriteToOrganizers(ctx, bea.ID, remote.ID, "<p>Is there parking?</p>")
	require.NoError(t, err)
	net.Deliver()
	list, _, err := a.Conversations.EventConversations(ctx, org.ID, ev.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, list, 1, "a.test has the conversation")
	convA := list[0]
	assert.Equal(t, beaOnA.ID, convA.ParticipantID)
	msgs := messages(t, a, org.ID, convA.ID)
	require.Len(t, msgs, 1)
	assert.Equal(t, "<p>Is there parking?</p>", msgs[0].Text)
	assert.Equal(t, beaOnA.ID, msgs[0].AuthorID)
	assert.False(t, msgs[0].Local)

	// The group's administrator answers from a.test, then announces.
	net.Clock.Advance(time.Minute)
	_, err = a.Conversations.Reply(ctx, org.ID, convA.ID, "<p>Yes, behind the station.</p>")
	require.NoError(t, err)
	net.Clock.Advance(time.Minute)
	n, err := a.Conversations.Announce(ctx, org.ID, ev.ID, "<p>Bring water.</p>", nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	net.Deliver()
	msgs = messages(t, b, bea.ID, convB.ID)
	require.Len(t, msgs, 3, "the answer and the announcement reached bea's conversation on b.test")
	assert.Equal(t, "<p>Yes, behind the station.</p>", msgs[1].Text)
	assert.Equal(t, "<p>Bring water.</p>", msgs[2].Text)
	orgOnB, err := b.Identity.GetActorByAPID(ctx, a.BaseURL+"/@org")
	require.NoError(t, err)
	assert.Equal(t, orgOnB.ID, msgs[1].AuthorID)

	// bea answers the announcement; it lands in the same conversation.
	net.Clock.Advance(time.Minute)
	_, err = b.Conversations.Reply(ctx, bea.ID, convB.ID, "<p>Thanks!</p>")
	require.NoError(t, err)
	net.Deliver()
	msgs = messages(t, a, org.ID, convA.ID)
	require.Len(t, msgs, 4)
	assert.Equal(t, "<p>Thanks!</p>", msgs[3].Text)

	// Nobody else reads it.
	ben := a.Profile("ben")
	_, _, err = a.Conversations.Conversation(ctx, ben.ID, convA.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func messages(t *testing.T, inst *fedtest.Instance, viewerID, convID string) []conversations.Message {
	t.Helper()
	ms, _, err := inst.Conversations.Messages(context.Background(), viewerID, convID, storage.Cursor{}, 50)
	require.NoError(t, err)
	return ms
}
