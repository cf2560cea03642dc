package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

func TestGroupMembers(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob, carol, dave := w.user("alice"), w.user("bob"), w.user("carol"), w.user("dave")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "gardeners",
		DisplayName: "Gardeners", Openness: groups.Moderated})
	require.NoError(t, err)
	role := func(u *user) groups.Role {
		t.Helper()
		r, err := w.inst.Groups.MemberRole(w.ctx, g.ID, u.profile.ID)
		if err != nil {
			return ""
		}
		return r
	}
	members := "/groups/" + g.ID + "/members"
	ab, bb, cb, db := w.login(alice), w.login(bob), w.login(carol), w.login(dave)

	// Outsiders: no members page, no actions.
	w.browser().get(members).status(http.StatusSeeOther)
	bb.get(members).status(http.StatusForbidden)
	bb.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@dave"}}).status(http.StatusForbidden)
	bb.post(members+"/"+alice.profile.ID+"/role", url.Values{"role": {"member"}}).status(http.StatusForbidden)
	bb.get("/@gardeners").lacks(members)
	ab.get("/@gardeners").contains(`href="` + members + `"`)

	// Invitations: a local handle, mailed; the invitee answers from "my groups".
	ab.get(members).status(http.StatusOK).contains(`action="/groups/`+g.ID+`/invite"`, "Creator")
	res := ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@carol"}}).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=invite_sent", res.location())
	assert.Equal(t, []string{carol.profile.ID + " gardeners"}, w.invites.all())
	assert.Equal(t, groups.RoleInvited, role(carol))
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@carol@events.example"}}).status(http.StatusBadRequest).
		contains("already a member or invited")
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@nobody"}}).status(http.StatusBadRequest).contains("No profile has this handle.")
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@gardeners"}}).status(http.StatusBadRequest).contains("Only people")
	cb.get("/me/groups").status(http.StatusOK).contains("Gardeners", "invited by Alice", `action="/groups/`+g.ID+`/invitation/accept"`)
	db.post("/groups/"+g.ID+"/invitation/accept", nil).status(http.StatusNotFound) // Dave was not invited
	assert.Empty(t, role(dave))
	res = cb.post("/groups/"+g.ID+"/invitation/accept", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/me/groups?msg=invitation_accepted", res.location())
	assert.Equal(t, groups.RoleMember, role(carol))
	cb.get("/me/groups").contains("Member of", "Gardeners").lacks("invitation/accept")

	// Declining.
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"dave"}}).status(http.StatusSeeOther)
	res = db.post("/groups/"+g.ID+"/invitation/decline", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/me/groups?msg=invitation_declined", res.location())
	assert.Empty(t, role(dave))
	db.post("/groups/"+g.ID+"/invitation/decline", nil).status(http.StatusNotFound)

	// Remote handles go through the resolver.
	remote, err := w.inst.Identity.PutRemoteActor(w.ctx, &identity.Actor{APID: "https://far.example/users/zed",
		Type: identity.TypePerson, Username: "zed", Inbox: "https://far.example/users/zed/inbox"})
	require.NoError(t, err)
	w.remote.actors["@zed@far.example"] = remote
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@ghost@far.example"}}).status(http.StatusBadRequest).contains("No profile has this handle.")
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@zed@far.example"}}).status(http.StatusSeeOther)
	r, err := w.inst.Groups.MemberRole(w.ctx, g.ID, remote.ID)
	require.NoError(t, err)
	assert.Equal(t, groups.RoleInvited, r)
	assert.Len(t, w.invites.all(), 2, "remote invitees are not mailed")

	// Requests: moderators approve or reject.
	bb.post("/groups/"+g.ID+"/join", nil).status(http.StatusSeeOther)
	ab.get(members).contains("Requests to join", "@bob@events.example")
	cb.get(members).status(http.StatusOK).lacks("Requests to join", "/approve") // a member only
	cb.post(members+"/"+bob.profile.ID+"/approve", nil).status(http.StatusSeeOther)
	assert.Equal(t, groups.RoleNotApproved, role(bob))
	res = ab.post(members+"/"+bob.profile.ID+"/approve", nil).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=member_approved", res.location())
	assert.Equal(t, groups.RoleMember, role(bob))

	// Roles: administrators change them; members cannot; the creator's
	// does not change; a bad role changes nothing.
	res = cb.post(members+"/"+bob.profile.ID+"/role", url.Values{"role": {"administrator"}}).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=member_forbidden", res.location())
	assert.Equal(t, groups.RoleMember, role(bob))
	ab.post(members+"/"+bob.profile.ID+"/role", url.Values{"role": {"creator"}}).status(http.StatusBadRequest)
	res = ab.post(members+"/"+bob.profile.ID+"/role", url.Values{"role": {"moderator"}}).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=member_role_changed", res.location())
	assert.Equal(t, groups.RoleModerator, role(bob))
	ab.post(members+"/"+alice.profile.ID+"/role", url.Values{"role": {"member"}}).status(http.StatusSeeOther)
	assert.Equal(t, groups.RoleCreator, role(alice))

	// Removal: not of someone as high as oneself.
	res = bb.post(members+"/"+alice.profile.ID+"/remove", nil).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=member_forbidden", res.location())
	res = ab.post(members+"/"+carol.profile.ID+"/remove", nil).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=member_removed", res.location())
	assert.Empty(t, role(carol))
	res = ab.post(members+"/"+carol.profile.ID+"/remove", nil).status(http.StatusSeeOther)
	assert.Equal(t, members+"?msg=member_unknown", res.location())

	// A forged profile cookie does not make Dave act as Alice.
	db.cookies["convene_profile"] = alice.profile.ID
	db.get(members).status(http.StatusForbidden)
	db.post(members+"/"+bob.profile.ID+"/remove", nil).status(http.StatusForbidden)
	assert.Equal(t, groups.RoleModerator, role(bob))
}

func TestGroupInvitesWithoutResolver(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice := w.user("alice")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "club"})
	require.NoError(t, err)
	ab := w.login(alice)
	ab.get("/groups/" + g.ID + "/members").contains("@user of someone on this instance.")
	ab.post("/groups/"+g.ID+"/invite", url.Values{"handle": {"@zed@far.example"}}).status(http.StatusBadRequest).
		contains("cannot invite people of other instances")
}

func TestGroupEventsTab(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "club", DisplayName: "Club"})
	require.NoError(t, err)
	w.event(alice.profile, func(in *events.Input) { in.Title = "Club night"; in.GroupID = g.ID })
	w.event(alice.profile, func(in *events.Input) { in.Title = "Alice alone" })
	w.browser().get("/groups/"+g.ID+"/events").status(http.StatusOK).contains("Events of Club", "Club night").lacks("Alice alone", "/members")
	w.browser().get("/groups/" + g.ID + "/events?after=garbage").status(http.StatusBadRequest)
	w.browser().get("/groups/nope/events").status(http.StatusNotFound)

	priv, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "cabal", Visibility: groups.Private})
	require.NoError(t, err)
	w.login(bob).get("/groups/" + priv.ID + "/events").status(http.StatusNotFound)
	w.login(bob).get("/groups/" + priv.ID + "/members").status(http.StatusNotFound)
	w.login(alice).get("/groups/" + priv.ID + "/events").status(http.StatusOK).contains("/groups/" + priv.ID + "/members")
}
