package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFederationEndpoints starts the server on a fresh data directory
// with one account and fetches its WebFinger and actor documents over
// real HTTP, as a peer would.
func TestFederationEndpoints(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	base := "http://" + addr
	dir := t.TempDir()
	flags := []string{"-listen", addr, "-data-dir", dir}

	var out bytes.Buffer
	require.NoError(t, admin(context.Background(), append([]string{"admin", "create-account", "--email", "ann@example.org",
		"--password", "a long enough password", "--username", "ann"}, flags...), func(string) string { return "" }, &out))

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append(flags, "-log-level", "warn"), func(string) string { return "" }, io.Discard)
	}()
	defer func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(15 * time.Second):
			t.Fatal("the server did not stop")
		}
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	}, 10*time.Second, 20*time.Millisecond)

	get := func(path, accept string) (*http.Response, map[string]any) {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		require.NoError(t, err)
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		var m map[string]any
		if resp.StatusCode == http.StatusOK && strings.Contains(resp.Header.Get("Content-Type"), "json") {
			require.NoError(t, json.Unmarshal(body, &m), string(body))
		}
		return resp, m
	}

	resp, jrd := get("/.well-known/webfinger?resource=acct:ann@"+addr, "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/jrd+json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "*", resp.Header.Get("Access-Control-Allow-Origin"))
	assert.Equal(t, "acct:ann@"+addr, jrd["subject"])
	var self string
	for _, l := range jrd["links"].([]any) {
		if l := l.(map[string]any); l["rel"] == "self" {
			self, _ = l["href"].(string)
		}
	}
	require.Equal(t, base+"/@ann", self)

	resp, actor := get("/@ann", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/activity+json", resp.Header.Get("Content-Type"))
	assert.Equal(t, "Person", actor["type"])
	assert.Equal(t, self, actor["id"])
	assert.Contains(t, actor["publicKey"].(map[string]any)["publicKeyPem"], "BEGIN PUBLIC KEY")

	resp, coll := get("/@ann/outbox", "application/activity+json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "OrderedCollection", coll["type"])

	resp, app := get("/actor", "application/activity+json")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "Application", app["type"])

	resp, ni := get("/nodeinfo/2.1", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "2.1", ni["version"])

	resp, _ = get("/@ann/feed.ics", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the iCalendar feeds still answer")

	// A browser gets the web UI's page of the same URL.
	req, err := http.NewRequest(http.MethodGet, base+"/@ann", nil)
	require.NoError(t, err)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8")
	page, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	html, _ := io.ReadAll(page.Body)
	page.Body.Close()
	assert.Equal(t, http.StatusOK, page.StatusCode)
	assert.Contains(t, page.Header.Get("Content-Type"), "text/html")
	assert.Contains(t, string(html), "ann")
	resp, _ = get("/@nobody", "application/activity+json")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
}
