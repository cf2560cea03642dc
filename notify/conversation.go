package notify

import (
	"context"
	"log/slog"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/storage"
)

// convJob is what a private message's notice carries.
type convJob struct {
	conversation conversations.Conversation
	message      conversations.Message
	recipients   []string
}

// ConversationChanged implements conversations.Hook, as EventChanged
// implements events.Hook: it queues a notice once the transaction has
// committed (a rolled-back message sends nothing), and never fails the
// change.
//
// Each new message sends ConversationMessage to the local recipients of
// the message (conversations.Change.Recipients: the participant, or the
// organizers that are local profiles), one mail per address, never to the
// author's own account; remote recipients are reached by federation. An
// announcement sends one notice per participant, each to that
// participant only.
func (n *Notifier) ConversationChanged(ctx context.Context, tx storage.Tx, c conversations.Change) error {
	if c.Event == nil || c.Conversation == nil || c.Message == nil || len(c.Recipients) == 0 {
		return nil
	}
	j := job{kind: ConversationMessage, event: *c.Event, actorID: c.Message.AuthorID,
		conversation: &convJob{conversation: *c.Conversation, message: *c.Message,
			recipients: append([]string(nil), c.Recipients...)}}
	ac, err := storage.As[storage.AfterCommitter](tx)
	if err != nil {
		n.log.WarnContext(ctx, "notify: the transaction runs nothing after commit; notice dropped",
			slog.String("kind", string(j.kind)), slog.String("conversation", c.Conversation.ID))
		return nil
	}
	ac.AfterCommit(func() { n.enqueue(j) })
	return nil
}

// processConversation sends a private message's notice.
func (n *Notifier) processConversation(ctx context.Context, j job) {
	c, m := &j.conversation.conversation, &j.conversation.message
	author, err := n.authorName(ctx, m.AuthorID, 100)
	if err != nil {
		n.logSend(ctx, j.kind, j.event.ID, err)
	}
	e := &j.event
	first := n.eachProfileRecipient(ctx, j.conversation.recipients, m.AuthorID, func(r recipient) error {
		d := data{Event: viewOf(e, e.BeginsAt, e.EndsAt, resolveLocale(r.locale, n.locale), r.tz),
			Author: author, Message: plainText(m.Text, MaxMessageRunes), Link: c.APID, Announcement: m.Announcement}
		d.Event.URL = cmpOr(e.URL, e.APID)
		return n.send(ctx, r, j.kind, d, nil)
	})
	n.logSend(ctx, j.kind, e.ID, first)
}
