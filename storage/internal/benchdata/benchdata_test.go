package benchdata

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

func TestGeneratorIsDeterministic(t *testing.T) {
	t.Parallel()
	g1, err := NewGenerator()
	require.NoError(t, err)
	g2, err := NewGenerator()
	require.NoError(t, err)
	a, b := g1.Batch(500), g2.Batch(500)
	assert.Equal(t, a, b)
	assert.NotEqual(t, a[0].ID, a[1].ID)
}

// TestDatasetShape checks the shares that the package documents on a
// sample, so that the benchmarks measure the data they claim to.
func TestDatasetShape(t *testing.T) {
	t.Parallel()
	const n = 20_000
	g, err := NewGenerator()
	require.NoError(t, err)
	var public, online, recurring, local, south, west, drafts, inBox, tagged int
	first, last := time.Time{}, time.Time{}
	box := geo.BoundingBox(Center(), RadiusKM)
	ids := make(map[string]bool, n)
	for range n {
		e := g.Next()
		require.False(t, ids[e.ID], "duplicate id %s", e.ID)
		ids[e.ID] = true
		require.Equal(t, e.BeginsAt, e.BeginsAt.UTC().Truncate(time.Microsecond))
		require.Equal(t, e.CreatedAt, e.CreatedAt.UTC().Truncate(time.Microsecond))
		require.False(t, e.UpdatedAt.After(Now()), "updated in the future: %v", e.UpdatedAt)
		require.False(t, e.UpdatedAt.Before(e.CreatedAt))
		require.NoError(t, e.Place.Validate())
		if e.Recurring() {
			recurring++
		} else {
			require.False(t, e.SeriesEndsAt.Before(e.BeginsAt))
		}
		if first.IsZero() || e.BeginsAt.Before(first) {
			first = e.BeginsAt
		}
		if e.BeginsAt.After(last) {
			last = e.BeginsAt
		}
		if e.Visibility == events.Public && !e.Draft {
			public++
		}
		if e.Draft {
			drafts++
			require.True(t, e.PublishedAt.IsZero())
		}
		if e.Place == nil {
			online++
			require.NotEmpty(t, e.OnlineAddress)
		}
		if e.Local {
			local++
		}
		if len(e.Tags) > 0 {
			tagged++
		}
		if p, ok := e.Place.Point(); ok {
			if p.Lat < 0 {
				south++
			}
			if p.Lon < 0 {
				west++
			}
			if box.Contains(p) {
				inBox++
			}
		}
	}
	share := func(k int) float64 { return float64(k) / n }
	assert.InDelta(t, 0.80, share(public), 0.02, "public and published")
	assert.InDelta(t, 0.05, share(drafts), 0.01, "drafts")
	assert.InDelta(t, 0.05, share(online), 0.01, "online only")
	assert.InDelta(t, 0.03, share(recurring), 0.01, "recurring")
	assert.InDelta(t, 0.85, share(local), 0.02, "local")
	assert.InDelta(t, 0.80, share(tagged), 0.02, "with tags")
	assert.InDelta(t, 0.033, share(inBox), 0.01, "within the 10 km box around the densest city")
	assert.Greater(t, share(south), 0.15, "southern hemisphere")
	assert.Greater(t, share(west), 0.25, "western hemisphere")
	assert.Greater(t, last.Sub(first), 700*24*time.Hour, "spread over two years")
	assert.Less(t, last.Sub(first), 732*24*time.Hour)
}

func TestQueries(t *testing.T) {
	t.Parallel()
	q := Radius(QueryDays + 3)
	assert.Equal(t, Now().AddDate(0, 0, 3), q.From)
	assert.Equal(t, Window, q.To.Sub(q.From))
	require.NotNil(t, q.Box)
	assert.True(t, q.Box.Contains(Center()))
	assert.Nil(t, Upcoming(0).Box)
	assert.Equal(t, []events.Visibility{events.Public}, q.Visibilities)
	assert.Equal(t, PageSize, q.Limit)
	m := RadiusMonth(3)
	assert.Equal(t, q.From, m.From)
	assert.Equal(t, 30*24*time.Hour, m.To.Sub(m.From))
	assert.Equal(t, q.Box, m.Box)
}

func TestQuantile(t *testing.T) {
	t.Parallel()
	var s []time.Duration
	for i := 100; i >= 1; i-- {
		s = append(s, time.Duration(i))
	}
	tests := []struct {
		q    float64
		want time.Duration
	}{{0.5, 50}, {0.99, 99}, {1, 100}, {0.001, 1}}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Quantile(s, tt.q), "q=%v", tt.q)
	}
	assert.Equal(t, time.Duration(100), s[0], "the samples are not sorted in place")
	assert.Zero(t, Quantile(nil, 0.5))
	assert.Equal(t, time.Duration(50), Mean([]time.Duration{25, 75}))
}

func TestSizeName(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "100k", SizeName(Small))
	assert.Equal(t, "1M", SizeName(Large))
	assert.Equal(t, "1500", SizeName(1500))
	assert.Equal(t, "sqlite_events_1m_v1_m3", Name("sqlite", Large, 3))
}
