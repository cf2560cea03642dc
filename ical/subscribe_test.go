package ical_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/ical"
)

// loopbackClient is a safehttp client that may reach the httptest
// servers on loopback, as the tests need.
func loopbackClient(t testing.TB, cfg safehttp.Config) *safehttp.Client {
	t.Helper()
	cfg.AllowPrivate = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	c, err := safehttp.New(cfg)
	require.NoError(t, err)
	return c
}

// The default client refuses every address that is not public before
// connecting, so these need no network.
func TestFetchRefusesNonPublicAddresses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, s := range []string{"127.0.0.1", "10.0.0.5", "172.16.1.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
		"100.64.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.1",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
		"64:ff9b::a00:1", "2001:db8::1", "2002:a00:1::1", "2001::1"} {
		u := "http://" + netip.AddrPortFrom(netip.MustParseAddr(s), 80).String() + "/cal.ics"
		_, err := ical.Fetch(ctx, nil, u, "", "", 0)
		require.ErrorIs(t, err, safehttp.ErrForbiddenAddress, s)
	}
}

func TestClientLimits(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 2000)))
		case "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		default:
			_, _ = w.Write([]byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
		}
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()

	// Loopback is refused at dial time: the server sees nothing.
	def, err := safehttp.New(safehttp.Config{})
	require.NoError(t, err)
	for _, c := range []ical.Doer{nil, def} {
		_, err := ical.Fetch(ctx, c, srv.URL+"/ok", "", "", 0)
		require.ErrorIs(t, err, safehttp.ErrForbiddenAddress)
	}
	assert.Zero(t, hits.Load(), "no connection made")
	for _, u := range []string{"file:///etc/passwd", "ftp://x/", "gopher://127.0.0.1/"} {
		_, err := ical.Fetch(ctx, nil, u, "", "", 0)
		require.ErrorIs(t, err, safehttp.ErrBadURL, u)
	}

	open := loopbackClient(t, safehttp.Config{Timeout: 300 * time.Millisecond})
	got, err := ical.Fetch(ctx, open, srv.URL+"/ok", "", "", 0)
	require.NoError(t, err)
	assert.Contains(t, string(got.Body), "VCALENDAR")
	_, err = ical.Fetch(ctx, open, srv.URL+"/big", "", "", 1000)
	require.ErrorIs(t, err, ical.ErrTooLarge, "Fetch's limit")
	small := loopbackClient(t, safehttp.Config{MaxBodyBytes: 1000})
	_, err = ical.Fetch(ctx, small, srv.URL+"/big", "", "", 0)
	require.ErrorIs(t, err, ical.ErrTooLarge, "the client's limit")
	require.ErrorIs(t, err, safehttp.ErrTooLarge)
	_, err = ical.Fetch(ctx, open, srv.URL+"/slow", "", "", 0)
	require.Error(t, err, "time limit")
	_, err = ical.Fetch(ctx, open, srv.URL+"/loop", "", "", 0)
	require.ErrorIs(t, err, safehttp.ErrTooManyRedirects)
	// A redirect to a private address is refused even though the first
	// hop was allowed.
	_, err = ical.Fetch(ctx, open, srv.URL+"/metadata", "", "", 0)
	require.ErrorIs(t, err, safehttp.ErrForbiddenAddress)
}

// memSubs is an in-memory SubscriptionStore.
type memSubs struct {
	mu   sync.Mutex
	subs map[string]ical.Subscription
}

func (m *memSubs) DueSubscriptions(_ context.Context, now time.Time, limit int) ([]ical.Subscription, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []ical.Subscription
	for _, s := range m.subs {
		if !s.NextAt.After(now) && len(out) < limit {
			out = append(out, s)
		}
	}
	return out, nil
}

func (m *memSubs) SaveSubscription(_ context.Context, s *ical.Subscription) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.subs[s.ID] = *s
	return nil
}

func TestSubscriptionRefresh(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, alice := w.register("alice")
	var (
		mu      sync.Mutex
		content = meetup
		etag    = `"v1"`
		seenINM []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		seenINM = append(seenINM, r.Header.Get("If-None-Match"))
		if r.Header.Get("If-None-Match") == etag {
			rw.WriteHeader(http.StatusNotModified)
			return
		}
		rw.Header().Set("ETag", etag)
		rw.Header().Set("Content-Type", "text/calendar")
		_, _ = rw.Write([]byte(content))
	}))
	t.Cleanup(srv.Close)

	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: newMemUIDs()})
	require.NoError(t, err)
	subs := &memSubs{subs: map[string]ical.Subscription{
		"s1": {ID: "s1", Target: ical.Target{ActorID: alice}, URL: srv.URL + "/cal.ics"},
	}}
	sb, err := ical.NewSubscriber(ical.SubscriberConfig{Importer: im, Subscriptions: subs,
		Client: loopbackClient(t, safehttp.Config{}), Now: w.clock.Now})
	require.NoError(t, err)

	n, err := sb.RefreshDue(w.ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	s1 := subs.subs["s1"]
	assert.Equal(t, `"v1"`, s1.ETag)
	assert.Empty(t, s1.LastError)
	assert.Equal(t, t0.Add(ical.DefaultSubscriptionInterval), s1.NextAt)

	// Not due yet: nothing fetched.
	n, err = sb.RefreshDue(w.ctx)
	require.NoError(t, err)
	assert.Zero(t, n)

	// Due, unchanged: a 304, no import.
	w.clock.Advance(ical.DefaultSubscriptionInterval)
	rep, err := sb.Refresh(w.ctx, &s1)
	require.NoError(t, err)
	assert.Nil(t, rep, "304: nothing imported")

	// Changed upstream: updated.
	mu.Lock()
	content, etag = strings.Replace(meetup, "Go meetup\\, March", "Go meetup\\, April", 1), `"v2"`
	mu.Unlock()
	rep, err = sb.Refresh(w.ctx, &s1)
	require.NoError(t, err)
	require.NotNil(t, rep)
	assert.Equal(t, 1, rep.Count(ical.Updated))
	assert.Equal(t, 2, rep.Count(ical.Unchanged))
	assert.Equal(t, `"v2"`, subs.subs["s1"].ETag)
	mu.Lock()
	assert.Equal(t, []string{"", `"v1"`, `"v1"`}, seenINM)
	mu.Unlock()

	// A failure is recorded, and the subscription stays due later.
	bad := ical.Subscription{ID: "s2", Target: ical.Target{ActorID: alice}, URL: "http://127.0.0.1:1/x"}
	_, err = sb.Refresh(w.ctx, &bad)
	require.Error(t, err)
	assert.NotEmpty(t, subs.subs["s2"].LastError)
}

func TestImportURLRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	_, alice := w.register("alice")
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		_, _ = rw.Write([]byte(meetup))
	}))
	t.Cleanup(srv.Close)
	im, err := ical.NewImporter(ical.ImporterConfig{Events: w.inst.Events, UIDs: newMemUIDs()})
	require.NoError(t, err)
	_, err = im.ImportURL(w.ctx, nil, ical.Target{ActorID: alice}, srv.URL, nil)
	require.ErrorIs(t, err, safehttp.ErrForbiddenAddress)
	rep, err := im.ImportURL(w.ctx, loopbackClient(t, safehttp.Config{}), ical.Target{ActorID: alice}, srv.URL, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Count(ical.Created))
}
