package web_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
)

// TestHideReportedEvent: a moderator hides a reported event from the
// report's page; the event's page is then a 404 to everyone, its
// organizer included, and moderators see it with a banner whose button
// shows it again.
func TestHideReportedEvent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org, carol, mona := w.user("org"), w.user("carol"), w.user("mona")
	_, err := w.inst.Identity.SetRole(w.ctx, mona.account.ID, identity.RoleModerator)
	require.NoError(t, err)
	ev := w.event(org.profile, nil)
	r, err := w.inst.Moderation.File(w.ctx, carol.account.ID, carol.profile.ID,
		moderation.ReportInput{Target: moderation.Target{Kind: moderation.TargetEvent, ID: ev.ID}, Comment: "scam"})
	require.NoError(t, err)
	ob, cb, mb := w.login(org), w.login(carol), w.login(mona)
	evPage, report := "/events/"+ev.ID, "/moderation/reports/"+r.ID

	mb.get(evPage).status(http.StatusOK).lacks("Hidden by moderators")
	mb.get(report).status(http.StatusOK).contains(`value="hide"`, `value="unhide"`).lacks("The event is hidden now")
	res := mb.post(report+"/act", url.Values{"kind": {"hide"}, "comment": {"scam"}}).status(http.StatusSeeOther)
	assert.Equal(t, report+"?msg=action_done", res.location())
	mb.get(report).contains("The event is hidden now")

	for name, b := range map[string]*browser{"anonymous": w.browser(), "organizer": ob, "reporter": cb} {
		res := b.get(evPage)
		assert.Equal(t, http.StatusNotFound, res.rec.Code, name)
		assert.NotContains(t, res.body, "Picnic", name)
		if name != "anonymous" {
			b.post(evPage+"/join", url.Values{}).status(http.StatusNotFound)
		}
	}
	w.browser().get("/").status(http.StatusOK).lacks(evPage)
	cb.post("/moderation/act", url.Values{"kind": {"unhide"}, "target_kind": {"event"}, "target_id": {ev.ID},
		"back": {evPage}}).status(http.StatusNotFound)

	// Moderators see the page with the banner, in English and French,
	// and nothing to join or comment.
	mb.get(evPage).status(http.StatusOK).contains("Picnic", "Hidden by moderators", `action="/moderation/act"`,
		`name="kind" value="unhide"`, `name="target_id" value="`+ev.ID+`"`).
		lacks(`action="/events/`+ev.ID+`/join"`, `action="/events/`+ev.ID+`/comments"`, ".ics")
	mb.lang = "fr"
	mb.get(evPage).contains("Masqué par les modérateur·ices", "Montrer à nouveau l’événement")
	mb.lang = ""

	res = mb.post("/moderation/act", url.Values{"kind": {"unhide"}, "target_kind": {"event"}, "target_id": {ev.ID},
		"back": {evPage}}).status(http.StatusSeeOther)
	assert.Equal(t, evPage+"?msg=action_done", res.location())
	w.browser().get(evPage).status(http.StatusOK).contains("Picnic").lacks("Hidden by moderators")
	ob.get(evPage).status(http.StatusOK)
	mb.get("/moderation/log").contains("Hidden", "Shown again")
	mb.post("/moderation/act", url.Values{"kind": {"hide"}, "target_kind": {"event"}, "target_id": {"nope"}}).
		status(http.StatusNotFound)
}
