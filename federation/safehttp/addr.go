package safehttp

import (
	"net/netip"
)

// blockedV4 are the IPv4 ranges no outbound request may reach unless
// Config.AllowPrivate lists them (IANA special-purpose registry).
var blockedV4 = [...]netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network", unspecified
	netip.MustParsePrefix("10.0.0.0/8"),      // RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // CGNAT, RFC 6598
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local, cloud metadata
	netip.MustParsePrefix("172.16.0.0/12"),   // RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("192.168.0.0/16"),  // RFC 1918
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
}

var (
	// Only global unicast IPv6 is reachable; inside it, these are not.
	globalV6  = netip.MustParsePrefix("2000::/3")
	blockedV6 = [...]netip.Prefix{
		netip.MustParsePrefix("2001::/23"),     // IETF protocol assignments, Teredo (2001::/32)
		netip.MustParsePrefix("2001:db8::/32"), // documentation
		netip.MustParsePrefix("3fff::/20"),     // documentation, RFC 9637
	}
	sixToFour = netip.MustParsePrefix("2002::/16")    // 6to4: an IPv4 address in bits 16-47
	nat64     = netip.MustParsePrefix("64:ff9b::/96") // NAT64 well-known prefix: an IPv4 address in the last 32 bits
)

// forbidden reports why ip may not be dialled, or "" when it may.
// Addresses inside one of allow are always permitted.
func forbidden(ip netip.Addr, allow []netip.Prefix) string {
	if !ip.IsValid() {
		return "invalid address"
	}
	ip = ip.WithZone("")
	for _, p := range allow {
		if p.Contains(ip) || (ip.Is4In6() && p.Contains(ip.Unmap())) {
			return ""
		}
	}
	if ip.Is4In6() {
		return "IPv4-mapped IPv6 address"
	}
	if ip.Is4() {
		return forbiddenV4(ip)
	}
	switch {
	case nat64.Contains(ip):
		b := ip.As16()
		if why := forbiddenV4(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})); why != "" {
			return "NAT64 embedding of a " + why
		}
		return ""
	case !globalV6.Contains(ip):
		return "non-global IPv6 address (loopback, unspecified, link-local, unique-local, site-local, multicast or reserved)"
	case sixToFour.Contains(ip):
		b := ip.As16()
		if why := forbiddenV4(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]})); why != "" {
			return "6to4 embedding of a " + why
		}
		return ""
	}
	for _, p := range blockedV6 {
		if p.Contains(ip) {
			return "special-purpose IPv6 range " + p.String()
		}
	}
	return ""
}

func forbiddenV4(ip netip.Addr) string {
	for _, p := range blockedV4 {
		if p.Contains(ip) {
			return "special-purpose IPv4 range " + p.String()
		}
	}
	return ""
}
