package endpoints_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// items returns the orderedItems of a page.
func items(t *testing.T, m map[string]any) []any {
	t.Helper()
	it, ok := m["orderedItems"].([]any)
	require.True(t, ok, "orderedItems: %v", m)
	return it
}

func TestOutbox(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	c := w.as2("/@alice/outbox", nil, http.StatusOK)
	assert.Equal(t, "OrderedCollection", c["type"])
	assert.Equal(t, base+"/@alice/outbox", c["id"])
	assert.EqualValues(t, 2, c["totalItems"], "public events only: not the private one, not the draft, not the group's")
	assert.Equal(t, base+"/@alice/outbox?page=1", c["first"])

	p := w.as2("/@alice/outbox?page=1", nil, http.StatusOK)
	assert.Equal(t, "OrderedCollectionPage", p["type"])
	assert.Equal(t, base+"/@alice/outbox", p["partOf"])
	it := items(t, p)
	require.Len(t, it, 2)
	first := it[0].(map[string]any)
	assert.Equal(t, "Create", first["type"])
	assert.Equal(t, w.past.APID+"/activity", first["id"], "in order of beginning")
	assert.Equal(t, "Picnic", it[1].(map[string]any)["object"].(map[string]any)["name"])
	assert.NotContains(t, p, "next")

	g := w.as2("/@climate/outbox?page=1", nil, http.StatusOK)
	require.Len(t, items(t, g), 1)
	assert.Equal(t, "Group march", items(t, g)[0].(map[string]any)["object"].(map[string]any)["name"])

	i := w.as2("/actor/outbox", nil, http.StatusOK)
	assert.EqualValues(t, 0, i["totalItems"])

	w.as2("/@alice/outbox?page=2", nil, http.StatusNotFound)
	w.as2("/@alice/outbox?page=0", nil, http.StatusNotFound)
	w.as2("/@alice/outbox?page=x", nil, http.StatusNotFound)
	w.as2(fmt.Sprintf("/@alice/outbox?page=%d", endpoints.MaxPage+1), nil, http.StatusNotFound)
}

func TestOutboxPaging(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	const n = endpoints.PageSize + 5
	for i := range n {
		_, err := w.inst.Events.Create(w.ctx, w.carol.ID, events.Input{Title: fmt.Sprintf("Event %02d", i),
			BeginsAt: t0.Add(time.Duration(i+1) * time.Hour)})
		require.NoError(t, err)
	}
	c := w.as2("/@carol/outbox", nil, http.StatusOK)
	assert.EqualValues(t, n, c["totalItems"])
	p1 := w.as2("/@carol/outbox?page=1", nil, http.StatusOK)
	require.Len(t, items(t, p1), endpoints.PageSize)
	assert.Equal(t, base+"/@carol/outbox?page=2", p1["next"])
	p2 := w.as2("/@carol/outbox?page=2", nil, http.StatusOK)
	it := items(t, p2)
	require.Len(t, it, 5)
	assert.NotContains(t, p2, "next")
	assert.Equal(t, base+"/@carol/outbox?page=1", p2["prev"])
	assert.Equal(t, fmt.Sprintf("Event %02d", n-1), it[4].(map[string]any)["object"].(map[string]any)["name"])
	w.as2("/@carol/outbox?page=3", nil, http.StatusNotFound)
}

func TestFollowersAndFollowing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	id := w.inst.Identity
	follow := func(a, b *identity.Actor, accept bool) {
		_, err := id.Follow(w.ctx, a.ID, b.ID, "")
		require.NoError(t, err)
		if accept {
			_, err = id.AcceptFollow(w.ctx, a.ID, b.ID)
			if err != nil {
				require.ErrorIs(t, err, identity.ErrFollowState) // already accepted
			}
		}
	}
	follow(&w.bob.Actor, &w.alice.Actor, true)
	follow(&w.carol.Actor, &w.alice.Actor, true)
	follow(&w.alice.Actor, &w.bob.Actor, true)

	c := w.as2("/@alice/followers", nil, http.StatusOK)
	assert.EqualValues(t, 2, c["totalItems"])
	p := w.as2("/@alice/followers?page=1", nil, http.StatusOK)
	assert.ElementsMatch(t, []any{base + "/@bob", base + "/@carol"}, items(t, p))

	f := w.as2("/@alice/following?page=1", nil, http.StatusOK)
	assert.Equal(t, []any{base + "/@bob"}, items(t, f))
	assert.EqualValues(t, 1, f["totalItems"])

	assert.EqualValues(t, 0, w.as2("/actor/followers", nil, http.StatusOK)["totalItems"])
}

func TestMembersCollection(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	full := []any{base + "/@alice", base + "/@bob"}

	for _, tc := range []struct {
		name   string
		signer *identity.Actor
	}{{"anonymous", nil}, {"non-member", &w.carol.Actor}} {
		t.Run(tc.name, func(t *testing.T) {
			c := w.as2("/@climate/members", tc.signer, http.StatusOK)
			assert.EqualValues(t, 2, c["totalItems"], "the count is public (memberCount)")
			assert.NotContains(t, c, "first", "no way to the items")
			w.as2("/@climate/members?page=1", tc.signer, http.StatusForbidden)
		})
	}
	t.Run("member", func(t *testing.T) {
		c := w.as2("/@climate/members", &w.bob.Actor, http.StatusOK)
		assert.Equal(t, base+"/@climate/members?page=1", c["first"])
		assert.ElementsMatch(t, full, items(t, w.as2("/@climate/members?page=1", &w.bob.Actor, http.StatusOK)), "same clock: ordered by id")
	})
	t.Run("pending member", func(t *testing.T) {
		open := groups.Moderated
		_, err := w.inst.Groups.Update(w.ctx, w.alice.ID, w.group.ID, groups.UpdateInput{Openness: &open})
		require.NoError(t, err)
		m, err := w.inst.Groups.Join(w.ctx, w.group.ID, w.carol.ID, "")
		require.NoError(t, err)
		require.Equal(t, groups.RoleNotApproved, m.Role)
		w.as2("/@climate/members?page=1", &w.carol.Actor, http.StatusForbidden)
		assert.EqualValues(t, 2, w.as2("/@climate/members", nil, http.StatusOK)["totalItems"], "pending requests are not members")
	})
}

func TestPrivateGroupCollections(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	private := groups.Private
	_, err := w.inst.Groups.Update(w.ctx, w.alice.ID, w.group.ID, groups.UpdateInput{Visibility: &private})
	require.NoError(t, err)
	for _, name := range []string{"outbox", "followers", "following", "events"} {
		path := "/@climate/" + name
		c := w.as2(path, nil, http.StatusOK)
		assert.NotContains(t, c, "first", path)
		w.as2(path+"?page=1", nil, http.StatusForbidden)
		w.as2(path+"?page=1", &w.bob.Actor, http.StatusOK)
	}
}

func TestUpcomingEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	// Ongoing at t0: began an hour ago, ends in an hour.
	_, err := w.inst.Events.Create(w.ctx, w.alice.ID, events.Input{Title: "Ongoing",
		BeginsAt: t0.Add(-time.Hour), EndsAt: t0.Add(time.Hour)})
	require.NoError(t, err)
	// A weekly series that began long ago: its next occurrence is what counts.
	_, err = w.inst.Events.Create(w.ctx, w.alice.ID, events.Input{Title: "Weekly",
		BeginsAt: t0.Add(-7*24*time.Hour + 72*time.Hour), EndsAt: t0.Add(-7*24*time.Hour + 73*time.Hour),
		Recurrence: "FREQ=WEEKLY"})
	require.NoError(t, err)

	c := w.as2("/@alice/events", nil, http.StatusOK)
	assert.EqualValues(t, 3, c["totalItems"], "ongoing, picnic (in 48 h), weekly (next in 72 h); not the past one")
	it := items(t, w.as2("/@alice/events?page=1", nil, http.StatusOK))
	var names []any
	for _, e := range it {
		m := e.(map[string]any)
		assert.Equal(t, "Event", m["type"])
		names = append(names, m["name"])
	}
	assert.Equal(t, []any{"Ongoing", "Picnic", "Weekly"}, names, "ascending start")
	assert.Contains(t, w.get("/@alice/events", wire.ContentType, nil).Body.String(), `"attributedTo":"https://events.example/@alice"`)
}
