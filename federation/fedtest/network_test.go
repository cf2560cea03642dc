package fedtest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/fedtest"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// TestGroupEventAcrossInstances is the life of a group event seen from
// another instance: a profile on b.test follows a group on a.test; the
// group's events reach b.test and its search; b.test's profiles join,
// the last one waitlisted once the event is full; updates, the
// cancellation and the deletion follow.
func TestGroupEventAcrossInstances(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := fedtest.New(t)
	a, b := net.Instance("a.test"), net.Instance("b.test")

	org := a.Profile("org")
	g, err := a.Groups.Create(ctx, org.ID, groups.CreateInput{Username: "walkers", DisplayName: "Walkers", Openness: groups.Open})
	require.NoError(t, err)
	bea, ben := b.Profile("bea"), b.Profile("ben")

	// bea follows the group by its handle; the group accepts at once.
	f, err := b.Federation.Follow(ctx, bea.ID, "@walkers@a.test")
	require.NoError(t, err)
	assert.Equal(t, identity.FollowPending, f.State)
	net.Deliver()
	f, err = b.Identity.GetFollow(ctx, bea.ID, f.FollowedID)
	require.NoError(t, err)
	assert.Equal(t, identity.FollowAccepted, f.State, "the group's Accept reached b.test")
	followers, _, err := a.Identity.Followers(ctx, g.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, followers, 1)

	// The group publishes an event with one seat.
	begins := fedtest.Start.Add(72 * time.Hour)
	ev, err := a.Events.Create(ctx, org.ID, events.Input{GroupID: g.ID, Title: "Ridge walk", BeginsAt: begins,
		EndsAt: begins.Add(4 * time.Hour), TimeZone: "Europe/Paris", Capacity: 1})
	require.NoError(t, err)
	net.Deliver()
	remote, err := b.Store.GetEventByAPID(ctx, ev.APID)
	require.NoError(t, err, "the Create reached b.test")
	assert.Equal(t, "Ridge walk", remote.Title)
	assert.False(t, remote.Local)
	found, err := b.Events.Search(ctx, events.Query{Text: "ridge", From: fedtest.Start})
	require.NoError(t, err)
	require.Len(t, found.Occurrences, 1, "it is in b.test's search")

	// bea joins and gets the seat; ben is waitlisted on a.test.
	p, err := b.Events.Join(ctx, remote.ID, bea.ID, events.JoinInput{})
	require.NoError(t, err)
	assert.Equal(t, events.RoleNotApproved, p.Role, "a.test decides")
	net.Deliver()
	p, err = b.Events.Participation(ctx, remote.ID, bea.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, p.Role, "a.test's Accept reached b.test")
	beaOnA, err := a.Identity.GetActorByAPID(ctx, b.BaseURL+"/@bea")
	require.NoError(t, err)
	seat, err := a.Events.Participation(ctx, ev.ID, beaOnA.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, seat.Role, "the organizer sees bea")

	_, err = b.Events.Join(ctx, remote.ID, ben.ID, events.JoinInput{})
	require.NoError(t, err)
	net.Deliver()
	benOnA, err := a.Identity.GetActorByAPID(ctx, b.BaseURL+"/@ben")
	require.NoError(t, err)
	wait, err := a.Events.Participation(ctx, ev.ID, benOnA.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleWaitlisted, wait.Role)

	// An update and the cancellation reach b.test.
	in := events.InputOf(ev)
	in.Title = "Ridge walk (new route)"
	net.Clock.Advance(time.Minute)
	ev, err = a.Events.Update(ctx, org.ID, ev.ID, in)
	require.NoError(t, err)
	net.Deliver()
	remote, err = b.Store.GetEventByAPID(ctx, ev.APID)
	require.NoError(t, err)
	assert.Equal(t, "Ridge walk (new route)", remote.Title)

	net.Clock.Advance(time.Minute)
	_, err = a.Events.Cancel(ctx, org.ID, ev.ID)
	require.NoError(t, err)
	net.Deliver()
	remote, err = b.Store.GetEventByAPID(ctx, ev.APID)
	require.NoError(t, err)
	assert.Equal(t, events.Cancelled, remote.Status)

	// The deletion: 410 Gone with a Tombstone on a.test, gone from b.test.
	net.Clock.Advance(time.Minute)
	require.NoError(t, a.Events.Delete(ctx, org.ID, ev.ID))
	net.Deliver()
	_, err = b.Store.GetEventByAPID(ctx, ev.APID)
	assert.Error(t, err, "b.test deleted its copy")
	req, err := http.NewRequest(http.MethodGet, ev.APID, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := net.RoundTrip(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusGone, resp.StatusCode)
	assert.Contains(t, string(body), `"Tombstone"`)
}

// TestRelay: a.test's instance actor follows b.test's; once b.test's
// administrator accepts, b.test's public events reach a.test without
// anyone there following their organizers, and their deletion too.
// Unlisted events are not relayed.
func TestRelay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := fedtest.New(t)
	a, b := net.Instance("a.test"), net.Instance("b.test")
	bob := b.Profile("bob")

	f, err := a.Federation.FollowRelay(ctx, b.BaseURL+"/actor")
	require.NoError(t, err)
	net.Deliver()
	bInst, err := b.Identity.InstanceActor(ctx)
	require.NoError(t, err)
	aInst, err := b.Identity.GetActorByAPID(ctx, a.BaseURL+"/actor")
	require.NoError(t, err)
	_, err = b.Identity.AcceptFollow(ctx, aInst.ID, bInst.ID)
	require.NoError(t, err)
	net.Deliver()
	f, err = a.Identity.GetFollow(ctx, f.FollowerID, f.FollowedID)
	require.NoError(t, err)
	require.Equal(t, identity.FollowAccepted, f.State)

	begins := fedtest.Start.Add(48 * time.Hour)
	public, err := b.Events.Create(ctx, bob.ID, events.Input{Title: "Open mic", BeginsAt: begins})
	require.NoError(t, err)
	unlisted, err := b.Events.Create(ctx, bob.ID, events.Input{Title: "Rehearsal", BeginsAt: begins, Visibility: events.Unlisted})
	require.NoError(t, err)
	net.Deliver()
	got, err := a.Store.GetEventByAPID(ctx, public.APID)
	require.NoError(t, err, "the relay's Announce brought the public event")
	assert.Equal(t, "Open mic", got.Title)
	_, err = a.Store.GetEventByAPID(ctx, unlisted.APID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "unlisted events are not relayed")

	net.Clock.Advance(time.Minute)
	require.NoError(t, b.Events.Delete(ctx, bob.ID, public.ID))
	net.Deliver()
	_, err = a.Store.GetEventByAPID(ctx, public.APID)
	assert.ErrorIs(t, err, storage.ErrNotFound, "the relayed deletion removed it")
}

// TestRemoteGroupMembership: a profile on b.test joins a group on
// a.test; the group admits it and a.test's answer reaches b.test; the
// group's events then reach the member; leaving ends the membership
// on both sides. A request to a moderated group waits for a moderator.
func TestRemoteGroupMembership(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	net := fedtest.New(t)
	a, b := net.Instance("a.test"), net.Instance("b.test")
	org := a.Profile("org")
	open, err := a.Groups.Create(ctx, org.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	moderated, err := a.Groups.Create(ctx, org.ID, groups.CreateInput{Username: "choir", Openness: groups.Moderated})
	require.NoError(t, err)
	bea := b.Profile("bea")

	m, err := b.Federation.JoinGroup(ctx, bea.ID, "@walkers@a.test")
	require.NoError(t, err)
	assert.Equal(t, groups.RoleNotApproved, m.Role, "a.test decides")
	net.Deliver()
	role := func(inst *fedtest.Instance, groupIRI, actorIRI string) groups.Role {
		t.Helper()
		g, err := inst.Identity.GetActorByAPID(ctx, groupIRI)
		require.NoError(t, err)
		who, err := inst.Identity.GetActorByAPID(ctx, actorIRI)
		require.NoError(t, err)
		r, err := inst.Groups.MemberRole(ctx, g.ID, who.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return ""
		}
		require.NoError(t, err)
		return r
	}
	beaIRI := b.BaseURL + "/@bea"
	assert.Equal(t, groups.RoleMember, role(a, open.APID, beaIRI), "a.test admitted bea")
	assert.Equal(t, groups.RoleMember, role(b, open.APID, beaIRI), "b.test took a.test's Accept")

	// The group's event reaches its remote member, who follows nothing.
	ev, err := a.Events.Create(ctx, org.ID, events.Input{GroupID: open.ID, Title: "Members' walk",
		BeginsAt: fedtest.Start.Add(48 * time.Hour)})
	require.NoError(t, err)
	net.Deliver()
	_, err = b.Store.GetEventByAPID(ctx, ev.APID)
	require.NoError(t, err)

	require.NoError(t, b.Groups.Leave(ctx, m.GroupID, bea.ID))
	net.Deliver()
	assert.Equal(t, groups.Role(""), role(a, open.APID, beaIRI), "bea left on a.test too")

	_, err = b.Federation.JoinGroup(ctx, bea.ID, "@choir@a.test")
	require.NoError(t, err)
	net.Deliver()
	assert.Equal(t, groups.RoleNotApproved, role(a, moderated.APID, beaIRI))
	beaOnA, err := a.Identity.GetActorByAPID(ctx, beaIRI)
	require.NoError(t, err)
	_, err = a.Groups.Approve(ctx, org.ID, moderated.ID, beaOnA.ID)
	require.NoError(t, err)
	net.Deliver()
	assert.Equal(t, groups.RoleMember, role(b, moderated.APID, beaIRI), "the moderator's Accept reached b.test")

	// Role changes and removals by the group's administrators reach the
	// member's instance (Update of the Member, Remove).
	_, err = a.Groups.ChangeRole(ctx, org.ID, moderated.ID, beaOnA.ID, groups.RoleModerator)
	require.NoError(t, err)
	net.Deliver()
	assert.Equal(t, groups.RoleModerator, role(b, moderated.APID, beaIRI), "b.test took the new role")
	_, err = a.Groups.ChangeRole(ctx, org.ID, moderated.ID, beaOnA.ID, groups.RoleMember)
	require.NoError(t, err)
	net.Deliver()
	assert.Equal(t, groups.RoleMember, role(b, moderated.APID, beaIRI))
	require.NoError(t, a.Groups.Remove(ctx, org.ID, moderated.ID, beaOnA.ID))
	net.Deliver()
	assert.Equal(t, groups.Role(""), role(a, moderated.APID, beaIRI))
	assert.Equal(t, groups.Role(""), role(b, moderated.APID, beaIRI), "b.test took the Remove")
}
