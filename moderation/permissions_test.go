package moderation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
)

// TestPermissions is the permission matrix: who may do what, by role.
func TestPermissions(t *testing.T) {
	t.Parallel()
	type who struct {
		name    string
		account func(f *fixture) string
		profile func(f *fixture) string
	}
	people := []who{
		{"anonymous", func(*fixture) string { return "" }, func(*fixture) string { return "" }},
		{"unknown account", func(f *fixture) string { return "no-such-account" }, func(f *fixture) string { return f.userP.ID }},
		{"user", func(f *fixture) string { return f.user.ID }, func(f *fixture) string { return f.userP.ID }},
		{"user as another's profile", func(f *fixture) string { return f.user.ID }, func(f *fixture) string { return f.otherP.ID }},
		{"suspended moderator", func(f *fixture) string { return f.suspended.ID }, func(*fixture) string { return "" }},
		{"moderator", func(f *fixture) string { return f.mod.ID }, func(f *fixture) string { return f.modP.ID }},
		{"admin", func(f *fixture) string { return f.admin.ID }, func(f *fixture) string { return f.adminP.ID }},
	}
	ops := []struct {
		name    string
		allowed map[string]bool // by who.name
		run     func(f *fixture, account, profile string, r *moderation.Report) error
	}{
		{"file", map[string]bool{"user": true, "moderator": true, "admin": true},
			func(f *fixture, account, profile string, _ *moderation.Report) error {
				_, err := f.svc.File(f.ctx, account, profile, moderation.ReportInput{
					Target: moderation.Target{Kind: moderation.TargetGroup, ID: f.remoteGroup.ID}})
				return err
			}},
		{"list reports", staffOnly(), func(f *fixture, account, _ string, _ *moderation.Report) error {
			_, _, err := f.svc.Reports(f.ctx, account, moderation.ReportFilter{})
			return err
		}},
		{"get report", staffOnly(), func(f *fixture, account, _ string, r *moderation.Report) error {
			_, err := f.svc.Report(f.ctx, account, r.ID)
			return err
		}},
		{"add note", staffOnly(), func(f *fixture, account, _ string, r *moderation.Report) error {
			_, err := f.svc.AddNote(f.ctx, account, r.ID, "looked at it")
			return err
		}},
		{"list notes", staffOnly(), func(f *fixture, account, _ string, r *moderation.Report) error {
			_, err := f.svc.Notes(f.ctx, account, r.ID)
			return err
		}},
		{"act", staffOnly(), func(f *fixture, account, _ string, r *moderation.Report) error {
			_, err := f.svc.Act(f.ctx, account, moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID})
			return err
		}},
		{"resolve", staffOnly(), func(f *fixture, account, _ string, r *moderation.Report) error {
			_, err := f.svc.Act(f.ctx, account, moderation.ActionInput{Kind: moderation.ActionResolve, ReportID: r.ID})
			return err
		}},
		{"log", staffOnly(), func(f *fixture, account, _ string, _ *moderation.Report) error {
			_, _, err := f.svc.Log(f.ctx, account, moderation.LogFilter{})
			return err
		}},
		{"set rules", map[string]bool{"admin": true}, func(f *fixture, account, _ string, _ *moderation.Report) error {
			_, err := f.svc.SetRules(f.ctx, account, "Be kind.")
			return err
		}},
		{"read rules", map[string]bool{"anonymous": true, "unknown account": true, "user": true,
			"user as another's profile": true, "suspended moderator": true, "moderator": true, "admin": true},
			func(f *fixture, _, _ string, _ *moderation.Report) error {
				_, err := f.svc.Rules(f.ctx)
				return err
			}},
	}
	for _, op := range ops {
		for _, p := range people {
			t.Run(op.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				r := f.file(moderation.Target{Kind: moderation.TargetEvent, ID: f.remoteEvent.ID})
				reports, actions := f.count()
				err := op.run(f, p.account(f), p.profile(f), r)
				if op.allowed[p.name] {
					require.NoError(t, err)
					return
				}
				require.ErrorIs(t, err, moderation.ErrForbidden)
				r2, a2 := f.count()
				require.Equal(t, []int{reports, actions}, []int{r2, a2}, "a refused operation changes nothing")
				got, err := f.db.GetReport(f.ctx, r.ID)
				require.NoError(t, err)
				require.Equal(t, moderation.StatusOpen, got.Status)
				notes, err := f.db.ListNotes(f.ctx, r.ID)
				require.NoError(t, err)
				require.Empty(t, notes)
				require.False(t, f.fx.isHidden(f.remoteEvent.ID))
				rules, err := f.svc.Rules(f.ctx)
				require.NoError(t, err)
				require.Empty(t, rules.Text)
			})
		}
	}
}

func staffOnly() map[string]bool { return map[string]bool{"moderator": true, "admin": true} }

// TestSuspensionMatrix: who may suspend whose account or profile.
func TestSuspensionMatrix(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		actor, target identity.Role
		self          bool
		allowed       bool
	}{
		{identity.RoleModerator, identity.RoleUser, false, true},
		{identity.RoleModerator, identity.RoleModerator, false, false},
		{identity.RoleModerator, identity.RoleAdmin, false, false},
		{identity.RoleAdmin, identity.RoleUser, false, true},
		{identity.RoleAdmin, identity.RoleModerator, false, true},
		{identity.RoleAdmin, identity.RoleAdmin, false, true},
		{identity.RoleAdmin, identity.RoleAdmin, true, false},
		{identity.RoleModerator, identity.RoleModerator, true, false},
	} {
		for _, kind := range []moderation.ActionKind{moderation.ActionSuspendAccount, moderation.ActionSuspend} {
			name := string(c.actor) + "→" + string(c.target) + "/" + string(kind)
			if c.self {
				name += "/self"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				f := newFixture(t)
				me, _ := f.account(c.actor, false)
				acct, prof := me, (*identity.Profile)(nil)
				if c.self {
					ps, err := f.db.ListProfiles(f.ctx, me.ID)
					require.NoError(t, err)
					prof = &ps[0]
				} else {
					acct, prof = f.account(c.target, false)
				}
				f.fx.know(prof.ID)
				_, err := f.svc.Act(f.ctx, me.ID, moderation.ActionInput{Kind: kind,
					Target: moderation.Target{Kind: moderation.TargetActor, ID: prof.ID}})
				got, gerr := f.db.GetAccount(f.ctx, acct.ID)
				require.NoError(t, gerr)
				suspended := got.Suspended || f.fx.isSuspended(prof.ID)
				_, actions := f.count()
				if !c.allowed {
					require.ErrorIs(t, err, moderation.ErrForbidden)
					require.False(t, suspended)
					require.Zero(t, actions)
					return
				}
				require.NoError(t, err)
				require.True(t, suspended)
				require.Equal(t, kind == moderation.ActionSuspendAccount, got.Suspended)
				require.Equal(t, 1, actions)
			})
		}
	}
}
