package convene_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
)

func newInstance(t *testing.T) *convene.Instance {
	t.Helper()
	keyOnce.Do(func() {
		var err error
		testKey, err = rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
	})
	inst, err := convene.New(convene.Config{Store: sqlitetest.Open(t), BaseURL: "https://events.example",
		Now:         func() time.Time { return time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) },
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: func() (*rsa.PrivateKey, error) { return testKey, nil }})
	require.NoError(t, err)
	return inst
}

// TestGroupEventsFollowTheMatrix checks the wiring between events and the
// groups permission matrix, role by role.
func TestGroupEventsFollowTheMatrix(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inst := newInstance(t)
	profile := func(name string) string {
		_, p, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: name + "@example.org",
			Password: "a long enough password", Username: name})
		require.NoError(t, err)
		return p.ID
	}
	admin, mod, member, outsider := profile("admin"), profile("mod"), profile("member"), profile("outsider")
	g, err := inst.Groups.Create(ctx, admin, groups.CreateInput{Username: "collective", Openness: groups.Open})
	require.NoError(t, err)
	for _, id := range []string{mod, member} {
		_, err := inst.Groups.Join(ctx, g.ID, id, "")
		require.NoError(t, err)
	}
	_, err = inst.Groups.ChangeRole(ctx, admin, g.ID, mod, groups.RoleModerator)
	require.NoError(t, err)

	in := events.Input{GroupID: g.ID, Title: "Assembly", BeginsAt: time.Date(2026, 3, 9, 18, 0, 0, 0, time.UTC),
		Visibility: events.Private, Draft: true}
	for _, who := range []string{member, outsider} {
		_, err := inst.Events.Create(ctx, who, in)
		require.ErrorIs(t, err, events.ErrForbidden)
	}
	ev, err := inst.Events.Create(ctx, mod, in)
	require.NoError(t, err)

	// Drafts: moderators and up; private: members and up.
	for who, ok := range map[string]bool{admin: true, mod: true, member: false, outsider: false} {
		_, err := inst.Events.Get(ctx, who, ev.ID)
		assert.Equal(t, ok, err == nil, "draft for %s: %v", who, err)
	}
	up := events.InputOf(ev)
	up.Draft = false
	_, err = inst.Events.Update(ctx, member, ev.ID, up)
	require.ErrorIs(t, err, events.ErrForbidden)
	_, err = inst.Events.Update(ctx, admin, ev.ID, up)
	require.NoError(t, err)
	for who, ok := range map[string]bool{admin: true, mod: true, member: true, outsider: false} {
		_, err := inst.Events.Get(ctx, who, ev.ID)
		assert.Equal(t, ok, err == nil, "private for %s: %v", who, err)
	}
}

// TestModeratorsHideAReportedEvent: a moderator hides a reported event
// through the moderation service; it leaves search and is not found for
// everyone, its organizer included, until a moderator shows it again.
func TestModeratorsHideAReportedEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	inst := newInstance(t)
	register := func(name string) (accountID, profileID string) {
		a, p, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: name + "@example.org",
			Password: "a long enough password", Username: name})
		require.NoError(t, err)
		return a.ID, p.ID
	}
	_, olga := register("olga")
	ritaAccount, rita := register("rita")
	monaAccount, _ := register("mona")
	_, err := inst.Identity.SetRole(ctx, monaAccount, identity.RoleModerator)
	require.NoError(t, err)

	ev, err := inst.Events.Create(ctx, olga, events.Input{Title: "Dubious picnic",
		BeginsAt: time.Date(2026, 3, 9, 18, 0, 0, 0, time.UTC)})
	require.NoError(t, err)
	found := func() bool {
		t.Helper()
		page, err := inst.Events.Search(ctx, events.Query{Text: "dubious"})
		require.NoError(t, err)
		return len(page.Occurrences) == 1 && page.Occurrences[0].Event.ID == ev.ID
	}
	require.True(t, found())

	r, err := inst.Moderation.File(ctx, ritaAccount, rita, moderation.ReportInput{
		Target: moderation.Target{Kind: moderation.TargetEvent, ID: ev.ID}, Comment: "spam"})
	require.NoError(t, err)
	_, err = inst.Moderation.Act(ctx, ritaAccount, moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID})
	require.ErrorIs(t, err, moderation.ErrForbidden, "only moderators hide")
	require.True(t, found())

	_, err = inst.Moderation.Act(ctx, monaAccount, moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID})
	require.NoError(t, err)
	require.False(t, found(), "a hidden event leaves search")
	for _, viewer := range []string{"", rita, olga} {
		_, err := inst.Events.Get(ctx, viewer, ev.ID)
		require.ErrorIs(t, err, events.ErrNotFound, "viewer %q", viewer)
	}
	_, err = inst.Events.Join(ctx, ev.ID, rita, events.JoinInput{})
	require.ErrorIs(t, err, events.ErrNotFound)
	got, err := inst.Events.GetForModeration(ctx, ev.ID)
	require.NoError(t, err)
	require.True(t, got.Hidden)

	_, err = inst.Moderation.Act(ctx, monaAccount, moderation.ActionInput{Kind: moderation.ActionUnhide,
		Target: moderation.Target{Kind: moderation.TargetEvent, ID: ev.ID}})
	require.NoError(t, err)
	require.True(t, found(), "shown again")
	_, err = inst.Events.Get(ctx, "", ev.ID)
	require.NoError(t, err)
	_, err = inst.Events.Join(ctx, ev.ID, rita, events.JoinInput{})
	require.NoError(t, err)
}

func TestNewNeedsAStore(t *testing.T) {
	t.Parallel()
	_, err := convene.New(convene.Config{BaseURL: "https://events.example"})
	require.Error(t, err)
	_, err = convene.New(convene.Config{Store: sqlitetest.Open(t), BaseURL: "not a url"})
	require.Error(t, err)
}
