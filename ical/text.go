package ical

import (
	"html"
	"strings"
)

// htmlToText appends the text of a sanitized HTML description to dst:
// tags dropped, block ends and <br> turned into line breaks, list items
// into "- " lines, entities decoded. It is a small scanner rather than an
// HTML parser because descriptions were sanitized on the way in (see
// internal/htmlsafe) and the result is escaped as TEXT anyway: it cannot
// inject anything, it only has to read well.
func htmlToText(dst []byte, s string) []byte {
	start := len(dst)
	entities := false
	for i := 0; i < len(s); {
		c := s[i]
		if c == '&' {
			entities = true
		}
		if c != '<' {
			if c == '\n' || c == '\r' || c == '\t' {
				c = ' '
			}
			dst = append(dst, c)
			i++
			continue
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			dst = append(dst, s[i:]...)
			break
		}
		tag := s[i+1 : i+j]
		i += j + 1
		closing := strings.HasPrefix(tag, "/")
		name := strings.TrimPrefix(tag, "/")
		if k := strings.IndexAny(name, " \t\n/"); k >= 0 {
			name = name[:k]
		}
		switch strings.ToLower(name) {
		case "br":
			dst = append(dst, '\n')
		case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "hr":
			if len(dst) > start && dst[len(dst)-1] != '\n' {
				dst = append(dst, '\n')
			}
			if closing && name != "ul" && name != "ol" {
				dst = append(dst, '\n')
			}
		case "li":
			if !closing {
				if len(dst) > start && dst[len(dst)-1] != '\n' {
					dst = append(dst, '\n')
				}
				dst = append(dst, "- "...)
			}
		}
	}
	// Trim trailing line breaks and spaces.
	end := len(dst)
	for end > start && (dst[end-1] == '\n' || dst[end-1] == ' ') {
		end--
	}
	dst = dst[:end]
	if entities {
		text := html.UnescapeString(string(dst[start:]))
		dst = append(dst[:start], text...)
	}
	return dst
}
