package events_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func titles(p events.Page) []string {
	var out []string
	for _, o := range p.Occurrences {
		out = append(out, o.Event.Title)
	}
	return out
}

func TestSearchFilters(t *testing.T) {
	t.Parallel()
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b.open(t))
			org := f.actor("org")
			day := func(d int) time.Time { return t0.Add(time.Duration(d) * 24 * time.Hour) }
			mk := func(title string, d int, change func(in *events.Input)) {
				in := input(title)
				in.BeginsAt, in.EndsAt = day(d), day(d).Add(2*time.Hour)
				if change != nil {
					change(&in)
				}
				f.create(org, in)
			}
			lyon := &geo.Place{Locality: "Lyon", Latitude: ptr(45.7640), Longitude: ptr(4.8357)}
			villeurbanne := &geo.Place{Locality: "Villeurbanne", Latitude: ptr(45.7719), Longitude: ptr(4.8902)}
			paris := &geo.Place{Locality: "Paris", Latitude: ptr(48.8566), Longitude: ptr(2.3522)}
			saoPaulo := &geo.Place{Locality: "São Paulo", Latitude: ptr(-23.5505), Longitude: ptr(-46.6333)}
			mk("Repair café", 1, func(in *events.Input) {
				in.Place, in.Tags, in.Category = lyon, []string{"Repair"}, "WORKSHOPS_SKILL_SHARING"
				in.Description = "<p>Bring your <b>toaster</b></p>"
			})
			mk("Bike workshop", 2, func(in *events.Input) { in.Place, in.Tags = villeurbanne, []string{"bikes", "repair"} })
			mk("Paris picnic", 3, func(in *events.Input) { in.Place = paris })
			mk("Encontro", 4, func(in *events.Input) { in.Place = saoPaulo })
			mk("Online talk", 5, func(in *events.Input) { in.OnlineAddress = "https://visio.example/room" })
			mk("Private", 1, func(in *events.Input) { in.Visibility = events.Private })
			mk("Unlisted", 1, func(in *events.Input) { in.Visibility = events.Unlisted })
			mk("Draft", 1, func(in *events.Input) { in.Draft = true })
			mk("Too late", 400, nil)
			mk("Past", -3, nil)

			cases := []struct {
				name string
				q    events.Query
				want []string
			}{
				{"all public upcoming", events.Query{}, []string{"Repair café", "Bike workshop", "Paris picnic", "Encontro", "Online talk"}},
				{"window", events.Query{From: day(2), To: day(4)}, []string{"Bike workshop", "Paris picnic"}},
				{"text in description", events.Query{Text: "TOASTER"}, []string{"Repair café"}},
				{"text is literal", events.Query{Text: "%"}, nil},
				{"tag any case", events.Query{Tags: []string{"REPAIR"}}, []string{"Repair café", "Bike workshop"}},
				{"category", events.Query{Category: "workshops_skill_sharing"}, []string{"Repair café"}},
				{"online", events.Query{Online: ptr(true)}, []string{"Online talk"}},
				{"in person", events.Query{Online: ptr(false)}, []string{"Repair café", "Bike workshop", "Paris picnic", "Encontro"}},
				{"10 km of Lyon", events.Query{Near: &geo.Point{Lat: 45.76, Lon: 4.84}, RadiusKM: 10}, []string{"Repair café", "Bike workshop"}},
				{"1 km of Lyon", events.Query{Near: &geo.Point{Lat: 45.764, Lon: 4.8357}, RadiusKM: 1}, []string{"Repair café"}},
				{"south and west", events.Query{Near: &geo.Point{Lat: -23.5, Lon: -46.6}, RadiusKM: 20}, []string{"Encontro"}},
				{"organizer", events.Query{OrganizerID: "nobody"}, nil},
			}
			for _, tc := range cases {
				p, err := f.svc.Search(f.ctx, tc.q)
				require.NoError(t, err, tc.name)
				assert.Equal(t, tc.want, titles(p), tc.name)
			}
		})
	}
}

func TestSearchRejectsBadQueries(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	for name, q := range map[string]events.Query{
		"to before from":      {From: t0, To: t0.Add(-time.Hour)},
		"window too long":     {From: t0, To: t0.Add(events.MaxSearchWindow + time.Hour)},
		"radius without size": {Near: &geo.Point{Lat: 1, Lon: 1}},
		"bad point":           {Near: &geo.Point{Lat: 100, Lon: 1}, RadiusKM: 5},
		"bad cursor":          {After: "%%%"},
		"bad tag":             {Tags: []string{"a b"}},
	} {
		_, err := f.svc.Search(f.ctx, q)
		require.ErrorIs(t, err, events.ErrInvalid, name)
	}
}

func TestSearchExpandsRecurringEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org := f.actor("org")
	// Every Tuesday at 19:00 in Paris, across the end-of-March DST change.
	in := input("Folk dance")
	in.BeginsAt = time.Date(2026, 3, 17, 19, 0, 0, 0, mustZone(t, "Europe/Paris"))
	in.EndsAt = in.BeginsAt.Add(2 * time.Hour)
	in.Recurrence = "FREQ=WEEKLY;BYDAY=TU;COUNT=4"
	e := f.create(org, in)
	assert.Equal(t, time.Date(2026, 4, 7, 19+2, 0, 0, 0, mustZone(t, "Europe/Paris")).UTC(), e.SeriesEndsAt.UTC())
	single := input("One-off")
	single.BeginsAt = time.Date(2026, 3, 25, 10, 0, 0, 0, time.UTC)
	single.EndsAt = single.BeginsAt.Add(time.Hour)
	f.create(org, single)

	p, err := f.svc.Search(f.ctx, events.Query{From: t0})
	require.NoError(t, err)
	var got []string
	for _, o := range p.Occurrences {
		got = append(got, o.Event.Title+" "+o.Start.In(mustZone(t, "Europe/Paris")).Format("01-02 15:04"))
	}
	assert.Equal(t, []string{"Folk dance 03-17 19:00", "Folk dance 03-24 19:00", "One-off 03-25 11:00",
		"Folk dance 03-31 19:00", "Folk dance 04-07 19:00"}, got, "local time kept across DST")
}

func TestSearchPaginationIsStable(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org := f.actor("org")
	same := t0.Add(48 * time.Hour)
	for i := 0; i < 9; i++ {
		in := input(fmt.Sprintf("E%d", i))
		in.BeginsAt, in.EndsAt = same, same.Add(time.Hour) // identical starts: ordered by id
		f.create(org, in)
	}
	in := input("Weekly")
	in.BeginsAt, in.EndsAt = same.Add(-time.Hour), same
	in.Recurrence = "FREQ=DAILY;COUNT=5"
	f.create(org, in)

	var seen []string
	after := ""
	for pages := 0; pages < 20; pages++ {
		p, err := f.svc.Search(f.ctx, events.Query{After: after, Limit: 4})
		require.NoError(t, err)
		for _, o := range p.Occurrences {
			seen = append(seen, o.Event.Title+o.Start.Format("02"))
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	assert.Len(t, seen, 14, "9 single events and 5 occurrences, each exactly once: %v", seen)
	uniq := map[string]bool{}
	for _, s := range seen {
		assert.False(t, uniq[s], "duplicate %s", s)
		uniq[s] = true
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}
