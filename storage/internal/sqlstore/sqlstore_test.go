package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
)

func TestRebind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, dollar string
	}{
		{"none", "SELECT 1", "SELECT 1"},
		{"several", "a = ? AND b IN (?, ?)", "a = $1 AND b IN ($2, $3)"},
		{"quoted question mark kept", "a = '?' AND b = ?", "a = '?' AND b = $1"},
		{"escape literal", `x LIKE ? ESCAPE '\' AND y = ?`, `x LIKE $1 ESCAPE '\' AND y = $2`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.in, (&Dialect{}).rebind(tt.in), "? dialect leaves the query alone")
			assert.Equal(t, tt.dollar, (&Dialect{Dollar: true}).rebind(tt.in))
		})
	}
}

func TestLikePattern(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"fête":      "%fête%",
		"100%":      `%100\%%`,
		"a_b":       `%a\_b%`,
		`back\sl`:   `%back\\sl%`,
		`%_\`:       `%\%\_\\%`,
		"":          "%%",
		"plain txt": "%plain txt%",
	}
	for in, want := range tests {
		assert.Equal(t, want, likePattern(in), "input %q", in)
	}
}

func TestLoadMigrations(t *testing.T) {
	t.Parallel()
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	tests := []struct {
		name    string
		fs      fstest.MapFS
		want    []int
		wantErr string
	}{
		{"ordered", fstest.MapFS{"m/0002_b.sql": file("B"), "m/0001_a.sql": file("A"), "m/README": file("x")}, []int{1, 2}, ""},
		{"gap", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0003_c.sql": file("C")}, nil, "expected version 2"},
		{"duplicate", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0001_b.sql": file("B")}, nil, "expected version 2"},
		{"bad name", fstest.MapFS{"m/init.sql": file("A")}, nil, "not NNNN_name.sql"},
		{"zero", fstest.MapFS{"m/0000_a.sql": file("A")}, nil, "not NNNN_name.sql"},
		{"missing dir", fstest.MapFS{}, nil, "migrations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ms, err := LoadMigrations(tt.fs, "m")
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			var got []int
			for _, m := range ms {
				got = append(got, m.Version)
			}
			assert.Equal(t, tt.want, got)
			assert.Equal(t, "A", ms[0].SQL)
		})
	}
}

func TestTimeColScan(t *testing.T) {
	t.Parallel()
	want := time.Date(2026, 3, 14, 17, 0, 0, 123456000, time.UTC)
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		name    string
		src     any
		want    time.Time
		wantErr bool
	}{
		{"null is zero", nil, time.Time{}, false},
		{"unix micros", want.UnixMicro(), want, false},
		{"timestamptz in another zone", want.In(paris), want, false},
		{"text refused", "2026-03-14", time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := time.Now()
			err := timeCol{&got}.Scan(tt.src)
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, time.UTC, got.Location())
		})
	}
}

func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	s, err := jsonText([]string(nil))
	require.NoError(t, err)
	assert.Empty(t, s, "empty slices are stored as ''")
	back, err := fromJSON[string]("")
	require.NoError(t, err)
	assert.Nil(t, back)

	s, err = jsonText([]string{"b", "A"})
	require.NoError(t, err)
	back, err = fromJSON[string](s)
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "A"}, back, "order kept")

	_, err = fromJSON[string]("{not json")
	require.Error(t, err)
}

func TestNewRejectsMissingDependencies(t *testing.T) {
	t.Parallel()
	ok := &Dialect{Name: "x", Time: func(t time.Time) any { return t }, IsUnique: func(error) bool { return false },
		IsForeignKey: func(error) bool { return false }}
	_, err := New(nil, nil, nil)
	require.ErrorContains(t, err, "nil dialect")
	_, err = New(&Dialect{Name: "x"}, nil, nil)
	require.ErrorContains(t, err, "lacks")
	_, err = New(ok, nil, nil)
	require.ErrorContains(t, err, "nil write pool")
}

func TestWrapClassifies(t *testing.T) {
	t.Parallel()
	errUnique, errFK, errOther := errors.New("unique"), errors.New("fk"), errors.New("other")
	s := &store{d: &Dialect{
		Name:         "test",
		IsUnique:     func(err error) bool { return errors.Is(err, errUnique) },
		IsForeignKey: func(err error) bool { return errors.Is(err, errFK) },
	}}
	tests := []struct {
		name     string
		err      error
		sentinel error
	}{
		{"no rows", errNoRowsForTest(), storage.ErrNotFound},
		{"unique", errUnique, storage.ErrConflict},
		{"foreign key", errFK, storage.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := s.wrap("op", tt.err)
			require.ErrorIs(t, got, tt.sentinel)
			require.ErrorContains(t, got, "test: op")
		})
	}
	got := s.wrap("op", errOther)
	require.ErrorIs(t, got, errOther)
	require.NotErrorIs(t, got, storage.ErrNotFound)
	require.NotErrorIs(t, got, storage.ErrConflict)
	require.NoError(t, s.wrap("op", nil))
}

func TestFindSQL(t *testing.T) {
	t.Parallel()
	d := &Dialect{Time: func(t time.Time) any { return t.UnixMicro() }, GeoIndexHint: "INDEXED BY geo", GeoCellIndexHint: "INDEXED BY cell"}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	yes := true
	box := geo.Box{MinLat: 1, MaxLat: 2, MinLon: 170, MaxLon: -170}
	tests := []struct {
		name     string
		q        events.StoreQuery
		series   bool
		contains []string
		absent   []string
	}{
		{
			name:     "public upcoming uses literals",
			q:        events.StoreQuery{From: from, To: from.AddDate(0, 1, 0), Visibilities: []events.Visibility{events.Public}},
			contains: []string{"e.recurrence = ''", "e.visibility = 'public'", "NOT e.draft", "e.begins_at >= ?", "e.begins_at < ?"},
			absent:   []string{"INDEXED BY"},
		},
		{
			name:     "unknown visibility is a parameter",
			q:        events.StoreQuery{Visibilities: []events.Visibility{"x' OR 1=1 --", events.Unlisted}},
			contains: []string{"(e.visibility = ? OR e.visibility = 'unlisted')"},
			absent:   []string{"1=1"},
		},
		{
			name:     "wrapping box with hint",
			q:        events.StoreQuery{Visibilities: []events.Visibility{events.Public}, Box: &box},
			contains: []string{"INDEXED BY cell WHERE e.geo_cell = ? AND", "AS band10 ORDER BY begins_at, id LIMIT ?", "(e.longitude >= ? OR e.longitude <= ?)"},
			absent:   []string{"band11"},
		},
		{
			name:     "a box taller than MaxGeoCells bands uses the latitude range",
			q:        events.StoreQuery{Visibilities: []events.Visibility{events.Public}, Box: &geo.Box{MinLat: -10, MaxLat: 10, MinLon: 0, MaxLon: 5}},
			contains: []string{"INDEXED BY geo", "e.latitude >= ? AND e.latitude <= ?"},
			absent:   []string{"geo_cell"},
		},
		{
			name:     "no hint with drafts",
			q:        events.StoreQuery{Visibilities: []events.Visibility{events.Public}, Box: &box, IncludeDrafts: true},
			absent:   []string{"INDEXED BY", "NOT e.draft"},
			contains: []string{"e.latitude >= ?"},
		},
		{
			name:     "series",
			q:        events.StoreQuery{From: from, To: from.AddDate(0, 1, 0), Online: &yes, After: storage.Cursor{At: from, ID: "x"}},
			series:   true,
			contains: []string{"e.recurrence <> ''", "e.series_ends_at IS NULL OR e.series_ends_at > ?", "e.online_address <> ''"},
			absent:   []string{"(e.begins_at, e.id) >"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			q, args, ok := FindSQL(d, tt.q, tt.series)
			require.True(t, ok)
			for _, c := range tt.contains {
				assert.Contains(t, q, c)
			}
			for _, a := range tt.absent {
				assert.NotContains(t, q, a)
			}
			want := events.DefaultPageSize
			if tt.series {
				want = events.MaxSeriesPerQuery
			}
			assert.Equal(t, want, args[len(args)-1], "limit")
		})
	}
	_, _, ok := FindSQL(d, events.StoreQuery{Text: "a" + searchSep + "b"}, false)
	assert.False(t, ok, "a text with the separator matches nothing")
}

func errNoRowsForTest() error { return fmt.Errorf("scan: %w", sql.ErrNoRows) }
