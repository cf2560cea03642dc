package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTwoServersGroupContent runs two reference servers on loopback
// (issue #7): bea on B joins the group of A by its handle (the JSON
// API's POST /group-memberships: the web UI joins local groups only),
// then everything else goes through the web UI, as a browser would: a
// discussion started on A shows in B's group pages, bea's reply from B
// shows on A, and pad links added on either side show on the other.
func TestTwoServersGroupContent(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs two server processes; skipped in -short mode")
	}
	t.Parallel()
	bin := buildServer(t)
	a := newServer(t, bin, "a")
	b := newServer(t, bin, "b")
	a.admin("create-account", "--email", "org@a.example", "--password", "a long enough password", "--username", "org")
	b.admin("create-account", "--email", "bea@b.example", "--password", "a long enough password", "--username", "bea")
	a.start()
	b.start()
	org, bea := a.login("org@a.example"), b.login("bea@b.example")

	// org's open group on A; bea asks to join it from B, A accepts.
	g := a.call(org, "POST", "/api/v1/groups", map[string]any{"username": "walkers", "display_name": "Walkers", "openness": "open"}, 201)
	gA := g["id"].(string)
	m := b.call(bea, "POST", "/api/v1/group-memberships", map[string]any{"handle": "@walkers@" + a.host}, 201)
	gB, _ := m["group_id"].(string)
	require.NotEmpty(t, gB, "B records A's group")
	assert.NotEqual(t, "member", m["role"], "A decides")
	eventually(t, "bea is a member on A", func() bool {
		return memberRole(a, org, gA, b.base+"/@bea") == "member"
	})
	eventually(t, "A's Accept reaches B", func() bool {
		return memberRole(b, bea, gB, b.base+"/@bea") == "member"
	})

	orgWeb, beaWeb := newBrowser(t, a, "org@a.example"), newBrowser(t, b, "bea@b.example")
	// org asks for an email for every new message of the group's
	// discussions.
	page, _ := orgWeb.submit("/groups/"+gA+"/discussions", "/groups/"+gA+"/discussions/mail", url.Values{"on": {"1"}})
	require.Contains(t, page, "Stop emailing me")

	// org starts a discussion on A: it shows in B's group, with its message.
	page, loc := orgWeb.submit("/groups/"+gA+"/discussions", "/groups/"+gA+"/discussions",
		url.Values{"title": {"Spring route"}, "text": {"Where to?"}})
	dA := strings.TrimPrefix(loc.Path, "/groups/"+gA+"/discussions/")
	require.NotEqual(t, loc.Path, dA, "redirected to the new discussion: %s", loc)
	require.Contains(t, page, "Where to?")
	link := regexp.MustCompile(`href="/groups/` + regexp.QuoteMeta(gB) + `/discussions/([^"?]+)">Spring route<`)
	var dB string
	eventually(t, "the discussion shows on B", func() bool {
		if sub := link.FindStringSubmatch(beaWeb.get("/groups/" + gB + "/discussions")); sub != nil {
			dB = sub[1]
		}
		return dB != ""
	})
	thread := beaWeb.get("/groups/" + gB + "/discussions/" + dB)
	assert.Contains(t, thread, "Where to?", "the first message came along")
	assert.Contains(t, thread, "@org@"+a.host, "by its author on A")

	// bea replies on B: the reply shows in A's thread.
	page, _ = beaWeb.submit("/groups/"+gB+"/discussions/"+dB, "/groups/"+gB+"/discussions/"+dB+"/reply",
		url.Values{"text": {"The coast!"}})
	require.Contains(t, page, "The coast!")
	eventually(t, "bea's reply shows on A", func() bool {
		return strings.Contains(orgWeb.get("/groups/"+gA+"/discussions/"+dA), "The coast!")
	})
	assert.Contains(t, orgWeb.get("/groups/"+gA+"/discussions/"+dA), "@bea@"+b.host, "by bea of B")
	// …and is mailed to org, who asked for it.
	eventually(t, "bea's reply is mailed to org on A", func() bool {
		return a.mailed("org@a.example", "group.discussion")
	})
	// The mail's one-click unsubscribe link (RFC 8058) works without a
	// session, as a mail provider POSTs it.
	unsub := a.listUnsubscribe("org@a.example", "group.discussion")
	require.True(t, strings.HasPrefix(unsub, a.base+"/unsubscribe/discussions?t="), unsub)
	resp, err := http.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Contains(t, orgWeb.get("/groups/"+gA+"/discussions"), "Email me new messages", "the mail is off")

	// org adds a pad link on A (title and summary given: no preview
	// fetch): it shows in B's resources.
	page, _ = orgWeb.submit("/groups/"+gA+"/resources", "/groups/"+gA+"/resources", url.Values{"parent": {""},
		"kind": {"pad"}, "url": {"https://pad.example/p/route"}, "title": {"Route notes"}, "summary": {"Where we walk"}})
	require.Contains(t, page, "https://pad.example/p/route")
	eventually(t, "A's pad shows on B", func() bool {
		res := beaWeb.get("/groups/" + gB + "/resources")
		return strings.Contains(res, `href="https://pad.example/p/route"`) && strings.Contains(res, "Route notes")
	})

	// bea adds one on B: A takes it.
	page, _ = beaWeb.submit("/groups/"+gB+"/resources", "/groups/"+gB+"/resources", url.Values{"parent": {""},
		"kind": {"pad"}, "url": {"https://pad.example/p/carpool"}, "title": {"Carpool"}, "summary": {"Who drives"}})
	require.Contains(t, page, "https://pad.example/p/carpool")
	eventually(t, "B's pad shows on A", func() bool {
		return strings.Contains(orgWeb.get("/groups/"+gA+"/resources"), `href="https://pad.example/p/carpool"`)
	})
}

// listUnsubscribe returns the List-Unsubscribe URL of a message of
// kind to in the file outbox ("" when none).
func (s *server) listUnsubscribe(to, kind string) string {
	files, _ := filepath.Glob(filepath.Join(s.dir, "mail", "*.eml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || !strings.Contains(string(data), "To: <"+to+">") || !strings.Contains(string(data), "X-Convene-Kind: "+kind) {
			continue
		}
		msg, err := mail.ReadMessage(bytes.NewReader(data))
		if err != nil {
			continue
		}
		if assert.Equal(s.t, "List-Unsubscribe=One-Click", msg.Header.Get("List-Unsubscribe-Post")) {
			return strings.TrimSuffix(strings.TrimPrefix(msg.Header.Get("List-Unsubscribe"), "<"), ">")
		}
	}
	return ""
}

// memberRole is the role of the actor with the ActivityPub id actor in
// a group, as the server's members API shows it to token ("" when not
// listed or not shown).
func memberRole(s *server, token, groupID, actor string) string {
	out, status := s.try(token, "GET", "/api/v1/groups/"+groupID+"/members", nil)
	if status != http.StatusOK {
		return ""
	}
	items, _ := out["items"].([]any)
	for _, it := range items {
		m, _ := it.(map[string]any)
		if a, ok := m["actor"].(map[string]any); ok && a["url"] == actor {
			return fmt.Sprint(m["role"])
		}
	}
	return ""
}

// browser is a signed-in visitor of one server's web UI: cookies in a
// jar, forms posted with the CSRF token of the page they are on.
type browser struct {
	t *testing.T
	s *server
	c *http.Client
}

// csrfField finds a form's CSRF token in a page.
var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func newBrowser(t *testing.T, s *server, email string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	br := &browser{t: t, s: s, c: &http.Client{Jar: jar}}
	page, loc := br.submit("/login", "/login", url.Values{"email": {email}, "password": {"a long enough password"}})
	require.NotEqual(t, "/login", loc.Path, "signed in: %s", page)
	return br
}

// get fetches a page, requiring 200.
func (br *browser) get(path string) string {
	br.t.Helper()
	resp, err := br.c.Get(br.s.base + path)
	require.NoError(br.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(br.t, err)
	require.Equal(br.t, http.StatusOK, resp.StatusCode, "GET %s: %s", path, data)
	return string(data)
}

// submit opens the page from, posts the form values to action with the
// page's CSRF token, follows the redirect and requires a 200 at its
// end; it returns that page and where it is.
func (br *browser) submit(from, action string, values url.Values) (string, *url.URL) {
	br.t.Helper()
	sub := csrfField.FindStringSubmatch(br.get(from))
	require.NotNil(br.t, sub, "a form with a CSRF token on %s", from)
	values.Set("csrf", sub[1])
	resp, err := br.c.PostForm(br.s.base+action, values)
	require.NoError(br.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(br.t, err)
	require.Equal(br.t, http.StatusOK, resp.StatusCode, "POST %s: %s", action, data)
	return string(data), resp.Request.URL
}
