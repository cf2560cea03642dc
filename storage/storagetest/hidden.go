package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
)

// Events hidden by the instance's moderators (events.Event.Hidden):
// CreateEvent stores the flag, SetEventHidden alone changes it,
// UpdateEvent keeps it, Get* return hidden events, and no FindEvents,
// FindSeries or usage count takes them.

func testHiddenEventRoundTrip(t *testing.T, w *world) {
	org := w.profile()
	e := w.newEvent(org.ID, at(time.Hour))
	e.Hidden = true
	w.event(e)
	got, err := w.b.GetEvent(w.ctx, e.ID)
	require.NoError(t, err)
	requireEvent(t, e, got)
	require.True(t, got.Hidden)
	got, err = w.b.GetEventByAPID(w.ctx, e.APID)
	require.NoError(t, err)
	require.True(t, got.Hidden, "GetEventByAPID")
	require.NoError(t, storage.InTxAs(w.ctx, w.b, func(_ storage.Tx, st events.Store) error {
		got, err := st.LockEvent(w.ctx, e.ID)
		require.NoError(t, err)
		require.True(t, got.Hidden, "LockEvent")
		return nil
	}))
	list, err := w.b.FindEvents(w.ctx, events.StoreQuery{})
	require.NoError(t, err)
	require.Empty(t, list, "a hidden event is never listed")

	requireNotFound(t, w.b.SetEventHidden(w.ctx, w.id(), true), "SetEventHidden of a missing event")
}

func testHideEvent(t *testing.T, w *world) {
	org, g := w.profile(), w.group()
	box := &geo.Box{MinLat: -35, MaxLat: -34, MinLon: -59, MaxLon: -58}

	single := w.newEvent(g.ID, at(time.Hour))
	single.GroupID = g.ID
	single.Tags = []string{"Repair"}
	single.Category = "WORKSHOPS_SKILL_SHARING"
	single.Place = buenosAires()
	w.event(single)
	series := w.newEvent(g.ID, at(2*time.Hour))
	series.GroupID = g.ID
	series.Tags = []string{"Repair"}
	series.Category = "WORKSHOPS_SKILL_SHARING"
	series.Place = buenosAires()
	series.Recurrence = "FREQ=WEEKLY;COUNT=3"
	series.SeriesEndsAt = series.EndsAt.Add(14 * 24 * time.Hour)
	w.event(series)
	other := w.event(w.newEvent(org.ID, at(3*time.Hour)))

	ids := func(list []events.Event) []string {
		out := []string{}
		for _, e := range list {
			out = append(out, e.ID)
		}
		return out
	}
	all := []events.Visibility{events.Public, events.Unlisted, events.Private}
	queries := map[string]events.StoreQuery{
		"public window": {From: at(-time.Hour), To: at(24 * time.Hour), Visibilities: []events.Visibility{events.Public}},
		"everything":    {Visibilities: all, IncludeDrafts: true},
		"no filter":     {},
		"group":         {GroupID: g.ID},
		"organizer":     {OrganizerID: g.ID, Visibilities: all},
		"tags":          {Tags: []string{"repair"}},
		"category":      {Category: "workshops_skill_sharing"},
		"text":          {Text: "meetup"},
		"local":         {Local: ptr(true)},
		"box":           {Box: box, Visibilities: []events.Visibility{events.Public}},
		"box and text":  {Box: box, Text: "meetup"},
	}
	findBoth := func(q events.StoreQuery) (single, series []string) {
		t.Helper()
		s1, err := w.b.FindEvents(w.ctx, q)
		require.NoError(t, err)
		s2, err := w.b.FindSeries(w.ctx, q)
		require.NoError(t, err)
		return ids(s1), ids(s2)
	}

	// Shown: every query finds them.
	for name, q := range queries {
		s1, s2 := findBoth(q)
		require.Containsf(t, s1, single.ID, "shown: FindEvents %s", name)
		require.Containsf(t, s2, series.ID, "shown: FindSeries %s", name)
	}

	require.NoError(t, w.b.SetEventHidden(w.ctx, single.ID, true))
	require.NoError(t, w.b.SetEventHidden(w.ctx, series.ID, true))
	require.NoError(t, w.b.SetEventHidden(w.ctx, series.ID, true), "hiding twice is harmless")
	for _, e := range []*events.Event{single, series} {
		got, err := w.b.GetEvent(w.ctx, e.ID)
		require.NoError(t, err)
		want := *e
		want.Hidden = true // and nothing else: UpdatedAt is kept
		requireEvent(t, &want, got)
	}
	for name, q := range queries {
		s1, s2 := findBoth(q)
		require.NotContainsf(t, s1, single.ID, "hidden: FindEvents %s", name)
		require.NotContainsf(t, s2, series.ID, "hidden: FindSeries %s", name)
	}
	s1, _ := findBoth(events.StoreQuery{})
	require.Equal(t, []string{other.ID}, s1, "other events are still listed")

	// An update (such as a remote Update from the wire, whose Hidden is
	// false) keeps the event hidden, and cannot hide a shown one.
	up := *single
	up.Title = "Meetup moved"
	up.Hidden = false
	require.NoError(t, w.b.UpdateEvent(w.ctx, &up))
	got, err := w.b.GetEvent(w.ctx, single.ID)
	require.NoError(t, err)
	require.True(t, got.Hidden, "UpdateEvent keeps Hidden")
	require.Equal(t, "Meetup moved", got.Title)
	upOther := *other
	upOther.Hidden = true
	require.NoError(t, w.b.UpdateEvent(w.ctx, &upOther))
	got, err = w.b.GetEvent(w.ctx, other.ID)
	require.NoError(t, err)
	require.False(t, got.Hidden, "UpdateEvent does not hide")

	// Shown again: listed again.
	require.NoError(t, w.b.SetEventHidden(w.ctx, single.ID, false))
	require.NoError(t, w.b.SetEventHidden(w.ctx, series.ID, false))
	for name, q := range queries {
		s1, s2 := findBoth(q)
		require.Containsf(t, s1, single.ID, "shown again: FindEvents %s", name)
		require.Containsf(t, s2, series.ID, "shown again: FindSeries %s", name)
	}
	got, err = w.b.GetEvent(w.ctx, series.ID)
	require.NoError(t, err)
	requireEvent(t, series, got)
}

func testHiddenEventsNotCounted(t *testing.T, w *world) {
	u := w.usage()
	org := w.profile()
	e := w.event(w.newEvent(org.ID, at(time.Hour)))
	w.event(w.newEvent(org.ID, at(2*time.Hour)))
	c := w.newComment(e.ID, org.ID, "")
	c.State = events.CommentPublished
	require.NoError(t, w.b.CreateComment(w.ctx, c))

	n, err := u.CountLocalEvents(w.ctx)
	requireCount(t, 2, n, err, "shown events")
	n, err = u.CountLocalComments(w.ctx)
	requireCount(t, 1, n, err, "a comment on a shown event")

	require.NoError(t, w.b.SetEventHidden(w.ctx, e.ID, true))
	n, err = u.CountLocalEvents(w.ctx)
	requireCount(t, 1, n, err, "a hidden event does not count")
	n, err = u.CountLocalComments(w.ctx)
	requireCount(t, 0, n, err, "nor do its comments")
}
