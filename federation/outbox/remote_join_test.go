package outbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
)

// A local profile's Join and Leave of a remote event go to the event's
// organizer; the organizer's answer comes back through the inbox.
func TestRemoteEventParticipation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.drain()
	remote := &events.Event{ID: "remote-1", APID: "https://b.example/events/1", OrganizerID: w.r3.ID, CreatorID: w.r3.ID,
		Title: "Their picnic", BeginsAt: t0.Add(72 * time.Hour), Status: events.Confirmed, Visibility: events.Public,
		JoinMode: events.JoinFree, Capacity: 1, CreatedAt: t0, UpdatedAt: t0, PublishedAt: t0}
	require.NoError(t, w.store.CreateEvent(w.ctx, remote))

	p, err := w.inst.Events.Join(w.ctx, remote.ID, w.alice.ID, events.JoinInput{Message: "count me in"})
	require.NoError(t, err)
	assert.Equal(t, events.RoleNotApproved, p.Role, "the remote organizer decides")
	got := w.drain()
	require.Len(t, got, 1)
	a := got[0].Activity
	assert.Equal(t, wire.TypeJoin, a.Type)
	assert.Equal(t, p.APID, a.ID)
	assert.Equal(t, remote.APID, a.ObjectIRI)
	assert.Equal(t, w.alice.APID, got[0].Signer)
	assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes)

	// The organizer's Accept makes alice a participant; nothing is sent
	// back.
	p, err = w.inst.Events.AnswerRemoteJoin(w.ctx, p.APID, w.r3.ID, true)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, p.Role)
	assert.Empty(t, w.drain())

	// Someone else cannot answer for the organizer.
	_, err = w.inst.Events.AnswerRemoteJoin(w.ctx, p.APID, w.r1.ID, false)
	require.ErrorIs(t, err, events.ErrForbidden)

	require.NoError(t, w.inst.Events.Leave(w.ctx, remote.ID, w.alice.ID))
	got = w.drain()
	require.Len(t, got, 1)
	assert.Equal(t, wire.TypeLeave, got[0].Activity.Type)
	assert.Equal(t, remote.APID, got[0].Activity.ObjectIRI)
	assert.Equal(t, w.alice.APID, got[0].Signer)
}
