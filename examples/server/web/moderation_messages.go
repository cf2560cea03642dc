package web

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/groups"
)

// messageTarget completes the row of a report about a message of a
// group's discussion: its text (hidden or not: moderators read it), its
// group and discussion, and a link to it on the discussion's page (for
// the group's members). A message deleted since is named by its author
// only.
func (w *Web) messageTarget(ctx context.Context, names *actorNames, row *reportRow) {
	c, d, err := w.inst.Groups.CommentForModeration(ctx, row.Target.ID)
	if err != nil {
		if !errors.Is(err, groups.ErrNotFound) {
			w.log.WarnContext(ctx, "web: reported discussion message", "report", row.ID, "err", err)
		}
		return
	}
	row.Text, row.MessageHidden = c.Text, c.Hidden
	row.Where = names.name(ctx, d.GroupID) + " › " + d.Title
	row.TargetURL = "/groups/" + d.GroupID + "/discussions/" + d.ID + "#message-" + c.ID
}
