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
