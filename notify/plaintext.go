package notify

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// MaxMessageRunes bounds the text of a discussion message in a mail:
// longer messages are cut with an ellipsis (the link leads to the
// whole).
const MaxMessageRunes = 5000

// plainText turns a message's HTML (already sanitized by groups, but
// possibly from another instance) into plain text for a mail: the text
// of the elements with entities decoded, a line break at each block
// element and <br>, "- " before list items, a link's address after its
// text when they differ. Nothing of the markup survives, scripts and
// styles are dropped with their content, control characters go, blank
// lines are collapsed, and the result is cut at max runes.
func plainText(in string, max int) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(in))
	skip := 0 // inside script or style
	var href, linkText string
	inLink := false
	emit := func(s string) {
		b.WriteString(s)
		if inLink {
			linkText += s
		}
	}
	for {
		tt := z.Next()
		if tt == html.ErrorToken { // io.EOF, or a token over the tokenizer's limit
			break
		}
		tok := z.Token()
		switch tt {
		case html.TextToken:
			if skip == 0 {
				emit(spaces(tok.Data))
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			switch tok.Data {
			case "script", "style":
				if tt == html.StartTagToken {
					skip++
				}
			case "br":
				emit("\n")
			case "li":
				emit("\n- ")
			case "a":
				href, linkText, inLink = "", "", true
				for _, a := range tok.Attr {
					if a.Key == "href" {
						href = a.Val
					}
				}
			default:
				if block(tok.Data) {
					emit("\n\n")
				}
			}
		case html.EndTagToken:
			switch tok.Data {
			case "script", "style":
				if skip > 0 {
					skip--
				}
			case "a":
				if inLink {
					inLink = false
					if u := strings.TrimSpace(href); u != "" && (strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) &&
						strings.TrimSpace(linkText) != u {
						b.WriteString(" (" + u + ")")
					}
				}
			default:
				if block(tok.Data) {
					emit("\n\n")
				}
			}
		}
	}
	return tidy(b.String(), max)
}

// block reports whether an element starts a new paragraph.
func block(tag string) bool {
	switch tag {
	case "p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table", "tr":
		return true
	}
	return false
}

// spaces turns every run of white space in text into one space, as a
// browser shows it.
func spaces(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	if space {
		b.WriteByte(' ')
	}
	return b.String()
}

// tidy trims each line, drops control characters but line breaks,
// keeps at most one blank line in a row and cuts at max runes.
func tidy(s string, max int) string {
	var lines []string
	blank := true // no blank line at the start
	for line := range strings.SplitSeq(s, "\n") {
		line = strings.TrimSpace(strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || r == utf8.RuneError {
				return -1
			}
			return r
		}, line))
		if line == "" {
			if !blank {
				lines = append(lines, "")
			}
			blank = true
			continue
		}
		lines = append(lines, line)
		blank = false
	}
	out := strings.TrimSpace(strings.Join(lines, "\n"))
	if utf8.RuneCountInString(out) > max {
		r := []rune(out)
		out = strings.TrimSpace(string(r[:max-1])) + "…"
	}
	return out
}
