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
)

// groupLink is a group in a list of memberships.
type groupLink struct {
	ID, Name, Handle, URL string
	Role                  groups.Role
	InvitedBy             string // the inviter's name, for invitations
}

type myGroupsData struct {
	Member, Invited, Pending []groupLink
}

// myGroups is GET /me/groups: the current profile's groups, its pending
// requests, and the invitations it may accept or decline.
func (w *Web) myGroups(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	ms, _, err := w.inst.Groups.Memberships(ctx, v.profile.ID, nil, groupsStart, MaxListed)
	if err != nil {
		return err
	}
	names := newActorNames(w)
	var d myGroupsData
	for _, m := range ms {
		a := names.get(ctx, m.GroupID)
		if a == nil {
			continue
		}
		gl := groupLink{ID: m.GroupID, Name: names.name(ctx, a.ID), Handle: a.Handle(),
			URL: actorURL(a.Local, a.Username, a.URL, a.APID), Role: m.Role}
		switch {
		case groups.IsMember(m.Role):
			d.Member = append(d.Member, gl)
		case m.Role == groups.RoleInvited:
			gl.InvitedBy = names.name(ctx, m.InvitedBy)
			d.Invited = append(d.Invited, gl)
		case m.Role == groups.RoleNotApproved:
			d.Pending = append(d.Pending, gl)
		}
	}
	w.render(rw, r, v, http.StatusOK, "my_groups", "my_groups.title", d)
	return nil
}

// answerInvitation accepts or declines the current profile's invitation
// into the group of the path.
func (w *Web) answerInvitation(rw http.ResponseWriter, r *http.Request, v *visit, accept bool) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	var err error
	msg := "invitation_declined"
	if accept {
		msg = "invitation_accepted"
		_, err = w.inst.Groups.AcceptInvitation(ctx, id, v.profile.ID)
	} else {
		err = w.inst.Groups.DeclineInvitation(ctx, id, v.profile.ID)
	}
	switch {
	case errors.Is(err, groups.ErrNotMember), errors.Is(err, groups.ErrNotFound):
		return errNotFound // no invitation: nothing to learn about the group
	case err != nil:
		return err
	}
	redirect(rw, r, "/me/groups", msg)
	return nil
}

func (w *Web) acceptInvitation(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.answerInvitation(rw, r, v, true)
}

func (w *Web) declineInvitation(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.answerInvitation(rw, r, v, false)
}

// groupAccess is a group as the current profile may see it: a private
// group is a 404 to non-members.
type groupAccess struct {
	g      *groups.Group
	member bool // PermGroupAccess
}

func (w *Web) groupOf(ctx context.Context, v *visit, id string) (*groupAccess, error) {
	g, err := w.inst.Groups.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	ga := &groupAccess{g: g}
	if viewer := v.profileID(); viewer != "" {
		ga.member = w.inst.Groups.Authorize(ctx, g.ID, viewer, groups.PermGroupAccess) == nil
	}
	if g.Visibility == groups.Private && !ga.member {
		return nil, errNotFound
	}
	return ga, nil
}

// may reports whether the current profile has a permission in a group.
func (w *Web) may(ctx context.Context, v *visit, groupID string, p groups.Permission) bool {
	return v.profileID() != "" && w.inst.Groups.Authorize(ctx, groupID, v.profileID(), p) == nil
}

type memberRow struct {
	memberView
	ActorID    string
	InvitedBy  string
	CanChange  bool
	CanRemove  bool
	Self       bool
	RoleChoice []groups.Role
}

type membersData struct {
	Group                        *groups.Group
	Members, Pending, Invited    []memberRow
	CanInvite, CanApprove        bool
	CanChangeRoles, CanRemove    bool
	RemoteInvites                bool
	Handle, InviteError, Detail  string
	InviteErrorField, InviteDone string
}

// groupMembers is GET /groups/{id}/members: members and their roles, to
// members; administrators change roles, remove, approve and invite.
func (w *Web) groupMembers(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ga, err := w.groupOf(r.Context(), v, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ga.member {
		return errForbidden
	}
	d, err := w.membersData(r.Context(), v, ga.g)
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "group_members", "members.title", d)
	return nil
}

func (w *Web) membersData(ctx context.Context, v *visit, g *groups.Group) (*membersData, error) {
	d := &membersData{Group: g, CanInvite: w.may(ctx, v, g.ID, groups.PermMemberInvite),
		CanApprove:     w.may(ctx, v, g.ID, groups.PermMemberApprove),
		CanChangeRoles: w.may(ctx, v, g.ID, groups.PermMemberChangeRole),
		CanRemove:      w.may(ctx, v, g.ID, groups.PermMemberRemove),
		RemoteInvites:  w.handles != nil}
	ms, _, err := w.inst.Groups.Members(ctx, g.ID, nil, groupsStart, MaxListed)
	if err != nil {
		return nil, err
	}
	names := newActorNames(w)
	for _, m := range ms {
		row := memberRow{memberView: memberView{Role: m.Role}, ActorID: m.ActorID, Self: m.ActorID == v.profileID()}
		if a := names.get(ctx, m.ActorID); a != nil {
			row.Name, row.Handle, row.URL = names.name(ctx, a.ID), a.Handle(), actorURL(a.Local, a.Username, a.URL, a.APID)
		}
		switch {
		case groups.IsMember(m.Role):
			row.CanChange = d.CanChangeRoles && m.Role != groups.RoleCreator
			row.CanRemove = d.CanRemove && m.Role != groups.RoleCreator && !row.Self
			row.RoleChoice = []groups.Role{groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember}
			d.Members = append(d.Members, row)
		case m.Role == groups.RoleNotApproved && d.CanApprove:
			d.Pending = append(d.Pending, row)
		case m.Role == groups.RoleInvited && d.CanInvite:
			row.InvitedBy = names.name(ctx, m.InvitedBy)
			d.Invited = append(d.Invited, row)
		}
	}
	return d, nil
}

// memberAction runs a moderation action on the member of the path and
// sends back to the members page with a message.
func (w *Web) memberAction(rw http.ResponseWriter, r *http.Request, v *visit,
	do func(ctx context.Context, g *groups.Group, actorID string) (string, error)) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	ga, err := w.groupOf(ctx, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ga.member {
		return errForbidden
	}
	msg, err := do(ctx, ga.g, r.PathValue("actor"))
	var ve *groups.ValidationError
	switch {
	case errors.Is(err, groups.ErrForbidden):
		msg = "member_forbidden"
	case errors.Is(err, groups.ErrLastAdministrator):
		msg = "member_last_admin"
	case errors.Is(err, groups.ErrNotMember), errors.Is(err, groups.ErrNotFound):
		msg = "member_unknown"
	case errors.As(err, &ve):
		return errBadForm
	case err != nil:
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/members", msg)
	return nil
}

func (w *Web) changeMemberRole(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.memberAction(rw, r, v, func(ctx context.Context, g *groups.Group, actorID string) (string, error) {
		_, err := w.inst.Groups.ChangeRole(ctx, v.profile.ID, g.ID, actorID, groups.Role(r.PostForm.Get("role")))
		return "member_role_changed", err
	})
}

func (w *Web) removeMember(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.memberAction(rw, r, v, func(ctx context.Context, g *groups.Group, actorID string) (string, error) {
		return "member_removed", w.inst.Groups.Remove(ctx, v.profile.ID, g.ID, actorID)
	})
}

func (w *Web) approveMember(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.memberAction(rw, r, v, func(ctx context.Context, g *groups.Group, actorID string) (string, error) {
		_, err := w.inst.Groups.Approve(ctx, v.profile.ID, g.ID, actorID)
		return "member_approved", err
	})
}

func (w *Web) rejectMember(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.memberAction(rw, r, v, func(ctx context.Context, g *groups.Group, actorID string) (string, error) {
		_, err := w.inst.Groups.Reject(ctx, v.profile.ID, g.ID, actorID)
		return "member_rejected", err
	})
}

// inviteMember is POST /groups/{id}/invite: it invites a profile given
// by its handle, "@user" or "@user@this.host" for a local one,
// "@user@other.host" for a remote one (resolved through Handles).
func (w *Web) inviteMember(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx := r.Context()
	ga, err := w.groupOf(ctx, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !ga.member || !w.may(ctx, v, ga.g.ID, groups.PermMemberInvite) {
		return errForbidden
	}
	handle := strings.TrimSpace(r.PostForm.Get("handle"))
	fail := func(key, detail string) error {
		d, err := w.membersData(ctx, v, ga.g)
		if err != nil {
			return err
		}
		d.Handle, d.InviteError, d.Detail = handle, key, detail
		w.render(rw, r, v, http.StatusBadRequest, "group_members", "members.title", d)
		return nil
	}
	a, local, err := w.resolveInvitee(ctx, handle)
	switch {
	case errors.Is(err, errNoRemote):
		return fail("invite.remote_off", "")
	case err != nil:
		return fail("invite.not_found", err.Error())
	case a.Type != identity.TypePerson:
		return fail("invite.not_person", "")
	}
	_, err = w.inst.Groups.Invite(ctx, v.profile.ID, ga.g.ID, a.ID)
	switch {
	case errors.Is(err, groups.ErrAlreadyMember):
		return fail("invite.already", "")
	case errors.Is(err, groups.ErrForbidden):
		return errForbidden
	case err != nil:
		return err
	}
	if local && w.invites != nil {
		inviter := &v.profile.Actor
		if err := w.invites.GroupInvitation(ctx, a.ID, &ga.g.Actor, inviter, w.base+"/me/groups"); err != nil {
			w.log.WarnContext(ctx, "web: invitation mail", "group", ga.g.ID, "err", err)
		}
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/members", "invite_sent")
	return nil
}

var errNoRemote = errors.New("web: remote handles are not resolved here")

// resolveInvitee finds the actor of a handle: local ones in the store,
// remote ones through Handles.
func (w *Web) resolveInvitee(ctx context.Context, handle string) (*identity.Actor, bool, error) {
	h := strings.TrimPrefix(strings.TrimPrefix(handle, "acct:"), "@")
	user, host, remote := strings.Cut(h, "@")
	if user == "" {
		return nil, false, errors.New("empty handle")
	}
	if remote && !strings.EqualFold(host, w.inst.Identity.Host()) {
		if w.handles == nil {
			return nil, false, errNoRemote
		}
		a, err := w.handles.ResolveHandle(ctx, handle)
		if err != nil {
			return nil, false, err
		}
		return a, a.Local, nil
	}
	a, err := w.inst.Identity.GetLocalActor(ctx, strings.ToLower(user))
	if err != nil {
		return nil, false, err
	}
	return a, true, nil
}

type groupEventsData struct {
	Group  *groups.Group
	Member bool
	Events []listItem
	Next   string
}

// groupEvents is GET /groups/{id}/events: the group's upcoming public
// events, page by page.
func (w *Web) groupEvents(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	ga, err := w.groupOf(ctx, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := w.inst.Events.Search(ctx, events.Query{GroupID: ga.g.ID, After: r.URL.Query().Get("after"), Limit: PageSize})
	var ve *events.ValidationError
	if errors.As(err, &ve) {
		return errBadForm
	}
	if err != nil {
		return err
	}
	d := groupEventsData{Group: ga.g, Member: ga.member}
	names := newActorNames(w)
	for _, o := range res.Occurrences {
		d.Events = append(d.Events, w.listItem(ctx, names, o.Event, o.Start, o.End))
	}
	if res.Next != "" {
		d.Next = "/groups/" + ga.g.ID + "/events?after=" + url.QueryEscape(res.Next)
	}
	title := ga.g.DisplayName
	if title == "" {
		title = ga.g.Handle()
	}
	w.render(rw, r, v, http.StatusOK, "group_events", "="+title, d)
	return nil
}

// groupTabs is the data of the "grouptabs" template.
type groupTabs struct {
	ID, Username string
	Member       bool // the members tab is shown
}

// Tabs is the tab bar of a group's pages; the members tab is for
// members.
func (p *page) Tabs(g *groups.Group, member bool) groupTabs {
	return groupTabs{ID: g.ID, Username: g.Username, Member: member}
}
