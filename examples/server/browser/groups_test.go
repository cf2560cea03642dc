package browser_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGroupFlows drives a group's content and the moderation of the
// reference server in headless Chromium (issue #7): a user creates an
// open group and starts a discussion, another user joins and replies,
// the first sees the reply and the unread marker clear; a pad link is
// added to the group's resources; a user reports an event and an admin
// adds a note to the report, resolves it and finds the action in the
// log. The subtests run in order and share the server.
func TestGroupFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server and a browser; skipped in -short mode")
	}
	chromium(t)
	t.Parallel()
	srv := newServer(t, "")
	srv.account("alice@example.org", "alice")
	srv.account("bob@example.org", "bob")
	srv.admin("create-account", "--email", "mod@example.org", "--password", password, "--username", "mod", "--admin")
	srv.start()
	browser := newBrowser(t)
	alice := newTab(t, browser, srv)
	bob := newTab(t, browser, srv)
	mod := newTab(t, browser, srv)

	// Each step needs the ones before it: after a failure, skip the rest.
	step := func(name string, f func(t *testing.T)) {
		if t.Failed() {
			t.Run(name, func(t *testing.T) { t.Skip("an earlier step failed") })
			return
		}
		t.Run(name, func(t *testing.T) {
			alice.tb, bob.tb, mod.tb = t, t, t
			f(t)
		})
	}
	const (
		topic    = "Spring planting"
		opening  = "Which beds do we sow first?"
		reply    = "The tomatoes, by the south wall."
		padTitle = "Planting plan"
		padURL   = "https://pad.example.org/p/planting-plan"
		reason   = "This event is an advert for a shop."
		note     = "Checked with the organizer: it is a real workshop."
		resolved = "Not an advert: a free workshop."
	)
	var group, discussion, eventPath string

	step("create an open group", func(t *testing.T) {
		alice.login("alice@example.org")
		alice.open("/groups/new")
		alice.fill(map[string]string{"f-username": "garden_club", "f-display_name": "Garden club",
			"f-summary": "The shared garden of the Rue des Vignoles.", "f-openness": "open"})
		alice.submit(`form[action="/groups/new"] button[type=submit]`)
		require.Contains(t, alice.url(), "msg=group_created")
		group = alice.groupPath()
	})

	step("start a discussion, another member replies", func(t *testing.T) {
		alice.open(group + "/discussions")
		alice.fill(map[string]string{"f-title": topic, "f-text": opening})
		alice.submit(`form[action="` + group + `/discussions"] button[type=submit]`)
		u, err := url.Parse(alice.url())
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(u.Path, group+"/discussions/"), "the new discussion's page: %s", u)
		assert.Equal(t, "discussion_created", u.Query().Get("msg"))
		discussion = u.Path
		assert.Equal(t, topic, alice.text(`#disc-h`))
		assert.Contains(t, alice.text(`ol.comments`), opening)

		// Not a member yet: bob has no discussions tab, and the page is
		// not his to read.
		bob.login("bob@example.org")
		bob.open("/@garden_club")
		assert.False(t, bob.has(`nav.tabs a[href="`+group+`/discussions"]`), "no discussions tab for non-members")
		assert.Equal(t, http.StatusForbidden, bob.openStatus(discussion), "a non-member cannot read the discussion")
		bob.open("/@garden_club")
		bob.submit(`form[action="` + group + `/join"] button[type=submit]`)
		require.Contains(t, bob.url(), "msg=group_joined")
		require.True(t, bob.has(`form[action="`+group+`/leave"]`), "bob is a member")

		// bob has never read the discussion: it is unread for him.
		bob.open(group + "/discussions")
		row := `ul.discussions li:has(a[href="` + discussion + `"])`
		require.True(t, bob.has(row), "bob sees the discussion")
		assert.True(t, bob.has(row+` strong.tag`), "unread for bob")
		bob.open(discussion)
		assert.Contains(t, bob.text(`ol.comments`), opening)
		bob.fill(map[string]string{"f-text": reply})
		bob.submit(`form[action="` + discussion + `/reply"] button[type=submit]`)
		assert.Contains(t, bob.url(), "msg=reply_sent")
		assert.Contains(t, bob.text(`ol.comments li:last-child`), reply)

		// alice read the discussion before the reply: unread again for
		// her, until she opens it.
		alice.open(group + "/discussions")
		assert.True(t, alice.has(row+` strong.tag`), "the reply makes the discussion unread for alice")
		alice.open(discussion)
		last := alice.text(`ol.comments li:last-child`)
		assert.Contains(t, last, reply)
		assert.Contains(t, last, "@bob")
		alice.open(group + "/discussions")
		require.True(t, alice.has(row), "alice sees the discussion")
		assert.False(t, alice.has(row+` strong.tag`), "read: no unread marker")
	})

	step("add a pad link to the resources", func(t *testing.T) {
		alice.open(group + "/resources")
		// Title and summary given: the server fetches nothing.
		alice.fill(map[string]string{"f-kind": "pad", "f-url": padURL, "f-title": padTitle,
			"f-summary": "Who sows what, bed by bed."})
		alice.submit(`section[aria-labelledby=addres-h] button[type=submit]`)
		require.Contains(t, alice.url(), "msg=resource_added")
		require.False(t, alice.has(`#form-error`))
		link := `ul.resources li.resource-pad a[href="` + padURL + `"]`
		require.True(t, alice.has(link), "the pad is listed")
		assert.Equal(t, padTitle, alice.text(link))
		assert.Contains(t, alice.text(`ul.resources li.resource-pad`), "pad.example.org")

		// Members see it too.
		bob.open(group + "/resources")
		assert.Equal(t, padTitle, bob.text(link))
	})

	step("report an event", func(t *testing.T) {
		alice.open("/events/new")
		alice.fill(map[string]string{"f-title": "Seed swap", "f-description": "Bring your seeds.",
			"f-start_date": time.Now().AddDate(0, 0, 7).Format("2006-01-02"), "f-start_time": "10:00",
			"f-duration": "120", "f-time_zone": "Europe/Paris"})
		alice.submit(`form.event-form button[type=submit]`)
		u, err := url.Parse(alice.url())
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(u.Path, "/events/"), "the new event's page: %s", u)
		eventPath = u.Path
		// bob reports it.
		bob.open(eventPath)
		report := `details.report:has(input[name=kind][value=event])`
		require.True(t, bob.has(report), "the event page has a report button")
		bob.do(chromedp.Click(chromedp.CSS(report + ` > summary`)))
		bob.do(chromedp.SetValue(chromedp.CSS(report+` textarea[name=comment]`), reason))
		bob.submit(report + ` button[type=submit]`)
		u, err = url.Parse(bob.url())
		require.NoError(t, err)
		assert.Equal(t, eventPath, u.Path, "back to the event")
		assert.Equal(t, "report_filed", u.Query().Get("msg"))
		assert.True(t, bob.has(`main [role=status], [role=status].flash`), "the page thanks bob")

		// The queue is for staff only.
		assert.Equal(t, http.StatusNotFound, bob.openStatus("/moderation"))
	})

	step("an admin notes and resolves the report", func(t *testing.T) {
		mod.login("mod@example.org")
		require.True(t, mod.has(`a[href="/moderation"]`), "the admin has the moderation link")
		mod.open("/moderation")
		queue := mod.text(`main table tbody`)
		assert.Contains(t, queue, "@alice", "the event's organizer is named")
		assert.Equal(t, 1, mod.count(`main table tbody tr`), "one open report")
		mod.submit(`main table tbody a[href^="/moderation/reports/"]`)
		report := mod.url()
		require.Contains(t, report, "/moderation/reports/")
		facts := mod.text(`dl.facts`)
		assert.Contains(t, facts, reason)
		assert.Contains(t, facts, "Open")
		require.True(t, mod.has(`dl.facts a[href="`+eventPath+`"]`), "the report links to the event")

		mod.fill(map[string]string{"f-text": note})
		mod.submit(`form[action$="/notes"] button[type=submit]`)
		assert.Contains(t, mod.url(), "msg=note_added")
		assert.Contains(t, mod.text(`section[aria-labelledby=notes-h]`), note)

		mod.fill(map[string]string{"f-comment": resolved})
		mod.submit(`button[name=kind][value=resolve]`)
		assert.Contains(t, mod.url(), "msg=action_done")
		assert.Contains(t, mod.text(`dl.facts`), "Resolved")
		assert.True(t, mod.has(`button[name=kind][value=reopen]`), "a resolved report may be reopened")
		assert.False(t, mod.has(`button[name=kind][value=resolve]`))
		assert.Contains(t, mod.text(`section[aria-labelledby=rlog-h]`), resolved)

		// Out of the open queue, among the resolved ones.
		mod.open("/moderation")
		assert.False(t, mod.has(`main table tbody tr`), "no open report left")
		mod.open("/moderation?status=resolved")
		assert.Equal(t, 1, mod.count(`main table tbody tr`))

		// The log shows the action, by whom and why.
		mod.open("/moderation/log")
		entry := mod.text(`main table tbody tr`)
		assert.Contains(t, entry, "Resolved")
		assert.Contains(t, entry, "@mod")
		assert.Contains(t, entry, resolved)
		assert.True(t, mod.has(`main table tbody a[href="`+strings.TrimPrefix(report, srv.base)+`"]`), "the entry links to the report")
	})
}

// count is the number of elements matching a CSS selector, now.
func (t *tab) count(css string) int {
	t.tb.Helper()
	return int(run(t, chromedp.Evaluate[int64]("document.querySelectorAll("+jsString(css)+").length")))
}

// openStatus navigates to a path of the server and returns the HTTP
// status of the page.
func (t *tab) openStatus(path string) int {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Navigate(t.srv.base+path))
	if err != nil {
		t.tb.Fatalf("browser: open %s: %v (at %s)", path, err, t.location())
	}
	return int(resp.Status)
}
