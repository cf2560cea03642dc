package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/internal/sqlstore"
)

// queryPlan returns the EXPLAIN QUERY PLAN lines of query.
func queryPlan(t *testing.T, db *sql.DB, query string, args ...any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	require.NoError(t, err)
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		lines = append(lines, detail)
	}
	require.NoError(t, rows.Err())
	return strings.Join(lines, "\n")
}

// TestSearchPlans checks that the searches the public pages run at scale
// walk an index in order instead of scanning the events table or sorting
// it. It runs on a database without statistics, as a new instance has.
func TestSearchPlans(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "convene.db")
	openFile(t, path)
	raw := rawDB(t, path)

	from := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	public := []events.Visibility{events.Public}
	paris := geo.BoundingBox(geo.Point{Lat: 48.8566, Lon: 2.3522}, 10)
	fiji := geo.BoundingBox(geo.Point{Lat: -17.7, Lon: 179.99}, 10)
	tall := geo.BoundingBox(geo.Point{Lat: 10, Lon: 10}, 300)
	require.True(t, fiji.Wraps())
	tests := []struct {
		name   string
		q      events.StoreQuery
		series bool
		index  string // the plan uses this index on events
		sorted bool   // the index gives the order: no temporary b-tree
	}{
		{
			name:   "upcoming",
			q:      events.StoreQuery{From: from, To: from.AddDate(0, 1, 0), Visibilities: public, Limit: 50},
			index:  "events_upcoming (begins_at>? AND begins_at<?)",
			sorted: true,
		},
		{
			name: "upcoming next page",
			q: events.StoreQuery{From: from, To: from.AddDate(0, 1, 0), Visibilities: public, Limit: 50,
				After: storage.Cursor{At: from.AddDate(0, 0, 3), ID: "e1"}},
			index:  "events_upcoming",
			sorted: true,
		},
		{
			name:   "upcoming without end",
			q:      events.StoreQuery{From: from, Visibilities: public},
			index:  "events_upcoming (begins_at>?)",
			sorted: true,
		},
		{
			name:   "upcoming with tags, text and category",
			q:      events.StoreQuery{From: from, Visibilities: public, Tags: []string{"jazz", "Folk"}, Text: "fête", Category: "MUSIC"},
			index:  "events_upcoming",
			sorted: true,
		},
		{
			name:  "radius 10 km",
			q:     events.StoreQuery{From: from, To: from.AddDate(0, 1, 0), Visibilities: public, Limit: 50, Box: &paris},
			index: "events_upcoming_cell (geo_cell=? AND begins_at>? AND begins_at<?)",
		},
		{
			name:  "radius across the antimeridian",
			q:     events.StoreQuery{From: from, Visibilities: public, Box: &fiji},
			index: "events_upcoming_cell (geo_cell=? AND begins_at>?)",
		},
		{
			name:  "radius taller than the bands looked up one by one",
			q:     events.StoreQuery{From: from, Visibilities: public, Box: &tall},
			index: "events_upcoming_geo (latitude>? AND latitude<?)",
		},
		{
			name:   "series",
			q:      events.StoreQuery{From: from, To: from.AddDate(0, 1, 0), Visibilities: public},
			series: true,
			index:  "events_series (begins_at<?)",
			sorted: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			query, args, ok := sqlstore.FindSQL(dialect(), tt.q, tt.series)
			require.True(t, ok)
			plan := queryPlan(t, raw, query, args...)
			assert.Contains(t, plan, "SEARCH e USING INDEX "+tt.index, plan)
			// Radius queries merge one start-ordered read per latitude
			// band (co-routines named band0, band1…): scanning those
			// small results is expected, scanning a table is not.
			plan = regexp.MustCompile(`(?m)^SCAN band\d+$`).ReplaceAllString(plan, "")
			assert.NotContains(t, plan, "SCAN", plan)
			if tt.sorted {
				assert.NotContains(t, plan, "TEMP B-TREE", plan)
			}
			if len(tt.q.Tags) > 0 {
				assert.Contains(t, plan, "SEARCH t", "tags are looked up by key: "+plan)
			}
		})
	}
}

// TestLookupPlans checks lookups whose index is easy to lose: the
// case-insensitive local username (an expression index) and the
// participation tokens (partial indexes).
func TestLookupPlans(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "convene.db")
	openFile(t, path)
	raw := rawDB(t, path)
	tests := map[string]struct{ query, index string }{
		"local username": {`SELECT id FROM actors a WHERE a.local AND lower(a.username) = lower(?)`, "actors_local_username"},
		"confirm token":  {`SELECT id FROM participants WHERE confirm_token_hash = ?`, "participants_confirm_token"},
		"cancel token":   {`SELECT id FROM participants WHERE cancel_token_hash = ?`, "participants_cancel_token"},
		"participations": {`SELECT id FROM participants WHERE actor_id = ? ORDER BY created_at, id`, "participants_actor_created"},
	}
	for name, tt := range tests {
		plan := queryPlan(t, raw, tt.query, "x")
		assert.Contains(t, plan, tt.index, "%s: %s", name, plan)
		assert.NotContains(t, plan, "TEMP B-TREE", "%s: %s", name, plan)
	}
}

func TestGeoSearchFindsEvents(t *testing.T) {
	t.Parallel()
	// The index hint must not change the result: events inside the box,
	// including one across the antimeridian, are found in order.
	ctx := context.Background()
	db := openFile(t, filepath.Join(t.TempDir(), "convene.db"))
	at := func(id string, lat, lon float64, day int, vis events.Visibility) {
		e := &events.Event{ID: id, Title: id, BeginsAt: testNow.AddDate(0, 0, day), Visibility: vis,
			Place: &geo.Place{Latitude: &lat, Longitude: &lon}, CreatedAt: testNow, UpdatedAt: testNow}
		require.NoError(t, db.CreateEvent(ctx, e))
	}
	at("suva", -18.14, 178.44, 2, events.Public)
	at("taveuni", -16.85, -179.97, 1, events.Public)
	at("hidden", -17.0, 179.5, 1, events.Unlisted)
	at("paris", 48.85, 2.35, 1, events.Public)
	box := geo.BoundingBox(geo.Point{Lat: -17.5, Lon: 179.5}, 200)
	require.True(t, box.Wraps())
	got, err := db.FindEvents(ctx, events.StoreQuery{From: testNow, Visibilities: []events.Visibility{events.Public}, Box: &box})
	require.NoError(t, err)
	var ids []string
	for _, e := range got {
		ids = append(ids, e.ID)
	}
	assert.Equal(t, []string{"taveuni", "suva"}, ids)
}
