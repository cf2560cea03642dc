package inbox_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// TestActorDeletesItself: a remote actor's Delete of itself frees what
// it held here: its seat goes to the waitlist, it leaves local groups and
// invitations, its follows end and it is marked gone. Its events stay.
// Someone else's Delete of it changes nothing.
func TestActorDeletesItself(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	v := e.remote[victim]
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, e.event.APID)))
	require.Equal(t, http.StatusAccepted, e.post(other, activity("Join", "https://victim.example/join/2", other, e.event.APID)))
	role := func(actorID string) events.ParticipantRole {
		p, err := e.ev.Participation(ctx, e.event.ID, actorID)
		if errors.Is(err, storage.ErrNotFound) {
			return ""
		}
		require.NoError(t, err)
		return p.Role
	}
	require.Equal(t, events.RoleParticipant, role(v.ID))
	require.Equal(t, events.RoleWaitlisted, role(e.remote[other].ID))
	open, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: "open", Openness: groups.Open})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/3", victim, open.APID)))
	closed, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: "closed", Openness: groups.InviteOnly})
	require.NoError(t, err)
	_, err = e.gr.Invite(ctx, e.alice.ID, closed.ID, v.ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Follow", "https://victim.example/follow/1", victim, e.alice.APID)))
	_, err = e.id.GetFollow(ctx, v.ID, e.alice.ID)
	require.NoError(t, err)

	del := activity("Delete", "https://victim.example/users/a#delete", victim, victim)
	require.Equal(t, http.StatusForbidden, e.post(other, activity("Delete", "https://victim.example/d/1", other, victim)),
		"only the actor deletes itself")
	assert.Equal(t, events.RoleParticipant, role(v.ID))

	require.Equal(t, http.StatusAccepted, e.post(victim, del))
	assert.Equal(t, events.ParticipantRole(""), role(v.ID), "the seat is free")
	assert.Equal(t, events.RoleParticipant, role(e.remote[other].ID), "and taken from the waitlist")
	for _, g := range []*groups.Group{open, closed} {
		_, err := e.gr.MemberRole(ctx, g.ID, v.ID)
		assert.ErrorIs(t, err, storage.ErrNotFound, g.Username)
	}
	_, err = e.id.GetFollow(ctx, v.ID, e.alice.ID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "its follow ended")
	_, gone, err := e.id.ActorGone(ctx, v.ID)
	require.NoError(t, err)
	assert.True(t, gone)
	_, err = e.id.GetActorByAPID(ctx, victim)
	require.NoError(t, err, "the actor row stays for what names it")
}

// TestDeletedLastAdministrator: a deleted actor that is the last
// administrator of a local group stays so (the group would have none),
// and the inbox says so in its log; the Delete is still accepted.
func TestDeletedLastAdministrator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	v := e.remote[victim]
	g, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: "club", Openness: groups.Open})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, g.APID)))
	_, err = e.gr.ChangeRole(ctx, e.alice.ID, g.ID, v.ID, groups.RoleAdministrator)
	require.NoError(t, err)
	require.NoError(t, e.gr.Leave(ctx, g.ID, e.alice.ID))

	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Delete", "https://victim.example/users/a#delete", victim, victim)))
	role, err := e.gr.MemberRole(ctx, g.ID, v.ID)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleAdministrator, role, "the group keeps an administrator")
	assert.Contains(t, e.log.String(), "a deleted actor keeps places here")
	assert.Contains(t, e.log.String(), g.APID)
}
