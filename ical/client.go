package ical

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Outbound request limits of NewClient.
const (
	DefaultFetchTimeout = 20 * time.Second
	DefaultDialTimeout  = 5 * time.Second
	DefaultMaxRedirects = 3
)

// ErrBlockedAddress: the remote calendar's address is private, loopback,
// link-local or otherwise not a public unicast address.
var ErrBlockedAddress = errors.New("ical: address not allowed")

// ErrTooLarge: the remote calendar is larger than the limit.
var ErrTooLarge = errors.New("ical: remote calendar too large")

// ClientConfig configures NewClient.
type ClientConfig struct {
	// AllowPrivate lets requests reach private and loopback addresses;
	// only for tests and closed networks.
	AllowPrivate bool
	// Timeout bounds a whole request, body included; 0 means
	// DefaultFetchTimeout.
	Timeout time.Duration
	// MaxRedirects bounds redirects; 0 means DefaultMaxRedirects.
	MaxRedirects int
}

// NewClient returns an HTTP client for fetching remote calendars with
// the limits of the federation resolver: the IP address is checked when
// dialling (after DNS resolution, so redirects and DNS rebinding are
// covered), only http and https, at most MaxRedirects redirects, no
// proxy from the environment, and a time limit. Fetch adds the size
// limit. It stands in until federation's SSRF-safe client exists.
func NewClient(cfg ClientConfig) *http.Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultFetchTimeout
	}
	if cfg.MaxRedirects <= 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	dialer := &net.Dialer{Timeout: DefaultDialTimeout, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			if network != "tcp4" && network != "tcp6" {
				return fmt.Errorf("%w: network %s", ErrBlockedAddress, network)
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %v", ErrBlockedAddress, err)
			}
			if !cfg.AllowPrivate && !PublicAddr(ap.Addr()) {
				return fmt.Errorf("%w: %s", ErrBlockedAddress, ap.Addr())
			}
			return nil
		}}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would make the dial check look at the proxy
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConns:          16,
		IdleConnTimeout:       60 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{Transport: tr, Timeout: cfg.Timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > cfg.MaxRedirects {
				return fmt.Errorf("ical: more than %d redirects", cfg.MaxRedirects)
			}
			if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
				return fmt.Errorf("%w: scheme %q", ErrBlockedAddress, req.URL.Scheme)
			}
			return nil
		}}
}

// blockedPrefixes are special-purpose ranges (RFC 6890 and successors)
// that the standard library's predicates do not cover.
var blockedPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("192.88.99.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001::/23"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
}

// PublicAddr reports whether ip is a public unicast address that a
// remote calendar may live at. IPv4-mapped IPv6 addresses are judged as
// IPv4; IPv6 must be in 2000::/3.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsUnspecified() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() ||
		ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() || ip.IsMulticast() {
		return false
	}
	if ip.Is6() && !netip.MustParsePrefix("2000::/3").Contains(ip) {
		return false
	}
	for _, p := range blockedPrefixes {
		if p.Contains(ip) {
			return false
		}
	}
	return ip != netip.AddrFrom4([4]byte{255, 255, 255, 255})
}

// Fetched is the answer to a conditional GET of a calendar.
type Fetched struct {
	NotModified  bool
	Body         []byte
	ETag         string
	LastModified string
}

// Fetch GETs a calendar URL with If-None-Match and If-Modified-Since
// when etag and lastModified are set, reading at most maxBytes
// (MaxImportBytes when 0).
func Fetch(ctx context.Context, c *http.Client, rawURL, etag, lastModified string, maxBytes int64) (*Fetched, error) {
	if maxBytes <= 0 {
		maxBytes = MaxImportBytes
	}
	if !strings.HasPrefix(rawURL, "https://") && !strings.HasPrefix(rawURL, "http://") {
		return nil, fmt.Errorf("%w: only http and https URLs", ErrBlockedAddress)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("ical: fetch: %w", err)
	}
	req.Header.Set("Accept", "text/calendar, */*;q=0.5")
	req.Header.Set("User-Agent", "Convene iCalendar importer")
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	if lastModified != "" {
		req.Header.Set("If-Modified-Since", lastModified)
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("ical: fetch %s: %w", req.URL.Redacted(), err)
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
		return nil, fmt.Errorf("ical: fetch %s: %w", req.URL.Redacted(), err)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, maxBytes)
	}
	return &Fetched{Body: body, ETag: res.Header.Get("ETag"), LastModified: res.Header.Get("Last-Modified")}, nil
}
