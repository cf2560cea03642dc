package api

import (
	"errors"
	"net/http"

	"codeberg.org/convene/convene/identity"
)

// listProfiles: GET /profiles, the caller's profiles, default first.
func (a *API) listProfiles(w http.ResponseWriter, r *http.Request, c *caller) error {
	if err := newQuery(r).err; err != nil {
		return err
	}
	ps, err := a.inst.Identity.ListProfiles(r.Context(), c.accountID())
	if err != nil {
		return err
	}
	out := make([]profileJSON, 0, len(ps))
	for i := range ps {
		out = append(out, profileView(&ps[i]))
	}
	writeJSON(w, http.StatusOK, newList(out, ""))
	return nil
}

type profileRequest struct {
	Username     string `json:"username"`
	DisplayName  string `json:"display_name"`
	Summary      string `json:"summary"`
	AvatarURL    string `json:"avatar_url"`
	BannerURL    string `json:"banner_url"`
	Discoverable bool   `json:"discoverable"`
}

// createProfile: POST /profiles adds a profile to the caller's account.
func (a *API) createProfile(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req profileRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	p, err := a.inst.Identity.CreateProfile(r.Context(), c.accountID(), identity.ProfileInput{
		Username: req.Username, DisplayName: req.DisplayName, Summary: req.Summary,
		AvatarURL: req.AvatarURL, BannerURL: req.BannerURL, Discoverable: req.Discoverable})
	if err != nil {
		return err
	}
	w.Header().Set("Location", a.base+Prefix+"/profiles/"+p.ID)
	writeJSON(w, http.StatusCreated, profileView(p))
	return nil
}

// getProfile: GET /profiles/{id}, the public view of any local profile.
func (a *API) getProfile(w http.ResponseWriter, r *http.Request, _ *caller) error {
	p, err := a.inst.Identity.GetProfile(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, actorView(&p.Actor))
	return nil
}

type profileUpdateRequest struct {
	DisplayName  *string `json:"display_name"`
	Summary      *string `json:"summary"`
	AvatarURL    *string `json:"avatar_url"`
	BannerURL    *string `json:"banner_url"`
	Discoverable *bool   `json:"discoverable"`
	Default      *bool   `json:"default"`
}

// updateProfile: PATCH /profiles/{id} changes one of the caller's
// profiles; "default": true makes it the default one.
func (a *API) updateProfile(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req profileUpdateRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	if _, err := a.inst.Identity.ProfileOf(ctx, c.accountID(), id); err != nil {
		if errors.Is(err, identity.ErrForbidden) {
			return &apiError{status: http.StatusForbidden, code: "forbidden", message: "this is not one of your profiles"}
		}
		return err
	}
	if req.Default != nil && !*req.Default {
		return invalid("default", "make another profile the default instead")
	}
	p, err := a.inst.Identity.UpdateProfile(ctx, c.accountID(), id, identity.ProfileUpdate{
		DisplayName: req.DisplayName, Summary: req.Summary, AvatarURL: req.AvatarURL,
		BannerURL: req.BannerURL, Discoverable: req.Discoverable})
	if err != nil {
		return err
	}
	if req.Default != nil {
		if err := a.inst.Identity.SetDefaultProfile(ctx, c.accountID(), id); err != nil {
			return err
		}
		p.Default = true
	}
	writeJSON(w, http.StatusOK, profileView(p))
	return nil
}
