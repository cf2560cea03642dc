package recur

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// White-box tests of the calendar arithmetic and of period skipping, which
// the public API can only exercise over short distances.

func TestCivilMatchesTimePackage(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	check := func(z int64) {
		want := time.Unix(z*86400, 0).UTC()
		y, m, d := civilFromDays(z)
		require.Equal(t, [3]int{want.Year(), int(want.Month()), want.Day()}, [3]int{int(y), m, d}, "day %d", z)
		require.Equal(t, z, daysFromCivil(y, m, d))
		require.Equal(t, want.Weekday(), weekdayOf(z), "day %d", z)
		require.Equal(t, want.AddDate(0, 1, -want.Day()).Day(), daysIn(y, m), "day %d", z)
	}
	for z := int64(-800_000); z < 3_000_000; z += 97 { // years -220 .. 10183
		check(z)
	}
	for range 10000 {
		check(rng.Int64N(1<<40) - 1<<39)
	}
	require.Zero(t, daysPerCycle%7, "the 400-year cycle must be whole weeks")
}

func TestFloorDiv(t *testing.T) {
	for _, c := range [][3]int64{{7, 2, 3}, {-7, 2, -4}, {-8, 2, -4}, {0, 5, 0}, {-1, 7, -1}, {6, 7, 0}} {
		require.Equal(t, c[2], floorDiv(c[0], c[1]), "%d/%d", c[0], c[1])
		require.Equal(t, c[0]-c[2]*c[1], floorMod(c[0], c[1]))
	}
}

// skipRules covers regular rules (cycle 1), weekday-only DAILY rules (cycle 7)
// and rules needing the full 400-year cycle.
func skipRules() []string {
	return []string{
		"FREQ=DAILY",
		"FREQ=DAILY;INTERVAL=3;BYDAY=MO,FR",
		"FREQ=DAILY;INTERVAL=14;BYDAY=SA",
		"FREQ=DAILY;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=DAILY;INTERVAL=5;BYMONTHDAY=31,-31",
		"FREQ=WEEKLY;BYDAY=MO,TU,SU",
		"FREQ=WEEKLY;INTERVAL=3;BYMONTH=2,11",
		"FREQ=MONTHLY",
		"FREQ=MONTHLY;BYMONTHDAY=30",
		"FREQ=MONTHLY;BYMONTHDAY=1,-28",
		"FREQ=MONTHLY;INTERVAL=7;BYDAY=2TU,-1FR",
		"FREQ=MONTHLY;BYDAY=1MO,2MO,3MO,4MO",
		"FREQ=MONTHLY;BYDAY=5WE",
		"FREQ=MONTHLY;INTERVAL=5;BYDAY=FR;BYMONTHDAY=13",
		"FREQ=MONTHLY;BYMONTH=2;BYDAY=SU",
		"FREQ=YEARLY",
		"FREQ=YEARLY;INTERVAL=3;BYMONTH=2;BYMONTHDAY=29",
		"FREQ=YEARLY;BYDAY=53TH",
		"FREQ=YEARLY;BYDAY=1MO,-52SU",
		"FREQ=YEARLY;BYMONTHDAY=31",
		"FREQ=YEARLY;BYMONTHDAY=-5,10",
		"FREQ=YEARLY;INTERVAL=6;BYMONTH=5;BYDAY=-1MO,2SU",
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYDAY=MO",
		"FREQ=YEARLY;BYDAY=TU;BYMONTHDAY=1",
	}
}

func newTestExpander(t *testing.T, rule string, start time.Time) *expander {
	t.Helper()
	r, err := Parse(rule)
	require.NoError(t, err)
	e := newExpander(Series{Start: start, Rule: r})
	require.NotNil(t, e)
	return e
}

// TestCountPeriodsUsesCycle checks the arithmetic skip against counting every
// period, over several calendar cycles.
func TestCountPeriodsUsesCycle(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, rule := range skipRules() {
		start := time.Date(1601+rng.IntN(400), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 9, 0, 0, 0, time.UTC)
		e := newTestExpander(t, rule, start)
		// Brute-force prefix sums over about three cycles, capped for DAILY.
		n := min(3*e.cycle+5, 500_000)
		prefix := make([]int64, n+1)
		for i := int64(1); i <= n; i++ {
			prefix[i] = prefix[i-1] + e.countPeriod(i)
		}
		for range 30 {
			k := rng.Int64N(n + 1)
			require.Equal(t, prefix[k], e.countPeriods(k), "%s from %s: %d periods (cycle %d)", rule, start.Format(time.DateOnly), k, e.cycle)
		}
		require.Equal(t, prefix[n], e.countPeriods(n), rule)
	}
}

// TestSkipMatchesWalk checks that iterators started by skipping periods
// produce the same occurrences and indexes as walking from the start.
func TestSkipMatchesWalk(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, rule := range skipRules() {
		start := time.Date(1990+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 9, 0, 0, 0, time.UTC)
		e := newTestExpander(t, rule, start)
		walk := e.iterAt(0, dayOf(start)+3*daysPerCycle, true)
		var all []time.Time
		for len(all) < 3000 {
			o, idx, ok := walk.next()
			if !ok {
				break
			}
			require.Equal(t, len(all), idx)
			all = append(all, o)
		}
		require.NotEmpty(t, all, rule)
		for range 50 {
			i := rng.IntN(len(all))
			it := e.iterFrom(all[i], dayOf(all[i])+400)
			for {
				got, idx, ok := it.next()
				require.True(t, ok, "%s: lost occurrence %d", rule, i)
				if got.Before(all[i]) {
					continue
				}
				require.Equal(t, i, idx, "%s: index of %s", rule, got)
				require.True(t, got.Equal(all[i]), "%s: got %s want %s", rule, got, all[i])
				break
			}
		}
	}
}

func TestNeverMatchingRuleStops(t *testing.T) {
	start := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	for _, rule := range []string{
		"FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
		"FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31",
		"FREQ=DAILY;INTERVAL=7;BYDAY=TU", // start is a Thursday
		"FREQ=MONTHLY;BYDAY=5MO;BYMONTHDAY=1,2,3",
	} {
		r, err := Parse(rule)
		require.NoError(t, err)
		s := Series{Start: start, Duration: time.Hour, Rule: r}
		require.Len(t, s.Between(start, start.AddDate(5000, 0, 0), 0), 1, rule)
		_, ok := s.Next(start.Add(time.Hour))
		require.False(t, ok, rule)
		s.Rule.Count = 10
		end, ok := s.LastEnd()
		require.True(t, ok, rule)
		require.Equal(t, start.Add(time.Hour), end, rule)
	}
}
