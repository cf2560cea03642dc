package api

import (
	"errors"
	"net/http"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

type groupRequest struct {
	Profile     string     `json:"profile"`
	Username    string     `json:"username"`
	DisplayName string     `json:"display_name"`
	Summary     string     `json:"summary"`
	Openness    string     `json:"openness"`
	Visibility  string     `json:"visibility"`
	Address     *geo.Place `json:"address"`
	AvatarURL   string     `json:"avatar_url"`
	BannerURL   string     `json:"banner_url"`
}

// createGroup: POST /groups, with the acting profile as its creator.
func (a *API) createGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req groupRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	g, err := a.inst.Groups.Create(r.Context(), p.ID, groups.CreateInput{
		Username: req.Username, DisplayName: req.DisplayName, Summary: req.Summary,
		Openness: groups.Openness(req.Openness), Visibility: groups.Visibility(req.Visibility),
		Address: req.Address, AvatarURL: req.AvatarURL, BannerURL: req.BannerURL})
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.base+Prefix+"/groups/"+g.ID)
	writeJSON(w, http.StatusCreated, groupView(g))
	return nil
}

// group returns a group the viewer may see: a private group is a 404
// to anyone who is not a member or invited.
func (a *API) group(r *http.Request, groupID, viewerID string) (*groups.Group, error) {
	g, err := a.inst.Groups.Get(r.Context(), groupID)
	if err != nil {
		return nil, err
	}
	if g.Visibility != groups.Private {
		return g, nil
	}
	if viewerID != "" {
		role, err := a.inst.Groups.MemberRole(r.Context(), g.ID, viewerID)
		switch {
		case err == nil && (groups.IsMember(role) || role == groups.RoleInvited):
			return g, nil
		case err != nil && !errors.Is(err, storage.ErrNotFound):
			return nil, err
		}
	}
	return nil, notFound("group")
}

// groupVisible refuses a group the viewer may not see.
func (a *API) groupVisible(r *http.Request, groupID, viewerID string) error {
	_, err := a.group(r, groupID, viewerID)
	return err
}

// getGroup: GET /groups/{id}.
func (a *API) getGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	viewer, err := c.viewer(r)
	if err != nil {
		return err
	}
	g, err := a.group(r, r.PathValue("id"), viewer)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, groupView(g))
	return nil
}

// listMembers: GET /groups/{id}/members, for the group's members only.
// Moderators also see invitations, pending requests and rejections.
func (a *API) listMembers(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := newQuery(r, "after", "limit")
	cur, _, limit := q.page()
	if q.err != nil {
		return q.err
	}
	viewer, err := c.viewer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	g, err := a.group(r, r.PathValue("id"), viewer)
	if err != nil {
		return err
	}
	if err := a.inst.Groups.Authorize(ctx, g.ID, viewer, groups.PermGroupAccess); err != nil {
		if viewer == "" {
			return errSignIn
		}
		return &apiError{status: http.StatusForbidden, code: "forbidden", message: "only members see the members of a group"}
	}
	roles := []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember}
	if a.inst.Groups.Authorize(ctx, g.ID, viewer, groups.PermMemberApprove) == nil {
		roles = nil
	}
	ms, next, err := a.inst.Groups.Members(ctx, g.ID, roles, cur, limit)
	if err != nil {
		return err
	}
	cache := a.actorCache()
	out := make([]memberJSON, 0, len(ms))
	for i := range ms {
		v, err := cache.member(ctx, &ms[i])
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, newList(out, cursorText(next)))
	return nil
}

type membershipRequest struct {
	Profile string `json:"profile"`
}

// joinGroup: POST /groups/{id}/membership, the acting profile joins (or
// asks to, or accepts an invitation).
func (a *API) joinGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req membershipRequest
	if _, err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	g, err := a.group(r, r.PathValue("id"), p.ID)
	if err != nil {
		return err
	}
	m, err := a.inst.Groups.Join(r.Context(), g.ID, p.ID, "")
	if err != nil {
		return err
	}
	v, err := a.actorCache().member(r.Context(), m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// leaveGroup: DELETE /groups/{id}/membership, the acting profile leaves
// (or withdraws its request).
func (a *API) leaveGroup(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := c.profile(r, "")
	if err != nil {
		return err
	}
	g, err := a.group(r, r.PathValue("id"), p.ID)
	if err != nil {
		return err
	}
	if err := a.inst.Groups.Leave(r.Context(), g.ID, p.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
