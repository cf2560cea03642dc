// Package safehttp is the one HTTP client for every outbound request of
// a Convene instance: fetching actors, keys and objects, WebFinger, and
// delivery. It refuses server-side request forgery at dial time.
//
// Every connection, redirects included, goes through a dialer that
// resolves the host itself and dials only the addresses it checked (so
// DNS rebinding cannot swap them), and whose net.Dialer.Control hook
// checks the socket address once more before connect. Refused: IPv4
// 0/8, 10/8, 100.64/10 (CGNAT), 127/8, 169.254/16, 172.16/12, 192.0.0/24,
// the documentation ranges, 192.88.99/24, 192.168/16, 198.18/15
// (benchmarking), 224/4 (multicast) and 240/4 (reserved, broadcast); for
// IPv6 everything outside 2000::/3 (unspecified, loopback, IPv4-mapped
// and -compatible, link-local, site-local, unique-local fc00::/7,
// multicast), plus 2001::/23 (Teredo, ORCHID...), 2001:db8::/32 and
// 3fff::/20; 6to4 (2002::/16) and NAT64 (64:ff9b::/96) addresses are
// judged by the IPv4 address they embed. Config.AllowPrivate lists
// prefixes that are allowed anyway, so tests and private deployments can
// federate over loopback or a LAN.
//
// Before any lookup, a URL must be http or https, carry no userinfo, and
// not name its host in a non-canonical numeric form (http://2130706433/,
// http://0x7f.1/, http://127.1/) that some resolvers read as an
// address. Config.AllowedPorts optionally restricts ports; by default
// every port is allowed, since the address check is what matters. No
// proxy from the environment is used (it would hide the dialled address).
//
// At most MaxRedirects redirects are followed, each checked again. A
// response body is limited (MaxBodyBytes by default): reading past the
// limit fails with ErrTooLarge rather than truncating. Config.Timeout
// bounds the whole request, body included.
//
// FetchAS fetches an ActivityStreams document with the checks of
// SECURITY.md §1.2: an AS2 Content-Type, and a top-level id equal to the
// final URL after redirects. Signed fetches wrap the transport with
// WithRoundTripper (see federation/httpsig).
package safehttp
