package ical

import (
	"time"
)

// maxTransitions bounds the observances of one VTIMEZONE: two a year for
// more than a century.
const maxTransitions = 256

// transition is one change of a zone's offset, or the offset in effect
// at the start of the covered range.
type transition struct {
	at       time.Time // instant of the change
	from, to int       // offsets in seconds east of UTC
	name     string    // abbreviation after the change (TZNAME)
	dst      bool      // daylight saving time after the change
}

// transitions returns the offsets of loc over [from, to]: first the
// observance in effect at from (with the instant it began when the tz
// database knows it), then every change up to to, found with
// time.Time.ZoneBounds, which reads the transitions of the tz database
// itself.
func transitions(loc *time.Location, from, to time.Time) []transition {
	t := from.In(loc)
	name, off := t.Zone()
	start, end := t.ZoneBounds()
	first := transition{at: start, from: off, to: off, name: name, dst: t.IsDST()}
	if !start.IsZero() {
		_, first.from = start.Add(-time.Second).In(loc).Zone()
	}
	out := []transition{first}
	for !end.IsZero() && !end.After(to) && len(out) < maxTransitions {
		next := end.In(loc)
		name, off := next.Zone()
		prev := out[len(out)-1].to
		if off != prev || name != out[len(out)-1].name {
			out = append(out, transition{at: end, from: prev, to: off, name: name, dst: next.IsDST()})
		}
		_, end = next.ZoneBounds()
	}
	return out
}

// appendVTimezone appends a VTIMEZONE for loc covering [from, to]: one
// STANDARD or DAYLIGHT observance per transition, each with an explicit
// DTSTART (local time before the change, as RFC 5545 §3.6.5 requires)
// and no RRULE, so that a client needs no rule interpretation.
func (w *encoder) appendVTimezone(loc *time.Location, from, to time.Time) {
	w.line("BEGIN:VTIMEZONE")
	w.start("TZID")
	w.b = append(w.b, ':')
	w.b = append(w.b, loc.String()...)
	w.end()
	for _, tr := range transitions(loc, from, to) {
		kind := "STANDARD"
		if tr.dst {
			kind = "DAYLIGHT"
		}
		w.line("BEGIN:" + kind)
		w.start("DTSTART")
		w.b = append(w.b, ':')
		if tr.at.IsZero() {
			w.b = append(w.b, "19700101T000000"...)
		} else {
			// Local wall-clock time before the change, in the old offset.
			w.b = appendDateTime(w.b, tr.at.UTC().Add(time.Duration(tr.from)*time.Second), false)
		}
		w.end()
		w.start("TZOFFSETFROM")
		w.b = append(w.b, ':')
		w.b = appendOffset(w.b, tr.from)
		w.end()
		w.start("TZOFFSETTO")
		w.b = append(w.b, ':')
		w.b = appendOffset(w.b, tr.to)
		w.end()
		if tr.name != "" {
			w.start("TZNAME")
			w.b = append(w.b, ':')
			w.b = appendText(w.b, tr.name)
			w.end()
		}
		w.line("END:" + kind)
	}
	w.line("END:VTIMEZONE")
}
