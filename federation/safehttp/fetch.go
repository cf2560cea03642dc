package safehttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// ActivityStreams fetches.
const (
	// AcceptAS is the Accept header FetchAS sends.
	AcceptAS = `application/activity+json, application/ld+json; profile="https://www.w3.org/ns/activitystreams"`
	// ASProfile is the JSON-LD profile that makes application/ld+json an
	// ActivityStreams document.
	ASProfile = "https://www.w3.org/ns/activitystreams"
	// MaxJSONDepth is the deepest nesting FetchAS accepts in a document.
	MaxJSONDepth = 64
	// maxErrorBody is how much of an error response is kept.
	maxErrorBody = 512
)

var (
	// ErrContentType: the response is not an ActivityStreams document
	// (CVE-2024-23832 class: HTML or an image posing as an actor).
	ErrContentType = errors.New("safehttp: not an ActivityStreams content type")
	// ErrIDMismatch: the document's id is not the URL it was fetched
	// from after redirects (another host, or another path).
	ErrIDMismatch = errors.New("safehttp: document id differs from its URL")
	// ErrMalformed: the document is not a JSON object with one string id,
	// or is nested deeper than MaxJSONDepth.
	ErrMalformed = errors.New("safehttp: malformed document")
)

// StatusError is a response with a status other than 2xx.
type StatusError struct {
	StatusCode int
	URL        string
	// Body is the start of the response body, for logs.
	Body string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("safehttp: GET %s: status %d", e.URL, e.StatusCode)
}

// Document is a fetched ActivityStreams document.
type Document struct {
	// Body is the exact bytes received.
	Body []byte
	// URL is the final URL after redirects, without fragment; it equals
	// ID (after normalisation).
	URL string
	// ID is the document's top-level "id".
	ID          string
	ContentType string
}

// FetchAS GETs an ActivityStreams document: Accept is AcceptAS, the
// response must be 2xx with an AS2 Content-Type (application/activity+json,
// or application/ld+json with the ActivityStreams profile), the body at
// most the body limit, a JSON object nested at most MaxJSONDepth deep
// whose single top-level "id" equals the final URL after redirects (the
// fragment of rawURL is ignored: fetching a keyId such as
// https://h/@a#main-key yields the actor https://h/@a). Scheme and host
// compare case-insensitively and a default port is ignored; everything
// else compares exactly.
func (c *Client) FetchAS(ctx context.Context, rawURL string) (*Document, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadURL, err)
	}
	req.Header.Set("Accept", AcceptAS)
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	final := *resp.Request.URL
	final.Fragment, final.RawFragment = "", ""
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		return nil, &StatusError{StatusCode: resp.StatusCode, URL: final.String(), Body: string(b)}
	}
	ct := resp.Header.Get("Content-Type")
	if !IsASContentType(ct) {
		return nil, fmt.Errorf("%w: %q from %s", ErrContentType, ct, final.String())
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	id, err := TopLevelID(body)
	if err != nil {
		return nil, err
	}
	if !SameIRI(id, final.String()) {
		return nil, fmt.Errorf("%w: id %q, fetched from %s", ErrIDMismatch, id, final.String())
	}
	return &Document{Body: body, URL: final.String(), ID: id, ContentType: ct}, nil
}

// IsASContentType reports whether a Content-Type header names an
// ActivityStreams document.
func IsASContentType(ct string) bool {
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json":
		return true
	case "application/ld+json":
		return slices.Contains(strings.Fields(params["profile"]), ASProfile)
	}
	return false
}

// SameIRI reports whether a and b are the same absolute http(s) IRI:
// scheme and host case-insensitively, default ports ignored, path, query
// and fragment exactly.
func SameIRI(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return false
	}
	na, ok1 := normIRI(ua)
	nb, ok2 := normIRI(ub)
	return ok1 && ok2 && na == nb
}

func normIRI(u *url.URL) (string, bool) {
	scheme := strings.ToLower(u.Scheme)
	if (scheme != "http" && scheme != "https") || u.Host == "" || u.User != nil || u.Opaque != "" {
		return "", false
	}
	host := strings.ToLower(u.Hostname())
	if p := u.Port(); p != "" && !(scheme == "http" && p == "80") && !(scheme == "https" && p == "443") {
		host += ":" + p
	}
	v := url.URL{Scheme: scheme, Host: host, Path: u.Path, RawPath: u.RawPath, RawQuery: u.RawQuery, ForceQuery: u.ForceQuery, Fragment: u.Fragment, RawFragment: u.RawFragment}
	return v.String(), true
}

// TopLevelID returns the "id" member of the JSON object doc without
// decoding the rest: keys compare exactly (no case folding), a second
// "id" is an error, nesting deeper than MaxJSONDepth is an error, and
// nothing may follow the object. Errors wrap ErrMalformed.
func TopLevelID(doc []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", fmt.Errorf("%w: not a JSON object", ErrMalformed)
	}
	var id string
	seen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		key, _ := tok.(string)
		if key != "id" {
			if err := skipValue(dec); err != nil {
				return "", err
			}
			continue
		}
		if seen {
			return "", fmt.Errorf("%w: duplicate id", ErrMalformed)
		}
		seen = true
		tok, err = dec.Token()
		if err != nil {
			return "", fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		if id, _ = tok.(string); id == "" {
			return "", fmt.Errorf("%w: id is not a non-empty string", ErrMalformed)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", fmt.Errorf("%w: data after the object", ErrMalformed)
	}
	if !seen {
		return "", fmt.Errorf("%w: no id", ErrMalformed)
	}
	return id, nil
}

// skipValue consumes one value, counting depth from the top-level
// object (depth 1).
func skipValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrMalformed, err)
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
			if depth+1 > MaxJSONDepth {
				return fmt.Errorf("%w: nested deeper than %d", ErrMalformed, MaxJSONDepth)
			}
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}
