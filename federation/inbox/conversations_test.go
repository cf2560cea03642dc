package inbox_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

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
	// victim, on the event's host too, is no organizer of other's event.
	require.Equal(t, http.StatusForbidden, e.post(victim, privateNote("https://victim.example/notes/9", victim, remoteEventID,
		"<p>Click here</p>", e.alice.APID)))
	assert.Len(t, e.conversationMessages(e.alice.ID, mine[0].ID), 1)

	// For a remote group's event, an actor of the group's host speaks
	// for the group (its instance knows the roles).
	gev := "https://victim.example/events/club"
	require.NoError(t, e.db.CreateEvent(ctx, &events.Event{ID: "remote-club", APID: gev, OrganizerID: e.remote[group].ID,
		CreatorID: e.remote[group].ID, Title: "Club night", BeginsAt: epoch.Add(72 * time.Hour), Status: events.Confirmed,
		Visibility: events.Public, JoinMode: events.JoinFree, CreatedAt: epoch, UpdatedAt: epoch, PublishedAt: epoch}))
	require.NoError(t, e.db.CreateParticipant(ctx, &events.Participant{ID: "p-alice-club", EventID: "remote-club",
		ActorID: e.alice.ID, Role: events.RoleParticipant, CreatedAt: epoch, UpdatedAt: epoch}))
	require.Equal(t, http.StatusAccepted, e.post(victim, privateNote("https://victim.example/notes/10", victim, gev,
		"<p>Doors at 8</p>", e.alice.APID)))
	mine, _, err = e.conv.MyConversations(ctx, e.alice.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Len(t, mine, 2)
}

// TestFollowersOnlyReplyIsNoPrivateMessage: a participant's followers-only
// post in reply to a local event (a Mastodon reply to the event's status,
// delivered to our shared inbox because someone here follows the author)
// names no organizer. It is not a private message to the organizers: they
// were not among its addressees, and must neither see it nor be mailed.
func TestFollowersOnlyReplyIsNoPrivateMessage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, e.event.APID)))

	fo := privateNote("https://victim.example/notes/fo", victim, e.event.APID,
		"<p>For my followers only: this picnic looks dull</p>", victim+"/followers")
	e.post(victim, fo)

	convs, _, err := e.conv.EventConversations(ctx, e.org.ID, e.event.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Empty(t, convs, "a followers-only post became a private message to organizers it never addressed")
}

// TestPrivateMessageMustAddressTheLocalSide: a participant's direct
// message to someone else (here: to another remote actor only), in reply
// to the event, does not reach the local organizers.
func TestPrivateMessageMustAddressTheLocalSide(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, e.event.APID)))

	dm := privateNote("https://victim.example/notes/dm", victim, e.event.APID, "<p>psst, to other only</p>", other)
	e.post(victim, dm)

	convs, _, err := e.conv.EventConversations(ctx, e.org.ID, e.event.ID, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Empty(t, convs, "a DM to someone else became a message to our organizers")
}

// TestPrivateEventNoOracle: a stranger's "private message" about a
// private local event must be answered as one about an event that does
// not exist (202, dropped), not 403: WriteToOrganizers answers
// ErrNotFound there "so that outsiders learn nothing of it"
// (SECURITY.md case 61), Receive does not.
func TestPrivateEventNoOracle(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	priv, err := e.ev.Create(ctx, e.org.ID, events.Input{Title: "Secret", BeginsAt: epoch.Add(48 * time.Hour),
		Visibility: events.Private})
	require.NoError(t, err)
	unknown := e.post(evil, privateNote("https://evil.example/notes/a", evil, base+"/events/does-not-exist", "<p>?</p>", e.org.APID))
	existing := e.post(evil, privateNote("https://evil.example/notes/b", evil, priv.APID, "<p>?</p>", e.org.APID))
	assert.Equal(t, unknown, existing, "the answer tells a private event's existence apart")
}

// TestPrivateMessagesRateLimited: past conversations.MaxReceivedPerAuthor
// messages, an author is answered 429 (its server retries later), and
// the activity id is not kept, so that the retry is taken.
func TestPrivateMessagesRateLimited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Join", "https://victim.example/join/1", victim, e.event.APID)))
	note := func(n int) map[string]any {
		return privateNote(fmt.Sprintf("https://victim.example/notes/r%d", n), victim, e.event.APID, "<p>?</p>", e.org.APID)
	}
	for i := range conversations.MaxReceivedPerAuthor {
		require.Equal(t, http.StatusAccepted, e.post(victim, note(i)), i)
	}
	claimed := e.seen.Len()
	require.Equal(t, http.StatusTooManyRequests, e.post(victim, note(conversations.MaxReceivedPerAuthor)))
	assert.Equal(t, claimed, e.seen.Len(), "its id is released for the retry")
}
