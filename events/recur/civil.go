package recur

import "time"

// Civil (proleptic Gregorian) date arithmetic on day numbers: day 0 is
// 1970-01-01. Expansion works on day numbers and only builds time.Time values
// for occurrences, which keeps scanning periods cheap.

// daysPerCycle is the length of the Gregorian 400-year cycle. It is a
// multiple of 7, so dates, weekdays and leap years all repeat with it.
const daysPerCycle = 146097

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// daysFromCivil returns the day number of y-m-d (m in 1..12, d in 1..31).
// Algorithm from H. Hinnant, "chrono-Compatible Low-Level Date Algorithms".
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400                         // [0, 399]
	doy := int64((153*((m+9)%12)+2)/5 + d - 1) // [0, 365], March-based
	doe := yoe*365 + yoe/4 - yoe/100 + doy     // [0, 146096]
	return era*daysPerCycle + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, daysPerCycle)
	doe := z - era*daysPerCycle                            // [0, 146096]
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // [0, 365]
	mp := (5*doy + 2) / 153                                // [0, 11], March-based
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// weekdayOf returns the weekday of day number z (1970-01-01 was a Thursday).
func weekdayOf(z int64) time.Weekday { return time.Weekday(floorMod(z+4, 7)) }

func isLeap(y int64) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y int64, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func daysInYear(y int64) int {
	if isLeap(y) {
		return 366
	}
	return 365
}

// dayOf returns the day number of t's date in t's own location.
func dayOf(t time.Time) int64 {
	y, m, d := t.Date()
	return daysFromCivil(int64(y), int(m), d)
}
