// Package convene wires Convene's services into one instance for
// embedders: give it a storage backend and the public base URL, and it
// returns the identity, groups and events services, connected to each
// other. Later packages (federation, iCalendar feeds) hang off the same
// Instance.
//
// Most programs need only this:
//
//	db, _ := sqlite.Open(ctx, sqlite.Config{Path: "data/convene.db"})
//	inst, _ := convene.New(convene.Config{Store: db, BaseURL: "https://events.example"})
//	acct, profile, _ := inst.Identity.Register(ctx, identity.RegisterInput{...})
//	ev, _ := inst.Events.Create(ctx, profile.ID, events.Input{...})
package convene

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"time"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/usage"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
)

// Store is everything an instance stores: what every backend
// (storage/sqlite, storage/postgres) implements.
type Store interface {
	identity.Store
	groups.Store
	events.Store
	storage.Transactor
	// Federation: the delivery queue, and the inbox's activity ids,
	// tombstones and domain policy.
	delivery.Queue
	inbox.Seen
	inbox.Tombstones
	inbox.TombstoneDates
	inbox.Policy
	inbox.PolicyAdmin
	// NodeInfo's usage counts, and the remote actors found gone.
	usage.Store
	identity.GoneStore
	identity.SuspensionStore
	identity.ApprovalStore
	identity.DirectoryStore
	// The members' choice of mail for their groups' discussions.
	groups.NotifyStore
	// Reports, the moderation queue and its log.
	moderation.ReportStore
	// Private conversations between participants and organizers.
	conversations.ConversationStore
}

// Config configures an Instance.
type Config struct {
	// Store is required.
	Store Store
	// BaseURL is the instance's public URL, such as
	// "https://events.example"; required.
	BaseURL string
	// Name is the instance's name, shown as the title of its calendar;
	// "" means its host.
	Name string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Argon2 sets password hashing; zero means identity.DefaultArgon2Params.
	Argon2 identity.Argon2Params
	// GenerateKey makes actor keys; nil means RSA-2048.
	GenerateKey func() (*rsa.PrivateKey, error)
	// EventHook is told of every event change inside its transaction;
	// optional (the federation outbox uses it).
	EventHook events.Hook
	// GroupHook is told of every group and membership change inside its
	// transaction; optional.
	GroupHook groups.Hook
	// IdentityHook is told of every follow change inside its
	// transaction; optional.
	IdentityHook identity.Hook
	// ConversationHook is told of every private message inside its
	// transaction; optional (the notifier mails the local recipients).
	ConversationHook conversations.Hook
	// Federation turns ActivityPub on: nil leaves the instance on its
	// own. The federation outbox then runs after the hooks above, in the
	// same transactions.
	Federation *FederationConfig
}

// Instance is a wired set of services.
type Instance struct {
	Identity *identity.Service
	Groups   *groups.Service
	Events   *events.Service
	// Feeds serves the iCalendar feeds (see ical.Feeds for the paths).
	Feeds *ical.Feeds
	// Moderation holds reports, the moderation queue, the action log and
	// the instance's rules.
	Moderation *moderation.Service
	// Conversations holds the private messages between an event's
	// participants and its organizers.
	Conversations *conversations.Service
	// Federation is nil unless Config.Federation was set.
	Federation *Federation

	store Store
}

// New wires an Instance.
func New(cfg Config) (*Instance, error) {
	if cfg.Store == nil {
		return nil, errors.New("convene: Config.Store is required")
	}
	var ob *outbox.Outbox
	// The worker is built later (newFederation); the outbox wakes it
	// through this.
	notify := &workerNotify{}
	if cfg.Federation != nil {
		var err error
		if ob, err = outbox.New(outbox.Config{BaseURL: cfg.BaseURL, Now: cfg.Now, Notify: notify.notify}); err != nil {
			return nil, fmt.Errorf("convene: %w", err)
		}
		cfg.EventHook = eventHooks{cfg.EventHook, ob}
		cfg.GroupHook = groupHooks{cfg.GroupHook, ob}
		cfg.IdentityHook = identityHooks{cfg.IdentityHook, ob}
		cfg.ConversationHook = conversationHooks{cfg.ConversationHook, ob}
	}
	id, err := identity.New(identity.Config{Store: cfg.Store, BaseURL: cfg.BaseURL, Now: cfg.Now,
		Argon2: cfg.Argon2, GenerateKey: cfg.GenerateKey, Hook: cfg.IdentityHook})
	if err != nil {
		return nil, fmt.Errorf("convene: %w", err)
	}
	gr, err := groups.New(groups.Config{Store: cfg.Store, Actors: id, BaseURL: cfg.BaseURL, Hook: cfg.GroupHook, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("convene: %w", err)
	}
	ev, err := events.New(events.Config{Store: cfg.Store, BaseURL: cfg.BaseURL, Groups: GroupEvents{gr},
		Hook: cfg.EventHook, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("convene: %w", err)
	}
	feeds, err := ical.NewFeeds(ical.FeedConfig{Events: cfg.Store, Identity: id, Groups: gr,
		BaseURL: cfg.BaseURL, InstanceName: cfg.Name, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("convene: %w", err)
	}
	var reportHook moderation.Hook
	if ob != nil {
		reportHook = ob // reports about remote content go out as Flags
	}
	mod, err := moderation.New(moderation.Config{Store: cfg.Store, Identity: id, Hook: reportHook,
		Suspender: id, Content: contentHider{ev, gr}, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("convene: %w", err)
	}
	conv, err := conversations.New(conversations.Config{Store: cfg.Store, BaseURL: cfg.BaseURL,
		Hook: cfg.ConversationHook, Now: cfg.Now})
	if err != nil {
		return nil, fmt.Errorf("convene: %w", err)
	}
	inst := &Instance{Identity: id, Groups: gr, Events: ev, Feeds: feeds, Moderation: mod, Conversations: conv,
		store: cfg.Store}
	if ob != nil {
		if inst.Federation, err = newFederation(cfg, inst, ob); err != nil {
			return nil, fmt.Errorf("convene: %w", err)
		}
		notify.w.Store(inst.Federation.Worker)
	}
	return inst, nil
}

// Run runs the instance's background work until ctx is done: with
// federation, the delivery worker and the pruning of inbox ids. Without
// it, Run only waits. It returns nil when ctx is cancelled.
func (i *Instance) Run(ctx context.Context) error {
	if i.Federation == nil {
		<-ctx.Done()
		return nil
	}
	return i.Federation.Run(ctx)
}

// contentHider carries out the moderators' hiding of content: comments
// are hidden (rejected, locally), events hidden (events.Service.HideEvent:
// out of every listing and not found, locally; nothing federates), and
// messages of group discussions hidden (groups.Service.HideComment:
// listed without their text, locally; nothing federates).
type contentHider struct {
	ev *events.Service
	gr *groups.Service
}

func (h contentHider) HideDiscussionMessage(ctx context.Context, messageID string, hidden bool) error {
	return h.gr.HideComment(ctx, messageID, hidden)
}

func (h contentHider) HideComment(ctx context.Context, commentID string, hidden bool) error {
	return h.ev.HideComment(ctx, commentID, hidden)
}

func (h contentHider) HideEvent(ctx context.Context, eventID string, hidden bool) error {
	return h.ev.HideEvent(ctx, eventID, hidden)
}

// The hooks of an instance with federation: the embedder's, then the
// outbox's.
type (
	eventHooks    struct{ a, b events.Hook }
	groupHooks    struct{ a, b groups.Hook }
	identityHooks struct{ a, b identity.Hook }
	// conversationHooks: the notifier, then the outbox.
	conversationHooks struct{ a, b conversations.Hook }
)

func (h conversationHooks) ConversationChanged(ctx context.Context, tx storage.Tx, c conversations.Change) error {
	if h.a != nil {
		if err := h.a.ConversationChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return h.b.ConversationChanged(ctx, tx, c)
}

func (h eventHooks) EventChanged(ctx context.Context, tx storage.Tx, c events.Change) error {
	if h.a != nil {
		if err := h.a.EventChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return h.b.EventChanged(ctx, tx, c)
}

func (h groupHooks) GroupChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	if h.a != nil {
		if err := h.a.GroupChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return h.b.GroupChanged(ctx, tx, c)
}

func (h identityHooks) FollowChanged(ctx context.Context, tx storage.Tx, c identity.FollowChange) error {
	if h.a != nil {
		if err := h.a.FollowChanged(ctx, tx, c); err != nil {
			return err
		}
	}
	return h.b.FollowChanged(ctx, tx, c)
}

// GroupEvents lets the events service ask the groups permission matrix
// about group events: it implements events.GroupAuthorizer over a
// groups.Service. New uses it; an embedder wiring the services by hand
// can too.
type GroupEvents struct{ Groups *groups.Service }

// AuthorizeEvent maps an event operation to its group permission.
func (a GroupEvents) AuthorizeEvent(ctx context.Context, groupID, actorID string, op events.GroupOp) error {
	var p groups.Permission
	switch op {
	case events.OpView:
		p = groups.PermEventAccess
	case events.OpViewDraft:
		p = groups.PermEventAccessDraft
	case events.OpCreate:
		p = groups.PermEventCreate
	case events.OpUpdate:
		p = groups.PermEventUpdate
	case events.OpDelete:
		p = groups.PermEventDelete
	case events.OpModerate:
		p = groups.PermEventModerate
	default:
		return fmt.Errorf("%w: unknown operation %q", events.ErrForbidden, op)
	}
	if err := a.Groups.Authorize(ctx, groupID, actorID, p); err != nil {
		if errors.Is(err, groups.ErrForbidden) {
			return fmt.Errorf("%w: %w", events.ErrForbidden, err)
		}
		return err
	}
	return nil
}
