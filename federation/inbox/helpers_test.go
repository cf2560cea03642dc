package inbox_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/inbox/inboxtest"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

const (
	base   = "https://local.example"
	victim = "https://victim.example/users/a"
	other  = "https://victim.example/users/b" // another actor on victim's host
	group  = "https://victim.example/groups/g"
	evil   = "https://evil.example/users/e"
	// remoteEventID is other's stored event.
	remoteEventID = "https://victim.example/events/other"
)

// epoch is the fixed time of every test.
var epoch = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

// Pre-generated keys: RSA generation is slow under -race.
func privateKey(t testing.TB, name string) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "httpsig", "testdata", name+".pem"))
	require.NoError(t, err)
	k, err := identity.ParsePrivateKeyPEM(string(b))
	require.NoError(t, err)
	return k
}

func publicPEM(t testing.TB, k crypto.Signer) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// fakeKeys is a KeyResolver over a map; it counts its calls (a call is
// a key fetch for a real resolver).
type fakeKeys struct {
	mu    sync.Mutex
	keys  map[string]httpsig.Key
	calls int
}

func (f *fakeKeys) ResolveKey(_ context.Context, keyID string, _ bool) (httpsig.Key, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	k, ok := f.keys[keyID]
	if !ok {
		return httpsig.Key{}, errors.New("fake: unknown key")
	}
	return k, nil
}

func (f *fakeKeys) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeFetcher serves documents by URL, as their origin would.
type fakeFetcher struct {
	mu    sync.Mutex
	docs  map[string][]byte
	calls []string
}

func (f *fakeFetcher) FetchAS(_ context.Context, u string) (*safehttp.Document, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, u)
	b, ok := f.docs[u]
	if !ok {
		return nil, &safehttp.StatusError{StatusCode: http.StatusNotFound, URL: u}
	}
	return &safehttp.Document{Body: b, URL: u, ID: u, ContentType: "application/activity+json"}, nil
}

func (f *fakeFetcher) serve(u string, doc map[string]any) {
	b, _ := json.Marshal(doc)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.docs[u] = b
}

func (f *fakeFetcher) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// actorResolver resolves IRIs to actors already stored (the test
// stores the remote actors it uses).
type actorResolver struct {
	id        *identity.Service
	refreshed *[]string // the IRIs RefreshActor was asked for
}

func (r actorResolver) ResolveActor(ctx context.Context, iri string) (*identity.Actor, error) {
	return r.id.GetActorByAPID(ctx, iri)
}

func (r actorResolver) RefreshActor(ctx context.Context, iri string) (*identity.Actor, error) {
	*r.refreshed = append(*r.refreshed, iri)
	return r.id.GetActorByAPID(ctx, iri)
}

type env struct {
	t       testing.TB
	db      *sqlite.DB
	id      *identity.Service
	ev      *events.Service
	gr      *groups.Service
	mod     *moderation.Service
	keys    *fakeKeys
	fetch   *fakeFetcher
	seen    *inboxtest.Seen
	tombs   *inboxtest.Tombstones
	policy  *inboxtest.Policy
	h       *inbox.Handler
	signers map[string]*httpsig.Signer // by actor IRI

	mu           sync.Mutex
	dispatched   []*inbox.Activity
	follows      []identity.FollowChange // remote follows accepted: the Accepts to send
	refusedJoins []inbox.GroupJoinAnswer
	relayed      []inbox.GroupRelay
	refreshed    []string
	joins        []inbox.JoinAnswer

	conv       *conversations.Service
	log        syncBuffer      // what Services logged
	alice, org *identity.Actor // local
	event      *events.Event   // local, organized by org, capacity 1
	remote     map[string]*identity.Actor
}

// storedState makes newEnv keep seen ids, tombstones and the domain
// policy in the SQLite database, as an instance does, instead of the
// in-memory fakes whose counts the tests read.
type storedState bool

func newEnv(t testing.TB, opts ...storedState) *env {
	t.Helper()
	ctx := context.Background()
	now := func() time.Time { return epoch }
	k1, k2 := privateKey(t, "rsa1"), privateKey(t, "rsa2")
	db := sqlitetest.Open(t)
	e := &env{t: t, db: db}
	id, err := identity.New(identity.Config{Store: db, BaseURL: base, Now: now, Hook: followRecorder{e},
		GenerateKey: func() (*rsa.PrivateKey, error) { return k1.(*rsa.PrivateKey), nil }})
	require.NoError(t, err)
	ev, err := events.New(events.Config{Store: db, BaseURL: base, Now: now})
	require.NoError(t, err)
	e.id, e.ev = id, ev
	e.keys = &fakeKeys{keys: map[string]httpsig.Key{}}
	e.fetch = &fakeFetcher{docs: map[string][]byte{}}
	e.seen, e.tombs, e.policy = inboxtest.NewSeen(), inboxtest.NewTombstones(), inboxtest.NewPolicy()
	e.signers, e.remote = map[string]*httpsig.Signer{}, map[string]*identity.Actor{}
	e.alice = e.localActor("alice", false)
	e.org = e.localActor("org", false)
	e.event, err = ev.Create(ctx, e.org.ID, events.Input{Title: "Picnic", BeginsAt: epoch.Add(48 * time.Hour), Capacity: 1})
	require.NoError(t, err)
	for iri, k := range map[string]crypto.Signer{victim: k1, other: k2, group: k2, evil: k2} {
		e.addRemote(iri, k)
	}
	// A remote event of other's, as ingestion stores it.
	require.NoError(t, db.CreateEvent(ctx, &events.Event{ID: "remote-1", APID: remoteEventID, OrganizerID: e.remote[other].ID,
		CreatorID: e.remote[other].ID, Title: "Original", BeginsAt: epoch.Add(72 * time.Hour), Status: events.Confirmed,
		Visibility: events.Public, JoinMode: events.JoinFree, CreatedAt: epoch, UpdatedAt: epoch, PublishedAt: epoch}))

	gr, err := groups.New(groups.Config{Store: db, Actors: id, BaseURL: base, Now: now})
	require.NoError(t, err)
	e.gr = gr
	parser, err := wire.NewParser(wire.Config{})
	require.NoError(t, err)
	e.mod, err = moderation.New(moderation.Config{Store: db, Identity: id, Now: now})
	require.NoError(t, err)
	e.conv, err = conversations.New(conversations.Config{Store: db, BaseURL: base, Now: now})
	require.NoError(t, err)
	svc, err := inbox.NewServices(inbox.ServicesConfig{Identity: id, Actors: actorResolver{id: id, refreshed: &e.refreshed}, Events: db, Participation: ev, RemoteEvents: db, Now: now,
		Groups: gr, RemoteMembers: gr, Members: db, Content: gr, ContentStore: db, Fetcher: e.fetch, Parser: parser, Tombstones: e.tombs, Reports: e.mod,
		Conversations: e.conv, ConversationStore: db, Gone: goneActors{id, db},
		Log: slog.New(slog.NewTextHandler(&e.log, nil)),
		Answers: inbox.Answers{
			GroupRelay: func(_ context.Context, r inbox.GroupRelay) error {
				e.mu.Lock()
				defer e.mu.Unlock()
				e.relayed = append(e.relayed, r)
				return nil
			},
			GroupJoinRefused: func(_ context.Context, a inbox.GroupJoinAnswer) error {
				e.mu.Lock()
				defer e.mu.Unlock()
				e.refusedJoins = append(e.refusedJoins, a)
				return nil
			},
			Join: func(_ context.Context, a inbox.JoinAnswer) error {
				e.mu.Lock()
				defer e.mu.Unlock()
				e.joins = append(e.joins, a)
				return nil
			},
		}})
	require.NoError(t, err)
	v, err := httpsig.NewVerifier(httpsig.Config{Keys: e.keys, Now: now})
	require.NoError(t, err)
	hs := svc.Handlers()
	record := func(fn func(context.Context, *inbox.Activity) error) func(context.Context, *inbox.Activity) error {
		return func(ctx context.Context, a *inbox.Activity) error {
			if fn != nil {
				if err := fn(ctx, a); err != nil {
					return err
				}
			}
			e.mu.Lock()
			e.dispatched = append(e.dispatched, a)
			e.mu.Unlock()
			return nil
		}
	}
	var (
		policy inbox.Policy     = e.policy
		seen   inbox.Seen       = e.seen
		tombs  inbox.Tombstones = e.tombs
	)
	if len(opts) > 0 && bool(opts[0]) {
		policy, seen, tombs = inbox.NewPolicyCache(db, now), db, db
	}
	e.h, err = inbox.New(inbox.Config{BaseURL: base, Verifier: v, Fetcher: e.fetch, Parser: parser, Policy: policy,
		Seen: seen, Tombstones: tombs, Owners: svc, Suspended: id, Now: now,
		Handlers: inbox.Handlers{Follow: record(hs.Follow), Accept: record(hs.Accept), Reject: record(hs.Reject),
			Undo: record(hs.Undo), Join: record(hs.Join), Leave: record(hs.Leave), Create: record(hs.Create),
			Update: record(hs.Update), Delete: record(hs.Delete), Other: record(hs.Other)}})
	require.NoError(t, err)
	return e
}

func (e *env) localActor(username string, manual bool) *identity.Actor {
	e.t.Helper()
	ctx := context.Background()
	a, err := e.id.NewLocalActor(ctx, identity.TypePerson, username, username)
	require.NoError(e.t, err)
	a.ManuallyApprovesFollowers = manual
	require.NoError(e.t, e.db.CreateActor(ctx, a))
	return a
}

// addRemote stores a remote actor, makes its key resolvable and gives it
// a signer.
func (e *env) addRemote(iri string, k crypto.Signer) {
	e.t.Helper()
	typ := identity.TypePerson
	if iri == group {
		typ = identity.TypeGroup
	}
	a, err := e.id.PutRemoteActor(context.Background(), &identity.Actor{APID: iri, Type: typ, Username: filepath.Base(iri),
		Inbox: iri + "/inbox", PublicKeyID: iri + "#main-key", PublicKeyPEM: publicPEM(e.t, k)})
	require.NoError(e.t, err)
	e.remote[iri] = a
	e.keys.keys[iri+"#main-key"] = httpsig.Key{PublicKey: k.Public(), Owner: iri}
	e.signers[iri] = e.signer(iri+"#main-key", k, epoch)
}

func (e *env) signer(keyID string, k crypto.Signer, at time.Time) *httpsig.Signer {
	e.t.Helper()
	s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: keyID, Key: k, Now: func() time.Time { return at }})
	require.NoError(e.t, err)
	return s
}

// request builds an inbound POST of body to the shared inbox, signed by
// s (nil: unsigned).
func (e *env) request(s *httpsig.Signer, body []byte) *http.Request {
	e.t.Helper()
	out, err := http.NewRequest(http.MethodPost, base+"/inbox", bytes.NewReader(body))
	require.NoError(e.t, err)
	out.Header.Set("Content-Type", "application/activity+json")
	if s != nil {
		require.NoError(e.t, s.Sign(out, body, httpsig.Cavage))
	}
	r := httptest.NewRequest(http.MethodPost, "/inbox", bytes.NewReader(body))
	r.Host = "local.example"
	for k, v := range out.Header {
		if k != "Host" {
			r.Header[k] = append([]string(nil), v...)
		}
	}
	return r
}

func (e *env) serve(r *http.Request) int {
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w.Code
}

// post signs body as the actor's key and posts it.
func (e *env) post(signedBy string, doc map[string]any) int {
	e.t.Helper()
	return e.serve(e.request(e.signers[signedBy], mustJSON(e.t, doc)))
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

// state is everything a refused activity must leave unchanged.
type state struct {
	Seen, Tombstones, Dispatched, FollowAnswers, JoinAnswers int
	AliceFollowers, Participants                             int
	RemoteTitle                                              string
}

func (e *env) state() state {
	e.t.Helper()
	ctx := context.Background()
	e.mu.Lock()
	s := state{Seen: e.seen.Len(), Tombstones: e.tombs.Len(), Dispatched: len(e.dispatched),
		FollowAnswers: len(e.follows), JoinAnswers: len(e.joins)}
	e.mu.Unlock()
	for _, st := range []identity.FollowState{identity.FollowAccepted, identity.FollowPending, identity.FollowRejected} {
		l, err := e.db.ListFollowers(ctx, e.alice.ID, st, storage.Cursor{}, 100)
		require.NoError(e.t, err)
		s.AliceFollowers += len(l)
	}
	n, err := e.db.CountParticipants(ctx, e.event.ID, nil)
	require.NoError(e.t, err)
	s.Participants = n
	if ev, err := e.db.GetEventByAPID(ctx, remoteEventID); err == nil {
		s.RemoteTitle = ev.Title
	}
	return s
}

func (e *env) dispatchedTypes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, a := range e.dispatched {
		out = append(out, a.Type)
	}
	return out
}

func follow(id, actor, object string) map[string]any {
	return map[string]any{"@context": wire.ActivityStreamsNS, "type": "Follow", "id": id, "actor": actor, "object": object}
}

// remoteEvent is an Event document as its origin serves it.
func remoteEvent(id, attributedTo, title string) map[string]any {
	return map[string]any{"type": "Event", "id": id, "attributedTo": attributedTo, "name": title,
		"startTime": "2026-12-01T18:00:00Z", "to": []string{wire.PublicIRI}}
}

func activity(typ, id, actor string, object any) map[string]any {
	return map[string]any{"@context": wire.ActivityStreamsNS, "type": typ, "id": id, "actor": actor, "object": object,
		"to": []string{wire.PublicIRI}}
}

// followRecorder is the identity hook of the tests: it records the
// follows by remote actors that became (or stay) accepted, which is when
// federation/outbox sends an Accept.
type followRecorder struct{ e *env }

func (r followRecorder) FollowChanged(_ context.Context, _ storage.Tx, c identity.FollowChange) error {
	if c.Follower.Local || c.Removed || c.Follow.State != identity.FollowAccepted {
		return nil
	}
	if !c.Request && c.Previous == identity.FollowAccepted {
		return nil
	}
	r.e.mu.Lock()
	defer r.e.mu.Unlock()
	r.e.follows = append(r.e.follows, c)
	return nil
}

// goneActors is ServicesConfig.Gone over the identity service and the
// store, as convene wires it.
type goneActors struct {
	id *identity.Service
	db *sqlite.DB
}

func (g goneActors) RemoteActorGone(ctx context.Context, apID string) error {
	return g.id.RemoteActorGone(ctx, apID)
}

func (g goneActors) ListParticipations(ctx context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	return g.db.ListParticipations(ctx, actorID, roles, after, limit)
}

func (g goneActors) ListMemberships(ctx context.Context, actorID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	return g.db.ListMemberships(ctx, actorID, roles, after, limit)
}

// syncBuffer is a bytes.Buffer safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
