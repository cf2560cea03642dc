package htmlsafe_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"codeberg.org/convene/convene/internal/htmlsafe"
)

func TestHTML(t *testing.T) {
	t.Parallel()
	s := htmlsafe.New()
	cases := []struct{ in, want string }{
		{`<p>Bring <strong>broken</strong> things</p>`, `<p>Bring <strong>broken</strong> things</p>`},
		{`<script>alert(1)</script>hi`, `hi`},
		{`<img src=x onerror=alert(1)>`, ``},
		{`<a href="javascript:alert(1)">x</a>`, `x`},
		{`<a href="https://pad.example/p" onclick="x()">pad</a>`, `<a href="https://pad.example/p" rel="nofollow noreferrer noopener" target="_blank">pad</a>`},
		{`<p style="position:fixed">x</p>`, `<p>x</p>`},
		{`<iframe src="https://evil.example"></iframe>`, ``},
		{`<span class="h-card mention">@bob</span>`, `<span class="h-card mention">@bob</span>`},
		{`  <p>trim</p>  `, `<p>trim</p>`},
	}
	for _, tc := range cases {
		assert.Equal(t, tc.want, s.HTML(tc.in), tc.in)
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	s := htmlsafe.New()
	assert.Equal(t, "Repair café", s.Text(" Repair <b>café</b> "))
	assert.Equal(t, "Tom & Jerry", s.Text("Tom &amp; Jerry"))
	assert.Equal(t, "", s.Text("<script>alert(1)</script>"))
}
