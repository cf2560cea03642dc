package benchdata

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"
	_ "time/tzdata" // the dataset must not depend on the machine's zoneinfo

	"github.com/google/uuid"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

// Shape of the dataset. Changing any of them, or the generator, changes
// the data: bump Version so that cached datasets are rebuilt.
const (
	// Version names the dataset in cache keys.
	Version = 1
	// Seed1 and Seed2 seed the PCG generator: the dataset is the same on
	// every run and machine.
	Seed1, Seed2 = 0x636f6e76656e65, 2026
	// SpanDays is the spread of start times: from PastDays before Now to
	// SpanDays-PastDays after it.
	SpanDays = 730
	PastDays = 183
	// CityZipf skews events towards the first cities of Cities (Zipf
	// exponent): Paris gets about 7 % of them, the last city 0.16 %.
	CityZipf = 0.7
	// JitterKM is the standard deviation, per axis, of an event's
	// distance from its city's centre; placements are cut at 3×.
	JitterKM = 10.0
	// LocalBase is the instance the local events belong to.
	LocalBase = "https://convene.example"
)

// Shares of the events, in [0, 1].
const (
	shareLocal      = 0.85 // the rest come from other instances
	shareGroup      = 0.25 // organized by a group
	shareDraft      = 0.05
	sharePublic     = 0.84 // of the non-drafts: ≈ 80 % public and published overall
	shareUnlisted   = 0.09 // the rest of the non-drafts are private
	shareOnlineOnly = 0.05 // no place, an online address
	shareHybrid     = 0.08 // a place and an online address
	shareNoCoords   = 0.03 // a place known only by its address
	shareRecurring  = 0.03
	shareCapacity   = 0.30
	shareNoEnd      = 0.05
)

// Now is the present of the dataset, from which queries look ahead.
func Now() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }

// Generator makes the events of the dataset, in a fixed order: the
// first n events of a fresh Generator are always the same, so the 100k
// dataset is the first tenth of the 1M one.
type Generator struct {
	r      *rand.Rand
	cities []City
	zones  []*time.Location
	cum    []float64 // cumulative city weights, cum[len-1] = 1
	n      int
}

// NewGenerator returns a Generator at the first event.
func NewGenerator() (*Generator, error) {
	g := &Generator{r: rand.New(rand.NewPCG(Seed1, Seed2)), cities: Cities()}
	g.zones = make([]*time.Location, len(g.cities))
	g.cum = make([]float64, len(g.cities))
	sum := 0.0
	for i, c := range g.cities {
		loc, err := time.LoadLocation(c.Zone)
		if err != nil {
			return nil, fmt.Errorf("benchdata: city %s: %w", c.Name, err)
		}
		g.zones[i] = loc
		sum += 1 / math.Pow(float64(i+1), CityZipf)
		g.cum[i] = sum
	}
	for i := range g.cum {
		g.cum[i] /= sum
	}
	return g, nil
}

// Batch returns the next n events.
func (g *Generator) Batch(n int) []*events.Event {
	out := make([]*events.Event, n)
	for i := range out {
		out[i] = g.Next()
	}
	return out
}

// Next returns the next event.
func (g *Generator) Next() *events.Event {
	g.n++
	r := g.r
	ci := g.city()
	c, loc := g.cities[ci], g.zones[ci]
	e := &events.Event{ID: g.uuid(), TimeZone: c.Zone, Language: c.Lang}

	if r.Float64() < shareLocal {
		e.Local = true
		e.APID = LocalBase + "/events/" + e.ID
	} else {
		e.APID = "https://" + pick(r, remoteHosts()) + "/events/" + e.ID
	}
	e.URL = e.APID
	if r.Float64() < shareGroup {
		e.GroupID = fmt.Sprintf("group-%05d", r.IntN(5000))
		e.OrganizerID = e.GroupID
	} else {
		e.OrganizerID = fmt.Sprintf("actor-%06d", r.IntN(50000))
	}
	if e.Local {
		e.CreatorID = e.OrganizerID
		if e.GroupID != "" {
			e.CreatorID = fmt.Sprintf("actor-%06d", r.IntN(50000))
		}
	}
	if r.Float64() < 0.1 {
		e.Contacts = []string{fmt.Sprintf("actor-%06d", r.IntN(50000))}
	}

	// When: a day of the span, between 9:00 and 21:45 local time.
	day := Now().AddDate(0, 0, r.IntN(SpanDays)-PastDays).In(loc)
	e.BeginsAt = time.Date(day.Year(), day.Month(), day.Day(), 9+r.IntN(13), 15*r.IntN(4), 0, 0, loc).UTC()
	var dur time.Duration
	switch x := r.Float64(); {
	case x < 0.15:
		dur = time.Duration(30+30*r.IntN(3)) * time.Minute
	case x < 0.95:
		dur = time.Duration(2+r.IntN(7)) * 30 * time.Minute
	default:
		dur = time.Duration(1+r.IntN(3)) * 24 * time.Hour
	}
	if r.Float64() >= shareNoEnd {
		e.EndsAt = e.BeginsAt.Add(dur)
	}

	kind := pick(r, titles())
	e.Title = kind + " — " + c.Name
	if r.Float64() < 0.3 {
		e.Title += fmt.Sprintf(" #%d", 1+r.IntN(120))
	}
	e.Description = g.description(kind, c)
	e.Category = pick(r, events.Categories())
	if k := r.IntN(5); k > 0 {
		all := tags()
		for _, i := range r.Perm(len(all))[:k] {
			e.Tags = append(e.Tags, all[i])
		}
	}

	switch x := r.Float64(); {
	case x < 0.88:
		e.Status = events.Confirmed
	case x < 0.95:
		e.Status = events.Tentative
	case x < 0.98:
		e.Status = events.Cancelled
	case x < 0.99:
		e.Status = events.Postponed
	default:
		e.Status = events.Rescheduled
	}
	e.Visibility = events.Public
	if r.Float64() < shareDraft {
		e.Draft = true
	} else if x := r.Float64(); x >= sharePublic+shareUnlisted {
		e.Visibility = events.Private
	} else if x >= sharePublic {
		e.Visibility = events.Unlisted
	}
	switch x := r.Float64(); {
	case x < 0.75:
		e.JoinMode = events.JoinFree
	case x < 0.87:
		e.JoinMode = events.JoinRestricted
	case x < 0.92:
		e.JoinMode = events.JoinInvite
	case x < 0.97:
		e.JoinMode = events.JoinExternal
		e.ExternalURL = "https://tickets.example/e/" + e.ID[:8]
	default:
		e.JoinMode = events.JoinNone
	}
	if r.Float64() < shareCapacity {
		e.Capacity = 10 * (1 + r.IntN(50))
	}
	e.AnonymousParticipation = r.Float64() < 0.1

	switch x := r.Float64(); {
	case x < shareOnlineOnly:
		e.OnlineAddress = "https://visio.example/" + e.ID[:13]
	default:
		e.Place = g.place(c)
		if x < shareOnlineOnly+shareHybrid {
			e.OnlineAddress = "https://stream.example/" + e.ID[:13]
		}
		if r.Float64() < shareNoCoords {
			e.Place.Latitude, e.Place.Longitude = nil, nil
		}
	}
	if r.Float64() < 0.4 {
		e.PictureURL = "https://media.example/banners/" + e.ID[:8] + ".jpg"
	}
	if r.Float64() < 0.2 {
		e.Links = []events.Link{{Kind: events.LinkPad, Title: "Notes", URL: "https://pad.example/p/" + e.ID[:8]}}
		if r.Float64() < 0.3 {
			e.Links = append(e.Links, events.Link{Kind: events.LinkVisio, URL: "https://visio.example/" + e.ID[:8]})
		}
	}
	switch x := r.Float64(); {
	case x < 0.85:
		e.CommentModeration = events.CommentsAllowAll
	case x < 0.95:
		e.CommentModeration = events.CommentsModerated
	default:
		e.CommentModeration = events.CommentsClosed
	}

	e.SeriesEndsAt = e.EndsAt
	if e.SeriesEndsAt.IsZero() {
		e.SeriesEndsAt = e.BeginsAt
	}
	if r.Float64() < shareRecurring {
		g.recur(e, loc)
	}

	// Created up to four months before the start, and never after Now.
	created := e.BeginsAt.Add(-time.Duration(1+r.IntN(120))*24*time.Hour + time.Duration(r.IntN(86400e6))*time.Microsecond)
	if now := Now(); created.After(now) {
		created = now.Add(-time.Duration(1+r.IntN(90*24*3600e6)) * time.Microsecond)
	}
	e.CreatedAt = created.UTC()
	e.UpdatedAt = e.CreatedAt
	if e.Sequence = r.IntN(4) - 1; e.Sequence < 0 {
		e.Sequence = 0
	} else {
		e.UpdatedAt = e.CreatedAt.Add(time.Duration(1+r.IntN(72)) * time.Hour)
		if now := Now(); e.UpdatedAt.After(now) {
			e.UpdatedAt = now
		}
	}
	if !e.Draft {
		e.PublishedAt = e.CreatedAt
	}
	return e
}

// city picks a city by weight.
func (g *Generator) city() int {
	x := g.r.Float64()
	lo, hi := 0, len(g.cum)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if g.cum[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// uuid is a random (version 4) UUID drawn from the generator.
func (g *Generator) uuid() string {
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[:8], g.r.Uint64())
	binary.BigEndian.PutUint64(u[8:], g.r.Uint64())
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

// place is a venue near c: normal jitter of JitterKM per axis, cut at 3×.
func (g *Generator) place(c City) *geo.Place {
	r := g.r
	clamp := func(v float64) float64 { return math.Max(-3, math.Min(3, v)) }
	dy := clamp(r.NormFloat64()) * JitterKM
	dx := clamp(r.NormFloat64()) * JitterKM
	const kmPerDeg = geo.EarthRadiusKM * math.Pi / 180
	lat := c.Lat + dy/kmPerDeg
	lon := c.Lon + dx/(kmPerDeg*math.Cos(c.Lat*math.Pi/180))
	switch {
	case lon > 180:
		lon -= 360
	case lon < -180:
		lon += 360
	}
	lat = math.Round(lat*1e6) / 1e6
	lon = math.Round(lon*1e6) / 1e6
	return &geo.Place{
		Name:       pick(r, venues()) + " " + c.Name,
		Street:     fmt.Sprintf("%d %s", 1+r.IntN(200), pick(r, streets())),
		Locality:   c.Name,
		PostalCode: fmt.Sprintf("%05d", r.IntN(100000)),
		Country:    c.Country,
		Latitude:   &lat,
		Longitude:  &lon,
	}
}

// description is a few sentences of sanitized HTML.
func (g *Generator) description(kind string, c City) string {
	r := g.r
	var b strings.Builder
	fmt.Fprintf(&b, "<p>%s in %s. ", kind, c.Name)
	s := sentences()
	for range 2 + r.IntN(4) {
		b.WriteString(pick(r, s))
		b.WriteByte(' ')
	}
	b.WriteString("</p>")
	if r.Float64() < 0.5 {
		fmt.Fprintf(&b, "<p><strong>Bring:</strong> %s.</p>", pick(r, s))
	}
	return b.String()
}

// recur turns e into a series: weekly, fortnightly without end, daily
// or monthly, sometimes with an exception date. SeriesEndsAt is the
// end of the last occurrence, computed in the event's time zone.
func (g *Generator) recur(e *events.Event, loc *time.Location) {
	r := g.r
	dur := e.SeriesEndsAt.Sub(e.BeginsAt)
	start := e.BeginsAt.In(loc)
	var step func(t time.Time, i int) time.Time
	count := 0
	switch r.IntN(4) {
	case 0:
		count = 4 + r.IntN(20)
		e.Recurrence = fmt.Sprintf("FREQ=WEEKLY;COUNT=%d", count)
		step = func(t time.Time, i int) time.Time { return t.AddDate(0, 0, 7*i) }
	case 1:
		e.Recurrence = "FREQ=WEEKLY;INTERVAL=2"
	case 2:
		count = 2 + r.IntN(5)
		e.Recurrence = fmt.Sprintf("FREQ=DAILY;COUNT=%d", count)
		step = func(t time.Time, i int) time.Time { return t.AddDate(0, 0, i) }
	default:
		if start.Day() > 28 {
			start = start.AddDate(0, 0, -3)
			e.BeginsAt = start.UTC()
			if !e.EndsAt.IsZero() {
				e.EndsAt = e.BeginsAt.Add(dur)
			}
		}
		count = 3 + r.IntN(10)
		e.Recurrence = fmt.Sprintf("FREQ=MONTHLY;COUNT=%d", count)
		step = func(t time.Time, i int) time.Time { return t.AddDate(0, i, 0) }
	}
	if count == 0 {
		e.SeriesEndsAt = time.Time{}
		return
	}
	if count > 2 && r.Float64() < 0.3 {
		e.ExDates = []time.Time{step(start, 1).UTC()}
	}
	e.SeriesEndsAt = step(start, count-1).UTC().Add(dur)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func remoteHosts() []string {
	return []string{"mobilizon.fr", "mobilize.berlin", "events.coop", "keskonfai.fr", "gancio.cisti.org",
		"mobilizon.it", "events.hackerspace.example", "agenda.local.example", "social.example.org"}
}

func titles() []string {
	return []string{"Repair café", "Climate march", "Jazz night", "Linux install party", "Board games evening",
		"Book club", "Community garden workday", "Hackathon", "Open mic", "Yoga in the park",
		"Bike repair workshop", "Neighbourhood assembly", "Film screening", "Language exchange",
		"Choir rehearsal", "Photo walk", "Zero-waste workshop", "Tenant union meeting", "Free software meetup",
		"Poetry reading", "Cleanup of the riverbank", "Knitting circle", "Chess tournament", "Salsa class",
		"Permaculture course", "Privacy café", "Wikipedia edit-a-thon", "Potluck dinner", "Astronomy night",
		"Fediverse meetup"}
}

func sentences() []string {
	return []string{
		"Everyone is welcome, whatever your level.",
		"We meet at the entrance and start on time.",
		"The place is accessible by wheelchair and close to public transport.",
		"Please register so that we know how many chairs to set up.",
		"Children are welcome when accompanied.",
		"Bring something to share if you can; drinks are provided.",
		"The session is held in the local language, with help for newcomers.",
		"We will finish with an open discussion about the next steps.",
		"Tools and materials are lent on site.",
		"Organized by volunteers: contributions are free and optional.",
		"Photos may be taken during the event; tell us if you prefer not to appear.",
		"In case of rain we move indoors, to the hall next door.",
	}
}

func tags() []string {
	return []string{"music", "jazz", "climate", "diy", "repair", "linux", "fediverse", "privacy", "books",
		"games", "garden", "permaculture", "bike", "yoga", "dance", "film", "photo", "language", "community",
		"housing", "free-software", "science", "kids", "food", "vegan", "outdoors", "hiking", "art", "theatre",
		"poetry", "chess", "knitting", "astronomy", "wikipedia", "zero-waste", "Solidarity", "Workshop", "Meetup"}
}

func venues() []string {
	return []string{"Maison des associations", "Community centre", "Public library", "Café associatif",
		"Town hall", "Hackerspace", "Park pavilion", "Cultural centre", "University hall", "Bar"}
}

func streets() []string {
	return []string{"Main Street", "Rue de la République", "Avenida Paulista", "Station Road", "Calle Mayor",
		"Hauptstraße", "Via Roma", "Market Square", "Harbour Lane", "Rua Augusta"}
}
