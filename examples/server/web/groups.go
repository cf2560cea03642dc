package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// groupsStart is the first page of a membership list.
var groupsStart = storage.Cursor{}

// errGroupsForbidden is groups.ErrForbidden, for classify.
var errGroupsForbidden = groups.ErrForbidden

type memberView struct {
	Name, Handle, URL string
	Role              groups.Role
}

type groupData struct {
	Group       *groups.Group
	Role        groups.Role // the current profile's; "" when none
	Member      bool        // a member role (not pending or invited)
	CanJoin     bool
	CanLeave    bool
	CanCreate   bool // may create the group's events
	ShowMembers bool
	Members     []memberView
	Events      []listItem
}

// groupPage is GET /@{group}: the group, its upcoming public events, and
// its members to members. A private group is a 404 to non-members.
func (w *Web) groupPage(rw http.ResponseWriter, r *http.Request, v *visit, a *identity.Actor) error {
	ctx := r.Context()
	g, err := w.inst.Groups.Get(ctx, a.ID)
	if err != nil {
		return err
	}
	d := groupData{Group: g}
	viewer := v.profileID()
	if viewer != "" {
		role, err := w.inst.Groups.MemberRole(ctx, g.ID, viewer)
		switch {
		case err == nil:
			d.Role = role
		case !errors.Is(err, groups.ErrNotFound):
			return err
		}
	}
	access := viewer != "" && w.inst.Groups.Authorize(ctx, g.ID, viewer, groups.PermGroupAccess) == nil
	if g.Visibility == groups.Private && !access {
		return errNotFound
	}
	d.Member = access
	d.ShowMembers = access
	d.CanCreate = viewer != "" && w.inst.Groups.Authorize(ctx, g.ID, viewer, groups.PermEventCreate) == nil
	switch d.Role {
	case "":
		d.CanJoin = viewer != "" && g.Openness != groups.InviteOnly
	case groups.RoleInvited:
		d.CanJoin = true // accepts the invitation
	case groups.RoleRejected:
	default:
		d.CanLeave = true
	}
	names := newActorNames(w)
	if d.ShowMembers {
		ms, _, err := w.inst.Groups.Members(ctx, g.ID, []groups.Role{groups.RoleCreator, groups.RoleAdministrator,
			groups.RoleModerator, groups.RoleMember}, groupsStart, MaxListed)
		if err != nil {
			return err
		}
		for _, m := range ms {
			mv := memberView{Role: m.Role}
			if ma := names.get(ctx, m.ActorID); ma != nil {
				mv.Name, mv.Handle, mv.URL = names.name(ctx, ma.ID), ma.Handle(), actorURL(ma.Local, ma.Username, ma.URL, ma.APID)
			}
			d.Members = append(d.Members, mv)
		}
	}
	res, err := w.inst.Events.Search(ctx, events.Query{GroupID: g.ID, Limit: MaxListed})
	if err != nil {
		return err
	}
	for _, o := range res.Occurrences {
		d.Events = append(d.Events, w.listItem(ctx, names, o.Event, o.Start, o.End))
	}
	title := g.DisplayName
	if title == "" {
		title = g.Handle()
	}
	w.render(rw, r, v, http.StatusOK, "group", "="+title, d)
	return nil
}

type groupFormData struct {
	Form   url.Values
	Error  string
	Field  string
	Detail string
}

func (w *Web) newGroupForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "group_form", "group.new",
		groupFormData{Form: url.Values{"openness": {"moderated"}, "visibility": {"public"}}})
	return nil
}

// createGroup makes a group with the current profile as its creator.
func (w *Web) createGroup(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	f := r.PostForm
	g, err := w.inst.Groups.Create(r.Context(), v.profile.ID, groups.CreateInput{
		Username: strings.TrimSpace(f.Get("username")), DisplayName: f.Get("display_name"),
		Summary: plainToHTML(f.Get("summary")), Openness: groups.Openness(f.Get("openness")),
		Visibility: groups.Visibility(f.Get("visibility")),
	})
	if field, detail, ok := formError(err); ok {
		w.render(rw, r, v, http.StatusBadRequest, "group_form", "group.new",
			groupFormData{Form: f, Error: "form.invalid", Field: field, Detail: detail})
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/@"+g.Username, "group_created")
	return nil
}

// groupAction joins or leaves a group as the current profile.
func (w *Web) groupAction(rw http.ResponseWriter, r *http.Request, v *visit, join bool) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	g, err := w.inst.Groups.Get(ctx, r.PathValue("id"))
	if err != nil {
		return err
	}
	back := "/@" + g.Username
	if g.Visibility == groups.Private && w.inst.Groups.Authorize(ctx, g.ID, v.profile.ID, groups.PermGroupAccess) != nil {
		if role, err := w.inst.Groups.MemberRole(ctx, g.ID, v.profile.ID); err != nil || role != groups.RoleInvited {
			return errNotFound
		}
	}
	msg := "group_left"
	if join {
		var m *groups.Member
		m, err = w.inst.Groups.Join(ctx, g.ID, v.profile.ID, "")
		msg = "group_joined"
		if err == nil && m.Role == groups.RoleNotApproved {
			msg = "group_requested"
		}
	} else {
		err = w.inst.Groups.Leave(ctx, g.ID, v.profile.ID)
	}
	switch {
	case errors.Is(err, groups.ErrAlreadyMember):
		msg = "group_already"
	case errors.Is(err, groups.ErrLastAdministrator):
		msg = "group_last_admin"
	case errors.Is(err, groups.ErrNotMember):
		msg = "group_not_member"
	case errors.Is(err, groups.ErrForbidden):
		msg = "group_forbidden"
	case err != nil:
		return err
	}
	redirect(rw, r, back, msg)
	return nil
}

func (w *Web) joinGroup(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.groupAction(rw, r, v, true)
}

func (w *Web) leaveGroup(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.groupAction(rw, r, v, false)
}
