package endpoints_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/wire"
)

// TestHiddenEvent: an event hidden by the instance's moderators answers
// 404 (not 410: it can come back), even to its organizer's signed fetch,
// and leaves the outbox and events collections; shown again, it is back.
func TestHiddenEvent(t *testing.T) {
	t.Parallel()
	// With tombstones configured: a hidden event is not a deleted one.
	w := newWorld(t, func(c *endpoints.Config) { c.Tombstones = tombstones{} })
	path := "/events/" + w.public.ID
	w.as2(path, nil, http.StatusOK)
	require.NoError(t, w.inst.Events.HideEvent(w.ctx, w.public.ID, true))

	w.as2(path, nil, http.StatusNotFound)
	w.as2(path, &w.alice.Actor, http.StatusNotFound)
	assert.Equal(t, "<p>html page</p>", w.get(path, "text/html", nil).Body.String(),
		"browsers go to the HTML application, which applies the rule itself")
	for _, coll := range []string{"/@alice/outbox", "/@alice/events"} {
		assert.NotContains(t, w.get(coll+"?page=1", wire.ContentType, nil).Body.String(), w.public.APID, coll)
	}
	assert.EqualValues(t, 1, w.as2("/@alice/outbox", nil, http.StatusOK)["totalItems"], "the past event only")

	require.NoError(t, w.inst.Events.HideEvent(w.ctx, w.public.ID, false))
	m := w.as2(path, nil, http.StatusOK)
	assert.Equal(t, "Picnic", m["name"])
	for _, coll := range []string{"/@alice/outbox", "/@alice/events"} {
		assert.Contains(t, w.get(coll+"?page=1", wire.ContentType, nil).Body.String(), w.public.APID, coll)
	}
}
