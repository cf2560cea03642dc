package browser_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFlows drives the reference server's web UI in headless Chromium,
// as its users do: sign up and confirm by the mailed link, create an
// event, join it as another user, search, add a second identity,
// join anonymously by email, invite into a group. The subtests run in
// order and share the server: each one needs the ones before it.
func TestFlows(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server and a browser; skipped in -short mode")
	}
	chromium(t)
	t.Parallel()
	srv := newServer(t, "")
	srv.account("bob@example.org", "bob") // the other user, made by the admin command
	srv.start()
	browser := newBrowser(t)
	alice := newTab(t, browser, srv)
	bob := newTab(t, browser, srv)
	visitor := newTab(t, browser, srv)

	// Each step needs the ones before it: after a failure, skip the rest.
	step := func(name string, f func(t *testing.T)) {
		if t.Failed() {
			t.Run(name, func(t *testing.T) { t.Skip("an earlier step failed") })
			return
		}
		t.Run(name, func(t *testing.T) {
			alice.tb, bob.tb, visitor.tb = t, t, t
			f(t)
		})
	}
	const title = "Picnic by the canal"
	var eventPath string

	step("sign up, confirm by mail, log in", func(t *testing.T) {
		alice.open("/signup")
		alice.fill(map[string]string{"f-email": "alice@example.org", "f-username": "alice",
			"f-display_name": "Alice", "f-password": password, "f-password2": password, "f-time_zone": "Europe/Paris"})
		alice.submit(`form[action="/signup"] button[type=submit]`)
		require.True(t, alice.has(`main [role=status]`), "the page says a mail was sent")

		// Logging in before the confirmation is refused.
		alice.open("/login")
		alice.fill(map[string]string{"f-email": "alice@example.org", "f-password": password})
		alice.submit(`form[action="/login"] button[type=submit]`)
		require.True(t, alice.has(`#form-error`), "unconfirmed accounts cannot log in")
		require.False(t, alice.has(`form[action="/logout"]`))

		link := srv.mailedLink("alice@example.org", "account.confirm", "/confirm?")
		alice.do(chromedp.Navigate(link))
		assert.Contains(t, alice.url(), "msg=confirmed")
		alice.login("alice@example.org")
		assert.Contains(t, alice.profile(), "@alice")
	})

	step("create an event", func(t *testing.T) {
		alice.open("/events/new")
		day := time.Now().AddDate(0, 0, 10).Format("2006-01-02")
		alice.fill(map[string]string{
			"f-title": title, "f-description": "Bring something to share.\nWe meet by the lock.",
			"f-tags": "picnic, outdoors", "f-category": "OUTDOORS_ADVENTURE",
			"f-start_date": day, "f-start_time": "12:30", "f-duration": "180", "f-time_zone": "Europe/Paris",
			"f-place_name": "Écluse des Récollets", "f-street": "Quai de Valmy", "f-locality": "Paris",
			"f-postal_code": "75010", "f-country": "France", "f-capacity": "20",
		})
		alice.do(chromedp.Click(chromedp.ID("f-anonymous"))) // people without an account may join
		alice.submit(`form.event-form button[type=submit]`)
		u, err := url.Parse(alice.url())
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(u.Path, "/events/"), "the new event's page: %s", u)
		assert.Equal(t, "created", u.Query().Get("msg"))
		eventPath = u.Path
		assert.Equal(t, title, alice.text(`#event-title`))
		facts := alice.text(`dl.facts`)
		assert.Contains(t, facts, "Écluse des Récollets")
		assert.Contains(t, facts, "#picnic")
		assert.Contains(t, alice.text(`.participation`), "You organize this event.")
	})

	step("join as another user", func(t *testing.T) {
		bob.login("bob@example.org")
		bob.open(eventPath)
		bob.fill(map[string]string{"f-message": "I'll bring bread."})
		bob.submit(`form[action$="/join"] button[type=submit]`)
		assert.Contains(t, bob.url(), "msg=joined")
		assert.Contains(t, bob.text(`.participation`), "You are going.")
		require.True(t, bob.has(`form[action$="/leave"]`), "bob can leave again")

		// The organizer sees bob among the participants, with his message.
		alice.open(eventPath)
		people := alice.text(`.participants table`)
		assert.Contains(t, people, "@bob")
		assert.Contains(t, people, "I'll bring bread.")

		// The event is in bob's events.
		bob.open("/me/events")
		assert.Contains(t, bob.text(`#going-h + ul`), title)
	})

	step("search the explore page", func(t *testing.T) {
		visitor.open("/")
		visitor.fill(map[string]string{"f-text": "canal"})
		visitor.submit(`form[role=search] button[type=submit]`)
		assert.Contains(t, visitor.url(), "text=canal")
		assert.Equal(t, title, visitor.text(`ul.events a.title`))

		visitor.open("/")
		visitor.fill(map[string]string{"f-text": "opera"})
		visitor.submit(`form[role=search] button[type=submit]`)
		assert.False(t, visitor.has(`ul.events`), "nothing matches opera")

		// By tag, from a tag link on the event page.
		visitor.open(eventPath)
		visitor.submit(`dl.facts a.tag[href*="picnic"]`)
		assert.Equal(t, title, visitor.text(`ul.events a.title`))
	})

	step("add a second identity and switch to it", func(t *testing.T) {
		if srv.status("/me/profiles/new") == http.StatusNotFound {
			t.Skip("missing page: GET /me/profiles/new (second identity) does not exist yet")
		}
		alice.open("/me/profiles/new")
		alice.fill(map[string]string{"f-username": "alice_choir", "f-display_name": "Alice (choir)",
			"f-summary": "I sing in the neighbourhood choir."})
		alice.submit(`form[action="/me/profiles/new"] button[type=submit]`)
		require.False(t, alice.has(`#form-error`), "the profile is created")

		// Switch with the header's selector, on any page.
		alice.open("/")
		alice.do(chromedp.SetValue(chromedp.ID("profile-switch"), alice.optionValue("#profile-switch", "@alice_choir")))
		alice.submit(`form[action="/profile"] button[type=submit]`)
		assert.Contains(t, alice.profile(), "@alice_choir")
		// The new identity is not the organizer of the first one's event.
		alice.open(eventPath)
		assert.NotContains(t, alice.text(`.participation`), "You organize this event.")
		alice.open("/@alice_choir")
		assert.Equal(t, "Alice (choir)", alice.text(`#profile-h`))
		// And back.
		alice.do(chromedp.SetValue(chromedp.ID("profile-switch"), alice.optionValue("#profile-switch", "@alice@")))
		alice.submit(`form[action="/profile"] button[type=submit]`)
		assert.Contains(t, alice.profile(), "@alice@")
	})

	step("join anonymously through the mailed link", func(t *testing.T) {
		visitor.open(eventPath)
		if !visitor.has(`form[action$="/join-anonymous"]`) {
			t.Skip("missing: the event page has no form to join by email (POST /events/{id}/join-anonymous; " +
				"examples/server/main.go must set web.Config.AnonymousMail)")
		}
		visitor.fill(map[string]string{"f-anon-email": "carol@example.org", "f-anon-message": "Carol, from next door"})
		visitor.submit(`form[action$="/join-anonymous"] button[type=submit]`)
		require.True(t, visitor.has(`main [role=status]`), "the page says a mail was sent")

		link := srv.mailedLink("carol@example.org", "participation.confirm", "/participation/confirm?")
		visitor.do(chromedp.Navigate(link))
		require.True(t, visitor.has(`main [role=status]`), "the participation is confirmed")
		require.False(t, visitor.has(`#form-error`))

		alice.open(eventPath)
		people := alice.text(`.participants table`)
		assert.Contains(t, people, "Participant without an account")
		assert.Contains(t, people, "Carol, from next door")
	})

	step("invite into a group", func(t *testing.T) {
		alice.open("/groups/new")
		alice.fill(map[string]string{"f-username": "canal_friends", "f-display_name": "Friends of the canal",
			"f-summary": "Walks and picnics along the Canal Saint-Martin.", "f-openness": "invite_only"})
		alice.submit(`form[action="/groups/new"] button[type=submit]`)
		require.Contains(t, alice.url(), "msg=group_created")
		assert.Equal(t, "Friends of the canal", alice.text(`#group-h`))
		group := alice.groupPath()

		if !alice.has(`a[href$="/members"]`) && srv.status(group+"/members") == http.StatusNotFound {
			t.Skip("missing page: the group's members page with the invitation form (GET /groups/{id}/members)")
		}
		alice.open(group + "/members")
		if !alice.has(`form[action$="/invite"]`) {
			t.Skip("missing: the group's members page has no invitation form (POST /groups/{id}/invite)")
		}
		alice.fill(map[string]string{"f-handle": "@bob"})
		alice.submit(`form[action$="/invite"] button[type=submit]`)
		require.False(t, alice.has(`#form-error`), "bob is invited")
		assert.Contains(t, alice.text(`main`), "@bob", "bob is among the invited")

		// bob is told by mail, follows the link and accepts.
		link := srv.mailedLink("bob@example.org", "group.invitation", "/me/groups")
		bob.do(chromedp.Navigate(link))
		if !bob.has(`form[action$="/invitation/accept"]`) {
			t.Fatalf("the invitation link leads to %s, without the invitation to accept", bob.url())
		}
		bob.submit(`form[action$="/invitation/accept"] button[type=submit]`)
		require.False(t, bob.has(`#form-error`))
		bob.open("/@canal_friends")
		assert.True(t, bob.has(`form[action$="/leave"]`), "bob is a member")
		alice.open(group + "/members")
		assert.Contains(t, alice.text(`#members-h + table`), "@bob")
	})
}

// optionValue is the value of the option of a select whose text
// contains label.
func (t *tab) optionValue(selectCSS, label string) string {
	t.tb.Helper()
	v := run(t, chromedp.Evaluate[string](`(() => { for (const o of document.querySelectorAll(`+jsString(selectCSS+" option")+
		`)) { if (o.textContent.includes(`+jsString(label)+`)) return o.value } return "" })()`))
	if v == "" {
		t.tb.Fatalf("no option %q in %s (at %s)", label, selectCSS, t.location())
	}
	return v
}

// groupPath is the path of the group's pages under /groups/{id}, read
// from the group page's forms or links.
func (t *tab) groupPath() string {
	t.tb.Helper()
	p := run(t, chromedp.Evaluate[string](`(() => {
		for (const e of document.querySelectorAll('article.group form[action^="/groups/"], article.group a[href^="/groups/"], a[href^="/events/new?group="]')) {
			const u = e.getAttribute('action') || e.getAttribute('href');
			let m = u.match(/^\/groups\/[^/?]+/); if (m) return m[0];
			m = u.match(/group=([^&]+)/); if (m) return '/groups/' + m[1];
		}
		return "" })()`))
	if p == "" {
		t.tb.Fatalf("no /groups/{id} link or form on the group page (at %s)", t.location())
	}
	return p
}

// profile is the text of the current profile in the header's selector.
func (t *tab) profile() string {
	t.tb.Helper()
	return run(t, chromedp.Evaluate[string](`(() => { const s = document.getElementById("profile-switch"); `+
		`return s && s.selectedOptions.length ? s.selectedOptions[0].textContent : "" })()`))
}
