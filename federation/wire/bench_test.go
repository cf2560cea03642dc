package wire_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/geo"
)

// plainCreate has the fields of testdata/bench-mobilizon-create-event.json:
// the encoding/json baseline the wire layer is measured against.
type plainCreate struct {
	Context      json.RawMessage `json:"@context"`
	Type         string          `json:"type"`
	ID           string          `json:"id"`
	Actor        string          `json:"actor"`
	AttributedTo string          `json:"attributedTo"`
	Published    time.Time       `json:"published"`
	To           []string        `json:"to"`
	CC           []string        `json:"cc"`
	Object       plainEvent      `json:"object"`
}

type plainEvent struct {
	Type                          string    `json:"type"`
	ID                            string    `json:"id"`
	URL                           string    `json:"url"`
	UUID                          string    `json:"uuid"`
	Name                          string    `json:"name"`
	Content                       string    `json:"content"`
	MediaType                     string    `json:"mediaType"`
	Summary                       string    `json:"summary"`
	Actor                         string    `json:"actor"`
	AttributedTo                  string    `json:"attributedTo"`
	To                            []string  `json:"to"`
	CC                            []string  `json:"cc"`
	Published                     time.Time `json:"published"`
	Updated                       time.Time `json:"updated"`
	StartTime                     time.Time `json:"startTime"`
	EndTime                       time.Time `json:"endTime"`
	Timezone                      string    `json:"timezone"`
	Category                      string    `json:"category"`
	InLanguage                    string    `json:"inLanguage"`
	Tag                           []struct{ Type, Name, Href string }
	JoinMode                      string  `json:"joinMode"`
	ExternalParticipationURL      *string `json:"externalParticipationUrl"`
	MaximumAttendeeCapacity       int     `json:"maximumAttendeeCapacity"`
	RemainingAttendeeCapacity     int     `json:"remainingAttendeeCapacity"`
	ParticipantCount              int     `json:"participantCount"`
	AnonymousParticipationEnabled bool    `json:"anonymousParticipationEnabled"`
	RepliesModerationOption       string  `json:"repliesModerationOption"`
	CommentsEnabled               bool    `json:"commentsEnabled"`
	Status                        string  `json:"status"`
	ICalStatus                    string  `json:"ical:status"`
	Draft                         bool    `json:"draft"`
	IsOnline                      bool    `json:"isOnline"`
	Contacts                      []string
	Location                      struct {
		Type, ID, Name string
		Address        struct {
			Type, StreetAddress, PostalCode, AddressLocality, AddressRegion, AddressCountry string
		} `json:"address"`
		Latitude, Longitude float64
	} `json:"location"`
	Attachment []struct {
		Type       string          `json:"type"`
		PropertyID string          `json:"propertyID,omitempty"`
		Value      json.RawMessage `json:"value,omitempty"`
		Name       string          `json:"name,omitempty"`
		MediaType  string          `json:"mediaType,omitempty"`
		URL        string          `json:"url,omitempty"`
		Href       string          `json:"href,omitempty"`
	} `json:"attachment"`
}

func benchDoc(b *testing.B) []byte {
	data, err := os.ReadFile("testdata/bench-mobilizon-create-event.json")
	require.NoError(b, err)
	return data
}

// benchView is the same event as the bench document, as a view.
func benchView() wire.EventView {
	lat, lon := 45.75, 4.84
	return wire.EventView{
		Event: events.Event{
			ID: "6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11", APID: "https://mz.example/events/6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11",
			URL: "https://mz.example/events/6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11", Title: "Repair café",
			Description: "<p>Bring your toaster #repair, your lamps and your bikes: volunteers fix them with you.</p>",
			BeginsAt:    mustTime("2025-05-17T12:00:00Z"), EndsAt: mustTime("2025-05-17T16:00:00Z"), TimeZone: "Europe/Paris",
			Status: events.Confirmed, Visibility: events.Public, JoinMode: events.JoinRestricted, Capacity: 40,
			AnonymousParticipation: true, OnlineAddress: "https://meet.example/repair",
			Place: &geo.Place{Name: "Maison des associations", Street: "10 Rue Jangot", PostalCode: "69007", Locality: "Lyon",
				Region: "Auvergne-Rhône-Alpes", Country: "France", Latitude: &lat, Longitude: &lon},
			Category: "COMMUNITY", Tags: []string{"repair"}, Language: "en", PictureURL: "https://mz.example/media/ab12.jpg?name=banner.jpg",
			Links:             []events.Link{{Kind: events.LinkLivestream, Title: "Live", URL: "https://tube.example/w/abc"}},
			CommentModeration: events.CommentsAllowAll,
			PublishedAt:       mustTime("2025-04-01T09:00:00Z"), UpdatedAt: mustTime("2025-04-01T09:00:00Z"),
		},
		Organizer: "https://mz.example/@climate", Actor: "https://mz.example/@alice", Members: "https://mz.example/@climate/members",
		ParticipantCount: 3, BaseURL: "https://mz.example",
	}
}

// reportRatio reports the cost of ours as ratios to the encoding/json
// baseline, measured in the same run. The two are timed interleaved, in
// chunks of 50 calls, so that load from other processes on a shared
// machine weighs on both alike. (testing.Benchmark cannot be used here:
// it deadlocks inside a benchmark.)
func reportRatio(b *testing.B, ours, baseline func()) {
	b.StopTimer()
	const chunk = 50
	rounds := max(1, min(b.N, 20000)/chunk)
	var tOurs, tBase time.Duration
	for range rounds {
		t0 := time.Now()
		for range chunk {
			ours()
		}
		t1 := time.Now()
		for range chunk {
			baseline()
		}
		tOurs += t1.Sub(t0)
		tBase += time.Since(t1)
	}
	allocsOurs, allocsBase := testing.AllocsPerRun(100, ours), testing.AllocsPerRun(100, baseline)
	b.ReportMetric(float64(tOurs)/float64(tBase), "x-encjson-ns")
	b.ReportMetric(allocsOurs/allocsBase, "x-encjson-allocs")
	b.ReportMetric(float64(tBase.Nanoseconds())/float64(rounds*chunk), "encjson-ns/op")
	b.ReportMetric(allocsBase, "encjson-allocs/op")
}

func BenchmarkParseCreateEvent(b *testing.B) {
	data := benchDoc(b)
	p := testParser(b)
	ours := func() {
		if _, err := p.ParseActivity(data); err != nil {
			b.Fatal(err)
		}
	}
	baseline := func() {
		var c plainCreate
		if err := json.Unmarshal(data, &c); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ours()
	}
	reportRatio(b, ours, baseline)
}

func BenchmarkEmitCreateEvent(b *testing.B) {
	data := benchDoc(b)
	var plain plainCreate
	require.NoError(b, json.Unmarshal(data, &plain))
	v := benchView()
	zone, err := time.LoadLocation(v.Event.TimeZone) // as a caller that keeps loaded zones does
	require.NoError(b, err)
	v.Zone = zone
	a := wire.CreateEvent(v)
	ours := func() {
		if _, err := wire.Marshal(a); err != nil {
			b.Fatal(err)
		}
	}
	baseline := func() {
		if _, err := json.Marshal(&plain); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		ours()
	}
	reportRatio(b, ours, baseline)
}

// The bench document parses into what benchView emits.
func TestBenchDocumentMatchesView(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/bench-mobilizon-create-event.json")
	require.NoError(t, err)
	a, err := testParser(t).ParseActivity(data)
	require.NoError(t, err)
	require.NotNil(t, a.Event)
	want := benchView().Event
	want.ID = ""
	want.SeriesEndsAt = want.EndsAt
	require.Equal(t, want, a.Event.Event)
	require.Len(t, a.Event.Metadata, 1) // the accessibility flag
}

// BenchmarkEmitCreateEventLoadingZone is the emit without a preloaded
// Zone: time.LoadLocation reads the zone database on every call.
func BenchmarkEmitCreateEventLoadingZone(b *testing.B) {
	data := benchDoc(b)
	var plain plainCreate
	require.NoError(b, json.Unmarshal(data, &plain))
	a := wire.CreateEvent(benchView())
	ours := func() {
		if _, err := wire.Marshal(a); err != nil {
			b.Fatal(err)
		}
	}
	baseline := func() {
		if _, err := json.Marshal(&plain); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		ours()
	}
	reportRatio(b, ours, baseline)
}
