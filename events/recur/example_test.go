package recur_test

import (
	"fmt"
	"time"

	"codeberg.org/convene/convene/events/recur"
)

// A weekly Thursday-evening meetup in Paris keeps its 19:00 local time when
// France switches to summer time on 29 March 2026; in UTC it moves from 18:00
// to 17:00.
func Example() {
	rule, err := recur.Parse("RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=4")
	if err != nil {
		panic(err)
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	series := recur.Series{
		Start:    time.Date(2026, 3, 19, 19, 0, 0, 0, paris),
		Duration: 2 * time.Hour,
		Rule:     rule,
	}
	from := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, o := range series.Between(from, from.AddDate(0, 2, 0), 0) {
		fmt.Printf("#%d %s (%s)\n", o.Index, o.Start.Format("Mon 2006-01-02 15:04 MST"), o.Start.UTC().Format("15:04Z"))
	}
	end, _ := series.LastEnd()
	fmt.Println("rule:", rule, "ends:", end.Format(time.RFC3339))
	// Output:
	// #0 Thu 2026-03-19 19:00 CET (18:00Z)
	// #1 Thu 2026-03-26 19:00 CET (18:00Z)
	// #2 Thu 2026-04-02 19:00 CEST (17:00Z)
	// #3 Thu 2026-04-09 19:00 CEST (17:00Z)
	// rule: FREQ=WEEKLY;BYDAY=TH;COUNT=4 ends: 2026-04-09T21:00:00+02:00
}
