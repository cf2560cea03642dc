package browser_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// update makes TestScreenshots write docs/screenshots/*.png:
//
//	go test ./examples/server/browser -run TestScreenshots -args -update
var update = flag.Bool("update", false, "write the screenshots of TestScreenshots to docs/screenshots")

// screenshotDir is where -update writes, relative to this package.
const screenshotDir = "../../../docs/screenshots"

// MaxScreenshotBytes bounds one committed screenshot.
const MaxScreenshotBytes = 200 << 10

// widths are the viewports of the screenshots: a phone and a desktop.
var widths = []struct {
	name          string
	width, height int64
}{{"phone", 390, 844}, {"desktop", 1280, 900}}

// TestScreenshots renders the main pages at a phone's width and a
// desktop's over a small seeded instance, checks that no page is wider
// than a phone's screen, and with -update saves them as PNG under
// docs/screenshots (the README shows them).
func TestScreenshots(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the server and a browser; skipped in -short mode")
	}
	chromium(t)
	t.Parallel()
	srv := newServer(t, "")
	srv.account("ana@example.org", "ana")
	srv.account("bob@example.org", "bob")
	srv.start()
	pages := seed(t, srv)
	browser := newBrowser(t)
	visitor := newTab(t, browser, srv)
	bob := newTab(t, browser, srv)
	bob.login("bob@example.org")

	if *update {
		require.NoError(t, os.MkdirAll(screenshotDir, 0o755))
	}
	for _, p := range []struct {
		name string
		tab  *tab
		path string
		wait string // a CSS selector of the page's main content
	}{
		{"explore", visitor, "/", "ul.events"},
		{"event", bob, pages.event, "#event-title"},
		{"event-form", bob, "/events/new", "form.event-form"},
		{"signup", visitor, "/signup", `form[action="/signup"]`},
		{"profile", visitor, "/@ana", "#profile-h"},
		{"group", bob, pages.group, "#group-h"},
	} {
		for _, w := range widths {
			t.Run(p.name+"-"+w.name, func(t *testing.T) {
				p.tab.tb = t
				p.tab.do(chromedp.EmulateViewport(w.width, w.height, chromedp.EmulateScale(1)),
					chromedp.Navigate(srv.base+p.path), chromedp.WaitVisible(chromedp.CSS(p.wait)))
				overflow := run(p.tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth - window.innerWidth`))
				assert.LessOrEqual(t, overflow, int64(0), "the page scrolls sideways at %dpx", w.width)
				png := run(p.tab, chromedp.CaptureScreenshot())
				require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")), "a PNG")
				assert.Less(t, len(png), MaxScreenshotBytes, "small enough to commit")
				if *update {
					name := filepath.Join(screenshotDir, p.name+"-"+w.name+".png")
					require.NoError(t, os.WriteFile(name, png, 0o644))
					t.Logf("wrote %s (%d KB)", name, len(png)>>10)
				}
			})
		}
	}
}

// seededPages are the paths of what seed made.
type seededPages struct {
	event, group string
}

// seed fills the instance through the JSON API: ana's profile, her
// group, a week of events in Paris, bob's participation and comment.
func seed(t *testing.T, srv *server) seededPages {
	t.Helper()
	api := &apiClient{t: t, base: srv.base}
	ana := api.call("", "POST", "/api/v1/sessions", map[string]any{"email": "ana@example.org", "password": password}, 201)["token"].(string)
	bob := api.call("", "POST", "/api/v1/sessions", map[string]any{"email": "bob@example.org", "password": password}, 201)["token"].(string)
	profiles := api.call(ana, "GET", "/api/v1/profiles", nil, 200)["items"].([]any)
	anaID := profiles[0].(map[string]any)["id"].(string)
	api.call(ana, "PATCH", "/api/v1/profiles/"+anaID, map[string]any{"display_name": "Ana Duarte",
		"summary": "<p>Cyclist, gardener, organizer of repair cafés in the 10th arrondissement.</p>"}, 200)
	g := api.call(ana, "POST", "/api/v1/groups", map[string]any{"username": "canal_friends", "display_name": "Friends of the canal",
		"summary":  "<p>Walks, picnics and clean-ups along the Canal Saint-Martin. Everyone is welcome.</p>",
		"openness": "open", "visibility": "public"}, 201)
	api.call(bob, "POST", "/api/v1/groups/"+g["id"].(string)+"/membership", map[string]any{}, 201)

	paris, _ := time.LoadLocation("Europe/Paris")
	day := time.Now().In(paris).AddDate(0, 0, 2)
	at := func(days, hour, minute int) time.Time {
		return time.Date(day.Year(), day.Month(), day.Day()+days, hour, minute, 0, 0, paris)
	}
	place := func(name, street, postal string, lat, lon float64) map[string]any {
		return map[string]any{"name": name, "street": street, "locality": "Paris", "postal_code": postal,
			"country": "France", "latitude": lat, "longitude": lon}
	}
	var first string
	for i, e := range []struct {
		title, description string
		begins             time.Time
		hours              int
		place              map[string]any
		online             string
		tags               []string
		category           string
		group              bool
		capacity           int
	}{
		{"Picnic by the canal", "<p>Bring something to share. We meet by the lock, under the plane trees; " +
			"blankets and games welcome.</p><p>If it rains, we move under the Récollets' arcades.</p>",
			at(0, 12, 30), 3, place("Écluse des Récollets", "Quai de Valmy", "75010", 48.8729, 2.3635), "",
			[]string{"picnic", "outdoors"}, "OUTDOORS_ADVENTURE", true, 40},
		{"Repair café", "<p>Bring a broken lamp, toaster or bicycle: volunteers help you fix it.</p>",
			at(0, 18, 0), 3, place("La Petite Rockette", "125 rue du Chemin Vert", "75011", 48.8622, 2.3841), "",
			[]string{"repair", "diy"}, "WORKSHOPS_SKILL_BUILDING", false, 0},
		{"Canal clean-up", "<p>Gloves and bags provided.</p>", at(1, 10, 0), 2,
			place("Bassin de la Villette", "Quai de la Loire", "75019", 48.8844, 2.3716), "",
			[]string{"environment"}, "CAUSES", true, 25},
		{"Choir rehearsal", "<p>Open rehearsal: no audition, no experience needed.</p>", at(2, 19, 30), 2,
			place("Maison des associations", "206 quai de Valmy", "75010", 48.8801, 2.3667), "",
			[]string{"music", "singing"}, "MUSIC", false, 0},
		{"Online: mapping the neighbourhood's trees", "<p>An evening of OpenStreetMap editing, from home.</p>",
			at(3, 20, 0), 2, nil, "https://visio.example/trees", []string{"openstreetmap"}, "TECHNOLOGY", true, 0},
		{"Night bike ride", "<p>A slow ride through the lit city. Lights required.</p>", at(4, 21, 0), 2,
			place("Place de la République", "Place de la République", "75003", 48.8674, 2.3636), "",
			[]string{"cycling"}, "SPORTS", false, 30},
	} {
		body := map[string]any{"title": e.title, "description": e.description,
			"begins_on": e.begins.UTC().Format(time.RFC3339), "ends_on": e.begins.Add(time.Duration(e.hours) * time.Hour).UTC().Format(time.RFC3339),
			"timezone": "Europe/Paris", "tags": e.tags, "category": e.category}
		if e.place != nil {
			body["place"] = e.place
		}
		if e.online != "" {
			body["online_address"] = e.online
		}
		if e.group {
			body["group_id"] = g["id"]
		}
		if e.capacity > 0 {
			body["capacity"] = e.capacity
		}
		ev := api.call(ana, "POST", "/api/v1/events", body, 201)
		if i == 0 {
			first = ev["id"].(string)
		}
	}
	api.call(bob, "POST", "/api/v1/events/"+first+"/participation", map[string]any{"message": "I'll bring bread."}, 201)
	api.call(bob, "POST", "/api/v1/events/"+first+"/comments", map[string]any{"text": "Is there shade by the lock?"}, 201)
	api.call(ana, "POST", "/api/v1/events/"+first+"/comments", map[string]any{"text": "Yes, under the plane trees."}, 201)
	return seededPages{event: "/events/" + first, group: "/@canal_friends"}
}

// apiClient calls the reference server's JSON API.
type apiClient struct {
	t    *testing.T
	base string
}

// call sends a request with a bearer token ("" for none) and requires
// the status want; it returns the decoded JSON object.
func (c *apiClient) call(token, method, path string, body any, want int) map[string]any {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(c.t, err)
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	require.NoError(c.t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	require.Equal(c.t, want, resp.StatusCode, "%s %s: %s", method, path, data)
	var out map[string]any
	if len(data) > 0 {
		require.NoError(c.t, json.Unmarshal(data, &out), fmt.Sprintf("%s %s", method, path))
	}
	return out
}
