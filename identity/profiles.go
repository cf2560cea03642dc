package identity

import (
	"context"
	"strings"
)

// MaxProfilesPerAccount is the most profiles one account may have.
const MaxProfilesPerAccount = 10

// ProfileInput describes a new profile.
type ProfileInput struct {
	// Username: 1 to MaxUsernameLength characters among a-z, 0-9 and _,
	// unique on the instance, not reserved (see below). It cannot change
	// later: it is part of the profile's ActivityPub id.
	Username string
	// DisplayName: plain text, at most MaxDisplayNameLength characters;
	// markup is removed. Optional.
	DisplayName string
	// Summary: HTML, at most MaxSummaryLength characters, sanitized.
	// Optional.
	Summary string
	// AvatarURL and BannerURL: absolute http(s) URLs of at most
	// MaxURLLength bytes. Optional.
	AvatarURL string
	BannerURL string
	// Discoverable: whether the profile may be listed and suggested.
	Discoverable bool
}

// ProfileUpdate changes a profile: nil fields stay as they are. The
// rules are those of ProfileInput. The username cannot change.
type ProfileUpdate struct {
	DisplayName  *string
	Summary      *string
	AvatarURL    *string
	BannerURL    *string
	Discoverable *bool
}

// profileFields is ProfileInput minus the username, after checks.
type profileFields struct {
	displayName, summary, avatarURL, bannerURL string
}

func (s *Service) cleanProfileFields(displayName, summary, avatarURL, bannerURL string) (profileFields, error) {
	var f profileFields
	var err error
	if f.displayName, err = s.cleanDisplayName("display_name", displayName); err != nil {
		return f, err
	}
	if f.summary, err = s.cleanSummary("summary", summary); err != nil {
		return f, err
	}
	f.avatarURL, f.bannerURL = strings.TrimSpace(avatarURL), strings.TrimSpace(bannerURL)
	if err := checkURL("avatar_url", f.avatarURL, false); err != nil {
		return f, err
	}
	if err := checkURL("banner_url", f.bannerURL, false); err != nil {
		return f, err
	}
	return f, nil
}

// CreateProfile adds a profile (a local Person actor) to an account. The
// account's first profile is its default one. Bad input gives a
// *ValidationError naming the field and writes nothing; a taken username
// is also ErrConflict; an account with MaxProfilesPerAccount profiles
// gets a *ValidationError for field "profiles".
//
// Reserved usernames: actor, api, events, feed, inbox, instance,
// nodeinfo, outbox, relay, webfinger, well_known, and the instance's host.
func (s *Service) CreateProfile(ctx context.Context, accountID string, in ProfileInput) (*Profile, error) {
	if err := s.checkUsername(in.Username); err != nil {
		return nil, err
	}
	f, err := s.cleanProfileFields(in.DisplayName, in.Summary, in.AvatarURL, in.BannerURL)
	if err != nil {
		return nil, err
	}
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	if err := s.usernameFree(ctx, in.Username); err != nil {
		return nil, err
	}
	actor, err := s.buildLocalActor(ctx, TypePerson, in.Username, f.displayName)
	if err != nil {
		return nil, err
	}
	actor.Summary, actor.AvatarURL, actor.BannerURL = f.summary, f.avatarURL, f.bannerURL
	actor.Discoverable = in.Discoverable
	var out *Profile
	err = s.inTx(ctx, func(st Store) error {
		list, err := st.ListProfiles(ctx, accountID)
		if err != nil {
			return storeErr("list profiles", err)
		}
		if len(list) >= MaxProfilesPerAccount {
			return invalid("profiles", "an account has at most %d profiles", MaxProfilesPerAccount)
		}
		p := &Profile{Actor: *actor, AccountID: accountID, Default: len(list) == 0}
		if err := st.CreateProfile(ctx, p); err != nil {
			if isStoreConflict(err) {
				return taken("username", "is already taken")
			}
			return storeErr("create profile", err)
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ProfileOf returns the profile profileID for acting as it on behalf of
// accountID. It is the one authorization point for "this account acts as
// this profile": every caller that lets a signed-in account join, comment,
// organize or manage a group as a profile must get the profile through
// it, and no other function of this package ties a profile to another
// account's request.
//
// It returns ErrNotFound when the profile does not exist, ErrForbidden
// (not the profile) when it belongs to another account, and ErrSuspended
// when the account is suspended.
func (s *Service) ProfileOf(ctx context.Context, accountID, profileID string) (*Profile, error) {
	return s.profileOf(ctx, s.store, accountID, profileID)
}

func (s *Service) profileOf(ctx context.Context, st Store, accountID, profileID string) (*Profile, error) {
	p, err := st.GetProfile(ctx, profileID)
	if err != nil {
		return nil, storeErr("profile "+profileID, err)
	}
	if p.AccountID != accountID {
		return nil, ErrForbidden
	}
	a, err := st.GetAccount(ctx, accountID)
	if err != nil {
		return nil, storeErr("account "+accountID, err)
	}
	if a.Suspended {
		return nil, ErrSuspended
	}
	if h, err := held(ctx, st, accountID); err != nil {
		return nil, err
	} else if h {
		return nil, ErrAwaitingApproval
	}
	if ss, ok := st.(SuspensionStore); ok {
		if _, err := ss.ActorSuspendedAt(ctx, p.ID); err == nil {
			return nil, ErrSuspended // this profile, by a moderator
		} else if !isStoreNotFound(err) {
			return nil, storeErr("profile "+profileID, err)
		}
	}
	return p, nil
}

// GetProfile returns a profile by id (its actor's id), or ErrNotFound.
// The result holds the owning AccountID and the private key: callers
// must not show either to anyone but the instance itself. Nothing shown
// publicly may link two profiles of one account.
func (s *Service) GetProfile(ctx context.Context, profileID string) (*Profile, error) {
	p, err := s.store.GetProfile(ctx, profileID)
	if err != nil {
		return nil, storeErr("profile "+profileID, err)
	}
	return p, nil
}

// ListProfiles returns an account's profiles, the default one first,
// then by creation. ErrNotFound for an unknown account.
func (s *Service) ListProfiles(ctx context.Context, accountID string) ([]Profile, error) {
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return nil, err
	}
	list, err := s.store.ListProfiles(ctx, accountID)
	if err != nil {
		return nil, storeErr("list profiles", err)
	}
	return list, nil
}

// UpdateProfile changes a profile of the account (see ProfileOf for the
// errors when it is not the account's). Bad input gives a
// *ValidationError naming the field and writes nothing.
func (s *Service) UpdateProfile(ctx context.Context, accountID, profileID string, up ProfileUpdate) (*Profile, error) {
	var err error
	var name, summary, avatar, banner string
	if up.DisplayName != nil {
		if name, err = s.cleanDisplayName("display_name", *up.DisplayName); err != nil {
			return nil, err
		}
	}
	if up.Summary != nil {
		if summary, err = s.cleanSummary("summary", *up.Summary); err != nil {
			return nil, err
		}
	}
	if up.AvatarURL != nil {
		avatar = strings.TrimSpace(*up.AvatarURL)
		if err := checkURL("avatar_url", avatar, false); err != nil {
			return nil, err
		}
	}
	if up.BannerURL != nil {
		banner = strings.TrimSpace(*up.BannerURL)
		if err := checkURL("banner_url", banner, false); err != nil {
			return nil, err
		}
	}
	now := s.clock()
	var out *Profile
	err = s.inTx(ctx, func(st Store) error {
		p, err := s.profileOf(ctx, st, accountID, profileID)
		if err != nil {
			return err
		}
		if up.DisplayName != nil {
			p.DisplayName = name
		}
		if up.Summary != nil {
			p.Summary = summary
		}
		if up.AvatarURL != nil {
			p.AvatarURL = avatar
		}
		if up.BannerURL != nil {
			p.BannerURL = banner
		}
		if up.Discoverable != nil {
			p.Discoverable = *up.Discoverable
		}
		p.UpdatedAt = now
		if err := st.UpdateActor(ctx, &p.Actor); err != nil {
			return storeErr("update profile "+profileID, err)
		}
		out = p
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// SetDefaultProfile makes a profile of the account its default one.
func (s *Service) SetDefaultProfile(ctx context.Context, accountID, profileID string) error {
	return s.inTx(ctx, func(st Store) error {
		if _, err := s.profileOf(ctx, st, accountID, profileID); err != nil {
			return err
		}
		return storeErr("set default profile", st.SetDefaultProfile(ctx, accountID, profileID))
	})
}

// DeleteProfile deletes a profile of the account, with its actor, and
// revokes the feed tokens made for it. An account keeps at least one
// profile (ErrLastProfile). When the default profile goes, the next one
// (the oldest) becomes the default.
func (s *Service) DeleteProfile(ctx context.Context, accountID, profileID string) error {
	now := s.clock()
	return s.inTx(ctx, func(st Store) error {
		p, err := s.profileOf(ctx, st, accountID, profileID)
		if err != nil {
			return err
		}
		list, err := st.ListProfiles(ctx, accountID)
		if err != nil {
			return storeErr("list profiles", err)
		}
		if len(list) <= 1 {
			return ErrLastProfile
		}
		tokens, err := st.ListFeedTokens(ctx, accountID)
		if err != nil {
			return storeErr("list feed tokens", err)
		}
		for _, t := range tokens {
			if t.ProfileID == profileID && t.RevokedAt.IsZero() {
				if err := st.RevokeFeedToken(ctx, t.ID, now); err != nil {
					return storeErr("revoke feed token", err)
				}
			}
		}
		if err := st.DeleteProfile(ctx, profileID); err != nil {
			return storeErr("delete profile "+profileID, err)
		}
		if !p.Default {
			return nil
		}
		for _, other := range list {
			if other.ID != profileID {
				return storeErr("set default profile", st.SetDefaultProfile(ctx, accountID, other.ID))
			}
		}
		return nil
	})
}
