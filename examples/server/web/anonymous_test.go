package web_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
)

func TestJoinWithoutAccount(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice := w.user("alice")
	e := w.event(alice.profile, func(in *events.Input) { in.AnonymousParticipation = true; in.Capacity = 5 })
	closed := w.event(alice.profile, func(in *events.Input) { in.Title = "Members only" })

	visitor := w.browser()
	visitor.get("/events/"+e.ID).status(http.StatusOK).contains(`action="/events/`+e.ID+`/join-anonymous"`, `type="email"`)
	visitor.get("/events/" + closed.ID).lacks("join-anonymous")
	res := visitor.post("/events/"+closed.ID+"/join-anonymous", url.Values{"email": {"x@mail.example"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+closed.ID+"?msg=anon_disabled", res.location())
	// Signed-in people join as a profile, not by email.
	ab := w.login(alice)
	ab.get("/events/" + e.ID).lacks("join-anonymous")

	// A bad address changes nothing.
	visitor.post("/events/"+e.ID+"/join-anonymous", url.Values{"email": {"not an address"}}).
		status(http.StatusBadRequest).contains(`role="alert"`)
	n, err := w.db.CountParticipants(w.ctx, e.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "the organizer only")

	const email = "zoe@mail.example"
	visitor.post("/events/"+e.ID+"/join-anonymous", url.Values{"email": {email}, "message": {"Hi"}}).
		status(http.StatusOK).contains(email)
	confirm, cancel := w.anon.links(email)
	require.NotEmpty(t, confirm)
	require.NotEmpty(t, cancel)
	assert.True(t, strings.HasPrefix(confirm, base+"/participation/confirm?token="), confirm)

	// The organizer sees an anonymous participant, never the email, on
	// the page and in the export.
	ab.get("/events/"+e.ID).contains("Participant without an account").lacks(email, "zoe@")
	csvRes := ab.get("/events/" + e.ID + "/participants.csv").status(http.StatusOK)
	assert.Equal(t, "text/csv; charset=utf-8", csvRes.rec.Header().Get("Content-Type"))
	assert.NotContains(t, csvRes.body, "zoe")
	rows, err := csv.NewReader(strings.NewReader(csvRes.body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, []string{"handle", "display name", "role", "joined at"}, rows[0])
	assert.Contains(t, rows, []string{"", "Participant without an account", "not_confirmed", rows[2][3]})

	// Confirming takes a seat; twice is harmless; a bad token is a 404.
	other := w.browser()
	other.get(strings.Replace(path(t, cancel), "cancel", "confirm", 1)).status(http.StatusNotFound)
	other.get(path(t, confirm)).status(http.StatusOK).contains("Your participation is confirmed.")
	assert.Equal(t, "no-referrer", other.get(path(t, confirm)).status(http.StatusOK).rec.Header().Get("Referrer-Policy"))
	other.get("/participation/confirm?token=" + strings.Repeat("x", 43)).status(http.StatusNotFound)
	n, err = w.db.CountParticipants(w.ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
	require.NoError(t, err)
	assert.Equal(t, 1, n)

	// Cancelling asks first (a link prefetcher cancels nothing), then
	// ends the participation, once.
	tok, err := url.Parse(cancel)
	require.NoError(t, err)
	other.get(path(t, cancel)).status(http.StatusOK).contains(`action="/participation/cancel"`)
	n, err = w.db.CountParticipants(w.ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	other.post("/participation/cancel", url.Values{"token": {tok.Query().Get("token")}}).status(http.StatusOK).
		contains("Your participation is cancelled.")
	other.post("/participation/cancel", url.Values{"token": {tok.Query().Get("token")}}).status(http.StatusNotFound)
	other.post("/participation/cancel", url.Values{"token": {tok.Query().Get("token")}, "csrf": {"forged"}}).status(http.StatusForbidden)
	n, err = w.db.CountParticipants(w.ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
	require.NoError(t, err)
	assert.Equal(t, 0, n)
}

func TestJoinWithoutAccountNeedsAMailer(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // no AnonymousMail
	alice := w.user("alice")
	e := w.event(alice.profile, func(in *events.Input) { in.AnonymousParticipation = true })
	v := w.browser()
	v.get("/events/" + e.ID).status(http.StatusOK).lacks("join-anonymous")
	v.post("/events/"+e.ID+"/join-anonymous", url.Values{"email": {"x@mail.example"}}).status(http.StatusSeeOther)
	n, err := w.db.CountParticipants(w.ctx, e.ID, nil)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestExportAndModeration(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	e := w.event(alice.profile, func(in *events.Input) { in.CommentModeration = events.CommentsModerated })
	name := "=HYPERLINK(\"http://evil.example\")"
	_, err := w.inst.Identity.UpdateProfile(w.ctx, carol.account.ID, carol.profile.ID, identity.ProfileUpdate{DisplayName: &name})
	require.NoError(t, err)
	for _, u := range []*user{bob, carol} {
		_, err := w.inst.Events.Join(w.ctx, e.ID, u.profile.ID, events.JoinInput{})
		require.NoError(t, err)
	}
	ab, bb := w.login(alice), w.login(bob)

	// The export is for organizers.
	bb.get("/events/" + e.ID + "/participants.csv").status(http.StatusForbidden)
	w.browser().get("/events/" + e.ID + "/participants.csv").status(http.StatusSeeOther)
	ab.get("/events/" + e.ID).contains("/events/" + e.ID + "/participants.csv")
	bb.get("/events/" + e.ID).lacks("participants.csv")
	rows, err := csv.NewReader(strings.NewReader(ab.get("/events/" + e.ID + "/participants.csv").status(http.StatusOK).body)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4)
	var handles []string
	for _, r := range rows[1:] {
		handles = append(handles, r[0])
		if r[0] == "carol@events.example" {
			assert.Equal(t, "'"+name, r[1], "formulas are defused")
		}
	}
	assert.ElementsMatch(t, []string{"alice@events.example", "bob@events.example", "carol@events.example"}, handles)

	// A held comment: its moderator publishes or rejects it, nobody else.
	bb.post("/events/"+e.ID+"/comments", url.Values{"text": {"First!"}}).status(http.StatusSeeOther)
	cs, _, err := w.inst.Events.Comments(w.ctx, alice.profile.ID, e.ID, "", 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, events.CommentPending, cs[0].State)
	approve := "/events/" + e.ID + "/comments/" + cs[0].ID + "/approve"
	ab.get("/events/" + e.ID).contains(`action="` + approve + `"`)
	bb.get("/events/" + e.ID).lacks(approve)
	bb.post(approve, nil).status(http.StatusNotFound)
	other := w.event(bob.profile, nil)
	bb.post("/events/"+other.ID+"/comments/"+cs[0].ID+"/approve", nil).status(http.StatusNotFound) // not this event's
	cs, _, err = w.inst.Events.Comments(w.ctx, alice.profile.ID, e.ID, "", 10)
	require.NoError(t, err)
	assert.Equal(t, events.CommentPending, cs[0].State)
	res := ab.post(approve, nil).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+e.ID+"?msg=comment_approved", res.location())
	cs, _, err = w.inst.Events.Comments(w.ctx, alice.profile.ID, e.ID, "", 10)
	require.NoError(t, err)
	assert.Equal(t, events.CommentPublished, cs[0].State)

	bb.post("/events/"+e.ID+"/comments", url.Values{"text": {"Spam"}}).status(http.StatusSeeOther)
	cs, _, err = w.inst.Events.Comments(w.ctx, alice.profile.ID, e.ID, "", 10)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	spam := cs[0]
	if spam.State != events.CommentPending {
		spam = cs[1]
	}
	res = ab.post("/events/"+e.ID+"/comments/"+spam.ID+"/reject", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+e.ID+"?msg=comment_rejected", res.location())
	w.browser().get("/events/" + e.ID).contains("First!").lacks("Spam")
}
