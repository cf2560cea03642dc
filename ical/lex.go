package ical

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Lexical rules of RFC 5545 §3.1–3.3, written once and used by every
// property the encoder emits.

// MaxLineOctets is the longest content line, in octets, CRLF excluded
// (RFC 5545 §3.1). Longer lines are folded: CRLF and one space, never
// inside a UTF-8 character.
const MaxLineOctets = 75

// appendFolded appends one content line to dst, folded at MaxLineOctets
// octets without splitting a UTF-8 sequence, and ends it with CRLF.
func appendFolded(dst, line []byte) []byte {
	limit := MaxLineOctets
	for len(line) > limit {
		cut := limit
		// Back off to the start of a UTF-8 sequence: never split a rune.
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // cannot happen with valid UTF-8 (runes are ≤ 4 octets)
			cut = limit
		}
		dst = append(dst, line[:cut]...)
		dst = append(dst, '\r', '\n', ' ')
		line = line[cut:]
		limit = MaxLineOctets - 1 // the leading space counts
	}
	dst = append(dst, line...)
	return append(dst, '\r', '\n')
}

// appendText appends s as a TEXT value (RFC 5545 §3.3.11): backslash,
// semicolon and comma escaped, every line break (CRLF, CR or LF) written
// as \n, other control characters dropped and invalid UTF-8 replaced, so
// that no user text can end a line and start a property or component.
func appendText(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\\' || c == ';' || c == ',':
				dst = append(dst, '\\', c)
			case c == '\r':
				dst = append(dst, '\\', 'n')
				if i+1 < len(s) && s[i+1] == '\n' {
					i++
				}
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\t' || (c >= 0x20 && c != 0x7f):
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = utf8.AppendRune(dst, utf8.RuneError)
		case r >= 0x80 && r <= 0x9f, r == '\u2028', r == '\u2029': // C1 controls, Unicode line breaks
			dst = append(dst, ' ')
		default:
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return dst
}

// appendParam appends ;NAME="value": the value DQUOTE-quoted (§3.2),
// with DQUOTE and control characters, which a quoted-string cannot hold,
// dropped.
func appendParam(dst []byte, name, value string) []byte {
	dst = append(dst, ';')
	dst = append(dst, name...)
	dst = append(dst, '=', '"')
	for i := 0; i < len(value); {
		c := value[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != 0x7f {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(value[i:])
		if !(r == utf8.RuneError && size == 1) && !(r >= 0x80 && r <= 0x9f) {
			dst = append(dst, value[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// safeURI reports whether s can be written as a URI or CAL-ADDRESS value
// as it is: printable ASCII without space or DQUOTE. Stored URLs were
// validated on the way in; anything else is left out, not escaped.
func safeURI(s string) bool {
	if s == "" || len(s) > 4096 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= 0x20 || c >= 0x7f || c == '"' {
			return false
		}
	}
	return true
}

// appendDateTime appends t as a DATE-TIME: "20060102T150405Z" in UTC
// when utc, else the local form in t's location.
func appendDateTime(dst []byte, t time.Time, utc bool) []byte {
	if utc {
		t = t.UTC()
	}
	y, mo, d := t.Date()
	h, mi, s := t.Clock()
	dst = appendInt(dst, y, 4)
	dst = appendInt(dst, int(mo), 2)
	dst = appendInt(dst, d, 2)
	dst = append(dst, 'T')
	dst = appendInt(dst, h, 2)
	dst = appendInt(dst, mi, 2)
	dst = appendInt(dst, s, 2)
	if utc {
		dst = append(dst, 'Z')
	}
	return dst
}

// appendInt appends n zero-padded to width digits.
func appendInt(dst []byte, n, width int) []byte {
	if n < 0 {
		dst = append(dst, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for n >= 10 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	tmp[i] = byte('0' + n)
	for pad := width - (len(tmp) - i); pad > 0; pad-- {
		dst = append(dst, '0')
	}
	return append(dst, tmp[i:]...)
}

// appendOffset appends a UTC-OFFSET (§3.3.14): +HHMM, or +HHMMSS when
// the offset has seconds (historic local mean times).
func appendOffset(dst []byte, seconds int) []byte {
	sign := byte('+')
	if seconds < 0 {
		sign, seconds = '-', -seconds
	}
	dst = append(dst, sign)
	dst = appendInt(dst, seconds/3600, 2)
	dst = appendInt(dst, seconds/60%60, 2)
	if s := seconds % 60; s != 0 {
		dst = appendInt(dst, s, 2)
	}
	return dst
}

// appendDuration appends a positive DURATION (§3.3.6) in whole seconds.
func appendDuration(dst []byte, d time.Duration) []byte {
	secs := int64(d / time.Second)
	dst = append(dst, 'P')
	if days := secs / 86400; days > 0 && secs%86400 == 0 {
		dst = strconv.AppendInt(dst, days, 10)
		return append(dst, 'D')
	}
	dst = append(dst, 'T')
	switch {
	case secs%3600 == 0:
		dst = strconv.AppendInt(dst, secs/3600, 10)
		return append(dst, 'H')
	case secs%60 == 0:
		dst = strconv.AppendInt(dst, secs/60, 10)
		return append(dst, 'M')
	}
	dst = strconv.AppendInt(dst, secs, 10)
	return append(dst, 'S')
}
