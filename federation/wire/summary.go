package wire

import (
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/events/recur"
	"codeberg.org/convene/convene/geo"
)

// Summary returns the plain-text summary an Event document carries for
// servers that show events as posts (Mastodon puts it under the title,
// GoToSocial uses it as the content warning): the status when it is not
// confirmed, the date and time in the event's zone with the zone's name and
// UTC offset, the place in plain words, and for a recurring event the
// rule in words. It is in English, whatever the event's language.
//
//	Saturday, May 17, 2025, 2:00 PM – 6:00 PM (Europe/Paris, UTC+02:00). Maison des associations, 10 Rue Jangot, 69007 Lyon, France.
func Summary(v EventView) (string, error) {
	start, end, loc, err := v.occurrence()
	if err != nil {
		return "", err
	}
	return string(appendSummary(nil, &v.Event, start, end, loc, appendPlain)), nil
}

func appendPlain(b []byte, s string) []byte { return append(b, s...) }

// appendSummary appends the summary to b, every piece of text through
// add (plain, or JSON-escaped straight into a document).
func appendSummary(b []byte, ev *events.Event, start, end time.Time, loc *time.Location, add func([]byte, string) []byte) []byte {
	switch ev.Status {
	case events.Cancelled:
		b = add(b, "Cancelled: ")
	case events.Postponed:
		b = add(b, "Postponed: ")
	case events.Tentative:
		b = add(b, "To be confirmed: ")
	}
	if ev.Recurrence != "" {
		b = add(b, "Next: ")
	}
	s, e := start.In(loc), end.In(loc)
	const day, clock = "Monday, January 2, 2006", "3:04 PM"
	b = s.AppendFormat(b, day+", "+clock)
	if !end.IsZero() && end.After(start) {
		b = add(b, " – ")
		if sy, sm, sd := s.Date(); !sameDay(e, sy, sm, sd) {
			b = e.AppendFormat(b, day+", ")
		}
		b = e.AppendFormat(b, clock)
	}
	b = add(b, " (")
	b = add(b, zoneName(ev.TimeZone, loc))
	if _, off := s.Zone(); off != 0 || loc != time.UTC {
		b = add(b, ", UTC")
		b = s.AppendFormat(b, "-07:00")
	}
	b = add(b, ").")
	if ev.Recurrence != "" {
		if r, err := recur.Parse(ev.Recurrence); err == nil {
			b = add(b, " Repeats ")
			b = add(b, ruleWords(r))
			b = add(b, ".")
		}
	}
	hasPlace := !ev.Place.IsZero()
	if hasPlace {
		b = add(b, " ")
		b = appendPlace(b, ev.Place, add)
	}
	switch {
	case hasPlace && ev.OnlineAddress != "":
		b = add(b, ", and online.")
	case hasPlace:
		b = add(b, ".")
	case ev.OnlineAddress != "":
		b = add(b, " Online.")
	}
	return b
}

func sameDay(t time.Time, y int, m time.Month, d int) bool {
	ty, tm, td := t.Date()
	return ty == y && tm == m && td == d
}

func zoneName(tz string, loc *time.Location) string {
	if tz != "" {
		return tz
	}
	if loc == nil || loc == time.UTC {
		return "UTC"
	}
	return loc.String()
}

// appendPlace writes the place as one line: name, street, postal code and
// locality, region when there is no locality, country.
func appendPlace(b []byte, p *geo.Place, add func([]byte, string) []byte) []byte {
	first := true
	part := func(ss ...string) {
		empty := true
		for _, x := range ss {
			if strings.TrimSpace(x) != "" {
				empty = false
			}
		}
		if empty {
			return
		}
		if !first {
			b = add(b, ", ")
		}
		first = false
		sep := false
		for _, x := range ss {
			if x = strings.TrimSpace(x); x != "" {
				if sep {
					b = add(b, " ")
				}
				b = add(b, x)
				sep = true
			}
		}
	}
	part(p.Name)
	part(p.Street)
	part(p.PostalCode, p.Locality)
	if strings.TrimSpace(p.Locality) == "" {
		part(p.Region)
	}
	part(p.Country)
	return b
}

// ruleWords says a recurrence rule in English: "every week on Tuesday",
// "every 2 months on day 5", "daily, 10 times".
func ruleWords(r recur.Rule) string {
	n := max(r.Interval, 1)
	unit := map[recur.Frequency]string{recur.Daily: "day", recur.Weekly: "week", recur.Monthly: "month", recur.Yearly: "year"}[r.Freq]
	var b strings.Builder
	b.WriteString("every ")
	if n > 1 {
		b.WriteString(strconv.Itoa(n) + " " + unit + "s")
	} else {
		b.WriteString(unit)
	}
	if len(r.ByDay) > 0 {
		b.WriteString(" on ")
		for i, d := range r.ByDay {
			if i > 0 {
				b.WriteString(", ")
			}
			switch {
			case d.N == -1:
				b.WriteString("the last ")
			case d.N > 0:
				b.WriteString("the " + ordinal(d.N) + " ")
			}
			b.WriteString(d.Day.String())
		}
	}
	if len(r.ByMonthDay) > 0 {
		b.WriteString(" on day")
		if len(r.ByMonthDay) > 1 {
			b.WriteString("s")
		}
		for i, d := range r.ByMonthDay {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(" " + strconv.Itoa(d))
		}
	}
	switch {
	case r.Count > 0:
		b.WriteString(", " + strconv.Itoa(r.Count) + " times")
	case !r.Until.IsZero():
		b.WriteString(", until " + r.Until.Format("January 2, 2006"))
	}
	return b.String()
}

func ordinal(n int) string {
	switch n {
	case 1:
		return "first"
	case 2:
		return "second"
	case 3:
		return "third"
	case 4:
		return "fourth"
	case 5:
		return "fifth"
	}
	return strconv.Itoa(n) + "th"
}
