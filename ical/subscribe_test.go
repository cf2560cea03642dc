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

	"codeberg.org/convene/convene/ical"
)

func TestPublicAddr(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"127.0.0.1", "10.0.0.5", "172.16.1.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
		"100.64.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.2.1",
		"::", "::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "fe80::1", "fc00::1", "fd12::1", "ff02::1",
		"64:ff9b::a00:1", "2001:db8::1", "2002:a00:1::1", "2001::1"} {
		assert.False(t, ical.PublicAddr(netip.MustParseAddr(s)), s)
	}
	for _, s := range []string{"1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:1.1.1.1"} {
		assert.True(t, ical.PublicAddr(netip.MustParseAddr(s)), s)
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
		default:
			_, _ = w.Write([]byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"))
		}
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()

	// Loopback is refused at dial time: the server sees nothing.
	_, err := ical.Fetch(ctx, ical.NewClient(ical.ClientConfig{}), srv.URL+"/ok", "", "", 0)
	require.ErrorIs(t, err, ical.ErrBlockedAddress)
	assert.Zero(t, hits.Load(), "no connection made")
	for _, u := range []string{"file:///etc/passwd", "ftp://x/", "gopher://127.0.0.1/"} {
		_, err := ical.Fetch(ctx, ical.NewClient(ical.ClientConfig{}), u, "", "", 0)
		require.ErrorIs(t, err, ical.ErrBlockedAddress, u)
	}

	open := ical.NewClient(ical.ClientConfig{AllowPrivate: true, Timeout: 300 * time.Millisecond})
	got, err := ical.Fetch(ctx, open, srv.URL+"/ok", "", "", 0)
	require.NoError(t, err)
	assert.Contains(t, string(got.Body), "VCALENDAR")
	_, err = ical.Fetch(ctx, open, srv.URL+"/big", "", "", 1000)
	require.ErrorIs(t, err, ical.ErrTooLarge)
	_, err = ical.Fetch(ctx, open, srv.URL+"/slow", "", "", 0)
	require.Error(t, err, "time limit")
	_, err = ical.Fetch(ctx, open, srv.URL+"/loop", "", "", 0)
	require.ErrorContains(t, err, "redirects")
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
		Client: ical.NewClient(ical.ClientConfig{AllowPrivate: true}), Now: w.clock.Now})
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
	w.clock.Add(ical.DefaultSubscriptionInterval)
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
	require.ErrorIs(t, err, ical.ErrBlockedAddress)
	rep, err := im.ImportURL(w.ctx, ical.NewClient(ical.ClientConfig{AllowPrivate: true}), ical.Target{ActorID: alice}, srv.URL, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Count(ical.Created))
}
