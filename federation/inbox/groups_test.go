package inbox_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// TestRemoteMembersOfLocalGroups: a remote actor joins an open group at
// once, asks a moderated one, is refused by an invite-only one (a Reject
// is to be sent), leaves, and answers an invitation; nobody answers an
// invitation for someone else.
func TestRemoteMembersOfLocalGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	create := func(name string, o groups.Openness) *groups.Group {
		g, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: name, Openness: o})
		require.NoError(t, err)
		return g
	}
	open, moderated, closed := create("open", groups.Open), create("moderated", groups.Moderated), create("closed", groups.InviteOnly)
	role := func(g *groups.Group) groups.Role {
		r, err := e.gr.MemberRole(ctx, g.ID, e.remote[victim].ID)
		if errors.Is(err, storage.ErrNotFound) {
			return ""
		}
		require.NoError(t, err)
		return r
	}
	join := func(n string, g *groups.Group) map[string]any {
		return activity("Join", "https://victim.example/join/"+n, victim, g.APID)
	}

	require.Equal(t, http.StatusAccepted, e.post(victim, join("1", open)))
	assert.Equal(t, groups.RoleMember, role(open))
	require.Equal(t, http.StatusAccepted, e.post(victim, join("2", moderated)))
	assert.Equal(t, groups.RoleNotApproved, role(moderated))
	require.Equal(t, http.StatusAccepted, e.post(victim, join("3", closed)))
	assert.Equal(t, groups.Role(""), role(closed), "an invite-only group stores nothing")
	require.Len(t, e.refusedJoins, 1)
	assert.Equal(t, "https://victim.example/join/3", e.refusedJoins[0].JoinID)

	leave := activity("Leave", "https://victim.example/leave/1", victim, open.APID)
	require.Equal(t, http.StatusAccepted, e.post(victim, leave))
	assert.Equal(t, groups.Role(""), role(open))

	// alice invites victim to the closed group; other cannot accept for
	// victim; victim accepts.
	m, err := e.gr.Invite(ctx, e.alice.ID, closed.ID, e.remote[victim].ID)
	require.NoError(t, err)
	member := map[string]any{"type": "Member", "id": m.APID, "actor": victim, "object": closed.APID, "role": "invited"}
	require.Equal(t, http.StatusForbidden, e.post(other, activity("Accept", "https://victim.example/accept/9", other, member)))
	assert.Equal(t, groups.RoleInvited, role(closed))
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Accept", "https://victim.example/accept/1", victim, member)))
	assert.Equal(t, groups.RoleMember, role(closed))

	// An invitation declined by the Member's IRI.
	m, err = e.gr.Invite(ctx, e.alice.ID, open.ID, e.remote[victim].ID)
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Reject", "https://victim.example/reject/1", victim, m.APID)))
	assert.Equal(t, groups.Role(""), role(open))
}
