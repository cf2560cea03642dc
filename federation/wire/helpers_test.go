package wire_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/geo"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// fixturesDir holds the shared real-world payloads, beside the repository.
const fixturesDir = "../../../shared/fixtures"

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixturesDir, name))
	if os.IsNotExist(err) {
		t.Skipf("fixture %s absent (the shared fixtures folder is not beside the repository)", name)
	}
	require.NoError(t, err)
	return b
}

// golden compares got (indented) with testdata/name.json, or rewrites it
// with -update. got must be valid JSON.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	require.True(t, json.Valid(got), "invalid JSON: %s", got)
	var buf bytes.Buffer
	require.NoError(t, json.Indent(&buf, got, "", "  "))
	buf.WriteByte('\n')
	file := filepath.Join("testdata", name+".json")
	if *update {
		require.NoError(t, os.WriteFile(file, buf.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test -update to create it")
	require.Equal(t, string(want), buf.String(), "golden file %s differs (go test -update rewrites it)", file)
}

var (
	parserOnce sync.Once
	parser     *wire.Parser
)

// testParser shares one Parser (building its sanitizer is costly).
func testParser(t testing.TB) *wire.Parser {
	t.Helper()
	parserOnce.Do(func() {
		p, err := wire.NewParser(wire.Config{})
		if err != nil {
			panic(err)
		}
		parser = p
	})
	return parser
}

func keyPEM(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return string(b)
}

func f64(f float64) *float64 { return &f }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

// fullEvent is an event with every field the wire carries set.
func fullEvent() events.Event {
	return events.Event{
		ID:          "6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11",
		APID:        "https://convene.example/events/6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11",
		URL:         "https://convene.example/events/6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11",
		Title:       "Repair café \"2024\"",
		Description: `<p>Bring your <strong>broken</strong> toaster #repair</p>`,
		BeginsAt:    mustTime("2025-05-17T12:00:00Z"),
		EndsAt:      mustTime("2025-05-17T16:00:00Z"),
		TimeZone:    "Europe/Paris",
		Status:      events.Confirmed,
		Visibility:  events.Public,
		JoinMode:    events.JoinRestricted,
		Capacity:    40,

		AnonymousParticipation: true,
		Place: &geo.Place{Name: "Maison des associations", Street: "10 Rue Jangot", Locality: "Lyon",
			Region: "Auvergne-Rhône-Alpes", PostalCode: "69007", Country: "France", Latitude: f64(45.75), Longitude: f64(4.84)},
		Category:          "COMMUNITY",
		Tags:              []string{"repair", "Reuse"},
		Language:          "fr",
		PictureURL:        "https://convene.example/media/ab12.png",
		Links:             []events.Link{{Kind: events.LinkPad, Title: "Notes", URL: "https://pad.example/p/repair"}, {Kind: events.LinkTicket, URL: "https://tickets.example/r"}},
		CommentModeration: events.CommentsModerated,
		Sequence:          2,
		SeriesEndsAt:      mustTime("2025-05-17T16:00:00Z"),
		PublishedAt:       mustTime("2025-04-01T09:00:00.123456Z"),
		UpdatedAt:         mustTime("2025-04-02T10:30:00Z"),
	}
}

func fullView() wire.EventView {
	return wire.EventView{
		Event:            fullEvent(),
		Organizer:        "https://convene.example/@climate",
		Actor:            "https://convene.example/@alice",
		Members:          "https://convene.example/@climate/members",
		Contacts:         []string{"https://convene.example/@alice"},
		ParticipantCount: 3,
		BaseURL:          "https://convene.example",
	}
}
