package web_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
)

// messenger records the organizers' messages.
type messenger struct {
	mu   sync.Mutex
	sent []string // event id + " " + subject
}

func (m *messenger) AnonymousParticipantsMessage(ctx context.Context, e *events.Event, _ *identity.Profile, subject, _ string,
	before func(context.Context) error) (int, error) {
	if before != nil {
		if err := before(ctx); err != nil {
			return 0, err
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, e.ID+" "+subject)
	return 3, nil
}

func TestReportsAndModeration(t *testing.T) {
	t.Parallel()
	w := newFullWorld(t)
	alice, bob, mod, admin := w.user("alice"), w.user("bob"), w.user("mod"), w.user("admin")
	_, err := w.inst.Identity.SetRole(w.ctx, mod.account.ID, identity.RoleModerator)
	require.NoError(t, err)
	_, err = w.inst.Identity.SetRole(w.ctx, admin.account.ID, identity.RoleAdmin)
	require.NoError(t, err)
	e := w.event(alice.profile, nil)
	ab, bb, mb, adm := w.login(alice), w.login(bob), w.login(mod), w.login(admin)

	// The button on profiles, events; not on one's own profile.
	bb.get("/@alice").contains(`action="/report"`, `value="actor"`)
	ab.get("/@alice").lacks(`action="/report"`)
	bb.get("/events/" + e.ID).contains(`value="event"`)
	w.browser().post("/report", url.Values{"kind": {"event"}, "id": {e.ID}}).status(http.StatusSeeOther) // to login

	res := bb.post("/report", url.Values{"kind": {"event"}, "id": {e.ID}, "comment": {"spam"}, "back": {"/events/" + e.ID}}).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+e.ID+"?msg=report_filed", res.location())
	res = bb.post("/report", url.Values{"kind": {"event"}, "id": {e.ID}, "back": {"https://evil.example/"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/?msg=report_already", res.location())
	res = ab.post("/report", url.Values{"kind": {"actor"}, "id": {alice.profile.ID}, "back": {"/@alice"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/@alice?msg=report_own", res.location())
	bb.post("/report", url.Values{"kind": {"event"}, "id": {"nope"}}).status(http.StatusNotFound)
	bb.post("/report", url.Values{"kind": {"planet"}, "id": {e.ID}}).status(http.StatusBadRequest)
	bb.post("/report", url.Values{"kind": {"actor"}, "id": {alice.profile.ID}, "comment": {"rude"}}).status(http.StatusSeeOther)

	// Only moderators and admins see the queue; the rest get a 404.
	for _, b := range []*browser{ab, bb} {
		b.get("/moderation").status(http.StatusNotFound)
		b.get("/moderation/log").status(http.StatusNotFound)
	}
	bb.get("/").lacks(`href="/moderation"`)
	mb.get("/").contains(`href="/moderation"`)
	rs, _, err := w.inst.Moderation.Reports(w.ctx, mod.account.ID, moderation.ReportFilter{})
	require.NoError(t, err)
	require.Len(t, rs, 2)
	evReport, actorReport := rs[0], rs[1]
	if evReport.Target.Kind != moderation.TargetEvent {
		evReport, actorReport = actorReport, evReport
	}
	mb.get("/moderation").status(http.StatusOK).contains("/moderation/reports/"+evReport.ID, "Bob")
	page := "/moderation/reports/" + evReport.ID
	for _, b := range []*browser{ab, bb} {
		b.get(page).status(http.StatusNotFound)
		b.post(page+"/notes", url.Values{"text": {"x"}}).status(http.StatusNotFound)
		b.post(page+"/act", url.Values{"kind": {"resolve"}}).status(http.StatusNotFound)
	}
	mb.get(page).status(http.StatusOK).contains("spam", `value="resolve"`, `value="hide"`, `value="unhide"`).lacks("disabled")
	mb.post(page+"/notes", url.Values{"text": {""}}).status(http.StatusBadRequest)
	mb.post(page+"/notes", url.Values{"text": {"looks like spam"}}).status(http.StatusSeeOther)
	res = mb.post(page+"/act", url.Values{"kind": {"resolve"}, "comment": {"removed"}}).status(http.StatusSeeOther)
	assert.Equal(t, page+"?msg=action_done", res.location())
	res = mb.post(page+"/act", url.Values{"kind": {"dismiss"}}).status(http.StatusSeeOther)
	assert.Equal(t, page+"?msg=action_status", res.location())
	mb.get(page).contains("looks like spam", "Resolved", `value="reopen"`)
	mb.get("/moderation?status=resolved").contains(evReport.ID)
	mb.get("/moderation?status=open").lacks(evReport.ID)
	mb.get("/moderation?status=bogus").status(http.StatusBadRequest)
	mb.get("/moderation/log").contains("Resolved", "removed")

	// Suspending the account behind a local profile.
	apage := "/moderation/reports/" + actorReport.ID
	adm.get(apage).contains(`value="suspend_account"`)
	adm.post(apage+"/act", url.Values{"kind": {"suspend_account"}}).status(http.StatusSeeOther)
	acct, err := w.inst.Identity.GetAccount(w.ctx, alice.account.ID)
	require.NoError(t, err)
	assert.True(t, acct.Suspended)

	// Rules: everyone reads, admins edit.
	w.browser().get("/rules").status(http.StatusOK).contains("not written its rules").lacks(`action="/rules"`)
	mb.post("/rules", url.Values{"text": {"Be kind."}}).status(http.StatusNotFound)
	adm.get("/rules").contains(`action="/rules"`)
	adm.post("/rules", url.Values{"text": {"Be kind.\n\nNo spam."}}).status(http.StatusSeeOther)
	w.browser().get("/rules").contains("<p>Be kind.</p>", "<p>No spam.</p>")
}

func TestParticipantsMessageForm(t *testing.T) {
	t.Parallel()
	msgs := &messenger{}
	w := newFullWorld(t, func(c *web.Config) { c.Messages = msgs })
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	ab, bb := w.login(alice), w.login(bob)
	ab.get("/events/"+e.ID).contains(`action="/events/`+e.ID+`/message"`, "find it in their messages")
	bb.get("/events/" + e.ID).lacks("/message\"")
	bb.post("/events/"+e.ID+"/message", url.Values{"subject": {"hi"}, "text": {"x"}}).status(http.StatusForbidden)
	w.browser().post("/events/"+e.ID+"/message", url.Values{"subject": {"hi"}, "text": {"x"}}).status(http.StatusSeeOther)
	res := ab.post("/events/"+e.ID+"/message", url.Values{"subject": {"Bring tools"}, "text": {"Please"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+e.ID+"?msg=message_sent", res.location())
	assert.Equal(t, []string{e.ID + " Bring tools"}, msgs.sent)
	// Without a messenger there is no form.
	w2 := newFullWorld(t)
	a2 := w2.user("alice")
	e2 := w2.event(a2.profile, nil)
	w2.login(a2).get("/events/" + e2.ID).lacks("/message\"")
}

// TestHideReportedComment: a moderator hides a reported comment from
// the report's page; the event page no longer shows it; shown again, it
// is back.
func TestHideReportedComment(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org, bob, carol := w.user("org"), w.user("bob"), w.user("carol")
	ev := w.event(org.profile, nil)
	c, err := w.inst.Events.Comment(w.ctx, bob.profile.ID, ev.ID, events.CommentInput{Text: "Buy cheap watches"})
	require.NoError(t, err)
	r, err := w.inst.Moderation.File(w.ctx, carol.account.ID, carol.profile.ID,
		moderation.ReportInput{Target: moderation.Target{Kind: moderation.TargetComment, ID: c.ID}, Comment: "spam"})
	require.NoError(t, err)
	ada := w.login(w.admin("ada"))
	page := "/moderation/reports/" + r.ID
	ada.get(page).status(http.StatusOK).contains(`value="hide"`)
	ada.post(page+"/act", url.Values{"kind": {"hide"}}).status(http.StatusSeeOther)
	cb := w.login(carol)
	cb.get("/events/" + ev.ID).status(http.StatusOK).lacks("Buy cheap watches")
	ada.post(page+"/act", url.Values{"kind": {"unhide"}}).status(http.StatusSeeOther)
	cb.get("/events/" + ev.ID).status(http.StatusOK).contains("Buy cheap watches")
}
