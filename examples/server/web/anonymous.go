package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
)

type anonData struct {
	Event *events.Event
	Email string // the address the visitor typed, shown back to them only
	Sent  bool
	Token string
	Done  string // catalog key of the outcome
	Error string
}

// anonymousOffered reports whether the event takes participations by
// email from visitors without an account here.
func (w *Web) anonymousOffered(e *events.Event) bool {
	return w.anon != nil && e.Local && e.AnonymousParticipation && !e.Draft && e.Status != events.Cancelled &&
		(e.JoinMode == events.JoinFree || e.JoinMode == events.JoinRestricted)
}

// joinAnonymously is POST /events/{id}/join-anonymous: a participation
// by email, not_confirmed until the mailed link is followed. Mails are
// rate limited per address and client.
func (w *Web) joinAnonymously(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	e, err := w.inst.Events.Get(ctx, "", r.PathValue("id"))
	if err != nil {
		return err
	}
	if !w.anonymousOffered(e) {
		redirect(rw, r, "/events/"+e.ID, "anon_disabled")
		return nil
	}
	email := strings.TrimSpace(r.PostForm.Get("email"))
	d := anonData{Event: e, Email: email}
	if ok, _ := w.mails.Allow(ratelimit.Key(r, email)); !ok {
		d.Error = "login.rate_limited"
		w.render(rw, r, v, http.StatusTooManyRequests, "anonymous", "anon.title", d)
		return nil
	}
	p, tokens, err := w.inst.Events.JoinAnonymously(ctx, e.ID, events.AnonymousJoin{Email: email,
		Message: r.PostForm.Get("message"), Locale: v.lang})
	if _, _, ok := formError(err); ok {
		d.Error = "anon.bad_email"
		w.render(rw, r, v, http.StatusBadRequest, "anonymous", "anon.title", d)
		return nil
	}
	switch key := actionErrorKey(err); {
	case errors.Is(err, events.ErrAnonymousDisabled):
		redirect(rw, r, "/events/"+e.ID, "anon_disabled")
		return nil
	case key != "":
		redirect(rw, r, "/events/"+e.ID, key)
		return nil
	case err != nil:
		return err
	}
	confirm := w.base + "/participation/confirm?token=" + url.QueryEscape(tokens.Confirm)
	cancel := w.base + "/participation/cancel?token=" + url.QueryEscape(tokens.Cancel)
	if err := w.anon.AnonymousConfirmation(ctx, p, e, confirm, cancel); err != nil {
		return err
	}
	d.Sent = true
	w.render(rw, r, v, http.StatusOK, "anonymous", "anon.title", d)
	return nil
}

// anonOutcome renders the page after a mailed link: the links carry
// secrets, so the page sends no referrer.
func (w *Web) anonOutcome(rw http.ResponseWriter, r *http.Request, v *visit, status int, d anonData) {
	rw.Header().Set("Referrer-Policy", "no-referrer")
	w.render(rw, r, v, status, "anonymous", "anon.title", d)
}

var errBadParticipationLink = &httpError{status: http.StatusNotFound, key: "error.bad_link"}

// confirmAnonymous is GET /participation/confirm?token=…: the mailed
// confirmation link. Following it twice is harmless.
func (w *Web) confirmAnonymous(rw http.ResponseWriter, r *http.Request, v *visit) error {
	p, err := w.inst.Events.ConfirmAnonymous(r.Context(), r.URL.Query().Get("token"))
	if errors.Is(err, events.ErrNotFound) {
		return errBadParticipationLink
	}
	if err != nil {
		return err
	}
	d := anonData{Done: "anon.confirmed"}
	switch p.Role {
	case events.RoleNotApproved:
		d.Done = "anon.pending"
	case events.RoleWaitlisted:
		d.Done = "anon.waitlisted"
	case events.RoleRejected:
		d.Done = "anon.rejected"
	}
	if e, err := w.inst.Events.Get(r.Context(), "", p.EventID); err == nil {
		d.Event = e
	}
	w.anonOutcome(rw, r, v, http.StatusOK, d)
	return nil
}

// cancelAnonymousForm is GET /participation/cancel?token=…: it asks to
// confirm, so that a mail scanner following links cancels nothing.
func (w *Web) cancelAnonymousForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	token := r.URL.Query().Get("token")
	if token == "" || len(token) > 128 {
		return errBadParticipationLink
	}
	w.anonOutcome(rw, r, v, http.StatusOK, anonData{Token: token})
	return nil
}

// cancelAnonymous is POST /participation/cancel: it ends the
// participation of the token.
func (w *Web) cancelAnonymous(rw http.ResponseWriter, r *http.Request, v *visit) error {
	err := w.inst.Events.CancelAnonymous(r.Context(), r.PostForm.Get("token"))
	if errors.Is(err, events.ErrNotFound) {
		return errBadParticipationLink
	}
	if err != nil {
		return err
	}
	w.anonOutcome(rw, r, v, http.StatusOK, anonData{Done: "anon.cancelled"})
	return nil
}
