package endpoints_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/wire"
)

func TestWebFinger(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	parser, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)

	ok := []struct {
		name, resource, subject, self string
	}{
		{"profile", "acct:alice@events.example", "acct:alice@events.example", base + "/@alice"},
		{"profile, any case", "acct:ALICE@Events.Example", "acct:alice@events.example", base + "/@alice"},
		{"profile without scheme", "alice@events.example", "acct:alice@events.example", base + "/@alice"},
		{"profile by actor id", base + "/@alice", "acct:alice@events.example", base + "/@alice"},
		{"group", "acct:climate@events.example", "acct:climate@events.example", base + "/@climate"},
		{"instance actor by acct", "acct:events.example@events.example", "acct:events.example@events.example", base + "/actor"},
		{"instance actor by origin (FEP-d556)", base + "/", "acct:events.example@events.example", base + "/actor"},
		{"instance actor by origin without slash", base, "acct:events.example@events.example", base + "/actor"},
		{"instance actor by id", base + "/actor", "acct:events.example@events.example", base + "/actor"},
	}
	for _, tc := range ok {
		t.Run(tc.name, func(t *testing.T) {
			rec := w.get("/.well-known/webfinger?resource="+url.QueryEscape(tc.resource), "", nil)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, endpoints.JRDContentType, rec.Header().Get("Content-Type"))
			assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
			j, err := parser.ParseJRD(rec.Body.Bytes())
			require.NoError(t, err)
			assert.Equal(t, tc.subject, j.Subject)
			assert.Contains(t, j.Aliases, tc.self)
			assert.Equal(t, tc.self, j.Link("self", wire.ContentType).Href)
			assert.NotEmpty(t, j.Link(endpoints.RelProfilePage, "text/html").Href)
			assert.Equal(t, base+"/interact?uri={uri}", j.Link(endpoints.RelSubscribe, "").Template)
		})
	}

	t.Run("rel filters links", func(t *testing.T) {
		rec := w.get("/.well-known/webfinger?rel=self&resource=acct:alice@events.example", "", nil)
		require.Equal(t, http.StatusOK, rec.Code)
		j, err := parser.ParseJRD(rec.Body.Bytes())
		require.NoError(t, err)
		require.Len(t, j.Links, 1)
		assert.Equal(t, "self", j.Links[0].Rel)
	})

	bad := []struct {
		name, query string
		status      int
	}{
		{"no resource", "", http.StatusBadRequest},
		{"empty resource", "resource=", http.StatusBadRequest},
		{"two resources", "resource=acct:alice@events.example&resource=acct:bob@events.example", http.StatusBadRequest},
		{"resource over 1 KB", "resource=acct:" + strings.Repeat("a", 1100) + "@events.example", http.StatusBadRequest},
		{"CRLF", "resource=" + url.QueryEscape("acct:alice@events.example\r\nX: y"), http.StatusBadRequest},
		{"acct without host", "resource=acct:alice", http.StatusBadRequest},
		{"acct without user", "resource=acct:@events.example", http.StatusBadRequest},
		{"acct with empty host", "resource=acct:alice@", http.StatusBadRequest},
		{"not a URI", "resource=alice", http.StatusBadRequest},
		{"unknown user", "resource=acct:unknown@events.example", http.StatusNotFound},
		{"other host", "resource=acct:alice@other.example", http.StatusNotFound},
		{"other host URL", "resource=" + url.QueryEscape("https://other.example/@alice"), http.StatusNotFound},
		{"unknown path", "resource=" + url.QueryEscape(base+"/events/x"), http.StatusNotFound},
		{"other scheme", "resource=mailto:alice@events.example", http.StatusNotFound},
		{"suspended profile", "resource=acct:mallory@events.example", http.StatusNotFound},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			rec := w.get("/.well-known/webfinger?"+tc.query, "", nil)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Equal(t, "*", rec.Header().Get("Access-Control-Allow-Origin"))
		})
	}
}

func TestHostMeta(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	rec := w.get("/.well-known/host-meta", "", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "application/xrd+xml; charset=utf-8", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Body.String(), `<Link rel="lrdd" type="application/jrd+json" template="https://events.example/.well-known/webfinger?resource={uri}"/>`)
}

func TestNodeInfo(t *testing.T) {
	t.Parallel()
	n := func(i int) *int { return &i }
	w := newWorld(t, func(c *endpoints.Config) {
		c.Software = endpoints.Software{Name: "convene", Version: "1.2.3", Repository: "https://codeberg.org/convene/convene"}
		c.OpenRegistrations = true
		c.NodeName = "Events Example"
		c.Usage = usage{u: endpoints.Usage{Users: n(4), ActiveMonth: n(2), ActiveHalfyear: n(3), LocalPosts: n(5)}}
	})
	parser, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)

	rec := w.get("/.well-known/nodeinfo", "", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	j, err := parser.ParseJRD(rec.Body.Bytes())
	require.NoError(t, err)
	assert.Equal(t, base+"/nodeinfo/2.0", j.Link(endpoints.RelNodeInfo20, "").Href)
	assert.Equal(t, base+"/nodeinfo/2.1", j.Link(endpoints.RelNodeInfo21, "").Href)
	assert.Equal(t, base+"/actor", j.Link(endpoints.RelApplication, "").Href, "FEP-2677")

	for _, v := range []string{"2.0", "2.1"} {
		t.Run(v, func(t *testing.T) {
			rec := w.get("/nodeinfo/"+v, "", nil)
			require.Equal(t, http.StatusOK, rec.Code)
			assert.Equal(t, `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/`+v+`#"`, rec.Header().Get("Content-Type"))
			m := decode(t, rec.Body.Bytes())
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			assert.ElementsMatch(t, []string{"version", "software", "protocols", "services", "openRegistrations", "usage", "metadata"}, keys,
				"the schema allows no other top-level property")
			ni, err := parser.ParseNodeInfo(rec.Body.Bytes())
			require.NoError(t, err)
			assert.Equal(t, v, ni.Version)
			assert.Equal(t, "convene", ni.Software.Name)
			assert.Equal(t, "1.2.3", ni.Software.Version)
			assert.Equal(t, []string{"activitypub"}, ni.Protocols)
			assert.True(t, ni.OpenRegistrations)
			assert.Equal(t, 4, ni.Usage.Users.Total)
			assert.Equal(t, 2, ni.Usage.Users.ActiveMonth)
			assert.Equal(t, 3, ni.Usage.Users.ActiveHalfyear)
			assert.Equal(t, 5, ni.Usage.LocalPosts)
			assert.Equal(t, "Events Example", ni.NodeName)
			sw := m["software"].(map[string]any)
			if v == "2.0" {
				assert.NotContains(t, sw, "repository", "2.0 has no repository")
			} else {
				assert.Equal(t, "https://codeberg.org/convene/convene", sw["repository"])
			}
			assert.Equal(t, map[string]any{"inbound": []any{}, "outbound": []any{}}, m["services"])
			assert.NotContains(t, m["usage"], "localComments", "unknown numbers are left out")
		})
	}

	assert.Equal(t, http.StatusNotFound, w.get("/nodeinfo/3.0", "", nil).Code)
}

func TestNodeInfoWithoutUsage(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	m := decode(t, w.get("/nodeinfo/2.1", "", nil).Body.Bytes())
	assert.Equal(t, map[string]any{"users": map[string]any{}}, m["usage"], "no usage source: no numbers, rather than false ones")
	assert.Equal(t, false, m["openRegistrations"])
	assert.Equal(t, map[string]any{"name": "convene", "version": "dev"}, m["software"])

	w = newWorld(t, func(c *endpoints.Config) { c.Usage = usage{err: errBoom} })
	assert.Equal(t, http.StatusInternalServerError, w.get("/nodeinfo/2.1", "", nil).Code)
}

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	good := endpoints.Config{BaseURL: base, Identity: w.inst.Identity, Groups: w.inst.Groups, Events: w.inst.Events, Store: w.store}
	_, err := endpoints.New(good)
	require.NoError(t, err)
	for name, edit := range map[string]func(*endpoints.Config){
		"no identity":   func(c *endpoints.Config) { c.Identity = nil },
		"no groups":     func(c *endpoints.Config) { c.Groups = nil },
		"no events":     func(c *endpoints.Config) { c.Events = nil },
		"no store":      func(c *endpoints.Config) { c.Store = nil },
		"no base URL":   func(c *endpoints.Config) { c.BaseURL = "" },
		"base URL path": func(c *endpoints.Config) { c.BaseURL = base + "/x" },
		"software name": func(c *endpoints.Config) { c.Software.Name = "Convene!" },
	} {
		cfg := good
		edit(&cfg)
		_, err := endpoints.New(cfg)
		assert.Error(t, err, name)
	}
}
