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

// secondProfile returns the account's profile named username.
func secondProfile(t *testing.T, w *world, u *user, username string) *identity.Profile {
	t.Helper()
	ps, err := w.inst.Identity.ListProfiles(w.ctx, u.account.ID)
	require.NoError(t, err)
	for i := range ps {
		if ps[i].Username == username {
			return &ps[i]
		}
	}
	t.Fatalf("no profile %s", username)
	return nil
}

func TestIdentities(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	w.browser().get("/me/profiles").status(http.StatusSeeOther)
	ab := w.login(alice)
	ab.get("/me/profiles").status(http.StatusOK).contains("@alice@events.example", "/me/profiles/new", "/me/profiles/public")

	// Create: a bad username changes nothing; a good one adds a profile.
	ab.get("/me/profiles/new").status(http.StatusOK).contains(`name="username"`)
	ab.post("/me/profiles/new", url.Values{"username": {"Bad Name"}}).status(http.StatusBadRequest).
		contains(`role="alert"`, `aria-invalid="true"`)
	ab.post("/me/profiles/new", url.Values{"username": {"bob"}}).status(http.StatusBadRequest) // taken
	res := ab.post("/me/profiles/new", url.Values{"username": {"night_owl"}, "display_name": {"Night owl"},
		"summary": {"I go out."}}).status(http.StatusSeeOther)
	assert.Equal(t, "/me/profiles?msg=profile_created", res.location())
	owl := secondProfile(t, w, alice, "night_owl")
	assert.Equal(t, "Night owl", owl.DisplayName)
	ps, err := w.inst.Identity.ListProfiles(w.ctx, alice.account.ID)
	require.NoError(t, err)
	require.Len(t, ps, 2)

	// Edit.
	ab.get("/me/profiles/"+owl.ID+"/edit").status(http.StatusOK).contains("Night owl", `name="avatar_url"`)
	ab.post("/me/profiles/"+owl.ID+"/edit", url.Values{"display_name": {"Owl"}, "avatar_url": {"ftp://x"}}).
		status(http.StatusBadRequest).contains(`role="alert"`)
	assert.Equal(t, "Night owl", secondProfile(t, w, alice, "night_owl").DisplayName, "a bad edit changes nothing")
	res = ab.post("/me/profiles/"+owl.ID+"/edit", url.Values{"display_name": {"Owl"}, "summary": {"Late."},
		"avatar_url": {"https://img.example/owl.png"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/me/profiles?msg=profile_updated", res.location())
	owl = secondProfile(t, w, alice, "night_owl")
	assert.Equal(t, "Owl", owl.DisplayName)
	assert.Equal(t, "https://img.example/owl.png", owl.AvatarURL)
	assert.Contains(t, owl.Summary, "Late.")

	// Another account never reaches these profiles.
	bb := w.login(bob)
	bb.get("/me/profiles/" + owl.ID + "/edit").status(http.StatusNotFound)
	bb.post("/me/profiles/"+owl.ID+"/edit", url.Values{"display_name": {"Hacked"}}).status(http.StatusNotFound)
	bb.post("/me/profiles/"+owl.ID+"/default", nil).status(http.StatusNotFound)
	assert.Equal(t, "Owl", secondProfile(t, w, alice, "night_owl").DisplayName)
	bb.get("/me/profiles").lacks("night_owl", "@alice@")
	// Nor through a forged profile cookie: it falls back to Bob's own.
	bb.cookies["convene_profile"] = alice.profile.ID
	bb.get("/me/profiles").contains("@bob@events.example").lacks("@alice@", "night_owl")
	bb.get("/me/profiles/public").lacks("@alice@", "night_owl")

	// Default.
	res = ab.post("/me/profiles/"+owl.ID+"/default", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/me/profiles?msg=profile_default", res.location())
	assert.True(t, secondProfile(t, w, alice, "night_owl").Default)
	assert.False(t, secondProfile(t, w, alice, "alice").Default)
}

func TestPublicView(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	owl, err := w.inst.Identity.CreateProfile(w.ctx, alice.account.ID, identity.ProfileInput{Username: "night_owl", DisplayName: "Owl"})
	require.NoError(t, err)
	// Bob follows the owl; the owl belongs to a group and organizes an
	// event; Alice's main profile joins one of Bob's events.
	_, err = w.inst.Identity.Follow(w.ctx, bob.profile.ID, owl.ID, "")
	require.NoError(t, err)
	_, err = w.inst.Identity.AcceptFollow(w.ctx, bob.profile.ID, owl.ID)
	require.NoError(t, err)
	_, err = w.inst.Groups.Create(w.ctx, owl.ID, groups.CreateInput{Username: "owls", DisplayName: "Owls club"})
	require.NoError(t, err)
	w.event(owl, func(in *events.Input) { in.Title = "Moon walk" })
	party := w.event(bob.profile, func(in *events.Input) { in.Title = "Bob's party" })
	hidden := w.event(bob.profile, func(in *events.Input) { in.Title = "Secret party"; in.Visibility = events.Unlisted })
	_, err = w.inst.Events.Join(w.ctx, hidden.ID, alice.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	_, err = w.inst.Events.Join(w.ctx, party.ID, alice.profile.ID, events.JoinInput{})
	require.NoError(t, err)

	ab := w.login(alice)
	res := ab.get("/me/profiles/public").status(http.StatusOK)
	res.contains("never linked publicly", "@alice@events.example", "@night_owl@events.example",
		base+"/@night_owl", "Owls club", "Moon walk", "Bob&#39;s party").lacks("Secret party")
	// The owl has one follower; Alice's main profile none.
	assert.Regexp(t, `(?s)Followers</dt><dd>1</dd>`, res.body)
	assert.Regexp(t, `(?s)Followers</dt><dd>0</dd>`, res.body)

	// And indeed the public page of one profile says nothing of the other.
	w.browser().get("/@night_owl").status(http.StatusOK).contains("Owl").lacks("@alice@", "Alice")
}
