package api

import (
	"context"
	"errors"
	"net/http"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// apiError is an error with its response: status and the body's code,
// message and field.
type apiError struct {
	status  int
	code    string
	message string
	field   string
}

func (e *apiError) Error() string {
	if e.field != "" {
		return e.code + ": " + e.field + ": " + e.message
	}
	return e.code + ": " + e.message
}

// errorBody is the one shape of every error response.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

var (
	errSignIn = &apiError{status: http.StatusUnauthorized, code: "unauthorized",
		message: "sign in: send Authorization: Bearer <token> (POST /api/v1/sessions gives one)"}
	errBadToken = &apiError{status: http.StatusUnauthorized, code: "invalid_token",
		message: "the bearer token is unknown, expired or revoked"}
	errNoRoute = &apiError{status: http.StatusNotFound, code: "not_found", message: "no such API path"}
)

// invalid is a 422 naming a field.
func invalid(field, message string) *apiError {
	return &apiError{status: http.StatusUnprocessableEntity, code: "invalid", field: field, message: message}
}

// notFound is a 404.
func notFound(what string) *apiError {
	msg := "not found"
	if what != "" {
		msg = what + " not found"
	}
	return &apiError{status: http.StatusNotFound, code: "not_found", message: msg}
}

// sentinels maps the domain's state errors to responses. Order matters
// only where one error matches several: the first wins.
var sentinels = []struct {
	err     error
	status  int
	code    string
	message string
}{
	{identity.ErrBadCredentials, http.StatusUnauthorized, "bad_credentials", "wrong email or password"},
	{identity.ErrSuspended, http.StatusForbidden, "suspended", "the account is suspended"},
	{identity.ErrNotConfirmed, http.StatusForbidden, "not_confirmed", "the account's email address is not confirmed yet"},
	{events.ErrAlreadyParticipating, http.StatusConflict, "already_participating", "the profile already takes part in this event"},
	{groups.ErrAlreadyMember, http.StatusConflict, "already_member", "the profile is already a member or awaits approval"},
	{events.ErrClosed, http.StatusConflict, "closed", "the event takes no new participants"},
	{events.ErrNotJoinable, http.StatusConflict, "not_joinable", "participation in this event happens elsewhere or not at all"},
	{events.ErrCommentsClosed, http.StatusConflict, "comments_closed", "comments on this event are closed"},
	{events.ErrOnlyOrganizer, http.StatusConflict, "only_organizer", "the only organizer cannot leave the event"},
	{groups.ErrLastAdministrator, http.StatusConflict, "last_administrator", "the last administrator cannot leave the group"},
	{identity.ErrLastProfile, http.StatusConflict, "last_profile", "an account keeps at least one profile"},
	{events.ErrAnonymousDisabled, http.StatusForbidden, "forbidden", "participation without an account is not enabled"},
	{groups.ErrNotMember, http.StatusNotFound, "not_found", "no such membership"},
	{storage.ErrInvalidCursor, http.StatusUnprocessableEntity, "invalid", "is not a cursor from a previous page"},
	{conversations.ErrNotParticipating, http.StatusConflict, "not_participating", "the participant does not take part in the event (any more): the conversation takes no new message"},
	{conversations.ErrTooManyRecipients, http.StatusConflict, "too_many_recipients", "the event has too many participants for one announcement"},
}

// classify turns any error into its response. Unknown errors are 500s.
func classify(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var ve *identity.ValidationError
	isField := errors.As(err, &ve)
	if errors.Is(err, storage.ErrConflict) {
		e := &apiError{status: http.StatusConflict, code: "conflict", message: "already exists"}
		if isField {
			e.field, e.message = ve.Field, ve.Reason
		}
		return e
	}
	for _, s := range sentinels {
		if errors.Is(err, s.err) {
			e := &apiError{status: s.status, code: s.code, message: s.message}
			if s.err == storage.ErrInvalidCursor {
				e.field = "after"
			}
			return e
		}
	}
	switch {
	case isField:
		return invalid(ve.Field, ve.Reason)
	case errors.Is(err, storage.ErrNotFound):
		return notFound("")
	case errors.Is(err, identity.ErrForbidden), errors.Is(err, events.ErrForbidden), errors.Is(err, groups.ErrForbidden),
		errors.Is(err, conversations.ErrForbidden):
		return &apiError{status: http.StatusForbidden, code: "forbidden", message: "you may not do this"}
	}
	return nil
}

// writeError writes err's response; server errors are logged, not shown.
func (a *API) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := classify(err)
	if e == nil {
		if errors.Is(err, context.Canceled) {
			return // the client went away
		}
		a.log.ErrorContext(r.Context(), "api: request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = &apiError{status: http.StatusInternalServerError, code: "internal", message: "something went wrong on the server"}
	}
	if e.status == http.StatusUnauthorized {
		challenge := `Bearer realm="convene"`
		if e == errBadToken {
			challenge += `, error="invalid_token"`
		}
		w.Header().Set("WWW-Authenticate", challenge)
	}
	writeJSON(w, e.status, errorBody{Error: errorJSON{Code: e.code, Message: e.message, Field: e.field}})
}
