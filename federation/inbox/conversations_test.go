package inbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/storage"
)

// privateNote is a Create of a Note addressed to to only.
func privateNote(id, author, inReplyTo, text string, to ...string) map[string]any {
	n := map[string]any{"type": "Note", "id": id, "attributedTo": author, "content": text, "mediaType": "text/html",
		"inReplyTo": inReplyTo, "to": to}
	a := activity("Create", id+"/activity", author, n)
	a["to"] = to
	return a
}

func (e *env) conversationMessages(viewerID, convID string) []conversations.Message {
	e.t.Helper()
	ms, _, err := e.conv.Messages(context.Background(), viewerID, convID, storage.Cursor{}, 50)
	require.NoError(e.t, err)
	return ms
}

// TestPrivateMessagesToOrganizers: a remote participant writes to a
// local event's organizers; the organizer answers here and the remote
// side replies to that message as Mastodon does (inReplyTo our message,
// no context). A stranger, a public Note and words attributed to someone
// else are no private message of theirs.
func TestPrivateMessagesToOrganizers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, e.event.APID)))
	vp := e.remote[victim]

	require.Equal(t, http.StatusAccepted, e.post(victim, privateNote("https://victim.example/notes/1", victim, e.event.APID,
		"<p>Step-free access?</p>", e.org.APID)))
	convs, _, err := e.conv.EventConversations(ctx, e.org.ID, e.event.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	c := convs[0]
	assert.Equal(t, vp.ID, c.ParticipantID)
	ms := e.conversationMessages(e.org.ID, c.ID)
	require.Len(t, ms, 1)
	assert.Equal(t, "<p>Step-free access?</p>", ms[0].Text)

	// Delivered twice (another activity id): stored once.
	again := privateNote("https://victim.example/notes/1", victim, e.event.APID, "<p>Step-free access?</p>", e.org.APID)
	again["id"] = "https://victim.example/notes/1/again"
	require.Equal(t, http.StatusAccepted, e.post(victim, again))
	assert.Len(t, e.conversationMessages(e.org.ID, c.ID), 1)

	// The organizer answers here; the answer to it names our message.
	m, err := e.conv.Reply(ctx, e.org.ID, c.ID, "<p>Yes, a ramp at the back.</p>")
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, e.post(victim, privateNote("https://victim.example/notes/2", victim, m.APID,
		"<p>Thanks</p>", e.org.APID)))
	ms = e.conversationMessages(e.org.ID, c.ID)
	require.Len(t, ms, 3)
	var texts []string
	for _, m := range ms {
		texts = append(texts, m.Text) // one instant: any order
	}
	assert.Contains(t, texts, "<p>Thanks</p>")

	// evil takes no part: refused, nothing stored.
	require.Equal(t, http.StatusForbidden, e.post(evil, privateNote("https://evil.example/notes/1", evil, e.event.APID,
		"<p>Buy now</p>", e.org.APID)))
	convs, _, err = e.conv.EventConversations(ctx, e.org.ID, e.event.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Len(t, convs, 1)

	// A public Note is a comment, not a private message; nor is a Note
	// attributed to someone else.
	public := privateNote("https://victim.example/notes/3", victim, e.event.APID, "<p>Hi all</p>", wire.PublicIRI)
	require.Equal(t, http.StatusAccepted, e.post(victim, public))
	forged := privateNote("https://victim.example/notes/4", victim, e.event.APID, "<p>I am org</p>", e.org.APID)
	forged["object"].(map[string]any)["attributedTo"] = other
	e.post(victim, forged)
	assert.Len(t, e.conversationMessages(e.org.ID, c.ID), 3, "neither joined the conversation")
}

// TestPrivateMessagesFromRemoteOrganizers: the organizer of a remote
// event (an actor of the event's host) writes to a local participant; an
// actor of another host cannot, and nobody writes to a local profile
// that takes no part.
func TestPrivateMessagesFromRemoteOrganizers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	require.NoError(t, e.db.CreateParticipant(ctx, &events.Participant{ID: "p-alice", EventID: "remote-1", ActorID: e.alice.ID,
		Role: events.RoleParticipant, CreatedAt: epoch, UpdatedAt: epoch}))

	require.Equal(t, http.StatusForbidden, e.post(evil, privateNote("https://evil.example/notes/1", evil, remoteEventID,
		"<p>Click here</p>", e.alice.APID)))
	require.Equal(t, http.StatusForbidden, e.post(other, privateNote("https://victim.example/notes/7", other, remoteEventID,
		"<p>Bring boots</p>", e.org.APID)), "org takes no part in the event")
	mine, _, err := e.conv.MyConversations(ctx, e.alice.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Empty(t, mine)

	require.Equal(t, http.StatusAccepted, e.post(other, privateNote("https://victim.example/notes/8", other, remoteEventID,
		"<p>Bring boots</p>", e.alice.APID)))
	mine, _, err = e.conv.MyConversations(ctx, e.alice.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	ms := e.conversationMessages(e.alice.ID, mine[0].ID)
	require.Len(t, ms, 1)
	assert.Equal(t, e.remote[other].ID, ms[0].AuthorID)
	// victim, on the event's host too, speaks for its organizers.
	require.Equal(t, http.StatusAccepted, e.post(victim, privateNote("https://victim.example/notes/9", victim, remoteEventID,
		"<p>And a torch</p>", e.alice.APID)))
	assert.Len(t, e.conversationMessages(e.alice.ID, mine[0].ID), 2)
}
