package delivery_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/delivery/deliverytest"
	"codeberg.org/convene/convene/federation/httpsig"
)

// The fan-out of a public event to its organizer's followers: two on one
// server with a shared inbox, one on a server without, one of ours.
func ExampleInboxes() {
	followers := []delivery.Recipient{
		{ID: "https://mastodon.example/users/ana", Inbox: "https://mastodon.example/users/ana/inbox", SharedInbox: "https://mastodon.example/inbox"},
		{ID: "https://mastodon.example/users/ben", Inbox: "https://mastodon.example/users/ben/inbox", SharedInbox: "https://mastodon.example/inbox"},
		{ID: "https://small.example/chloe", Inbox: "https://small.example/chloe/inbox"},
	}
	addr := delivery.Addressing{
		To: []string{"https://www.w3.org/ns/activitystreams#Public"},
		// The followers collection, expanded by the caller.
		CC: []string{followers[0].ID, followers[1].ID, followers[2].ID, "https://events.example/@local-fan"},
	}
	inboxes, unresolved := delivery.Inboxes(addr, followers, []string{"events.example"})
	fmt.Println(strings.Join(inboxes, "\n"))
	fmt.Println("unresolved:", len(unresolved))
	// Output:
	// https://mastodon.example/inbox
	// https://small.example/chloe/inbox
	// unresolved: 0
}

// A worker delivering an activity enqueued by a domain change. The
// network here is a fake that records the signed POSTs.
func ExampleWorker() {
	ctx := context.Background()
	now := func() time.Time { return time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC) }
	queue := &deliverytest.Memory{} // storage/sqlite or storage/postgres in an instance

	// Inside the domain change's transaction: storage.As[delivery.Queue](tx).
	create := delivery.Activity{
		ID:      "https://events.example/activities/1",
		ActorID: "https://events.example/@repair-cafe",
		Body:    []byte(`{"id":"https://events.example/activities/1","type":"Create"}`),
	}
	if err := queue.Enqueue(ctx, now(), create, []string{"https://mastodon.example/inbox", "https://small.example/chloe/inbox"}); err != nil {
		panic(err)
	}

	_, key, _ := ed25519.GenerateKey(nil) // an instance uses the actor's stored RSA key
	signer, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: create.ActorID + "#main-key", Key: key, Now: now})
	if err != nil {
		panic(err)
	}
	var mu sync.Mutex
	var got []string
	inbox := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, fmt.Sprintf("%s %s %s signed=%t", r.Method, r.URL, r.Header.Get("Content-Type"), r.Header.Get("Signature") != ""))
		return &http.Response{StatusCode: http.StatusAccepted, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}}, nil
	})
	w, err := delivery.NewWorker(delivery.Config{
		Queue:   queue,
		Client:  &http.Client{Transport: inbox}, // a federation/safehttp Client in an instance
		Signers: delivery.SignersFunc(func(context.Context, string) (*httpsig.Signer, error) { return signer, nil }),
		Now:     now,
	})
	if err != nil {
		panic(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- w.Run(runCtx) }() // the embedder owns the goroutine
	w.Notify()                            // after the transaction committed

	for {
		if queued, _ := queue.Counts(); queued == 0 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		panic(err)
	}
	slices.Sort(got)
	fmt.Println(strings.Join(got, "\n"))
	// Output:
	// POST https://mastodon.example/inbox application/activity+json signed=true
	// POST https://small.example/chloe/inbox application/activity+json signed=true
}
