package endpoints_test

import (
	"context"
	"crypto/rsa"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// Mount the endpoints on a ServeMux and fetch a profile as another
// server would: WebFinger first, then the actor document.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "endpoints-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	now := func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) }
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "https://events.example", Now: now,
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: func() (*rsa.PrivateKey, error) { return fixedKey() }})
	if err != nil {
		fmt.Println(err)
		return
	}
	if _, _, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: "alice@mail.example",
		Password: "correct horse battery", Username: "alice"}); err != nil {
		fmt.Println(err)
		return
	}

	ep, err := endpoints.New(endpoints.Config{BaseURL: "https://events.example",
		Identity: inst.Identity, Groups: inst.Groups, Events: inst.Events, Store: db, Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	// NewMux mounts every endpoint; with routes of your own on the same
	// patterns, mount the handlers one by one:
	//
	//	mux.Handle("GET /{actor}", ep.Actors) // checks the '@' itself
	mux := endpoints.NewMux(ep)

	get := func(path, accept string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodGet, "https://events.example"+path, nil)
		r.Header.Set("Accept", accept)
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		return rec
	}
	rec := get("/.well-known/webfinger?resource=acct:alice@events.example", "")
	p, _ := wire.NewParser(wire.Config{})
	jrd, _ := p.ParseJRD(rec.Body.Bytes())
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"), jrd.Subject)
	self := jrd.Link("self", wire.ContentType).Href
	fmt.Println("self:", self)

	rec = get("/@alice", wire.ContentType)
	actor, _ := p.ParseActor(rec.Body.Bytes())
	fmt.Println(rec.Code, actor.Actor.Type, actor.Actor.APID == self)
	fmt.Println(get("/@alice", "text/html").Code, "(no HTML handler configured)")
	// Output:
	// 200 application/jrd+json acct:alice@events.example
	// self: https://events.example/@alice
	// 200 Person true
	// 406 (no HTML handler configured)
}
