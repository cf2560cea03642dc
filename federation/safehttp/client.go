package safehttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Limits of every outbound request.
const (
	// MaxRedirects is the most redirects followed; the next one fails
	// with ErrTooManyRedirects (Mastodon follows 3 hops).
	MaxRedirects = 3
	// MaxBodyBytes is the default largest response body read: reading
	// past it fails with ErrTooLarge instead of truncating silently.
	MaxBodyBytes = 1 << 20
	// DefaultTimeout bounds a whole request (dial, TLS, redirects and the
	// body read) when Config.Timeout is zero.
	DefaultTimeout = 30 * time.Second
	// DialTimeout bounds one TCP connection attempt.
	DialTimeout = 10 * time.Second
	// TLSHandshakeTimeout bounds one TLS handshake.
	TLSHandshakeTimeout = 10 * time.Second
	// MaxHostLength is the longest host name accepted in a URL.
	MaxHostLength = 253
)

// Errors. Transport errors reach the caller wrapped (in *url.Error,
// *net.OpError); test them with errors.Is.
var (
	// ErrForbiddenAddress: the host is, or resolves only to, an address
	// outside the public internet (loopback, private, link-local, ...)
	// that Config.AllowPrivate does not list. No connection was made.
	ErrForbiddenAddress = errors.New("safehttp: forbidden address")
	// ErrBadURL: not an absolute http(s) URL, userinfo present, a
	// non-canonical numeric host (http://2130706433/), or a port that
	// Config.AllowedPorts does not list.
	ErrBadURL = errors.New("safehttp: URL refused")
	// ErrTooManyRedirects: more than MaxRedirects redirects.
	ErrTooManyRedirects = errors.New("safehttp: too many redirects")
	// ErrTooLarge: the response body is longer than the limit.
	ErrTooLarge = errors.New("safehttp: response body too large")
)

// Resolver looks host names up; *net.Resolver implements it. Tests
// inject a fake to make a name resolve to a private address.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Config configures a Client. The zero value is a valid configuration.
type Config struct {
	// AllowPrivate lists prefixes that may be dialled although they are
	// not public, e.g. 127.0.0.0/8 for tests or a private federation.
	// Empty (the default) refuses every non-public address.
	AllowPrivate []netip.Prefix
	// AllowedPorts, when not empty, is the only ports a URL may name
	// (the scheme's default port included, e.g. 443 for https). Empty
	// allows every port: the address check is what stops SSRF.
	AllowedPorts []int
	// Timeout bounds a whole request including its body; zero means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxBodyBytes bounds a response body; zero means MaxBodyBytes.
	MaxBodyBytes int64
	// Resolver resolves host names; nil means net.DefaultResolver.
	Resolver Resolver
	// UserAgent is sent when the request has none.
	UserAgent string
}

// Client performs outbound requests under the checks of this package.
// It is safe for concurrent use. All Clients derived with
// WithRoundTripper share one connection pool.
type Client struct {
	cfg  Config
	base *http.Transport
	hc   *http.Client
}

// New returns a Client.
func New(cfg Config) (*Client, error) {
	switch {
	case cfg.Timeout < 0:
		return nil, errors.New("safehttp: negative Timeout")
	case cfg.MaxBodyBytes < 0:
		return nil, errors.New("safehttp: negative MaxBodyBytes")
	}
	for _, p := range cfg.AllowPrivate {
		if !p.IsValid() {
			return nil, errors.New("safehttp: invalid AllowPrivate prefix")
		}
	}
	for _, port := range cfg.AllowedPorts {
		if port < 1 || port > 65535 {
			return nil, fmt.Errorf("safehttp: AllowedPorts: invalid port %d", port)
		}
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = MaxBodyBytes
	}
	if cfg.Resolver == nil {
		cfg.Resolver = net.DefaultResolver
	}
	cfg.AllowPrivate = append([]netip.Prefix(nil), cfg.AllowPrivate...)
	cfg.AllowedPorts = append([]int(nil), cfg.AllowedPorts...)
	c := &Client{cfg: cfg}
	c.base = &http.Transport{
		Proxy:                 nil, // a proxy would hide the dialled address from the check
		DialContext:           c.dial,
		TLSHandshakeTimeout:   TLSHandshakeTimeout,
		ResponseHeaderTimeout: cfg.Timeout,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	c.hc = c.newHTTPClient(c.base)
	return c, nil
}

func (c *Client) newHTTPClient(rt http.RoundTripper) *http.Client {
	return &http.Client{
		Transport:     rt,
		Timeout:       c.cfg.Timeout,
		CheckRedirect: c.checkRedirect,
	}
}

// WithRoundTripper returns a Client whose requests pass through
// wrap(base), base being this Client's checked transport: the way to
// sign outbound requests (see federation/httpsig.Transport). Redirects,
// limits and address checks stay in force.
func (c *Client) WithRoundTripper(wrap func(base http.RoundTripper) http.RoundTripper) *Client {
	d := &Client{cfg: c.cfg, base: c.base}
	d.hc = c.newHTTPClient(wrap(c.base))
	return d
}

// Do sends req after checking its URL. The caller sets Accept and other
// headers. The response body, which the caller must close, fails with
// ErrTooLarge past the body limit; a response whose Content-Length
// already exceeds it is closed and refused.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if err := c.checkURL(req.URL); err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	if c.cfg.UserAgent != "" && req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", c.cfg.UserAgent)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.ContentLength > c.cfg.MaxBodyBytes {
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%w: Content-Length %d, limit %d", ErrTooLarge, resp.ContentLength, c.cfg.MaxBodyBytes)
	}
	resp.Body = &limitedBody{rc: resp.Body, left: c.cfg.MaxBodyBytes}
	return resp, nil
}

// limitedBody fails with ErrTooLarge once more than left bytes arrive.
type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, ErrTooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - int(-b.left), ErrTooLarge
	}
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > MaxRedirects {
		return fmt.Errorf("%w: more than %d", ErrTooManyRedirects, MaxRedirects)
	}
	return c.checkURL(req.URL)
}

// checkURL refuses what must never be requested, before any lookup.
func (c *Client) checkURL(u *url.URL) error {
	if u == nil {
		return fmt.Errorf("%w: no URL", ErrBadURL)
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme != "http" && scheme != "https" {
		return fmt.Errorf("%w: scheme %q is not http or https", ErrBadURL, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: userinfo in URL", ErrBadURL)
	}
	host := u.Hostname()
	if host == "" || len(host) > MaxHostLength {
		return fmt.Errorf("%w: bad host %q", ErrBadURL, host)
	}
	if _, err := netip.ParseAddr(host); err != nil && numericHost(host) {
		return fmt.Errorf("%w: non-canonical numeric host %q", ErrBadURL, host)
	}
	port := u.Port()
	if port == "" {
		port = "443"
		if scheme == "http" {
			port = "80"
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%w: bad port %q", ErrBadURL, port)
	}
	if len(c.cfg.AllowedPorts) > 0 && !containsInt(c.cfg.AllowedPorts, n) {
		return fmt.Errorf("%w: port %d not allowed", ErrBadURL, n)
	}
	return nil
}

func containsInt(s []int, n int) bool {
	for _, v := range s {
		if v == n {
			return true
		}
	}
	return false
}

// numericHost reports whether host would be read as an IPv4 address by
// the WHATWG URL parser or inet_aton (its last label is a decimal, octal
// or hex number: 2130706433, 0x7f.1, 017700000001, 127.1). Such hosts
// are refused unless they are canonical dotted-decimal, so no resolver
// can turn them into an address the check did not see.
func numericHost(host string) bool {
	host = strings.TrimSuffix(host, ".")
	last := host[strings.LastIndexByte(host, '.')+1:]
	if last == "" {
		return false
	}
	if strings.HasPrefix(last, "0x") || strings.HasPrefix(last, "0X") {
		last = last[2:]
		for _, r := range last {
			if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
				return false
			}
		}
		return true
	}
	for _, r := range last {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// dial resolves addr itself, refuses forbidden addresses, and dials the
// checked address (no second lookup, so DNS rebinding cannot swap it).
// The dialer's Control hook checks the socket address once more: it is
// the last word for every connection, redirects included.
func (c *Client) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(portStr, 10, 16)
	if err != nil {
		return nil, fmt.Errorf("%w: bad port %q", ErrBadURL, portStr)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		if numericHost(host) {
			return nil, fmt.Errorf("%w: non-canonical numeric host %q", ErrBadURL, host)
		}
		ips, err = c.cfg.Resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, err
		}
	}
	d := net.Dialer{Timeout: DialTimeout, Control: c.control}
	var firstErr error
	for _, ip := range ips {
		if why := forbidden(ip, c.cfg.AllowPrivate); why != "" {
			if firstErr == nil {
				firstErr = fmt.Errorf("%w: %s is a %s", ErrForbiddenAddress, ip, why)
			}
			continue
		}
		conn, err := d.DialContext(ctx, network, netip.AddrPortFrom(ip, uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		if firstErr == nil || errors.Is(firstErr, ErrForbiddenAddress) {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("safehttp: no address for %q", host)
	}
	return nil, firstErr
}

// control runs on the socket before connect: TCP only, and the address
// must pass the check.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	if network != "tcp4" && network != "tcp6" {
		return fmt.Errorf("%w: network %q", ErrForbiddenAddress, network)
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrForbiddenAddress, err)
	}
	if why := forbidden(ap.Addr(), c.cfg.AllowPrivate); why != "" {
		return fmt.Errorf("%w: %s is a %s", ErrForbiddenAddress, ap.Addr(), why)
	}
	return nil
}
