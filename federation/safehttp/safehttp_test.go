package safehttp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/safehttp"
)

// recorder is a TCP listener that counts the connections it accepts: a
// refused request must leave it at zero.
type recorder struct {
	ln      net.Listener
	accepts atomic.Int32
}

func listen(t *testing.T, addr string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	r := &recorder{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.accepts.Add(1)
			_ = c.Close()
		}
	}()
	t.Cleanup(func() { _ = ln.Close() })
	return r
}

func (r *recorder) port() int { return r.ln.Addr().(*net.TCPAddr).Port }

// fakeResolver answers from a map and records every lookup.
type fakeResolver struct {
	mu      sync.Mutex
	hosts   map[string][]netip.Addr
	lookups []string
}

func (f *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups = append(f.lookups, host)
	if a, ok := f.hosts[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func (f *fakeResolver) seen() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lookups...)
}

func addrs(s ...string) []netip.Addr {
	out := make([]netip.Addr, len(s))
	for i, a := range s {
		out[i] = netip.MustParseAddr(a)
	}
	return out
}

var loopback = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}

func get(ctx context.Context, c *safehttp.Client, url string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	return c.Do(req)
}

func TestRefusesPrivateDestinationsBeforeConnecting(t *testing.T) {
	t.Parallel()
	rec := listen(t, "127.0.0.1:0")
	p := rec.port()
	res := &fakeResolver{hosts: map[string][]netip.Addr{
		"evil.example":    addrs("127.0.0.1"),
		"metadata.evil":   addrs("169.254.169.254"),
		"mixed.evil":      addrs("10.0.0.5", "::1"),
		"rebind.evil":     addrs("::ffff:127.0.0.1"),
		"nat64.evil":      addrs("64:ff9b::7f00:1"),
		"unspecified.evi": addrs("0.0.0.0"),
	}}
	c, err := safehttp.New(safehttp.Config{Resolver: res, Timeout: 5 * time.Second})
	require.NoError(t, err)

	tests := []struct {
		url    string
		want   error
		lookup bool // a name lookup is expected
	}{
		{fmt.Sprintf("http://127.0.0.1:%d/", p), safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("https://127.0.0.1:%d/", p), safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("http://0.0.0.0:%d/", p), safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("http://[::]:%d/", p), safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("http://[::1]:%d/", p), safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("http://[::ffff:127.0.0.1]:%d/", p), safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("http://[::ffff:7f00:1]:%d/", p), safehttp.ErrForbiddenAddress, false},
		{"http://10.0.0.5/", safehttp.ErrForbiddenAddress, false},
		{"http://169.254.169.254/latest/meta-data/", safehttp.ErrForbiddenAddress, false},
		{"http://100.64.0.1/", safehttp.ErrForbiddenAddress, false},
		{"http://192.168.0.1/", safehttp.ErrForbiddenAddress, false},
		{"http://172.16.0.1/", safehttp.ErrForbiddenAddress, false},
		{"http://198.18.0.1/", safehttp.ErrForbiddenAddress, false},
		{"http://240.0.0.1/", safehttp.ErrForbiddenAddress, false},
		{"http://224.0.0.1/", safehttp.ErrForbiddenAddress, false},
		{"http://[fd00::1]/", safehttp.ErrForbiddenAddress, false},
		{"http://[fec0::1]/", safehttp.ErrForbiddenAddress, false},
		{"http://[fe80::1]/", safehttp.ErrForbiddenAddress, false},
		{"http://[2002:7f00:1::1]/", safehttp.ErrForbiddenAddress, false},
		{"http://[64:ff9b::a9fe:a9fe]/", safehttp.ErrForbiddenAddress, false},
		{"http://[2001:db8::1]/", safehttp.ErrForbiddenAddress, false},
		{fmt.Sprintf("http://evil.example:%d/", p), safehttp.ErrForbiddenAddress, true},
		{"http://metadata.evil/", safehttp.ErrForbiddenAddress, true},
		{fmt.Sprintf("http://mixed.evil:%d/", p), safehttp.ErrForbiddenAddress, true},
		{fmt.Sprintf("http://rebind.evil:%d/", p), safehttp.ErrForbiddenAddress, true},
		{fmt.Sprintf("http://nat64.evil:%d/", p), safehttp.ErrForbiddenAddress, true},
		{fmt.Sprintf("http://unspecified.evi:%d/", p), safehttp.ErrForbiddenAddress, true},
		// Numeric forms that inet_aton or a browser would read as 127.0.0.1.
		{fmt.Sprintf("http://2130706433:%d/", p), safehttp.ErrBadURL, false},
		{fmt.Sprintf("http://0x7f.1:%d/", p), safehttp.ErrBadURL, false},
		{fmt.Sprintf("http://0x7f000001:%d/", p), safehttp.ErrBadURL, false},
		{fmt.Sprintf("http://017700000001:%d/", p), safehttp.ErrBadURL, false},
		{fmt.Sprintf("http://0177.0.0.1:%d/", p), safehttp.ErrBadURL, false},
		{fmt.Sprintf("http://127.1:%d/", p), safehttp.ErrBadURL, false},
		{fmt.Sprintf("http://user:pass@evil.example:%d/", p), safehttp.ErrBadURL, false},
		{"ftp://evil.example/", safehttp.ErrBadURL, false},
		{"file:///etc/passwd", safehttp.ErrBadURL, false},
		{"gopher://evil.example:6379/_FLUSHALL", safehttp.ErrBadURL, false},
		{"/relative", safehttp.ErrBadURL, false},
	}
	for _, tt := range tests {
		before := len(res.seen())
		resp, err := get(t.Context(), c, tt.url)
		if resp != nil {
			_ = resp.Body.Close()
		}
		require.ErrorIs(t, err, tt.want, tt.url)
		assert.Equal(t, tt.lookup, len(res.seen()) > before, "lookup for %s", tt.url)
	}
	assert.Zero(t, rec.accepts.Load(), "a refused request reached the listener")
}

func TestLocalhostResolvedByTheSystemIsRefused(t *testing.T) {
	t.Parallel()
	rec := listen(t, "127.0.0.1:0")
	c, err := safehttp.New(safehttp.Config{})
	require.NoError(t, err)
	_, err = get(t.Context(), c, fmt.Sprintf("http://localhost:%d/", rec.port()))
	require.Error(t, err)
	// Resolution may fail in a sandbox; if it worked, the address was refused.
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		require.ErrorIs(t, err, safehttp.ErrForbiddenAddress)
	}
	assert.Zero(t, rec.accepts.Load())
}

func TestAllowPrivate(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, r.Header.Get("Accept")+"|"+r.UserAgent())
	}))
	t.Cleanup(srv.Close)
	c, err := safehttp.New(safehttp.Config{AllowPrivate: loopback, UserAgent: "convene-test"})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL, nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/plain")
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "text/plain|convene-test", string(b), "the caller's Accept is sent as is")
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	for name, cfg := range map[string]safehttp.Config{
		"negative timeout": {Timeout: -1},
		"negative limit":   {MaxBodyBytes: -1},
		"bad prefix":       {AllowPrivate: []netip.Prefix{{}}},
		"bad port":         {AllowedPorts: []int{0}},
	} {
		_, err := safehttp.New(cfg)
		assert.Error(t, err, name)
	}
}

func TestAllowedPorts(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(srv.Close)
	c, err := safehttp.New(safehttp.Config{AllowPrivate: loopback, AllowedPorts: []int{80, 443}})
	require.NoError(t, err)
	_, err = get(t.Context(), c, srv.URL)
	require.ErrorIs(t, err, safehttp.ErrBadURL)
}

func TestRedirects(t *testing.T) {
	t.Parallel()
	private := listen(t, "127.0.0.2:0")
	res := &fakeResolver{hosts: map[string][]netip.Addr{"internal.example": addrs("10.0.0.5")}}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-private":
			http.Redirect(w, r, fmt.Sprintf("http://127.0.0.2:%d/", private.port()), http.StatusFound)
		case "/to-redis":
			http.Redirect(w, r, "http://internal.example:6379/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/to-userinfo":
			w.Header().Set("Location", strings.Replace(srv.URL, "http://", "http://u:p@", 1)+"/end")
			w.WriteHeader(http.StatusFound)
		case "/end":
			_, _ = io.WriteString(w, "end")
		default: // /hop/N redirects N more times, then ends
			var n int
			_, _ = fmt.Sscanf(r.URL.Path, "/hop/%d", &n)
			if n == 0 {
				http.Redirect(w, r, "/end", http.StatusFound)
				return
			}
			http.Redirect(w, r, fmt.Sprintf("/hop/%d", n-1), http.StatusFound)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := safehttp.New(safehttp.Config{AllowPrivate: loopback, Resolver: res})
	require.NoError(t, err)

	tests := []struct {
		path string
		want error
	}{
		{"/to-private", safehttp.ErrForbiddenAddress},
		{"/to-redis", safehttp.ErrForbiddenAddress},
		{"/to-file", safehttp.ErrBadURL},
		{"/to-userinfo", safehttp.ErrBadURL},
		{"/hop/2", nil}, // 3 redirects: /hop/2 → /hop/1 → /hop/0 → /end
		{"/hop/3", safehttp.ErrTooManyRedirects},
	}
	for _, tt := range tests {
		resp, err := get(t.Context(), c, srv.URL+tt.path)
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.path)
			continue
		}
		require.NoError(t, err, tt.path)
		_ = resp.Body.Close()
		assert.Equal(t, "/end", resp.Request.URL.Path)
	}
	assert.Equal(t, []string{"internal.example"}, res.seen())
	assert.Zero(t, private.accepts.Load())
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int
		_, _ = fmt.Sscanf(r.URL.Path, "/%d", &n)
		if r.URL.Query().Has("length") {
			w.Header().Set("Content-Length", fmt.Sprint(n))
		}
		chunk := strings.Repeat("a", 4096)
		for n > 0 {
			k := min(n, len(chunk))
			_, _ = io.WriteString(w, chunk[:k])
			w.(http.Flusher).Flush() // chunked: no Content-Length to refuse early
			n -= k
		}
	}))
	t.Cleanup(srv.Close)
	c, err := safehttp.New(safehttp.Config{AllowPrivate: loopback})
	require.NoError(t, err)

	tests := []struct {
		path    string
		doErr   error
		readErr error
	}{
		{fmt.Sprintf("/%d", safehttp.MaxBodyBytes), nil, nil},
		{fmt.Sprintf("/%d", safehttp.MaxBodyBytes+1), nil, safehttp.ErrTooLarge},
		{fmt.Sprintf("/%d", 3*safehttp.MaxBodyBytes), nil, safehttp.ErrTooLarge},
		{fmt.Sprintf("/%d?length", safehttp.MaxBodyBytes+1), safehttp.ErrTooLarge, nil},
	}
	for _, tt := range tests {
		resp, err := get(t.Context(), c, srv.URL+tt.path)
		if tt.doErr != nil {
			require.ErrorIs(t, err, tt.doErr, tt.path)
			continue
		}
		require.NoError(t, err, tt.path)
		b, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if tt.readErr != nil {
			require.ErrorIs(t, err, tt.readErr, tt.path)
			assert.LessOrEqual(t, len(b), safehttp.MaxBodyBytes)
			continue
		}
		require.NoError(t, err, tt.path)
		assert.Len(t, b, safehttp.MaxBodyBytes)
	}
}

func TestTotalTimeoutCoversASlowBody(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "{")
		w.(http.Flusher).Flush()
		select { // then trickle nothing until the client gives up
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
		}
	}))
	t.Cleanup(srv.Close)
	c, err := safehttp.New(safehttp.Config{AllowPrivate: loopback, Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	start := time.Now()
	resp, err := get(t.Context(), c, srv.URL)
	require.NoError(t, err, "headers arrive in time")
	_, err = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	require.Error(t, err)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	assert.True(t, ne.Timeout(), "%v", err)
	assert.Less(t, time.Since(start), 5*time.Second)
}

// asServer serves ActivityStreams documents: path → (content type, body
// with %s replaced by the server URL).
func asServer(t *testing.T, docs map[string][2]string) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept") != safehttp.AcceptAS {
			http.Error(w, "bad accept", http.StatusNotAcceptable)
			return
		}
		if r.URL.Path == "/moved" {
			http.Redirect(w, r, "/users/bob", http.StatusMovedPermanently)
			return
		}
		d, ok := docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", d[0])
		_, _ = io.WriteString(w, strings.ReplaceAll(d[1], "%s", srv.URL))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestFetchAS(t *testing.T) {
	t.Parallel()
	const as = "application/activity+json"
	srv := asServer(t, map[string][2]string{
		"/users/alice":   {as, `{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/users/alice","type":"Person"}`},
		"/users/ld":      {`application/ld+json; profile="https://www.w3.org/ns/activitystreams"`, `{"id":"%s/users/ld"}`},
		"/users/ldmulti": {`application/ld+json;profile="https://example.org/x https://www.w3.org/ns/activitystreams"`, `{"id":"%s/users/ldmulti"}`},
		"/users/charset": {"application/activity+json; charset=utf-8", `{"id":"%s/users/charset"}`},
		"/users/ldplain": {"application/ld+json", `{"id":"%s/users/ldplain"}`},
		"/users/json":    {"application/json", `{"id":"%s/users/json"}`},
		"/users/html":    {"text/html; charset=utf-8", `{"id":"%s/users/html"}`},
		"/users/png":     {"image/png", `{"id":"%s/users/png"}`},
		"/users/none":    {"", `{"id":"%s/users/none"}`},
		"/users/bob":     {as, `{"id":"%s/users/bob"}`},
		"/users/other":   {as, `{"id":"https://victim.example/users/other"}`},
		"/users/path":    {as, `{"id":"%s/users/someone-else"}`},
		"/users/upper":   {as, `{"id":"%s/users/UPPER"}`},
		"/users/dup":     {as, `{"id":"%s/users/dup","id":"https://victim.example/x"}`},
		"/users/ID":      {as, `{"ID":"%s/users/ID"}`},
		"/users/noid":    {as, `{"type":"Person"}`},
		"/users/numid":   {as, `{"id":42}`},
		"/users/array":   {as, `[{"id":"%s/users/array"}]`},
		"/users/deep":    {as, `{"id":"%s/users/deep","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`},
		"/users/nested":  {as, `{"x":{"id":"https://victim.example/"},"id":"%s/users/nested"}`},
		"/users/trail":   {as, `{"id":"%s/users/trail"}{"id":"x"}`},
		"/users/broken":  {as, `{"id":"%s/users/broken",`},
	})
	c, err := safehttp.New(safehttp.Config{AllowPrivate: loopback})
	require.NoError(t, err)

	tests := []struct {
		path    string
		want    error
		wantURL string // path of the final URL when it succeeds
	}{
		{"/users/alice", nil, "/users/alice"},
		{"/users/alice#main-key", nil, "/users/alice"},
		{"/users/ld", nil, "/users/ld"},
		{"/users/ldmulti", nil, "/users/ldmulti"},
		{"/users/charset", nil, "/users/charset"},
		{"/moved", nil, "/users/bob"}, // id is checked against the final URL
		{"/users/nested", nil, "/users/nested"},
		{"/users/ldplain", safehttp.ErrContentType, ""},
		{"/users/json", safehttp.ErrContentType, ""},
		{"/users/html", safehttp.ErrContentType, ""},
		{"/users/png", safehttp.ErrContentType, ""},
		{"/users/none", safehttp.ErrContentType, ""},
		{"/users/other", safehttp.ErrIDMismatch, ""},
		{"/users/path", safehttp.ErrIDMismatch, ""},
		{"/users/upper", safehttp.ErrIDMismatch, ""},
		{"/users/dup", safehttp.ErrMalformed, ""},
		{"/users/ID", safehttp.ErrMalformed, ""},
		{"/users/noid", safehttp.ErrMalformed, ""},
		{"/users/numid", safehttp.ErrMalformed, ""},
		{"/users/array", safehttp.ErrMalformed, ""},
		{"/users/deep", safehttp.ErrMalformed, ""},
		{"/users/trail", safehttp.ErrMalformed, ""},
		{"/users/broken", safehttp.ErrMalformed, ""},
	}
	for _, tt := range tests {
		doc, err := c.FetchAS(t.Context(), srv.URL+tt.path)
		if tt.want != nil {
			require.ErrorIs(t, err, tt.want, tt.path)
			assert.Nil(t, doc)
			continue
		}
		require.NoError(t, err, tt.path)
		assert.Equal(t, srv.URL+tt.wantURL, doc.URL, tt.path)
		assert.Equal(t, doc.URL, doc.ID)
		assert.Contains(t, string(doc.Body), `"id"`)
	}

	_, err = c.FetchAS(t.Context(), srv.URL+"/missing")
	var se *safehttp.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusNotFound, se.StatusCode)
	assert.Contains(t, se.Error(), "404")

	_, err = c.FetchAS(t.Context(), "http://[::1")
	require.ErrorIs(t, err, safehttp.ErrBadURL)
}

func TestSameIRI(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		same bool
	}{
		{"https://h.example/u/a", "https://h.example/u/a", true},
		{"https://H.Example/u/a", "HTTPS://h.example/u/a", true},
		{"https://h.example:443/u/a", "https://h.example/u/a", true},
		{"http://h.example:80/u/a", "http://h.example/u/a", true},
		{"http://h.example:8080/u/a", "http://h.example/u/a", false},
		{"https://h.example/u/a", "http://h.example/u/a", false},
		{"https://h.example/u/A", "https://h.example/u/a", false},
		{"https://h.example/u/a?x=1", "https://h.example/u/a", false},
		{"https://h.example/u/a#k", "https://h.example/u/a", false},
		{"https://h.example/u/a/", "https://h.example/u/a", false},
		{"https://h.example.evil/u/a", "https://h.example/u/a", false},
		{"https://user@h.example/u/a", "https://h.example/u/a", false},
		{"mailto:a@h.example", "mailto:a@h.example", false},
		{"%zz", "%zz", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.same, safehttp.SameIRI(tt.a, tt.b), "%s vs %s", tt.a, tt.b)
	}
}

func TestTopLevelID(t *testing.T) {
	t.Parallel()
	ok := map[string]string{
		`{"id":"https://h/x"}`: "https://h/x",
		` {"a":[1,{"id":"no"}],"id":"https://h/x","b":{"c":null}} `: "https://h/x",
		`{"id":"https://h/x","n":1.5e3,"t":true}`:                   "https://h/x",
	}
	for doc, want := range ok {
		id, err := safehttp.TopLevelID([]byte(doc))
		require.NoError(t, err, doc)
		assert.Equal(t, want, id)
	}
	deepOK := `{"id":"x","a":` + strings.Repeat("[", safehttp.MaxJSONDepth-1) + strings.Repeat("]", safehttp.MaxJSONDepth-1) + `}`
	_, err := safehttp.TopLevelID([]byte(deepOK))
	require.NoError(t, err, "depth %d is allowed", safehttp.MaxJSONDepth)
	for _, doc := range []string{
		``, `null`, `"x"`, `{}`, `{"id":""}`, `{"id":null}`, `{"id":["x"]}`, `{"Id":"x"}`,
		`{"id":"x","id":"x"}`, `{"id":"x"`, `{"id":"x"} x`, `{"id":"x",}`,
		`{"id":"x","a":` + strings.Repeat("[", safehttp.MaxJSONDepth) + strings.Repeat("]", safehttp.MaxJSONDepth) + `}`,
		`{"id":"x","a":` + strings.Repeat(`{"a":`, 10000),
	} {
		_, err := safehttp.TopLevelID([]byte(doc))
		require.ErrorIs(t, err, safehttp.ErrMalformed, "%.80s", doc)
	}
}

func FuzzTopLevelID(f *testing.F) {
	for _, s := range []string{`{"id":"https://h/x"}`, `{"a":[{"b":{}}],"id":"x"}`, `{"id":"x","id":"y"}`, `[`, `{"id":1}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		id, err := safehttp.TopLevelID(doc)
		if err != nil {
			require.ErrorIs(t, err, safehttp.ErrMalformed)
			return
		}
		require.NotEmpty(t, id)
	})
}

func ExampleClient_FetchAS() {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/activity+json")
		fmt.Fprintf(w, `{"id":"%s/@alice","type":"Person"}`, srv.URL)
	}))
	defer srv.Close()

	// Tests federate over loopback: allow it explicitly.
	c, err := safehttp.New(safehttp.Config{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	if err != nil {
		panic(err)
	}
	doc, err := c.FetchAS(context.Background(), srv.URL+"/@alice#main-key")
	if err != nil {
		panic(err)
	}
	fmt.Println(strings.TrimPrefix(doc.ID, srv.URL), doc.URL == doc.ID)

	// Without the allow-list, the same loopback URL is refused before
	// any connection is made.
	strict, _ := safehttp.New(safehttp.Config{})
	_, err = strict.FetchAS(context.Background(), srv.URL+"/@alice")
	fmt.Println(errors.Is(err, safehttp.ErrForbiddenAddress))
	// Output:
	// /@alice true
	// true
}
