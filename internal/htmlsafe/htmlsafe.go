// Package htmlsafe sanitizes user and remote HTML on the way in, with one
// bluemonday policy for every domain package: the formatting a rich-text
// description needs, links made safe, nothing that runs or loads.
package htmlsafe

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// Sanitizer cleans HTML. It is safe for concurrent use. Build one per
// service with New; building is far costlier than using.
type Sanitizer struct {
	rich  *bluemonday.Policy
	plain *bluemonday.Policy
}

// New returns a Sanitizer.
func New() *Sanitizer {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "b", "em", "i", "u", "s", "del", "ins",
		"blockquote", "code", "pre", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "span")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("class").Matching(bluemonday.SpaceSeparatedTokens).OnElements("span", "a")
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	return &Sanitizer{rich: p, plain: bluemonday.StrictPolicy()}
}

// HTML returns s with everything but safe formatting removed.
func (s *Sanitizer) HTML(in string) string {
	return strings.TrimSpace(s.rich.Sanitize(in))
}

// Text returns the text of s with every tag removed and entities
// decoded, for fields that are plain text (names, titles).
func (s *Sanitizer) Text(in string) string {
	return strings.TrimSpace(html.UnescapeString(s.plain.Sanitize(in)))
}
