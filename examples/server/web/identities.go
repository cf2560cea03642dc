package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// MaxCountedFollowers bounds the followers counted for the "what others
// see" page; above it the page says "at least".
const MaxCountedFollowers = 10 * identity.MaxPageLimit

// memberRoles are the roles of members proper (not pending or invited).
var memberRoles = []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember}

type profilesData struct {
	Profiles []identity.Profile
}

// profilesPage is GET /me/profiles: the account's identities, to edit
// or make the default.
func (w *Web) profilesPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "identities", "identities.title", profilesData{Profiles: v.profiles})
	return nil
}

type profileFormData struct {
	Form   url.Values
	New    bool
	ID     string
	Handle string
	Error  string
	Field  string
	Detail string
}

func (w *Web) newProfileForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "profile_form", "identities.new", profileFormData{Form: url.Values{}, New: true})
	return nil
}

// createProfile adds an identity to the account.
func (w *Web) createProfile(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	f := r.PostForm
	_, err := w.inst.Identity.CreateProfile(r.Context(), v.account.ID, identity.ProfileInput{
		Username: strings.TrimSpace(f.Get("username")), DisplayName: f.Get("display_name"),
		Summary: plainToHTML(f.Get("summary")), AvatarURL: strings.TrimSpace(f.Get("avatar_url")),
		Discoverable: true,
	})
	if field, detail, ok := formError(err); ok {
		w.render(rw, r, v, http.StatusBadRequest, "profile_form", "identities.new",
			profileFormData{Form: f, New: true, Error: "form.invalid", Field: field, Detail: detail})
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/me/profiles", "profile_created")
	return nil
}

// ownProfile returns the account's profile of the path, and 404 for
// any other (another account's profile is never reachable here).
func (w *Web) ownProfile(r *http.Request, v *visit) (*identity.Profile, error) {
	p, err := w.inst.Identity.ProfileOf(r.Context(), v.account.ID, r.PathValue("id"))
	if errors.Is(err, identity.ErrNotFound) || errors.Is(err, identity.ErrForbidden) || errors.Is(err, storage.ErrNotFound) {
		return nil, errNotFound
	}
	return p, err
}

func (w *Web) editProfileForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	p, err := w.ownProfile(r, v)
	if err != nil {
		return err
	}
	f := url.Values{"display_name": {p.DisplayName}, "summary": {p.Summary}, "avatar_url": {p.AvatarURL}}
	w.render(rw, r, v, http.StatusOK, "profile_form", "identities.edit",
		profileFormData{Form: f, ID: p.ID, Handle: p.Handle()})
	return nil
}

// updateProfile changes an identity's display name, summary and avatar.
func (w *Web) updateProfile(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	p, err := w.ownProfile(r, v)
	if err != nil {
		return err
	}
	f := r.PostForm
	name, summary, avatar := f.Get("display_name"), plainToHTML(f.Get("summary")), strings.TrimSpace(f.Get("avatar_url"))
	_, err = w.inst.Identity.UpdateProfile(r.Context(), v.account.ID, p.ID,
		identity.ProfileUpdate{DisplayName: &name, Summary: &summary, AvatarURL: &avatar})
	if field, detail, ok := formError(err); ok {
		w.render(rw, r, v, http.StatusBadRequest, "profile_form", "identities.edit",
			profileFormData{Form: f, ID: p.ID, Handle: p.Handle(), Error: "form.invalid", Field: field, Detail: detail})
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/me/profiles", "profile_updated")
	return nil
}

// defaultProfile makes an identity the account's default one.
func (w *Web) defaultProfile(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	p, err := w.ownProfile(r, v)
	if err != nil {
		return err
	}
	if err := w.inst.Identity.SetDefaultProfile(r.Context(), v.account.ID, p.ID); err != nil {
		return err
	}
	redirect(rw, r, "/me/profiles", "profile_default")
	return nil
}

// publicProfile is what other people can see of one identity.
type publicProfile struct {
	Profile       identity.Profile
	PageURL       string
	Followers     int
	MoreFollowers bool // at least Followers
	Groups        []memberView
	Organizing    []listItem
	Joining       []listItem
}

// publicView is GET /me/profiles/public: for each identity of the
// account, what others can see of it. Nothing there links the
// identities to one another.
func (w *Web) publicView(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	names := newActorNames(w)
	var out []publicProfile
	for _, p := range v.profiles {
		pp := publicProfile{Profile: p, PageURL: w.base + "/@" + p.Username}
		var err error
		if pp.Followers, pp.MoreFollowers, err = w.countFollowers(ctx, p.ID); err != nil {
			return err
		}
		ms, _, err := w.inst.Groups.Memberships(ctx, p.ID, memberRoles, groupsStart, MaxListed)
		if err != nil {
			return err
		}
		for _, m := range ms {
			mv := memberView{Role: m.Role}
			if a := names.get(ctx, m.GroupID); a != nil {
				mv.Name, mv.Handle, mv.URL = names.name(ctx, a.ID), a.Handle(), actorURL(a.Local, a.Username, a.URL, a.APID)
			}
			pp.Groups = append(pp.Groups, mv)
		}
		res, err := w.inst.Events.Search(ctx, events.Query{OrganizerID: p.ID, Limit: MaxListed})
		if err != nil {
			return err
		}
		for _, o := range res.Occurrences {
			pp.Organizing = append(pp.Organizing, w.listItem(ctx, names, o.Event, o.Start, o.End))
		}
		if pp.Joining, err = w.publicParticipations(ctx, names, p.ID); err != nil {
			return err
		}
		out = append(out, pp)
	}
	w.render(rw, r, v, http.StatusOK, "identities_public", "identities.public_title", out)
	return nil
}

// countFollowers counts an actor's accepted followers, up to
// MaxCountedFollowers.
func (w *Web) countFollowers(ctx context.Context, actorID string) (int, bool, error) {
	n := 0
	var cur storage.Cursor
	for n < MaxCountedFollowers {
		fs, next, err := w.inst.Identity.Followers(ctx, actorID, cur, identity.MaxPageLimit)
		if err != nil {
			return 0, false, err
		}
		n += len(fs)
		if next == (storage.Cursor{}) {
			return n, false, nil
		}
		cur = next
	}
	return n, true, nil
}

// publicParticipations lists the upcoming public events a profile takes
// part in (their organizers see it).
func (w *Web) publicParticipations(ctx context.Context, names *actorNames, profileID string) ([]listItem, error) {
	ps, err := w.parts.ListParticipations(ctx, profileID, []events.ParticipantRole{events.RoleParticipant}, storage.Cursor{}, MaxListed)
	if err != nil {
		return nil, err
	}
	now := w.now()
	var out []listItem
	for _, p := range ps {
		e, err := w.inst.Events.Get(ctx, "", p.EventID) // as an outsider sees it
		if errors.Is(err, events.ErrNotFound) || errors.Is(err, events.ErrForbidden) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if e.Visibility != events.Public {
			continue
		}
		occ := w.inst.Events.Occurrences(e, now, now.Add(events.MaxSearchWindow), 1)
		if len(occ) == 0 {
			continue
		}
		out = append(out, w.listItem(ctx, names, e, occ[0].Start, occ[0].End))
	}
	return out, nil
}
