package preview_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/groups/preview"
)

var _ groups.Previewer = (*preview.Client)(nil)

func TestParse(t *testing.T) {
	t.Parallel()
	base, _ := url.Parse("https://pad.example/p/abc")
	for _, tc := range []struct {
		name string
		doc  string
		want preview.Metadata
	}{
		{"open graph", `<html><head><title>Fallback</title>
			<meta property="og:title" content="Meeting &amp; notes">
			<meta property="og:description" content="  Our   weekly
			pad ">
			<meta property="og:image" content="/logo.png">
			<meta property="og:site_name" content="Pad">
			</head><body>`,
			preview.Metadata{Title: "Meeting & notes", Description: "Our weekly pad", Image: "https://pad.example/logo.png", SiteName: "Pad"}},
		{"html fallbacks", `<title> Plain  title </title><meta name="description" content="Desc">`,
			preview.Metadata{Title: "Plain title", Description: "Desc"}},
		{"open graph wins over the fallbacks in any order", `<meta name="description" content="html">
			<meta property="og:description" content="og"><title>t</title>`,
			preview.Metadata{Title: "t", Description: "og"}},
		{"first value wins", `<meta property="og:title" content="one"><meta property="og:title" content="two">`,
			preview.Metadata{Title: "one"}},
		{"twitter card", `<meta name="twitter:description" content="tw"><meta name="twitter:image" content="https://cdn.example/i.png">`,
			preview.Metadata{Description: "tw", Image: "https://cdn.example/i.png"}},
		{"unsafe image schemes are dropped", `<meta property="og:image" content="javascript:alert(1)">`, preview.Metadata{}},
		{"data image dropped", `<meta property="og:image" content="data:image/png;base64,AAAA">`, preview.Metadata{}},
		{"image with userinfo dropped", `<meta property="og:image" content="https://u:p@cdn.example/i.png">`, preview.Metadata{}},
		{"stops at the body", `<head></head><body><meta property="og:title" content="late">`, preview.Metadata{}},
		{"stops at the end of head", `<head><title>x</title></head><meta property="og:title" content="late">`,
			preview.Metadata{Title: "x"}},
		{"tags in the title are text", `<title>a <b>bold</b> title</title>`, preview.Metadata{Title: "a <b>bold</b> title"}},
		{"case-insensitive keys", `<META PROPERTY="OG:TITLE" CONTENT="Upper">`, preview.Metadata{Title: "Upper"}},
		{"empty", ``, preview.Metadata{}},
		{"not html", "\x00\x01\x02binary", preview.Metadata{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := preview.Parse(strings.NewReader(tc.doc), base)
			assert.Equal(t, &tc.want, got)
		})
	}
}

func TestParseBounds(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", preview.MaxFieldLength+50)
	got := preview.Parse(strings.NewReader(`<meta property="og:title" content="`+long+`"><title>`+long+`</title>`), nil)
	assert.Equal(t, preview.MaxFieldLength, utf8.RuneCountInString(got.Title))
	// Tokens past MaxTokens are not looked at.
	doc := strings.Repeat("<i>", preview.MaxTokens) + `<meta property="og:title" content="too late">`
	assert.Empty(t, preview.Parse(strings.NewReader(doc), nil).Title)
	// Relative images without a base are dropped.
	assert.Empty(t, preview.Parse(strings.NewReader(`<meta property="og:image" content="/i.png">`), nil).Image)
}

// fetcher answers every request with one response; it records the
// request.
type fetcher struct {
	status int
	ctype  string
	body   string
	final  string // the URL after redirects, if any
	err    error
	got    *http.Request
	read   int64
}

func (f *fetcher) Do(req *http.Request) (*http.Response, error) {
	f.got = req
	if f.err != nil {
		return nil, f.err
	}
	r := req
	if f.final != "" {
		u, _ := url.Parse(f.final)
		r = req.Clone(req.Context())
		r.URL = u
	}
	body := &countingReader{r: strings.NewReader(f.body), n: &f.read}
	return &http.Response{StatusCode: f.status, Status: http.StatusText(f.status),
		Header: http.Header{"Content-Type": {f.ctype}}, Body: io.NopCloser(body), Request: r}, nil
}

type countingReader struct {
	r io.Reader
	n *int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

func TestFetch(t *testing.T) {
	t.Parallel()
	page := `<head><meta property="og:title" content="Pad"><meta property="og:image" content="img.png"></head>`
	errDial := errors.New("dial refused")
	for _, tc := range []struct {
		name    string
		f       fetcher
		url     string
		want    *preview.Metadata
		wantErr error
	}{
		{"html", fetcher{status: 200, ctype: "text/html; charset=utf-8", body: page}, "https://pad.example/p/x",
			&preview.Metadata{Title: "Pad", Image: "https://pad.example/p/img.png"}, nil},
		{"image resolved against the final URL", fetcher{status: 200, ctype: "text/html", body: page, final: "https://other.example/a/b"},
			"https://pad.example/p/x", &preview.Metadata{Title: "Pad", Image: "https://other.example/a/img.png"}, nil},
		{"xhtml", fetcher{status: 200, ctype: "application/xhtml+xml", body: page}, "https://pad.example/",
			&preview.Metadata{Title: "Pad", Image: "https://pad.example/img.png"}, nil},
		{"404", fetcher{status: 404, ctype: "text/html", body: page}, "https://pad.example/", nil, preview.ErrStatus},
		{"json", fetcher{status: 200, ctype: "application/json", body: "{}"}, "https://pad.example/", nil, preview.ErrNotHTML},
		{"no content type", fetcher{status: 200, body: page}, "https://pad.example/", nil, preview.ErrNotHTML},
		{"transport error", fetcher{err: errDial}, "https://pad.example/", nil, errDial},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := preview.New(preview.Config{Fetcher: &tc.f, UserAgent: "Convene/test"})
			require.NoError(t, err)
			got, err := c.Fetch(context.Background(), tc.url)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, "Convene/test", tc.f.got.Header.Get("User-Agent"))
			assert.Equal(t, http.MethodGet, tc.f.got.Method)
		})
	}
}

func TestFetchRefusesBadURLs(t *testing.T) {
	t.Parallel()
	f := &fetcher{status: 200, ctype: "text/html"}
	c, err := preview.New(preview.Config{Fetcher: f})
	require.NoError(t, err)
	for _, u := range []string{"", "ftp://pad.example/", "file:///etc/passwd", "/relative", "https://", "javascript:alert(1)"} {
		_, err := c.Fetch(context.Background(), u)
		assert.Error(t, err, u)
	}
	assert.Nil(t, f.got, "no request for a refused URL")
}

func TestFetchReadsAtMostMaxBodyBytes(t *testing.T) {
	t.Parallel()
	f := &fetcher{status: 200, ctype: "text/html", body: "<title>x</title>" + strings.Repeat("<!-- padding -->", 100_000)}
	c, err := preview.New(preview.Config{Fetcher: f, MaxBodyBytes: 4096})
	require.NoError(t, err)
	got, err := c.Fetch(context.Background(), "https://pad.example/")
	require.NoError(t, err)
	assert.Equal(t, "x", got.Title)
	assert.LessOrEqual(t, f.read, int64(4096+4096), "reads past the limit")
}

func TestNew(t *testing.T) {
	t.Parallel()
	_, err := preview.New(preview.Config{})
	require.Error(t, err)
}

func TestPreview(t *testing.T) {
	t.Parallel()
	f := &fetcher{status: 200, ctype: "text/html", body: `<meta property="og:title" content="T"><meta property="og:description" content="D">`}
	c, _ := preview.New(preview.Config{Fetcher: f})
	p, err := c.Preview(context.Background(), "https://pad.example/")
	require.NoError(t, err)
	assert.Equal(t, groups.LinkPreview{Title: "T", Description: "D"}, p)
	f.status = 500
	_, err = c.Preview(context.Background(), "https://pad.example/")
	require.ErrorIs(t, err, preview.ErrStatus)
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`<html><head><title>t</title><meta property="og:title" content="x"><meta property="og:image" content="/i.png"></head>`,
		`<meta name="description" content="&amp;&lt;&#x1F600;">`,
		`<title><title></title>`, `<meta property=og:image content=//evil.example/x>`, "\xff\xfe<title>\x00</title>",
	} {
		f.Add(s)
	}
	base, _ := url.Parse("https://pad.example/p/x")
	f.Fuzz(func(t *testing.T, doc string) {
		m := preview.Parse(strings.NewReader(doc), base)
		for _, s := range []string{m.Title, m.Description, m.SiteName} {
			if !utf8.ValidString(s) || utf8.RuneCountInString(s) > preview.MaxFieldLength || s != strings.TrimSpace(s) {
				t.Fatalf("field %q is not clean text", s)
			}
		}
		if m.Image != "" {
			u, err := url.Parse(m.Image)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
				t.Fatalf("image %q is not a safe absolute URL", m.Image)
			}
		}
	})
}

// Example previews a pad link through a stand-in for the SSRF-safe
// client (in production: safehttp.New(...)).
func Example() {
	f := &fetcher{status: 200, ctype: "text/html", body: `<html><head>
		<meta property="og:title" content="Festival pad">
		<meta property="og:description" content="Who brings what">
		<meta property="og:image" content="/static/pad.png"></head><body>…`}
	c, err := preview.New(preview.Config{Fetcher: f})
	if err != nil {
		panic(err)
	}
	m, err := c.Fetch(context.Background(), "https://pad.example/p/festival")
	if err != nil {
		panic(err)
	}
	fmt.Println(m.Title)
	fmt.Println(m.Description)
	fmt.Println(m.Image)
	// Output:
	// Festival pad
	// Who brings what
	// https://pad.example/static/pad.png
}
