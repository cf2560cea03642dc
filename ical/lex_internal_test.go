package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendFolded(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
	}{
		{"short", "SUMMARY:hi"},
		{"exactly 75", "X:" + strings.Repeat("a", 73)},
		{"76", "X:" + strings.Repeat("a", 74)},
		{"long ascii", "DESCRIPTION:" + strings.Repeat("abcdefghij", 100)},
		{"two-octet runes", "X:" + strings.Repeat("é", 300)},
		{"mixed runes", "X:" + strings.Repeat("é⌘😀a", 120)},
		{"four-octet at the edge", "X:" + strings.Repeat("a", 72) + "😀😀"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := string(appendFolded(nil, []byte(tt.in)))
			require.True(t, strings.HasSuffix(out, "\r\n"))
			lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
			for i, l := range lines {
				assert.LessOrEqual(t, len(l), MaxLineOctets, "line %d", i)
				assert.True(t, utf8.ValidString(l), "line %d splits a rune", i)
				if i > 0 {
					assert.True(t, strings.HasPrefix(l, " "), "continuation starts with a space")
				}
			}
			// Unfolding gives the line back.
			assert.Equal(t, tt.in, strings.ReplaceAll(strings.TrimSuffix(out, "\r\n"), "\r\n ", ""))
			if len(tt.in) <= MaxLineOctets {
				assert.Len(t, lines, 1, "no fold when it fits")
			}
		})
	}
}

func TestAppendText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{`a;b,c\d`, `a\;b\,c\\d`},
		{"l1\r\nl2\rl3\nl4", `l1\nl2\nl3\nl4`},
		{"tab\tkept", "tab\tkept"},
		{"nul\x00bell\x07del\x7f", "nulbelldel"},
		{"c1\u0085ls\u2028", "c1 ls "},
		{"bad\xffutf8", "bad\uFFFDutf8"},
		{"Party\r\nATTENDEE:mailto:x@y\r\nEND:VEVENT", `Party\nATTENDEE:mailto:x@y\nEND:VEVENT`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(appendText(nil, tt.in)), "%q", tt.in)
	}
}

func TestAppendParam(t *testing.T) {
	t.Parallel()
	assert.Equal(t, `;CN="Repair Café: São Paulo, #3"`, string(appendParam(nil, "CN", "Repair Café: São Paulo, #3")))
	assert.Equal(t, `;CN="evil:x"`, string(appendParam(nil, "CN", "evil\"\r\n:x")))
}

func TestSmallValues(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "+0100", string(appendOffset(nil, 3600)))
	assert.Equal(t, "-0300", string(appendOffset(nil, -3*3600)))
	assert.Equal(t, "+0009", string(appendOffset(nil, 9*60)))
	assert.Equal(t, "-004632", string(appendOffset(nil, -(46*60+32))))
	assert.Equal(t, "PT1H", string(appendDuration(nil, time.Hour)))
	assert.Equal(t, "P1D", string(appendDuration(nil, 24*time.Hour)))
	assert.Equal(t, "PT90M", string(appendDuration(nil, 90*time.Minute)))
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	ts := time.Date(2026, 3, 14, 9, 5, 7, 0, paris)
	assert.Equal(t, "20260314T090507", string(appendDateTime(nil, ts, false)))
	assert.Equal(t, "20260314T080507Z", string(appendDateTime(nil, ts, true)))
	assert.False(t, safeURI("https://x.example/a b"))
	assert.False(t, safeURI("https://x.example/\r\nX:y"))
	assert.True(t, safeURI("https://x.example/a?b=c;d"))
}

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"<p>One</p><p>Two &amp; three</p>", "One\n\nTwo & three"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<ul><li>x</li><li>y</li></ul>", "- x\n- y"},
		{"<p><strong>Bold</strong> and <a href=\"https://x\">link</a></p>", "Bold and link"},
		{"no tags", "no tags"},
		{"unclosed <b", "unclosed <b"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(htmlToText(nil, tt.in)), "%q", tt.in)
	}
}

func TestTransitions(t *testing.T) {
	t.Parallel()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	trs := transitions(paris, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	require.Len(t, trs, 3)
	assert.Equal(t, time.Date(2025, 10, 26, 1, 0, 0, 0, time.UTC), trs[0].at.UTC(), "observance in effect at the start")
	assert.Equal(t, time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC), trs[1].at.UTC())
	assert.Equal(t, transition{at: trs[1].at, from: 3600, to: 7200, name: "CEST", dst: true}, trs[1])
	assert.Equal(t, time.Date(2026, 10, 25, 1, 0, 0, 0, time.UTC), trs[2].at.UTC())
	assert.False(t, trs[2].dst)

	utc := transitions(time.UTC, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC))
	require.Len(t, utc, 1)
	assert.True(t, utc[0].at.IsZero())
}
