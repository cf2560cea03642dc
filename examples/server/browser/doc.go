// Package browser holds the reference server's browser tests, its
// screenshots and its benchmarks; it has no code of its own.
//
// The tests build examples/server, run it on loopback with a fresh data
// directory, and drive its web UI in headless Chromium (chromedp, with
// --headless --no-sandbox --disable-gpu and background networking
// off): sign up and confirm by the mailed link, create an event, join
// it as another user, search, add a second identity, join anonymously
// through the mailed link, invite into a group (TestFlows); start a
// group discussion and reply to it, add a pad link to the group's
// resources, report an event and resolve the report as an admin
// (TestGroupFlows). Without a Chromium in PATH (chromium,
// chromium-browser, google-chrome) they skip, unless
// CONVENE_REQUIRE_CHROMIUM=1.
//
// TestScreenshots renders the main pages at 390 and 1280 pixels wide;
// with -update it writes them to docs/screenshots:
//
//	go test ./examples/server/browser -run TestScreenshots -args -update
//
// The benchmarks measure the server's resident memory idle, and with
// CONVENE_BENCH_100K=1 the render time of the explore and event pages
// and the memory over 100k stored events:
//
//	CONVENE_BENCH_100K=1 go test ./examples/server/browser -run '^$' -bench . -count 5
package browser
