package api_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzEventBody: whatever the body of POST /api/v1/events, the answer is
// a created event or a client error in the one error shape, never a
// server error.
func FuzzEventBody(f *testing.F) {
	f.Add(fullEvent)
	f.Add(`{"title":"x","begins_on":"2026-04-01T10:00:00Z"}`)
	f.Add(`{"title":null,"place":{"latitude":"x"}}`)
	f.Add(`{"exdates":["2026-04-01T10:00:00Z"],"recurrence":"FREQ=DAILY"}`)
	f.Add(`[1,2]`)
	f.Add(`{"a":`)
	w := newWorld(f)
	u := w.user("fuzz")
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/v1/events", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+u.token)
		rec := httptest.NewRecorder()
		w.api.ServeHTTP(rec, req)
		code, resBody := rec.Code, rec.Body.Bytes()
		if code == http.StatusCreated {
			return
		}
		if code < 400 || code >= 500 {
			t.Fatalf("status %d for %q: %s", code, body, resBody)
		}
		var e struct {
			Error struct{ Code, Message string }
		}
		if err := json.Unmarshal(resBody, &e); err != nil || e.Error.Code == "" || e.Error.Message == "" {
			t.Fatalf("not the error shape for %q: %s", body, resBody)
		}
	})
}
