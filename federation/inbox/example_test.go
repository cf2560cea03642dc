package inbox_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"time"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/inbox/inboxtest"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// staticKeys resolves one remote key.
type staticKeys struct{ key httpsig.Key }

func (s staticKeys) ResolveKey(context.Context, string, bool) (httpsig.Key, error) { return s.key, nil }

// noFetch is a Fetcher for a network where nothing answers.
type noFetch struct{}

func (noFetch) FetchAS(_ context.Context, u string) (*safehttp.Document, error) {
	return nil, &safehttp.StatusError{StatusCode: http.StatusNotFound, URL: u}
}

// noOwners stores no objects.
type noOwners struct{}

func (noOwners) OwnerOf(context.Context, string) (string, error)               { return "", storage.ErrNotFound }
func (noOwners) ActsFor(context.Context, string, string, string) (bool, error) { return false, nil }

// A signed Follow reaches the Follow handler once; the replayed request
// is answered 202 and does nothing; a forged actor is refused.
func Example() {
	now := func() time.Time { return time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }
	pemText, err := os.ReadFile("../httpsig/testdata/rsa1.pem")
	if err != nil {
		panic(err)
	}
	key, err := identity.ParsePrivateKeyPEM(string(pemText))
	if err != nil {
		panic(err)
	}
	const alice = "https://remote.example/users/alice"
	verifier, _ := httpsig.NewVerifier(httpsig.Config{Now: now,
		Keys: staticKeys{httpsig.Key{PublicKey: key.Public(), Owner: alice}}})
	parser, _ := wire.NewParser(wire.Config{})
	h, err := inbox.New(inbox.Config{
		BaseURL: "https://events.example", Verifier: verifier, Fetcher: noFetch{}, Parser: parser,
		Policy: inboxtest.NewPolicy(), Seen: inboxtest.NewSeen(), Tombstones: inboxtest.NewTombstones(),
		Owners: noOwners{}, Now: now,
		Handlers: inbox.Handlers{Follow: func(_ context.Context, a *inbox.Activity) error {
			fmt.Println("follow of", a.ObjectIRI, "by", a.Actor)
			return nil
		}},
	})
	if err != nil {
		panic(err)
	}
	signer, _ := httpsig.NewSigner(httpsig.SignerConfig{KeyID: alice + "#main-key", Key: key, Now: now})
	post := func(actor string) int {
		body := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","type":"Follow",` +
			`"id":"https://remote.example/follows/1","actor":"` + actor + `","object":"https://events.example/@bob"}`)
		out, _ := http.NewRequest(http.MethodPost, "https://events.example/inbox", bytes.NewReader(body))
		out.Header.Set("Content-Type", "application/activity+json")
		if err := signer.Sign(out, body, httpsig.Cavage); err != nil {
			panic(err)
		}
		in := httptest.NewRequest(http.MethodPost, "/inbox", bytes.NewReader(body))
		in.Host = out.Host
		for k, v := range out.Header {
			in.Header[k] = v
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, in)
		return w.Code
	}
	fmt.Println(post(alice))
	fmt.Println(post(alice))
	fmt.Println(post("https://remote.example/users/mallory"))
	// Output:
	// follow of https://events.example/@bob by https://remote.example/users/alice
	// 202
	// 202
	// 401
}
