package identity

import (
	"context"
	"errors"
	"fmt"
)

// RegisterInput is what a person gives to open an account.
type RegisterInput struct {
	Email       string // see NormalizeEmail
	Password    string // MinPasswordLength characters .. MaxPasswordLength bytes
	Username    string // of the first profile; see CreateProfile
	DisplayName string // of the first profile; optional
	Locale      string // BCP 47, optional ("" = instance default)
	TimeZone    string // IANA, optional ("" = instance default)
}

// Register opens an account (role user, not confirmed) with its first
// profile, which is its default one, in one transaction. Bad input gives
// a *ValidationError naming the field and writes nothing; a taken email
// or username gives an error that is both a *ValidationError (field
// "email" or "username") and ErrConflict.
//
// The profile is not discoverable and approves followers automatically;
// change that with UpdateProfile.
func (s *Service) Register(ctx context.Context, in RegisterInput) (*Account, *Profile, error) {
	email, err := NormalizeEmail(in.Email)
	if err != nil {
		return nil, nil, err
	}
	if err := checkPassword(in.Password); err != nil {
		return nil, nil, err
	}
	if err := checkLocale(in.Locale); err != nil {
		return nil, nil, err
	}
	if err := checkTimeZone(in.TimeZone); err != nil {
		return nil, nil, err
	}
	if err := s.checkUsername(in.Username); err != nil {
		return nil, nil, err
	}
	displayName, err := s.cleanDisplayName("display_name", in.DisplayName)
	if err != nil {
		return nil, nil, err
	}
	// Cheap checks before the costly hashing and key generation; the
	// transaction below still catches a concurrent registration.
	if _, err := s.store.GetAccountByEmail(ctx, email); err == nil {
		return nil, nil, taken("email", "is already registered")
	} else if !isStoreNotFound(err) {
		return nil, nil, storeErr("register", err)
	}
	if err := s.usernameFree(ctx, in.Username); err != nil {
		return nil, nil, err
	}
	hash, err := HashPassword(in.Password, s.argon)
	if err != nil {
		return nil, nil, err
	}
	actor, err := s.buildLocalActor(ctx, TypePerson, in.Username, displayName)
	if err != nil {
		return nil, nil, err
	}
	now := s.clock()
	acct := &Account{
		ID:           s.newID(),
		Email:        email,
		PasswordHash: hash,
		Role:         RoleUser,
		Locale:       in.Locale,
		TimeZone:     in.TimeZone,
		CreatedAt:    now,
		UpdatedAt:    now,
	}
	prof := &Profile{Actor: *actor, AccountID: acct.ID, Default: true}
	err = s.inTx(ctx, func(st Store) error {
		if err := st.CreateAccount(ctx, acct); err != nil {
			if isStoreConflict(err) {
				return taken("email", "is already registered")
			}
			return storeErr("create account", err)
		}
		if err := st.CreateProfile(ctx, prof); err != nil {
			if isStoreConflict(err) {
				return taken("username", "is already taken")
			}
			return storeErr("create profile", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return acct, prof, nil
}

// Authenticate checks an email and password and returns the account.
//
// An unknown email and a wrong password both give ErrBadCredentials,
// after the same work: for an unknown email a dummy hash is verified, so
// that response times do not tell which emails have accounts. Only after
// the right password does the caller learn that the account is suspended
// (ErrSuspended) or not confirmed yet (ErrNotConfirmed). On every error
// the account is nil; GetAccountByEmail finds it for a caller that, say,
// resends a confirmation email.
//
// When the stored hash was made with other parameters than the
// Service's, the password is re-hashed and stored. A failure to store it
// does not fail the login; it is tried again on the next one.
func (s *Service) Authenticate(ctx context.Context, email, password string) (*Account, error) {
	norm, normErr := NormalizeEmail(email)
	var acct *Account
	if normErr == nil {
		a, err := s.store.GetAccountByEmail(ctx, norm)
		switch {
		case err == nil:
			acct = a
		case !isStoreNotFound(err):
			return nil, storeErr("authenticate", err)
		}
	}
	if acct == nil {
		dummy, err := s.dummy()
		if err != nil {
			return nil, err
		}
		_, _ = VerifyPassword(dummy, password)
		return nil, ErrBadCredentials
	}
	ok, err := VerifyPassword(acct.PasswordHash, password)
	if err != nil {
		return nil, fmt.Errorf("identity: authenticate account %s: %w", acct.ID, err)
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	if NeedsRehash(acct.PasswordHash, s.argon) {
		if updated, err := s.rehash(ctx, acct.ID, acct.PasswordHash, password); err == nil {
			acct = updated
		}
	}
	if acct.Suspended {
		return nil, ErrSuspended
	}
	if !acct.Confirmed {
		return nil, ErrNotConfirmed
	}
	if h, err := held(ctx, s.store, acct.ID); err != nil {
		return nil, err
	} else if h {
		return nil, ErrAwaitingApproval
	}
	return acct, nil
}

// dummy returns a hash, made once, with the Service's parameters.
func (s *Service) dummy() (string, error) {
	s.dummyOnce.Do(func() {
		s.dummyHash, s.dummyErr = HashPassword("not the password of anyone", s.argon)
	})
	return s.dummyHash, s.dummyErr
}

// rehash replaces the account's password hash with a fresh one made with
// the current parameters, unless the hash changed meanwhile.
func (s *Service) rehash(ctx context.Context, accountID, oldHash, password string) (*Account, error) {
	hash, err := HashPassword(password, s.argon)
	if err != nil {
		return nil, err
	}
	var out *Account
	err = s.updateAccount(ctx, accountID, func(a *Account) error {
		if a.PasswordHash != oldHash {
			return errors.New("identity: password changed meanwhile")
		}
		a.PasswordHash = hash
		return nil
	}, &out)
	return out, err
}

// updateAccount reads the account, applies change and stores it, in one
// transaction. change returning an error aborts without writing.
func (s *Service) updateAccount(ctx context.Context, accountID string, change func(a *Account) error, out **Account) error {
	now := s.clock()
	return s.inTx(ctx, func(st Store) error {
		a, err := st.GetAccount(ctx, accountID)
		if err != nil {
			return storeErr("account "+accountID, err)
		}
		if err := change(a); err != nil {
			return err
		}
		a.UpdatedAt = now
		if err := st.UpdateAccount(ctx, a); err != nil {
			return storeErr("update account "+accountID, err)
		}
		if out != nil {
			*out = a
		}
		return nil
	})
}

// GetAccount returns an account, or ErrNotFound.
func (s *Service) GetAccount(ctx context.Context, accountID string) (*Account, error) {
	a, err := s.store.GetAccount(ctx, accountID)
	if err != nil {
		return nil, storeErr("account "+accountID, err)
	}
	return a, nil
}

// GetAccountByEmail returns the account of an email address (normalized
// first, see NormalizeEmail), or ErrNotFound. It is for the instance's
// own use (confirmation and password-reset mails, moderation); it must
// not answer anonymous callers, who could probe which emails have
// accounts.
func (s *Service) GetAccountByEmail(ctx context.Context, email string) (*Account, error) {
	norm, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	a, err := s.store.GetAccountByEmail(ctx, norm)
	if err != nil {
		return nil, storeErr("account by email", err)
	}
	return a, nil
}

// ConfirmAccount marks the account's email as confirmed (after the
// person followed the link of a confirmation email; sending it is the
// caller's job). Confirming twice is harmless.
func (s *Service) ConfirmAccount(ctx context.Context, accountID string) (*Account, error) {
	var out *Account
	err := s.updateAccount(ctx, accountID, func(a *Account) error {
		a.Confirmed = true
		return nil
	}, &out)
	return out, err
}

// SetPassword replaces the account's password, after checking the
// password rules (field "password").
func (s *Service) SetPassword(ctx context.Context, accountID, newPassword string) error {
	if err := checkPassword(newPassword); err != nil {
		return err
	}
	if _, err := s.GetAccount(ctx, accountID); err != nil {
		return err // fail before the costly hashing
	}
	hash, err := HashPassword(newPassword, s.argon)
	if err != nil {
		return err
	}
	return s.updateAccount(ctx, accountID, func(a *Account) error {
		a.PasswordHash = hash
		return nil
	}, nil)
}

// SetRole changes the account's role on the instance (field "role" for
// an unknown role). Authorizing the caller is the caller's job.
func (s *Service) SetRole(ctx context.Context, accountID string, role Role) (*Account, error) {
	switch role {
	case RoleUser, RoleModerator, RoleAdmin:
	default:
		return nil, invalid("role", "must be one of user, moderator, admin")
	}
	var out *Account
	err := s.updateAccount(ctx, accountID, func(a *Account) error {
		a.Role = role
		return nil
	}, &out)
	return out, err
}

// Suspend suspends an account (suspended true) or lifts the suspension.
// A suspended account cannot log in (ErrSuspended), cannot act through
// its profiles (ProfileOf) and its feed tokens stop resolving.
func (s *Service) Suspend(ctx context.Context, accountID string, suspended bool) (*Account, error) {
	var out *Account
	err := s.updateAccount(ctx, accountID, func(a *Account) error {
		a.Suspended = suspended
		return nil
	}, &out)
	return out, err
}

// UpdateAccountSettings sets the account's locale (BCP 47, field
// "locale") and time zone (IANA, field "time_zone"); "" unsets either.
func (s *Service) UpdateAccountSettings(ctx context.Context, accountID, locale, timeZone string) (*Account, error) {
	if err := checkLocale(locale); err != nil {
		return nil, err
	}
	if err := checkTimeZone(timeZone); err != nil {
		return nil, err
	}
	var out *Account
	err := s.updateAccount(ctx, accountID, func(a *Account) error {
		a.Locale, a.TimeZone = locale, timeZone
		return nil
	}, &out)
	return out, err
}
