package ical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"codeberg.org/convene/convene/federation/safehttp"
)

// DefaultFetchTimeout bounds a whole fetch of a remote calendar (dial,
// TLS, redirects and body) with the default client.
const DefaultFetchTimeout = 20 * time.Second

// userAgent is the User-Agent of calendar fetches.
const userAgent = "Convene iCalendar importer"

// ErrTooLarge: the remote calendar is larger than the limit. Every size
// failure of Fetch matches it with errors.Is, whether Fetch's own limit
// or the client's body limit (safehttp.ErrTooLarge, which such errors
// match too) caught it. The body is never truncated.
var ErrTooLarge = errors.New("ical: remote calendar too large")

// Doer sends HTTP requests. *safehttp.Client implements it, and is what
// should fetch remote calendars: it refuses private, loopback and other
// special-purpose addresses at dial time, redirects included. An
// *http.Client implements it too, without those checks.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// defaultClient is the client used when none is given: the SSRF-safe
// client of federation/safehttp with MaxImportBytes and
// DefaultFetchTimeout as limits. It is shared, so that its connection
// pool is too.
var defaultClient = sync.OnceValues(func() (*safehttp.Client, error) {
	return newDefaultClient(MaxImportBytes)
})

func newDefaultClient(maxBytes int64) (*safehttp.Client, error) {
	c, err := safehttp.New(safehttp.Config{MaxBodyBytes: maxBytes, Timeout: DefaultFetchTimeout, UserAgent: userAgent})
	if err != nil {
		return nil, fmt.Errorf("ical: default client: %w", err)
	}
	return c, nil
}

// Fetched is the answer to a conditional GET of a calendar.
type Fetched struct {
	NotModified  bool
	Body         []byte
	ETag         string
	LastModified string
}

// Fetch GETs a calendar URL with c (nil means a safehttp.Client with
// MaxImportBytes and DefaultFetchTimeout as limits), with If-None-Match
// and If-Modified-Since when etag and lastModified are set, reading at
// most maxBytes (MaxImportBytes when 0): a longer calendar is an error
// matching ErrTooLarge, never truncated. The client's own body limit
// applies as well. URLs other than http and https fail with
// safehttp.ErrBadURL whatever c is; with a safehttp.Client, a private or
// otherwise non-public address fails with safehttp.ErrForbiddenAddress
// and too many redirects with safehttp.ErrTooManyRedirects.
func Fetch(ctx context.Context, c Doer, rawURL, etag, lastModified string, maxBytes int64) (*Fetched, error) {
	if maxBytes <= 0 {
		maxBytes = MaxImportBytes
	}
	if !strings.HasPrefix(rawURL, "https://") && !strings.HasPrefix(rawURL, "http://") {
		return nil, fmt.Errorf("ical: fetch: %w: only http and https URLs", safehttp.ErrBadURL)
	}
	if c == nil {
		dc, err := defaultClient()
		if err != nil {
			return nil, err
		}
		c = dc
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("ical: fetch: %w", err)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	req.Header.Set("User-Agent", userAgent)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fetchError(req, err)
	}
	defer res.Body.Close()
	switch res.StatusCode {
	case http.StatusOK:
	case http.StatusNotModified:
		return &Fetched{NotModified: true, ETag: cmpOr(res.Header.Get("ETag"), etag),
			LastModified: cmpOr(res.Header.Get("Last-Modified"), lastModified)}, nil
	default:
		return nil, fmt.Errorf("ical: fetch %s: HTTP status %d", req.URL.Redacted(), res.StatusCode)
	}
	if res.ContentLength > maxBytes {
		return nil, fmt.Errorf("%w: %d bytes", ErrTooLarge, res.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxBytes+1))
	if err != nil {
		return nil, fetchError(req, err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
	}
	return &Fetched{Body: body, ETag: res.Header.Get("ETag"), LastModified: res.Header.Get("Last-Modified")}, nil
}

// fetchError wraps a transport or body error; the client's body limit
// becomes ErrTooLarge as well.
func fetchError(req *http.Request, err error) error {
	if errors.Is(err, safehttp.ErrTooLarge) {
		return fmt.Errorf("%w: fetch %s: %w", ErrTooLarge, req.URL.Redacted(), err)
	}
	return fmt.Errorf("ical: fetch %s: %w", req.URL.Redacted(), err)
}
