package browser_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConversationFlows drives the private conversations between an
// event's participants and its organizers in headless Chromium (issue
// #7): an organizer creates an event, a participant writes to the
// organizers from the event page, the organizer finds the conversation
// on the event's messages page and replies, the participant reads the
// reply; the organizer's message to the participants lands in the same
// conversation as an announcement; a user who takes no part gets a 404.
// The subtests run in order and share the server.
func TestConversationFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server and a browser; skipped in -short mode")
	}
	chromium(t)
	t.Parallel()
	srv := newServer(t, "")
	srv.account("alice@example.org", "alice")
	srv.account("bob@example.org", "bob")
	srv.account("carol@example.org", "carol")
	srv.start()
	browser := newBrowser(t)
	alice := newTab(t, browser, srv)
	bob := newTab(t, browser, srv)
	carol := newTab(t, browser, srv)

	// Each step needs the ones before it: after a failure, skip the rest.
	step := func(name string, f func(t *testing.T)) {
		if t.Failed() {
			t.Run(name, func(t *testing.T) { t.Skip("an earlier step failed") })
			return
		}
		t.Run(name, func(t *testing.T) {
			alice.tb, bob.tb, carol.tb = t, t, t
			f(t)
		})
	}
	const (
		title    = "Choir rehearsal in the park"
		question = "Is there a place to leave a bicycle?"
		answer   = "Yes, racks by the north gate."
		subject  = "Rehearsal moved"
		notice   = "We start at six, not five."
	)
	var eventPath, conv string

	step("create an event, another user joins", func(t *testing.T) {
		alice.login("alice@example.org")
		alice.open("/events/new")
		alice.fill(map[string]string{"f-title": title, "f-description": "Bring your scores.",
			"f-start_date": time.Now().AddDate(0, 0, 7).Format("2006-01-02"), "f-start_time": "17:00",
			"f-duration": "120", "f-time_zone": "Europe/Paris"})
		alice.submit(`form.event-form button[type=submit]`)
		u, err := url.Parse(alice.url())
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(u.Path, "/events/"), "the new event's page: %s", u)
		eventPath = u.Path
		assert.False(t, alice.has(`form[action="`+eventPath+`/conversations"]`),
			"an organizer does not write to the organizers")

		bob.login("bob@example.org")
		bob.open(eventPath)
		assert.False(t, bob.has(`form[action="`+eventPath+`/conversations"]`),
			"who does not take part cannot write to the organizers")
		bob.submit(`form[action="` + eventPath + `/join"] button[type=submit]`)
		require.Contains(t, bob.url(), "msg=joined")
	})

	step("a participant writes to the organizers", func(t *testing.T) {
		bob.open(eventPath)
		form := `form[action="` + eventPath + `/conversations"]`
		require.True(t, bob.has(form), "the event page has the form to write to the organizers")
		bob.fill(map[string]string{"f-conv-text": question})
		bob.submit(form + ` button[type=submit]`)
		u, err := url.Parse(bob.url())
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(u.Path, "/conversations/"), "the conversation's page: %s", u)
		assert.Equal(t, "conv_sent", u.Query().Get("msg"))
		conv = u.Path
		assert.Contains(t, bob.text(`#conv-title`), title)
		last := bob.text(`ol.comments li:last-child`)
		assert.Contains(t, last, question)
		assert.Contains(t, last, "@bob")
		assert.NotContains(t, last, "organizer")

		// It is among bob's messages, with the organizer.
		bob.open(eventPath)
		bob.submit(`header.site nav a[href="/conversations"]`) // the "Messages" link
		assert.Equal(t, "Messages", bob.text(`header.site nav a[aria-current=page]`))
		row := `ul.conversations li:has(a[href="` + conv + `"])`
		require.True(t, bob.has(row), "bob's messages list the conversation")
		assert.Contains(t, bob.text(row), title)
		assert.Contains(t, bob.text(row), "@alice")

		// Only the organizers see an event's conversations.
		assert.Equal(t, http.StatusNotFound, bob.openStatus(eventPath+"/conversations"))

		// alice is told by mail, with the message and a link to the
		// conversation.
		text := srv.mailText("alice@example.org", "conversation.message", question)
		assert.Contains(t, text, srv.base+conv)
		assert.Contains(t, text, title)
	})

	step("the organizer finds the conversation and replies", func(t *testing.T) {
		alice.open(eventPath)
		link := `p.conversations a[href="` + eventPath + `/conversations"]`
		require.True(t, alice.has(link), "the organizer's event page links to its messages")
		assert.Contains(t, alice.text(link), "(1)", "one conversation")
		alice.submit(link)
		row := `ul.conversations li:has(a[href="` + conv + `"])`
		require.True(t, alice.has(row), "the event's messages list bob's conversation")
		assert.Contains(t, alice.text(row), "@bob")
		alice.submit(row + ` a[href="` + conv + `"]`)
		assert.Contains(t, alice.text(`ol.comments li:last-child`), question)
		assert.True(t, alice.has(`a[href="`+eventPath+`/conversations"]`), "back to the event's messages")

		alice.fill(map[string]string{"f-text": answer})
		alice.submit(`form[action="` + conv + `/reply"] button[type=submit]`)
		assert.Contains(t, alice.url(), "msg=conv_sent")
		last := alice.text(`ol.comments li:last-child`)
		assert.Contains(t, last, answer)
		assert.Contains(t, last, "@alice")
		assert.Contains(t, last, "organizer")
	})

	step("the participant reads the reply", func(t *testing.T) {
		bob.open("/conversations")
		row := `ul.conversations li:has(a[href="` + conv + `"])`
		require.True(t, bob.has(row), "bob's messages list the conversation")
		assert.Equal(t, 1, bob.count(`ul.conversations li`), "one conversation, not a new one per message")
		bob.submit(row + ` a[href="` + conv + `"]`)
		assert.Equal(t, 2, bob.count(`ol.comments li`))
		assert.Contains(t, bob.text(`ol.comments li:first-child`), question)
		last := bob.text(`ol.comments li:last-child`)
		assert.Contains(t, last, answer)
		assert.Contains(t, last, "organizer")

		text := srv.mailText("bob@example.org", "conversation.message", answer)
		assert.Contains(t, text, srv.base+conv)
	})

	step("the message to the participants is an announcement in the conversation", func(t *testing.T) {
		alice.open(eventPath)
		form := `form[action="` + eventPath + `/message"]`
		if !alice.has(form) {
			t.Fatalf("the organizer's event page has no form to write to the participants (at %s)", alice.url())
		}
		alice.fill(map[string]string{"f-msg-subject": subject, "f-msg-text": notice})
		alice.submit(form + ` button[type=submit]`)
		assert.Contains(t, alice.url(), "msg=message_sent")

		bob.open("/conversations")
		assert.Equal(t, 1, bob.count(`ul.conversations li`), "the announcement joins the existing conversation")
		bob.open(conv)
		assert.Equal(t, 3, bob.count(`ol.comments li`))
		last := `ol.comments li:last-child`
		assert.Contains(t, bob.text(last), subject)
		assert.Contains(t, bob.text(last), notice)
		assert.Contains(t, bob.text(last+` p.meta`), "announcement")
		assert.Contains(t, bob.text(last+` .text strong`), subject, "the subject in bold")

		// bob is told by mail too, with a link to the conversation.
		text := srv.mailText("bob@example.org", "conversation.message", notice)
		assert.Contains(t, text, srv.base+conv)
	})

	step("an outsider gets a 404", func(t *testing.T) {
		carol.login("carol@example.org")
		assert.Equal(t, http.StatusNotFound, carol.openStatus(conv))
		assert.NotContains(t, carol.text(`main`), question)
		assert.Equal(t, http.StatusNotFound, carol.openStatus(eventPath+"/conversations"))
		// Replying is refused the same way; writing to the organizers
		// without taking part is refused with a message. Neither adds
		// anything.
		carol.open(eventPath)
		assert.False(t, carol.has(`form[action="`+eventPath+`/conversations"]`))
		assert.Equal(t, http.StatusNotFound, carol.postStatus(conv+"/reply", "text", "Let me in."))
		carol.open(eventPath)
		assert.Equal(t, http.StatusOK, carol.postStatus(eventPath+"/conversations", "text", "Let me in."))
		assert.Contains(t, carol.url(), "msg=conv_closed")
		assert.True(t, carol.has(`[role=status].flash`), "the page says why")
		carol.open("/conversations")
		assert.Contains(t, carol.text(`main`), "No conversation yet.")
		assert.False(t, carol.has(`ul.conversations`), "carol has no conversation")
		bob.open(conv)
		assert.Equal(t, 3, bob.count(`ol.comments li`))
	})

	step("the conversation pages fit a phone", func(t *testing.T) {
		for _, v := range []struct {
			tab  *tab
			path string
		}{{bob, conv}, {bob, "/conversations"}, {alice, eventPath + "/conversations"}, {bob, eventPath}} {
			v.tab.do(chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)), chromedp.Navigate(srv.base+v.path),
				chromedp.WaitVisible(chromedp.CSS("main")))
			overflow := run(v.tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`))
			assert.LessOrEqual(t, overflow, int64(0), "%s scrolls sideways at 390px", v.path)
		}
	})
}

// postStatus submits a form of its own (its CSRF token taken from the
// page the tab is on, then name, value pairs) to a path of the server
// and returns the HTTP status of the page it leads to. The pages' CSP
// forbids fetch; a form posts.
func (t *tab) postStatus(path string, pairs ...string) int {
	t.tb.Helper()
	js := `(() => { const f = document.createElement("form"); f.method = "post"; f.action = ` + jsString(path) + `;
		const add = (n, v) => { const i = document.createElement("input"); i.type = "hidden"; i.name = n; i.value = v; f.append(i) };
		add("csrf", document.querySelector("input[name=csrf]").value);`
	for i := 0; i+1 < len(pairs); i += 2 {
		js += "add(" + jsString(pairs[i]) + ", " + jsString(pairs[i+1]) + ");"
	}
	js += `const b = document.createElement("button"); b.type = "submit"; b.id = "post-status"; f.append(b);
		document.body.append(f); return true })()`
	run(t, chromedp.Evaluate[bool](js))
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.ID("post-status")))
	if err != nil {
		t.tb.Fatalf("browser: post %s: %v (at %s)", path, err, t.location())
	}
	return int(resp.Status)
}

// mailText waits for a mail to `to` whose kind (X-Convene-Kind) starts
// with kind and whose text holds needle, and returns its text.
func (s *server) mailText(to, kind, needle string) string {
	s.tb.Helper()
	var text string
	s.awaitMail(fmt.Sprintf("a %s mail with %q reaches %s", kind, needle, to), to, kind, func(t string) bool {
		if !strings.Contains(t, needle) {
			return false
		}
		text = t
		return true
	})
	return text
}
