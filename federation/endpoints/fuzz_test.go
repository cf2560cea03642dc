package endpoints_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzWebFinger: whatever the resource, WebFinger answers 200, 400 or
// 404 with the CORS header, never 500, and finds only local actors.
func FuzzWebFinger(f *testing.F) {
	w := newWorld(f)
	for _, s := range []string{"acct:alice@events.example", "acct:events.example@events.example", base + "/",
		base + "/@climate", "acct:@", "acct:a@b@events.example", "alice@events.example", "mailto:x", "\r\n", "https://[::1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, resource string) {
		r := httptest.NewRequest(http.MethodGet, base+"/.well-known/webfinger?resource="+url.QueryEscape(resource), nil)
		rec := httptest.NewRecorder()
		w.mux.ServeHTTP(rec, r)
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusNotFound:
		default:
			t.Fatalf("resource %q: status %d: %s", resource, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("resource %q: no CORS header", resource)
		}
	})
}
