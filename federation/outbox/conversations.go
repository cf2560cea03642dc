package outbox

import (
	"context"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/storage"
)

var _ conversations.Hook = (*Outbox)(nil)

// ConversationChanged implements conversations.Hook: a message written
// here goes to its remote recipients as a Create of a Note addressed to
// them only and mentioning them (WIRE.md §2.7), inReplyTo the event so
// that the receiver finds the conversation by event and participant.
// Local recipients read it here; received messages are not sent again.
func (o *Outbox) ConversationChanged(ctx context.Context, tx storage.Tx, c conversations.Change) error {
	m, conv, e := c.Message, c.Conversation, c.Event
	if m == nil || conv == nil || e == nil || !m.Local {
		return nil
	}
	t, err := open(tx, false)
	if err != nil {
		return err
	}
	author, err := t.actor(ctx, m.AuthorID)
	if err != nil {
		return err
	}
	aud := &audience{}
	var iris, handles []string
	for _, id := range c.Recipients {
		r, err := t.actor(ctx, id)
		if err != nil {
			return err
		}
		iris = append(iris, r.APID)
		handles = append(handles, r.Handle())
		aud.add(r)
	}
	if len(aud.recipients) == 0 {
		return nil // everyone is here
	}
	note := wire.PrivateNote(wire.PrivateView{ID: m.APID, Author: author.APID, Content: m.Text, Event: e.APID,
		Context: conv.APID, Recipients: iris, Handles: handles, Published: m.CreatedAt})
	return o.enqueue(ctx, t, wire.CreatePrivateNote(note), author.APID, aud)
}
