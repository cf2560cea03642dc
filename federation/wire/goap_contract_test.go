package wire

// Contract tests: the go-ap behaviours this package works around
// (LIBRARIES.md §1–§3), written against go-ap directly. If an upgrade
// changes one, the test fails: re-check the workaround, then update it.

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/go-ap/jsonld"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/geo"
)

func TestGoAPDropsNegativeCoordinates(t *testing.T) {
	t.Parallel()
	b, err := vocab.Place{Type: vocab.PlaceType, ID: "https://x.example/p", Latitude: -23.55, Longitude: -46.63}.MarshalJSON()
	require.NoError(t, err)
	assert.NotContains(t, string(b), "latitude", "go-ap now writes negative coordinates: writeLocation could use it")
	assert.NotContains(t, string(b), "longitude")

	// Ours keeps them.
	e := &enc{}
	e.open()
	lat, lon := -23.55, -46.63
	writeLocation(e, placeFor(lat, lon), "", "")
	e.close()
	assert.Contains(t, string(e.b), `"latitude":-23.55,"longitude":-46.63`)
}

func TestGoAPLosesNumericNames(t *testing.T) {
	t.Parallel()
	var p fastjson.Parser
	v, err := p.Parse(`{"type":"Event","name":"2024","content":"true"}`)
	require.NoError(t, err)
	var o vocab.Object
	require.NoError(t, vocab.JSONLoadObject(v, &o))
	assert.Equal(t, "", o.Name.String(), "go-ap now reads \"2024\" as a name")
	assert.Equal(t, "", o.Content.String())

	r := &reader{}
	assert.Equal(t, "2024", r.text(v, "", "name", "", MaxNameLength))
}

func TestGoAPIgnoresNameMap(t *testing.T) {
	t.Parallel()
	var p fastjson.Parser
	v, err := p.Parse(`{"type":"Event","nameMap":{"fr":"Café réparation","en":"Repair café"}}`)
	require.NoError(t, err)
	var o vocab.Object
	require.NoError(t, vocab.JSONLoadObject(v, &o))
	assert.Empty(t, o.Name, "go-ap now reads nameMap")

	r := &reader{}
	assert.Equal(t, "Café réparation", r.text(v, "", "name", "fr", MaxNameLength))
	assert.Equal(t, "Repair café", r.text(v, "", "name", "", MaxNameLength)) // first in sorted order
}

func TestGoAPCannotReadXSDDurations(t *testing.T) {
	t.Parallel()
	var p fastjson.Parser
	v, err := p.Parse(`{"type":"Event","duration":"PT2H"}`)
	require.NoError(t, err)
	var o vocab.Object
	require.NoError(t, vocab.JSONLoadObject(v, &o))
	assert.Zero(t, o.Duration, "go-ap now reads xsd durations")

	b, err := vocab.Object{Type: vocab.EventType, ID: "https://x.example/e", Duration: 2 * time.Hour}.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"duration":"PT2H"`, "go-ap writes what it cannot read")
}

func TestGoAPDropsPublicInArrays(t *testing.T) {
	t.Parallel()
	var p fastjson.Parser
	v, err := p.Parse(`{"type":"Note","to":["as:Public","https://x.example/@a"],"cc":["Public"]}`)
	require.NoError(t, err)
	var o vocab.Object
	require.NoError(t, vocab.JSONLoadObject(v, &o))
	assert.Len(t, o.To, 1, "go-ap now keeps as:Public in arrays")
	assert.Empty(t, o.CC)

	r := &reader{}
	assert.Equal(t, []string{PublicIRI, "https://x.example/@a"}, r.iris(v, "", "to", MaxAudience))
	assert.Equal(t, []string{PublicIRI}, r.iris(v, "", "cc", MaxAudience))
}

func TestGoAPTimes(t *testing.T) {
	t.Parallel()
	// Writing: UTC, fractional seconds dropped.
	start := time.Date(2025, 5, 17, 14, 0, 0, 123456000, time.FixedZone("CEST", 2*3600))
	b, err := vocab.Object{Type: vocab.EventType, ID: "https://x.example/e", StartTime: start}.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"startTime":"2025-05-17T12:00:00Z"`, "go-ap now keeps offsets or fractions")

	// Reading: the offset is lost (the instant is kept).
	var p fastjson.Parser
	v, err := p.Parse(`{"startTime":"2025-05-17T14:00:00.5+02:00","endTime":"2026-03-14 17:00:00"}`)
	require.NoError(t, err)
	got := vocab.JSONGetTime(v, "startTime")
	assert.Equal(t, time.UTC, got.Location(), "go-ap now keeps the offset")
	assert.True(t, got.Equal(start.Add(-123456000+500000000)))
	assert.True(t, vocab.JSONGetTime(v, "endTime").IsZero(), "go-ap now reads times without offset")

	// Ours writes the offset and the fraction, and reads local times.
	e := &enc{}
	e.open()
	e.timeProp("startTime", start, time.FixedZone("CEST", 2*3600))
	assert.Contains(t, string(e.b), `"startTime":"2025-05-17T14:00:00.123456+02:00"`)
	r := &reader{}
	assert.Equal(t, time.Date(2026, 3, 14, 17, 0, 0, 0, time.UTC), r.timeIn(v, "endTime", nil))
}

func TestGoAPWritesIRIsUnescaped(t *testing.T) {
	t.Parallel()
	b, err := vocab.Object{Type: vocab.NoteType, ID: `https://x.example/n"`, AttributedTo: vocab.IRI(`https://x.example/@a","evil":"1`)}.MarshalJSON()
	require.NoError(t, err)
	assert.False(t, json.Valid(b) && !strings.Contains(string(b), `"evil"`), "go-ap now escapes IRIs: %s", b)

	n := Note{ID: `https://x.example/n"`, Actor: `https://x.example/@a","evil":"1`, Content: "x"}
	out, err := Marshal(n)
	require.NoError(t, err)
	var m map[string]any
	require.NoError(t, json.Unmarshal(out, &m))
	assert.NotContains(t, m, "evil")
	assert.Equal(t, `https://x.example/@a","evil":"1`, m["actor"])
}

func TestGoAPBooleansAsStrings(t *testing.T) {
	t.Parallel()
	b, err := vocab.Question{Type: vocab.QuestionType, ID: "https://x.example/q", Closed: true}.MarshalJSON()
	require.NoError(t, err)
	assert.Contains(t, string(b), `"closed":"true"`, "go-ap now writes JSON booleans")
	// Ours reads both.
	var p fastjson.Parser
	v, err := p.Parse(`{"a":"true","b":false,"c":"yes"}`)
	require.NoError(t, err)
	assert.True(t, *boolPtr(v, "a"))
	assert.False(t, *boolPtr(v, "b"))
	assert.Nil(t, boolPtr(v, "c"))
}

func TestGoAPDropsUnknownTypesAndExtensions(t *testing.T) {
	t.Parallel()
	it, err := vocab.UnmarshalJSON([]byte(`{"type":"Event","id":"https://x.example/e","joinMode":"free","tag":[{"type":"Hashtag","name":"#a"},{"type":"Mention","href":"https://x.example/@b"}],` +
		`"attachment":[{"type":"PropertyValue","value":"x"},{"type":"Link","href":"https://x.example"}]}`))
	require.NoError(t, err)
	o, ok := it.(*vocab.Object)
	require.True(t, ok)
	assert.Len(t, o.Tag, 1, "go-ap now keeps Hashtags")
	att, _ := o.Attachment.(vocab.ItemCollection)
	assert.Len(t, att, 1, "go-ap now keeps PropertyValues")
	b, err := o.MarshalJSON()
	require.NoError(t, err)
	assert.NotContains(t, string(b), "joinMode", "go-ap now keeps extension properties")

	h, err := vocab.UnmarshalJSON([]byte(`{"type":"Hashtag","name":"#a"}`))
	assert.NoError(t, err)
	assert.Nil(t, h, "go-ap now decodes a top-level Hashtag")
}

func TestGoAPMultipleTypes(t *testing.T) {
	t.Parallel()
	var p fastjson.Parser
	v, err := p.Parse(`{"type":["Event","sc:Event"],"id":"https://x.example/e"}`)
	require.NoError(t, err)
	assert.Equal(t, vocab.ActivityVocabularyType(""), vocab.JSONGetType(v), "go-ap now reads type arrays")
	assert.Equal(t, "Event", typeOf(v))
}

// jsonld drops the term of a one-term context and emits only its IRI;
// Context is therefore a constant, not built with jsonld.
func TestJSONLDOneTermContext(t *testing.T) {
	t.Parallel()
	b, err := jsonld.WithContext(jsonld.Context{{Term: "mz", IRI: "https://joinmobilizon.org/ns#"}}).
		Marshal(vocab.Object{Type: vocab.NoteType, ID: "https://x.example/n"})
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"mz"`, "jsonld now keeps the term of a one-term context: %s", b)
}

type ctxTerms map[string]any

func (c ctxTerms) Collapse() interface{} { return map[string]any(c) }

// TestContextMatchesJSONLD checks that Context is the same JSON that
// go-ap/jsonld emits for the same terms (the documented way to emit a
// context with term definitions), and that it declares what Mobilizon
// forgets (rdfs) and every term Convene emits.
func TestContextMatchesJSONLD(t *testing.T) {
	t.Parallel()
	var ours []any
	require.NoError(t, json.Unmarshal([]byte(Context), &ours))
	require.Len(t, ours, 3)
	terms := ours[2].(map[string]any)

	b, err := jsonld.WithContext(jsonld.IRI(vocab.ActivityBaseURI), jsonld.IRI(vocab.SecurityContextURI), ctxTerms(terms)).
		Marshal(vocab.Object{Type: vocab.NoteType, ID: "https://x.example/n"})
	require.NoError(t, err)
	var theirs struct {
		Context []any `json:"@context"`
	}
	require.NoError(t, json.Unmarshal(b, &theirs), "%s", b)
	assert.Equal(t, ours, theirs.Context)

	for _, term := range []string{"rdfs", "sc", "mz", "ical", "toot", "pt", "joinMode", "timezone", "participantCount",
		"memberCount", "eventStatus", "VirtualLocation", "organizers", "draft", "contacts", "role", "status",
		"repliesModerationOption", "externalParticipationUrl", "anonymousParticipationEnabled", "isOnline",
		"maximumAttendeeCapacity", "remainingAttendeeCapacity", "PropertyValue", "inLanguage", "uuid",
		"category", "Hashtag", "openness", "members", "todoList", "participationMessage"} {
		assert.Contains(t, terms, term)
	}
}

func placeFor(lat, lon float64) *geo.Place { return &geo.Place{Latitude: &lat, Longitude: &lon} }
