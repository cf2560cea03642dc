package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/examples/server/api"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// Example signs in and creates an event through the API.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-api-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	now := func() time.Time { return t0 }
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "https://events.example", Now: now,
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}, // tests only
		GenerateKey: fixedKey})
	if err != nil {
		panic(err)
	}
	acct, _, _ := inst.Identity.Register(ctx, identity.RegisterInput{Email: "alice@mail.example",
		Password: "correct horse battery staple", Username: "alice"})
	_, _ = inst.Identity.ConfirmAccount(ctx, acct.ID)

	h, err := api.New(api.Config{Instance: inst, Now: now})
	if err != nil {
		panic(err)
	}
	call := func(method, path, token, body string) map[string]any {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		fmt.Println(method, strings.Split(path, "/")[3], rec.Code)
		return out
	}

	login := call("POST", "/api/v1/sessions", "", `{"email":"alice@mail.example","password":"correct horse battery staple"}`)
	token := login["token"].(string)
	ev := call("POST", "/api/v1/events", token, `{"title":"Picnic","begins_on":"2026-04-01T12:00:00+02:00","timezone":"Europe/Paris"}`)
	fmt.Println(ev["title"], ev["begins_on"], ev["organizer"].(map[string]any)["handle"])
	call("GET", "/api/v1/events/"+ev["id"].(string), "", "")
	call("DELETE", "/api/v1/sessions", token, "")
	call("GET", "/api/v1/me", token, "")
	// Output:
	// POST sessions 201
	// POST events 201
	// Picnic 2026-04-01T10:00:00Z @alice@events.example
	// GET events 200
	// DELETE sessions 204
	// GET me 401
}
