package web

import (
	"crypto/hmac"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// One-click unsubscription from a group's discussion mail (RFC 8058).
//
// Every discussion mail links to /unsubscribe/discussions?t=TOKEN, in its
// body and in its List-Unsubscribe header. The token is signed like the
// confirmation and reset links (tokens.go): HMAC under Config.Secret of
// the purpose "discussion-mail", the account id, the binding
// "profileID:groupID" and the expiry. It is the only authority of the
// routes, which need no login:
//
//   - GET shows the group and a button; it changes nothing, since link
//     scanners and previews follow links.
//   - POST turns the mail of that profile for that group off. It checks
//     no CSRF token and no origin: RFC 8058's one-click POST comes from
//     the mail provider's servers, without cookies. A forged request
//     cannot help an attacker who lacks the token, and one who has it
//     can do no more than the link does: stop a mail.
//
// A bad, expired or forged token changes nothing and gets a 404 page.

// DiscussionUnsubscribeLifetime is how long the unsubscribe link of a
// discussion mail works. A year: people unsubscribe from old mail too.
// Changing Config.Secret invalidates the links in flight.
const DiscussionUnsubscribeLifetime = 365 * 24 * time.Hour

// purposeDiscussionMail is the purpose signed into an unsubscribe token.
const purposeDiscussionMail = "discussion-mail"

var errBadUnsubscribeLink = &httpError{status: http.StatusNotFound, key: "error.bad_link"}

// DiscussionUnsubscribeURL returns the link that turns off the mail of
// groupID's discussions for the local profile profileID of accountID
// (notify.Config.DiscussionUnsubscribe takes it): absolute, under the
// instance's base URL, working for DiscussionUnsubscribeLifetime. It
// returns "" when an id is empty or has a "." or ":" (no storage id has)
// or the token would be too long to read back.
func (w *Web) DiscussionUnsubscribeURL(accountID, profileID, groupID string) string {
	for _, id := range []string{accountID, profileID, groupID} {
		if id == "" || strings.ContainsAny(id, ".:") {
			return ""
		}
	}
	exp := strconv.FormatInt(w.now().Add(DiscussionUnsubscribeLifetime).Unix(), 10)
	mac := w.tokenMAC(purposeDiscussionMail, accountID, profileID+":"+groupID, exp)
	token := strings.Join([]string{accountID, profileID, groupID, exp, mac}, ".")
	if len(token) > maxTokenLength {
		return ""
	}
	return w.base + "/unsubscribe/discussions?t=" + url.QueryEscape(token)
}

// unsubscribeToken is what a valid unsubscribe token names.
type unsubscribeToken struct {
	account, profile, group string
}

// checkUnsubscribeToken verifies an unsubscribe token: its form, its MAC
// and its expiry.
func (w *Web) checkUnsubscribeToken(token string) (unsubscribeToken, error) {
	if token == "" || len(token) > maxTokenLength {
		return unsubscribeToken{}, errBadToken
	}
	parts := strings.Split(token, ".")
	if len(parts) != 5 {
		return unsubscribeToken{}, errBadToken
	}
	t := unsubscribeToken{account: parts[0], profile: parts[1], group: parts[2]}
	if t.account == "" || t.profile == "" || t.group == "" || strings.Contains(t.profile, ":") || strings.Contains(t.group, ":") {
		return unsubscribeToken{}, errBadToken
	}
	exp, err := strconv.ParseInt(parts[3], 10, 64)
	if err != nil {
		return unsubscribeToken{}, errBadToken
	}
	want := w.tokenMAC(purposeDiscussionMail, t.account, t.profile+":"+t.group, parts[3])
	if !hmac.Equal([]byte(parts[4]), []byte(want)) {
		return unsubscribeToken{}, errBadToken
	}
	if !w.now().Before(time.Unix(exp, 0)) {
		return unsubscribeToken{}, errBadToken
	}
	return t, nil
}

// unsubscribeData is the page of an unsubscribe link.
type unsubscribeData struct {
	Group   string // the group's name
	Profile string // the profile's name, when the account has several
	Token   string
	Done    bool // the mail is off
}

// unsubscribeTarget checks a token and loads what it names: the profile
// (still the account's) and the group. Anything wrong is
// errBadUnsubscribeLink.
func (w *Web) unsubscribeTarget(r *http.Request, token string) (unsubscribeToken, unsubscribeData, error) {
	t, err := w.checkUnsubscribeToken(token)
	if err != nil {
		return t, unsubscribeData{}, errBadUnsubscribeLink
	}
	ctx := r.Context()
	p, err := w.inst.Identity.ProfileOf(ctx, t.account, t.profile)
	switch {
	case errors.Is(err, identity.ErrNotFound), errors.Is(err, identity.ErrForbidden):
		return t, unsubscribeData{}, errBadUnsubscribeLink
	case err != nil:
		return t, unsubscribeData{}, err
	}
	g, err := w.inst.Groups.Get(ctx, t.group)
	switch {
	case errors.Is(err, groups.ErrNotFound):
		return t, unsubscribeData{}, errBadUnsubscribeLink
	case err != nil:
		return t, unsubscribeData{}, err
	}
	d := unsubscribeData{Group: cmpOr(g.DisplayName, g.Username), Token: token}
	if ps, err := w.inst.Identity.ListProfiles(ctx, t.account); err == nil && len(ps) > 1 {
		d.Profile = cmpOr(p.DisplayName, "@"+p.Username)
	}
	return t, d, nil
}

// unsubscribeDiscussionsForm is GET /unsubscribe/discussions?t=…: it
// names the group and asks to confirm with a POST, so that a mail
// scanner following links unsubscribes no one.
func (w *Web) unsubscribeDiscussionsForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	_, d, err := w.unsubscribeTarget(r, r.URL.Query().Get("t"))
	if err != nil {
		return err
	}
	w.unsubscribePage(rw, r, v, d)
	return nil
}

// unsubscribeDiscussions is POST /unsubscribe/discussions?t=… (the token
// may be in the form's t instead): it turns the mail off. A mail
// client's one-click POST (body List-Unsubscribe=One-Click) gets a short
// text; a browser, the page. No CSRF check: see the top of this file.
func (w *Web) unsubscribeDiscussions(rw http.ResponseWriter, r *http.Request, v *visit) error {
	// The body of a one-click POST: List-Unsubscribe=One-Click
	// (mail.ListUnsubscribeOneClick).
	oneClick := r.PostForm.Get("List-Unsubscribe") == "One-Click"
	text := func(status int, msg string) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Header().Set("Referrer-Policy", "no-referrer")
		rw.WriteHeader(status)
		_, _ = io.WriteString(rw, msg+"\n")
	}
	host := ratelimit.Key(r, "")
	if ok, _ := w.unsubs.Allow(host); !ok {
		if oneClick {
			text(http.StatusTooManyRequests, "Too many requests.")
			return nil
		}
		return &httpError{status: http.StatusTooManyRequests, key: "login.rate_limited"}
	}
	token := r.PostForm.Get("t")
	if token == "" {
		token = r.URL.Query().Get("t")
	}
	t, d, err := w.unsubscribeTarget(r, token)
	if err == nil {
		err = w.inst.Groups.SetDiscussionMail(r.Context(), t.profile, t.group, false)
		if errors.Is(err, groups.ErrNotFound) || errors.Is(err, groups.ErrForbidden) {
			err = errBadUnsubscribeLink
		}
	}
	if oneClick {
		switch {
		case errors.Is(err, errBadUnsubscribeLink):
			text(http.StatusNotFound, "This link is invalid or has expired.")
		case err != nil:
			w.log.ErrorContext(r.Context(), "web: one-click unsubscribe", "err", err)
			text(http.StatusInternalServerError, "Something went wrong; try again later.")
		default:
			text(http.StatusOK, "Unsubscribed: no more mail about this group's discussions.")
		}
		return nil
	}
	if err != nil {
		return err
	}
	d.Done = true
	w.unsubscribePage(rw, r, v, d)
	return nil
}

// unsubscribePage renders the page: the link carries a secret, so it
// sends no referrer.
func (w *Web) unsubscribePage(rw http.ResponseWriter, r *http.Request, v *visit, d unsubscribeData) {
	rw.Header().Set("Referrer-Policy", "no-referrer")
	w.render(rw, r, v, http.StatusOK, "unsubscribe", "unsubscribe.title", d)
}

// tokenPosts are the POST routes served without the CSRF check (serve):
// their signed token is their authority.
func (w *Web) tokenPosts() []route {
	return []route{{"POST /unsubscribe/discussions", w.unsubscribeDiscussions}}
}

// readTokenPost reads the form of a tokenPosts route: at most
// MaxFormBytes, url-encoded or multipart (RFC 8058 allows both for the
// one-click POST), or empty.
func readTokenPost(rw http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(rw, r.Body, MaxFormBytes)
	var err error
	switch mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt {
	case "", "application/x-www-form-urlencoded":
		err = r.ParseForm()
	case "multipart/form-data":
		if err = r.ParseMultipartForm(MaxFormBytes); err == nil && r.MultipartForm != nil {
			_ = r.MultipartForm.RemoveAll() // only the values are used
		}
	default:
		return errBadForm
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return errBadForm
	}
	return nil
}
