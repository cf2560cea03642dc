package web

import (
	"context"
	"errors"
	"net/http"

	"codeberg.org/convene/convene/groups"
)

// The mail of a group's discussions: a member chooses, on the group's
// discussions tab or on a discussion, to get an email for every new
// message (notify sends it); every such email links back to the tab to
// stop it.

// discussionMailState says whether the visitor may choose the mail of
// ga's discussions (a member, on a store that keeps the choice) and
// whether they get it.
func (w *Web) discussionMailState(ctx context.Context, v *visit, ga *groupAccess) (show, on bool, err error) {
	if !ga.member || v.profileID() == "" {
		return false, false, nil
	}
	on, err = w.inst.Groups.DiscussionMail(ctx, v.profileID(), ga.g.ID)
	switch {
	case errors.Is(err, groups.ErrNoNotifyStore):
		return false, false, nil
	case err != nil:
		return false, false, err
	}
	return true, on, nil
}

// setDiscussionMail is POST /groups/{id}/discussions/mail: on=1 turns
// the mail of the group's new discussion messages on, on=0 off. It goes
// back to the discussion did names (one of this group's), else to the
// group's discussions.
func (w *Web) setDiscussionMail(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	var on bool
	switch r.PostForm.Get("on") {
	case "1":
		on = true
	case "0":
	default:
		return errBadForm
	}
	ctx := r.Context()
	to := "/groups/" + ga.g.ID + "/discussions"
	if did := r.PostForm.Get("did"); did != "" {
		disc, err := w.inst.Groups.Discussion(ctx, v.profile.ID, did)
		if err != nil {
			return err
		}
		if err := sameGroup(ga, disc.GroupID); err != nil {
			return err
		}
		to += "/" + disc.ID
	}
	if err := w.inst.Groups.SetDiscussionMail(ctx, v.profile.ID, ga.g.ID, on); err != nil {
		return err
	}
	msg := "discussion_mail_off"
	if on {
		msg = "discussion_mail_on"
	}
	redirect(rw, r, to, msg)
	return nil
}
