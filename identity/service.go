package identity

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // time zones are validated the same on every system

	"github.com/google/uuid"

	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/internal/htmlsafe"
	"codeberg.org/convene/convene/storage"
)

// Config configures a Service.
type Config struct {
	// Store persists accounts, actors, follows and feed tokens. Required.
	Store Store
	// BaseURL is the instance's public origin, an absolute http or https
	// URL without path, query or fragment ("https://events.example"; one
	// trailing slash is tolerated). Required. Every local actor's URLs
	// derive from it.
	BaseURL string
	// Now returns the current time. Nil means time.Now.
	Now func() time.Time
	// NewID returns a fresh storage id. Nil means uuid.NewString.
	NewID func() string
	// Argon2 are the parameters for new password hashes. The zero value
	// means DefaultArgon2Params.
	Argon2 Argon2Params
	// GenerateKey makes the key pair of a new local actor. Nil means a
	// 2048-bit RSA key from crypto/rand. Keys under 2048 bits are refused.
	GenerateKey func() (*rsa.PrivateKey, error)
	// Hook is told of every follow change inside its transaction;
	// optional (the federation outbox uses it).
	Hook Hook
}

// Service is the identity service: accounts, profiles, local and remote
// actors, follows and feed tokens. It is safe for concurrent use.
type Service struct {
	store   Store
	baseURL string // scheme://host[:port], lower case
	host    string // host[:port], lower case
	now     func() time.Time
	newID   func() string
	argon   Argon2Params
	genKey  func() (*rsa.PrivateKey, error)
	san     *htmlsafe.Sanitizer
	hook    Hook

	dummyOnce sync.Once
	dummyHash string // hashed for unknown emails, so that they take as long
	dummyErr  error
}

// New returns a Service. It refuses a Config without Store or with a
// missing or malformed BaseURL, and invalid Argon2 parameters.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("identity: Config.Store is required")
	}
	baseURL, host, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	s := &Service{
		store:   cfg.Store,
		baseURL: baseURL,
		host:    host,
		now:     cfg.Now,
		newID:   cfg.NewID,
		argon:   cfg.Argon2,
		genKey:  cfg.GenerateKey,
		san:     htmlsafe.New(),
		hook:    cfg.Hook,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = uuid.NewString
	}
	if s.argon == (Argon2Params{}) {
		s.argon = DefaultArgon2Params()
	}
	if err := s.argon.validate(); err != nil {
		return nil, fmt.Errorf("identity: Config.Argon2: %w", err)
	}
	if s.genKey == nil {
		s.genKey = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	return s, nil
}

// BaseURL returns the instance's public origin, as configured and
// normalized (lower-case scheme and host, no trailing slash).
func (s *Service) BaseURL() string { return s.baseURL }

// Host returns the host (with port, if any) of BaseURL, in lower case:
// the Domain of every local actor.
func (s *Service) Host() string { return s.host }

// clock returns the current time, ready to store.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

// inTx runs fn in one transaction with the Store contract of it.
func (s *Service) inTx(ctx context.Context, fn func(st Store) error) error {
	return storage.InTxAs(ctx, s.store, func(_ storage.Tx, st Store) error { return fn(st) })
}

// inTxHook is inTx for changes the hook must see, with the transaction.
func (s *Service) inTxHook(ctx context.Context, fn func(tx storage.Tx, st Store) error) error {
	return storage.InTxAs(ctx, s.store, fn)
}
