package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
)

// adminWorld has every admin page, with a file outbox as the mail log.
func adminWorld(t *testing.T) (*fullWorld, *mail.FileOutbox) {
	t.Helper()
	outbox, err := mail.NewFileOutbox(t.TempDir(), nil)
	require.NoError(t, err)
	w := newFullWorld(t, func(c *web.Config) { c.MailLog = outbox })
	return w, outbox
}

func (w *world) admin(username string) *user {
	w.t.Helper()
	u := w.user(username)
	a, err := w.inst.Identity.SetRole(w.ctx, u.account.ID, identity.RoleAdmin)
	require.NoError(w.t, err)
	u.account = a
	return u
}

var adminPages = []string{"/admin", "/admin/users", "/admin/users?q=bob@mail.example", "/admin/federation",
	"/admin/delivery", "/admin/mail", "/admin/mail/20260301T100000.000000000Z-0123456789abcdef.eml"}

func TestAdminPagesHidden(t *testing.T) {
	t.Parallel()
	w, _ := adminWorld(t)
	root, bob := w.admin("root"), w.user("bob")
	anon, bb := w.browser(), w.login(bob)
	for _, b := range []*browser{anon, bb} {
		for _, p := range adminPages {
			b.get(p).status(http.StatusNotFound)
		}
		b.post("/admin/users/"+root.account.ID+"/suspend", nil).status(http.StatusNotFound)
		b.post("/admin/federation/domains", url.Values{"domain": {"bad.example"}, "rule": {"block"}}).status(http.StatusNotFound)
		b.post("/admin/federation/mode", url.Values{"allow_list": {"1"}}).status(http.StatusNotFound)
	}
	bb.get("/").lacks(`href="/admin"`)
	a, err := w.inst.Identity.GetAccount(w.ctx, root.account.ID)
	require.NoError(t, err)
	assert.False(t, a.Suspended)
	on, err := w.policy.AllowListMode(w.ctx)
	require.NoError(t, err)
	assert.False(t, on)
	ds, err := w.policy.ListDomains(w.ctx)
	require.NoError(t, err)
	assert.Empty(t, ds)

	// A moderator is no admin.
	mod := w.user("mod")
	_, err = w.inst.Identity.SetRole(w.ctx, mod.account.ID, identity.RoleModerator)
	require.NoError(t, err)
	w.login(mod).get("/admin").status(http.StatusNotFound)
	w.login(root).get("/").contains(`href="/admin"`)
}

func TestAdminUsers(t *testing.T) {
	t.Parallel()
	w, _ := adminWorld(t)
	root, bob := w.admin("root"), w.user("bob")
	rb, bb := w.login(root), w.login(bob)
	rb.get("/admin").status(http.StatusOK).contains("/admin/users", "/admin/federation", "/admin/delivery", "/admin/mail")
	rb.get("/admin/users?q=nobody@mail.example").status(http.StatusOK).contains("No account found.")
	rb.get("/admin/users?q=@nobody").status(http.StatusOK).contains("No account found.")
	rb.get("/admin/users?q=@bob@elsewhere.example").status(http.StatusOK).contains("No account found.")
	rb.get("/admin/users?q=@bob").status(http.StatusOK).contains("bob@mail.example", "@bob@events.example", "/admin/users/"+bob.account.ID+"/suspend")
	rb.get("/admin/users?q=" + url.QueryEscape("bob@mail.example")).status(http.StatusOK).contains("@bob@events.example")

	res := rb.post("/admin/users/"+bob.account.ID+"/suspend", nil).status(http.StatusSeeOther)
	assert.Equal(t, "/admin/users?q=bob%40mail.example&msg=user_suspended", res.location())
	a, err := w.inst.Identity.GetAccount(w.ctx, bob.account.ID)
	require.NoError(t, err)
	assert.True(t, a.Suspended)
	bb.get("/me/events").status(http.StatusSeeOther) // signed out
	rb.get("/admin/users?q=@bob").contains("Suspended", "/unsuspend")
	rb.post("/admin/users/"+bob.account.ID+"/unsuspend", nil).status(http.StatusSeeOther)
	a, err = w.inst.Identity.GetAccount(w.ctx, bob.account.ID)
	require.NoError(t, err)
	assert.False(t, a.Suspended)

	// Not oneself; not an unknown account; not without the CSRF token.
	rb.get("/admin/users?q=@root").contains("This is your account.").lacks("/suspend")
	rb.post("/admin/users/"+root.account.ID+"/suspend", nil).status(http.StatusForbidden)
	rb.post("/admin/users/nope/suspend", nil).status(http.StatusNotFound)
	rb.post("/admin/users/"+bob.account.ID+"/suspend", url.Values{"csrf": {"forged"}}).status(http.StatusForbidden)
	a, err = w.inst.Identity.GetAccount(w.ctx, bob.account.ID)
	require.NoError(t, err)
	assert.False(t, a.Suspended)
}

func TestAdminFederation(t *testing.T) {
	t.Parallel()
	w, _ := adminWorld(t)
	rb := w.login(w.admin("root"))
	rb.get("/admin/federation").status(http.StatusOK).contains("Open: every instance")
	res := rb.post("/admin/federation/domains", url.Values{"domain": {"Bad.Example."}, "rule": {"block"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/admin/federation?msg=domain_saved", res.location())
	ok, err := w.policy.Allowed(w.ctx, "x.bad.example")
	require.NoError(t, err)
	assert.False(t, ok)
	rb.post("/admin/federation/domains", url.Values{"domain": {"friends.example"}, "rule": {"allow"}}).status(http.StatusSeeOther)
	rb.get("/admin/federation").contains("bad.example", "Block (and its subdomains)", "friends.example", "Allow (allow-list mode)")

	rb.post("/admin/federation/domains", url.Values{"domain": {"not a domain/"}, "rule": {"block"}}).
		status(http.StatusBadRequest).contains(`role="alert"`, "This domain is not valid.")
	rb.post("/admin/federation/domains", url.Values{"domain": {"x.example"}, "rule": {"mute"}}).status(http.StatusBadRequest)
	ds, err := w.policy.ListDomains(w.ctx)
	require.NoError(t, err)
	assert.Len(t, ds, 2)

	res = rb.post("/admin/federation/domains/remove", url.Values{"domain": {"bad.example"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/admin/federation?msg=domain_removed", res.location())
	res = rb.post("/admin/federation/domains/remove", url.Values{"domain": {"bad.example"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/admin/federation?msg=domain_unknown", res.location())
	ok, err = w.policy.Allowed(w.ctx, "x.bad.example")
	require.NoError(t, err)
	assert.True(t, ok)

	rb.post("/admin/federation/mode", url.Values{"allow_list": {"maybe"}}).status(http.StatusBadRequest)
	rb.post("/admin/federation/mode", url.Values{"allow_list": {"1"}}).status(http.StatusSeeOther)
	on, err := w.policy.AllowListMode(w.ctx)
	require.NoError(t, err)
	assert.True(t, on)
	rb.get("/admin/federation").contains("Allow-list: only allowed domains")
	ok, err = w.policy.Allowed(w.ctx, "other.example")
	require.NoError(t, err)
	assert.False(t, ok)
}

func TestAdminDeliveryAndMail(t *testing.T) {
	t.Parallel()
	w, outbox := adminWorld(t)
	rb := w.login(w.admin("root"))
	rb.get("/admin/delivery").status(http.StatusOK).contains("Queued deliveries", "No host is failing.")

	rb.get("/admin/mail").status(http.StatusOK).contains("Nothing here yet.")
	require.NoError(t, outbox.Send(w.ctx, mail.Message{To: "zoe@mail.example", Subject: "Confirm <now>",
		Text: "Open https://events.example/participation/confirm?token=abc", Kind: "participation.confirm"}))
	res := rb.get("/admin/mail").status(http.StatusOK).contains("zoe@mail.example", "Confirm &lt;now&gt;")
	m := regexp.MustCompile(`href="/admin/mail/([^"]+)"`).FindStringSubmatch(res.body)
	require.NotNil(t, m)
	msg := rb.get("/admin/mail/"+m[1]).status(http.StatusOK).contains("participation/confirm?token=abc", "participation.confirm").
		lacks("List-Unsubscribe")
	assert.Equal(t, "no-referrer", msg.rec.Header().Get("Referrer-Policy"))
	rb.get("/admin/mail/..%2Fsecret").status(http.StatusNotFound)
	rb.get("/admin/mail/20990101T000000.000000000Z-0123456789abcdef.eml").status(http.StatusNotFound)

	// A message with a one-click unsubscribe link shows it.
	require.NoError(t, outbox.Send(w.ctx, mail.Message{To: "zoe@mail.example", Subject: "[Garden] Seeds",
		Text: "news", Kind: "group.discussion", ListUnsubscribe: "https://events.example/unsubscribe/discussions?t=a.b.c.1.x"}))
	res = rb.get("/admin/mail").status(http.StatusOK)
	m = regexp.MustCompile(`href="/admin/mail/([^"]+)">\[Garden\] Seeds<`).FindStringSubmatch(res.body)
	require.NotNil(t, m)
	rb.get("/admin/mail/"+m[1]).status(http.StatusOK).contains("[Garden] Seeds", "List-Unsubscribe",
		"https://events.example/unsubscribe/discussions?t=a.b.c.1.x")
}

func TestAdminPagesNeedTheirParts(t *testing.T) {
	t.Parallel()
	w := newWorld(t) // no policy, delivery stats or mail log
	rb := w.login(w.admin("root"))
	rb.get("/admin").status(http.StatusOK).contains("/admin/users").lacks("/admin/federation", "/admin/delivery", "/admin/mail")
	for _, p := range []string{"/admin/federation", "/admin/delivery", "/admin/mail"} {
		rb.get(p).status(http.StatusNotFound)
	}
	rb.post("/admin/federation/mode", url.Values{"allow_list": {"1"}}).status(http.StatusNotFound)
}

// TestAdminDirectory: the users page lists every account, a page at a
// time; the federation page lists the known instances with a block
// button each.
func TestAdminDirectory(t *testing.T) {
	t.Parallel()
	w, _ := adminWorld(t)
	ada := w.login(w.admin("ada"))
	w.user("bob")
	ada.get("/admin/users").status(http.StatusOK).contains("All accounts", "ada@mail.example", "bob@mail.example")
	ada.get("/admin/users?after=not-a-cursor").status(http.StatusNotFound)

	_, err := w.inst.Identity.PutRemoteActor(w.ctx, &identity.Actor{APID: "https://far.example/users/x",
		Type: identity.TypePerson, Username: "x", Inbox: "https://far.example/users/x/inbox"})
	require.NoError(t, err)
	ada.get("/admin/federation").status(http.StatusOK).contains("Known instances", "far.example")
}

// TestAdminSettings: the admin names the instance, describes it and
// closes registrations; the pages follow at once; others cannot.
func TestAdminSettings(t *testing.T) {
	t.Parallel()
	w := newWorld(t, func(c *web.Config) { c.Settings = c.Instance.Moderation })
	ada := w.login(w.admin("ada"))
	ada.get("/admin/settings").status(http.StatusOK).contains(`name="registrations"`, "In force now: Open")
	ada.post("/admin/settings", url.Values{"name": {"Riverside events"}, "description": {"Walks and picnics."},
		"registrations": {"closed"}}).status(http.StatusSeeOther)
	w.browser().get("/").status(http.StatusOK).contains("Riverside events", "Walks and picnics.")
	w.browser().get("/signup").status(http.StatusOK).lacks(`name="email"`)
	ada.post("/admin/settings", url.Values{"registrations": {"sometimes"}}).status(http.StatusBadRequest)
	w.login(w.user("bob")).get("/admin/settings").status(http.StatusNotFound)
}
