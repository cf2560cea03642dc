package identity_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func TestRegister(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	now := e.clock.Now().UTC().Truncate(time.Microsecond)

	a, p, err := e.svc.Register(ctx, identity.RegisterInput{
		Email:       "  Alice@Example.ORG ",
		Password:    "correct horse battery",
		Username:    "alice",
		DisplayName: "Alice <b>Liddell</b>",
		Locale:      "en-GB",
		TimeZone:    "Europe/London",
	})
	require.NoError(t, err)

	assert.NotEmpty(t, a.ID)
	assert.Equal(t, "alice@example.org", a.Email)
	assert.Equal(t, identity.RoleUser, a.Role)
	assert.False(t, a.Confirmed)
	assert.False(t, a.Suspended)
	assert.Equal(t, "en-GB", a.Locale)
	assert.Equal(t, "Europe/London", a.TimeZone)
	assert.Equal(t, now, a.CreatedAt)
	assert.Equal(t, now, a.UpdatedAt)
	ok, err := identity.VerifyPassword(a.PasswordHash, "correct horse battery")
	require.NoError(t, err)
	assert.True(t, ok)

	assert.Equal(t, a.ID, p.AccountID)
	assert.True(t, p.Default)
	assert.Equal(t, identity.TypePerson, p.Type)
	assert.True(t, p.Local)
	assert.Equal(t, "alice", p.Username)
	assert.Equal(t, "Alice Liddell", p.DisplayName)
	assert.Equal(t, "https://events.example/@alice", p.APID)
	assert.Equal(t, "@alice@events.example", p.Handle())
	assert.False(t, p.Discoverable)
	assert.False(t, p.ManuallyApprovesFollowers)

	stored, err := e.svc.GetAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, stored)
	profiles, err := e.svc.ListProfiles(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, profiles, 1)
	assert.Equal(t, *p, profiles[0])
	byEmail, err := e.svc.GetAccountByEmail(ctx, "ALICE@example.org")
	require.NoError(t, err)
	assert.Equal(t, a.ID, byEmail.ID)
}

func TestRegisterRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ok := identity.RegisterInput{Email: "bob@example.org", Password: "long enough pw", Username: "bob"}
	tests := []struct {
		name  string
		edit  func(in *identity.RegisterInput)
		field string
	}{
		{"no email", func(in *identity.RegisterInput) { in.Email = "" }, "email"},
		{"bad email", func(in *identity.RegisterInput) { in.Email = "Bob <bob@example.org>" }, "email"},
		{"short password", func(in *identity.RegisterInput) { in.Password = "123456789" }, "password"},
		{"short multibyte password", func(in *identity.RegisterInput) { in.Password = "ééééééééé" }, "password"},
		{"long password", func(in *identity.RegisterInput) { in.Password = strings.Repeat("p", identity.MaxPasswordLength+1) }, "password"},
		{"password not UTF-8", func(in *identity.RegisterInput) { in.Password = "long enough \xff pw" }, "password"},
		{"no username", func(in *identity.RegisterInput) { in.Username = "" }, "username"},
		{"upper-case username", func(in *identity.RegisterInput) { in.Username = "Bob" }, "username"},
		{"username with dash", func(in *identity.RegisterInput) { in.Username = "bob-smith" }, "username"},
		{"username with dot", func(in *identity.RegisterInput) { in.Username = "bob.smith" }, "username"},
		{"username with accent", func(in *identity.RegisterInput) { in.Username = "bób" }, "username"},
		{"long username", func(in *identity.RegisterInput) { in.Username = strings.Repeat("b", identity.MaxUsernameLength+1) }, "username"},
		{"reserved relay", func(in *identity.RegisterInput) { in.Username = "relay" }, "username"},
		{"reserved actor", func(in *identity.RegisterInput) { in.Username = "actor" }, "username"},
		{"reserved inbox", func(in *identity.RegisterInput) { in.Username = "inbox" }, "username"},
		{"long display name", func(in *identity.RegisterInput) {
			in.DisplayName = strings.Repeat("é", identity.MaxDisplayNameLength+1)
		}, "display_name"},
		{"display name with new line", func(in *identity.RegisterInput) { in.DisplayName = "Bob\nSmith" }, "display_name"},
		{"display name with NUL", func(in *identity.RegisterInput) { in.DisplayName = "Bob\x00" }, "display_name"},
		{"display name not UTF-8", func(in *identity.RegisterInput) { in.DisplayName = "Bob \xfe" }, "display_name"},
		{"bad locale", func(in *identity.RegisterInput) { in.Locale = "english" }, "locale"},
		{"one-letter locale", func(in *identity.RegisterInput) { in.Locale = "e" }, "locale"},
		{"locale with underscore", func(in *identity.RegisterInput) { in.Locale = "pt_BR" }, "locale"},
		{"unknown time zone", func(in *identity.RegisterInput) { in.TimeZone = "Mars/Olympus_Mons" }, "time_zone"},
		{"Local time zone", func(in *identity.RegisterInput) { in.TimeZone = "Local" }, "time_zone"},
		{"path time zone", func(in *identity.RegisterInput) { in.TimeZone = "../../etc/passwd" }, "time_zone"},
	}
	t.Run("cases", func(t *testing.T) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				t.Parallel()
				ctx := context.Background()
				in := ok
				tt.edit(&in)
				a, p, err := e.svc.Register(ctx, in)
				requireField(t, err, tt.field)
				assert.Nil(t, a)
				assert.Nil(t, p)
				_, err = e.store.GetAccountByEmail(ctx, "bob@example.org")
				require.ErrorIs(t, err, storage.ErrNotFound, "no account written")
				_, err = e.store.GetLocalActor(ctx, "bob")
				require.ErrorIs(t, err, storage.ErrNotFound, "no actor written")
			})
		}
	})
	// The same input, unedited, is fine: each case failed for its reason.
	_, _, err := e.svc.Register(context.Background(), ok)
	require.NoError(t, err)
}

func TestRegisterRefusesInstanceHostAsUsername(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *identity.Config) { c.BaseURL = "http://localhost" })
	_, _, err := e.svc.Register(context.Background(), identity.RegisterInput{
		Email: "x@example.org", Password: "long enough pw", Username: "localhost"})
	requireField(t, err, "username")
}

func TestRegisterConflicts(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	first, _ := e.register(t, "carol@example.org", "carol")

	tests := []struct {
		name  string
		in    identity.RegisterInput
		field string
	}{
		{"email taken, other case", identity.RegisterInput{Email: "CAROL@example.org", Password: "long enough pw", Username: "carol2"}, "email"},
		{"username taken", identity.RegisterInput{Email: "carol2@example.org", Password: "long enough pw", Username: "carol"}, "username"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.state(t, first.ID)
			_, _, err := e.svc.Register(ctx, tt.in)
			requireField(t, err, tt.field)
			require.ErrorIs(t, err, identity.ErrConflict)
			require.ErrorIs(t, err, storage.ErrConflict)
			assert.Equal(t, before, e.state(t, first.ID))
			_, err = e.store.GetAccountByEmail(ctx, "carol2@example.org")
			require.ErrorIs(t, err, storage.ErrNotFound)
			_, err = e.store.GetLocalActor(ctx, "carol2")
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
}

// Concurrent registrations of one username: one wins, the others get a
// username conflict and leave no account behind (account and profile are
// written in one transaction).
func TestRegisterConcurrentUsername(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	const n = 6
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			_, _, errs[i] = e.svc.Register(ctx, identity.RegisterInput{
				Email: "racer" + string(rune('a'+i)) + "@example.org", Password: "long enough pw", Username: "racer"})
		})
	}
	wg.Wait()
	won := 0
	for i, err := range errs {
		email := "racer" + string(rune('a'+i)) + "@example.org"
		_, getErr := e.store.GetAccountByEmail(ctx, email)
		if err == nil {
			won++
			require.NoError(t, getErr)
			continue
		}
		requireField(t, err, "username")
		require.ErrorIs(t, err, identity.ErrConflict)
		require.ErrorIs(t, getErr, storage.ErrNotFound, "the loser %s left an account", email)
	}
	assert.Equal(t, 1, won)
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	confirmed, _ := e.register(t, "dan@example.org", "dan")
	_, _, err := e.svc.Register(ctx, identity.RegisterInput{Email: "erin@example.org", Password: "erin's password", Username: "erin"})
	require.NoError(t, err)
	suspended, _ := e.register(t, "frank@example.org", "frank")
	_, err = e.svc.Suspend(ctx, suspended.ID, true)
	require.NoError(t, err)

	tests := []struct {
		name, email, password string
		want                  error // nil: success
	}{
		{"right", "dan@example.org", "a long enough password", nil},
		{"right, other case and spaces", "  DAN@Example.org", "a long enough password", nil},
		{"wrong password", "dan@example.org", "a long enough passwor", identity.ErrBadCredentials},
		{"empty password", "dan@example.org", "", identity.ErrBadCredentials},
		{"oversized password", "dan@example.org", strings.Repeat("x", 10000), identity.ErrBadCredentials},
		{"unknown email", "nobody@example.org", "a long enough password", identity.ErrBadCredentials},
		{"malformed email", "not an email", "a long enough password", identity.ErrBadCredentials},
		{"unconfirmed, right", "erin@example.org", "erin's password", identity.ErrNotConfirmed},
		{"unconfirmed, wrong", "erin@example.org", "a long enough password", identity.ErrBadCredentials},
		{"suspended, right", "frank@example.org", "a long enough password", identity.ErrSuspended},
		{"suspended, wrong", "frank@example.org", "frank's password", identity.ErrBadCredentials},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a, err := e.svc.Authenticate(ctx, tt.email, tt.password)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				assert.Nil(t, a)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, confirmed.ID, a.ID)
		})
	}
}

// An unknown email costs a password hash too, so that timing does not
// reveal which emails have accounts. With hashing made costly, the
// unknown-email path must take a good part of the wrong-password time
// (without the dummy hash it takes a fraction of a millisecond).
func TestAuthenticateUnknownEmailHashes(t *testing.T) {
	t.Parallel()
	costly := identity.Argon2Params{Time: 3, MemoryKiB: 8 << 10, Threads: 1, KeyLen: 32, SaltLen: 16}
	e := newEnv(t, func(c *identity.Config) { c.Argon2 = costly })
	ctx := context.Background()
	e.register(t, "gina@example.org", "gina")

	fastest := func(email string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			_, err := e.svc.Authenticate(ctx, email, "not gina's password")
			d := time.Since(start)
			require.ErrorIs(t, err, identity.ErrBadCredentials)
			best = min(best, d)
		}
		return best
	}
	known := fastest("gina@example.org")
	unknown := fastest("nobody@example.org")
	assert.Greater(t, 4*unknown, known, "unknown email %v, wrong password %v", unknown, known)
}

func TestAuthenticateRehashes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "hugo@example.org", "hugo")
	require.True(t, strings.HasPrefix(a.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$"))

	stronger := identity.Argon2Params{Time: 2, MemoryKiB: 128, Threads: 1, KeyLen: 32, SaltLen: 16}
	cfg := e.cfg
	cfg.Argon2 = stronger
	svc2, err := identity.New(cfg)
	require.NoError(t, err)

	// A wrong password changes nothing.
	_, err = svc2.Authenticate(ctx, "hugo@example.org", "wrong password!")
	require.ErrorIs(t, err, identity.ErrBadCredentials)
	same, err := e.store.GetAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a.PasswordHash, same.PasswordHash)

	got, err := svc2.Authenticate(ctx, "hugo@example.org", "a long enough password")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(got.PasswordHash, "$argon2id$v=19$m=128,t=2,p=1$"), got.PasswordHash)
	stored, err := e.store.GetAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, got.PasswordHash, stored.PasswordHash)
	assert.False(t, identity.NeedsRehash(stored.PasswordHash, stronger))

	// The old service verifies the new hash (parameters are in the hash)
	// and, its parameters differing again, re-hashes back.
	back, err := e.svc.Authenticate(ctx, "hugo@example.org", "a long enough password")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(back.PasswordHash, "$argon2id$v=19$m=64,t=1,p=1$"), back.PasswordHash)
}

func TestSetPassword(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "ivy@example.org", "ivy")

	for name, pw := range map[string]string{
		"short":    "short",
		"long":     strings.Repeat("x", identity.MaxPasswordLength+1),
		"no UTF-8": "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6",
	} {
		t.Run(name, func(t *testing.T) {
			before := e.state(t, a.ID)
			requireField(t, e.svc.SetPassword(ctx, a.ID, pw), "password")
			assert.Equal(t, before, e.state(t, a.ID))
		})
	}
	require.ErrorIs(t, e.svc.SetPassword(ctx, "no-such-account", "a new long password"), identity.ErrNotFound)

	e.clock.Advance(time.Hour)
	require.NoError(t, e.svc.SetPassword(ctx, a.ID, "a new long password"))
	_, err := e.svc.Authenticate(ctx, "ivy@example.org", "a long enough password")
	require.ErrorIs(t, err, identity.ErrBadCredentials)
	got, err := e.svc.Authenticate(ctx, "ivy@example.org", "a new long password")
	require.NoError(t, err)
	assert.Equal(t, e.clock.Now().UTC().Truncate(time.Microsecond), got.UpdatedAt)
}

func TestAccountAdministration(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	_, _, err := e.svc.Register(ctx, identity.RegisterInput{Email: "jo@example.org", Password: "long enough pw", Username: "jo"})
	require.NoError(t, err)
	a, err := e.svc.GetAccountByEmail(ctx, "jo@example.org")
	require.NoError(t, err)

	e.clock.Advance(time.Minute)
	a, err = e.svc.ConfirmAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.True(t, a.Confirmed)
	assert.Equal(t, e.clock.Now().UTC().Truncate(time.Microsecond), a.UpdatedAt)
	a, err = e.svc.ConfirmAccount(ctx, a.ID)
	require.NoError(t, err, "confirming twice is harmless")
	assert.True(t, a.Confirmed)

	a, err = e.svc.SetRole(ctx, a.ID, identity.RoleModerator)
	require.NoError(t, err)
	assert.Equal(t, identity.RoleModerator, a.Role)

	a, err = e.svc.Suspend(ctx, a.ID, true)
	require.NoError(t, err)
	assert.True(t, a.Suspended)
	a, err = e.svc.Suspend(ctx, a.ID, false)
	require.NoError(t, err)
	assert.False(t, a.Suspended)

	a, err = e.svc.UpdateAccountSettings(ctx, a.ID, "pt-BR", "America/Sao_Paulo")
	require.NoError(t, err)
	assert.Equal(t, "pt-BR", a.Locale)
	assert.Equal(t, "America/Sao_Paulo", a.TimeZone)

	stored, err := e.svc.GetAccount(ctx, a.ID)
	require.NoError(t, err)
	assert.Equal(t, a, stored)

	t.Run("refused", func(t *testing.T) {
		tests := []struct {
			name  string
			call  func() error
			field string
		}{
			{"unknown role", func() error { _, err := e.svc.SetRole(ctx, a.ID, "root"); return err }, "role"},
			{"empty role", func() error { _, err := e.svc.SetRole(ctx, a.ID, ""); return err }, "role"},
			{"bad locale", func() error { _, err := e.svc.UpdateAccountSettings(ctx, a.ID, "fr_FR", ""); return err }, "locale"},
			{"locale too long", func() error {
				_, err := e.svc.UpdateAccountSettings(ctx, a.ID, "en-"+strings.Repeat("abcdefgh-", 4)+"x", "")
				return err
			}, "locale"},
			{"bad time zone", func() error { _, err := e.svc.UpdateAccountSettings(ctx, a.ID, "fr", "Europe/Atlantis"); return err }, "time_zone"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := e.state(t, a.ID)
				requireField(t, tt.call(), tt.field)
				assert.Equal(t, before, e.state(t, a.ID))
			})
		}
	})

	t.Run("unknown account", func(t *testing.T) {
		calls := map[string]func() error{
			"GetAccount":            func() error { _, err := e.svc.GetAccount(ctx, "nope"); return err },
			"GetAccountByEmail":     func() error { _, err := e.svc.GetAccountByEmail(ctx, "nope@example.org"); return err },
			"ConfirmAccount":        func() error { _, err := e.svc.ConfirmAccount(ctx, "nope"); return err },
			"SetRole":               func() error { _, err := e.svc.SetRole(ctx, "nope", identity.RoleAdmin); return err },
			"Suspend":               func() error { _, err := e.svc.Suspend(ctx, "nope", true); return err },
			"UpdateAccountSettings": func() error { _, err := e.svc.UpdateAccountSettings(ctx, "nope", "", ""); return err },
			"ListProfiles":          func() error { _, err := e.svc.ListProfiles(ctx, "nope"); return err },
			"CreateProfile": func() error {
				_, err := e.svc.CreateProfile(ctx, "nope", identity.ProfileInput{Username: "nobody"})
				return err
			},
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) {
				err := call()
				require.ErrorIs(t, err, identity.ErrNotFound)
				require.ErrorIs(t, err, storage.ErrNotFound)
				assert.False(t, errors.Is(err, identity.ErrInvalid))
			})
		}
	})
}
