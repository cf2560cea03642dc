package wire_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
)

func TestParseRefusesBadDocuments(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	event := func(extra string) []byte {
		return []byte(`{"type":"Event","id":"https://x.example/e","name":"x","startTime":"2025-01-01T10:00:00Z"` + extra + `}`)
	}
	many := func(n int, item string) string {
		return strings.TrimSuffix(strings.Repeat(item+",", n), ",")
	}
	cases := []struct {
		name string
		doc  []byte
		want error
	}{
		{"too large", append(event(`,"content":"`+strings.Repeat("a", wire.MaxDocumentSize)), '"', '}'), wire.ErrTooLarge},
		{"too deep", []byte(strings.Repeat("[", 10000) + strings.Repeat("]", 10000)), wire.ErrTooDeep},
		{"deep inside an object", event(`,"x":` + strings.Repeat(`{"a":`, wire.MaxDepth) + `1` + strings.Repeat("}", wire.MaxDepth)), wire.ErrTooDeep},
		{"invalid UTF-8", event(`,"content":"caf` + "\xe9" + `"`), wire.ErrEncoding},
		{"raw NUL", event(`,"content":"a` + "\x00" + `b"`), wire.ErrEncoding},
		{"escaped NUL", event(`,"name":"a\u0000b"`), wire.ErrEncoding},
		{"empty", []byte{}, wire.ErrSyntax},
		{"not JSON", []byte(`{"type":`), wire.ErrSyntax},
		{"not an object", []byte(`["Event"]`), wire.ErrSyntax},
		{"too many tags", event(`,"tag":[` + many(wire.MaxTags+1, `{"type":"Hashtag","name":"#a"}`) + `]`), wire.ErrTooMany},
		{"too many attachments", event(`,"attachment":[` + many(wire.MaxAttachments+1, `{"type":"Link","href":"https://a.example"}`) + `]`), wire.ErrTooMany},
		{"too many recipients", event(`,"to":[` + many(wire.MaxAudience+1, `"https://a.example/@x"`) + `]`), wire.ErrTooMany},
		{"name too long", []byte(`{"type":"Event","name":"` + strings.Repeat("n", wire.MaxNameLength+1) + `"}`), wire.ErrTooLong},
		{"nameMap value too long", []byte(`{"type":"Event","nameMap":{"fr":"` + strings.Repeat("n", wire.MaxNameLength+1) + `"}}`), wire.ErrTooLong},
		{"IRI too long", event(`,"attributedTo":"https://a.example/` + strings.Repeat("i", wire.MaxIRILength) + `"`), wire.ErrTooLong},
		{"not an event", []byte(`{"type":"Note","id":"https://x.example/n"}`), wire.ErrUnsupported},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := p.ParseEvent(tc.doc)
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.want)
			assert.ErrorIs(t, err, wire.ErrInvalid)
			var we *wire.Error
			require.True(t, errors.As(err, &we))
			assert.Less(t, time.Since(start), time.Second)
		})
	}
}

func TestParseAcceptsEscapesThatAreNotNUL(t *testing.T) {
	t.Parallel()
	// A literal backslash followed by u0000 is text, not a NUL.
	pe, err := testParser(t).ParseEvent([]byte(`{"type":"Event","id":"https://x.example/e","name":"C:\\u0000 and C:\\new \"q\" \u00e9"}`))
	require.NoError(t, err)
	assert.Equal(t, `C:\u0000 and C:\new "q" é`, pe.Event.Title)
}

func TestParseSanitizesHTML(t *testing.T) {
	t.Parallel()
	doc := []byte(`{"type":"Event","id":"https://x.example/e","name":"<b>Party</b> &amp; <script>alert(1)</script>fun",` +
		`"content":"<p onclick=\"x()\">Hi<script>alert(1)</script><a href=\"javascript:alert(1)\">x</a></p>",` +
		`"summary":"<img src=x onerror=alert(1)>when","location":{"type":"Place","name":"<i>Hall</i>"}}`)
	pe, err := testParser(t).ParseEvent(doc)
	require.NoError(t, err)
	assert.Equal(t, "Party & fun", pe.Event.Title)
	assert.Equal(t, "<p>Hix</p>", pe.Event.Description)
	assert.Equal(t, "when", pe.Summary)
	assert.Equal(t, "Hall", pe.Event.Place.Name)
}

func TestParseTolerance(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	cases := []struct {
		name  string
		doc   string
		check func(t *testing.T, pe *wire.ParsedEvent)
	}{
		{"status only", `"status":"CANCELLED"`, func(t *testing.T, pe *wire.ParsedEvent) { assert.Equal(t, "cancelled", string(pe.Event.Status)) }},
		{"ical:status only", `"ical:status":"TENTATIVE"`, func(t *testing.T, pe *wire.ParsedEvent) { assert.Equal(t, "tentative", string(pe.Event.Status)) }},
		{"eventStatus wins", `"eventStatus":"EventPostponed","ical:status":"CONFIRMED"`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "postponed", string(pe.Event.Status))
		}},
		{"location string", `"location":"Town hall, Main street"`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "Town hall, Main street", pe.Event.Place.Name)
		}},
		{"location array, virtual first", `"location":[{"type":"VirtualLocation","url":"https://meet.example/a"},{"type":"Place","name":"Hall","address":"1 Main St","latitude":"-12.5","longitude":-77}]`,
			func(t *testing.T, pe *wire.ParsedEvent) {
				assert.Equal(t, "https://meet.example/a", pe.Event.OnlineAddress)
				assert.Equal(t, "1 Main St", pe.Event.Place.Street)
				assert.Equal(t, -12.5, *pe.Event.Place.Latitude)
				assert.Equal(t, -77.0, *pe.Event.Place.Longitude)
			}},
		{"coordinates out of range dropped", `"location":{"type":"Place","name":"X","latitude":91,"longitude":10}`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Nil(t, pe.Event.Place.Latitude)
		}},
		{"attributedTo array of objects", `"attributedTo":[{"type":"Person","id":"https://a.example/@o"},"https://a.example/@p"]`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "https://a.example/@o", pe.AttributedTo)
		}},
		{"Public forms", `"to":["as:Public"],"cc":["Public","https://www.w3.org/ns/activitystreams#Public"]`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, []string{wire.PublicIRI}, pe.To)
			assert.Equal(t, []string{wire.PublicIRI}, pe.CC)
			assert.Equal(t, "public", string(pe.Event.Visibility))
		}},
		{"bare Public string", `"to":"Public"`, func(t *testing.T, pe *wire.ParsedEvent) { assert.Equal(t, "public", string(pe.Event.Visibility)) }},
		{"unlisted", `"to":["https://a.example/@o/followers"],"cc":["as:Public"]`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "unlisted", string(pe.Event.Visibility))
		}},
		{"contentMap and nameMap", `"inLanguage":"de","nameMap":{"en":"Party","de":"Fest"},"contentMap":{"und":"<p>x</p>"}`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "Fest", pe.Event.Title)
			assert.Equal(t, "<p>x</p>", pe.Event.Description)
		}},
		{"local time in the zone", `"startTime":"2025-05-17 14:00:00","timezone":"Europe/Paris"`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "2025-05-17T12:00:00Z", pe.Event.BeginsAt.Format(time.RFC3339))
		}},
		{"invalid zone ignored", `"timezone":"Mars/Olympus"`, func(t *testing.T, pe *wire.ParsedEvent) { assert.Empty(t, pe.Event.TimeZone) }},
		{"wrong JSON types read as absent", `"name":12,"maximumAttendeeCapacity":"40","joinMode":["free"],"tag":"x","draft":1`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Empty(t, pe.Event.Title)
			assert.Zero(t, pe.Event.Capacity)
			assert.Equal(t, "free", string(pe.Event.JoinMode))
		}},
		{"commentsEnabled false", `"commentsEnabled":false`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "closed", string(pe.Event.CommentModeration))
		}},
		{"unknown properties kept", `"pt:views":12,"conversation":"https://a.example/c"`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.JSONEq(t, `12`, string(pe.Extra["pt:views"]))
			assert.JSONEq(t, `"https://a.example/c"`, string(pe.Extra["conversation"]))
		}},
		{"mailto external participation", `"joinMode":"external","externalParticipationUrl":"mailto:org@a.example"`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, "mailto:org@a.example", pe.Event.ExternalURL)
		}},
		{"fitted to the domain's limits", `"name":"` + strings.Repeat("é", 300) + `","maximumAttendeeCapacity":5000000,"tag":[` +
			strings.TrimSuffix(strings.Repeat(`{"type":"Hashtag","name":"#t"},{"type":"Hashtag","name":"#`+strings.Repeat("x", 50)+`"},`, 1), ",") + `,` +
			func() string {
				var b strings.Builder
				for i := range 30 {
					if i > 0 {
						b.WriteString(",")
					}
					b.WriteString(`{"type":"Hashtag","name":"#tag` + strconv.Itoa(i) + `"}`)
				}
				return b.String()
			}() + `]`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Equal(t, events.MaxTitleLength, utf8.RuneCountInString(pe.Event.Title))
			assert.Equal(t, events.MaxCapacity, pe.Event.Capacity)
			assert.Len(t, pe.Event.Tags, events.MaxTags)
			assert.Equal(t, "t", pe.Event.Tags[0]) // the 50-character tag is dropped
			assert.Equal(t, "tag0", pe.Event.Tags[1])
		}},
		{"relative and javascript IRIs dropped", `"url":"javascript:alert(1)","attributedTo":"/@o"`, func(t *testing.T, pe *wire.ParsedEvent) {
			assert.Empty(t, pe.Event.URL)
			assert.Empty(t, pe.AttributedTo)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := `{"type":"Event","id":"https://x.example/e","startTime":"2025-05-17T12:00:00Z",` + tc.doc + `}`
			if bytes.Contains([]byte(tc.doc), []byte(`"startTime"`)) {
				doc = `{"type":"Event","id":"https://x.example/e",` + tc.doc + `}`
			}
			pe, err := p.ParseEvent([]byte(doc))
			require.NoError(t, err)
			tc.check(t, pe)
		})
	}
}

func TestParseActivityTolerance(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	ev, err := p.ParseEvent([]byte(`{"type":["sc:Event","Event"],"id":"https://a.example/e","name":"Typed twice"}`))
	require.NoError(t, err)
	assert.Equal(t, "Typed twice", ev.Event.Title)

	a, err := p.ParseActivity([]byte(`{"type":"Leave","actor":["https://a.example/@p","https://a.example/@q"],"object":"https://b.example/@g","to":"https://b.example/@g/members"}`))
	require.NoError(t, err)
	assert.Empty(t, a.ID)
	assert.Equal(t, "https://a.example/@p", a.Actor)

	_, err = p.ParseActivity([]byte(`{"type":"Join","actor":"https://a.example/@p","object":"https://b.example/e"}`))
	require.ErrorIs(t, err, wire.ErrMissing) // only Leave may lack an id

	_, err = p.ParseActivity([]byte(`{"type":"Follow","id":"https://a.example/f","object":"https://b.example/@g"}`))
	require.ErrorIs(t, err, wire.ErrMissing)

	_, err = p.ParseActivity([]byte(`{"type":"Note","id":"https://a.example/n"}`))
	require.ErrorIs(t, err, wire.ErrUnsupported)

	_, err = p.ParseActor([]byte(`{"type":"Person","id":"https://a.example/@p","inbox":"https://a.example/@p/inbox","publicKey":{"id":"https://a.example/@p#k","publicKeyPem":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}}`))
	require.ErrorIs(t, err, wire.ErrInvalid)
}

// TestDuplicateKeysAndAliases (SECURITY.md case 38): a key named twice,
// at any depth, is refused, since parsers disagree on which one counts;
// an @context that aliases id or actor changes nothing, as properties
// are read literally.
func TestDuplicateKeysAndAliases(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	dups := []string{
		`{"type":"Follow","id":"https://a.example/f/1","actor":"https://a.example/u/a","actor":"https://b.example/u/b","object":"https://c.example/u/c"}`,
		`{"type":"Create","id":"https://a.example/c/1","actor":"https://a.example/u/a","object":{"type":"Event","id":"https://a.example/e/1","id":"https://b.example/e/1","name":"x","startTime":"2026-12-01T10:00:00Z"}}`,
		`{"type":"Create","id":"https://a.example/c/1","actor":"https://a.example/u/a","to":[{"id":"x","id":"y"}],"object":"https://a.example/e/1"}`,
	}
	for _, doc := range dups {
		_, err := p.ParseActivity([]byte(doc))
		require.ErrorIs(t, err, wire.ErrSyntax, doc)
	}
	// Many keys: refused quickly too.
	var b strings.Builder
	b.WriteString(`{"type":"Note","id":"https://a.example/n/1"`)
	for i := range 20000 {
		b.WriteString(`,"k` + strconv.Itoa(i) + `":1`)
	}
	b.WriteString(`,"k7":2}`)
	start := time.Now()
	_, err := p.ParseObject([]byte(b.String()))
	require.ErrorIs(t, err, wire.ErrSyntax)
	assert.Less(t, time.Since(start), 2*time.Second)

	aliased := `{"@context":["https://www.w3.org/ns/activitystreams",{"actor":"@id","owner":"as:actor"}],
		"type":"Follow","id":"https://a.example/f/1","actor":"https://a.example/u/a","owner":"https://b.example/u/b",
		"object":"https://c.example/u/c"}`
	act, err := p.ParseActivity([]byte(aliased))
	require.NoError(t, err)
	assert.Equal(t, "https://a.example/f/1", act.ID)
	assert.Equal(t, "https://a.example/u/a", act.Actor, "read literally, never re-interpreted by the @context")
}
