package safehttp

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestForbidden(t *testing.T) {
	t.Parallel()
	loop := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	tests := []struct {
		addr    string
		allow   []netip.Prefix
		blocked bool
	}{
		{"127.0.0.1", nil, true},
		{"127.0.0.1", loop, false},
		{"::ffff:127.0.0.1", loop, false}, // the allow-list matches the unmapped address
		{"127.255.0.9", nil, true},
		{"0.0.0.0", nil, true},
		{"10.0.0.5", nil, true},
		{"172.16.3.4", nil, true},
		{"172.32.0.1", nil, false},
		{"192.168.1.1", nil, true},
		{"169.254.169.254", nil, true},
		{"100.64.0.1", nil, true},
		{"100.128.0.1", nil, false},
		{"198.18.0.1", nil, true},
		{"198.19.255.255", nil, true},
		{"192.0.2.1", nil, true},
		{"198.51.100.7", nil, true},
		{"203.0.113.9", nil, true},
		{"192.0.0.8", nil, true},
		{"224.0.0.1", nil, true},
		{"239.255.255.250", nil, true},
		{"240.0.0.1", nil, true},
		{"255.255.255.255", nil, true},
		{"8.8.8.8", nil, false},
		{"93.184.215.14", nil, false},
		{"::", nil, true},
		{"::1", nil, true},
		{"::ffff:127.0.0.1", nil, true},
		{"::ffff:8.8.8.8", nil, true}, // every IPv4-mapped address
		{"::127.0.0.1", nil, true},    // IPv4-compatible (deprecated)
		{"fe80::1", nil, true},
		{"fe80::1%eth0", nil, true},
		{"fec0::1", nil, true},
		{"fc00::1", nil, true},
		{"fd12:3456::1", nil, true},
		{"ff02::1", nil, true},
		{"100::1", nil, true},
		{"2001:db8::1", nil, true},
		{"2001::1", nil, true},    // Teredo
		{"2001:10::1", nil, true}, // ORCHID
		{"3fff::1", nil, true},
		{"2002:7f00:1::1", nil, true},   // 6to4 of 127.0.0.1
		{"2002:a00:5::1", nil, true},    // 6to4 of 10.0.0.5
		{"2002:808:808::1", nil, false}, // 6to4 of 8.8.8.8
		{"64:ff9b::7f00:1", nil, true},  // NAT64 of 127.0.0.1
		{"64:ff9b::a9fe:a9fe", nil, true},
		{"64:ff9b::808:808", nil, false}, // NAT64 of 8.8.8.8
		{"64:ff9b:1::808:808", nil, true},
		{"2a01:4f8::1", nil, false},
		{"2606:4700::6810:84e5", nil, false},
	}
	for _, tt := range tests {
		why := forbidden(netip.MustParseAddr(tt.addr), tt.allow)
		assert.Equal(t, tt.blocked, why != "", "%s (allow %v): %q", tt.addr, tt.allow, why)
	}
	assert.NotEmpty(t, forbidden(netip.Addr{}, nil))
}

func TestControlChecksTheSocketAddress(t *testing.T) {
	t.Parallel()
	c, err := New(Config{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}})
	require.NoError(t, err)
	tests := []struct {
		network, address string
		ok               bool
	}{
		{"tcp4", "127.0.0.1:80", true},
		{"tcp4", "127.0.0.2:80", false},
		{"tcp6", "[::1]:443", false},
		{"tcp4", "8.8.8.8:443", true},
		{"udp4", "8.8.8.8:53", false},
		{"tcp4", "garbage", false},
	}
	for _, tt := range tests {
		err := c.control(tt.network, tt.address, nil)
		if tt.ok {
			assert.NoError(t, err, tt.address)
		} else {
			assert.ErrorIs(t, err, ErrForbiddenAddress, tt.address)
		}
	}
}

func TestNumericHost(t *testing.T) {
	t.Parallel()
	for host, want := range map[string]bool{
		"2130706433":   true,
		"0x7f.1":       true,
		"0x7f000001":   true,
		"017700000001": true,
		"127.1":        true,
		"127.0.0.1":    true, // canonical: checkURL lets netip parse it first
		"example.com":  false,
		"1.example":    false,
		"0xfoo.com":    false,
		"example.0x":   true,
		"example.com.": false,
		"host.123.":    true,
	} {
		assert.Equal(t, want, numericHost(host), host)
	}
}
