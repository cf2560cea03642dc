package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
)

// Feed token limits.
const (
	// FeedTokenBytes is the number of random bytes in a feed token; its
	// text is their unpadded base64url encoding (43 characters).
	FeedTokenBytes = 32
	// MaxFeedTokensPerAccount is the most valid (not revoked) feed
	// tokens an account may hold.
	MaxFeedTokensPerAccount = 20
)

// feedTokenTextLength is the length of a token's text: unpadded base64
// of FeedTokenBytes bytes.
const feedTokenTextLength = (FeedTokenBytes*8 + 5) / 6

// CreateFeedToken makes a token for a private calendar feed of the
// account: of all its profiles when profileID is "", or of one of its
// profiles (ErrForbidden when it is another account's). The token text
// is returned once: only its SHA-256 is stored. An account holds at most
// MaxFeedTokensPerAccount valid tokens (field "feed_tokens").
func (s *Service) CreateFeedToken(ctx context.Context, accountID, profileID string) (string, *FeedToken, error) {
	raw := make([]byte, FeedTokenBytes)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, fmt.Errorf("identity: feed token: %w", err)
	}
	text := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(text))
	now := s.clock()
	t := &FeedToken{ID: s.newID(), Hash: sum[:], AccountID: accountID, ProfileID: profileID, CreatedAt: now}
	err := s.inTx(ctx, func(st Store) error {
		a, err := st.GetAccount(ctx, accountID)
		if err != nil {
			return storeErr("account "+accountID, err)
		}
		if a.Suspended {
			return ErrSuspended
		}
		if profileID != "" {
			if _, err := s.profileOf(ctx, st, accountID, profileID); err != nil {
				return err
			}
		}
		list, err := st.ListFeedTokens(ctx, accountID)
		if err != nil {
			return storeErr("list feed tokens", err)
		}
		valid := 0
		for _, x := range list {
			if x.RevokedAt.IsZero() {
				valid++
			}
		}
		if valid >= MaxFeedTokensPerAccount {
			return invalid("feed_tokens", "an account holds at most %d feed tokens; revoke one first", MaxFeedTokensPerAccount)
		}
		return storeErr("create feed token", st.CreateFeedToken(ctx, t))
	})
	if err != nil {
		return "", nil, err
	}
	return text, t, nil
}

// ResolveFeedToken returns the valid feed token whose text is token.
// Unknown, malformed and revoked tokens, and tokens of suspended
// accounts, all give ErrNotFound, so a feed handler answers them alike.
func (s *Service) ResolveFeedToken(ctx context.Context, token string) (*FeedToken, error) {
	notFound := fmt.Errorf("feed token: %w", ErrNotFound)
	if len(token) != feedTokenTextLength {
		return nil, notFound
	}
	if raw, err := base64.RawURLEncoding.Strict().DecodeString(token); err != nil || len(raw) != FeedTokenBytes {
		return nil, notFound
	}
	sum := sha256.Sum256([]byte(token))
	t, err := s.store.GetFeedTokenByHash(ctx, sum[:])
	if err != nil {
		if isStoreNotFound(err) {
			return nil, notFound
		}
		return nil, storeErr("feed token", err)
	}
	if subtle.ConstantTimeCompare(t.Hash, sum[:]) != 1 || !t.RevokedAt.IsZero() {
		return nil, notFound
	}
	a, err := s.store.GetAccount(ctx, t.AccountID)
	if err != nil {
		return nil, storeErr("feed token account", err)
	}
	if a.Suspended {
		return nil, notFound
	}
	return t, nil
}

// RevokeFeedToken revokes a token of the account. ErrNotFound when the
// account has no such token; revoking twice changes nothing.
func (s *Service) RevokeFeedToken(ctx context.Context, accountID, tokenID string) error {
	now := s.clock()
	return s.inTx(ctx, func(st Store) error {
		list, err := st.ListFeedTokens(ctx, accountID)
		if err != nil {
			return storeErr("list feed tokens", err)
		}
		for _, t := range list {
			if t.ID != tokenID {
				continue
			}
			if !t.RevokedAt.IsZero() {
				return nil
			}
			return storeErr("revoke feed token", st.RevokeFeedToken(ctx, tokenID, now))
		}
		return fmt.Errorf("feed token %s: %w", tokenID, ErrNotFound)
	})
}

// ListFeedTokens returns the account's feed tokens, revoked ones
// included (RevokedAt set).
func (s *Service) ListFeedTokens(ctx context.Context, accountID string) ([]FeedToken, error) {
	list, err := s.store.ListFeedTokens(ctx, accountID)
	if err != nil {
		return nil, storeErr("list feed tokens", err)
	}
	return list, nil
}
