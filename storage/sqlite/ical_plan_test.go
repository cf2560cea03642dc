package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestICalPlans checks that the queries of the ical stores (as written in
// storage/internal/sqlstore/ical.go) and the cascades into their tables
// search an index instead of scanning a table.
func TestICalPlans(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "convene.db")
	openFile(t, path)
	raw := rawDB(t, path)
	for _, tc := range []struct {
		name, query string
		want        []string // each in the plan
	}{
		{"due subscriptions", `SELECT id FROM ical_subscriptions WHERE next_at <= 5 ORDER BY next_at, id LIMIT 50`,
			[]string{"INDEX ical_subscriptions_next (next_at<?)"}},
		{"list subscriptions", `SELECT id FROM ical_subscriptions WHERE group_id = 'a' OR (group_id IS NULL AND actor_id = 'a') ORDER BY id`,
			[]string{"INDEX ical_subscriptions_group (group_id=?)", "INDEX ical_subscriptions_actor (actor_id=?)"}},
		{"imported uids", `SELECT uid FROM ical_imported WHERE owner_id = 'a' ORDER BY uid`,
			[]string{"ical_imported USING PRIMARY KEY (owner_id=?)"}},
		{"delete event", `DELETE FROM events WHERE id = 'x'`,
			[]string{"INDEX ical_imported_event (event_id=?)"}},
		{"delete actor", `DELETE FROM actors WHERE id = 'x'`,
			[]string{"ical_imported USING PRIMARY KEY (owner_id=?)", "INDEX ical_subscriptions_actor (actor_id=?)"}},
		{"delete group", `DELETE FROM groups WHERE actor_id = 'x'`,
			[]string{"INDEX ical_subscriptions_group (group_id=?)"}},
	} {
		plan := queryPlan(t, raw, tc.query)
		for _, w := range tc.want {
			assert.Contains(t, plan, w, "%s:\n%s", tc.name, plan)
		}
		assert.NotContains(t, plan, "SCAN ical_", "%s:\n%s", tc.name, plan)
		if tc.name == "due subscriptions" {
			assert.NotContains(t, plan, "TEMP B-TREE", "the index gives the order:\n%s", plan)
		}
	}
}
