package inbox_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/storage"
)

// TestAnnounce: an event announced by an actor alice follows (a group,
// FEP-1b12, or a relay) is fetched from its origin and stored; the same
// from an actor nobody follows is ignored without any fetch; an
// announced Delete removes the copy once the origin answers 404.
func TestAnnounce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEnv(t)
	_, err := e.id.Follow(ctx, e.alice.ID, e.remote[group].ID, "")
	require.NoError(t, err)
	_, err = e.id.AcceptFollow(ctx, e.alice.ID, e.remote[group].ID)
	require.NoError(t, err)

	id := "https://victim.example/events/announced"
	e.fetch.serve(id, remoteEvent(id, victim, "Announced"))
	calls := e.fetch.count()
	require.Equal(t, http.StatusAccepted, e.post(evil, activity("Announce", "https://evil.example/a/1", evil, id)))
	assert.Equal(t, calls, e.fetch.count(), "nothing fetched for an actor nobody follows")
	_, err = e.db.GetEventByAPID(ctx, id)
	require.ErrorIs(t, err, storage.ErrNotFound)

	require.Equal(t, http.StatusAccepted, e.post(group, activity("Announce", "https://victim.example/a/1", group, id)))
	got, err := e.db.GetEventByAPID(ctx, id)
	require.NoError(t, err, "fetched from its origin and stored")
	assert.Equal(t, "Announced", got.Title)
	assert.Equal(t, e.remote[victim].ID, got.OrganizerID)

	// The announced event claims an organizer on another host: refused.
	forged := "https://victim.example/events/forged"
	e.fetch.serve(forged, remoteEvent(forged, evil, "Forged"))
	require.Equal(t, http.StatusForbidden, e.post(group, activity("Announce", "https://victim.example/a/2", group, forged)))

	// The announced Delete: the origin no longer serves it.
	delete(e.fetch.docs, id)
	del := activity("Delete", id+"/delete", victim, id)
	require.Equal(t, http.StatusAccepted, e.post(group, activity("Announce", "https://victim.example/a/3", group, del)))
	_, err = e.db.GetEventByAPID(ctx, id)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}
