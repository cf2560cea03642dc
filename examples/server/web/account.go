package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/identity"
)

// authForm is the data of the login, sign-up and reset pages.
type authForm struct {
	Form   url.Values
	Error  string // catalog key
	Field  string // the field in error
	Detail string // the service's reason (English)
	Next   string
	Closed bool // registrations closed
	Token  string
	Sent   bool // the mail was sent (or would have been)
	// Approval: the new account waits for an administrator's approval.
	Approval bool
}

func formError(err error) (field, detail string, ok bool) {
	var ve *identity.ValidationError
	if errors.As(err, &ve) {
		return ve.Field, ve.Reason, true
	}
	return "", "", false
}

func (w *Web) loginForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	w.render(rw, r, v, http.StatusOK, "login", "login.title",
		authForm{Form: url.Values{}, Next: localPath(r.URL.Query().Get("next"))})
	return nil
}

// login checks the credentials (rate limited per email and IP), opens a
// session and sets its cookie.
func (w *Web) login(rw http.ResponseWriter, r *http.Request, v *visit) error {
	email, password := strings.TrimSpace(r.PostForm.Get("email")), r.PostForm.Get("password")
	data := authForm{Form: url.Values{"email": {email}}, Next: localPath(r.PostForm.Get("next"))}
	status := http.StatusOK
	if ok, _ := w.logins.Allow(ratelimit.Key(r, email)); !ok {
		data.Error, status = "login.rate_limited", http.StatusTooManyRequests
		w.render(rw, r, v, status, "login", "login.title", data)
		return nil
	}
	acct, err := w.inst.Identity.Authenticate(r.Context(), email, password)
	switch {
	case errors.Is(err, identity.ErrBadCredentials):
		data.Error, status = "login.bad_credentials", http.StatusUnauthorized
	case errors.Is(err, identity.ErrSuspended):
		data.Error, status = "login.suspended", http.StatusForbidden
	case errors.Is(err, identity.ErrAwaitingApproval):
		data.Error, status = "login.awaiting_approval", http.StatusForbidden
	case errors.Is(err, identity.ErrNotConfirmed):
		// The password was right: send a fresh link (rate limited).
		if ok, _ := w.mails.Allow(ratelimit.Key(r, email)); ok {
			if a, err := w.inst.Identity.GetAccountByEmail(r.Context(), email); err == nil {
				if err := w.sendConfirmation(r, a); err != nil {
					return err
				}
			}
		}
		data.Error, status = "login.not_confirmed", http.StatusForbidden
	case err != nil:
		return err
	}
	if data.Error != "" {
		w.render(rw, r, v, status, "login", "login.title", data)
		return nil
	}
	token, _, err := w.inst.Identity.CreateSession(r.Context(), acct.ID, SessionLabel)
	if err != nil {
		return err
	}
	w.setCookie(rw, SessionCookie, token, int(identity.SessionLifetime.Seconds()))
	w.clearCookie(rw, ProfileCookie)
	redirect(rw, r, data.Next, "")
	return nil
}

// logout ends the session.
func (w *Web) logout(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if v.session != nil {
		if err := w.inst.Identity.RevokeSession(r.Context(), v.session.AccountID, v.session.ID); err != nil &&
			!errors.Is(err, identity.ErrNotFound) {
			return err
		}
	}
	w.clearCookie(rw, SessionCookie)
	w.clearCookie(rw, ProfileCookie)
	redirect(rw, r, "/", "signed_out")
	return nil
}

func (w *Web) signupForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	closed, _ := w.registrations(r.Context())
	w.render(rw, r, v, http.StatusOK, "signup", "signup.title", authForm{Form: url.Values{}, Closed: closed})
	return nil
}

// signup opens an account and mails its confirmation link.
func (w *Web) signup(rw http.ResponseWriter, r *http.Request, v *visit) error {
	closed, approval := w.registrations(r.Context())
	if closed {
		w.render(rw, r, v, http.StatusForbidden, "signup", "signup.title", authForm{Form: url.Values{}, Closed: true})
		return nil
	}
	f := r.PostForm
	data := authForm{Form: url.Values{"email": {f.Get("email")}, "username": {f.Get("username")},
		"display_name": {f.Get("display_name")}, "time_zone": {f.Get("time_zone")}}}
	if f.Get("password") != f.Get("password2") {
		data.Error, data.Field = "signup.mismatch", "password2"
		w.render(rw, r, v, http.StatusBadRequest, "signup", "signup.title", data)
		return nil
	}
	acct, _, err := w.inst.Identity.Register(r.Context(), identity.RegisterInput{
		Email: f.Get("email"), Password: f.Get("password"), Username: strings.TrimSpace(f.Get("username")),
		DisplayName: f.Get("display_name"), Locale: v.lang, TimeZone: strings.TrimSpace(f.Get("time_zone")),
	})
	if field, detail, ok := formError(err); ok {
		data.Error, data.Field, data.Detail = "form.invalid", field, detail
		w.render(rw, r, v, http.StatusBadRequest, "signup", "signup.title", data)
		return nil
	}
	if err != nil {
		return err
	}
	if approval {
		if err := w.inst.Identity.HoldForApproval(r.Context(), acct.ID); err != nil {
			return err
		}
	}
	if err := w.sendConfirmation(r, acct); err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "signup", "signup.title", authForm{Sent: true, Approval: approval})
	return nil
}

func (w *Web) sendConfirmation(r *http.Request, a *identity.Account) error {
	link := w.base + "/confirm?token=" + url.QueryEscape(w.signToken(purposeConfirm, a, ConfirmTokenLifetime))
	return w.confirm.SendConfirmation(r.Context(), a, link)
}

// confirmAccount follows a confirmation link.
func (w *Web) confirmAccount(rw http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.URL.Query().Get("token")
	a, err := w.tokenAccountOf(r, purposeConfirm, token)
	if err != nil {
		return err
	}
	if _, err := w.inst.Identity.ConfirmAccount(r.Context(), a.ID); err != nil {
		return err
	}
	redirect(rw, r, "/login", "confirmed")
	return nil
}

// tokenAccountOf returns the account of a valid token; anything else is
// the "invalid link" page.
func (w *Web) tokenAccountOf(r *http.Request, purpose, token string) (*identity.Account, error) {
	bad := &httpError{status: http.StatusNotFound, key: "error.bad_link"}
	id, ok := tokenAccount(token)
	if !ok {
		return nil, bad
	}
	a, err := w.inst.Identity.GetAccount(r.Context(), id)
	if errors.Is(err, identity.ErrNotFound) {
		return nil, bad
	}
	if err != nil {
		return nil, err
	}
	if err := w.checkToken(purpose, token, a); err != nil {
		return nil, bad
	}
	return a, nil
}

func (w *Web) resetRequestForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	w.render(rw, r, v, http.StatusOK, "reset_request", "reset.title", authForm{Form: url.Values{}})
	return nil
}

// resetRequest mails a reset link when the email has an account, and
// answers the same either way.
func (w *Web) resetRequest(rw http.ResponseWriter, r *http.Request, v *visit) error {
	email := strings.TrimSpace(r.PostForm.Get("email"))
	if ok, _ := w.mails.Allow(ratelimit.Key(r, email)); ok && email != "" {
		a, err := w.inst.Identity.GetAccountByEmail(r.Context(), email)
		var ve *identity.ValidationError
		switch {
		case err == nil && !a.Suspended:
			link := w.base + "/reset/" + url.PathEscape(w.signToken(purposeReset, a, ResetTokenLifetime))
			if err := w.resets.SendPasswordReset(r.Context(), a, link); err != nil {
				return err
			}
		case err == nil, errors.Is(err, identity.ErrNotFound), errors.As(err, &ve):
		default:
			return err
		}
	}
	w.render(rw, r, v, http.StatusOK, "reset_request", "reset.title", authForm{Sent: true})
	return nil
}

func (w *Web) resetForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.PathValue("token")
	if _, err := w.tokenAccountOf(r, purposeReset, token); err != nil {
		return err
	}
	rw.Header().Set("Referrer-Policy", "no-referrer")
	w.render(rw, r, v, http.StatusOK, "reset", "reset.title", authForm{Token: token})
	return nil
}

// reset sets the new password, ends every session of the account, and
// sends to the login page.
func (w *Web) reset(rw http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.PathValue("token")
	a, err := w.tokenAccountOf(r, purposeReset, token)
	if err != nil {
		return err
	}
	rw.Header().Set("Referrer-Policy", "no-referrer")
	data := authForm{Token: token}
	if r.PostForm.Get("password") != r.PostForm.Get("password2") {
		data.Error, data.Field = "signup.mismatch", "password2"
		w.render(rw, r, v, http.StatusBadRequest, "reset", "reset.title", data)
		return nil
	}
	err = w.inst.Identity.SetPassword(r.Context(), a.ID, r.PostForm.Get("password"))
	if field, detail, ok := formError(err); ok {
		data.Error, data.Field, data.Detail = "form.invalid", field, detail
		w.render(rw, r, v, http.StatusBadRequest, "reset", "reset.title", data)
		return nil
	}
	if err != nil {
		return err
	}
	sessions, err := w.inst.Identity.ListSessions(r.Context(), a.ID)
	if err != nil {
		return err
	}
	for _, s := range sessions {
		if err := w.inst.Identity.RevokeSession(r.Context(), a.ID, s.ID); err != nil && !errors.Is(err, identity.ErrNotFound) {
			return err
		}
	}
	w.clearCookie(rw, SessionCookie)
	redirect(rw, r, "/login", "password_reset")
	return nil
}

// setLang remembers the visitor's language choice.
func (w *Web) setLang(rw http.ResponseWriter, r *http.Request, v *visit) error {
	lang := supported(r.PostForm.Get("lang"))
	if lang == "" {
		return errBadForm
	}
	w.setCookie(rw, LangCookie, lang, 365*24*3600)
	redirect(rw, r, localPath(r.PostForm.Get("next")), "")
	return nil
}

// switchProfile makes another profile of the account the current one.
func (w *Web) switchProfile(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	p, err := w.inst.Identity.ProfileOf(r.Context(), v.account.ID, r.PostForm.Get("profile"))
	if errors.Is(err, identity.ErrNotFound) || errors.Is(err, identity.ErrForbidden) {
		return errForbidden
	}
	if err != nil {
		return err
	}
	w.setCookie(rw, ProfileCookie, p.ID, int(identity.SessionLifetime.Seconds()))
	redirect(rw, r, localPath(r.PostForm.Get("next")), "profile_switched")
	return nil
}
