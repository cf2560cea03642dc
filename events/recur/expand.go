package recur

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"
)

// MaxExpand is the most occurrences a single Between call returns.
const MaxExpand = 10000

// Series is a recurring event: the first occurrence's start, a duration, a
// rule and exception dates.
type Series struct {
	// Start is the first occurrence (DTSTART). Its Location is the series'
	// time zone: every occurrence starts at Start's local wall-clock time in
	// that zone. Its year must be between 1 and MaxYear.
	Start time.Time
	// Duration of each occurrence, as elapsed time (End = Start + Duration).
	// Must not be negative; zero-length occurrences are instants.
	Duration time.Duration
	// Rule generates the occurrences after Start.
	Rule Rule
	// ExDates are occurrence starts to skip (EXDATE), compared as instants.
	// Dates that are not occurrences are ignored.
	ExDates []time.Time
}

// Occurrence is one instance of a series.
type Occurrence struct {
	// Start and End are in the series' location; End = Start + Duration.
	Start, End time.Time
	// Index is the 0-based position of the occurrence among those the rule
	// generates, counting occurrences removed by ExDates (as COUNT does). The
	// first occurrence (Series.Start) has Index 0.
	Index int
}

// Validate reports whether s can be expanded: its rule is valid, Start is set
// and within years 1..MaxYear, and Duration is not negative. Errors are of
// type *Error and match ErrInvalid.
func (s Series) Validate() error {
	if err := s.Rule.Validate(); err != nil {
		return err
	}
	if s.Start.IsZero() {
		return invalid("DTSTART", "missing")
	}
	if y := s.Start.Year(); y < 1 || y > MaxYear {
		return invalid("DTSTART", "year "+strconv.Itoa(y)+" out of range 1.."+strconv.Itoa(MaxYear))
	}
	if s.Duration < 0 {
		return invalid("DURATION", "negative")
	}
	return nil
}

// Between returns the occurrences that overlap the window [from, to), in
// chronological order, at most limit of them (limit <= 0 or > MaxExpand means
// MaxExpand). An occurrence overlaps the window when End > from and Start <
// to; a zero-length occurrence is included when from <= Start < to. It
// returns nil when from is not before to or s is invalid (see Validate).
//
// Complexity: Between skips whole periods arithmetically instead of
// generating the occurrences before from. For rules that produce the same
// number of occurrences every period (plain DAILY and WEEKLY rules, MONTHLY
// on days 1..28 or on the 1st..4th weekday, and similar) skipping is O(1);
// otherwise it uses the periodicity of the Gregorian calendar and costs at
// most two 400-year cycles of day tests (a few milliseconds in the worst
// case, independent of how far from is from Start). The rest is linear in
// the number of occurrences returned plus len(ExDates) and the excluded
// occurrences met; each is one time.Date call.
func (s Series) Between(from, to time.Time, limit int) []Occurrence {
	if limit <= 0 || limit > MaxExpand {
		limit = MaxExpand
	}
	if !from.Before(to) {
		return nil
	}
	e := newExpander(s)
	if e == nil {
		return nil
	}
	it := e.iterFrom(from, dayOf(to.In(e.loc))+1)
	var out []Occurrence
	for {
		t, idx, ok := it.next()
		if !ok || !t.Before(to) {
			return out
		}
		o := Occurrence{Start: t, End: t.Add(e.dur), Index: idx}
		if !e.overlaps(o, from) || e.excluded(t) {
			continue
		}
		out = append(out, o)
		if len(out) == limit {
			return out
		}
	}
}

// Next returns the first occurrence that ends after t (for a zero-length
// occurrence: that starts at or after t), which is the one in progress at t
// or else the next to start. ok is false if there is none or s is invalid.
// Its cost is that of Between.
func (s Series) Next(t time.Time) (Occurrence, bool) {
	e := newExpander(s)
	if e == nil {
		return Occurrence{}, false
	}
	it := e.iterFrom(t, math.MaxInt64)
	for {
		st, idx, ok := it.next()
		if !ok {
			return Occurrence{}, false
		}
		o := Occurrence{Start: st, End: st.Add(e.dur), Index: idx}
		if e.overlaps(o, t) && !e.excluded(st) {
			return o, true
		}
	}
}

// LastEnd returns the end of the series' last occurrence (after removing
// ExDates), for storing a series' end for search pre-filtering. ok is false
// if the series is unbounded (neither COUNT nor UNTIL), has no occurrences
// left, or is invalid. COUNT-bounded series are expanded in full (at most
// MaxCount occurrences); UNTIL-bounded ones are searched backwards from
// UNTIL.
func (s Series) LastEnd() (time.Time, bool) {
	e := newExpander(s)
	if e == nil || (e.count == 0 && e.untilKind == untilNone) {
		return time.Time{}, false
	}
	if e.untilKind != untilNone {
		// Scan ever larger tails of the series until one holds a
		// non-excluded occurrence.
		for back := int64(1); ; back *= 2 {
			j := e.periodOf(e.lastDay) - back
			if j <= 0 {
				break
			}
			t, found, exhausted := e.lastFrom(j)
			if found {
				return t, true
			}
			if exhausted { // no period after the first has candidates
				if e.excluded(e.start) {
					return time.Time{}, false
				}
				return e.start.Add(e.dur), true
			}
		}
	}
	t, found, _ := e.lastFrom(0)
	return t, found
}

// lastFrom returns the end of the last non-excluded occurrence in periods j
// and later. exhausted reports that the scan ended on a cycle of empty
// periods, so that no period after the first has candidates.
func (e *expander) lastFrom(j int64) (last time.Time, found, exhausted bool) {
	it := e.iterAt(j, math.MaxInt64, e.count > 0)
	for {
		t, _, ok := it.next()
		if !ok {
			return last, found, it.exhausted
		}
		if !e.excluded(t) {
			last, found = t.Add(e.dur), true
		}
	}
}

// untilNone marks an expander without UNTIL; it is not a valid UntilKind.
const untilNone UntilKind = math.MaxUint8

// exKey identifies an instant; time.Time values are not comparable with ==.
type exKey struct {
	sec  int64
	nsec int
}

func keyOf(t time.Time) exKey { return exKey{t.Unix(), t.Nanosecond()} }

// expander holds a series prepared for expansion. Occurrences are grouped by
// period: period i is the i-th day, week (Monday to Sunday), month or year
// counted from the one containing Start in steps of the rule's interval.
// Within a period, the candidate days are those of the period that pass the
// BYxxx filters (with the parts RFC 5545 derives from DTSTART filled in).
type expander struct {
	freq  Frequency
	k     int64 // interval >= 1
	count int   // 0 = unbounded
	loc   *time.Location
	start time.Time
	dur   time.Duration

	startDay       int64 // day number of Start's local date
	hh, mi, ss, ns int   // Start's local clock
	unit0          int64 // period 0: day (DAILY), Monday (WEEKLY), year*12+month-1 (MONTHLY), year (YEARLY)

	monthMask    uint16 // bit m: month m allowed; 0 = any month
	hasMD        bool
	mdPos, mdNeg uint32 // bit d: day d / day -d of the month
	hasBD        bool
	wdPlain      uint8     // bit w: every weekday w
	ordPos       [7]uint64 // [w] bit n: the n-th weekday w
	ordNeg       [7]uint64 // [w] bit n: the n-th last weekday w
	yearScope    bool      // BYDAY ordinals count within the year

	// cycle is a number of periods after which the number of candidates per
	// period repeats (for periods >= 1). A run of cycle empty periods means
	// the rule has no more occurrences.
	cycle int64

	untilKind  UntilKind // untilNone if unbounded
	until      time.Time // UntilInstant
	untilDay   int64     // UntilDate, UntilFloating: the local date
	untilClock int64     // UntilFloating: nanoseconds into untilDay
	lastDay    int64     // no occurrence but Start lies after this day

	exdates []exKey // sorted
	buf     []int64 // scratch for counting
}

// cycleUnits returns the Gregorian 400-year cycle in f's period unit.
func cycleUnits(f Frequency) int64 {
	switch f {
	case Daily:
		return daysPerCycle
	case Weekly:
		return daysPerCycle / 7
	case Monthly:
		return 400 * 12
	default:
		return 400
	}
}

// newExpander prepares s, or returns nil if s is invalid.
func newExpander(s Series) *expander {
	if s.Validate() != nil {
		return nil
	}
	r := s.Rule
	e := &expander{
		freq:  r.Freq,
		k:     int64(max(r.Interval, 1)),
		count: r.Count,
		loc:   s.Start.Location(),
		dur:   s.Duration,
	}
	e.start = s.Start.In(e.loc)
	e.startDay = dayOf(e.start)
	e.hh, e.mi, e.ss = e.start.Clock()
	e.ns = e.start.Nanosecond()
	sy, sm, sd := civilFromDays(e.startDay)
	switch e.freq {
	case Daily:
		e.unit0 = e.startDay
	case Weekly:
		e.unit0 = e.startDay - int64((weekdayOf(e.startDay)+6)%7)
	case Monthly:
		e.unit0 = sy*12 + int64(sm-1)
	case Yearly:
		e.unit0 = sy
	}

	for _, m := range r.ByMonth {
		e.monthMask |= 1 << m
	}
	for _, d := range r.ByMonthDay {
		e.hasMD = true
		if d > 0 {
			e.mdPos |= 1 << d
		} else {
			e.mdNeg |= 1 << -d
		}
	}
	for _, w := range r.ByDay {
		e.hasBD = true
		switch {
		case w.N == 0:
			e.wdPlain |= 1 << w.Day
		case w.N > 0:
			e.ordPos[w.Day] |= 1 << w.N
		default:
			e.ordNeg[w.Day] |= 1 << -w.N
		}
	}
	e.yearScope = e.freq == Yearly && len(r.ByMonth) == 0
	if !e.hasMD && !e.hasBD { // RFC 5545: missing parts come from DTSTART
		switch e.freq {
		case Weekly:
			e.hasBD, e.wdPlain = true, 1<<weekdayOf(e.startDay)
		case Monthly:
			e.hasMD, e.mdPos = true, 1<<sd
		case Yearly:
			e.hasMD, e.mdPos = true, 1<<sd
			if e.monthMask == 0 {
				e.monthMask = 1 << sm
			}
		}
	}
	e.cycle = e.cycleLen()

	e.untilKind = untilNone
	e.lastDay = daysFromCivil(MaxYear, 12, 31)
	if !r.Until.IsZero() {
		e.untilKind = r.UntilKind
		u := r.Until.UTC()
		switch r.UntilKind {
		case UntilInstant:
			e.until = u
			// Local dates are not quite monotonic in the instant (a zone
			// can move its clock back across midnight); allow a day.
			e.lastDay = min(e.lastDay, dayOf(u.In(e.loc))+1)
		default:
			e.untilDay = dayOf(u)
			h, m, sec := u.Clock()
			e.untilClock = int64(h)*int64(time.Hour) + int64(m)*int64(time.Minute) + int64(sec)*int64(time.Second)
			e.lastDay = min(e.lastDay, e.untilDay)
		}
	}

	if len(s.ExDates) > 0 {
		e.exdates = make([]exKey, len(s.ExDates))
		for i, t := range s.ExDates {
			e.exdates[i] = keyOf(t)
		}
		slices.SortFunc(e.exdates, compareKeys)
	}
	return e
}

func compareKeys(a, b exKey) int {
	if c := cmp.Compare(a.sec, b.sec); c != 0 {
		return c
	}
	return cmp.Compare(a.nsec, b.nsec)
}

func (e *expander) excluded(t time.Time) bool {
	if len(e.exdates) == 0 {
		return false
	}
	_, found := slices.BinarySearchFunc(e.exdates, keyOf(t), compareKeys)
	return found
}

func (e *expander) overlaps(o Occurrence, from time.Time) bool {
	if e.dur == 0 {
		return !o.Start.Before(from)
	}
	return o.End.After(from)
}

// regular reports whether every period i >= 1 has the same number of
// candidate days, so that skipping periods is a multiplication.
func (e *expander) regular() bool {
	// Days that exist in every month, all counted from the same end (a day
	// from the start and one from the end can coincide in short months).
	mdEveryMonth := (e.mdNeg == 0 && e.mdPos < 1<<29) || (e.mdPos == 0 && e.mdNeg < 1<<29)
	ordsWithin := func(n uint) bool { // only ordinals, all 1..n or all -n..-1
		if e.wdPlain != 0 {
			return false
		}
		var pos, neg uint64
		for w := range 7 {
			pos |= e.ordPos[w]
			neg |= e.ordNeg[w]
		}
		return (neg == 0 && pos < 1<<(n+1)) || (pos == 0 && neg < 1<<(n+1))
	}
	perMonth := func() bool { // constant count in every month
		switch {
		case e.hasMD && e.hasBD:
			return false
		case e.hasMD:
			return mdEveryMonth
		default:
			return ordsWithin(4) // every month has 4 of each weekday
		}
	}
	switch e.freq {
	case Daily:
		return e.monthMask == 0 && !e.hasMD && (!e.hasBD || e.wdPlain == 0x7f || e.k%7 == 0)
	case Weekly:
		return e.monthMask == 0 // every week has each weekday once
	case Monthly:
		return e.monthMask == 0 && perMonth()
	default: // Yearly
		if !e.yearScope {
			return perMonth() // a fixed set of months every year
		}
		switch {
		case e.hasMD && e.hasBD:
			return false
		case e.hasMD:
			return mdEveryMonth
		default:
			return ordsWithin(52) // every year has 52 of each weekday
		}
	}
}

func (e *expander) cycleLen() int64 {
	if e.regular() {
		return 1
	}
	if e.freq == Daily && e.monthMask == 0 && !e.hasMD { // only weekdays matter
		return 7 / gcd(e.k, 7)
	}
	p := cycleUnits(e.freq)
	return p / gcd(e.k, p)
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// match reports whether a day passes the rule's filters. m and dom are its
// month and day of month, dim the length of its month, yday its 0-based day
// of the year and ylen the year's length (both only needed for year-scoped
// ordinals).
func (e *expander) match(m, dom, dim int, wd time.Weekday, yday, ylen int) bool {
	if e.monthMask != 0 && e.monthMask&(1<<m) == 0 {
		return false
	}
	if e.hasMD && e.mdPos&(1<<dom) == 0 && e.mdNeg&(1<<(dim-dom+1)) == 0 {
		return false
	}
	if !e.hasBD || e.wdPlain&(1<<wd) != 0 {
		return true
	}
	pos, neg := (dom-1)/7+1, (dim-dom)/7+1
	if e.yearScope {
		pos, neg = yday/7+1, (ylen-1-yday)/7+1
	}
	return e.ordPos[wd]&(1<<pos) != 0 || e.ordNeg[wd]&(1<<neg) != 0
}

// firstDay returns the first day of period i.
func (e *expander) firstDay(i int64) int64 {
	switch e.freq {
	case Daily:
		return e.startDay + i*e.k
	case Weekly:
		return e.unit0 + 7*e.k*i
	case Monthly:
		mi := e.unit0 + i*e.k
		y := floorDiv(mi, 12)
		return daysFromCivil(y, int(mi-12*y)+1, 1)
	default:
		return daysFromCivil(e.unit0+i*e.k, 1, 1)
	}
}

// periodOf returns the last period starting on or before day.
func (e *expander) periodOf(day int64) int64 {
	switch e.freq {
	case Daily:
		return floorDiv(day-e.startDay, e.k)
	case Weekly:
		return floorDiv(day-e.unit0, 7*e.k)
	}
	y, m, _ := civilFromDays(day)
	if e.freq == Monthly {
		return floorDiv(y*12+int64(m-1)-e.unit0, e.k)
	}
	return floorDiv(y-e.unit0, e.k)
}

// periodDays appends the candidate days of period i to buf[:0], in order.
func (e *expander) periodDays(i int64, buf []int64) []int64 {
	buf = buf[:0]
	switch e.freq {
	case Daily, Weekly:
		first, n := e.firstDay(i), int64(1)
		if e.freq == Weekly {
			n = 7
		}
		for d := first; d < first+n; d++ {
			y, m, dom := civilFromDays(d)
			if e.match(m, dom, daysIn(y, m), weekdayOf(d), 0, 0) {
				buf = append(buf, d)
			}
		}
	case Monthly:
		mi := e.unit0 + i*e.k
		y := floorDiv(mi, 12)
		buf = e.monthDays(y, int(mi-12*y)+1, 0, 0, buf)
	case Yearly:
		y := e.unit0 + i*e.k
		ylen, yday := daysInYear(y), 0
		for m := 1; m <= 12; m++ {
			buf = e.monthDays(y, m, yday, ylen, buf)
			yday += daysIn(y, m)
		}
	}
	return buf
}

// monthDays appends the candidate days of month y-m; yday is the month's
// first day of the year (0-based) and ylen the year's length.
func (e *expander) monthDays(y int64, m, yday, ylen int, buf []int64) []int64 {
	if e.monthMask != 0 && e.monthMask&(1<<m) == 0 {
		return buf
	}
	dim := daysIn(y, m)
	first := daysFromCivil(y, m, 1)
	wd := weekdayOf(first)
	for dom := 1; dom <= dim; dom++ {
		if e.match(m, dom, dim, wd, yday+dom-1, ylen) {
			buf = append(buf, first+int64(dom-1))
		}
		wd = (wd + 1) % 7
	}
	return buf
}

func (e *expander) countPeriod(i int64) int64 {
	e.buf = e.periodDays(i, e.buf)
	return int64(len(e.buf))
}

// countPeriods returns the number of candidates in periods 1..n.
func (e *expander) countPeriods(n int64) int64 {
	sum := func(n int64) (c int64) {
		for i := int64(1); i <= n; i++ {
			c += e.countPeriod(i)
		}
		return c
	}
	switch L := e.cycle; {
	case n <= 0:
		return 0
	case L == 1:
		return n * e.countPeriod(1)
	case n <= L:
		return sum(n)
	default:
		return n/L*sum(L) + sum(n%L)
	}
}

// at returns the start of the occurrence on day: Start's wall clock on that
// local date.
func (e *expander) at(day int64) time.Time {
	y, m, d := civilFromDays(day)
	return localTime(int(y), time.Month(m), d, e.hh, e.mi, e.ss, e.ns, e.loc)
}

// localTime is time.Date with the RFC 5545 (section 3.3.5) reading of wall
// clocks that do not exist or are ambiguous, which time.Date leaves
// unspecified (in practice it depends on the sign of the UTC offset):
//
//   - a time in a spring-forward gap is read with the offset in effect
//     before the gap, i.e. moved forward by the gap length (02:30 in a gap
//     from 02:00 to 03:00 becomes 03:30);
//   - a time in a fall-back overlap means its first instance.
func localTime(y int, mo time.Month, d, h, mi, s, ns int, loc *time.Location) time.Time {
	t := time.Date(y, mo, d, h, mi, s, ns, loc)
	if loc == time.UTC {
		return t
	}
	want := time.Date(y, mo, d, h, mi, s, 0, time.UTC).Unix() // wall clock as seconds
	_, off := t.Zone()
	zoneStart, zoneEnd := t.ZoneBounds()
	switch got := t.Unix() + int64(off); {
	case got < want:
		// In a gap, time.Date used the offset after it, which puts t
		// before the transition (at zoneEnd): use t's offset instead.
		if !zoneEnd.IsZero() {
			return time.Unix(want-int64(off), int64(ns)).In(loc)
		}
	case got > want:
		// In a gap, time.Date used the offset before it: t is the
		// answer unless the zone data is odd.
		if !zoneStart.IsZero() {
			_, prevOff := zoneStart.Add(-time.Nanosecond).Zone()
			return time.Unix(want-int64(prevOff), int64(ns)).In(loc)
		}
	case !zoneStart.IsZero():
		// The wall clock exists; after a fall-back it may exist twice,
		// the first time under the previous zone's offset.
		_, prevOff := zoneStart.Add(-time.Nanosecond).Zone()
		if prevOff > off {
			if alt := time.Unix(want-int64(prevOff), int64(ns)).In(loc); alt.Before(zoneStart) {
				return alt
			}
		}
	}
	return t
}

// withinUntil reports whether the occurrence at t on day is not after UNTIL.
func (e *expander) withinUntil(day int64, t time.Time) bool {
	switch e.untilKind {
	case untilNone:
		return true
	case UntilInstant:
		return !t.After(e.until)
	case UntilDate:
		return day <= e.untilDay
	default: // UntilFloating
		clock := int64(e.hh)*int64(time.Hour) + int64(e.mi)*int64(time.Minute) +
			int64(e.ss)*int64(time.Second) + int64(e.ns)
		return day < e.untilDay || (day == e.untilDay && clock <= e.untilClock)
	}
}

// iterator walks the occurrences of a series in order.
type iterator struct {
	e       *expander
	period  int64   // next period to load
	index   int64   // Index of the next occurrence
	days    []int64 // candidate days of the loaded period
	pos     int     // next entry of days
	empty   int64   // consecutive empty periods seen
	stopDay int64   // stop after this day (window end)
	done    bool
	// exhausted is set when iteration stopped after a cycle of empty
	// periods.
	exhausted bool
}

// iterFrom returns an iterator positioned at or a little before the first
// occurrence that may overlap [from, ...), stopping after stopDay.
func (e *expander) iterFrom(from time.Time, stopDay int64) *iterator {
	if !from.After(e.start) {
		return e.iterAt(0, stopDay, true)
	}
	// An occurrence overlapping from starts after from-Duration. Two days
	// of slack cover zones whose local date steps back.
	low := dayOf(from.Add(-e.dur).In(e.loc)) - 2
	if low > e.lastDay {
		return &iterator{done: true}
	}
	return e.iterAt(max(e.periodOf(low), 0), stopDay, true)
}

// iterAt returns an iterator starting with period j. Unless indexed, the
// indexes it returns are wrong (counted from j), which saves counting the
// skipped periods; COUNT needs them, so it must be unbounded.
func (e *expander) iterAt(j int64, stopDay int64, indexed bool) *iterator {
	it := &iterator{e: e, period: j, stopDay: stopDay}
	if j > 0 && indexed {
		it.index = int64(len(e.firstPeriod())) + e.countPeriods(j-1)
	}
	return it
}

// firstPeriod returns the occurrence days of period 0: Start's, then the
// later candidates.
func (e *expander) firstPeriod() []int64 {
	days := []int64{e.startDay}
	for _, d := range e.periodDays(0, nil) {
		if d > e.startDay {
			days = append(days, d)
		}
	}
	return days
}

// next returns the next occurrence's start and index; ok is false at the end.
func (it *iterator) next() (t time.Time, index int, ok bool) {
	e := it.e
	for !it.done {
		if it.pos == len(it.days) {
			it.load()
			continue
		}
		day := it.days[it.pos]
		it.pos++
		if day > it.stopDay || (e.count > 0 && it.index >= int64(e.count)) {
			break
		}
		if day == e.startDay {
			t = e.start // always an occurrence, whatever the rule says
		} else {
			if day > e.lastDay {
				break
			}
			t = e.at(day)
			if !e.withinUntil(day, t) {
				break
			}
		}
		index = int(it.index)
		it.index++
		return t, index, true
	}
	it.done = true
	return time.Time{}, 0, false
}

// load reads the next period's candidates.
func (it *iterator) load() {
	e, i := it.e, it.period
	it.period++
	it.pos = 0
	if i == 0 {
		it.days = e.firstPeriod()
		return
	}
	if first := e.firstDay(i); first > it.stopDay || first > e.lastDay {
		it.done = true
		return
	}
	it.days = e.periodDays(i, it.days)
	if len(it.days) > 0 {
		it.empty = 0
		return
	}
	// The candidate counts repeat every cycle periods: a whole cycle
	// without candidates means there will never be another.
	if it.empty++; it.empty >= e.cycle {
		it.done, it.exhausted = true, true
	}
}
