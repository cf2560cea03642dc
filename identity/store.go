package identity

import (
	"context"
	"time"

	"codeberg.org/convene/convene/storage"
)

// Store is the storage contract of this package. Methods return the
// storage sentinels (possibly wrapped): storage.ErrNotFound for a missing
// row (also for an Update or Delete that matches nothing, and for a
// write whose parent row is missing), storage.ErrConflict for a taken
// unique key. Empty ids are never keys: looking one up is ErrNotFound and
// two rows with an empty APID do not conflict. Times are stored with at
// least microsecond precision and come back in UTC. A List method's
// limit <= 0 means no limit: services always pass one for anything a
// user can make long. storage/storagetest checks all of this.
type Store interface {
	storage.Transactor
	SessionStore

	// CreateAccount inserts a. ErrConflict when the email is taken.
	CreateAccount(ctx context.Context, a *Account) error
	// UpdateAccount replaces the stored account with a's fields (by ID).
	// ErrNotFound, or ErrConflict on a taken email.
	UpdateAccount(ctx context.Context, a *Account) error
	GetAccount(ctx context.Context, id string) (*Account, error)
	// GetAccountByEmail looks up by normalized email.
	GetAccountByEmail(ctx context.Context, email string) (*Account, error)

	// CreateActor inserts an actor. ErrConflict when its APID is taken,
	// or, for a local actor, its username (usernames of local actors are
	// unique on the instance, compared case-insensitively).
	CreateActor(ctx context.Context, a *Actor) error
	// UpdateActor replaces the stored actor with a's fields (by ID).
	UpdateActor(ctx context.Context, a *Actor) error
	GetActor(ctx context.Context, id string) (*Actor, error)
	GetActorByAPID(ctx context.Context, apID string) (*Actor, error)
	// GetLocalActor finds a local actor (profile, group or instance
	// actor) by username, case-insensitively.
	GetLocalActor(ctx context.Context, username string) (*Actor, error)

	// CreateProfile inserts the profile's actor and its link to the
	// account. When p.Default is set, the account's other profiles stop
	// being default.
	CreateProfile(ctx context.Context, p *Profile) error
	GetProfile(ctx context.Context, id string) (*Profile, error)
	// ListProfiles returns an account's profiles, default first, then by
	// creation.
	ListProfiles(ctx context.Context, accountID string) ([]Profile, error)
	// SetDefaultProfile makes profileID the only default profile of
	// accountID. ErrNotFound when the profile is not the account's.
	SetDefaultProfile(ctx context.Context, accountID, profileID string) error
	// DeleteProfile removes a profile and its actor.
	DeleteProfile(ctx context.Context, id string) error

	// PutFollow inserts or updates the follow between f.FollowerID and
	// f.FollowedID (one row per pair; ID and CreatedAt of an existing row
	// are kept and copied back into f).
	PutFollow(ctx context.Context, f *Follow) error
	GetFollow(ctx context.Context, followerID, followedID string) (*Follow, error)
	GetFollowByAPID(ctx context.Context, apID string) (*Follow, error)
	DeleteFollow(ctx context.Context, followerID, followedID string) error
	// ListFollowers returns follows of followedID in the given state,
	// ordered by (CreatedAt, ID), after the cursor, at most limit.
	ListFollowers(ctx context.Context, followedID string, state FollowState, after storage.Cursor, limit int) ([]Follow, error)
	// ListFollowing is ListFollowers from the follower's side.
	ListFollowing(ctx context.Context, followerID string, state FollowState, after storage.Cursor, limit int) ([]Follow, error)

	CreateFeedToken(ctx context.Context, t *FeedToken) error
	// GetFeedTokenByHash finds a token by the SHA-256 of its text,
	// revoked ones included (the caller checks RevokedAt).
	GetFeedTokenByHash(ctx context.Context, hash []byte) (*FeedToken, error)
	ListFeedTokens(ctx context.Context, accountID string) ([]FeedToken, error)
	RevokeFeedToken(ctx context.Context, id string, at time.Time) error
}

// SessionStore keeps the sign-in sessions of accounts (see
// Service.CreateSession). Only the SHA-256 of a session's token is
// stored. The rules of Store apply.
type SessionStore interface {
	// CreateSession inserts s. ErrConflict on a taken ID or Hash;
	// ErrNotFound when the account does not exist.
	CreateSession(ctx context.Context, s *Session) error
	// GetSessionByHash finds a session by the SHA-256 of its token
	// text, expired ones included (the caller checks LastUsedAt).
	GetSessionByHash(ctx context.Context, hash []byte) (*Session, error)
	// ListSessions returns an account's sessions, expired ones
	// included, ordered by (CreatedAt, ID).
	ListSessions(ctx context.Context, accountID string) ([]Session, error)
	// TouchSession sets the session's LastUsedAt. ErrNotFound for an
	// unknown id.
	TouchSession(ctx context.Context, id string, lastUsedAt time.Time) error
	// DeleteSession removes a session. ErrNotFound for an unknown id.
	DeleteSession(ctx context.Context, id string) error
}
