package convene

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/resolve"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/usage"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// SeenRetention is how long the inbox remembers the ids of the
// activities it received. A signature is accepted for at most
// httpsig.MaxExpiry plus httpsig.MaxClockSkew, so a replay older than
// this fails its signature check anyway.
const SeenRetention = 48 * time.Hour

// FederationConfig turns ActivityPub on. The zero value federates over
// the public internet with the defaults of each package.
type FederationConfig struct {
	// AllowPrivate lists address ranges that federation may reach
	// although they are not public, such as 127.0.0.0/8 for two
	// instances on one machine. Empty refuses every private address
	// (the SSRF defence of federation/safehttp).
	AllowPrivate []netip.Prefix
	// Transport, when set, carries every outbound request instead of the
	// network: the in-process test network (federation/fedtest) uses
	// it. The URL checks of safehttp still apply; the address checks,
	// which happen when dialling, do not.
	Transport http.RoundTripper
	// Software, OpenRegistrations and Description are what NodeInfo
	// says of the instance.
	Software          endpoints.Software
	OpenRegistrations bool
	Description       string
	// HTML serves the HTML pages of actors and events to clients that
	// do not ask for ActivityStreams; nil answers them 406.
	HTML http.Handler
	// Workers and PollInterval tune the delivery worker (zero: the
	// delivery package's defaults).
	Workers      int
	PollInterval time.Duration
	// DeliveryTimeout bounds one POST (zero: delivery.DefaultTimeout).
	// DeliveryLease is how long a delivery in flight belongs to this
	// process: after a crash, the deliveries it had in flight are resumed
	// this long after they began, by this process restarted or another
	// (zero: delivery.DefaultLeaseFor). It must exceed the timeout.
	DeliveryTimeout, DeliveryLease time.Duration
	// Log receives the federation's errors; nil discards them.
	Log *slog.Logger
}

// Federation is an instance's ActivityPub side: its parts are exported
// for embedders that mount them on their own mux (Instance.Handler
// mounts them all at DESIGN.md's paths).
type Federation struct {
	// Client makes every outbound request (SSRF-safe); SignedClient is
	// the same, with GETs signed as the instance actor (authorized
	// fetch).
	Client, SignedClient *safehttp.Client
	Resolver             *resolve.Resolver
	Verifier             *httpsig.Verifier
	Endpoints            *endpoints.Endpoints
	Inbox                *inbox.Handler
	Outbox               *outbox.Outbox
	Worker               *delivery.Worker
	// Policy is the instance's domain blocks and allow-list mode
	// (change them through it: it forgets its cached answers).
	Policy *inbox.PolicyCache

	identity *identity.Service
	groups   *groups.Service
	store    Store
	services *inbox.Services
	now      func() time.Time
	log      *slog.Logger
	signers  sync.Map // actor IRI → *httpsig.Signer
}

// newFederation builds the federation of an instance whose services are
// wired (the outbox was made first: it is their hook).
func newFederation(cfg Config, inst *Instance, ob *outbox.Outbox) (*Federation, error) {
	fc := *cfg.Federation
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	log := fc.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	policy := inbox.NewPolicyCache(cfg.Store, cfg.Now)
	f := &Federation{Outbox: ob, Policy: policy, identity: inst.Identity, groups: inst.Groups, store: cfg.Store, now: now, log: log}

	client, err := safehttp.New(safehttp.Config{AllowPrivate: fc.AllowPrivate, UserAgent: userAgent(fc.Software, cfg.BaseURL)})
	if err != nil {
		return nil, err
	}
	network := func(base http.RoundTripper) http.RoundTripper {
		if fc.Transport != nil {
			return fc.Transport
		}
		return base
	}
	f.Client = client.WithRoundTripper(network)
	// One memory of which hosts refuse RFC 9421, for signed GETs and
	// POSTs alike.
	knocks := &httpsig.Knocks{}
	f.SignedClient = client.WithRoundTripper(func(base http.RoundTripper) http.RoundTripper {
		return &instanceSigned{base: network(base), f: f, knocks: knocks}
	})
	client = f.Client

	parser, err := wire.NewParser(wire.Config{})
	if err != nil {
		return nil, err
	}
	// The instance actor signs fetches, relays and Flags: make it now.
	if _, err := inst.Identity.InstanceActor(context.Background()); err != nil {
		return nil, err
	}
	scheme := "https"
	if strings.HasPrefix(cfg.BaseURL, "http://") {
		scheme = "http" // a test or private federation: peers are on http too
	}
	if f.Resolver, err = resolve.New(resolve.Config{BaseURL: cfg.BaseURL, Fetcher: f.SignedClient, Actors: inst.Identity,
		Parser: parser, Policy: policy, Scheme: scheme, Now: cfg.Now}); err != nil {
		return nil, err
	}
	if f.Verifier, err = httpsig.NewVerifier(httpsig.Config{Keys: f.Resolver, Scheme: scheme, Now: cfg.Now}); err != nil {
		return nil, err
	}
	counts, err := usage.New(usage.Config{Store: cfg.Store, Now: cfg.Now})
	if err != nil {
		return nil, err
	}
	if f.Endpoints, err = endpoints.New(endpoints.Config{BaseURL: cfg.BaseURL, Identity: inst.Identity, Groups: inst.Groups,
		Events: inst.Events, Store: cfg.Store, Content: cfg.Store, Verifier: f.Verifier, Tombstones: tombstones{cfg.Store}, Usage: counts,
		HTML: fc.HTML, Software: fc.Software, OpenRegistrations: fc.OpenRegistrations,
		NodeName: cfg.Name, NodeDescription: fc.Description, Log: log, Now: cfg.Now}); err != nil {
		return nil, err
	}
	svc, err := inbox.NewServices(inbox.ServicesConfig{Identity: inst.Identity, Actors: f.Resolver, Events: cfg.Store,
		Participation: inst.Events, RemoteEvents: cfg.Store, Groups: inst.Groups, RemoteMembers: inst.Groups, Members: cfg.Store,
		Content: inst.Groups, ContentStore: cfg.Store, Conversations: inst.Conversations, ConversationStore: cfg.Store,
		Answers: ob.Answers(cfg.Store), Fetcher: f.SignedClient, Parser: parser, Tombstones: cfg.Store,
		Reports: inst.Moderation, Gone: goneActors{inst.Identity, cfg.Store}, Now: cfg.Now, Log: log})
	if err != nil {
		return nil, err
	}
	f.services = svc
	if f.Inbox, err = inbox.New(inbox.Config{BaseURL: cfg.BaseURL, Verifier: f.Verifier, Fetcher: f.SignedClient,
		Parser: parser, Policy: policy, Seen: cfg.Store, Tombstones: cfg.Store, Owners: svc, Suspended: inst.Identity,
		Handlers: svc.Handlers(), Now: cfg.Now}); err != nil {
		return nil, err
	}
	if f.Worker, err = delivery.NewWorker(delivery.Config{Queue: cfg.Store, Client: client,
		Signers: delivery.SignersFunc(f.signer), UserAgent: userAgent(fc.Software, cfg.BaseURL),
		Workers: fc.Workers, PollInterval: fc.PollInterval, Timeout: fc.DeliveryTimeout, LeaseFor: fc.DeliveryLease,
		Knocks: knocks, Logger: log, Now: cfg.Now, Gone: f.gone}); err != nil {
		return nil, err
	}
	return f, nil
}

func userAgent(s endpoints.Software, base string) string {
	name, version := s.Name, s.Version
	if name == "" {
		name = "convene"
	}
	if version == "" {
		version = "dev"
	}
	return fmt.Sprintf("%s/%s (+%s)", name, version, strings.TrimSuffix(base, "/"))
}

// gone is told of an inbox that answered 410 Gone: when it is one
// remote actor's own inbox, that actor is marked gone and its follows
// end (a shared inbox's 410 says nothing of any one actor).
func (f *Federation) gone(ctx context.Context, j delivery.Job) {
	a, err := f.identity.InboxGone(ctx, j.Inbox)
	switch {
	case err != nil:
		f.log.WarnContext(ctx, "delivery: 410 Gone", "inbox", j.Inbox, "err", err)
	case a != nil:
		f.log.InfoContext(ctx, "delivery: remote actor gone", "actor", a.APID)
		if err := f.services.ActorGone(ctx, a.APID); err != nil {
			f.log.WarnContext(ctx, "delivery: cleaning up after a gone actor", "actor", a.APID, "err", err)
		}
	}
}

// goneActors is what inbox.Services.ActorGone needs: the identity
// service marks the actor gone, the store lists what it held.
type goneActors struct {
	id *identity.Service
	st Store
}

func (g goneActors) RemoteActorGone(ctx context.Context, apID string) error {
	return g.id.RemoteActorGone(ctx, apID)
}

func (g goneActors) ListParticipations(ctx context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	return g.st.ListParticipations(ctx, actorID, roles, after, limit)
}

func (g goneActors) ListMemberships(ctx context.Context, actorID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	return g.st.ListMemberships(ctx, actorID, roles, after, limit)
}

// signer returns the signer of a local actor, by IRI. Keys of local
// actors do not change, so signers are kept.
func (f *Federation) signer(ctx context.Context, apID string) (*httpsig.Signer, error) {
	if s, ok := f.signers.Load(apID); ok {
		return s.(*httpsig.Signer), nil
	}
	a, err := f.identity.GetActorByAPID(ctx, apID)
	if err != nil {
		return nil, fmt.Errorf("convene: signer %s: %w", apID, err)
	}
	if !a.Local || a.PrivateKeyPEM == "" {
		return nil, fmt.Errorf("convene: signer %s: not a local actor with a key", apID)
	}
	key, err := identity.ParsePrivateKeyPEM(a.PrivateKeyPEM)
	if err != nil {
		return nil, fmt.Errorf("convene: signer %s: %w", apID, err)
	}
	s, err := httpsig.NewSigner(httpsig.SignerConfig{KeyID: a.PublicKeyID, Key: key, Now: f.now})
	if err != nil {
		return nil, fmt.Errorf("convene: signer %s: %w", apID, err)
	}
	f.signers.Store(apID, s)
	return s, nil
}

// instanceSigned signs outbound GETs as the instance actor (authorized
// fetch: GoToSocial and Mastodon in secure mode refuse unsigned GETs),
// RFC 9421 first and draft-cavage for hosts that refuse it (the double
// knock, remembered per host). The actor and its key are looked up at
// the first request.
type instanceSigned struct {
	base   http.RoundTripper
	f      *Federation
	knocks *httpsig.Knocks

	mu sync.Mutex
	t  *httpsig.Transport
}

func (s *instanceSigned) RoundTrip(req *http.Request) (*http.Response, error) {
	t, err := s.transport(req.Context())
	if err != nil {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, err
	}
	return t.RoundTrip(req)
}

func (s *instanceSigned) transport(ctx context.Context) (*httpsig.Transport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.t != nil {
		return s.t, nil
	}
	a, err := s.f.identity.InstanceActor(ctx)
	if err != nil {
		return nil, err
	}
	signer, err := s.f.signer(ctx, a.APID)
	if err != nil {
		return nil, err
	}
	s.t = &httpsig.Transport{Base: s.base, Signer: signer, Mode: httpsig.DoubleKnock, Knocks: s.knocks}
	return s.t, nil
}

// Follow makes a local profile or group follow the actor of a handle
// ("@user@host", "user@host") or of an actor IRI, resolving it through
// WebFinger: the Follow is sent by the outbox, and the follow stays
// pending until the remote Accept.
func (f *Federation) Follow(ctx context.Context, followerID, handle string) (*identity.Follow, error) {
	a, err := f.Resolver.ResolveHandle(ctx, handle)
	if err != nil {
		return nil, err
	}
	return f.identity.Follow(ctx, followerID, a.ID, "")
}

// JoinGroup makes a local profile ask to join another instance's group,
// named by handle ("@group@host") or IRI: the group is recorded here,
// the Join sent, and the membership stays pending (not_approved) until
// the group's instance answers. A local group's handle joins it
// directly, by its own rules.
func (f *Federation) JoinGroup(ctx context.Context, actorID, handle string) (*groups.Member, error) {
	a, err := f.Resolver.ResolveHandle(ctx, handle)
	if err != nil {
		return nil, err
	}
	if a.Type != identity.TypeGroup {
		return nil, fmt.Errorf("%w: %s is not a group", groups.ErrInvalid, handle)
	}
	if !a.Local {
		if _, err := f.groups.PutRemoteGroup(ctx, &groups.Group{Actor: *a}); err != nil {
			return nil, err
		}
	}
	return f.groups.Join(ctx, a.ID, actorID, "")
}

// FollowRelay makes the instance actor follow another instance's actor
// (such as https://other.example/actor): that instance then announces
// its public events here, where they are fetched and stored like any
// remote event, and show in search and feeds. The follow is pending
// until the other instance accepts it (a Convene instance actor approves
// followers manually: its administrator accepts).
func (f *Federation) FollowRelay(ctx context.Context, actorIRI string) (*identity.Follow, error) {
	relay, err := f.Resolver.ResolveActor(ctx, actorIRI)
	if err != nil {
		return nil, err
	}
	self, err := f.identity.InstanceActor(ctx)
	if err != nil {
		return nil, err
	}
	return f.identity.Follow(ctx, self.ID, relay.ID, "")
}

// Run runs the federation's background work until ctx is done: the
// delivery worker, and the pruning of old inbox activity ids.
func (f *Federation) Run(ctx context.Context) error {
	errc := make(chan error, 1)
	go func() { errc <- f.Worker.Run(ctx) }()
	tick := time.NewTicker(time.Hour)
	defer tick.Stop()
	f.prune(ctx)
	for {
		select {
		case err := <-errc:
			if errors.Is(err, context.Canceled) && ctx.Err() != nil {
				return nil
			}
			return err
		case <-tick.C:
			f.prune(ctx)
		}
	}
}

func (f *Federation) prune(ctx context.Context) {
	n, err := f.store.PruneSeen(ctx, f.now().Add(-SeenRetention))
	if err != nil && ctx.Err() == nil {
		f.log.ErrorContext(ctx, "prune inbox ids", "err", err)
		return
	}
	if n > 0 {
		f.log.DebugContext(ctx, "pruned inbox ids", "count", n)
	}
}

// workerNotify wakes the delivery worker once it exists.
type workerNotify struct {
	w atomic.Pointer[delivery.Worker]
}

func (n *workerNotify) notify() {
	if w := n.w.Load(); w != nil {
		w.Notify()
	}
}

// tombstones answers the endpoints' 410s from the store's tombstones.
type tombstones struct{ st Store }

func (t tombstones) Tombstone(ctx context.Context, apID string) (*wire.Tombstone, error) {
	at, err := t.st.TombstonedAt(ctx, apID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ts := &wire.Tombstone{ID: apID, Deleted: at}
	if strings.Contains(apID, "/events/") {
		ts.FormerType = "Event"
	}
	return ts, nil
}
