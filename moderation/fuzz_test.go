package moderation

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// FuzzCutText: a Flag's content from the network always becomes valid,
// bounded text without control characters but newlines and tabs.
func FuzzCutText(f *testing.F) {
	for _, s := range []string{"", "Spam", "a\r\nb\x00c", "\xff\xfe", strings.Repeat("é", 1500), " \t x \n"} {
		f.Add(s, 10)
	}
	f.Fuzz(func(t *testing.T, s string, max int) {
		if max < 0 || max > 4096 {
			return
		}
		got := cutText(s, max)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if len(got) > max {
			t.Fatalf("%d bytes, more than %d", len(got), max)
		}
		for _, r := range got {
			if unicode.IsControl(r) && r != '\n' && r != '\t' {
				t.Fatalf("control character %U in %q", r, got)
			}
		}
		if got != strings.TrimSpace(got) {
			t.Fatalf("not trimmed: %q", got)
		}
		if _, err := cleanText("f", got, max); err != nil {
			t.Fatalf("cut text %q refused by cleanText: %v", got, err)
		}
	})
}
