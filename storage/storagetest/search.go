package storagetest

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
)

func searchCases() []testCase {
	return []testCase{
		{"FindEventsFilters", testFindEventsFilters},
		{"FindEventsPagination", testFindEventsPagination},
		{"FindSeries", testFindSeries},
	}
}

// The search window of the filter cases: [from, to).
const (
	windowFrom = 0
	windowTo   = 48 * time.Hour
)

// catalog is a set of named events, stored.
type catalog struct {
	w      *world
	byName map[string]*events.Event
	byID   map[string]string
}

func newCatalog(w *world) *catalog {
	return &catalog{w: w, byName: map[string]*events.Event{}, byID: map[string]string{}}
}

// add stores e under name.
func (c *catalog) add(name string, e *events.Event) {
	c.w.t.Helper()
	require.NotContains(c.w.t, c.byName, name)
	c.w.event(e)
	c.byName[name] = e
	c.byID[e.ID] = name
}

// names maps events to their catalog names, in the given order.
func (c *catalog) names(es []events.Event) []string {
	out := make([]string, len(es))
	for i := range es {
		name, ok := c.byID[es[i].ID]
		if !ok {
			name = "unknown event " + es[i].ID
		}
		out[i] = name
	}
	return out
}

// ordered sorts names by their events' (BeginsAt, ID).
func (c *catalog) ordered(names ...string) []string {
	k := make([]keyed, len(names))
	for i, n := range names {
		e, ok := c.byName[n]
		require.True(c.w.t, ok, "no event %q in the catalog", n)
		k[i] = keyed{e.BeginsAt, e.ID}
	}
	out := sortKeyed(k)
	for i := range out {
		out[i] = c.byID[out[i]]
	}
	return out
}

func testFindEventsFilters(t *testing.T, w *world) {
	alice, bob := w.profile(), w.profile()
	g := w.group()
	faraway := w.remoteActor()
	c := newCatalog(w)
	h := func(n int) time.Time { return at(time.Duration(n) * time.Hour) }
	placed := func(lat, lon float64) *geo.Place {
		return &geo.Place{Name: "here", Latitude: ptr(lat), Longitude: ptr(lon)}
	}
	ev := func(name string, begins time.Time, mod func(e *events.Event)) {
		e := w.newEvent(bob.ID, begins)
		e.Title = "Gathering " + name
		if mod != nil {
			mod(e)
		}
		c.add(name, e)
	}

	// Window edges: From is inclusive, To exclusive.
	ev("before", h(-1), nil)
	ev("at-from", h(0), nil)
	ev("at-to", at(windowTo), nil)
	ev("after", h(72), nil)
	// Inside the window, one event per filter value.
	ev("repair", h(1), func(e *events.Event) {
		e.OrganizerID = alice.ID
		e.Title = "Repair Café"
		e.Description = "<p>Bring your broken TOASTER</p>"
		e.Tags = []string{"Repair", "Reuse"}
		e.Category = "WORKSHOPS_SKILL_SHARING"
		e.Place = buenosAires()
	})
	ev("unlisted", h(2), func(e *events.Event) { e.Visibility = events.Unlisted })
	ev("private", h(3), func(e *events.Event) { e.Visibility = events.Private })
	ev("draft", h(4), func(e *events.Event) { e.Draft = true })
	ev("literal", h(5), func(e *events.Event) { e.Title = `100% vegan_brunch \o/` })
	ev("wildcard-bait", h(6), func(e *events.Event) { e.Title = "1000 great veggies, a nib, o/" })
	ev("tagged", h(7), func(e *events.Event) {
		e.Tags = []string{"Go", "CLOUD", "Fête"}
		e.Category = "music"
	})
	ev("group", h(8), func(e *events.Event) {
		e.OrganizerID, e.GroupID, e.CreatorID = g.ID, g.ID, alice.ID
	})
	ev("online", h(9), func(e *events.Event) { e.OnlineAddress = "https://meet.example/room" })
	ev("remote", h(10), func(e *events.Event) {
		e.OrganizerID, e.Local = faraway.ID, false
		e.APID = "https://remote.example/events/" + e.ID
	})
	ev("fiji", h(11), func(e *events.Event) { e.Place = placed(-17.7134, 178.065) })
	ev("samoa", h(12), func(e *events.Event) { e.Place = placed(-13.759, -172.1046) })
	ev("null-island", h(13), func(e *events.Event) { e.Place = placed(0, 0) })
	ev("quito", h(14), func(e *events.Event) { e.Place = placed(-0.1807, -78.4678) })
	ev("unplaced", h(15), func(e *events.Event) { e.Place = &geo.Place{Name: "Somewhere", Locality: "Nowhere"} })
	// Two events beginning at the same instant: ordered by ID.
	ev("tie-a", h(16), nil)
	ev("tie-b", h(16), nil)
	// A recurring event inside the window never comes from FindEvents.
	ev("series", h(17), func(e *events.Event) {
		e.Recurrence = "FREQ=DAILY;COUNT=3"
		e.SeriesEndsAt = e.EndsAt.Add(48 * time.Hour)
		e.Tags = []string{"go"}
		e.Title = "Repair Café weekly"
	})

	// inWindow is every non-draft single event of the window.
	inWindow := []string{
		"at-from", "repair", "unlisted", "private", "literal", "wildcard-bait", "tagged", "group", "online",
		"remote", "fiji", "samoa", "null-island", "quito", "unplaced", "tie-a", "tie-b",
	}
	except := func(drop ...string) []string {
		return slices.DeleteFunc(slices.Clone(inWindow), func(s string) bool { return slices.Contains(drop, s) })
	}
	window := func(q events.StoreQuery) events.StoreQuery {
		q.From, q.To, q.Limit = at(windowFrom), at(windowTo), 100
		return q
	}
	yes, no := ptr(true), ptr(false)

	for _, tc := range []struct {
		name string
		q    events.StoreQuery
		want []string
	}{
		{"window", window(events.StoreQuery{}), inWindow},
		{"no-bounds", events.StoreQuery{Limit: 100}, append(except(), "before", "at-to", "after")},
		{"from-only", events.StoreQuery{From: at(windowTo), Limit: 100}, []string{"at-to", "after"}},
		{"to-only", events.StoreQuery{To: at(0), Limit: 100}, []string{"before"}},
		{"public", window(events.StoreQuery{Visibilities: []events.Visibility{events.Public}}), except("unlisted", "private")},
		{"unlisted-or-private", window(events.StoreQuery{Visibilities: []events.Visibility{events.Unlisted, events.Private}}), []string{"unlisted", "private"}},
		{"drafts", window(events.StoreQuery{IncludeDrafts: true}), append(except(), "draft")},
		{"text-title-case", window(events.StoreQuery{Text: "rEPAIR"}), []string{"repair"}},
		{"text-description", window(events.StoreQuery{Text: "toaster"}), []string{"repair"}},
		{"text-percent-literal", window(events.StoreQuery{Text: "0% V"}), []string{"literal"}},
		{"text-underscore-literal", window(events.StoreQuery{Text: "n_b"}), []string{"literal"}},
		{"text-backslash-literal", window(events.StoreQuery{Text: `\o/`}), []string{"literal"}},
		{"text-lone-percent", window(events.StoreQuery{Text: "%"}), []string{"literal"}},
		{"text-unicode-case", window(events.StoreQuery{Text: "CAFÉ"}), []string{"repair"}},
		{"text-no-match", window(events.StoreQuery{Text: "zzz"}), nil},
		{"tag-case", window(events.StoreQuery{Tags: []string{"GO"}}), []string{"tagged"}},
		{"tag-unicode-case", window(events.StoreQuery{Tags: []string{"FÊTE"}}), []string{"tagged"}},
		{"tags-any-of", window(events.StoreQuery{Tags: []string{"reuse", "cloud", "none"}}), []string{"repair", "tagged"}},
		{"tag-no-match", window(events.StoreQuery{Tags: []string{"repai"}}), nil},
		{"category", window(events.StoreQuery{Category: "workshops_skill_sharing"}), []string{"repair"}},
		{"category-case", window(events.StoreQuery{Category: "MUSIC"}), []string{"tagged"}},
		{"organizer", window(events.StoreQuery{OrganizerID: alice.ID}), []string{"repair"}},
		{"organizer-group", window(events.StoreQuery{OrganizerID: g.ID}), []string{"group"}},
		{"group", window(events.StoreQuery{GroupID: g.ID}), []string{"group"}},
		{"online", window(events.StoreQuery{Online: yes}), []string{"online"}},
		{"in-person", window(events.StoreQuery{Online: no}), except("online")},
		{"local", window(events.StoreQuery{Local: yes}), except("remote")},
		{"remote", window(events.StoreQuery{Local: no}), []string{"remote"}},
		{"box-negative", window(events.StoreQuery{Box: &geo.Box{MinLat: -35, MaxLat: -34, MinLon: -59, MaxLon: -58}}), []string{"repair"}},
		{"box-antimeridian", window(events.StoreQuery{Box: &geo.Box{MinLat: -20, MaxLat: -10, MinLon: 170, MaxLon: -170}}), []string{"fiji", "samoa"}},
		{"box-west-of-antimeridian", window(events.StoreQuery{Box: &geo.Box{MinLat: -20, MaxLat: -10, MinLon: -180, MaxLon: -170}}), []string{"samoa"}},
		{"box-zero", window(events.StoreQuery{Box: &geo.Box{MinLat: -1, MaxLat: 1, MinLon: -1, MaxLon: 1}}), []string{"null-island"}},
		{"box-equator", window(events.StoreQuery{Box: &geo.Box{MinLat: -0.5, MaxLat: 0, MinLon: -80, MaxLon: -78}}), []string{"quito"}},
		{"box-world", window(events.StoreQuery{Box: &geo.Box{MinLat: -90, MaxLat: 90, MinLon: -180, MaxLon: 180}}), []string{"repair", "fiji", "samoa", "null-island", "quito"}},
		{"combined", window(events.StoreQuery{
			Visibilities: []events.Visibility{events.Public}, Text: "repair", Tags: []string{"REUSE"},
			Category: "Workshops_Skill_Sharing", OrganizerID: alice.ID, Online: no, Local: yes,
			Box: &geo.Box{MinLat: -40, MaxLat: -30, MinLon: -60, MaxLon: -50},
		}), []string{"repair"}},
		{"combined-miss", window(events.StoreQuery{Text: "repair", Online: yes}), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.b.FindEvents(w.ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, nilIfEmpty(c.ordered(tc.want...)), nilIfEmpty(c.names(got)))
		})
	}

	t.Run("round-trip", func(t *testing.T) {
		got, err := w.b.FindEvents(w.ctx, window(events.StoreQuery{Text: "Repair"}))
		require.NoError(t, err)
		require.Len(t, got, 1)
		requireEvent(t, c.byName["repair"], &got[0])
	})
	t.Run("limit", func(t *testing.T) {
		q := window(events.StoreQuery{})
		q.Limit = 3
		got, err := w.b.FindEvents(w.ctx, q)
		require.NoError(t, err)
		require.Equal(t, c.ordered(inWindow...)[:3], c.names(got))
	})
	t.Run("after", func(t *testing.T) {
		q := window(events.StoreQuery{})
		a := c.byName["tie-a"]
		if c.byName["tie-b"].ID < a.ID {
			a = c.byName["tie-b"]
		}
		q.After = storage.Cursor{At: a.BeginsAt, ID: a.ID}
		got, err := w.b.FindEvents(w.ctx, q)
		require.NoError(t, err)
		order := c.ordered(inWindow...)
		require.Equal(t, order[len(order)-1:], c.names(got), "strictly after (BeginsAt, ID)")
	})
}

func testFindEventsPagination(t *testing.T, w *world) {
	p := w.profile()
	const n, limit = 25, 10
	eids := w.descendingIDs(n)
	begins := tiedTimes(n, at(time.Hour))
	var public []keyed
	for i := range n {
		e := w.newEvent(p.ID, begins[i])
		e.ID = eids[i]
		e.APID = "https://convene.test/events/" + e.ID
		w.event(e)
		public = append(public, keyed{e.BeginsAt, e.ID})
		// Private events and drafts at the same instants are filtered out
		// of every page.
		hidden := w.newEvent(p.ID, begins[i])
		if i%2 == 0 {
			hidden.Visibility = events.Private
		} else {
			hidden.Draft = true
		}
		w.event(hidden)
	}
	pos := func(e events.Event) storage.Cursor { return storage.Cursor{At: e.BeginsAt, ID: e.ID} }
	eid := func(e events.Event) string { return e.ID }
	got, sizes := walk(t, limit, func(after storage.Cursor, limit int) ([]events.Event, error) {
		return w.b.FindEvents(w.ctx, events.StoreQuery{
			From: at(0), To: at(24 * time.Hour), Visibilities: []events.Visibility{events.Public},
			After: after, Limit: limit,
		})
	}, pos)
	require.Equal(t, sortKeyed(public), ids(got, eid))
	require.Equal(t, pageSizes(n, limit), sizes)
}

func testFindSeries(t *testing.T, w *world) {
	p := w.profile()
	c := newCatalog(w)
	series := func(name string, begins, ends time.Time, mod func(e *events.Event)) {
		e := w.newEvent(p.ID, begins)
		e.Title = "Series " + name
		e.Recurrence = "FREQ=WEEKLY"
		e.SeriesEndsAt = ends
		if mod != nil {
			mod(e)
		}
		c.add(name, e)
	}
	month := 30 * 24 * time.Hour
	from, to := at(0), at(windowTo)

	series("unbounded", at(-month), time.Time{}, nil)
	series("running", at(-month), at(10*24*time.Hour), nil)
	series("ended", at(-month), at(-time.Hour), nil)
	series("inside", at(time.Hour), at(5*24*time.Hour), nil)
	series("starts-after", at(72*time.Hour), time.Time{}, nil)
	series("starts-at-to", to, time.Time{}, nil)
	series("ends-just-after-from", at(-month), from.Add(time.Microsecond), nil)
	series("private", at(-month), time.Time{}, func(e *events.Event) { e.Visibility = events.Private })
	series("draft", at(2*time.Hour), time.Time{}, func(e *events.Event) { e.Draft = true })
	series("tagged", at(3*time.Hour), time.Time{}, func(e *events.Event) {
		e.Tags = []string{"Knitting"}
		e.Title = "Knit & natter"
	})
	// Single events in the window never come from FindSeries.
	single := w.newEvent(p.ID, at(time.Hour))
	single.Tags = []string{"knitting"}
	c.add("single", single)

	visible := []string{"unbounded", "running", "inside", "ends-just-after-from", "private", "tagged"}
	for _, tc := range []struct {
		name string
		q    events.StoreQuery
		want []string
	}{
		{"window", events.StoreQuery{From: from, To: to}, visible},
		{"public", events.StoreQuery{From: from, To: to, Visibilities: []events.Visibility{events.Public}},
			slices.DeleteFunc(slices.Clone(visible), func(s string) bool { return s == "private" })},
		{"drafts", events.StoreQuery{From: from, To: to, IncludeDrafts: true}, append(slices.Clone(visible), "draft")},
		{"tag", events.StoreQuery{From: from, To: to, Tags: []string{"KNITTING"}}, []string{"tagged"}},
		{"text", events.StoreQuery{From: from, To: to, Text: "& NATTER"}, []string{"tagged"}},
		{"later-window", events.StoreQuery{From: at(7 * 24 * time.Hour), To: at(8 * 24 * time.Hour)},
			[]string{"unbounded", "running", "private", "tagged", "starts-after", "starts-at-to"}},
		// Limit and After do not apply to series.
		{"limit-ignored", events.StoreQuery{From: from, To: to, Limit: 1, After: storage.Cursor{At: at(100 * time.Hour), ID: p.ID}}, visible},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := w.b.FindSeries(w.ctx, tc.q)
			require.NoError(t, err)
			require.Equal(t, nilIfEmpty(c.ordered(tc.want...)), nilIfEmpty(c.names(got)))
		})
	}

	t.Run("round-trip", func(t *testing.T) {
		got, err := w.b.FindSeries(w.ctx, events.StoreQuery{From: from, To: to, Text: "natter"})
		require.NoError(t, err)
		require.Len(t, got, 1)
		requireEvent(t, c.byName["tagged"], &got[0])
	})
}
