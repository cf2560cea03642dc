package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
)

func TestDiscussionMailToggle(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, bob.profile.ID, "")
	require.NoError(t, err)
	other, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "other", DisplayName: "Other", Openness: groups.Open})
	require.NoError(t, err)
	d, _, err := w.inst.Groups.CreateDiscussion(w.ctx, alice.profile.ID, g.ID, groups.DiscussionInput{Title: "Seeds", Text: "Who has seeds?"})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, other.ID, bob.profile.ID, "")
	require.NoError(t, err)
	elsewhere, _, err := w.inst.Groups.CreateDiscussion(w.ctx, alice.profile.ID, other.ID, groups.DiscussionInput{Title: "x", Text: "x"})
	require.NoError(t, err)
	bb, cb := w.login(bob), w.login(carol)
	list, thread, toggle := "/groups/"+g.ID+"/discussions", "/groups/"+g.ID+"/discussions/"+d.ID, "/groups/"+g.ID+"/discussions/mail"
	mailOn := func() bool {
		on, err := w.inst.Groups.DiscussionMail(w.ctx, bob.profile.ID, g.ID)
		require.NoError(t, err)
		return on
	}

	bb.get(list).contains(`action="`+toggle+`"`, `name="on" value="1"`, "Email me new messages").lacks("Stop emailing me")
	bb.get(thread).contains(`action="`+toggle+`"`, `name="did" value="`+d.ID+`"`, "Email me new messages")

	res := bb.post(toggle, url.Values{"on": {"1"}}).status(http.StatusSeeOther)
	assert.Equal(t, list+"?msg=discussion_mail_on", res.location())
	assert.True(t, mailOn())
	bb.get(res.location()).contains("You will get an email for every new message.", "Stop emailing me", `name="on" value="0"`).
		lacks("Email me new messages")

	res = bb.post(toggle, url.Values{"on": {"0"}, "did": {d.ID}}).status(http.StatusSeeOther)
	assert.Equal(t, thread+"?msg=discussion_mail_off", res.location())
	assert.False(t, mailOn())
	bb.get(res.location()).contains("You will no longer get these emails.", "Email me new messages")

	// French.
	bb.lang = "fr"
	bb.get(list).contains("M’envoyer les nouveaux messages par courriel")
	bb.lang = ""

	// Refused, changing nothing: a bad value, no CSRF token, a discussion
	// of another group, a non-member, a private group's outsider.
	bb.post(toggle, url.Values{"on": {"yes"}}).status(http.StatusBadRequest)
	bb.do(http.MethodPost, toggle, url.Values{"on": {"1"}}).status(http.StatusForbidden)
	bb.post(toggle, url.Values{"on": {"1"}, "did": {elsewhere.ID}}).status(http.StatusNotFound)
	assert.False(t, mailOn())
	cb.get(list).status(http.StatusForbidden)
	cb.post(toggle, url.Values{"on": {"1"}}).status(http.StatusForbidden)
	on, err := w.inst.Groups.DiscussionMail(w.ctx, carol.profile.ID, g.ID)
	require.NoError(t, err)
	assert.False(t, on)
	w.browser().post(toggle, url.Values{"on": {"1"}}).status(http.StatusSeeOther) // to the login page
}
