package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

// fullEvent sets every field of an event.
const fullEvent = `{
	"title": "Repair café",
	"description": "<p>Bring <b>broken</b> things<script>x()</script></p>",
	"begins_on": "2026-04-04T14:00:00+02:00",
	"ends_on": "2026-04-04T18:00:00+02:00",
	"timezone": "Europe/Paris",
	"status": "tentative",
	"visibility": "unlisted",
	"join_mode": "restricted",
	"capacity": 12,
	"anonymous_participation": true,
	"online_address": "https://visio.example/room",
	"place": {"name": "Maison du quartier", "street": "1 rue de la Paix", "locality": "Paris",
		"region": "IDF", "postal_code": "75002", "country": "FR", "latitude": 48.8686, "longitude": 2.3314},
	"category": "workshops_skill_sharing",
	"tags": ["repair", "#Reuse", "REPAIR"],
	"language": "fr",
	"picture_url": "https://img.example/cafe.png",
	"links": [{"kind": "pad", "title": "Notes", "url": "https://pad.example/p/cafe"}],
	"draft": false,
	"comment_moderation": "moderated",
	"recurrence": "FREQ=MONTHLY;BYDAY=1SA;COUNT=3"
}`

func TestCreateEventMapsEveryField(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("ida")

	res := w.do("POST", "/api/v1/events", u.token, fullEvent).status(http.StatusCreated)
	got := res.object()
	id := got["id"].(string)
	assert.Equal(t, base+"/api/v1/events/"+id, res.rec.Header().Get("Location"))
	assert.Equal(t, base+"/events/"+id, got["url"])
	want := map[string]any{
		"title": "Repair café", "description": "<p>Bring <b>broken</b> things</p>",
		"begins_on": "2026-04-04T12:00:00Z", "ends_on": "2026-04-04T16:00:00Z", "timezone": "Europe/Paris",
		"status": "tentative", "visibility": "unlisted", "join_mode": "restricted", "capacity": float64(12),
		"anonymous_participation": true, "online_address": "https://visio.example/room",
		"place": map[string]any{"name": "Maison du quartier", "street": "1 rue de la Paix", "locality": "Paris",
			"region": "IDF", "postal_code": "75002", "country": "FR", "latitude": 48.8686, "longitude": 2.3314},
		"category": "WORKSHOPS_SKILL_SHARING", "tags": []any{"repair", "Reuse"}, "language": "fr",
		"picture_url": "https://img.example/cafe.png",
		"links":       []any{map[string]any{"kind": "pad", "title": "Notes", "url": "https://pad.example/p/cafe"}},
		"draft":       false, "comment_moderation": "moderated", "recurrence": "FREQ=MONTHLY;COUNT=3;BYDAY=1SA",
		"exdates": []any{}, "contacts": []any{}, "local": true, "sequence": float64(0),
		"published_at": "2026-03-01T10:00:00Z", "created_at": "2026-03-01T10:00:00Z", "updated_at": "2026-03-01T10:00:00Z",
	}
	for k, v := range want {
		if k == "recurrence" {
			assert.Contains(t, []any{"FREQ=MONTHLY;COUNT=3;BYDAY=1SA", "FREQ=MONTHLY;BYDAY=1SA;COUNT=3"}, got[k])
			continue
		}
		assert.Equal(t, v, got[k], k)
	}
	org := got["organizer"].(map[string]any)
	assert.Equal(t, u.profile.ID, org["id"])
	assert.Equal(t, "@ida@events.example", org["handle"])
	for _, k := range []string{"creator_id", "account_id", "email"} {
		assert.NotContains(t, got, k)
	}

	// The stored event matches.
	e, err := w.inst.Events.Get(w.ctx, u.profile.ID, id)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2026, 4, 4, 12, 0, 0, 0, time.UTC), e.BeginsAt)
	assert.Equal(t, events.JoinRestricted, e.JoinMode)
	require.NotNil(t, e.Place)
	assert.InDelta(t, 48.8686, *e.Place.Latitude, 1e-9)

	// GET answers the same document.
	again := w.do("GET", "/api/v1/events/"+id, "", nil).status(http.StatusOK).object()
	assert.Equal(t, got, again)
}

func TestCreateEventRefusesBadInput(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	u := w.user("jo")
	ok := map[string]any{"title": "Fine", "begins_on": "2026-04-01T10:00:00Z"}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k, v := range ok {
			m[k] = v
		}
		m[k] = v
		return m
	}
	for _, tc := range []struct {
		name        string
		body        any
		status      int
		code, field string
	}{
		{"no title", map[string]any{"begins_on": "2026-04-01T10:00:00Z"}, 422, "invalid", "title"},
		{"no start", map[string]any{"title": "x"}, 422, "invalid", "begins_on"},
		{"start not RFC 3339", with("begins_on", "01/04/2026 10:00"), 422, "invalid", "begins_on"},
		{"start a number", with("begins_on", 1775000000), 422, "invalid", "begins_on"},
		{"end before start", with("ends_on", "2026-04-01T09:00:00Z"), 422, "invalid", "ends_on"},
		{"bad time zone", with("timezone", "Mars/Olympus"), 422, "invalid", "timezone"},
		{"bad status", with("status", "maybe"), 422, "invalid", "status"},
		{"bad visibility", with("visibility", "secret"), 422, "invalid", "visibility"},
		{"bad join mode", with("join_mode", "anyone"), 422, "invalid", "join_mode"},
		{"negative capacity", with("capacity", -1), 422, "invalid", "capacity"},
		{"capacity a string", with("capacity", "ten"), 422, "invalid", "capacity"},
		{"fractional capacity", with("capacity", 1.5), 422, "invalid", "capacity"},
		{"latitude a string", with("place", map[string]any{"name": "x", "latitude": "north"}), 422, "invalid", "place.latitude"},
		{"latitude out of range", with("place", map[string]any{"latitude": 91.0, "longitude": 0.0}), 422, "invalid", "place"},
		{"unknown place field", with("place", map[string]any{"planet": "Mars"}), 422, "invalid", "planet"},
		{"unknown field", with("starts_at", "2026-04-01T10:00:00Z"), 422, "invalid", "starts_at"},
		{"tags not a list", with("tags", "a,b"), 422, "invalid", "tags"},
		{"bad link", with("links", []any{map[string]any{"kind": "pad", "url": "ftp://x"}}), 422, "invalid", "links"},
		{"bad recurrence", with("recurrence", "FREQ=SOMETIMES"), 422, "invalid", "recurrence"},
		{"bad exdate", with("exdates", []any{"yesterday"}), 422, "invalid", "exdates.0"},
		{"online address not http", with("online_address", "javascript:alert(1)"), 422, "invalid", "online_address"},
		{"unknown group", with("group_id", "no-such-group"), 404, "not_found", ""},
		{"array body", "[]", 400, "bad_json", ""},
		{"two objects", `{"title":"a"} {"title":"b"}`, 400, "bad_json", ""},
		{"truncated", `{"title":`, 400, "bad_json", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w.do("POST", "/api/v1/events", u.token, tc.body).apiErr(tc.status, tc.code, tc.field)
		})
	}
	page, err := w.inst.Events.Search(w.ctx, events.Query{})
	require.NoError(t, err)
	assert.Empty(t, page.Occurrences, "nothing was created")

	// Body limits and content type.
	huge := `{"title":"` + strings.Repeat("x", 300<<10) + `"}`
	w.do("POST", "/api/v1/events", u.token, huge).apiErr(http.StatusRequestEntityTooLarge, "too_large", "")
	w.do("POST", "/api/v1/events", u.token, `{"title":"x"}`, "Content-Type", "text/plain").
		apiErr(http.StatusUnsupportedMediaType, "unsupported_media_type", "")
}

func TestPrivateEventIsNotFoundToOutsiders(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org := w.user("kim")
	guest := w.user("lou")
	outsider := w.user("max")
	// Guests join while the event is public; then it turns private.
	e := w.event(org.profile, func(in *events.Input) { in.Title = "Secret party" })
	_, err := w.inst.Events.Join(w.ctx, e.ID, guest.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	in := events.InputOf(e)
	in.Visibility = events.Private
	_, err = w.inst.Events.Update(w.ctx, org.profile.ID, e.ID, in)
	require.NoError(t, err)
	path := "/api/v1/events/" + e.ID

	w.do("GET", path, org.token, nil).status(http.StatusOK)
	w.do("GET", path, guest.token, nil).status(http.StatusOK)
	missing := w.do("GET", "/api/v1/events/no-such-event", outsider.token, nil)
	missing.apiErr(http.StatusNotFound, "not_found", "")
	for name, token := range map[string]string{"anonymous": "", "outsider": outsider.token} {
		t.Run(name, func(t *testing.T) {
			for _, req := range []struct{ method, path string }{
				{"GET", path}, {"GET", path + "/comments"}, {"GET", path + "/participants"},
				{"PATCH", path}, {"DELETE", path}, {"POST", path + "/participation"},
				{"GET", path + "/participation"}, {"DELETE", path + "/participation"}, {"POST", path + "/comments"},
			} {
				var body any
				if req.method == "PATCH" {
					body = map[string]any{"title": "Mine now"}
				}
				if req.method == "POST" && strings.HasSuffix(req.path, "comments") {
					body = map[string]any{"text": "hello"}
				}
				res := w.do(req.method, req.path, token, body)
				if token == "" && res.rec.Code == http.StatusUnauthorized {
					continue // signing in comes first
				}
				res.apiErr(http.StatusNotFound, "not_found", "")
				assert.Equal(t, missing.body, res.body, "%s %s: same answer as for a missing event", req.method, req.path)
			}
		})
	}
	// Search does not find it either.
	items := w.do("GET", "/api/v1/events?text=secret", outsider.token, nil).status(http.StatusOK).items()
	assert.Empty(t, items)
	got, err := w.inst.Events.Get(w.ctx, org.profile.ID, e.ID)
	require.NoError(t, err)
	assert.Equal(t, "Secret party", got.Title, "unchanged")
}

func TestUpdateAndDeleteEvent(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org := w.user("ned")
	other := w.user("oli")
	lat, lon := 45.0, 5.0
	e := w.event(org.profile, func(in *events.Input) {
		in.Place = &geo.Place{Name: "Hall", Latitude: &lat, Longitude: &lon}
		in.Tags = []string{"a", "b"}
		in.Capacity = 10
	})
	path := "/api/v1/events/" + e.ID

	// A partial update changes the fields given, null clears, the rest stays.
	got := w.do("PATCH", path, org.token, `{"title":"Picnic 2","ends_on":null,"place":null,"tags":["c"]}`).
		status(http.StatusOK).object()
	assert.Equal(t, "Picnic 2", got["title"])
	assert.Nil(t, got["ends_on"])
	assert.Nil(t, got["place"])
	assert.Equal(t, []any{"c"}, got["tags"])
	assert.Equal(t, float64(10), got["capacity"], "untouched")
	assert.Equal(t, "Europe/Paris", got["timezone"], "untouched")
	assert.Equal(t, float64(1), got["sequence"])

	w.do("PATCH", path, org.token, map[string]any{"begins_on": "soon"}).apiErr(422, "invalid", "begins_on")
	w.do("PATCH", path, org.token, map[string]any{"title": nil}).apiErr(422, "invalid", "title")
	w.do("PATCH", path, org.token, map[string]any{"group_id": "g1"}).apiErr(422, "invalid", "group_id")
	w.do("PATCH", path, org.token, map[string]any{"id": "other"}).apiErr(422, "invalid", "id")

	// Someone else may see the public event but not change or delete it.
	w.do("PATCH", path, other.token, map[string]any{"title": "Mine"}).apiErr(http.StatusForbidden, "forbidden", "")
	w.do("DELETE", path, other.token, nil).apiErr(http.StatusForbidden, "forbidden", "")
	stored, err := w.inst.Events.Get(w.ctx, "", e.ID)
	require.NoError(t, err)
	assert.Equal(t, "Picnic 2", stored.Title)

	w.do("DELETE", path, org.token, nil).status(http.StatusNoContent)
	w.do("GET", path, org.token, nil).apiErr(http.StatusNotFound, "not_found", "")
	w.do("DELETE", path, org.token, nil).apiErr(http.StatusNotFound, "not_found", "")
}

func TestSearchEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	org := w.user("pam")
	paris := func(lat, lon float64) *geo.Place {
		return &geo.Place{Locality: "Paris", Latitude: &lat, Longitude: &lon}
	}
	day := 24 * time.Hour
	concert := w.event(org.profile, func(in *events.Input) {
		in.Title, in.Category, in.Tags = "Jazz concert", "MUSIC", []string{"jazz"}
		in.Place, in.BeginsAt, in.EndsAt = paris(48.86, 2.35), t0.Add(2*day), time.Time{}
	})
	online := w.event(org.profile, func(in *events.Input) {
		in.Title, in.OnlineAddress, in.Tags = "Online talk", "https://talk.example/live", []string{"tech"}
		in.BeginsAt, in.EndsAt = t0.Add(3*day), time.Time{}
	})
	lyon := w.event(org.profile, func(in *events.Input) {
		in.Title, in.Category, in.Place = "Lyon jam", "MUSIC", paris(45.76, 4.83)
		in.BeginsAt, in.EndsAt = t0.Add(20*day), time.Time{}
	})
	w.event(org.profile, func(in *events.Input) { in.Title, in.Visibility = "Unlisted jazz", events.Unlisted })
	w.event(org.profile, func(in *events.Input) { in.Title, in.Draft = "Draft jazz", true })

	search := func(query string) []string {
		t.Helper()
		items := w.do("GET", "/api/v1/events?"+query, "", nil).status(http.StatusOK).items()
		for _, it := range items {
			ev := it["event"].(map[string]any)
			assert.Equal(t, ev["begins_on"], it["begins_on"])
		}
		return ids(items, "event")
	}
	assert.Equal(t, []string{concert.ID, online.ID, lyon.ID}, search(""), "public upcoming events, in order")
	assert.Equal(t, []string{concert.ID}, search("text=jazz"), "no unlisted or draft")
	assert.Equal(t, []string{concert.ID, online.ID}, search("tags=jazz,tech"))
	assert.Equal(t, []string{concert.ID, online.ID}, search("tags=jazz&tags=tech"))
	assert.Equal(t, []string{concert.ID, lyon.ID}, search("category=music"))
	assert.Equal(t, []string{online.ID}, search("online=true"))
	assert.Equal(t, []string{concert.ID, lyon.ID}, search("online=false"))
	assert.Equal(t, []string{concert.ID}, search("near=48.85,2.34&radius=10"))
	assert.Equal(t, []string{concert.ID, lyon.ID}, search("near=48.85,2.34&radius=500"))
	assert.Equal(t, []string{lyon.ID}, search("from="+url.QueryEscape(t0.Add(10*day).Format(time.RFC3339))))
	assert.Equal(t, []string{concert.ID}, search("to="+url.QueryEscape(t0.Add(3*day).Format(time.RFC3339))))
	assert.Equal(t, []string{concert.ID, online.ID, lyon.ID}, search("organizer="+org.profile.ID))

	// Pagination by cursor.
	res := w.do("GET", "/api/v1/events?limit=2", "", nil).status(http.StatusOK)
	var page struct {
		Items []json.RawMessage
		Next  string
	}
	res.decode(&page)
	require.Len(t, page.Items, 2)
	require.NotEmpty(t, page.Next)
	assert.Equal(t, []string{lyon.ID}, search("limit=2&after="+url.QueryEscape(page.Next)))

	for _, tc := range []struct{ query, field string }{
		{"from=tomorrow", "from"},
		{"near=48.85", "near"},
		{"near=48.85,2.34", "radius"},
		{"radius=5", "radius"},
		{"near=48.85,2.34&radius=0", "radius"},
		{"near=95,2.34&radius=5", "near"},
		{"online=maybe", "online"},
		{"limit=0", "limit"},
		{"limit=1000", "limit"},
		{"after=garbage!", "after"},
		{"sort=date", "sort"},
		{"text=" + strings.Repeat("x", 201), "text"},
	} {
		w.do("GET", "/api/v1/events?"+tc.query, "", nil).apiErr(http.StatusUnprocessableEntity, "invalid", tc.field)
	}
}
