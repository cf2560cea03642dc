package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseConfig(t *testing.T) {
	t.Parallel()
	env := map[string]string{"CONVENE_LISTEN": "127.0.0.1:9000", "CONVENE_DATA_DIR": "/tmp/x"}
	c, err := parseConfig(nil, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9000", c.listen)
	assert.Equal(t, "http://127.0.0.1:9000", c.baseURL, "the base URL follows the listen address")
	assert.Equal(t, "/tmp/x", c.dataDir)

	c, err = parseConfig([]string{"-listen", "0.0.0.0:80", "-base-url", "https://events.example/"}, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:80", c.listen, "flags win over the environment")
	assert.Equal(t, "https://events.example", c.baseURL)

	_, err = parseConfig([]string{"-nope"}, func(string) string { return "" })
	require.Error(t, err)

	// Federation settings.
	env = map[string]string{"CONVENE_ALLOW_PRIVATE_ADDRESSES": "127.0.0.0/8, 10.1.2.3/16", "CONVENE_DELIVERY_LEASE": "4s"}
	c, err = parseConfig([]string{"-delivery-timeout", "2s"}, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, 2*time.Second, c.deliveryTimeout)
	assert.Equal(t, 4*time.Second, c.deliveryLease)
	prefixes, err := c.privatePrefixes()
	require.NoError(t, err)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("10.1.0.0/16")}, prefixes)
	for _, bad := range []map[string]string{{"CONVENE_DELIVERY_LEASE": "soon"}, {"CONVENE_DELIVERY_TIMEOUT": "-"}} {
		_, err = parseConfig(nil, func(k string) string { return bad[k] })
		require.Error(t, err, "%v", bad)
	}
	_, err = parseConfig([]string{"-registrations", "sometimes"}, func(string) string { return "" })
	require.Error(t, err)
	c, err = parseConfig(nil, func(k string) string { return map[string]string{"CONVENE_REGISTRATIONS": "approval"}[k] })
	require.NoError(t, err)
	assert.Equal(t, "approval", c.registrations)
	c, err = parseConfig([]string{"-allow-private-addresses", "localhost"}, func(string) string { return "" })
	require.NoError(t, err)
	_, err = c.privatePrefixes()
	require.Error(t, err)
}

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestRun starts the server as `go run ./examples/server` does, with
// SQLite in a fresh data directory, and stops it.
func TestRun(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())

	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", addr, "-data-dir", dir, "-log-level", "warn"}, func(string) string { return "" }, &out)
	}()

	var resp *http.Response
	require.Eventually(t, func() bool {
		resp, err = http.Get("http://" + addr + "/healthz")
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "ok\n", string(body))

	resp, err = http.Get("http://" + addr + "/")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Upcoming events", "the explore page")
	assert.Contains(t, out.String(), "http://"+addr)
	assert.FileExists(t, filepath.Join(dir, "convene.db"))

	resp, err = http.Get("http://" + addr + "/feed/instance.ics")
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/calendar; charset=utf-8", resp.Header.Get("Content-Type"))
	assert.True(t, strings.HasPrefix(string(body), "BEGIN:VCALENDAR\r\n"))

	resp, err = http.Get("http://" + addr + "/nothing-here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("the server did not stop")
	}
}

func TestRunRejectsBadSettings(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-log-level", "loud"},
		{"-database-url", "mysql://x", "-data-dir", t.TempDir()},
	} {
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard)
		require.Error(t, err, strings.Join(args, " "))
	}
}

func TestPrintVersion(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	require.NoError(t, printVersion(context.Background(), nil, nil, &out))
	assert.Contains(t, out.String(), "convene ")
	assert.Contains(t, out.String(), "go 1.")
}
