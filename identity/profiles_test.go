package identity_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func ptr[T any](v T) *T { return &v }

func TestCreateProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, first := e.register(t, "kim@example.org", "kim")
	e.clock.Advance(time.Second)

	p, err := e.svc.CreateProfile(ctx, a.ID, identity.ProfileInput{
		Username:     "kim_gardens",
		DisplayName:  "Kim's <i>Gardens</i> & Co",
		Summary:      `<p>Hi <a href="https://kim.example">there</a><script>alert(1)</script><img src=x onerror=alert(1)></p>`,
		AvatarURL:    " https://cdn.example/kim.png ",
		BannerURL:    "http://cdn.example/banner.jpg",
		Discoverable: true,
	})
	require.NoError(t, err)
	assert.False(t, p.Default, "the first profile stays the default")
	assert.Equal(t, a.ID, p.AccountID)
	assert.Equal(t, "kim_gardens", p.Username)
	assert.Equal(t, "Kim's Gardens & Co", p.DisplayName)
	assert.NotContains(t, p.Summary, "script")
	assert.NotContains(t, p.Summary, "onerror")
	assert.NotContains(t, p.Summary, "<img")
	assert.Contains(t, p.Summary, `href="https://kim.example"`)
	assert.Equal(t, "https://cdn.example/kim.png", p.AvatarURL)
	assert.Equal(t, "http://cdn.example/banner.jpg", p.BannerURL)
	assert.True(t, p.Discoverable)
	assert.Equal(t, "https://events.example/@kim_gardens", p.APID)
	assert.NotEqual(t, first.ID, p.ID)

	list, err := e.svc.ListProfiles(ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	assert.Equal(t, first.ID, list[0].ID, "default first")
	assert.Equal(t, *p, list[1])
	got, err := e.svc.GetProfile(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, p, got)
}

func TestCreateProfileRefusesBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "lee@example.org", "lee")
	_, other := e.register(t, "max@example.org", "max")

	ok := identity.ProfileInput{Username: "lee_two"}
	tests := []struct {
		name  string
		edit  func(in *identity.ProfileInput)
		field string
	}{
		{"no username", func(in *identity.ProfileInput) { in.Username = "" }, "username"},
		{"username with space", func(in *identity.ProfileInput) { in.Username = "lee two" }, "username"},
		{"username upper case", func(in *identity.ProfileInput) { in.Username = "Lee_two" }, "username"},
		{"username too long", func(in *identity.ProfileInput) { in.Username = strings.Repeat("l", 31) }, "username"},
		{"username reserved", func(in *identity.ProfileInput) { in.Username = "nodeinfo" }, "username"},
		{"username taken by another account", func(in *identity.ProfileInput) { in.Username = other.Username }, "username"},
		{"username taken by own profile", func(in *identity.ProfileInput) { in.Username = "lee" }, "username"},
		{"display name too long", func(in *identity.ProfileInput) { in.DisplayName = strings.Repeat("x", 101) }, "display_name"},
		{"display name with tab", func(in *identity.ProfileInput) { in.DisplayName = "Lee\tTwo" }, "display_name"},
		{"summary too long", func(in *identity.ProfileInput) { in.Summary = strings.Repeat("s", identity.MaxSummaryLength+1) }, "summary"},
		{"summary with NUL", func(in *identity.ProfileInput) { in.Summary = "a\x00b" }, "summary"},
		{"summary not UTF-8", func(in *identity.ProfileInput) { in.Summary = "a\xffb" }, "summary"},
		{"avatar javascript", func(in *identity.ProfileInput) { in.AvatarURL = "javascript:alert(1)" }, "avatar_url"},
		{"avatar relative", func(in *identity.ProfileInput) { in.AvatarURL = "/img/a.png" }, "avatar_url"},
		{"avatar data", func(in *identity.ProfileInput) { in.AvatarURL = "data:image/png;base64,AAAA" }, "avatar_url"},
		{"avatar no host", func(in *identity.ProfileInput) { in.AvatarURL = "https:///a.png" }, "avatar_url"},
		{"avatar with credentials", func(in *identity.ProfileInput) { in.AvatarURL = "https://u:p@cdn.example/a.png" }, "avatar_url"},
		{"avatar with space", func(in *identity.ProfileInput) { in.AvatarURL = "https://cdn.example/a b.png" }, "avatar_url"},
		{"avatar too long", func(in *identity.ProfileInput) {
			in.AvatarURL = "https://cdn.example/" + strings.Repeat("a", identity.MaxURLLength)
		}, "avatar_url"},
		{"banner ftp", func(in *identity.ProfileInput) { in.BannerURL = "ftp://cdn.example/b.png" }, "banner_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.state(t, a.ID)
			in := ok
			tt.edit(&in)
			p, err := e.svc.CreateProfile(ctx, a.ID, in)
			requireField(t, err, tt.field)
			assert.Nil(t, p)
			assert.Equal(t, before, e.state(t, a.ID), "nothing written")
			_, err = e.store.GetLocalActor(ctx, "lee_two")
			require.ErrorIs(t, err, storage.ErrNotFound)
		})
	}
	_, err := e.svc.CreateProfile(ctx, a.ID, ok)
	require.NoError(t, err, "the unedited input is fine")
}

func TestCreateProfileLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "ned@example.org", "ned")
	for i := 1; i < identity.MaxProfilesPerAccount; i++ {
		_, err := e.svc.CreateProfile(ctx, a.ID, identity.ProfileInput{Username: fmt.Sprintf("ned%d", i)})
		require.NoError(t, err)
	}
	before := e.state(t, a.ID)
	require.Len(t, before.Profiles, identity.MaxProfilesPerAccount)
	_, err := e.svc.CreateProfile(ctx, a.ID, identity.ProfileInput{Username: "ned_too_many"})
	requireField(t, err, "profiles")
	assert.Equal(t, before, e.state(t, a.ID))
	_, err = e.store.GetLocalActor(ctx, "ned_too_many")
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestUpdateProfile(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, p := e.register(t, "olga@example.org", "olga")
	p, err := e.svc.UpdateProfile(ctx, a.ID, p.ID, identity.ProfileUpdate{
		Summary: ptr("<p>Gardener</p>"), AvatarURL: ptr("https://cdn.example/o.png"),
	})
	require.NoError(t, err)
	e.clock.Advance(time.Minute)

	got, err := e.svc.UpdateProfile(ctx, a.ID, p.ID, identity.ProfileUpdate{
		DisplayName: ptr("Olga <b>K.</b>"), Discoverable: ptr(true),
	})
	require.NoError(t, err)
	assert.Equal(t, "Olga K.", got.DisplayName)
	assert.True(t, got.Discoverable)
	assert.Equal(t, "<p>Gardener</p>", got.Summary, "fields left nil are kept")
	assert.Equal(t, "https://cdn.example/o.png", got.AvatarURL)
	assert.Equal(t, "olga", got.Username)
	assert.Equal(t, e.clock.Now().UTC().Truncate(time.Microsecond), got.UpdatedAt)
	assert.Equal(t, p.CreatedAt, got.CreatedAt)
	stored, err := e.svc.GetProfile(ctx, p.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)

	cleared, err := e.svc.UpdateProfile(ctx, a.ID, p.ID, identity.ProfileUpdate{AvatarURL: ptr("")})
	require.NoError(t, err)
	assert.Empty(t, cleared.AvatarURL, "an empty string clears")

	tests := []struct {
		name  string
		up    identity.ProfileUpdate
		field string
	}{
		{"display name too long", identity.ProfileUpdate{DisplayName: ptr(strings.Repeat("o", 101))}, "display_name"},
		{"summary too long", identity.ProfileUpdate{Summary: ptr(strings.Repeat("o", identity.MaxSummaryLength+1))}, "summary"},
		{"bad avatar", identity.ProfileUpdate{AvatarURL: ptr("javascript:x"), DisplayName: ptr("fine")}, "avatar_url"},
		{"bad banner", identity.ProfileUpdate{BannerURL: ptr("//cdn.example/b.png")}, "banner_url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := e.state(t, a.ID)
			_, err := e.svc.UpdateProfile(ctx, a.ID, p.ID, tt.up)
			requireField(t, err, tt.field)
			assert.Equal(t, before, e.state(t, a.ID))
		})
	}
}

// Account A can never reach account B's profiles: every call that takes
// (accountID, profileID) answers ErrForbidden and changes nothing.
func TestProfileOwnership(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, _ := e.register(t, "pat@example.org", "pat")
	b, bp := e.register(t, "quinn@example.org", "quinn")
	_, err := e.svc.CreateProfile(ctx, b.ID, identity.ProfileInput{Username: "quinn2"})
	require.NoError(t, err)

	calls := map[string]func() error{
		"ProfileOf": func() error { _, err := e.svc.ProfileOf(ctx, a.ID, bp.ID); return err },
		"UpdateProfile": func() error {
			_, err := e.svc.UpdateProfile(ctx, a.ID, bp.ID, identity.ProfileUpdate{DisplayName: ptr("hijacked")})
			return err
		},
		"SetDefaultProfile": func() error { return e.svc.SetDefaultProfile(ctx, a.ID, bp.ID) },
		"DeleteProfile":     func() error { return e.svc.DeleteProfile(ctx, a.ID, bp.ID) },
		"CreateFeedToken":   func() error { _, _, err := e.svc.CreateFeedToken(ctx, a.ID, bp.ID); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			beforeA, beforeB := e.state(t, a.ID), e.state(t, b.ID)
			require.ErrorIs(t, call(), identity.ErrForbidden)
			assert.Equal(t, beforeA, e.state(t, a.ID))
			assert.Equal(t, beforeB, e.state(t, b.ID))
		})
	}

	got, err := e.svc.ProfileOf(ctx, b.ID, bp.ID)
	require.NoError(t, err)
	assert.Equal(t, bp.ID, got.ID)
	_, err = e.svc.ProfileOf(ctx, a.ID, "no-such-profile")
	require.ErrorIs(t, err, identity.ErrNotFound)

	_, err = e.svc.Suspend(ctx, b.ID, true)
	require.NoError(t, err)
	_, err = e.svc.ProfileOf(ctx, b.ID, bp.ID)
	require.ErrorIs(t, err, identity.ErrSuspended, "a suspended account cannot act")
}

func TestDefaultProfileRules(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	a, p1 := e.register(t, "rae@example.org", "rae")
	e.clock.Advance(time.Second)
	p2, err := e.svc.CreateProfile(ctx, a.ID, identity.ProfileInput{Username: "rae2"})
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	p3, err := e.svc.CreateProfile(ctx, a.ID, identity.ProfileInput{Username: "rae3"})
	require.NoError(t, err)

	ids := func() (ids []string, def string) {
		list, err := e.svc.ListProfiles(ctx, a.ID)
		require.NoError(t, err)
		for _, p := range list {
			ids = append(ids, p.ID)
			if p.Default {
				require.Empty(t, def, "one default only")
				def = p.ID
			}
		}
		return ids, def
	}
	_, def := ids()
	assert.Equal(t, p1.ID, def)

	require.NoError(t, e.svc.SetDefaultProfile(ctx, a.ID, p3.ID))
	got, def := ids()
	assert.Equal(t, p3.ID, def)
	assert.Equal(t, []string{p3.ID, p1.ID, p2.ID}, got)

	// Deleting a profile that is not the default keeps the default.
	tok, _, err := e.svc.CreateFeedToken(ctx, a.ID, p1.ID)
	require.NoError(t, err)
	require.NoError(t, e.svc.DeleteProfile(ctx, a.ID, p1.ID))
	got, def = ids()
	assert.Equal(t, []string{p3.ID, p2.ID}, got)
	assert.Equal(t, p3.ID, def)
	_, err = e.svc.GetActor(ctx, p1.ID)
	require.ErrorIs(t, err, identity.ErrNotFound, "the profile's actor is gone")
	_, err = e.svc.ResolveFeedToken(ctx, tok)
	require.ErrorIs(t, err, identity.ErrNotFound, "the profile's feed tokens are revoked")

	// Deleting the default makes the oldest remaining one the default.
	require.NoError(t, e.svc.DeleteProfile(ctx, a.ID, p3.ID))
	got, def = ids()
	assert.Equal(t, []string{p2.ID}, got)
	assert.Equal(t, p2.ID, def)

	// The last profile stays.
	before := e.state(t, a.ID)
	require.ErrorIs(t, e.svc.DeleteProfile(ctx, a.ID, p2.ID), identity.ErrLastProfile)
	assert.Equal(t, before, e.state(t, a.ID))

	require.ErrorIs(t, e.svc.SetDefaultProfile(ctx, a.ID, p1.ID), identity.ErrNotFound)
	require.ErrorIs(t, e.svc.DeleteProfile(ctx, a.ID, p1.ID), identity.ErrNotFound)
}
