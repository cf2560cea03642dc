package wire

import (
	"unicode/utf8"
)

// CheckDocument runs before any JSON parser: it refuses documents that are
// too large, nested too deep, not UTF-8, or that hold a NUL byte, raw or
// escaped as \u0000. It is one pass over the bytes without allocation.
// The parsers call it; the inbox calls it too, before it spends a
// signature check on a body no parser would read.
func CheckDocument(data []byte) error {
	if len(data) > MaxDocumentSize {
		return errf(ErrTooLarge, "", "%d bytes, the limit is %d", len(data), MaxDocumentSize)
	}
	if len(data) == 0 {
		return errf(ErrSyntax, "", "empty document")
	}
	depth := 0
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if c == 0 {
			return errf(ErrEncoding, "", "NUL byte at offset %d", i)
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				return errf(ErrEncoding, "", "invalid UTF-8 at offset %d", i)
			}
			i += n - 1
			continue
		}
		if inString {
			switch c {
			case '\\':
				if i+1 < len(data) && data[i+1] == 'u' && i+5 < len(data) &&
					data[i+2] == '0' && data[i+3] == '0' && data[i+4] == '0' && data[i+5] == '0' {
					return errf(ErrEncoding, "", "escaped NUL at offset %d", i)
				}
				if i+1 < len(data) && data[i+1] < utf8.RuneSelf {
					i++ // skip the escaped character; a non-ASCII one is checked as UTF-8 by the next turn
				}
			case '"':
				inString = false
			}
			continue
		}
		switch c {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxDepth {
				return errf(ErrTooDeep, "", "nesting deeper than %d", MaxDepth)
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}
