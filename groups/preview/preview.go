// Package preview reads what a web page says about itself (its Open
// Graph title, description, image and site name, with the HTML title
// and description as fallbacks), for the link previews of a group's
// resources. It implements groups.Previewer.
//
// Pages are fetched through a Fetcher that the caller provides: in
// production *safehttp.Client, whose dial-time address checks keep a
// member from pointing the instance at its own network (SSRF). Only the
// first MaxBodyBytes of a page are read, and parsing stops at the end of
// the head, so a huge or endless page costs little.
package preview

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"codeberg.org/convene/convene/groups"
)

// Limits.
const (
	// MaxBodyBytes is the default number of bytes of a page read: the
	// head of a page is nearly always well within it.
	MaxBodyBytes = 256 << 10
	// MaxFieldLength bounds each field of the Metadata, in characters.
	MaxFieldLength = 2000
	// MaxTokens bounds the HTML tokens examined.
	MaxTokens = 20_000
)

// Errors.
var (
	// ErrNotHTML: the response is not an HTML page.
	ErrNotHTML = errors.New("preview: not an HTML page")
	// ErrStatus: the server answered with a status other than 200.
	ErrStatus = errors.New("preview: unexpected HTTP status")
)

// Fetcher sends a request; *safehttp.Client and *http.Client implement
// it.
type Fetcher interface {
	Do(req *http.Request) (*http.Response, error)
}

// Metadata is what a page says about itself. Fields are plain text
// (entities decoded, whitespace collapsed) and may be empty; Image is
// an absolute http(s) URL.
type Metadata struct {
	Title       string
	Description string
	Image       string
	SiteName    string
}

// Config configures a Client.
type Config struct {
	// Fetcher sends the requests; required.
	Fetcher Fetcher
	// MaxBodyBytes bounds the bytes read of a page; zero means
	// MaxBodyBytes.
	MaxBodyBytes int64
	// UserAgent is sent with each request; "" sends none of our own.
	UserAgent string
}

// Client fetches previews. It is safe for concurrent use.
type Client struct {
	fetch     Fetcher
	max       int64
	userAgent string
}

// New returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.Fetcher == nil {
		return nil, errors.New("preview: Config.Fetcher is required")
	}
	c := &Client{fetch: cfg.Fetcher, max: cfg.MaxBodyBytes, userAgent: cfg.UserAgent}
	if c.max <= 0 {
		c.max = MaxBodyBytes
	}
	return c, nil
}

// Fetch reads the page at rawURL (http or https) and returns its
// metadata.
func (c *Client) Fetch(ctx context.Context, rawURL string) (*Metadata, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("preview: %q is not an http(s) URL", rawURL)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("preview: %w", err)
	}
	req.Header.Set("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	resp, err := c.fetch.Do(req)
	if err != nil {
		return nil, fmt.Errorf("preview: fetch %s: %w", u.Redacted(), err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: %s for %s", ErrStatus, resp.Status, u.Redacted())
	}
	if mt, _, err := mime.ParseMediaType(resp.Header.Get("Content-Type")); err != nil ||
		(mt != "text/html" && mt != "application/xhtml+xml") {
		return nil, fmt.Errorf("%w: %q", ErrNotHTML, resp.Header.Get("Content-Type"))
	}
	base := u
	if resp.Request != nil && resp.Request.URL != nil {
		base = resp.Request.URL // after redirects
	}
	return Parse(io.LimitReader(resp.Body, c.max), base), nil
}

// Preview implements groups.Previewer.
func (c *Client) Preview(ctx context.Context, rawURL string) (groups.LinkPreview, error) {
	m, err := c.Fetch(ctx, rawURL)
	if err != nil {
		return groups.LinkPreview{}, err
	}
	return groups.LinkPreview{Title: m.Title, Description: m.Description, Image: m.Image}, nil
}

// Parse reads the metadata of an HTML document, resolving a relative
// image against base (which may be nil). It stops at the end of the
// head, at the body, after MaxTokens tokens, or at the end of r, and
// never fails: what is missing is empty.
func Parse(r io.Reader, base *url.URL) *Metadata {
	z := html.NewTokenizer(r)
	var m Metadata
	var title, description string
	inTitle := false
	for range MaxTokens {
		switch z.Next() {
		case html.ErrorToken:
			return m.finish(title, description, base)
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			switch string(name) {
			case "body":
				return m.finish(title, description, base)
			case "title":
				inTitle = title == ""
			case "meta":
				if hasAttr {
					key, content := metaAttrs(z)
					m.set(key, content, &description)
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "head":
				return m.finish(title, description, base)
			case "title":
				inTitle = false
			}
		case html.TextToken:
			if inTitle && len(title) < 4*MaxFieldLength {
				title += string(z.Text())
			}
		}
	}
	return m.finish(title, description, base)
}

// metaAttrs returns a meta tag's property (or name) and content.
func metaAttrs(z *html.Tokenizer) (key, content string) {
	for {
		k, v, more := z.TagAttr()
		switch string(k) {
		case "property", "name":
			if key == "" || strings.HasPrefix(strings.ToLower(string(v)), "og:") {
				key = strings.ToLower(strings.TrimSpace(string(v)))
			}
		case "content":
			content = string(v)
		}
		if !more {
			return key, content
		}
	}
}

// set records one meta tag: Open Graph first, then Twitter cards; the
// first value of each wins.
func (m *Metadata) set(key, content string, description *string) {
	first := func(dst *string) {
		if *dst == "" {
			*dst = clean(content)
		}
	}
	switch key {
	case "og:title":
		first(&m.Title)
	case "og:description":
		first(&m.Description)
	case "og:image", "og:image:url", "og:image:secure_url":
		first(&m.Image)
	case "og:site_name":
		first(&m.SiteName)
	case "description", "twitter:description":
		first(description)
	case "twitter:image":
		if m.Image == "" {
			first(&m.Image)
		}
	}
}

// finish applies the fallbacks and checks the image URL.
func (m *Metadata) finish(title, description string, base *url.URL) *Metadata {
	if m.Title == "" {
		m.Title = clean(title)
	}
	if m.Description == "" {
		m.Description = description
	}
	m.Image = absolute(m.Image, base)
	return m
}

// absolute resolves an image URL against base; "" unless http(s).
func absolute(ref string, base *url.URL) string {
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	s := u.String()
	if len(s) > groups.MaxURLLength {
		return ""
	}
	return s
}

// clean makes plain text of a field: valid UTF-8, whitespace collapsed,
// at most MaxFieldLength characters.
func clean(s string) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "\uFFFD")), " ")
	if utf8.RuneCountInString(s) > MaxFieldLength {
		s = string([]rune(s)[:MaxFieldLength])
	}
	return s
}
