package resolve_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"codeberg.org/convene/convene/federation/resolve"
)

// FuzzParseHandle: no panic; an accepted handle has a user and a host
// without URL delimiters, fits the limits, and parses again to itself.
func FuzzParseHandle(f *testing.F) {
	for _, s := range []string{"alice@example.com", "@alice@example.com", "acct:alice@example.com",
		"user@127.0.0.1:8080", "user@[::1]:8443", "a@b", "@", "acct:", "a@b@c", "zoë@xn--bcher-kva.example",
		"alice@example.com:65535", "alice@[fe80::1%25eth0]", " @a@b.c "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		user, host, err := resolve.ParseHandle(s)
		if err != nil {
			if user != "" || host != "" {
				t.Fatalf("%q: error %v with results %q %q", s, err, user, host)
			}
			return
		}
		if user == "" || host == "" || len(user) > resolve.MaxUsernameLength || !utf8.ValidString(user) {
			t.Fatalf("%q: bad user %q or host %q", s, user, host)
		}
		if strings.ContainsAny(user+host, "@/?#%\\ \t\r\n\x00") {
			t.Fatalf("%q: delimiter in user %q or host %q", s, user, host)
		}
		if host != strings.ToLower(host) {
			t.Fatalf("%q: host %q not lower case", s, host)
		}
		u2, h2, err := resolve.ParseHandle(user + "@" + host)
		if err != nil || u2 != user || h2 != host {
			t.Fatalf("%q: reparse of %s@%s: %q %q %v", s, user, host, u2, h2, err)
		}
	})
}
