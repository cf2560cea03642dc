package inbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
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

// TestRemoteMemberEventsOfLocalGroups (FEP-1b12): a remote moderator of
// a local group creates, updates and deletes the group's events from its
// own instance, and the group relays each; a plain member, a non-member
// and a forger naming a local profile are refused.
func TestRemoteMemberEventsOfLocalGroups(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	g, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	for _, who := range []string{victim, other} {
		_, err = e.gr.Join(ctx, g.ID, e.remote[who].ID, who+"/join/1")
		require.NoError(t, err)
	}
	_, err = e.gr.ChangeRole(ctx, e.alice.ID, g.ID, e.remote[victim].ID, groups.RoleModerator)
	require.NoError(t, err)

	groupEvent := func(id, title, updated string) map[string]any {
		ev := versioned(id, title, updated)
		ev["attributedTo"] = g.APID
		return ev
	}
	id := "https://victim.example/events/for-walkers"
	e.fetch.serve(id, groupEvent(id, "Ridge walk", ""))
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Create", id+"/activity", victim, groupEvent(id, "Ridge walk", ""))))
	got, err := e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, g.ID, got.OrganizerID)
	assert.Equal(t, g.ID, got.GroupID)
	assert.Equal(t, e.remote[victim].ID, got.CreatorID)
	require.Len(t, e.relayed, 1, "the group relays it")
	assert.Equal(t, g.APID, e.relayed[0].Group.APID)
	assert.Equal(t, victim, e.relayed[0].Author.APID)
	assert.Contains(t, string(e.relayed[0].Activity), id+"/activity")

	// A plain member may not create events; nor may anyone name a local
	// profile as organizer.
	id2 := "https://victim.example/events/by-member"
	e.fetch.serve(id2, groupEvent(id2, "Not allowed", ""))
	require.Equal(t, http.StatusForbidden, e.post(other, activity("Create", id2+"/activity", other, groupEvent(id2, "Not allowed", ""))))
	forged := versioned("https://victim.example/events/forged", "Forged", "")
	forged["attributedTo"] = e.alice.APID
	e.fetch.serve("https://victim.example/events/forged", forged)
	require.Equal(t, http.StatusForbidden, e.post(victim, activity("Create", "https://victim.example/c/forged", victim, forged)))
	_, err = e.db.GetEventByAPID(ctx, "https://victim.example/events/forged")
	require.ErrorIs(t, err, storage.ErrNotFound)

	// The moderator updates it; a non-member on another host cannot.
	e.fetch.serve(id, groupEvent(id, "Ridge walk (moved)", "2026-11-21T10:00:00Z"))
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Update", id+"/updates/1", victim,
		groupEvent(id, "Ridge walk (moved)", "2026-11-21T10:00:00Z"))))
	got, err = e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Ridge walk (moved)", got.Title)
	require.Len(t, e.relayed, 2)
	require.Equal(t, http.StatusForbidden, e.post(evil, activity("Delete", "https://evil.example/d/1", evil, id)))

	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Delete", id+"/delete", victim, id)))
	_, err = e.db.GetEventByAPID(ctx, id)
	require.ErrorIs(t, err, storage.ErrNotFound)
	assert.Len(t, e.relayed, 3)
}

// TestRemoteGroupRolesAndRemoval: a remote group's role changes
// (Update of the Member, whose IRI is our Join's) and its Remove of a
// local member reach our copy of its memberships, from the group's host
// only; a Member with a role that is not a member role, and changes about
// a local group, change nothing.
func TestRemoteGroupRolesAndRemoval(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	rg, err := e.gr.PutRemoteGroup(ctx, &groups.Group{Actor: *e.remote[group], Openness: groups.Open, Visibility: groups.Public})
	require.NoError(t, err)
	m, err := e.gr.Join(ctx, rg.ID, e.alice.ID, "")
	require.NoError(t, err)
	_, err = e.gr.AnswerRemoteJoin(ctx, rg.ID, e.alice.ID, rg.ID, true)
	require.NoError(t, err)
	role := func() groups.Role {
		r, err := e.gr.MemberRole(ctx, rg.ID, e.alice.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return ""
		}
		require.NoError(t, err)
		return r
	}
	member := func(role string) map[string]any {
		return map[string]any{"type": "Member", "id": m.APID, "actor": e.alice.APID, "object": group, "role": role}
	}
	update := func(n, by, role string) map[string]any {
		u := activity("Update", hostBase(by)+"/member/x/"+n, by, member(role))
		u["attributedTo"] = []string{group}
		return u
	}

	require.Equal(t, http.StatusForbidden, e.post(evil, update("1", evil, "administrator")), "another host")
	assert.Equal(t, groups.RoleMember, role())
	require.Equal(t, http.StatusForbidden, e.post(victim, update("2", victim, "invited")), "not a member role")
	assert.Equal(t, groups.RoleMember, role())
	require.Equal(t, http.StatusAccepted, e.post(victim, update("3", victim, "moderator")))
	assert.Equal(t, groups.RoleModerator, role(), "the group's admin on its host")

	// An Update of a Member of a local group is not a remote group's
	// to send.
	local, err := e.gr.Create(ctx, e.alice.ID, groups.CreateInput{Username: "here", Openness: groups.Open})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/9", victim, local.APID)))
	vm, err := e.gr.MemberRole(ctx, local.ID, e.remote[victim].ID)
	require.NoError(t, err)
	require.Equal(t, groups.RoleMember, vm)
	lm := map[string]any{"type": "Member", "id": "https://victim.example/join/9", "actor": victim, "object": local.APID, "role": "administrator"}
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Update", "https://victim.example/u/9", victim, lm)))
	vm, err = e.gr.MemberRole(ctx, local.ID, e.remote[victim].ID)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleMember, vm, "nobody promotes themselves in a local group")

	remove := func(n, by string) map[string]any {
		r := activity("Remove", hostBase(by)+"/remove/"+n, by, m.APID)
		r["origin"] = group
		return r
	}
	require.Equal(t, http.StatusForbidden, e.post(evil, remove("1", evil)))
	assert.Equal(t, groups.RoleModerator, role())
	require.Equal(t, http.StatusAccepted, e.post(other, remove("2", other)))
	assert.Equal(t, groups.Role(""), role(), "removed by the group's host")
}

// hostBase is the scheme and host of an actor IRI.
func hostBase(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		panic(err)
	}
	return u.Scheme + "://" + u.Host
}
