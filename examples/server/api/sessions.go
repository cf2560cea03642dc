package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"

	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/identity"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Label    string `json:"label"`
}

type sessionJSON struct {
	ID         string `json:"id"`
	Label      string `json:"label"`
	Current    bool   `json:"current"`
	CreatedAt  string `json:"created_at"`
	LastUsedAt string `json:"last_used_at"`
	ExpiresAt  string `json:"expires_at"`
}

func sessionView(s *identity.Session, current *identity.Session) sessionJSON {
	return sessionJSON{ID: s.ID, Label: s.Label, Current: current != nil && current.ID == s.ID,
		CreatedAt: formatTime(s.CreatedAt), LastUsedAt: formatTime(s.LastUsedAt), ExpiresAt: formatTime(s.ExpiresAt())}
}

type loginResponse struct {
	Token   string      `json:"token"`
	Session sessionJSON `json:"session"`
}

// login: POST /sessions {"email","password","label"} → {"token"}.
func (a *API) login(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var req loginRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(req.Email) == "":
		return invalid("email", "is required")
	case req.Password == "":
		return invalid("password", "is required")
	}
	if ok, wait := a.logins.Allow(ratelimit.Key(r, req.Email)); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		return &apiError{status: http.StatusTooManyRequests, code: "rate_limited",
			message: fmt.Sprintf("too many sign-in attempts; try again in %d seconds", int(math.Ceil(wait.Seconds())))}
	}
	acct, err := a.inst.Identity.Authenticate(r.Context(), req.Email, req.Password)
	if err != nil {
		return err
	}
	label := req.Label
	if strings.TrimSpace(label) == "" {
		label = DefaultSessionLabel
	}
	token, sess, err := a.inst.Identity.CreateSession(r.Context(), acct.ID, label)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, loginResponse{Token: token, Session: sessionView(sess, sess)})
	return nil
}

// listSessions: GET /sessions.
func (a *API) listSessions(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := newQuery(r).err; err != nil {
		return err
	}
	ss, err := a.inst.Identity.ListSessions(r.Context(), c.accountID())
	if err != nil {
		return err
	}
	out := make([]sessionJSON, 0, len(ss))
	for i := range ss {
		out = append(out, sessionView(&ss[i], c.session))
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}

// logout: DELETE /sessions ends the session of the request.
func (a *API) logout(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.inst.Identity.RevokeSession(r.Context(), c.accountID(), c.session.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// revokeSession: DELETE /sessions/{id} ends one of the account's sessions.
func (a *API) revokeSession(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.inst.Identity.RevokeSession(r.Context(), c.accountID(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type meJSON struct {
	ID        string        `json:"id"`
	Email     string        `json:"email"`
	Role      string        `json:"role"`
	Confirmed bool          `json:"confirmed"`
	Locale    string        `json:"locale"`
	TimeZone  string        `json:"time_zone"`
	CreatedAt string        `json:"created_at"`
	Profiles  []profileJSON `json:"profiles"`
}

// me: GET /me, the caller's own account and profiles.
func (a *API) me(w http.ResponseWriter, r *http.Request, c *caller) error {
	acct, err := a.inst.Identity.GetAccount(r.Context(), c.accountID())
	if err != nil {
		return err
	}
	ps, err := a.inst.Identity.ListProfiles(r.Context(), acct.ID)
	if err != nil {
		return err
	}
	out := meJSON{ID: acct.ID, Email: acct.Email, Role: string(acct.Role), Confirmed: acct.Confirmed,
		Locale: acct.Locale, TimeZone: acct.TimeZone, CreatedAt: formatTime(acct.CreatedAt), Profiles: []profileJSON{}}
	for i := range ps {
		out.Profiles = append(out.Profiles, profileView(&ps[i]))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
