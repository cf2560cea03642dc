package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/moderation"
)

// TestReportDiscussionMessage: a member reports another member's
// discussion message with the button of the discussion page; the queue
// and the report page show it (text, author, group and discussion, a
// link); a moderator hides it from the report page, and the members see
// "hidden by moderators" instead of its text, until it is shown again.
func TestReportDiscussionMessage(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, bob.profile.ID, "")
	require.NoError(t, err)
	d, first, err := w.inst.Groups.CreateDiscussion(w.ctx, alice.profile.ID, g.ID, groups.DiscussionInput{Title: "Seeds", Text: "Who has seeds?"})
	require.NoError(t, err)
	spam, err := w.inst.Groups.Reply(w.ctx, bob.profile.ID, d.ID, groups.CommentInput{Text: "Buy cheap watches"})
	require.NoError(t, err)
	thread := "/groups/" + g.ID + "/discussions/" + d.ID
	ab, bb := w.login(alice), w.login(bob)

	// The button on others' messages only.
	ab.get(thread).status(http.StatusOK).contains(`value="discussion_message"`, `name="id" value="`+spam.ID+`"`).
		lacks(`name="id" value="` + first.ID + `"`)
	bb.get(thread).contains(`name="id" value="` + first.ID + `"`).lacks(`name="id" value="` + spam.ID + `"`)
	res := ab.post("/report", url.Values{"kind": {"discussion_message"}, "id": {spam.ID}, "comment": {"spam"},
		"back": {thread}}).status(http.StatusSeeOther)
	require.Equal(t, thread+"?msg=report_filed", res.location())
	res = bb.post("/report", url.Values{"kind": {"discussion_message"}, "id": {spam.ID}, "back": {thread}}).status(http.StatusSeeOther)
	require.Equal(t, thread+"?msg=report_own", res.location())
	ab.post("/report", url.Values{"kind": {"discussion_message"}, "id": {"nope"}}).status(http.StatusNotFound)

	admin := w.admin("ada")
	rs, _, err := w.inst.Moderation.Reports(w.ctx, admin.account.ID, moderation.ReportFilter{})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	r := rs[0]
	require.Equal(t, moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: spam.ID}, r.Target)

	ada := w.login(admin)
	ada.get("/moderation").status(http.StatusOK).contains("Discussion message", "Garden › Seeds")
	page := "/moderation/reports/" + r.ID
	link := thread + "#message-" + spam.ID
	ada.get(page).status(http.StatusOK).contains("Buy cheap watches", "Garden › Seeds", `href="`+link+`"`,
		`value="hide"`, `value="unhide"`).lacks("The message is hidden now")

	ada.post(page+"/act", url.Values{"kind": {"hide"}, "comment": {"spam"}}).status(http.StatusSeeOther)
	ada.get(page).contains("The message is hidden now", "Buy cheap watches")
	for _, b := range []*browser{ab, bb} {
		b.get(thread).status(http.StatusOK).contains("Hidden by the instance&#39;s moderators.", "Who has seeds?").
			lacks("Buy cheap watches", `name="id" value="`+spam.ID+`"`, `/messages/`+spam.ID+`/edit"`)
	}
	as, _, err := w.inst.Moderation.Log(w.ctx, admin.account.ID, moderation.LogFilter{ReportID: r.ID})
	require.NoError(t, err)
	require.Len(t, as, 1)
	require.Equal(t, moderation.ActionHide, as[0].Kind)

	ada.post(page+"/act", url.Values{"kind": {"unhide"}}).status(http.StatusSeeOther)
	bb.get(thread).contains("Buy cheap watches").lacks("Hidden by the instance")
}
