package notify

import (
	"context"
	"log/slog"
	"net/url"
	"time"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// GroupMailStore finds the members who want the mail of a group's
// discussions. Every storage backend implements it (groups.NotifyStore).
type GroupMailStore interface {
	DiscussionMailRecipients(ctx context.Context, groupID string, limit int) ([]string, error)
}

// DiscussionPageFunc returns the web page of a group's discussion, or of
// the list of its discussions when discussionID is "" (where a member
// turns the mail off).
type DiscussionPageFunc func(groupID, discussionID string) string

// discussionPath is the default DiscussionPageFunc's path under the base
// URL: the reference server's pages (examples/server/web).
func discussionPath(base string) DiscussionPageFunc {
	return func(groupID, discussionID string) string {
		u := base + "/groups/" + url.PathEscape(groupID) + "/discussions"
		if discussionID != "" {
			u += "/" + url.PathEscape(discussionID)
		}
		return u
	}
}

// groupJob is what a discussion notice carries.
type groupJob struct {
	group      groups.Group
	discussion groups.Discussion
	comment    groups.Comment
}

// GroupChanged implements groups.Hook, as EventChanged implements
// events.Hook: it queues a notice once the transaction has committed (a
// rolled-back change sends nothing), and never fails the change.
//
// Notices: discussion.created and comment.created send GroupDiscussion
// to the local members who asked for it (Config.Groups), whoever wrote
// the message, local or remote; not to the author's own account. Each
// account gets at most one mail per discussion every
// DiscussionMailInterval: the messages of a busy discussion in between
// send it nothing more. Without Config.Groups, nothing is sent.
func (n *Notifier) GroupChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	if n.groups == nil || (c.Kind != groups.DiscussionCreated && c.Kind != groups.CommentCreated) ||
		c.Group == nil || c.Discussion == nil || c.Comment == nil {
		return nil
	}
	j := job{kind: GroupDiscussion, actorID: c.Comment.AuthorID,
		group: &groupJob{group: *c.Group, discussion: *c.Discussion, comment: *c.Comment}}
	ac, err := storage.As[storage.AfterCommitter](tx)
	if err != nil {
		n.log.WarnContext(ctx, "notify: the transaction runs nothing after commit; notice dropped",
			slog.String("kind", string(j.kind)), slog.String("discussion", c.Discussion.ID))
		return nil
	}
	ac.AfterCommit(func() { n.enqueue(j) })
	return nil
}

// processDiscussion sends a discussion notice.
func (n *Notifier) processDiscussion(ctx context.Context, j job) {
	g, d, c := &j.group.group, &j.group.discussion, &j.group.comment
	logErr := func(err error) {
		if err != nil && ctx.Err() == nil {
			n.log.ErrorContext(ctx, "notify: send", slog.String("kind", string(j.kind)),
				slog.String("discussion", d.ID), slog.Any("error", err))
		}
	}
	ids, err := n.groups.DiscussionMailRecipients(ctx, g.ID, MaxRecipients)
	if err != nil {
		logErr(err)
		return
	}
	if len(ids) == 0 {
		return
	}
	author, err := n.authorName(ctx, c.AuthorID, 200)
	if err != nil {
		logErr(err)
	}
	base := data{Group: oneLine(actorName(&g.Actor), 100), GroupURL: n.pages(g.ID, ""),
		Discussion: oneLine(d.Title, 200), Author: author, Message: plainText(c.Text, MaxMessageRunes),
		Link: n.pages(g.ID, d.ID), Reply: j.group.comment.ID != d.FirstCommentID()}
	// The author's own account gets no mail, whichever of its profiles
	// asked for it.
	logErr(n.eachProfileRecipient(ctx, ids, c.AuthorID, func(r recipient) error {
		if !n.discussionMailDue(r.account, d.ID) {
			return nil
		}
		rd := base
		if n.unsub != nil && r.account != "" && r.profile != "" {
			rd.Unsubscribe = n.unsub(r.account, r.profile, g.ID)
		}
		if err := n.send(ctx, r, j.kind, rd, nil); err != nil {
			n.forgetDiscussionMail(r.account, d.ID)
			return err
		}
		return nil
	}))
}

// discussionMailKey is one account's mail about one discussion.
type discussionMailKey struct{ account, discussion string }

// discussionMailDue says whether account may get a mail about discussion
// now: not when it got one less than DiscussionMailInterval ago. When it
// may, it records the mail as sent now.
func (n *Notifier) discussionMailDue(account, discussion string) bool {
	now := n.now()
	k := discussionMailKey{account, discussion}
	n.discMu.Lock()
	defer n.discMu.Unlock()
	if at, ok := n.discSent[k]; ok && now.Sub(at) < DiscussionMailInterval {
		return false
	}
	if _, ok := n.discSent[k]; !ok && len(n.discSent) >= MaxDiscussionMailTracked {
		var oldest discussionMailKey
		var oldestAt time.Time
		for key, at := range n.discSent {
			if now.Sub(at) >= DiscussionMailInterval {
				delete(n.discSent, key)
			} else if oldestAt.IsZero() || at.Before(oldestAt) {
				oldest, oldestAt = key, at
			}
		}
		if len(n.discSent) >= MaxDiscussionMailTracked {
			delete(n.discSent, oldest)
		}
	}
	n.discSent[k] = now
	return true
}

// forgetDiscussionMail undoes discussionMailDue's record after a failed
// send, so that the next message is mailed.
func (n *Notifier) forgetDiscussionMail(account, discussion string) {
	n.discMu.Lock()
	defer n.discMu.Unlock()
	delete(n.discSent, discussionMailKey{account, discussion})
}
