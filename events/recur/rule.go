package recur

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Limits enforced by [Parse] and [Rule.Validate]. They keep parsing and
// expansion cheap for untrusted input.
const (
	// MaxRuleLength is the longest RRULE text, in bytes, that Parse accepts
	// (including an optional "RRULE:" prefix).
	MaxRuleLength = 512
	// MaxInterval is the largest INTERVAL.
	MaxInterval = 1000
	// MaxCount is the largest COUNT.
	MaxCount = 1000
	// MaxByDay is the largest number of BYDAY entries.
	MaxByDay = 64
	// MaxByMonthDay is the largest number of BYMONTHDAY entries (enough for
	// every day counted from either end of a month).
	MaxByMonthDay = 62
	// MaxByMonth is the largest number of BYMONTH entries.
	MaxByMonth = 12
	// MaxYear is the last year in which occurrences are generated, and the
	// largest year accepted in UNTIL and Series.Start: iCalendar dates have
	// four-digit years.
	MaxYear = 9999
)

// ErrInvalid is matched (errors.Is) by every error returned by Parse,
// Rule.Validate and Series.Validate.
var ErrInvalid = errors.New("recur: invalid recurrence")

// ErrUnsupported is additionally matched by errors about valid RFC 5545
// features outside this package's subset (for example BYSETPOS or
// FREQ=HOURLY).
var ErrUnsupported = errors.New("recur: unsupported recurrence feature")

// Error reports a problem with one part of a rule or series. It matches
// [ErrInvalid] with errors.Is, and also [ErrUnsupported] when the part is a
// valid RFC 5545 feature that this package does not implement.
type Error struct {
	// Part is the rule part at fault in upper case ("BYDAY", "UNTIL", ...),
	// "RRULE" for the text as a whole, or "DTSTART"/"DURATION" for a Series.
	Part string
	// Reason describes the problem.
	Reason string
	// Unsupported is set when the input is valid RFC 5545 that this package
	// does not support.
	Unsupported bool
}

func (e *Error) Error() string {
	if e.Unsupported {
		return "recur: unsupported " + e.Part + ": " + e.Reason
	}
	return "recur: invalid " + e.Part + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalid) and, for unsupported features,
// errors.Is(err, ErrUnsupported) report true.
func (e *Error) Is(target error) bool {
	return target == ErrInvalid || (e.Unsupported && target == ErrUnsupported)
}

func invalid(part, reason string) error { return &Error{Part: part, Reason: reason} }

func unsupported(part, reason string) error {
	return &Error{Part: part, Reason: reason, Unsupported: true}
}

// Frequency is the FREQ part of a rule.
type Frequency string

// Supported frequencies. SECONDLY, MINUTELY and HOURLY are not supported.
const (
	Daily   Frequency = "DAILY"
	Weekly  Frequency = "WEEKLY"
	Monthly Frequency = "MONTHLY"
	Yearly  Frequency = "YEARLY"
)

// WeekdayNum is one BYDAY entry: an optional ordinal and a weekday. N = 0
// means every such weekday of the period; N = 2 the second one and N = -1
// the last one. Ordinals count within the month for MONTHLY rules and for
// YEARLY rules with BYMONTH (|N| <= 5), and within the year for YEARLY rules
// without BYMONTH (|N| <= 53). DAILY and WEEKLY rules accept only N = 0.
type WeekdayNum struct {
	N   int
	Day time.Weekday
}

// String renders the entry in RRULE form, e.g. "MO", "2TU" or "-1FR".
func (w WeekdayNum) String() string {
	code := "??"
	if w.Day >= time.Sunday && w.Day <= time.Saturday {
		code = dayCode(w.Day)
	}
	if w.N == 0 {
		return code
	}
	return strconv.Itoa(w.N) + code
}

// dayCodes are the RFC 5545 weekday codes indexed by time.Weekday.
const dayCodes = "SU" + "MO" + "TU" + "WE" + "TH" + "FR" + "SA"

// dayCode returns the RFC 5545 code of a valid weekday.
func dayCode(d time.Weekday) string { return dayCodes[2*d : 2*d+2] }

// weekdayFromCode is the inverse of dayCode for upper-case codes.
func weekdayFromCode(code string) (time.Weekday, bool) {
	for d := time.Sunday; d <= time.Saturday; d++ {
		if dayCode(d) == code {
			return d, true
		}
	}
	return 0, false
}

// UntilKind says how Rule.Until is to be read. RFC 5545 allows three forms of
// UNTIL value, and they differ once the series' time zone is known.
type UntilKind uint8

const (
	// UntilInstant (the zero value): Until is an instant, written in UTC
	// ("20261231T230000Z"). Occurrences starting after it are excluded.
	UntilInstant UntilKind = iota
	// UntilDate: Until is a calendar date ("20261231"), stored as midnight
	// UTC of that date. Occurrences whose local date (in the series' zone) is
	// after it are excluded, so the whole day is included.
	UntilDate
	// UntilFloating: Until is a local date and time without zone
	// ("20261231T235959"), stored as that wall-clock time in UTC. It is
	// compared with the local wall-clock time of occurrences in the series'
	// zone.
	UntilFloating
)

// Rule is the supported subset of an RRULE: FREQ, INTERVAL, COUNT, UNTIL,
// BYMONTH, BYMONTHDAY and BYDAY. The zero values of the optional fields mean
// "not present". Lists keep their order; duplicates are allowed and ignored
// during expansion.
//
// Which days a rule selects follows RFC 5545: BYMONTH limits DAILY, WEEKLY
// and MONTHLY rules and expands YEARLY ones; BYMONTHDAY limits DAILY and
// expands MONTHLY and YEARLY (a YEARLY rule with BYMONTHDAY but no BYMONTH
// applies to every month); BYDAY limits DAILY, expands WEEKLY, expands
// MONTHLY and YEARLY unless BYMONTHDAY is present, in which case it limits
// (MONTHLY;BYDAY=FR;BYMONTHDAY=13 is every Friday the 13th). Days that the
// rule does not specify come from the series start: the weekday for WEEKLY,
// the day of the month for MONTHLY, and the day and month for YEARLY. Dates
// that do not exist (the 31st of a 30-day month, February 29 in a common
// year) are skipped, not moved.
type Rule struct {
	Freq     Frequency
	Interval int // 0 or 1 means every period
	Count    int // 0 = unbounded by count
	// Until bounds the series (inclusive); the zero value means unbounded.
	// UntilKind says how it is compared with occurrences. COUNT and UNTIL
	// are mutually exclusive. Until must have whole-second precision.
	Until      time.Time
	UntilKind  UntilKind
	ByMonth    []time.Month // BYMONTH: 1..12
	ByMonthDay []int        // BYMONTHDAY: 1..31 or -1..-31 (from the end of the month)
	ByDay      []WeekdayNum // BYDAY
}

// Validate reports whether r is a rule this package can expand. Errors are
// of type *Error and match ErrInvalid.
func (r Rule) Validate() error {
	switch r.Freq {
	case Daily, Weekly, Monthly, Yearly:
	case "":
		return invalid("FREQ", "missing")
	case "SECONDLY", "MINUTELY", "HOURLY":
		return unsupported("FREQ", string(r.Freq))
	default:
		return invalid("FREQ", strconv.Quote(string(r.Freq)))
	}
	if r.Interval < 0 || r.Interval > MaxInterval {
		return invalid("INTERVAL", "must be between 1 and "+strconv.Itoa(MaxInterval))
	}
	if r.Count < 0 || r.Count > MaxCount {
		return invalid("COUNT", "must be between 1 and "+strconv.Itoa(MaxCount))
	}
	if err := r.validateUntil(); err != nil {
		return err
	}
	if len(r.ByMonth) > MaxByMonth {
		return invalid("BYMONTH", "more than "+strconv.Itoa(MaxByMonth)+" entries")
	}
	for _, m := range r.ByMonth {
		if m < time.January || m > time.December {
			return invalid("BYMONTH", strconv.Itoa(int(m))+" is not a month (1..12)")
		}
	}
	if len(r.ByMonthDay) > 0 && r.Freq == Weekly {
		return invalid("BYMONTHDAY", "not allowed with FREQ=WEEKLY")
	}
	if len(r.ByMonthDay) > MaxByMonthDay {
		return invalid("BYMONTHDAY", "more than "+strconv.Itoa(MaxByMonthDay)+" entries")
	}
	for _, d := range r.ByMonthDay {
		if d == 0 || d < -31 || d > 31 {
			return invalid("BYMONTHDAY", strconv.Itoa(d)+" is not a day of the month (1..31 or -31..-1)")
		}
	}
	if len(r.ByDay) > MaxByDay {
		return invalid("BYDAY", "more than "+strconv.Itoa(MaxByDay)+" entries")
	}
	maxOrd := 0 // DAILY, WEEKLY: no ordinals
	switch {
	case r.Freq == Monthly || (r.Freq == Yearly && len(r.ByMonth) > 0):
		maxOrd = 5
	case r.Freq == Yearly:
		maxOrd = 53
	}
	for _, w := range r.ByDay {
		if w.Day < time.Sunday || w.Day > time.Saturday {
			return invalid("BYDAY", strconv.Itoa(int(w.Day))+" is not a weekday")
		}
		if w.N != 0 && maxOrd == 0 {
			return invalid("BYDAY", w.String()+": ordinals need FREQ=MONTHLY or FREQ=YEARLY")
		}
		if w.N < -maxOrd || w.N > maxOrd {
			return invalid("BYDAY", w.String()+": ordinal out of range -"+strconv.Itoa(maxOrd)+".."+strconv.Itoa(maxOrd))
		}
	}
	return nil
}

func (r Rule) validateUntil() error {
	if r.Until.IsZero() {
		if r.UntilKind != UntilInstant {
			return invalid("UNTIL", "UntilKind set without Until")
		}
		return nil
	}
	if r.Count != 0 {
		return invalid("COUNT", "COUNT and UNTIL must not both be set")
	}
	u := r.Until.UTC()
	if y := u.Year(); y < 1 || y > MaxYear {
		return invalid("UNTIL", "year "+strconv.Itoa(y)+" out of range 1.."+strconv.Itoa(MaxYear))
	}
	if u.Nanosecond() != 0 {
		return invalid("UNTIL", "must have whole-second precision")
	}
	switch r.UntilKind {
	case UntilInstant, UntilFloating:
	case UntilDate:
		if h, m, s := u.Clock(); h != 0 || m != 0 || s != 0 {
			return invalid("UNTIL", "a date must be stored as midnight UTC")
		}
	default:
		return invalid("UNTIL", "unknown UntilKind "+strconv.Itoa(int(r.UntilKind)))
	}
	return nil
}

// Equal reports whether r and o are the same rule: Until is compared as an
// instant and nil lists equal empty ones.
func (r Rule) Equal(o Rule) bool {
	return r.Freq == o.Freq && r.Interval == o.Interval && r.Count == o.Count &&
		r.Until.Equal(o.Until) && r.UntilKind == o.UntilKind &&
		equalSlices(r.ByMonth, o.ByMonth) && equalSlices(r.ByMonthDay, o.ByMonthDay) &&
		equalSlices(r.ByDay, o.ByDay)
}

func equalSlices[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// String renders r as canonical RRULE text without the "RRULE:" prefix, e.g.
// "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;UNTIL=20261231T230000Z". Parts are
// written in the order FREQ, INTERVAL, BYMONTH, BYMONTHDAY, BYDAY, COUNT,
// UNTIL; zero-valued parts are omitted (an Interval of 1 is written) and list
// entries keep their order. For every r with r.Validate() == nil,
// Parse(r.String()) returns a rule Equal to r. The output for invalid rules
// is unspecified.
func (r Rule) String() string {
	var b strings.Builder
	b.Grow(64)
	b.WriteString("FREQ=")
	b.WriteString(string(r.Freq))
	if r.Interval != 0 {
		b.WriteString(";INTERVAL=")
		b.WriteString(strconv.Itoa(r.Interval))
	}
	if len(r.ByMonth) > 0 {
		b.WriteString(";BYMONTH=")
		for i, m := range r.ByMonth {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(int(m)))
		}
	}
	if len(r.ByMonthDay) > 0 {
		b.WriteString(";BYMONTHDAY=")
		for i, d := range r.ByMonthDay {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(d))
		}
	}
	if len(r.ByDay) > 0 {
		b.WriteString(";BYDAY=")
		for i, w := range r.ByDay {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(w.String())
		}
	}
	if r.Count != 0 {
		b.WriteString(";COUNT=")
		b.WriteString(strconv.Itoa(r.Count))
	}
	if !r.Until.IsZero() {
		b.WriteString(";UNTIL=")
		u := r.Until.UTC()
		switch r.UntilKind {
		case UntilDate:
			b.WriteString(u.Format(untilDateLayout))
		case UntilFloating:
			b.WriteString(u.Format(untilFloatingLayout))
		default:
			b.WriteString(u.Format(untilInstantLayout))
		}
	}
	return b.String()
}

const (
	untilDateLayout     = "20060102"
	untilFloatingLayout = "20060102T150405"
	untilInstantLayout  = "20060102T150405Z"
)

// Parse reads RRULE text such as "RRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=6".
// The "RRULE:" prefix is optional; names and values are case-insensitive;
// surrounding white space and empty parts (a trailing ";") are ignored. Each
// part may appear once, and FREQ is required.
//
// UNTIL may be a DATE ("20261231", see [UntilDate]), a UTC DATE-TIME
// ("20261231T235959Z", [UntilInstant]) or a floating DATE-TIME
// ("20261231T235959", [UntilFloating]); it must not be combined with COUNT.
//
// WKST is accepted and dropped when it cannot change the result: when it is
// MO (the default), when FREQ is not WEEKLY, or when INTERVAL is 1. Otherwise,
// and for BYSECOND, BYMINUTE, BYHOUR, BYYEARDAY, BYWEEKNO, BYSETPOS and the
// SECONDLY, MINUTELY and HOURLY frequencies, Parse returns an error matching
// ErrUnsupported. Any other problem returns an error matching ErrInvalid;
// errors are of type *Error and name the offending part.
func Parse(s string) (Rule, error) {
	if len(s) > MaxRuleLength {
		return Rule{}, invalid("RRULE", "longer than "+strconv.Itoa(MaxRuleLength)+" bytes")
	}
	s = strings.TrimSpace(s)
	if len(s) >= 6 && strings.EqualFold(s[:6], "RRULE:") {
		s = s[6:]
	}
	var (
		r    Rule
		seen = make(map[string]bool, 8)
		wkst string
	)
	for part := range strings.SplitSeq(s, ";") {
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		name = strings.ToUpper(name)
		if !ok {
			return Rule{}, invalid(partName(name), "missing \"=\"")
		}
		if seen[name] {
			return Rule{}, invalid(partName(name), "appears more than once")
		}
		seen[name] = true
		value = strings.ToUpper(value)
		var err error
		switch name {
		case "FREQ":
			r.Freq = Frequency(value)
			if r.Freq == "" {
				err = invalid("FREQ", "empty")
			}
		case "INTERVAL":
			r.Interval, err = parseNumber(name, value, 1, MaxInterval)
		case "COUNT":
			r.Count, err = parseNumber(name, value, 1, MaxCount)
		case "UNTIL":
			r.Until, r.UntilKind, err = parseUntil(value)
		case "BYMONTH":
			r.ByMonth, err = parseList(name, value, MaxByMonth, func(v string) (time.Month, error) {
				m, err := parseNumber(name, v, 1, 12)
				return time.Month(m), err
			})
		case "BYMONTHDAY":
			r.ByMonthDay, err = parseList(name, value, MaxByMonthDay, func(v string) (int, error) {
				d, err := parseNumber(name, v, -31, 31)
				if err == nil && d == 0 {
					err = invalid(name, "0 is not a day of the month")
				}
				return d, err
			})
		case "BYDAY":
			r.ByDay, err = parseList(name, value, MaxByDay, parseWeekdayNum)
		case "WKST":
			wkst = value
			if _, ok := weekdayFromCode(value); !ok {
				err = invalid("WKST", strconv.Quote(value)+" is not a weekday")
			}
		case "BYSECOND", "BYMINUTE", "BYHOUR", "BYYEARDAY", "BYWEEKNO", "BYSETPOS":
			err = unsupported(name, "rule part not supported")
		default:
			err = invalid(partName(name), "unknown rule part")
		}
		if err != nil {
			return Rule{}, err
		}
	}
	if r.Freq == "" {
		return Rule{}, invalid("FREQ", "missing")
	}
	if err := r.Validate(); err != nil {
		return Rule{}, err
	}
	if wkst != "" && wkst != "MO" && r.Freq == Weekly && r.Interval > 1 {
		return Rule{}, unsupported("WKST", "WKST="+wkst+" with FREQ=WEEKLY and INTERVAL>1")
	}
	return r, nil
}

// partName names a part in an error, keeping messages short and printable
// for garbage input.
func partName(name string) string {
	if name == "" {
		return "RRULE"
	}
	plain := len(name) <= 20
	for i := 0; i < len(name) && plain; i++ {
		plain = name[i] >= 'A' && name[i] <= 'Z' || name[i] == '-'
	}
	if plain {
		return name
	}
	if len(name) > 20 {
		name = name[:20] + "..."
	}
	return strconv.Quote(name)
}

// parseNumber parses an optionally signed decimal integer in [lo, hi]. A
// sign is accepted only when lo < 0.
func parseNumber(part, v string, lo, hi int) (int, error) {
	digits := v
	neg := false
	if lo < 0 && digits != "" && (digits[0] == '+' || digits[0] == '-') {
		neg = digits[0] == '-'
		digits = digits[1:]
	}
	if digits == "" || len(digits) > 6 {
		return 0, invalid(part, strconv.Quote(v)+" is not a number in range "+strconv.Itoa(lo)+".."+strconv.Itoa(hi))
	}
	n := 0
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, invalid(part, strconv.Quote(v)+" is not a number")
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		n = -n
	}
	if n < lo || n > hi {
		return 0, invalid(part, strconv.Quote(v)+" out of range "+strconv.Itoa(lo)+".."+strconv.Itoa(hi))
	}
	return n, nil
}

func parseList[T any](part, value string, maxLen int, parse func(string) (T, error)) ([]T, error) {
	if value == "" {
		return nil, invalid(part, "empty")
	}
	if strings.Count(value, ",") >= maxLen {
		return nil, invalid(part, "more than "+strconv.Itoa(maxLen)+" entries")
	}
	var out []T
	for v := range strings.SplitSeq(value, ",") {
		x, err := parse(v)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, nil
}

// parseWeekdayNum parses an upper-case BYDAY entry: [+|-][ordinal]weekday.
func parseWeekdayNum(v string) (WeekdayNum, error) {
	if len(v) < 2 {
		return WeekdayNum{}, invalid("BYDAY", strconv.Quote(v)+" is not a weekday")
	}
	day, ok := weekdayFromCode(v[len(v)-2:])
	if !ok {
		return WeekdayNum{}, invalid("BYDAY", strconv.Quote(v)+" is not a weekday")
	}
	w := WeekdayNum{Day: day}
	if ord := v[:len(v)-2]; ord != "" {
		n, err := parseNumber("BYDAY", ord, -53, 53)
		if err != nil {
			return WeekdayNum{}, err
		}
		if n == 0 {
			return WeekdayNum{}, invalid("BYDAY", strconv.Quote(v)+": ordinal 0")
		}
		w.N = n
	}
	return w, nil
}

// parseUntil parses an upper-case UNTIL value in one of its three forms.
func parseUntil(v string) (time.Time, UntilKind, error) {
	var (
		layout string
		kind   UntilKind
	)
	switch len(v) {
	case len(untilDateLayout):
		layout, kind = untilDateLayout, UntilDate
	case len(untilFloatingLayout):
		layout, kind = untilFloatingLayout, UntilFloating
	case len(untilInstantLayout):
		layout, kind = untilInstantLayout, UntilInstant
	default:
		return time.Time{}, 0, invalid("UNTIL", strconv.Quote(v)+" is not a DATE or DATE-TIME")
	}
	for i := 0; i < len(v); i++ {
		c, want := v[i], layout[i]
		if want >= '0' && want <= '9' {
			if c < '0' || c > '9' {
				return time.Time{}, 0, invalid("UNTIL", strconv.Quote(v)+" is not a DATE or DATE-TIME")
			}
		} else if c != want {
			return time.Time{}, 0, invalid("UNTIL", strconv.Quote(v)+" is not a DATE or DATE-TIME")
		}
	}
	t, err := time.Parse(layout, v) // digits checked above; this validates ranges
	if err != nil {
		return time.Time{}, 0, invalid("UNTIL", strconv.Quote(v)+" is not a valid date or time")
	}
	if t.Year() < 1 || t.IsZero() {
		return time.Time{}, 0, invalid("UNTIL", strconv.Quote(v)+" is before year 1")
	}
	return t.UTC(), kind, nil
}
