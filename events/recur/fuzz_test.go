package recur_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events/recur"
)

func ruleSeeds() []string {
	return []string{
		"FREQ=DAILY",
		"RRULE:FREQ=DAILY;COUNT=10",
		"FREQ=DAILY;INTERVAL=3;BYDAY=MO,FR;BYMONTH=2,3",
		"FREQ=DAILY;BYMONTHDAY=29;BYMONTH=2",
		"FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261231T230000Z",
		"FREQ=WEEKLY;WKST=SU;BYDAY=SU,SA",
		"FREQ=WEEKLY;BYMONTH=12;COUNT=7",
		"FREQ=MONTHLY;COUNT=12",
		"FREQ=MONTHLY;BYMONTHDAY=-1,1,31",
		"FREQ=MONTHLY;BYDAY=2TU,-1FR;UNTIL=20300101",
		"FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
		"FREQ=MONTHLY;INTERVAL=18;BYDAY=5SU",
		"FREQ=YEARLY",
		"FREQ=YEARLY;BYMONTH=5;BYDAY=2SU;UNTIL=20401231T235959",
		"FREQ=YEARLY;BYDAY=20MO,-1SU",
		"FREQ=YEARLY;BYMONTHDAY=1;INTERVAL=7",
		"FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
		"freq=yearly;bymonth=2;bymonthday=29;count=3",
		"FREQ=HOURLY",
		"FREQ=DAILY;BYSETPOS=1",
		"FREQ=DAILY;UNTIL=20260230",
		"FREQ=MONTHLY;BYDAY=+5MO;;",
		"FREQ=DAILY;COUNT=2;UNTIL=20260101",
		"",
	}
}

// FuzzParse checks that Parse never panics, that its errors are well formed
// and that every rule it accepts survives String and Parse unchanged.
func FuzzParse(f *testing.F) {
	for _, s := range ruleSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := recur.Parse(s)
		if err != nil {
			require.ErrorIs(t, err, recur.ErrInvalid)
			var re *recur.Error
			require.ErrorAs(t, err, &re)
			require.NotEmpty(t, re.Part)
			require.Equal(t, re.Unsupported, errors.Is(err, recur.ErrUnsupported))
			return
		}
		require.NoError(t, r.Validate(), s)
		text := r.String()
		require.LessOrEqual(t, len(text), recur.MaxRuleLength, "canonical text is never longer than the input")
		back, err := recur.Parse(text)
		require.NoError(t, err, "%q -> %q", s, text)
		require.Equal(t, r, back, "%q -> %q", s, text)
		require.Equal(t, text, back.String())
	})
}

func fuzzZones() []string {
	return []string{"UTC", "Europe/Paris", "America/Sao_Paulo", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "Pacific/Chatham"}
}

// FuzzBetween checks properties of Between, Next and LastEnd on arbitrary
// rules: results are chronological, overlap the window, respect the limit,
// COUNT, UNTIL and ExDates, and a window reached by skipping periods agrees
// with an expansion walked from the start of the series.
func FuzzBetween(f *testing.F) {
	for i, s := range ruleSeeds() {
		f.Add(s, int64(i)*86400*97+int64(i)*3607, uint8(i), uint32(i*37), int64(i*1000), uint32(24*(i+1)), int16(i-3), uint16(i*3))
	}
	zones := fuzzZones()
	f.Fuzz(func(t *testing.T, rule string, startSec int64, zone uint8, durMin uint32, fromHours int64, windowHours uint32, limit int16, exEvery uint16) {
		r, err := recur.Parse(rule)
		if err != nil {
			return
		}
		loc, err := time.LoadLocation(zones[int(zone)%len(zones)])
		require.NoError(t, err)
		// Start within 1900..2100, windows within about 40 years of it.
		start := time.Unix(-2208988800+int64(uint64(startSec)%(200*365*86400)), 0).In(loc)
		from := start.Add(time.Duration(fromHours%(40*365*24)) * time.Hour)
		to := from.Add(time.Duration(windowHours%(3*365*24)+1) * time.Hour)
		s := recur.Series{Start: start, Duration: time.Duration(durMin%(60*24*40)) * time.Minute, Rule: r}

		// The series walked from its start, without exceptions.
		wideTo := to
		if !wideTo.After(start) {
			wideTo = start.Add(time.Hour)
		}
		all := s.Between(start, wideTo, 0)
		complete := len(all) < recur.MaxExpand
		require.NotEmpty(t, all)
		require.True(t, all[0].Start.Equal(start), "the first occurrence is Start")
		for i, o := range all {
			require.Equal(t, i, o.Index)
		}
		// Exclude some occurrences.
		if exEvery > 0 {
			for i := 0; i < len(all); i += int(exEvery) {
				s.ExDates = append(s.ExDates, all[i].Start.UTC())
			}
		}
		excluded := func(o recur.Occurrence) bool {
			for _, x := range s.ExDates {
				if x.Equal(o.Start) {
					return true
				}
			}
			return false
		}
		overlaps := func(o recur.Occurrence) bool {
			if s.Duration == 0 {
				return !o.Start.Before(from) && o.Start.Before(to)
			}
			return o.End.After(from) && o.Start.Before(to)
		}

		got := s.Between(from, to, int(limit))
		lim := int(limit)
		if lim <= 0 {
			lim = recur.MaxExpand
		}
		require.LessOrEqual(t, len(got), lim)
		for i, o := range got {
			require.True(t, overlaps(o), "occurrence %v outside [%v, %v)", o, from, to)
			require.False(t, excluded(o))
			require.Equal(t, o.Start.Add(s.Duration), o.End)
			require.Equal(t, loc, o.Start.Location())
			if r.Count > 0 {
				require.Less(t, o.Index, r.Count)
			}
			if !r.Until.IsZero() && r.UntilKind == recur.UntilInstant && o.Index > 0 {
				require.False(t, o.Start.After(r.Until))
			}
			if i > 0 {
				require.Greater(t, o.Index, got[i-1].Index)
				require.False(t, o.Start.Before(got[i-1].Start), "not chronological")
			}
		}

		if complete {
			var want []recur.Occurrence
			for _, o := range all {
				if overlaps(o) && !excluded(o) && len(want) < lim {
					want = append(want, o)
				}
			}
			require.Equal(t, len(want), len(got), "window result differs from the walked series")
			for i := range want {
				require.Equal(t, want[i].Index, got[i].Index)
				require.True(t, want[i].Start.Equal(got[i].Start))
			}
		}

		if next, ok := s.Next(from); len(got) > 0 {
			require.True(t, ok)
			require.Equal(t, got[0].Index, next.Index)
			require.True(t, got[0].Start.Equal(next.Start))
		} else if ok {
			require.False(t, next.Start.Before(to), "Next found %v inside an empty window", next)
		}

		if last, ok := s.LastEnd(); ok {
			require.True(t, r.Count > 0 || !r.Until.IsZero())
			if len(got) > 0 {
				require.False(t, got[len(got)-1].End.After(last))
			}
			_, after := s.Next(last.Add(time.Nanosecond))
			require.False(t, after, "an occurrence ends after LastEnd")
		}
	})
}
