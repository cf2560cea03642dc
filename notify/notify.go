package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/storage"
)

// Limits.
const (
	// QueueSize bounds the notices waiting to be sent (one per committed
	// change, each fanning out to up to MaxRecipients messages). When
	// the queue is full, new notices are dropped and logged.
	//
	// One change may queue many notices at once: an announcement
	// (conversations.Service.Announce) queues one per recipient, up to
	// conversations.MaxAnnounceRecipients. QueueSize holds several
	// full-size announcements on top of the ordinary notices, so that one
	// announcement never drops notices (checked at compile time below
	// against MaxAnnounceRecipients and MaxRecipients). Each queued
	// notice holds one event and one message or comment, so memory stays
	// bounded by QueueSize of them.
	QueueSize = 5000
	// MaxRecipients bounds the messages of one notice or one reminder:
	// the first MaxRecipients participants (in order of joining) get it.
	MaxRecipients = 2000
	// DiscussionMailInterval is the least time between two mails about
	// one group discussion to one account: a burst of messages in a
	// discussion, local or remote, mails each member who asked for it
	// once per interval; the messages in between are not mailed (the
	// mail links to the discussion, where they are).
	DiscussionMailInterval = 15 * time.Minute
	// MaxDiscussionMailTracked bounds the (account, discussion) pairs
	// remembered for DiscussionMailInterval, in memory (a restart
	// forgets them). When that many were mailed within the interval,
	// the oldest is forgotten to make room.
	MaxDiscussionMailTracked = 100_000
	// participantPage is the page size when listing participants.
	participantPage = 200
)

// QueueSize must exceed a full-size announcement, and the recipients of
// one notice, by a margin: these fail to compile (a negative constant
// converted to uint) when it does not.
const (
	_ = uint(QueueSize - 4*conversations.MaxAnnounceRecipients)
	_ = uint(QueueSize - 2*MaxRecipients)
)

// Errors.
var (
	// ErrNoRecipient: the message has nobody to go to (no email, a
	// remote actor, a suspended account).
	ErrNoRecipient = errors.New("notify: no local recipient with an email address")
	// ErrRunning: Run is already running.
	ErrRunning = errors.New("notify: Run is already running")
)

// Directory finds the account (email, locale, time zone) behind a
// profile, and actors' names. *identity.Service implements it, and so
// does every storage backend (identity.Store): the backend lets an
// embedder build the Notifier before the services, as the events hook
// must be.
type Directory interface {
	GetProfile(ctx context.Context, id string) (*identity.Profile, error)
	GetAccount(ctx context.Context, id string) (*identity.Account, error)
	GetActor(ctx context.Context, id string) (*identity.Actor, error)
}

// EventStore lists the events about to begin and their participants.
// Every storage backend (events.Store) implements it.
type EventStore interface {
	FindEvents(ctx context.Context, q events.StoreQuery) ([]events.Event, error)
	FindSeries(ctx context.Context, q events.StoreQuery) ([]events.Event, error)
	ListParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error)
}

// Config configures a Notifier.
type Config struct {
	// Mail sends the messages; required (mail.SMTP, mail.FileOutbox,
	// mailtest.Recorder).
	Mail mail.Sender
	// Identity finds recipients' accounts; required.
	Identity Directory
	// Events lists participants and upcoming events; required.
	Events EventStore
	// BaseURL is the instance's public URL, required; messages end with
	// it.
	BaseURL string
	// InstanceName names the instance in messages; "" means BaseURL's
	// host.
	InstanceName string
	// DefaultLocale is the locale of recipients without one or with an
	// unsupported one; "" means "en". It must be one of Locales.
	DefaultLocale string
	// ReminderLead is how long before an occurrence begins its
	// participants are reminded; 0 means DefaultReminderLead, a
	// negative value turns reminders off.
	ReminderLead time.Duration
	// StateDir is where the reminders already sent are remembered
	// (reminders.json), so that a restart does not send them again.
	// "" keeps them in memory only: a restart then reminds again the
	// occurrences of the next ReminderLead.
	StateDir string
	// Groups finds the members who want the mail of their groups'
	// discussions (GroupChanged); optional: nil sends no such mail.
	// Every storage backend implements it.
	Groups GroupMailStore
	// DiscussionPage links a group discussion's mail to its page, and to
	// the group's list of discussions (where the mail is turned off); nil
	// means BaseURL/groups/{group id}/discussions[/{discussion id}], the
	// pages of examples/server.
	DiscussionPage DiscussionPageFunc
	// DiscussionUnsubscribe returns the one-click link that turns off
	// the mail of groupID's discussions for the local profile profileID
	// of accountID (in examples/server, web.Web.DiscussionUnsubscribeURL):
	// an absolute http(s) URL that needs no login, or "" for none. When
	// set, each discussion mail carries it as its List-Unsubscribe header
	// (mail.Message.ListUnsubscribe, RFC 8058) and its stop line shows it
	// instead of the discussions page. Optional: nil keeps the page. A
	// URL that mail refuses (mail.ErrInvalid) fails the send, logged.
	DiscussionUnsubscribe func(accountID, profileID, groupID string) string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives dropped notices and failed sends; nil discards.
	Log *slog.Logger
}

// Notifier writes the instance's email. It is safe for concurrent use.
type Notifier struct {
	mail     mail.Sender
	dir      Directory
	events   EventStore
	groups   GroupMailStore
	pages    DiscussionPageFunc
	unsub    func(accountID, profileID, groupID string) string
	base     string
	instance string
	locale   string
	lead     time.Duration
	now      func() time.Time
	log      *slog.Logger
	tpl      templates

	queue   chan job
	dropped atomic.Int64
	running atomic.Bool

	remindMu sync.Mutex
	state    *reminded

	discMu   sync.Mutex
	discSent map[discussionMailKey]time.Time // last discussion mail, ≤ MaxDiscussionMailTracked
}

// New returns a Notifier, or an error naming the first missing or bad
// Config field.
func New(cfg Config) (*Notifier, error) {
	switch {
	case cfg.Mail == nil:
		return nil, errors.New("notify: Config.Mail is required")
	case cfg.Identity == nil:
		return nil, errors.New("notify: Config.Identity is required")
	case cfg.Events == nil:
		return nil, errors.New("notify: Config.Events is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("notify: Config.BaseURL %q is not an absolute http(s) URL", cfg.BaseURL)
	}
	n := &Notifier{
		mail:     cfg.Mail,
		dir:      cfg.Identity,
		events:   cfg.Events,
		groups:   cfg.Groups,
		pages:    cfg.DiscussionPage,
		unsub:    cfg.DiscussionUnsubscribe,
		base:     strings.TrimSuffix(cfg.BaseURL, "/"),
		instance: oneLine(cfg.InstanceName, 100),
		lead:     cfg.ReminderLead,
		now:      cfg.Now,
		log:      cfg.Log,
		queue:    make(chan job, QueueSize),
		discSent: map[discussionMailKey]time.Time{},
	}
	if n.instance == "" {
		n.instance = u.Host
	}
	n.locale = "en"
	if cfg.DefaultLocale != "" {
		n.locale = resolveLocale(cfg.DefaultLocale, "")
		if n.locale == "" {
			return nil, fmt.Errorf("notify: Config.DefaultLocale %q is not one of %v", cfg.DefaultLocale, Locales())
		}
	}
	if n.pages == nil {
		n.pages = discussionPath(n.base)
	}
	if n.lead == 0 {
		n.lead = DefaultReminderLead
	}
	if n.now == nil {
		n.now = time.Now
	}
	if n.log == nil {
		n.log = slog.New(slog.DiscardHandler)
	}
	if n.tpl, err = parseTemplates(); err != nil {
		return nil, err
	}
	if n.state, err = loadReminded(cfg.StateDir); err != nil {
		return nil, err
	}
	return n, nil
}

// Dropped returns how many notices were dropped because the queue was
// full.
func (n *Notifier) Dropped() int64 { return n.dropped.Load() }

// recipient is who a message goes to.
type recipient struct {
	email, locale, tz, name string
	account                 string // the account's id; "" for an anonymous participant
	// profile is the local profile the message is for (profileRecipient,
	// eachProfileRecipient); "" for an anonymous participant.
	profile string
}

// send renders kind for r and sends it.
func (n *Notifier) send(ctx context.Context, r recipient, k Kind, d data, att []mail.Attachment) error {
	loc := resolveLocale(r.locale, n.locale)
	d.Instance, d.BaseURL = n.instance, n.base
	if d.Name == "" {
		d.Name = r.name
	}
	out, err := n.tpl.render(loc, k, d)
	if err != nil {
		return err
	}
	m := mail.Message{To: r.email, Subject: out.Subject, Text: out.Text, Attachments: att, Kind: string(k),
		ListUnsubscribe: d.Unsubscribe}
	if err := n.mail.Send(ctx, m); err != nil {
		return fmt.Errorf("notify: send %s: %w", k, err)
	}
	return nil
}

// accountRecipient is an account as a recipient.
func accountRecipient(a *identity.Account) recipient {
	return recipient{email: a.Email, locale: a.Locale, tz: a.TimeZone, account: a.ID}
}

// AccountConfirmation mails the link that confirms an account's email
// address (sent even though the account is not confirmed yet). It
// sends at once and returns the sender's error, so that the caller can
// tell the person.
func (n *Notifier) AccountConfirmation(ctx context.Context, acct *identity.Account, link string) error {
	if acct == nil || acct.Email == "" {
		return ErrNoRecipient
	}
	return n.send(ctx, accountRecipient(acct), AccountConfirm, data{Link: link}, nil)
}

// PasswordReset mails a password-reset link. Like AccountConfirmation,
// it sends at once. Callers answer the same whether or not the address
// has an account, so as not to reveal which addresses do.
func (n *Notifier) PasswordReset(ctx context.Context, acct *identity.Account, link string) error {
	if acct == nil || acct.Email == "" {
		return ErrNoRecipient
	}
	return n.send(ctx, accountRecipient(acct), PasswordReset, data{Link: link}, nil)
}

// AnonymousConfirmation mails an anonymous participant (events.Service
// JoinAnonymously) the links that confirm and cancel the participation,
// in the locale the participant joined with. It sends at once.
func (n *Notifier) AnonymousConfirmation(ctx context.Context, p *events.Participant, e *events.Event, confirmLink, cancelLink string) error {
	if p == nil || e == nil || p.Email == "" {
		return ErrNoRecipient
	}
	r := recipient{email: p.Email, locale: p.Locale}
	d := data{Link: confirmLink, CancelLink: cancelLink,
		Event: viewOf(e, e.BeginsAt, e.EndsAt, resolveLocale(r.locale, n.locale), "")}
	return n.send(ctx, r, ParticipationConfirm, d, nil)
}

// GroupInvitation mails the account behind the local profile inviteeID
// that inviter invited it into group; link is where to answer. It sends
// at once. ErrNoRecipient when inviteeID is not a local profile of a
// confirmed, active account (remote invitees learn of it by federation).
func (n *Notifier) GroupInvitation(ctx context.Context, inviteeID string, group, inviter *identity.Actor, link string) error {
	if group == nil || inviter == nil {
		return errors.New("notify: group invitation: group and inviter are required")
	}
	r, ok, err := n.profileRecipient(ctx, inviteeID)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoRecipient
	}
	d := data{Link: link, Group: oneLine(actorName(group), 100), GroupURL: cmpOr(group.URL, group.APID),
		Inviter: oneLine(actorName(inviter), 100)}
	return n.send(ctx, r, GroupInvitation, d, nil)
}

func actorName(a *identity.Actor) string { return cmpOr(a.DisplayName, a.Username) }

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func isNotFound(err error) bool {
	return errors.Is(err, storage.ErrNotFound) || errors.Is(err, identity.ErrNotFound)
}

// profileRecipient returns the account behind a local profile. ok is
// false when the actor is not a local profile, or its account is
// suspended or not confirmed (its address is not known to be its
// owner's).
func (n *Notifier) profileRecipient(ctx context.Context, profileID string) (recipient, bool, error) {
	if profileID == "" {
		return recipient{}, false, nil
	}
	p, err := n.dir.GetProfile(ctx, profileID)
	if isNotFound(err) {
		return recipient{}, false, nil
	}
	if err != nil {
		return recipient{}, false, fmt.Errorf("notify: profile %s: %w", profileID, err)
	}
	a, err := n.dir.GetAccount(ctx, p.AccountID)
	if isNotFound(err) {
		return recipient{}, false, nil
	}
	if err != nil {
		return recipient{}, false, fmt.Errorf("notify: account of profile %s: %w", profileID, err)
	}
	if a.Suspended || !a.Confirmed || a.Email == "" {
		return recipient{}, false, nil
	}
	r := accountRecipient(a)
	r.name = oneLine(cmpOr(p.DisplayName, p.Username), 100)
	r.profile = p.ID
	return r, true, nil
}

// participantRecipient returns who a participation's mail goes to: the
// email of an anonymous participant, the account of a local profile.
func (n *Notifier) participantRecipient(ctx context.Context, p *events.Participant) (recipient, bool, error) {
	if p.ActorID == "" {
		if p.Email == "" || p.Role == events.RoleNotConfirmed {
			return recipient{}, false, nil
		}
		return recipient{email: p.Email, locale: p.Locale}, true, nil
	}
	return n.profileRecipient(ctx, p.ActorID)
}

// icsOf is the calendar attachment of an event.
func (n *Notifier) icsOf(ctx context.Context, e *events.Event) mail.Attachment {
	en := ical.Entry{Event: e}
	if e.OrganizerID != "" {
		a, err := n.dir.GetActor(ctx, e.OrganizerID)
		if err == nil {
			en.Organizer = ical.Person{URI: a.APID, Name: actorName(a)}
		} else if !isNotFound(err) {
			n.log.WarnContext(ctx, "notify: organizer of event", slog.String("event", e.ID), slog.Any("error", err))
		}
	}
	return mail.Attachment{
		Name:        "event.ics",
		ContentType: "text/calendar; charset=utf-8; method=PUBLISH",
		Data:        ical.Marshal(&ical.Calendar{Name: e.Title, Entries: []ical.Entry{en}}),
	}
}

// authorName is how a message's author is named in mail: its name, and
// its handle when remote; "" when unknown.
func (n *Notifier) authorName(ctx context.Context, actorID string, max int) (string, error) {
	a, err := n.dir.GetActor(ctx, actorID)
	if err != nil {
		if isNotFound(err) {
			return "", nil
		}
		return "", err
	}
	name := actorName(a)
	if !a.Local && a.Domain != "" {
		name += " (@" + a.Username + "@" + a.Domain + ")"
	}
	return oneLine(name, max), nil
}

// eachProfileRecipient calls send once per account behind the profiles
// ids, never for the account of the profile author (whichever of its
// profiles is listed), skipping those without a confirmed account. The
// recipient's profile is the first of ids of its account. It returns
// the first error of a lookup or of send.
func (n *Notifier) eachProfileRecipient(ctx context.Context, ids []string, author string, send func(recipient) error) error {
	seen := map[string]bool{}
	if r, ok, err := n.profileRecipient(ctx, author); err == nil && ok {
		seen[strings.ToLower(r.email)] = true
	}
	var first error
	for _, id := range ids {
		if id == author {
			continue
		}
		r, ok, err := n.profileRecipient(ctx, id)
		if err != nil {
			first = cmpErr(first, err)
			continue
		}
		key := strings.ToLower(r.email)
		if !ok || seen[key] {
			continue
		}
		seen[key] = true
		first = cmpErr(first, send(r))
	}
	return first
}
