package browser_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// EnvRequireChromium set to 1 turns the skip for a missing Chromium
// into a failure (CI installs Debian's chromium).
const EnvRequireChromium = "CONVENE_REQUIRE_CHROMIUM"

// chromiumNames are the executables looked for in PATH, in order.
var chromiumNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// chromium returns the path of a Chromium executable, or skips the test
// (fails it when CONVENE_REQUIRE_CHROMIUM=1) when there is none.
func chromium(tb testing.TB) string {
	tb.Helper()
	for _, name := range chromiumNames {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	msg := "no Chromium found in PATH (looked for " + strings.Join(chromiumNames, ", ") +
		"): install Debian's chromium and chromium-driver packages to run the browser tests"
	if os.Getenv(EnvRequireChromium) == "1" {
		tb.Fatal(msg + " (" + EnvRequireChromium + "=1)")
	}
	tb.Skip(msg)
	return ""
}

// newBrowser starts a headless Chromium for the test: no sandbox (CI
// runs as root), no GPU, no background networking. The browser ends
// with the test. Each tab of it (newTab) has its own cookies.
func newBrowser(tb testing.TB) context.Context {
	tb.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(tb)),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	tb.Cleanup(func() { cancel(); cancelAlloc() })
	// Run once without a deadline: the first Run starts the browser,
	// which lives as long as this context.
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// tab is one browsing session (a browser context of its own: its own
// cookies) on one server: a visitor, or a signed-in user.
type tab struct {
	tb  testing.TB
	ctx context.Context
	srv *server
}

// newTab opens a tab with fresh cookies in browser.
func newTab(tb testing.TB, browser context.Context, srv *server) *tab {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	tb.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("open a tab: %v", err)
	}
	return &tab{tb: tb, ctx: ctx, srv: srv}
}

// do runs steps, each bounded by waitTimeout, failing the test on error.
func (t *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.tb.Fatalf("browser: %v (at %s)", err, t.location())
	}
}

// run runs one action that returns a value, failing the test on error.
func run[T any](t *tab, a chromedp.Action[T]) T {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.tb.Fatalf("browser: %v (at %s)", err, t.location())
	}
	return v
}

// location is the tab's URL, for error messages.
func (t *tab) location() string {
	ctx, cancel := context.WithTimeout(t.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// open navigates to a path of the server.
func (t *tab) open(path string) {
	t.tb.Helper()
	t.do(chromedp.Navigate(t.srv.base + path))
}

// fill sets form fields by element id (text fields, selects, dates).
func (t *tab) fill(fields map[string]string) {
	t.tb.Helper()
	for id, value := range fields {
		t.do(chromedp.SetValue(chromedp.ID(id), value))
	}
}

// submit clicks a submit button (CSS selector) and waits for the page
// it leads to.
func (t *tab) submit(button string) {
	t.tb.Helper()
	ctx, cancel := context.WithTimeout(t.ctx, waitTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(button))); err != nil {
		t.tb.Fatalf("browser: submit %s: %v (at %s)", button, err, t.location())
	}
}

// url is the tab's URL.
func (t *tab) url() string {
	t.tb.Helper()
	return run(t, chromedp.Location())
}

// text is the text of the first element matching a CSS selector.
func (t *tab) text(css string) string {
	t.tb.Helper()
	return run(t, chromedp.Text(chromedp.CSS(css)))
}

// has reports whether an element matches a CSS selector, now.
func (t *tab) has(css string) bool {
	t.tb.Helper()
	return run(t, chromedp.Evaluate[bool]("document.querySelector("+jsString(css)+") !== null"))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// login signs in with the login form.
func (t *tab) login(email string) {
	t.tb.Helper()
	t.open("/login")
	t.fill(map[string]string{"f-email": email, "f-password": password})
	t.submit(`form[action="/login"] button[type=submit]`)
	if !t.has(`form[action="/logout"]`) {
		t.tb.Fatalf("not signed in as %s after the login form (at %s)", email, t.location())
	}
}
