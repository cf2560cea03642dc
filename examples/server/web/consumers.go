package web

import (
	"context"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
)

// AnonymousMailer mails someone who joined an event without an account
// the links that confirm and cancel the participation.
// notify.Notifier implements it.
type AnonymousMailer interface {
	AnonymousConfirmation(ctx context.Context, p *events.Participant, e *events.Event, confirmLink, cancelLink string) error
}

// HandleResolver finds the actor of a handle of another instance
// ("@user@host"), fetching it when needed. resolve.Resolver implements
// it.
type HandleResolver interface {
	ResolveHandle(ctx context.Context, handle string) (*identity.Actor, error)
}

// InvitationMailer tells a local profile that it was invited into a
// group; link is where to answer. notify.Notifier implements it.
type InvitationMailer interface {
	GroupInvitation(ctx context.Context, inviteeID string, group, inviter *identity.Actor, link string) error
}

// DomainPolicy is the federation's domain policy and its administration:
// what inbox.PolicyCache (convene.Federation.Policy) offers.
type DomainPolicy interface {
	BlockDomain(ctx context.Context, domain string, at time.Time) error
	AllowDomain(ctx context.Context, domain string, at time.Time) error
	RemoveDomain(ctx context.Context, domain string) error
	ListDomains(ctx context.Context) ([]inbox.Domain, error)
	SetAllowListMode(ctx context.Context, on bool) error
	AllowListMode(ctx context.Context) (bool, error)
}

// DeliveryStats reports the state of the federation delivery queue.
// The storage backends implement it (delivery.Queue).
type DeliveryStats interface {
	Stats(ctx context.Context, now time.Time) (delivery.Stats, error)
}

// MailLog lists and reads the mail the instance wrote instead of sending
// it. mail.FileOutbox implements it.
type MailLog interface {
	List(ctx context.Context, limit int) ([]mail.Entry, error)
	Read(name string) (*mail.Stored, error)
}
