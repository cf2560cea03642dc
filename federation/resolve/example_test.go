package resolve_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"codeberg.org/convene/convene/federation/resolve"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// A remote instance on loopback serves WebFinger and Alice's actor
// document; the Resolver finds her by handle, checks the loop-back,
// caches her, and resolves the key her signatures name.
func Example() {
	ctx := context.Background()

	// The remote instance.
	pemBytes, _ := os.ReadFile(filepath.Join("..", "httpsig", "testdata", "rsa1.pem"))
	priv, _ := identity.ParsePrivateKeyPEM(string(pemBytes))
	der, _ := x509.MarshalPKIXPublicKey(priv.Public())
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	var fetches atomic.Int32
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	alice := srv.URL + "/users/alice"
	mux.HandleFunc("GET /.well-known/webfinger", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("resource") != "acct:alice@"+host {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		_ = json.NewEncoder(w).Encode(map[string]any{"subject": "acct:alice@" + host,
			"links": []map[string]string{{"rel": "self", "type": "application/activity+json", "href": alice}}})
	})
	mux.HandleFunc("GET /users/alice", func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		doc, _ := wire.Marshal(wire.PersonView{Actor: identity.Actor{APID: alice, Username: "alice",
			DisplayName: "Alice", Inbox: alice + "/inbox", PublicKeyID: alice + "#main-key", PublicKeyPEM: pub}})
		w.Header().Set("Content-Type", "application/activity+json")
		_, _ = w.Write(doc)
	})

	// This instance.
	dir, _ := os.MkdirTemp("", "resolve-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	ids, _ := identity.New(identity.Config{Store: db, BaseURL: "https://events.example"})
	client, _ := safehttp.New(safehttp.Config{AllowPrivate: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	parser, _ := wire.NewParser(wire.Config{})
	r, err := resolve.New(resolve.Config{BaseURL: "https://events.example", Fetcher: client, Actors: ids,
		Parser: parser, Scheme: "http"}) // http: the peer is on loopback
	if err != nil {
		fmt.Println(err)
		return
	}

	a, err := r.ResolveHandle(ctx, "@alice@"+host)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Username, a.DisplayName, a.APID == alice)

	key, err := r.ResolveKey(ctx, alice+"#main-key", false)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("key owner is alice:", key.Owner == alice, "fetched now:", key.Fresh)
	fmt.Println("actor fetches:", fetches.Load())
	// Output:
	// alice Alice true
	// key owner is alice: true fetched now: false
	// actor fetches: 1
}
