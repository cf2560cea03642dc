package inbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/storage"
)

func versioned(id, title, updated string) map[string]any {
	ev := remoteEvent(id, victim, title)
	ev["published"] = "2026-11-20T10:00:00Z"
	if updated != "" {
		ev["updated"] = updated
	}
	return ev
}

// TestRemoteEventLifecycle: Create stores a remote event, Updates out of
// order end in the newest state (case 25), Delete removes it and a late
// Create does not bring it back (case 24).
func TestRemoteEventLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	id := "https://victim.example/events/5"
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Create", id+"/activity", victim, versioned(id, "Concert", ""))))
	got, err := e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	assert.False(t, got.Local)
	assert.Equal(t, "Concert", got.Title)
	assert.Equal(t, e.remote[victim].ID, got.OrganizerID)

	t2 := activity("Update", id+"/updates/2", victim, versioned(id, "Concert (t2)", "2026-11-22T10:00:00Z"))
	t1 := activity("Update", id+"/updates/1", victim, versioned(id, "Concert (t1)", "2026-11-21T10:00:00Z"))
	require.Equal(t, http.StatusAccepted, e.post(victim, t2))
	require.Equal(t, http.StatusAccepted, e.post(victim, t1))
	got, err = e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Concert (t2)", got.Title)
	assert.Equal(t, 1, got.Sequence)

	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Delete", id+"/delete", victim, id)))
	_, err = e.db.GetEventByAPID(ctx, id)
	assert.ErrorIs(t, err, storage.ErrNotFound)
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Create", id+"/activity-again", victim, versioned(id, "Back", ""))))
	_, err = e.db.GetEventByAPID(ctx, id)
	assert.ErrorIs(t, err, storage.ErrNotFound, "a tombstoned event is not recreated")
}

// TestUpdateOfUnknownEventStoresIt: an Update of an event we never saw
// is taken as its creation.
func TestUpdateOfUnknownEventStoresIt(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	id := "https://victim.example/events/6"
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Update", id+"/updates/1", victim, versioned(id, "Late", "2026-11-21T10:00:00Z"))))
	got, err := e.db.GetEventByAPID(context.Background(), id)
	require.NoError(t, err)
	assert.Equal(t, "Late", got.Title)
}

// TestDeleteOfStoredEventByOwner: the owner's Delete removes it.
func TestDeleteOfStoredEventByOwner(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	require.Equal(t, http.StatusAccepted, e.post(other, activity("Delete", "https://victim.example/d/7", other, remoteEventID)))
	_, err := e.db.GetEventByAPID(context.Background(), remoteEventID)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// TestGroupEventsByMembers: a group's event is updated and deleted by an
// actor on the group's host (its instance authorized the member, as on
// Mobilizon), never by an actor of another host, and a person's event
// never by someone else on the same host (case 19).
func TestGroupEventsByMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	groupEvent := func(title, updated string) map[string]any {
		ev := versioned("https://victim.example/events/g1", title, updated)
		ev["attributedTo"] = group
		return ev
	}
	e := newEnv(t)
	id := "https://victim.example/events/g1"
	require.Equal(t, http.StatusAccepted, e.post(group, activity("Create", id+"/activity", group, groupEvent("Meeting", ""))))
	got, err := e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	require.Equal(t, e.remote[group].ID, got.OrganizerID)

	// A member on the group's host updates it (the inbox refetches the
	// event from its origin: the member does not own it).
	e.fetch.serve(id, groupEvent("Meeting (moved)", "2026-11-21T10:00:00Z"))
	up := activity("Update", id+"/updates/1", victim, groupEvent("Meeting (moved)", "2026-11-21T10:00:00Z"))
	require.Equal(t, http.StatusAccepted, e.post(victim, up))
	got, err = e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Meeting (moved)", got.Title)

	// An actor of another host cannot, even naming the group.
	up = activity("Update", "https://evil.example/updates/1", evil, groupEvent("Hijacked", "2026-11-22T10:00:00Z"))
	require.Equal(t, http.StatusForbidden, e.post(evil, up))
	require.Equal(t, http.StatusForbidden, e.post(evil, activity("Delete", "https://evil.example/d/1", evil, id)))
	got, err = e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, "Meeting (moved)", got.Title)

	// A person's event: another actor of its host is refused.
	require.Equal(t, http.StatusForbidden, e.post(victim, activity("Delete", "https://victim.example/d/2", victim, remoteEventID)))
	_, err = e.db.GetEventByAPID(ctx, remoteEventID)
	require.NoError(t, err)

	// The member deletes the group's event.
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Delete", "https://victim.example/d/3", victim, id)))
	_, err = e.db.GetEventByAPID(ctx, id)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

// TestUpdateOfActor: a remote actor's Update of itself makes the inbox
// fetch it again from its origin (what it sent is not stored as such);
// an Update of another actor is refused (case 21).
func TestUpdateOfActor(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	person := func(id string) map[string]any {
		return map[string]any{"type": "Person", "id": id, "preferredUsername": "a", "inbox": id + "/inbox"}
	}
	require.Equal(t, http.StatusAccepted, e.post(victim, activity("Update", victim+"/updates/1", victim, person(victim))))
	assert.Equal(t, []string{victim}, e.refreshed)
	require.Equal(t, http.StatusForbidden, e.post(victim, activity("Update", victim+"/updates/2", victim, person(other))))
	assert.Len(t, e.refreshed, 1)
}
