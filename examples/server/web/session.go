package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"codeberg.org/convene/convene/identity"
)

// Cookie names. Every cookie is HttpOnly, SameSite=Lax, Path=/, and
// Secure when the base URL is https.
const (
	// SessionCookie holds the identity session token.
	SessionCookie = "convene_session"
	// CSRFCookie holds a random value the CSRF token of forms derives
	// from (with the session token, under the Secret).
	CSRFCookie = "convene_csrf"
	// ProfileCookie names the current profile; it is checked with
	// identity.ProfileOf on every request, so a forged value only falls
	// back to the default profile.
	ProfileCookie = "convene_profile"
	// LangCookie holds the language the visitor chose.
	LangCookie = "convene_lang"
	// CSRFField is the hidden form field of the CSRF token.
	CSRFField = "csrf"
)

// visit is who makes a request and in which language.
type visit struct {
	session  *identity.Session  // nil when anonymous
	account  *identity.Account  // nil when anonymous
	profile  *identity.Profile  // the current profile; nil when anonymous
	profiles []identity.Profile // the account's profiles
	lang     string
	csrf     string // the CSRF token for forms
}

// profileID is the current profile's id, "" for anonymous visitors.
func (v *visit) profileID() string {
	if v == nil || v.profile == nil {
		return ""
	}
	return v.profile.ID
}

// errSignIn sends anonymous visitors to the login page.
var errSignIn = &httpError{status: http.StatusUnauthorized, key: "error.sign_in"}

// signedIn returns errSignIn for anonymous visitors.
func (v *visit) signedIn() error {
	if v.profile == nil {
		return errSignIn
	}
	return nil
}

// visitOf reads the session, profile, language and CSRF cookies.
func (w *Web) visitOf(rw http.ResponseWriter, r *http.Request) (*visit, error) {
	ctx := r.Context()
	v := &visit{}
	if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
		sess, err := w.inst.Identity.ResolveSession(ctx, c.Value)
		switch {
		case err == nil:
			v.session = sess
		case errors.Is(err, identity.ErrNotFound), errors.Is(err, identity.ErrSuspended), errors.Is(err, identity.ErrNotConfirmed):
			w.clearCookie(rw, SessionCookie)
		default:
			return nil, err
		}
	}
	if v.session != nil {
		acct, err := w.inst.Identity.GetAccount(ctx, v.session.AccountID)
		if err != nil {
			return nil, err
		}
		v.account = acct
		if v.profiles, err = w.inst.Identity.ListProfiles(ctx, acct.ID); err != nil {
			return nil, err
		}
		if c, err := r.Cookie(ProfileCookie); err == nil && c.Value != "" {
			if p, err := w.inst.Identity.ProfileOf(ctx, acct.ID, c.Value); err == nil {
				v.profile = p
			}
		}
		for i := range v.profiles {
			if v.profile == nil && v.profiles[i].Default {
				p := v.profiles[i]
				v.profile = &p
			}
		}
		if v.profile == nil && len(v.profiles) > 0 {
			p := v.profiles[0]
			v.profile = &p
		}
		if v.profile == nil {
			return nil, errors.New("web: account without a profile")
		}
	}
	accountLang := ""
	if v.account != nil {
		accountLang = v.account.Locale
	}
	v.lang = negotiate(r, accountLang)
	v.csrf = w.csrfToken(w.csrfSeed(rw, r), sessionToken(r, v))
	return v, nil
}

// sessionToken is the session cookie's value when it resolved.
func sessionToken(r *http.Request, v *visit) string {
	if v.session == nil {
		return ""
	}
	c, err := r.Cookie(SessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// csrfSeed returns the visitor's CSRF cookie, setting a fresh one when
// there is none.
func (w *Web) csrfSeed(rw http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(CSRFCookie); err == nil && len(c.Value) == 43 {
		return c.Value
	}
	seed := randomText(32)
	w.setCookie(rw, CSRFCookie, seed, 0)
	// The token of this response must match what the next request sends.
	r.AddCookie(&http.Cookie{Name: CSRFCookie, Value: seed})
	return seed
}

// csrfToken is HMAC(Secret, seed, session): it changes with the session,
// so a token from before a login is no good after it.
func (w *Web) csrfToken(seed, session string) string {
	m := hmac.New(sha256.New, w.secret)
	m.Write([]byte("csrf\x00" + seed + "\x00" + session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkPost bounds the form, parses it and checks its CSRF token.
func (w *Web) checkPost(rw http.ResponseWriter, r *http.Request, v *visit) error {
	r.Body = http.MaxBytesReader(rw, r.Body, MaxFormBytes)
	ct := r.Header.Get("Content-Type")
	if ct != "" && !strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		return errBadForm
	}
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return errTooLarge
		}
		return errBadForm
	}
	// Browsers that say where a request comes from are refused across
	// origins before the token is even looked at.
	if err := w.origins.Check(r); err != nil {
		return errCSRF
	}
	c, err := r.Cookie(CSRFCookie)
	if err != nil {
		return errCSRF
	}
	want := w.csrfToken(c.Value, sessionToken(r, v))
	if !hmac.Equal([]byte(r.PostForm.Get(CSRFField)), []byte(want)) {
		return errCSRF
	}
	return nil
}

// setCookie sets an HttpOnly, SameSite=Lax cookie; maxAge 0 is a
// browser-session cookie.
func (w *Web) setCookie(rw http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(rw, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: w.secure, SameSite: http.SameSiteLaxMode})
}

func (w *Web) clearCookie(rw http.ResponseWriter, name string) { w.setCookie(rw, name, "", -1) }

// randomText is n random bytes as unpadded base64url.
func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath returns next when it is a path of this site ("/…" but not
// "//…" or "/\…"), else "/": redirects never leave the site.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.IsAbs() || u.Host != "" {
		return "/"
	}
	return next
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// isAdmin reports whether the visitor's account is an instance
// administrator.
func (v *visit) isAdmin() bool {
	return v != nil && v.account != nil && v.account.Role == identity.RoleAdmin && !v.account.Suspended
}
