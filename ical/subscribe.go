package ical

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/safehttp"
)

// Subscription limits.
const (
	// DefaultSubscriptionInterval is how often a subscription is
	// refreshed when SubscriberConfig.Interval is zero.
	DefaultSubscriptionInterval = time.Hour
	// MinSubscriptionInterval is the shortest refresh interval: remote
	// servers are not to be polled harder.
	MinSubscriptionInterval = 15 * time.Minute
	// MaxDuePerRound bounds the subscriptions one RefreshDue handles.
	MaxDuePerRound = 50
)

// Subscription is a profile's or group's subscription to a remote
// calendar, refreshed periodically.
type Subscription struct {
	ID     string
	Target Target
	URL    string
	// Visibility and DeleteMissing are the ImportOptions of every refresh.
	Visibility    events.Visibility
	DeleteMissing bool

	// Kept by the Subscriber between refreshes.
	ETag         string
	LastModified string
	CheckedAt    time.Time
	NextAt       time.Time
	LastError    string
}

// SubscriptionStore keeps subscriptions (storage/sqlite and
// storage/postgres implement it, or the embedder does).
type SubscriptionStore interface {
	// DueSubscriptions returns up to limit subscriptions whose NextAt is
	// not after now, earliest first (ties by ID); limit <= 0 means all.
	// A zero NextAt is due at once.
	DueSubscriptions(ctx context.Context, now time.Time, limit int) ([]Subscription, error)
	// SaveSubscription inserts or replaces the subscription s.ID (which
	// must not be empty: the caller chooses it, a UUID, when it creates
	// one). It returns storage.ErrNotFound when the target's profile or
	// group does not exist.
	SaveSubscription(ctx context.Context, s *Subscription) error
}

// SubscriptionManager is what managing subscriptions (a settings page,
// an API) needs of the store besides SubscriptionStore, which creates
// and changes them; the SQL backends implement both. A subscription goes
// with its profile or group: deleting either deletes it.
type SubscriptionManager interface {
	// GetSubscription returns the subscription id, or
	// storage.ErrNotFound.
	GetSubscription(ctx context.Context, id string) (*Subscription, error)
	// ListSubscriptions returns the subscriptions of owner, by ID: a
	// group's when owner is a group id, a profile's own (Target.GroupID
	// empty) when it is a profile id, like Imported.Owner.
	ListSubscriptions(ctx context.Context, owner string) ([]Subscription, error)
	// DeleteSubscription removes the subscription id, or returns
	// storage.ErrNotFound. The events it imported stay.
	DeleteSubscription(ctx context.Context, id string) error
}

// SubscriberConfig configures a Subscriber.
type SubscriberConfig struct {
	Importer      *Importer         // required
	Subscriptions SubscriptionStore // required
	// Client fetches calendars; nil means a safehttp.Client (the
	// SSRF-safe client of federation/safehttp) with DefaultFetchTimeout
	// as time limit and a body limit of at least MaxBytes. A client
	// given here should be a *safehttp.Client too (with AllowPrivate for
	// tests or closed networks); its own body limit applies besides
	// MaxBytes.
	Client Doer
	// Interval between refreshes; 0 means DefaultSubscriptionInterval,
	// at least MinSubscriptionInterval.
	Interval time.Duration
	// MaxBytes bounds a fetched calendar; 0 means MaxImportBytes.
	MaxBytes int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Subscriber refreshes subscriptions: a conditional GET with the last
// ETag and Last-Modified, then an import of the calendar into the
// subscription's target, with the URL as source (UIDs that disappear
// are reported, or deleted with DeleteMissing).
type Subscriber struct {
	cfg SubscriberConfig
	now func() time.Time
}

// NewSubscriber returns a Subscriber.
func NewSubscriber(cfg SubscriberConfig) (*Subscriber, error) {
	if cfg.Importer == nil {
		return nil, errors.New("ical: SubscriberConfig.Importer is required")
	}
	if cfg.Subscriptions == nil {
		return nil, errors.New("ical: SubscriberConfig.Subscriptions is required")
	}
	if cfg.Client == nil {
		var (
			c   *safehttp.Client
			err error
		)
		if cfg.MaxBytes > MaxImportBytes {
			c, err = newDefaultClient(cfg.MaxBytes)
		} else {
			c, err = defaultClient()
		}
		if err != nil {
			return nil, err
		}
		cfg.Client = c
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultSubscriptionInterval
	}
	cfg.Interval = max(cfg.Interval, MinSubscriptionInterval)
	s := &Subscriber{cfg: cfg, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	return s, nil
}

// MaxSubscriptionURLLength bounds the URL of a subscription.
const MaxSubscriptionURLLength = 2048

// Subscribe subscribes a profile (t.ActorID) or a group (t.GroupID, with
// t.ActorID the member acting) to the calendar at rawURL: the
// subscription is stored due at once, and Refresh or RefreshDue imports
// it. The URL must be an absolute http or https URL without user
// information; whether its host may be reached is decided at each fetch
// by the client (safehttp refuses private addresses). Authorization is
// that of the import itself: events.Service checks on every refresh that
// the actor may create the target's events, and a refused import is
// recorded in LastError. A bad URL or target is an *events.ValidationError and
// stores nothing.
func (s *Subscriber) Subscribe(ctx context.Context, t Target, rawURL string, opts ImportOptions) (*Subscription, error) {
	if t.ActorID == "" {
		return nil, &events.ValidationError{Field: "actor", Reason: "a subscription needs the profile it imports as"}
	}
	u, err := url.Parse(strings.TrimSpace(rawURL))
	switch {
	case len(rawURL) > MaxSubscriptionURLLength:
		return nil, &events.ValidationError{Field: "url", Reason: fmt.Sprintf("is longer than %d bytes", MaxSubscriptionURLLength)}
	case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, &events.ValidationError{Field: "url", Reason: "is not an absolute http or https URL"}
	case u.User != nil:
		return nil, &events.ValidationError{Field: "url", Reason: "must not carry a user name or password"}
	}
	if opts.Visibility == "" {
		opts.Visibility = events.Public
	}
	if opts.Visibility != events.Public && opts.Visibility != events.Unlisted && opts.Visibility != events.Private {
		return nil, &events.ValidationError{Field: "visibility", Reason: fmt.Sprintf("unknown visibility %q", opts.Visibility)}
	}
	sub := &Subscription{ID: uuid.NewString(), Target: t, URL: u.String(),
		Visibility: opts.Visibility, DeleteMissing: opts.DeleteMissing}
	if err := s.cfg.Subscriptions.SaveSubscription(ctx, sub); err != nil {
		return nil, fmt.Errorf("ical: subscribe: %w", err)
	}
	return sub, nil
}

// Refresh fetches and imports one subscription now and saves its new
// state. The report is nil when the calendar did not change (304). A
// fetch or import failure is recorded in LastError, saved, and returned.
func (s *Subscriber) Refresh(ctx context.Context, sub *Subscription) (*Report, error) {
	now := s.now().UTC().Truncate(time.Microsecond)
	sub.CheckedAt, sub.NextAt = now, now.Add(s.cfg.Interval)
	rep, err := s.refresh(ctx, sub)
	sub.LastError = ""
	if err != nil {
		sub.LastError = err.Error()
	}
	if serr := s.cfg.Subscriptions.SaveSubscription(ctx, sub); serr != nil {
		return rep, errors.Join(err, fmt.Errorf("ical: save subscription %s: %w", sub.ID, serr))
	}
	return rep, err
}

func (s *Subscriber) refresh(ctx context.Context, sub *Subscription) (*Report, error) {
	got, err := Fetch(ctx, s.cfg.Client, sub.URL, sub.ETag, sub.LastModified, s.cfg.MaxBytes)
	if err != nil {
		return nil, err
	}
	if got.NotModified {
		sub.ETag, sub.LastModified = got.ETag, got.LastModified
		return nil, nil
	}
	rep, err := s.cfg.Importer.Import(ctx, sub.Target, bytes.NewReader(got.Body),
		&ImportOptions{Source: sub.URL, Visibility: sub.Visibility, DeleteMissing: sub.DeleteMissing})
	if err != nil {
		return rep, err
	}
	// Remember the validators only once the import succeeded, so that a
	// failed import is retried in full.
	sub.ETag, sub.LastModified = got.ETag, got.LastModified
	return rep, nil
}

// RefreshDue refreshes the subscriptions that are due and returns how
// many it handled. Failures of single subscriptions are recorded in
// them and do not stop the round; a store failure does.
func (s *Subscriber) RefreshDue(ctx context.Context) (int, error) {
	due, err := s.cfg.Subscriptions.DueSubscriptions(ctx, s.now().UTC(), MaxDuePerRound)
	if err != nil {
		return 0, fmt.Errorf("ical: due subscriptions: %w", err)
	}
	for i := range due {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		_, _ = s.Refresh(ctx, &due[i]) // recorded in LastError
	}
	return len(due), nil
}

// Run refreshes due subscriptions every poll interval until ctx ends,
// like http.Server.Serve: the embedder owns the goroutine. It returns
// ctx's error.
func (s *Subscriber) Run(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Minute
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := s.RefreshDue(ctx); err != nil && ctx.Err() != nil {
			return ctx.Err()
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// ImportURL fetches a calendar with c (nil means a safehttp.Client with
// MaxImportBytes and DefaultFetchTimeout as limits; see Fetch) and
// imports it; the URL is the source unless opts names one.
func (im *Importer) ImportURL(ctx context.Context, c Doer, t Target, rawURL string, opts *ImportOptions) (*Report, error) {
	got, err := Fetch(ctx, c, rawURL, "", "", 0)
	if err != nil {
		return nil, err
	}
	o := ImportOptions{Source: rawURL}
	if opts != nil {
		o = *opts
		o.Source = cmpOr(o.Source, rawURL)
	}
	return im.Import(ctx, t, bytes.NewReader(got.Body), &o)
}
