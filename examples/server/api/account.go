package api

import (
	"errors"
	"net/http"
	"regexp"
	"strings"

	"codeberg.org/convene/convene/identity"
)

type followRequest struct {
	Profile string `json:"profile"`
	Handle  string `json:"handle"`
}

type followJSON struct {
	ID         string `json:"id"`
	FollowerID string `json:"follower_id"`
	FollowedID string `json:"followed_id"`
	State      string `json:"state"`
	CreatedAt  string `json:"created_at"`
}

// handlePattern is @user@host (the leading @ optional).
var handlePattern = regexp.MustCompile(`^@?[^@\s/]{1,255}@[A-Za-z0-9.\-]{1,253}(:[0-9]{1,5})?$`)

// follow: POST /follows {"handle":"@user@host"}, the acting profile
// follows a (usually remote) actor. 501 without federation.
func (a *API) follow(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req followRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	handle := strings.TrimSpace(req.Handle)
	if !handlePattern.MatchString(handle) {
		return invalid("handle", "must be a handle such as @alice@events.example")
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	if a.follows == nil {
		return &apiError{status: http.StatusNotImplemented, code: "not_implemented",
			message: "this instance does not federate: following is not enabled"}
	}
	f, err := a.follows.Follow(r.Context(), p.ID, handle)
	if err != nil {
		if classify(err) == nil && !errors.Is(err, r.Context().Err()) {
			a.log.WarnContext(r.Context(), "api: follow failed", "handle", handle, "err", err)
			return &apiError{status: http.StatusBadGateway, code: "remote_failed", field: "handle",
				message: "the handle could not be resolved or followed"}
		}
		return err
	}
	writeJSON(w, http.StatusCreated, followJSON{ID: f.ID, FollowerID: f.FollowerID, FollowedID: f.FollowedID,
		State: string(f.State), CreatedAt: formatTime(f.CreatedAt)})
	return nil
}

// joinGroupByHandle: POST /group-memberships {"handle":"@group@host"},
// the acting profile asks to join a group of this or another instance;
// a remote group's answer comes later (the membership is not_approved
// until then). 501 without federation.
func (a *API) joinGroupByHandle(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req followRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	handle := strings.TrimSpace(req.Handle)
	if !handlePattern.MatchString(handle) {
		return invalid("handle", "must be a handle such as @walkers@events.example")
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	if a.follows == nil {
		return &apiError{status: http.StatusNotImplemented, code: "not_implemented",
			message: "this instance does not federate: joining by handle is not enabled"}
	}
	m, err := a.follows.JoinGroup(r.Context(), p.ID, handle)
	if err != nil {
		if classify(err) == nil && !errors.Is(err, r.Context().Err()) {
			a.log.WarnContext(r.Context(), "api: join group failed", "handle", handle, "err", err)
			return &apiError{status: http.StatusBadGateway, code: "remote_failed", field: "handle",
				message: "the handle could not be resolved to a group"}
		}
		return err
	}
	v, err := a.actorCache().member(r.Context(), m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

type feedTokenRequest struct {
	ProfileID string `json:"profile_id"`
}

type feedTokenJSON struct {
	ID        string `json:"id"`
	ProfileID string `json:"profile_id,omitempty"`
	Token     string `json:"token,omitempty"`
	URL       string `json:"url,omitempty"`
	CreatedAt string `json:"created_at"`
}

// listFeedTokens: GET /feed-tokens, the account's valid feed tokens
// (their text is shown only when made).
func (a *API) listFeedTokens(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := newQuery(r).err; err != nil {
		return err
	}
	ts, err := a.inst.Identity.ListFeedTokens(r.Context(), c.accountID())
	if err != nil {
		return err
	}
	out := []feedTokenJSON{}
	for _, t := range ts {
		if t.RevokedAt.IsZero() {
			out = append(out, feedTokenJSON{ID: t.ID, ProfileID: t.ProfileID, CreatedAt: formatTime(t.CreatedAt)})
		}
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}

// createFeedToken: POST /feed-tokens {"profile_id"} makes a private
// calendar feed of the whole account (no profile_id) or of one of its
// profiles. The token and feed URL are shown this once.
func (a *API) createFeedToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req feedTokenRequest
	if _, err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	text, t, err := a.inst.Identity.CreateFeedToken(r.Context(), c.accountID(), strings.TrimSpace(req.ProfileID))
	if errors.Is(err, identity.ErrForbidden) || (req.ProfileID != "" && errors.Is(err, identity.ErrNotFound)) {
		return &apiError{status: http.StatusForbidden, code: "forbidden", field: "profile_id",
			message: "a feed token is only for one of your own profiles"}
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, feedTokenJSON{ID: t.ID, ProfileID: t.ProfileID, Token: text,
		URL: a.base + "/feed/private/" + text + ".ics", CreatedAt: formatTime(t.CreatedAt)})
	return nil
}

// revokeFeedToken: DELETE /feed-tokens/{id}.
func (a *API) revokeFeedToken(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := a.inst.Identity.RevokeFeedToken(r.Context(), c.accountID(), r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
