package conversations_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/internal/htmlsafe"
)

// FuzzCleanText: a message's text from a person or another instance is
// either refused with a *ValidationError or becomes bounded, sanitized
// HTML that sanitizing again leaves as it is.
func FuzzCleanText(f *testing.F) {
	for _, s := range []string{"", "hi", "<p>Hi <strong>there</strong></p>", "<script>x</script>",
		`<a href="javascript:alert(1)" onclick="x">l</a>`, "\xff\xfe", strings.Repeat("<p>é</p>", 3000),
		"<p><b></b></p>", "&lt;script&gt;"} {
		f.Add(s)
	}
	san := htmlsafe.New()
	f.Fuzz(func(t *testing.T, s string) {
		got, err := conversations.CleanText(san, s)
		if err != nil {
			if got != "" {
				t.Fatalf("refused text %q came back as %q", s, got)
			}
			return
		}
		if got == "" || len(got) > conversations.MaxMessageSize {
			t.Fatalf("accepted %q as %d bytes", s, len(got))
		}
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if again := san.HTML(got); again != got {
			t.Fatalf("not stable: %q then %q", got, again)
		}
		lower := strings.ToLower(got)
		if strings.Contains(lower, "<script") || strings.Contains(lower, "<a href=\"javascript") {
			t.Fatalf("script left in %q", got)
		}
	})
}

// FuzzCheckIRI: an id from the network is accepted only as a bounded
// absolute http(s) URL, whose host is returned.
func FuzzCheckIRI(f *testing.F) {
	for _, s := range []string{"", "https://a.example/x", "http://A.example", "urn:x", "https://", "//a.example/x",
		"https://u:p@a.example/", "https://a.example/" + strings.Repeat("x", 3000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		host, err := conversations.CheckIRI("ap_id", s, false)
		if err != nil {
			if host != "" {
				t.Fatalf("refused %q with host %q", s, host)
			}
			return
		}
		if host == "" || len(s) > conversations.MaxIRILength {
			t.Fatalf("accepted %q (host %q)", s, host)
		}
		if !strings.HasPrefix(s, "http://") && !strings.HasPrefix(s, "https://") &&
			!strings.HasPrefix(strings.ToLower(s), "http") {
			t.Fatalf("accepted a non-http id %q", s)
		}
		if host != strings.ToLower(host) {
			t.Fatalf("host %q not lower case", host)
		}
	})
}
