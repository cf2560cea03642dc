package browser_test

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
)

// EnvBench100k set to 1 runs the benchmarks over 100k stored events
// (loading them takes a while).
const EnvBench100k = "CONVENE_BENCH_100K"

// BenchEvents is the number of events of the stored dataset.
const BenchEvents = 100_000

// benchBaseURL is the public URL of the benchmarks' instance: fixed, so
// that the dataset loaded once serves every run whatever the port.
const benchBaseURL = "http://convene.bench"

// benchOrganizers are the profiles that organize the dataset's events.
var benchOrganizers = []string{"org0", "org1", "org2", "org3", "org4"}

// BenchmarkServerIdle measures the resident memory of a server with an
// empty instance, started and after serving its explore page once, and
// the time of a /healthz request.
//
//	go test ./examples/server/browser -run '^$' -bench ServerIdle -count 5
func BenchmarkServerIdle(b *testing.B) {
	srv := newServer(b, "")
	srv.start()
	get(b, srv.base+"/")
	time.Sleep(time.Second) // let the start's garbage be collected
	rss := srv.rssMB()
	for b.Loop() {
		get(b, srv.base+"/healthz")
	}
	b.ReportMetric(rss, "MB-RSS") // after the loop: b.Loop resets the metrics
}

// benchPages are the explore pages the 100k benchmarks render.
var benchPages = []struct{ name, path string }{
	{"explore", "/"},
	{"explore-text", "/?text=concert"},
	{"explore-near", "/?near=48.8566,2.3522&radius=25"},
}

// BenchmarkServer100k measures the render time (a GET over loopback) of
// the explore page (upcoming events, a text search, a radius search)
// and of event pages, on a server over 100k stored events. Set
// CONVENE_BENCH_100K=1.
//
//	CONVENE_BENCH_100K=1 go test ./examples/server/browser -run '^$' -bench Server100k -count 5
func BenchmarkServer100k(b *testing.B) {
	srv, ds := startBench100k(b)
	for _, page := range benchPages {
		b.Run(page.name, func(b *testing.B) {
			body := get(b, srv.base+page.path)
			if got := strings.Count(body, `class="event-item"`); got == 0 {
				b.Fatalf("GET %s lists no events", page.path)
			}
			for b.Loop() {
				get(b, srv.base+page.path)
			}
		})
	}
	b.Run("event", func(b *testing.B) {
		i := 0
		for b.Loop() {
			get(b, srv.base+"/events/"+ds.ids[i%len(ds.ids)])
			i++
		}
	})
}

// BenchmarkServerMemory100k measures the resident memory of a server
// over 100k stored events: once started (MB-RSS-started), and after it
// served the explore pages and event pages (an op is one of each):
// MB-RSS, and its peak MB-RSS-peak. Each run starts its own server. Set
// CONVENE_BENCH_100K=1.
//
//	CONVENE_BENCH_100K=1 go test ./examples/server/browser -run '^$' -bench ServerMemory100k -count 5
func BenchmarkServerMemory100k(b *testing.B) {
	srv, ds := startBench100k(b)
	started := srv.rssMB()
	i := 0
	for b.Loop() {
		for _, page := range benchPages {
			get(b, srv.base+page.path)
		}
		get(b, srv.base+"/events/"+ds.ids[i%len(ds.ids)])
		i++
	}
	time.Sleep(time.Second)
	b.ReportMetric(started, "MB-RSS-started")
	b.ReportMetric(srv.rssMB(), "MB-RSS")
	b.ReportMetric(procStatusMB(b, srv.cmd.Process.Pid, "VmHWM"), "MB-RSS-peak")
}

// startBench100k starts a server on the 100k dataset (built on first
// use), or skips without CONVENE_BENCH_100K=1.
func startBench100k(b *testing.B) (*server, dataset) {
	b.Helper()
	if os.Getenv(EnvBench100k) != "1" {
		b.Skipf("set %s=1 to run the benchmarks over %d stored events", EnvBench100k, BenchEvents)
	}
	ds, err := benchDataset()
	if err != nil {
		b.Fatal(err)
	}
	srv := newServer(b, ds.dir)
	srv.baseURL = benchBaseURL
	srv.start()
	get(b, srv.base+"/healthz")
	time.Sleep(time.Second) // let the start's garbage be collected
	return srv, ds
}

// get fetches a page as a browser does and requires 200; it returns
// the body.
func get(tb testing.TB, url string) string {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Accept", "text/html")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET %s: %s\n%.500s", url, resp.Status, data)
	}
	return string(data)
}

// dataset is a data directory holding BenchEvents events.
type dataset struct {
	dir string
	ids []string // some public, published events, for the event pages
}

// benchDataset builds the dataset once per test process, under binDir.
var benchDataset = sync.OnceValues(func() (dataset, error) {
	bin, err := serverBinary()
	if err != nil {
		return dataset{}, err
	}
	root, err := binDir()
	if err != nil {
		return dataset{}, err
	}
	ds := dataset{dir: filepath.Join(root, "bench-100k")}
	flags := serverFlags("127.0.0.1:0", ds.dir, benchBaseURL)
	for _, name := range benchOrganizers {
		if err := runAdmin(bin, flags, "create-account", "--email", name+"@example.org", "--password", password, "--username", name); err != nil {
			return dataset{}, err
		}
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(ds.dir, "convene.db")})
	if err != nil {
		return dataset{}, err
	}
	defer db.Close()
	var organizers []string
	for _, name := range benchOrganizers {
		a, err := db.GetLocalActor(ctx, name)
		if err != nil {
			return dataset{}, fmt.Errorf("organizer %s: %w", name, err)
		}
		organizers = append(organizers, a.ID)
	}
	g := newEventGen(organizers, time.Now())
	const batch = 1000
	for done := 0; done < BenchEvents; done += batch {
		es := make([]*events.Event, batch)
		for i := range es {
			es[i] = g.next()
			if e := es[i]; len(ds.ids) < 1000 && e.Visibility == events.Public && !e.Draft {
				ds.ids = append(ds.ids, e.ID)
			}
		}
		err := storage.InTxAs(ctx, db, func(_ storage.Tx, st events.EventStore) error {
			for _, e := range es {
				if err := st.CreateEvent(ctx, e); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return dataset{}, fmt.Errorf("load events %d-%d: %w", done, done+batch, err)
		}
	}
	return ds, db.Close()
})

// benchCity is a place the dataset's events cluster around.
type benchCity struct {
	name, country, zone string
	lat, lon            float64
}

var benchCities = []benchCity{
	{"Paris", "FR", "Europe/Paris", 48.8566, 2.3522}, {"Lyon", "FR", "Europe/Paris", 45.7640, 4.8357},
	{"Berlin", "DE", "Europe/Berlin", 52.5200, 13.4050}, {"Madrid", "ES", "Europe/Madrid", 40.4168, -3.7038},
	{"Montréal", "CA", "America/Toronto", 45.5019, -73.5674}, {"Lisboa", "PT", "Europe/Lisbon", 38.7223, -9.1393},
	{"Bruxelles", "BE", "Europe/Brussels", 50.8503, 4.3517}, {"Roma", "IT", "Europe/Rome", 41.9028, 12.4964},
	{"Dakar", "SN", "Africa/Dakar", 14.7167, -17.4677}, {"Tokyo", "JP", "Asia/Tokyo", 35.6762, 139.6503},
}

var (
	benchKinds = []string{"Concert", "Repair café", "Bike ride", "Book club", "Choir rehearsal", "Picnic",
		"Language exchange", "Climbing session", "Board games night", "Conference", "Workshop", "Clean-up"}
	benchTags      = []string{"music", "outdoors", "diy", "books", "cycling", "games", "environment", "free", "family", "tech"}
	benchSentences = []string{"Everyone is welcome, no experience needed.", "Bring a friend and something to share.",
		"We meet at the entrance and start on time.", "The place is accessible to wheelchairs.",
		"Children are welcome with an adult.", "Contributions at will cover the room.",
		"Tea and coffee are offered.", "The session ends with a drink nearby."}
)

// eventGen makes the dataset's events, deterministically: a seeded PCG,
// starts spread from 60 days before now to a year after it.
type eventGen struct {
	r          *rand.Rand
	organizers []string
	now        time.Time
	zones      []*time.Location
}

func newEventGen(organizers []string, now time.Time) *eventGen {
	g := &eventGen{r: rand.New(rand.NewPCG(2026, 6)), organizers: organizers, now: now.UTC().Truncate(time.Microsecond)}
	for _, c := range benchCities {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			loc = time.UTC
		}
		g.zones = append(g.zones, loc)
	}
	return g
}

func (g *eventGen) next() *events.Event {
	r := g.r
	ci := min(int(math.Floor(math.Pow(r.Float64(), 2)*float64(len(benchCities)))), len(benchCities)-1) // Paris first
	c, loc := benchCities[ci], g.zones[ci]
	var u uuid.UUID
	for i := range u {
		u[i] = byte(r.Uint32())
	}
	u[6], u[8] = u[6]&0x0f|0x40, u[8]&0x3f|0x80
	id := u.String()
	org := g.organizers[r.IntN(len(g.organizers))]
	day := g.now.AddDate(0, 0, r.IntN(425)-60).In(loc)
	begins := time.Date(day.Year(), day.Month(), day.Day(), 9+r.IntN(13), 15*r.IntN(4), 0, 0, loc).UTC()
	kind := benchKinds[r.IntN(len(benchKinds))]
	e := &events.Event{
		ID: id, APID: benchBaseURL + "/events/" + id, URL: benchBaseURL + "/events/" + id, Local: true,
		OrganizerID: org, CreatorID: org,
		Title:    kind + " — " + c.name,
		BeginsAt: begins, EndsAt: begins.Add(time.Duration(2+r.IntN(7)) * 30 * time.Minute), TimeZone: c.zone,
		Status: events.Confirmed, Visibility: events.Public, JoinMode: events.JoinFree,
		Category: events.Categories()[r.IntN(len(events.Categories()))], Language: "fr",
		CommentModeration: events.CommentsAllowAll,
	}
	var d strings.Builder
	fmt.Fprintf(&d, "<p>%s in %s. ", kind, c.name)
	for range 2 + r.IntN(3) {
		d.WriteString(benchSentences[r.IntN(len(benchSentences))] + " ")
	}
	d.WriteString("</p>")
	e.Description = d.String()
	for _, i := range r.Perm(len(benchTags))[:r.IntN(4)] {
		e.Tags = append(e.Tags, benchTags[i])
	}
	if r.Float64() < 0.05 {
		e.OnlineAddress = "https://visio.example/" + id[:8]
	} else {
		lat := math.Round((c.lat+r.NormFloat64()*0.08)*1e6) / 1e6
		lon := math.Round((c.lon+r.NormFloat64()*0.1)*1e6) / 1e6
		e.Place = &geo.Place{Name: "Salle " + fmt.Sprint(1+r.IntN(300)), Street: fmt.Sprintf("%d rue de la Paix", 1+r.IntN(150)),
			Locality: c.name, Country: c.country, Latitude: &lat, Longitude: &lon}
	}
	if r.Float64() < 0.3 {
		e.Capacity = 10 + r.IntN(90)
	}
	switch x := r.Float64(); {
	case x < 0.03:
		e.Draft = true
	case x < 0.08:
		e.Visibility = events.Unlisted
	case x < 0.12:
		e.Visibility = events.Private
	}
	if r.Float64() < 0.03 {
		e.Status = events.Cancelled
	}
	e.SeriesEndsAt = e.EndsAt
	e.CreatedAt = begins.AddDate(0, 0, -30)
	if e.CreatedAt.After(g.now) {
		e.CreatedAt = g.now
	}
	e.UpdatedAt = e.CreatedAt
	if !e.Draft {
		e.PublishedAt = e.CreatedAt
	}
	return e
}
