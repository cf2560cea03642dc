package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/groups"
)

// unsubWorld is a world where bob, member of the groups garden and
// other, gets the mail of both groups' discussions.
type unsubWorld struct {
	*fullWorld
	alice, bob    *user
	garden, other *groups.Group
}

func newUnsubWorld(t *testing.T) *unsubWorld {
	t.Helper()
	w := &unsubWorld{fullWorld: newFullWorld(t)}
	w.alice, w.bob = w.user("alice"), w.user("bob")
	var err error
	w.garden, err = w.inst.Groups.Create(w.ctx, w.alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	w.other, err = w.inst.Groups.Create(w.ctx, w.alice.profile.ID, groups.CreateInput{Username: "other", DisplayName: "Other", Openness: groups.Open})
	require.NoError(t, err)
	for _, g := range []*groups.Group{w.garden, w.other} {
		_, err = w.inst.Groups.Join(w.ctx, g.ID, w.bob.profile.ID, "")
		require.NoError(t, err)
		require.NoError(t, w.inst.Groups.SetDiscussionMail(w.ctx, w.bob.profile.ID, g.ID, true))
	}
	return w
}

// mailOn says whether bob gets the mail of g's discussions.
func (w *unsubWorld) mailOn(g *groups.Group) bool {
	w.t.Helper()
	on, err := w.inst.Groups.DiscussionMail(w.ctx, w.bob.profile.ID, g.ID)
	require.NoError(w.t, err)
	return on
}

// token returns the t parameter of an unsubscribe link.
func token(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	require.NoError(t, err)
	return u.Query().Get("t")
}

// oneClick POSTs like a mail provider (RFC 8058): no cookie, the token
// in the URL, the body List-Unsubscribe=One-Click.
func oneClick(w *unsubWorld, target, contentType string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, target, bytes.NewReader(body))
	req.RemoteAddr = "198.51.100.7:4321"
	req.Header.Set("Content-Type", contentType)
	rec := httptest.NewRecorder()
	w.web.ServeHTTP(rec, req)
	return rec
}

func TestDiscussionUnsubscribeLink(t *testing.T) {
	t.Parallel()
	w := newUnsubWorld(t)
	link := w.web.DiscussionUnsubscribeURL(w.bob.account.ID, w.bob.profile.ID, w.garden.ID)
	require.True(t, strings.HasPrefix(link, base+"/unsubscribe/discussions?t="), link)
	target := path(t, link)

	// GET shows the group and a button, and changes nothing: scanners
	// follow links.
	b := w.browser()
	res := b.get(target).status(http.StatusOK).
		contains("Garden", `action="/unsubscribe/discussions"`, `name="t" value="`, "Stop these emails").lacks("Done:")
	assert.Equal(t, "no-referrer", res.rec.Header().Get("Referrer-Policy"))
	b.do(http.MethodHead, target, nil).status(http.StatusOK)
	assert.True(t, w.mailOn(w.garden))
	b.lang = "fr"
	b.get(target).status(http.StatusOK).contains("Garden", "Ne plus recevoir ces courriels")
	b.lang = ""

	// The button: a POST with the token in the form, no CSRF token, no
	// session.
	b.do(http.MethodPost, "/unsubscribe/discussions", url.Values{"t": {token(t, link)}}).status(http.StatusOK).
		contains("Done: you will no longer get emails about the discussions of the group Garden")
	assert.False(t, w.mailOn(w.garden))
	assert.True(t, w.mailOn(w.other), "only the link's group")
	// Again: harmless.
	b.do(http.MethodPost, target, url.Values{}).status(http.StatusOK)
	assert.False(t, w.mailOn(w.garden))

	// A signed-in member's browser works the same (French page).
	require.NoError(t, w.inst.Groups.SetDiscussionMail(w.ctx, w.bob.profile.ID, w.garden.ID, true))
	bb := w.login(w.bob)
	bb.lang = "fr"
	bb.do(http.MethodPost, target, url.Values{}).status(http.StatusOK).contains("C’est fait")
	assert.False(t, w.mailOn(w.garden))
}

func TestDiscussionUnsubscribeOneClick(t *testing.T) {
	t.Parallel()
	w := newUnsubWorld(t)
	target := path(t, w.web.DiscussionUnsubscribeURL(w.bob.account.ID, w.bob.profile.ID, w.garden.ID))

	rec := oneClick(w, target, "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click"))
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Body.String(), "Unsubscribed")
	assert.False(t, w.mailOn(w.garden))
	assert.True(t, w.mailOn(w.other))

	// multipart/form-data, which RFC 8058 allows too.
	otherTarget := path(t, w.web.DiscussionUnsubscribeURL(w.bob.account.ID, w.bob.profile.ID, w.other.ID))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	require.NoError(t, mw.WriteField("List-Unsubscribe", "One-Click"))
	require.NoError(t, mw.Close())
	rec = oneClick(w, otherTarget, mw.FormDataContentType(), body.Bytes())
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.False(t, w.mailOn(w.other))

	// A bad token: a short text, nothing changed.
	require.NoError(t, w.inst.Groups.SetDiscussionMail(w.ctx, w.bob.profile.ID, w.garden.ID, true))
	rec = oneClick(w, target+"x", "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click"))
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Equal(t, "text/plain; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.True(t, w.mailOn(w.garden))

	// Another content type is refused.
	rec = oneClick(w, target, "application/json", []byte(`{"List-Unsubscribe":"One-Click"}`))
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.True(t, w.mailOn(w.garden))
}

func TestDiscussionUnsubscribeRefuses(t *testing.T) {
	t.Parallel()
	w := newUnsubWorld(t)
	link := w.web.DiscussionUnsubscribeURL(w.bob.account.ID, w.bob.profile.ID, w.garden.ID)
	tok := token(t, link)
	parts := strings.Split(tok, ".")
	require.Len(t, parts, 5)
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, ".")
	}
	mac := []byte(parts[4])
	mac[0] ^= 1
	tests := []struct {
		name, token string
	}{
		{"none", ""},
		{"garbage", "x"},
		{"forged MAC", with(4, string(mac))},
		{"another group", with(2, w.other.ID)},
		{"another profile", with(1, w.alice.profile.ID)},
		{"another account", with(0, w.alice.account.ID)},
		{"later expiry", with(3, parts[3]+"0")},
		{"extra part", tok + ".x"},
		{"too long", tok + strings.Repeat("a", 300)},
		// Signed, but the profile is not the account's.
		{"profile of another account", token(t, w.web.DiscussionUnsubscribeURL(w.alice.account.ID, w.bob.profile.ID, w.garden.ID))},
		{"unknown group", token(t, w.web.DiscussionUnsubscribeURL(w.bob.account.ID, w.bob.profile.ID, "no-such-group"))},
	}
	b := w.browser()
	for _, tt := range tests {
		q := "/unsubscribe/discussions?t=" + url.QueryEscape(tt.token)
		b.get(q).status(http.StatusNotFound).contains("This link is invalid or has expired.")
		b.do(http.MethodPost, q, url.Values{}).status(http.StatusNotFound).contains("This link is invalid or has expired.")
		b.do(http.MethodPost, "/unsubscribe/discussions", url.Values{"t": {tt.token}}).status(http.StatusNotFound)
		rec := oneClick(w, q, "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click"))
		assert.Equal(t, http.StatusNotFound, rec.Code, tt.name)
		assert.True(t, w.mailOn(w.garden), tt.name)
		assert.True(t, w.mailOn(w.other), tt.name)
	}

	// Expired: the link works for DiscussionUnsubscribeLifetime.
	w.clock.Advance(web.DiscussionUnsubscribeLifetime - 1)
	b.get(path(t, link)).status(http.StatusOK)
	w.clock.Advance(1)
	b.get(path(t, link)).status(http.StatusNotFound)
	b.do(http.MethodPost, path(t, link), url.Values{}).status(http.StatusNotFound)
	assert.True(t, w.mailOn(w.garden))

	// No link for ids that cannot be read back.
	for _, ids := range [][3]string{{"", "p", "g"}, {"a", "", "g"}, {"a", "p", ""}, {"a.b", "p", "g"}, {"a", "p:q", "g"}} {
		assert.Empty(t, w.web.DiscussionUnsubscribeURL(ids[0], ids[1], ids[2]), ids)
	}
}

func TestDiscussionUnsubscribeRateLimit(t *testing.T) {
	t.Parallel()
	w := newUnsubWorld(t)
	b := w.browser()
	for range web.UnsubscribeBurst {
		b.do(http.MethodPost, "/unsubscribe/discussions?t=bad", url.Values{}).status(http.StatusNotFound)
	}
	target := path(t, w.web.DiscussionUnsubscribeURL(w.bob.account.ID, w.bob.profile.ID, w.garden.ID))
	b.do(http.MethodPost, target, url.Values{}).status(http.StatusTooManyRequests)
	assert.True(t, w.mailOn(w.garden), "refused, nothing changed")
	rec := oneClick(w, target, "application/x-www-form-urlencoded", []byte("List-Unsubscribe=One-Click"))
	assert.Equal(t, http.StatusOK, rec.Code, "another client IP has its own budget")
	assert.False(t, w.mailOn(w.garden))
	w.clock.Advance(web.UnsubscribeRefill)
	b.do(http.MethodPost, target, url.Values{}).status(http.StatusOK)
	// GET is not limited (it changes nothing).
	b.get(target).status(http.StatusOK)
}
