package wire

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// enc appends JSON to a buffer. Every string goes through appendString,
// which escapes as encoding/json does, so no input can break out of a
// value (go-ap's writer does not escape IRIs; see the contract tests).
type enc struct {
	b     []byte
	comma bool // a separator is due before the next key or element
	err   error
}

func (e *enc) sep() {
	if e.comma {
		e.b = append(e.b, ',')
	}
	e.comma = true
}

func (e *enc) open()  { e.b = append(e.b, '{'); e.comma = false }
func (e *enc) close() { e.b = append(e.b, '}'); e.comma = true }
func (e *enc) openArr() {
	e.b = append(e.b, '[')
	e.comma = false
}
func (e *enc) closeArr() { e.b = append(e.b, ']'); e.comma = true }

func (e *enc) key(k string) {
	e.sep()
	e.b = append(e.b, '"')
	e.b = append(e.b, k...)
	e.b = append(e.b, '"', ':')
	e.comma = false
}

// elem starts an array element.
func (e *enc) elem() { e.sep(); e.comma = false }

func (e *enc) str(s string) { e.b = appendString(e.b, s); e.comma = true }

func (e *enc) raw(s string) { e.b = append(e.b, s...); e.comma = true }

// strProp writes k:"v" unless v is empty.
func (e *enc) strProp(k, v string) {
	if v == "" {
		return
	}
	e.key(k)
	e.str(v)
}

func (e *enc) intProp(k string, v int64) {
	e.key(k)
	e.b = strconv.AppendInt(e.b, v, 10)
	e.comma = true
}

func (e *enc) boolProp(k string, v bool) {
	e.key(k)
	e.b = strconv.AppendBool(e.b, v)
	e.comma = true
}

func (e *enc) floatProp(k string, f float64) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		if e.err == nil {
			e.err = errf(ErrInvalid, k, "not a finite number")
		}
		return
	}
	e.key(k)
	e.b = strconv.AppendFloat(e.b, f, 'f', -1, 64)
	e.comma = true
}

// timeProp writes t in loc (UTC when nil) as RFC 3339 with its offset and
// the fractional seconds it has; zero times are left out.
func (e *enc) timeProp(k string, t time.Time, loc *time.Location) {
	if t.IsZero() {
		return
	}
	if loc == nil {
		loc = time.UTC
	}
	e.key(k)
	e.b = append(e.b, '"')
	e.b = t.In(loc).AppendFormat(e.b, time.RFC3339Nano)
	e.b = append(e.b, '"')
	e.comma = true
}

// iris writes k:[...] unless the list is empty.
func (e *enc) iris(k string, list []string) {
	if len(list) == 0 {
		return
	}
	e.irisAlways(k, list)
}

// irisAlways writes k:[...], even [] for an empty list.
func (e *enc) irisAlways(k string, list []string) {
	e.key(k)
	e.openArr()
	for _, s := range list {
		e.elem()
		e.str(s)
	}
	e.closeArr()
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaping like encoding/json
// (without its HTML escaping) and replacing invalid UTF-8 with U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	b = appendEscaped(b, s)
	return append(b, '"')
}

// appendEscaped appends the body of s as a JSON string, without quotes.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	return append(b, s[start:]...)
}
