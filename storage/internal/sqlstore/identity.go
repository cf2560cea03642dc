package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// Accounts.

const accountCols = `id, email, password_hash, confirmed, role, suspended, locale, time_zone, created_at, updated_at`

func scanAccount(sc func(dest ...any) error) (*identity.Account, error) {
	var a identity.Account
	err := sc(&a.ID, &a.Email, &a.PasswordHash, &a.Confirmed, &a.Role, &a.Suspended, &a.Locale, &a.TimeZone,
		timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// CreateAccount inserts a. ErrConflict when its ID or email is taken.
func (s *store) CreateAccount(ctx context.Context, a *identity.Account) error {
	if a.ID == "" {
		return errors.New("sqlstore: create account: empty ID")
	}
	_, err := s.exec(ctx, "create account",
		`INSERT INTO accounts (`+accountCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.Email, a.PasswordHash, a.Confirmed, string(a.Role), a.Suspended, a.Locale, a.TimeZone,
		s.d.Time(a.CreatedAt), s.d.Time(a.UpdatedAt))
	return err
}

// UpdateAccount replaces the stored account by ID.
func (s *store) UpdateAccount(ctx context.Context, a *identity.Account) error {
	return s.execOne(ctx, "update account",
		`UPDATE accounts SET email = ?, password_hash = ?, confirmed = ?, role = ?, suspended = ?, locale = ?,
		time_zone = ?, created_at = ?, updated_at = ? WHERE id = ?`,
		a.Email, a.PasswordHash, a.Confirmed, string(a.Role), a.Suspended, a.Locale, a.TimeZone,
		s.d.Time(a.CreatedAt), s.d.Time(a.UpdatedAt), a.ID)
}

// GetAccount returns an account by ID.
func (s *store) GetAccount(ctx context.Context, id string) (*identity.Account, error) {
	a, err := scanAccount(s.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`, id).Scan)
	return a, s.wrap("get account", err)
}

// GetAccountByEmail returns an account by its normalized email.
func (s *store) GetAccountByEmail(ctx context.Context, email string) (*identity.Account, error) {
	if email == "" {
		return nil, s.notFound("get account by email")
	}
	a, err := scanAccount(s.queryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE email = ?`, email).Scan)
	return a, s.wrap("get account by email", err)
}

// Actors.

const actorCols = `a.id, a.ap_id, a.type, a.local, a.username, a.domain, a.display_name, a.summary,
	a.avatar_url, a.banner_url, a.url, a.inbox, a.shared_inbox, a.outbox, a.followers, a.following,
	a.public_key_id, a.public_key_pem, a.private_key_pem, a.discoverable, a.manually_approves_followers,
	a.fetched_at, a.created_at, a.updated_at`

func actorDest(a *identity.Actor) []any {
	return []any{&a.ID, strCol{&a.APID}, &a.Type, &a.Local, &a.Username, &a.Domain, &a.DisplayName, &a.Summary,
		&a.AvatarURL, &a.BannerURL, &a.URL, &a.Inbox, &a.SharedInbox, &a.Outbox, &a.Followers, &a.Following,
		&a.PublicKeyID, &a.PublicKeyPEM, &a.PrivateKeyPEM, &a.Discoverable, &a.ManuallyApprovesFollowers,
		timeCol{&a.FetchedAt}, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}}
}

func scanActor(sc func(dest ...any) error) (*identity.Actor, error) {
	var a identity.Actor
	if err := sc(actorDest(&a)...); err != nil {
		return nil, err
	}
	return &a, nil
}

// actorArgs are the values of every actor column but id, in actorCols
// order.
func (s *store) actorArgs(a *identity.Actor) []any {
	return []any{nullStr(a.APID), string(a.Type), a.Local, a.Username, a.Domain, a.DisplayName, a.Summary,
		a.AvatarURL, a.BannerURL, a.URL, a.Inbox, a.SharedInbox, a.Outbox, a.Followers, a.Following,
		a.PublicKeyID, a.PublicKeyPEM, a.PrivateKeyPEM, a.Discoverable, a.ManuallyApprovesFollowers,
		s.d.nullTime(a.FetchedAt), s.d.Time(a.CreatedAt), s.d.Time(a.UpdatedAt)}
}

func (s *store) insertActor(ctx context.Context, op string, a *identity.Actor) error {
	if a.ID == "" {
		return fmt.Errorf("sqlstore: %s: empty ID", op)
	}
	_, err := s.exec(ctx, op,
		`INSERT INTO actors (id, ap_id, type, local, username, domain, display_name, summary,
		avatar_url, banner_url, url, inbox, shared_inbox, outbox, followers, following,
		public_key_id, public_key_pem, private_key_pem, discoverable, manually_approves_followers,
		fetched_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{a.ID}, s.actorArgs(a)...)...)
	return err
}

func (s *store) updateActor(ctx context.Context, op string, a *identity.Actor) error {
	return s.execOne(ctx, op,
		`UPDATE actors SET ap_id = ?, type = ?, local = ?, username = ?, domain = ?, display_name = ?,
		summary = ?, avatar_url = ?, banner_url = ?, url = ?, inbox = ?, shared_inbox = ?, outbox = ?,
		followers = ?, following = ?, public_key_id = ?, public_key_pem = ?, private_key_pem = ?,
		discoverable = ?, manually_approves_followers = ?, fetched_at = ?, created_at = ?, updated_at = ?
		WHERE id = ?`,
		append(s.actorArgs(a), a.ID)...)
}

// CreateActor inserts an actor. ErrConflict on a taken ID, APID or local
// username.
func (s *store) CreateActor(ctx context.Context, a *identity.Actor) error {
	return s.insertActor(ctx, "create actor", a)
}

// UpdateActor replaces the stored actor by ID.
func (s *store) UpdateActor(ctx context.Context, a *identity.Actor) error {
	return s.updateActor(ctx, "update actor", a)
}

// GetActor returns an actor by ID.
func (s *store) GetActor(ctx context.Context, id string) (*identity.Actor, error) {
	a, err := scanActor(s.queryRow(ctx, `SELECT `+actorCols+` FROM actors a WHERE a.id = ?`, id).Scan)
	return a, s.wrap("get actor", err)
}

// GetActorByAPID returns an actor by its ActivityPub id.
func (s *store) GetActorByAPID(ctx context.Context, apID string) (*identity.Actor, error) {
	if apID == "" {
		return nil, s.notFound("get actor by ap id")
	}
	a, err := scanActor(s.queryRow(ctx, `SELECT `+actorCols+` FROM actors a WHERE a.ap_id = ?`, apID).Scan)
	return a, s.wrap("get actor by ap id", err)
}

// GetLocalActor returns a local actor by username, case-insensitively.
func (s *store) GetLocalActor(ctx context.Context, username string) (*identity.Actor, error) {
	if username == "" {
		return nil, s.notFound("get local actor")
	}
	a, err := scanActor(s.queryRow(ctx,
		`SELECT `+actorCols+` FROM actors a WHERE a.local AND lower(a.username) = lower(?)`, username).Scan)
	return a, s.wrap("get local actor", err)
}

// Profiles.

const profileCols = actorCols + `, p.account_id, p.is_default`

func scanProfile(sc func(dest ...any) error) (*identity.Profile, error) {
	var p identity.Profile
	if err := sc(append(actorDest(&p.Actor), &p.AccountID, &p.Default)...); err != nil {
		return nil, err
	}
	return &p, nil
}

// CreateProfile inserts the profile's actor and its link to the account;
// a default profile takes the default from the account's others.
func (s *store) CreateProfile(ctx context.Context, p *identity.Profile) error {
	return s.atomic(ctx, func(s *store) error {
		if err := s.insertActor(ctx, "create profile", &p.Actor); err != nil {
			return err
		}
		if _, err := s.exec(ctx, "create profile",
			`INSERT INTO profiles (actor_id, account_id, is_default) VALUES (?, ?, ?)`,
			p.ID, p.AccountID, p.Default); err != nil {
			return err
		}
		if p.Default {
			_, err := s.exec(ctx, "create profile",
				`UPDATE profiles SET is_default = FALSE WHERE account_id = ? AND actor_id <> ? AND is_default`,
				p.AccountID, p.ID)
			return err
		}
		return nil
	})
}

// GetProfile returns a profile by its actor ID.
func (s *store) GetProfile(ctx context.Context, id string) (*identity.Profile, error) {
	p, err := scanProfile(s.queryRow(ctx,
		`SELECT `+profileCols+` FROM profiles p JOIN actors a ON a.id = p.actor_id WHERE p.actor_id = ?`, id).Scan)
	return p, s.wrap("get profile", err)
}

// ListProfiles returns an account's profiles, default first, then by
// creation.
func (s *store) ListProfiles(ctx context.Context, accountID string) ([]identity.Profile, error) {
	rows, err := s.query(ctx,
		`SELECT `+profileCols+` FROM profiles p JOIN actors a ON a.id = p.actor_id
		WHERE p.account_id = ? ORDER BY p.is_default DESC, a.created_at, a.id`, accountID)
	if err != nil {
		return nil, s.wrap("list profiles", err)
	}
	out, err := collect(rows, func(sc func(...any) error) (identity.Profile, error) {
		p, err := scanProfile(sc)
		if err != nil {
			return identity.Profile{}, err
		}
		return *p, nil
	})
	return out, s.wrap("list profiles", err)
}

// SetDefaultProfile makes profileID the only default profile of
// accountID. ErrNotFound when the profile is not the account's.
func (s *store) SetDefaultProfile(ctx context.Context, accountID, profileID string) error {
	return s.atomic(ctx, func(s *store) error {
		if err := s.execOne(ctx, "set default profile",
			`UPDATE profiles SET is_default = TRUE WHERE actor_id = ? AND account_id = ?`,
			profileID, accountID); err != nil {
			return err
		}
		_, err := s.exec(ctx, "set default profile",
			`UPDATE profiles SET is_default = FALSE WHERE account_id = ? AND actor_id <> ? AND is_default`,
			accountID, profileID)
		return err
	})
}

// DeleteProfile removes a profile and its actor (with the actor's
// follows and memberships).
func (s *store) DeleteProfile(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete profile",
		`DELETE FROM actors WHERE id = ? AND EXISTS (SELECT 1 FROM profiles p WHERE p.actor_id = actors.id)`, id)
}

// Follows.

const followCols = `id, ap_id, follower_id, followed_id, state, created_at, updated_at`

func scanFollow(sc func(dest ...any) error) (identity.Follow, error) {
	var f identity.Follow
	err := sc(&f.ID, strCol{&f.APID}, &f.FollowerID, &f.FollowedID, &f.State, timeCol{&f.CreatedAt}, timeCol{&f.UpdatedAt})
	return f, err
}

func scanFollowPtr(sc func(dest ...any) error) (*identity.Follow, error) {
	f, err := scanFollow(sc)
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// PutFollow inserts or updates the follow of the pair; the ID and
// CreatedAt of an existing row are kept and copied back into f.
func (s *store) PutFollow(ctx context.Context, f *identity.Follow) error {
	if f.ID == "" {
		return errors.New("sqlstore: put follow: empty ID")
	}
	var id string
	var created time.Time
	err := s.w.QueryRowContext(ctx, s.d.rebind(
		`INSERT INTO follows (`+followCols+`) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (follower_id, followed_id) DO UPDATE SET
		ap_id = excluded.ap_id, state = excluded.state, updated_at = excluded.updated_at
		RETURNING id, created_at`),
		f.ID, nullStr(f.APID), f.FollowerID, f.FollowedID, string(f.State),
		s.d.Time(f.CreatedAt), s.d.Time(f.UpdatedAt)).Scan(&id, timeCol{&created})
	if err != nil {
		return s.wrap("put follow", err)
	}
	f.ID, f.CreatedAt = id, created
	return nil
}

// GetFollow returns the follow of a pair.
func (s *store) GetFollow(ctx context.Context, followerID, followedID string) (*identity.Follow, error) {
	f, err := scanFollowPtr(s.queryRow(ctx,
		`SELECT `+followCols+` FROM follows WHERE follower_id = ? AND followed_id = ?`, followerID, followedID).Scan)
	return f, s.wrap("get follow", err)
}

// GetFollowByAPID returns a follow by its activity's id.
func (s *store) GetFollowByAPID(ctx context.Context, apID string) (*identity.Follow, error) {
	if apID == "" {
		return nil, s.notFound("get follow by ap id")
	}
	f, err := scanFollowPtr(s.queryRow(ctx, `SELECT `+followCols+` FROM follows WHERE ap_id = ?`, apID).Scan)
	return f, s.wrap("get follow by ap id", err)
}

// DeleteFollow removes the follow of a pair.
func (s *store) DeleteFollow(ctx context.Context, followerID, followedID string) error {
	return s.execOne(ctx, "delete follow",
		`DELETE FROM follows WHERE follower_id = ? AND followed_id = ?`, followerID, followedID)
}

// ListFollowers returns the follows of followedID in state.
func (s *store) ListFollowers(ctx context.Context, followedID string, state identity.FollowState, after storage.Cursor, limit int) ([]identity.Follow, error) {
	return s.listFollows(ctx, "list followers", "followed_id", followedID, state, after, limit)
}

// ListFollowing returns the follows by followerID in state.
func (s *store) ListFollowing(ctx context.Context, followerID string, state identity.FollowState, after storage.Cursor, limit int) ([]identity.Follow, error) {
	return s.listFollows(ctx, "list following", "follower_id", followerID, state, after, limit)
}

func (s *store) listFollows(ctx context.Context, op, col, actorID string, state identity.FollowState, after storage.Cursor, limit int) ([]identity.Follow, error) {
	var p page
	p.add(col+" = ?", actorID)
	if state != "" {
		p.add("state = ?", string(state))
	}
	rows, err := s.query(ctx, `SELECT `+followCols+` FROM follows`+p.sql(s.d, "created_at", after, limit), p.args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := collect(rows, scanFollow)
	return out, s.wrap(op, err)
}

// Feed tokens.

const feedTokenCols = `id, hash, account_id, profile_id, created_at, revoked_at`

func scanFeedToken(sc func(dest ...any) error) (identity.FeedToken, error) {
	var t identity.FeedToken
	err := sc(&t.ID, &t.Hash, &t.AccountID, &t.ProfileID, timeCol{&t.CreatedAt}, timeCol{&t.RevokedAt})
	return t, err
}

// CreateFeedToken inserts t. ErrConflict on a taken ID or hash.
func (s *store) CreateFeedToken(ctx context.Context, t *identity.FeedToken) error {
	switch {
	case t.ID == "":
		return errors.New("sqlstore: create feed token: empty ID")
	case len(t.Hash) == 0:
		return errors.New("sqlstore: create feed token: empty hash")
	}
	_, err := s.exec(ctx, "create feed token",
		`INSERT INTO feed_tokens (`+feedTokenCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		t.ID, t.Hash, t.AccountID, t.ProfileID, s.d.Time(t.CreatedAt), s.d.nullTime(t.RevokedAt))
	return err
}

// GetFeedTokenByHash finds a token by hash, revoked ones included.
func (s *store) GetFeedTokenByHash(ctx context.Context, hash []byte) (*identity.FeedToken, error) {
	if len(hash) == 0 {
		return nil, s.notFound("get feed token")
	}
	t, err := scanFeedToken(s.queryRow(ctx, `SELECT `+feedTokenCols+` FROM feed_tokens WHERE hash = ?`, hash).Scan)
	if err != nil {
		return nil, s.wrap("get feed token", err)
	}
	return &t, nil
}

// ListFeedTokens returns an account's tokens, revoked ones included, by
// creation.
func (s *store) ListFeedTokens(ctx context.Context, accountID string) ([]identity.FeedToken, error) {
	rows, err := s.query(ctx,
		`SELECT `+feedTokenCols+` FROM feed_tokens WHERE account_id = ? ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, s.wrap("list feed tokens", err)
	}
	out, err := collect(rows, scanFeedToken)
	return out, s.wrap("list feed tokens", err)
}

// RevokeFeedToken sets the token's RevokedAt. ErrNotFound for an unknown
// id.
func (s *store) RevokeFeedToken(ctx context.Context, id string, at time.Time) error {
	return s.execOne(ctx, "revoke feed token", `UPDATE feed_tokens SET revoked_at = ? WHERE id = ?`,
		s.d.nullTime(at), id)
}
