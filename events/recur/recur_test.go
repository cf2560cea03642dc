package recur_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events/recur"
)

func load(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

// at parses "2006-01-02 15:04" in loc.
func at(t testing.TB, loc *time.Location, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return v
}

func mustParse(t testing.TB, s string) recur.Rule {
	t.Helper()
	r, err := recur.Parse(s)
	require.NoError(t, err, s)
	return r
}

func dates(occs []recur.Occurrence) []string {
	out := make([]string, len(occs))
	for i, o := range occs {
		out[i] = o.Start.Format(time.DateOnly)
	}
	return out
}

func stamps(occs []recur.Occurrence, layout string) []string {
	out := make([]string, len(occs))
	for i, o := range occs {
		out[i] = o.Start.Format(layout)
	}
	return out
}

type expandCase struct {
	name  string
	zone  string // default UTC
	start string // "2006-01-02 15:04" in zone
	rule  string
	// want lists the first occurrences' local dates. Unless unbounded, the
	// rule must produce exactly these.
	want      []string
	unbounded bool
	exdates   []string // "2006-01-02 15:04" in zone
}

func runExpandCases(t *testing.T, cases []expandCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc := time.UTC
			if tc.zone != "" {
				loc = load(t, tc.zone)
			}
			start := at(t, loc, tc.start)
			s := recur.Series{Start: start, Duration: time.Hour, Rule: mustParse(t, tc.rule)}
			for _, x := range tc.exdates {
				s.ExDates = append(s.ExDates, at(t, loc, x))
			}
			limit := len(tc.want) + 1
			if tc.unbounded {
				limit = len(tc.want)
			}
			got := s.Between(start, start.AddDate(200, 0, 0), limit)
			assert.Equal(t, tc.want, dates(got))
			for _, o := range got {
				assert.Equal(t, start.Format("15:04"), o.Start.Format("15:04"), "local time of %s", o.Start)
				assert.Equal(t, loc, o.Start.Location())
				assert.Equal(t, o.Start.Add(time.Hour), o.End)
			}
		})
	}
}

// TestRFC5545Examples runs the examples of RFC 5545 section 3.8.5.3 that are
// within the supported subset (DTSTART 09:00 America/New_York; the series
// cross the end of daylight saving time and must stay at 09:00 local time).
func TestRFC5545Examples(t *testing.T) {
	const ny = "America/New_York"
	runExpandCases(t, []expandCase{
		{name: "daily count", zone: ny, start: "1997-09-02 09:00", rule: "RRULE:FREQ=DAILY;COUNT=10",
			want: []string{"1997-09-02", "1997-09-03", "1997-09-04", "1997-09-05", "1997-09-06", "1997-09-07", "1997-09-08", "1997-09-09", "1997-09-10", "1997-09-11"}},
		{name: "every other day", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=DAILY;INTERVAL=2", unbounded: true,
			want: []string{"1997-09-02", "1997-09-04", "1997-09-06", "1997-09-08"}},
		{name: "every 10 days", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=DAILY;INTERVAL=10;COUNT=5",
			want: []string{"1997-09-02", "1997-09-12", "1997-09-22", "1997-10-02", "1997-10-12"}},
		{name: "weekly count across DST end", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=WEEKLY;COUNT=10",
			want: []string{"1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-10-07", "1997-10-14", "1997-10-21", "1997-10-28", "1997-11-04"}},
		{name: "weekly until with WKST", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH",
			want: []string{"1997-09-02", "1997-09-04", "1997-09-09", "1997-09-11", "1997-09-16", "1997-09-18", "1997-09-23", "1997-09-25", "1997-09-30", "1997-10-02"}},
		{name: "WKST=MO every other week", zone: ny, start: "1997-08-05 09:00", rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO",
			want: []string{"1997-08-05", "1997-08-10", "1997-08-19", "1997-08-24"}},
		{name: "first friday", zone: ny, start: "1997-09-05 09:00", rule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR",
			want: []string{"1997-09-05", "1997-10-03", "1997-11-07", "1997-12-05", "1998-01-02", "1998-02-06", "1998-03-06", "1998-04-03", "1998-05-01", "1998-06-05"}},
		{name: "first and last sunday every other month", zone: ny, start: "1997-09-07 09:00", rule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU",
			want: []string{"1997-09-07", "1997-09-28", "1997-11-02", "1997-11-30", "1998-01-04", "1998-01-25", "1998-03-01", "1998-03-29", "1998-05-03", "1998-05-31"}},
		{name: "second to last monday", zone: ny, start: "1997-09-22 09:00", rule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO",
			want: []string{"1997-09-22", "1997-10-20", "1997-11-17", "1997-12-22", "1998-01-19", "1998-02-16"}},
		{name: "third to last day", zone: ny, start: "1997-09-28 09:00", rule: "FREQ=MONTHLY;BYMONTHDAY=-3", unbounded: true,
			want: []string{"1997-09-28", "1997-10-29", "1997-11-28", "1997-12-29", "1998-01-29", "1998-02-26"}},
		{name: "2nd and 15th", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15",
			want: []string{"1997-09-02", "1997-09-15", "1997-10-02", "1997-10-15", "1997-11-02", "1997-11-15", "1997-12-02", "1997-12-15", "1998-01-02", "1998-01-15"}},
		{name: "first and last day", zone: ny, start: "1997-09-30 09:00", rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1",
			want: []string{"1997-09-30", "1997-10-01", "1997-10-31", "1997-11-01", "1997-11-30", "1997-12-01", "1997-12-31", "1998-01-01", "1998-01-31", "1998-02-01"}},
		{name: "every 18 months 10th to 15th", zone: ny, start: "1997-09-10 09:00", rule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
			want: []string{"1997-09-10", "1997-09-11", "1997-09-12", "1997-09-13", "1997-09-14", "1997-09-15", "1999-03-10", "1999-03-11", "1999-03-12", "1999-03-13"}},
		{name: "every tuesday every other month", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", unbounded: true,
			want: []string{"1997-09-02", "1997-09-09", "1997-09-16", "1997-09-23", "1997-09-30", "1997-11-04", "1997-11-11", "1997-11-18", "1997-11-25", "1998-01-06"}},
		{name: "june and july", zone: ny, start: "1997-06-10 09:00", rule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
			want: []string{"1997-06-10", "1997-07-10", "1998-06-10", "1998-07-10", "1999-06-10", "1999-07-10", "2000-06-10", "2000-07-10", "2001-06-10", "2001-07-10"}},
		{name: "every other year jan feb mar", zone: ny, start: "1997-03-10 09:00", rule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3",
			want: []string{"1997-03-10", "1999-01-10", "1999-02-10", "1999-03-10", "2001-01-10", "2001-02-10", "2001-03-10", "2003-01-10", "2003-02-10", "2003-03-10"}},
		{name: "20th monday of the year", zone: ny, start: "1997-05-19 09:00", rule: "FREQ=YEARLY;BYDAY=20MO", unbounded: true,
			want: []string{"1997-05-19", "1998-05-18", "1999-05-17"}},
		{name: "thursdays in march", zone: ny, start: "1997-03-13 09:00", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH", unbounded: true,
			want: []string{"1997-03-13", "1997-03-20", "1997-03-27", "1998-03-05", "1998-03-12", "1998-03-19", "1998-03-26", "1999-03-04", "1999-03-11", "1999-03-18", "1999-03-25"}},
		{name: "thursdays in summer", zone: ny, start: "1997-06-05 09:00", rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", unbounded: true,
			want: []string{"1997-06-05", "1997-06-12", "1997-06-19", "1997-06-26", "1997-07-03", "1997-07-10", "1997-07-17", "1997-07-24", "1997-07-31", "1997-08-07", "1997-08-14", "1997-08-21", "1997-08-28", "1998-06-04"}},
		{name: "friday 13th with start excluded", zone: ny, start: "1997-09-02 09:00", rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", unbounded: true,
			exdates: []string{"1997-09-02 09:00"},
			want:    []string{"1998-02-13", "1998-03-13", "1998-11-13", "1999-08-13", "2000-10-13"}},
		{name: "saturday after first sunday", zone: ny, start: "1997-09-13 09:00", rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", unbounded: true,
			want: []string{"1997-09-13", "1997-10-11", "1997-11-08", "1997-12-13", "1998-01-10", "1998-02-07", "1998-03-07", "1998-04-11", "1998-05-09", "1998-06-13"}},
		{name: "us presidential election day", zone: ny, start: "1996-11-05 09:00", rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", unbounded: true,
			want: []string{"1996-11-05", "2000-11-07", "2004-11-02"}},
		{name: "invalid dates are skipped", zone: ny, start: "2007-01-15 09:00", rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5",
			want: []string{"2007-01-15", "2007-01-30", "2007-02-15", "2007-03-15", "2007-03-30"}},
	})
}

func TestRFC5545UntilExamples(t *testing.T) {
	ny := load(t, "America/New_York")
	t.Run("daily until december 24", func(t *testing.T) {
		start := at(t, ny, "1997-09-02 09:00")
		s := recur.Series{Start: start, Rule: mustParse(t, "FREQ=DAILY;UNTIL=19971224T000000Z")}
		got := s.Between(start, start.AddDate(1, 0, 0), 0)
		require.Len(t, got, 113)
		assert.Equal(t, "1997-12-23 09:00 EST", got[112].Start.Format("2006-01-02 15:04 MST"))
		assert.Equal(t, 112, got[112].Index)
	})
	t.Run("every day in january for 3 years, until is inclusive", func(t *testing.T) {
		start := at(t, ny, "1998-01-01 09:00")
		for _, rule := range []string{
			"FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
			"FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1",
		} {
			s := recur.Series{Start: start, Rule: mustParse(t, rule)}
			got := s.Between(start, start.AddDate(5, 0, 0), 0)
			require.Len(t, got, 93, rule)
			assert.Equal(t, "2000-01-31", got[92].Start.Format(time.DateOnly), rule)
			end, ok := s.LastEnd()
			require.True(t, ok)
			assert.True(t, end.Equal(time.Date(2000, 1, 31, 14, 0, 0, 0, time.UTC)), "LastEnd %s", end)
		}
	})
}

func TestExpand(t *testing.T) {
	runExpandCases(t, []expandCase{
		// DAILY
		{name: "daily crosses month", start: "2026-01-30 10:00", rule: "FREQ=DAILY;COUNT=3",
			want: []string{"2026-01-30", "2026-01-31", "2026-02-01"}},
		{name: "daily interval", start: "2026-02-20 10:00", rule: "FREQ=DAILY;INTERVAL=10;COUNT=4",
			want: []string{"2026-02-20", "2026-03-02", "2026-03-12", "2026-03-22"}},
		{name: "daily byday filters", start: "2026-03-02 10:00", rule: "FREQ=DAILY;BYDAY=MO,WE,FR;COUNT=5",
			want: []string{"2026-03-02", "2026-03-04", "2026-03-06", "2026-03-09", "2026-03-11"}},
		{name: "daily interval byday", start: "2026-03-02 10:00", rule: "FREQ=DAILY;INTERVAL=3;BYDAY=MO;COUNT=3",
			want: []string{"2026-03-02", "2026-03-23", "2026-04-13"}},
		{name: "daily bymonth counts a non-matching start", start: "2026-01-30 10:00", rule: "FREQ=DAILY;BYMONTH=2;COUNT=3",
			want: []string{"2026-01-30", "2026-02-01", "2026-02-02"}},
		{name: "daily bymonthday", start: "2026-01-01 10:00", rule: "FREQ=DAILY;BYMONTHDAY=1,-1;COUNT=4",
			want: []string{"2026-01-01", "2026-01-31", "2026-02-01", "2026-02-28"}},
		// WEEKLY
		{name: "weekly uses start weekday", start: "2026-01-07 10:00", rule: "FREQ=WEEKLY;COUNT=3",
			want: []string{"2026-01-07", "2026-01-14", "2026-01-21"}},
		{name: "weekly byday interval", start: "2026-01-07 10:00", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=5",
			want: []string{"2026-01-07", "2026-01-19", "2026-01-21", "2026-02-02", "2026-02-04"}},
		{name: "weekly weeks start on monday", start: "2026-01-04 10:00", rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,MO;COUNT=4",
			want: []string{"2026-01-04", "2026-01-12", "2026-01-18", "2026-01-26"}},
		{name: "weekly weekend", start: "2026-01-03 10:00", rule: "FREQ=WEEKLY;BYDAY=SA,SU;COUNT=4",
			want: []string{"2026-01-03", "2026-01-04", "2026-01-10", "2026-01-11"}},
		{name: "weekly start not in byday is counted", start: "2026-01-07 10:00", rule: "FREQ=WEEKLY;BYDAY=MO;COUNT=3",
			want: []string{"2026-01-07", "2026-01-12", "2026-01-19"}},
		{name: "weekly bymonth", start: "2026-02-25 10:00", rule: "FREQ=WEEKLY;BYMONTH=3;COUNT=4",
			want: []string{"2026-02-25", "2026-03-04", "2026-03-11", "2026-03-18"}},
		// MONTHLY
		{name: "monthly uses start day", start: "2026-01-15 10:00", rule: "FREQ=MONTHLY;COUNT=4",
			want: []string{"2026-01-15", "2026-02-15", "2026-03-15", "2026-04-15"}},
		{name: "monthly on the 31st skips short months", start: "2026-01-31 10:00", rule: "FREQ=MONTHLY;COUNT=5",
			want: []string{"2026-01-31", "2026-03-31", "2026-05-31", "2026-07-31", "2026-08-31"}},
		{name: "monthly on the 30th skips february", start: "2026-01-30 10:00", rule: "FREQ=MONTHLY;COUNT=3",
			want: []string{"2026-01-30", "2026-03-30", "2026-04-30"}},
		{name: "monthly last day in a leap year", start: "2024-01-31 10:00", rule: "FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=4",
			want: []string{"2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"}},
		{name: "monthly several days", start: "2026-02-01 10:00", rule: "FREQ=MONTHLY;BYMONTHDAY=1,15,-1;COUNT=6",
			want: []string{"2026-02-01", "2026-02-15", "2026-02-28", "2026-03-01", "2026-03-15", "2026-03-31"}},
		{name: "monthly second tuesday", start: "2026-01-13 10:00", rule: "FREQ=MONTHLY;BYDAY=2TU;COUNT=4",
			want: []string{"2026-01-13", "2026-02-10", "2026-03-10", "2026-04-14"}},
		{name: "monthly last friday", start: "2026-01-30 10:00", rule: "FREQ=MONTHLY;BYDAY=-1FR;COUNT=4",
			want: []string{"2026-01-30", "2026-02-27", "2026-03-27", "2026-04-24"}},
		{name: "monthly fifth sunday skips months", start: "2026-03-29 10:00", rule: "FREQ=MONTHLY;BYDAY=5SU;COUNT=3",
			want: []string{"2026-03-29", "2026-05-31", "2026-08-30"}},
		{name: "monthly every monday every other month", start: "2026-02-02 10:00", rule: "FREQ=MONTHLY;BYDAY=MO;INTERVAL=2;COUNT=6",
			want: []string{"2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23", "2026-04-06", "2026-04-13"}},
		{name: "monthly friday the 13th", start: "2026-02-13 10:00", rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13;COUNT=4",
			want: []string{"2026-02-13", "2026-03-13", "2026-11-13", "2027-08-13"}},
		{name: "monthly bymonth", start: "2026-01-10 10:00", rule: "FREQ=MONTHLY;BYMONTH=1,7;COUNT=3",
			want: []string{"2026-01-10", "2026-07-10", "2027-01-10"}},
		// YEARLY
		{name: "yearly", start: "2026-06-15 10:00", rule: "FREQ=YEARLY;COUNT=3",
			want: []string{"2026-06-15", "2027-06-15", "2028-06-15"}},
		{name: "yearly on february 29", start: "2024-02-29 10:00", rule: "FREQ=YEARLY;COUNT=3",
			want: []string{"2024-02-29", "2028-02-29", "2032-02-29"}},
		{name: "yearly february 29 skips 2100", start: "2096-02-29 10:00", rule: "FREQ=YEARLY;COUNT=2",
			want: []string{"2096-02-29", "2104-02-29"}},
		{name: "yearly mother's day", start: "2026-05-10 10:00", rule: "FREQ=YEARLY;BYMONTH=5;BYDAY=2SU;COUNT=3",
			want: []string{"2026-05-10", "2027-05-09", "2028-05-14"}},
		{name: "yearly thanksgiving", start: "2026-11-26 10:00", rule: "FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;COUNT=2",
			want: []string{"2026-11-26", "2027-11-25"}},
		{name: "yearly last sunday of the year", start: "2026-12-27 10:00", rule: "FREQ=YEARLY;BYDAY=-1SU;COUNT=2",
			want: []string{"2026-12-27", "2027-12-26"}},
		{name: "yearly bymonthday means every month", start: "2026-01-01 10:00", rule: "FREQ=YEARLY;BYMONTHDAY=1;COUNT=3",
			want: []string{"2026-01-01", "2026-02-01", "2026-03-01"}},
		{name: "yearly bymonth uses start day and skips", start: "2026-03-31 10:00", rule: "FREQ=YEARLY;BYMONTH=3,9;COUNT=3",
			want: []string{"2026-03-31", "2027-03-31", "2028-03-31"}},
		{name: "yearly interval", start: "2026-07-04 10:00", rule: "FREQ=YEARLY;INTERVAL=5;COUNT=3",
			want: []string{"2026-07-04", "2031-07-04", "2036-07-04"}},
		// Bounds and exceptions
		{name: "exdates leave the count unchanged", start: "2026-01-01 10:00", rule: "FREQ=DAILY;COUNT=5",
			exdates: []string{"2026-01-03 10:00", "2026-01-04 11:00"}, // the second is not an occurrence
			want:    []string{"2026-01-01", "2026-01-02", "2026-01-04", "2026-01-05"}},
		{name: "until date includes the day", start: "2026-01-01 10:00", rule: "FREQ=DAILY;UNTIL=20260103",
			want: []string{"2026-01-01", "2026-01-02", "2026-01-03"}},
		{name: "start after until", start: "2026-01-01 10:00", rule: "FREQ=DAILY;UNTIL=20250101",
			want: []string{"2026-01-01"}},
	})
}

func TestOccurrenceIndex(t *testing.T) {
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s := recur.Series{Start: start, Duration: time.Hour, Rule: mustParse(t, "FREQ=DAILY;COUNT=5"),
		ExDates: []time.Time{start.AddDate(0, 0, 2)}}
	var idx []int
	for _, o := range s.Between(start, start.AddDate(1, 0, 0), 0) {
		idx = append(idx, o.Index)
	}
	assert.Equal(t, []int{0, 1, 3, 4}, idx, "indexes count excluded occurrences")

	// A far window is reached by skipping, with the right index.
	daily := recur.Series{Start: time.Date(2000, 1, 1, 9, 0, 0, 0, time.UTC), Rule: recur.Rule{Freq: recur.Daily}}
	got := daily.Between(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), 0)
	require.Len(t, got, 1)
	assert.Equal(t, 10958, got[0].Index) // days from 2000-01-01 to 2030-01-01

	weekdays := recur.Series{Start: time.Date(2000, 1, 3, 9, 0, 0, 0, time.UTC), Rule: mustParse(t, "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")}
	got = weekdays.Between(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC), 0)
	require.Len(t, got, 1)
	assert.Equal(t, 7826, got[0].Index) // 1565 weeks and a Monday after Monday 2000-01-03
}

func TestDaylightSaving(t *testing.T) {
	const layout = "2006-01-02 15:04 -07:00"
	utc := func(occs []recur.Occurrence) []string {
		out := make([]string, len(occs))
		for i, o := range occs {
			out[i] = o.Start.UTC().Format("2006-01-02 15:04Z")
		}
		return out
	}
	cases := []struct {
		name, zone, start, rule string
		want, wantUTC           []string
	}{
		{name: "weekly 19:00 in Paris across the March change", zone: "Europe/Paris", start: "2026-03-19 19:00", rule: "FREQ=WEEKLY;COUNT=3",
			want:    []string{"2026-03-19 19:00 +01:00", "2026-03-26 19:00 +01:00", "2026-04-02 19:00 +02:00"},
			wantUTC: []string{"2026-03-19 18:00Z", "2026-03-26 18:00Z", "2026-04-02 17:00Z"}},
		{name: "weekly in Paris across the October change", zone: "Europe/Paris", start: "2026-10-22 19:00", rule: "FREQ=WEEKLY;COUNT=2",
			want:    []string{"2026-10-22 19:00 +02:00", "2026-10-29 19:00 +01:00"},
			wantUTC: []string{"2026-10-22 17:00Z", "2026-10-29 18:00Z"}},
		{name: "weekly in Sao Paulo across the November 2018 change", zone: "America/Sao_Paulo", start: "2018-10-27 10:00", rule: "FREQ=WEEKLY;COUNT=3",
			want:    []string{"2018-10-27 10:00 -03:00", "2018-11-03 10:00 -03:00", "2018-11-10 10:00 -02:00"},
			wantUTC: []string{"2018-10-27 13:00Z", "2018-11-03 13:00Z", "2018-11-10 12:00Z"}},
		{name: "Sao Paulo has no DST since 2019", zone: "America/Sao_Paulo", start: "2025-10-25 10:00", rule: "FREQ=WEEKLY;COUNT=3",
			want:    []string{"2025-10-25 10:00 -03:00", "2025-11-01 10:00 -03:00", "2025-11-08 10:00 -03:00"},
			wantUTC: []string{"2025-10-25 13:00Z", "2025-11-01 13:00Z", "2025-11-08 13:00Z"}},
		// A time in the spring-forward gap moves forward by the gap length.
		{name: "Paris gap", zone: "Europe/Paris", start: "2026-03-28 02:30", rule: "FREQ=DAILY;COUNT=3",
			want:    []string{"2026-03-28 02:30 +01:00", "2026-03-29 03:30 +02:00", "2026-03-30 02:30 +02:00"},
			wantUTC: []string{"2026-03-28 01:30Z", "2026-03-29 01:30Z", "2026-03-30 00:30Z"}},
		// Sao Paulo's 2018 gap was at midnight; west of UTC time.Date
		// would move this back to the previous day.
		{name: "Sao Paulo midnight gap", zone: "America/Sao_Paulo", start: "2018-11-03 00:30", rule: "FREQ=DAILY;COUNT=3",
			want:    []string{"2018-11-03 00:30 -03:00", "2018-11-04 01:30 -02:00", "2018-11-05 00:30 -02:00"},
			wantUTC: []string{"2018-11-03 03:30Z", "2018-11-04 03:30Z", "2018-11-05 02:30Z"}},
		{name: "New York gap", zone: "America/New_York", start: "2026-03-07 02:30", rule: "FREQ=DAILY;COUNT=2",
			want:    []string{"2026-03-07 02:30 -05:00", "2026-03-08 03:30 -04:00"},
			wantUTC: []string{"2026-03-07 07:30Z", "2026-03-08 07:30Z"}},
		// An ambiguous time means its first instance.
		{name: "Paris overlap", zone: "Europe/Paris", start: "2026-10-24 02:30", rule: "FREQ=DAILY;COUNT=2",
			want:    []string{"2026-10-24 02:30 +02:00", "2026-10-25 02:30 +02:00"},
			wantUTC: []string{"2026-10-24 00:30Z", "2026-10-25 00:30Z"}},
		{name: "New York overlap", zone: "America/New_York", start: "2026-10-31 01:30", rule: "FREQ=DAILY;COUNT=2",
			want:    []string{"2026-10-31 01:30 -04:00", "2026-11-01 01:30 -04:00"},
			wantUTC: []string{"2026-10-31 05:30Z", "2026-11-01 05:30Z"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			loc := load(t, tc.zone)
			start := at(t, loc, tc.start)
			s := recur.Series{Start: start, Duration: time.Hour, Rule: mustParse(t, tc.rule)}
			got := s.Between(start, start.AddDate(0, 1, 0), 0)
			assert.Equal(t, tc.want, stamps(got, layout))
			assert.Equal(t, tc.wantUTC, utc(got))
		})
	}

	t.Run("duration is elapsed time", func(t *testing.T) {
		paris := load(t, "Europe/Paris")
		start := at(t, paris, "2026-03-28 01:30")
		s := recur.Series{Start: start, Duration: 2 * time.Hour, Rule: mustParse(t, "FREQ=DAILY;COUNT=2")}
		got := s.Between(start, start.AddDate(0, 0, 7), 0)
		require.Len(t, got, 2)
		assert.Equal(t, "2026-03-28 03:30 +01:00", got[0].End.Format(layout))
		assert.Equal(t, "2026-03-29 04:30 +02:00", got[1].End.Format(layout)) // 01:30 CET + 2h
	})
}

func TestUntilKinds(t *testing.T) {
	paris := load(t, "Europe/Paris")
	start := at(t, paris, "2026-01-01 19:00") // 18:00Z
	cases := []struct {
		rule string
		kind recur.UntilKind
		want int
	}{
		{"FREQ=DAILY;UNTIL=20260105", recur.UntilDate, 5},
		{"FREQ=DAILY;UNTIL=20260104", recur.UntilDate, 4},
		{"FREQ=DAILY;UNTIL=20260105T180000Z", recur.UntilInstant, 5}, // inclusive
		{"FREQ=DAILY;UNTIL=20260105T175959Z", recur.UntilInstant, 4},
		{"FREQ=DAILY;UNTIL=20260105T190000", recur.UntilFloating, 5}, // Paris wall clock
		{"FREQ=DAILY;UNTIL=20260105T185959", recur.UntilFloating, 4},
		{"FREQ=DAILY;UNTIL=20260105T183000", recur.UntilFloating, 4}, // 18:30 UTC would include the 5th
	}
	for _, tc := range cases {
		r := mustParse(t, tc.rule)
		assert.Equal(t, tc.kind, r.UntilKind, tc.rule)
		s := recur.Series{Start: start, Rule: r}
		assert.Len(t, s.Between(start, start.AddDate(1, 0, 0), 0), tc.want, tc.rule)
	}
}

func TestBetweenWindow(t *testing.T) {
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	s := recur.Series{Start: start, Duration: 2 * time.Hour, Rule: recur.Rule{Freq: recur.Daily}}
	day := func(d, h, m int) time.Time { return time.Date(2026, 1, d, h, m, 0, 0, time.UTC) }

	cases := []struct {
		name     string
		from, to time.Time
		limit    int
		want     []string
	}{
		{"occurrence started before from", day(5, 11, 0), day(5, 11, 30), 0, []string{"2026-01-05"}},
		{"occurrences ending at from or starting at to are out", day(5, 12, 0), day(6, 10, 0), 0, nil},
		{"occurrence starting just before to", day(5, 12, 0), day(6, 10, 1), 0, []string{"2026-01-06"}},
		{"several days", day(5, 0, 0), day(8, 0, 0), 0, []string{"2026-01-05", "2026-01-06", "2026-01-07"}},
		{"limit", day(5, 0, 0), day(28, 0, 0), 2, []string{"2026-01-05", "2026-01-06"}},
		{"window before start", day(1, 0, 0).AddDate(-1, 0, 0), day(2, 0, 0), 0, []string{"2026-01-01"}},
		{"empty window", day(5, 0, 0), day(5, 0, 0), 0, nil},
		{"reversed window", day(6, 0, 0), day(5, 0, 0), 0, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Between(tc.from, tc.to, tc.limit)
			if tc.want == nil {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tc.want, dates(got))
		})
	}

	t.Run("limit defaults to MaxExpand", func(t *testing.T) {
		got := s.Between(start, start.AddDate(100, 0, 0), 0)
		assert.Len(t, got, recur.MaxExpand)
		assert.Len(t, s.Between(start, start.AddDate(100, 0, 0), recur.MaxExpand+5), recur.MaxExpand)
	})

	t.Run("zero duration occurrence at from", func(t *testing.T) {
		z := s
		z.Duration = 0
		got := z.Between(day(5, 10, 0), day(5, 11, 0), 0)
		assert.Equal(t, []string{"2026-01-05"}, dates(got))
		o, ok := z.Next(day(5, 10, 0))
		require.True(t, ok)
		assert.Equal(t, day(5, 10, 0), o.Start)
	})

	t.Run("invalid series yields nothing", func(t *testing.T) {
		bad := s
		bad.Duration = -time.Hour
		assert.Nil(t, bad.Between(day(1, 0, 0), day(9, 0, 0), 0))
		_, ok := bad.Next(day(1, 0, 0))
		assert.False(t, ok)
		_, ok = bad.LastEnd()
		assert.False(t, ok)
	})

	t.Run("horizon is year MaxYear", func(t *testing.T) {
		far := time.Date(recur.MaxYear, 12, 30, 0, 0, 0, 0, time.UTC)
		got := s.Between(far, far.AddDate(1, 0, 0), 0)
		assert.Equal(t, []string{"9999-12-30", "9999-12-31"}, dates(got))
		_, ok := s.Next(far.AddDate(0, 0, 2))
		assert.False(t, ok)
	})
}

func TestNext(t *testing.T) {
	start := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC) // Monday
	s := recur.Series{Start: start, Duration: time.Hour, Rule: mustParse(t, "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4"),
		ExDates: []time.Time{time.Date(2026, 1, 12, 10, 0, 0, 0, time.UTC)}}
	cases := []struct {
		name  string
		t     time.Time
		want  string
		index int
		ok    bool
	}{
		{"before the series", start.AddDate(-1, 0, 0), "2026-01-05 10:00", 0, true},
		{"during an occurrence", start.Add(30 * time.Minute), "2026-01-05 10:00", 0, true},
		{"at its end", start.Add(time.Hour), "2026-01-08 10:00", 1, true},
		{"skips exdates", time.Date(2026, 1, 9, 0, 0, 0, 0, time.UTC), "2026-01-15 10:00", 3, true},
		{"after the series", time.Date(2026, 1, 15, 11, 0, 0, 0, time.UTC), "", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, ok := s.Next(tc.t)
			require.Equal(t, tc.ok, ok)
			if ok {
				assert.Equal(t, tc.want, o.Start.Format("2006-01-02 15:04"))
				assert.Equal(t, tc.index, o.Index)
			}
		})
	}
}

func TestLastEnd(t *testing.T) {
	start := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	end := func(d int) time.Time { return time.Date(2026, 1, d, 11, 0, 0, 0, time.UTC) }
	cases := []struct {
		name    string
		rule    string
		exdates []time.Time
		want    time.Time
		ok      bool
	}{
		{"unbounded", "FREQ=DAILY", nil, time.Time{}, false},
		{"count", "FREQ=DAILY;COUNT=5", nil, end(5), true},
		{"count with the last excluded", "FREQ=DAILY;COUNT=5", []time.Time{end(5).Add(-time.Hour)}, end(4), true},
		{"until", "FREQ=DAILY;UNTIL=20260110T100000Z", nil, end(10), true},
		{"until between occurrences", "FREQ=WEEKLY;UNTIL=20260120", nil, end(15), true},
		{"until far after the last match", "FREQ=DAILY;BYMONTH=1;UNTIL=20301130", nil, time.Date(2030, 1, 31, 11, 0, 0, 0, time.UTC), true},
		{"everything excluded", "FREQ=DAILY;COUNT=1", []time.Time{start}, time.Time{}, false},
		{"until with the tail excluded", "FREQ=DAILY;UNTIL=20260103",
			[]time.Time{end(2).Add(-time.Hour), end(3).Add(-time.Hour)}, end(1), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := recur.Series{Start: start, Duration: time.Hour, Rule: mustParse(t, tc.rule), ExDates: tc.exdates}
			got, ok := s.LastEnd()
			require.Equal(t, tc.ok, ok)
			assert.True(t, tc.want.Equal(got), "got %s, want %s", got, tc.want)
		})
	}
}

func TestParse(t *testing.T) {
	until := func(s string) time.Time {
		v, err := time.Parse("20060102T150405", s)
		require.NoError(t, err)
		return v
	}
	cases := []struct {
		in   string
		want recur.Rule
	}{
		{"FREQ=DAILY", recur.Rule{Freq: recur.Daily}},
		{"RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE", recur.Rule{Freq: recur.Weekly, Interval: 2,
			ByDay: []recur.WeekdayNum{{Day: time.Monday}, {Day: time.Wednesday}}}},
		{" rrule:freq=monthly;byday=+2tu,-1fr;count=6; ", recur.Rule{Freq: recur.Monthly, Count: 6,
			ByDay: []recur.WeekdayNum{{N: 2, Day: time.Tuesday}, {N: -1, Day: time.Friday}}}},
		{"FREQ=YEARLY;BYMONTH=5;BYDAY=2SU", recur.Rule{Freq: recur.Yearly, ByMonth: []time.Month{time.May},
			ByDay: []recur.WeekdayNum{{N: 2, Day: time.Sunday}}}},
		{"FREQ=MONTHLY;BYMONTHDAY=1,-1,+15", recur.Rule{Freq: recur.Monthly, ByMonthDay: []int{1, -1, 15}}},
		{"FREQ=DAILY;UNTIL=20261231", recur.Rule{Freq: recur.Daily, Until: until("20261231T000000"), UntilKind: recur.UntilDate}},
		{"FREQ=DAILY;UNTIL=20261231T235959Z", recur.Rule{Freq: recur.Daily, Until: until("20261231T235959")}},
		{"FREQ=DAILY;UNTIL=20261231t235959", recur.Rule{Freq: recur.Daily, Until: until("20261231T235959"), UntilKind: recur.UntilFloating}},
		{"FREQ=WEEKLY;WKST=SU;BYDAY=TU", recur.Rule{Freq: recur.Weekly, ByDay: []recur.WeekdayNum{{Day: time.Tuesday}}}},
		{"FREQ=MONTHLY;INTERVAL=3;WKST=SU", recur.Rule{Freq: recur.Monthly, Interval: 3}},
		{"FREQ=WEEKLY;INTERVAL=2;WKST=MO", recur.Rule{Freq: recur.Weekly, Interval: 2}},
		{"INTERVAL=1;FREQ=DAILY", recur.Rule{Freq: recur.Daily, Interval: 1}},
	}
	for _, tc := range cases {
		got, err := recur.Parse(tc.in)
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got, tc.in)
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct {
		in, part    string
		unsupported bool
	}{
		{"", "FREQ", false},
		{"RRULE:", "FREQ", false},
		{"INTERVAL=2", "FREQ", false},
		{"FREQ", "FREQ", false},
		{"FREQ=", "FREQ", false},
		{"FREQ=FORTNIGHTLY", "FREQ", false},
		{"FREQ=HOURLY", "FREQ", true},
		{"FREQ=MINUTELY", "FREQ", true},
		{"FREQ=DAILY;FREQ=WEEKLY", "FREQ", false},
		{"FREQ=DAILY;INTERVAL=0", "INTERVAL", false},
		{"FREQ=DAILY;INTERVAL=-1", "INTERVAL", false},
		{"FREQ=DAILY;INTERVAL=+2", "INTERVAL", false},
		{"FREQ=DAILY;INTERVAL=1001", "INTERVAL", false},
		{"FREQ=DAILY;INTERVAL=9999999999999999999", "INTERVAL", false},
		{"FREQ=DAILY;INTERVAL=two", "INTERVAL", false},
		{"FREQ=DAILY;COUNT=0", "COUNT", false},
		{"FREQ=DAILY;COUNT=1001", "COUNT", false},
		{"FREQ=DAILY;COUNT=3;UNTIL=20261231", "COUNT", false},
		{"FREQ=DAILY;UNTIL=2026", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=20260230", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=20261231T250000Z", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=20261231T235960Z", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=20261231T2359+0100", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=2026-12-31", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=00010101", "UNTIL", false},
		{"FREQ=DAILY;UNTIL=", "UNTIL", false},
		{"FREQ=DAILY;BYDAY=XX", "BYDAY", false},
		{"FREQ=DAILY;BYDAY=", "BYDAY", false},
		{"FREQ=DAILY;BYDAY=MO,,TU", "BYDAY", false},
		{"FREQ=DAILY;BYDAY=1MO", "BYDAY", false},
		{"FREQ=WEEKLY;BYDAY=-1FR", "BYDAY", false},
		{"FREQ=MONTHLY;BYDAY=0MO", "BYDAY", false},
		{"FREQ=MONTHLY;BYDAY=6MO", "BYDAY", false},
		{"FREQ=MONTHLY;BYDAY=+MO", "BYDAY", false},
		{"FREQ=YEARLY;BYMONTH=1;BYDAY=10MO", "BYDAY", false},
		{"FREQ=YEARLY;BYDAY=54MO", "BYDAY", false},
		{"FREQ=MONTHLY;BYMONTHDAY=0", "BYMONTHDAY", false},
		{"FREQ=MONTHLY;BYMONTHDAY=32", "BYMONTHDAY", false},
		{"FREQ=MONTHLY;BYMONTHDAY=-32", "BYMONTHDAY", false},
		{"FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY", false},
		{"FREQ=YEARLY;BYMONTH=13", "BYMONTH", false},
		{"FREQ=YEARLY;BYMONTH=0", "BYMONTH", false},
		{"FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12,1", "BYMONTH", false},
		{"FREQ=YEARLY;BYSETPOS=-1;BYDAY=MO", "BYSETPOS", true},
		{"FREQ=DAILY;BYHOUR=9", "BYHOUR", true},
		{"FREQ=DAILY;BYMINUTE=0", "BYMINUTE", true},
		{"FREQ=DAILY;BYSECOND=0", "BYSECOND", true},
		{"FREQ=YEARLY;BYWEEKNO=20", "BYWEEKNO", true},
		{"FREQ=YEARLY;BYYEARDAY=100", "BYYEARDAY", true},
		{"FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU,TH", "WKST", true},
		{"FREQ=WEEKLY;WKST=XX", "WKST", false},
		{"FREQ=DAILY;X-NAME=1", "X-NAME", false},
		{"FREQ=DAILY;COLOR", "COLOR", false},
		{"FREQ=DAILY;" + strings.Repeat("BYDAY=MO;", 60), "RRULE", false},
	}
	for _, tc := range cases {
		_, err := recur.Parse(tc.in)
		require.Error(t, err, tc.in)
		assert.ErrorIs(t, err, recur.ErrInvalid, tc.in)
		assert.Equal(t, tc.unsupported, errors.Is(err, recur.ErrUnsupported), "%s: %v", tc.in, err)
		var re *recur.Error
		require.ErrorAs(t, err, &re, tc.in)
		assert.Equal(t, tc.part, re.Part, "%s: %v", tc.in, err)
		assert.Contains(t, err.Error(), tc.part, tc.in)
	}
}

func TestValidate(t *testing.T) {
	until := time.Date(2026, 12, 31, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		r    recur.Rule
		part string // "" = valid
	}{
		{"zero interval and count", recur.Rule{Freq: recur.Daily}, ""},
		{"until in another zone", recur.Rule{Freq: recur.Daily, Until: until.In(time.FixedZone("X", 3600))}, ""},
		{"missing freq", recur.Rule{}, "FREQ"},
		{"lower-case freq", recur.Rule{Freq: "daily"}, "FREQ"},
		{"negative interval", recur.Rule{Freq: recur.Daily, Interval: -1}, "INTERVAL"},
		{"negative count", recur.Rule{Freq: recur.Daily, Count: -1}, "COUNT"},
		{"kind without until", recur.Rule{Freq: recur.Daily, UntilKind: recur.UntilDate}, "UNTIL"},
		{"unknown kind", recur.Rule{Freq: recur.Daily, Until: until, UntilKind: 7}, "UNTIL"},
		{"date not at midnight", recur.Rule{Freq: recur.Daily, Until: until.Add(time.Hour), UntilKind: recur.UntilDate}, "UNTIL"},
		{"sub-second until", recur.Rule{Freq: recur.Daily, Until: until.Add(time.Millisecond)}, "UNTIL"},
		{"until after MaxYear", recur.Rule{Freq: recur.Daily, Until: until.AddDate(8000, 0, 0)}, "UNTIL"},
		{"bad weekday", recur.Rule{Freq: recur.Weekly, ByDay: []recur.WeekdayNum{{Day: 7}}}, "BYDAY"},
		{"too many bydays", recur.Rule{Freq: recur.Weekly, ByDay: make([]recur.WeekdayNum, recur.MaxByDay+1)}, "BYDAY"},
		{"too many monthdays", recur.Rule{Freq: recur.Monthly, ByMonthDay: make([]int, recur.MaxByMonthDay+1)}, "BYMONTHDAY"},
	}
	for _, tc := range cases {
		err := tc.r.Validate()
		if tc.part == "" {
			assert.NoError(t, err, tc.name)
			continue
		}
		var re *recur.Error
		require.ErrorAs(t, err, &re, tc.name)
		assert.Equal(t, tc.part, re.Part, "%s: %v", tc.name, err)
		assert.ErrorIs(t, err, recur.ErrInvalid)
	}

	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := recur.Series{Start: start, Rule: recur.Rule{Freq: recur.Daily}}
	require.NoError(t, ok.Validate())
	for part, s := range map[string]recur.Series{
		"DTSTART":  {Rule: ok.Rule},
		"DURATION": {Start: start, Duration: -1, Rule: ok.Rule},
		"FREQ":     {Start: start},
	} {
		var re *recur.Error
		require.ErrorAs(t, s.Validate(), &re, part)
		assert.Equal(t, part, re.Part)
	}
	late := ok
	late.Start = time.Date(recur.MaxYear+1, 1, 1, 0, 0, 0, 0, time.UTC)
	assert.ErrorIs(t, late.Validate(), recur.ErrInvalid)
}

func TestString(t *testing.T) {
	cases := []struct {
		r    recur.Rule
		want string
	}{
		{recur.Rule{Freq: recur.Daily}, "FREQ=DAILY"},
		{recur.Rule{Freq: recur.Weekly, Interval: 2, ByDay: []recur.WeekdayNum{{Day: time.Monday}, {Day: time.Wednesday}},
			Until: time.Date(2027, 1, 1, 0, 0, 0, 0, load(t, "Europe/Paris"))},
			"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261231T230000Z"},
		{recur.Rule{Freq: recur.Monthly, Count: 6, ByDay: []recur.WeekdayNum{{N: 2, Day: time.Tuesday}, {N: -1, Day: time.Friday}}},
			"FREQ=MONTHLY;BYDAY=2TU,-1FR;COUNT=6"},
		{recur.Rule{Freq: recur.Yearly, ByMonth: []time.Month{time.May, time.June}, ByMonthDay: []int{1, -1},
			Until: time.Date(2030, 5, 1, 0, 0, 0, 0, time.UTC), UntilKind: recur.UntilDate},
			"FREQ=YEARLY;BYMONTH=5,6;BYMONTHDAY=1,-1;UNTIL=20300501"},
		{recur.Rule{Freq: recur.Daily, Until: time.Date(2030, 5, 1, 9, 30, 0, 0, time.UTC), UntilKind: recur.UntilFloating},
			"FREQ=DAILY;UNTIL=20300501T093000"},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, tc.r.String())
		back, err := recur.Parse(tc.r.String())
		require.NoError(t, err, tc.want)
		assert.True(t, back.Equal(tc.r), "%s round trip: %#v", tc.want, back)
	}
	assert.Equal(t, "-53SU", recur.WeekdayNum{N: -53, Day: time.Sunday}.String())
}

func TestRoundTrip(t *testing.T) {
	for _, s := range []string{
		"FREQ=DAILY",
		"FREQ=DAILY;INTERVAL=1",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261231T230000Z",
		"FREQ=WEEKLY;BYMONTH=12,1;BYDAY=SU,SA,SU",
		"FREQ=MONTHLY;BYMONTHDAY=-1,1,15;COUNT=1000",
		"FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR",
		"FREQ=MONTHLY;INTERVAL=1000;BYDAY=5MO,-5SU",
		"FREQ=YEARLY;BYMONTH=11;BYDAY=4TH",
		"FREQ=YEARLY;BYDAY=53MO,-53FR,MO;UNTIL=99991231",
		"FREQ=YEARLY;UNTIL=00010101T000001",
	} {
		r := mustParse(t, s)
		assert.Equal(t, s, r.String())
		back := mustParse(t, r.String())
		assert.Equal(t, r, back)
		assert.True(t, r.Equal(back))
	}
}

func TestRuleEqual(t *testing.T) {
	a := recur.Rule{Freq: recur.Daily, Until: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	b := a
	b.Until = a.Until.In(load(t, "Asia/Tokyo"))
	b.ByDay = []recur.WeekdayNum{}
	assert.True(t, a.Equal(b), "same instant, nil and empty list")
	b.ByDay = []recur.WeekdayNum{{Day: time.Monday}}
	assert.False(t, a.Equal(b))
	assert.False(t, a.Equal(recur.Rule{Freq: recur.Weekly, Until: a.Until}))
}

// BenchmarkBetween expands a one-month window of a daily series that started
// five years earlier.
func BenchmarkBetween(b *testing.B) {
	paris := load(b, "Europe/Paris")
	s := recur.Series{
		Start:    time.Date(2021, 3, 1, 9, 30, 0, 0, paris),
		Duration: time.Hour,
		Rule:     recur.Rule{Freq: recur.Daily},
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, paris)
	to := from.AddDate(0, 1, 0)
	n := 0
	for b.Loop() {
		n = len(s.Between(from, to, 0))
	}
	if n != 31 {
		b.Fatalf("got %d occurrences, want 31", n)
	}
	b.ReportMetric(float64(n), "occurrences/op")
}
