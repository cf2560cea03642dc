package moderation_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
)

// discussion is a remote group's discussion: its first message by the
// remote actor (without an id of its own, as remote first messages
// are), a remote reply, and a reply by the local profile otherP.
type discussion struct {
	d                   *groups.Discussion
	first, reply, local *groups.Comment
	groupID             string
}

func (f *fixture) discussion() *discussion {
	f.t.Helper()
	g := &groups.Group{Actor: *f.newActor(identity.TypeGroup, "remote.example", "talks"), Openness: groups.Open,
		Visibility: groups.Public}
	require.NoError(f.t, f.db.CreateGroup(f.ctx, g))
	d := &groups.Discussion{ID: f.id(), APID: "https://remote.example/discussions/1", GroupID: g.ID,
		CreatorID: f.remote.ID, Title: "Buy now", LastCommentAt: t0, CreatedAt: t0, UpdatedAt: t0}
	require.NoError(f.t, f.db.CreateDiscussion(f.ctx, d))
	msg := func(id, apID, author string, local bool) *groups.Comment {
		c := &groups.Comment{ID: id, APID: apID, DiscussionID: d.ID, GroupID: g.ID, AuthorID: author,
			Text: "<p>cheap pills</p>", Local: local, CreatedAt: t0, UpdatedAt: t0}
		require.NoError(f.t, f.db.CreateDiscussionComment(f.ctx, c))
		f.fx.know(c.ID)
		return c
	}
	out := &discussion{d: d, groupID: g.ID}
	out.first = msg(d.FirstCommentID(), "", f.remote.ID, false)
	out.reply = msg(f.id(), d.APID+"/comments/2", f.remote.ID, false)
	id := f.id()
	out.local = msg(id, base+"/discussions/"+d.ID+"/comments/"+id, f.otherP.ID, true)
	return out
}

func TestFileDiscussionMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dd := f.discussion()
	msg := func(id string) moderation.Target {
		return moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: id}
	}
	for _, c := range []struct {
		name      string
		target    moderation.Target
		actor     string
		iris      []string
		forwarded bool
	}{
		{"a remote discussion's first message: the discussion's id names it", msg(dd.first.ID), f.remote.ID,
			[]string{dd.d.APID}, true},
		{"a remote reply", msg(dd.reply.ID), f.remote.ID, []string{dd.reply.APID}, true},
		{"a local member's message in a remote group", msg(dd.local.ID), f.otherP.ID, []string{dd.local.APID}, false},
	} {
		f.tick()
		before := len(f.hook.filed())
		r, err := f.svc.File(f.ctx, f.user.ID, f.userP.ID, moderation.ReportInput{Target: c.target, Comment: "spam"})
		require.NoError(t, err, c.name)
		want := &moderation.Report{ID: r.ID, ReporterID: f.userP.ID, Target: c.target, TargetActorID: c.actor,
			ContentIRIs: c.iris, Comment: "spam", Status: moderation.StatusOpen, Forwarded: c.forwarded,
			CreatedAt: f.now, UpdatedAt: f.now}
		require.Equal(t, want, r, c.name)
		got, err := f.db.GetReport(f.ctx, r.ID)
		require.NoError(t, err)
		require.Equal(t, c.target, got.Target, c.name)
		require.Equal(t, c.iris, got.ContentIRIs, c.name)
		filed := f.hook.filed()
		require.Len(t, filed, before+1, c.name)
		require.Equal(t, *r, filed[before], "the hook forwards what it is told: %s", c.name)
	}

	reports, _ := f.count()
	for _, c := range []struct {
		name  string
		by    *identity.Profile
		t     moderation.Target
		want  error
		field string
	}{
		{"its own message", f.otherP, msg(dd.local.ID), moderation.ErrInvalid, "target_id"},
		{"unknown message", f.userP, msg("nope"), moderation.ErrNotFound, ""},
		{"an event comment as a discussion message", f.userP, msg(f.remoteComment.ID), moderation.ErrNotFound, ""},
		{"a discussion message as an event comment", f.userP,
			moderation.Target{Kind: moderation.TargetComment, ID: dd.reply.ID}, moderation.ErrNotFound, ""},
		{"twice while open", f.userP, msg(dd.reply.ID), moderation.ErrAlreadyReported, ""},
	} {
		_, err := f.svc.File(f.ctx, c.by.AccountID, c.by.ID, moderation.ReportInput{Target: c.t})
		require.ErrorIs(t, err, c.want, c.name)
		if c.field != "" {
			var ve *moderation.ValidationError
			require.ErrorAs(t, err, &ve, c.name)
			require.Equal(t, c.field, ve.Field, c.name)
		}
	}
	r2, _ := f.count()
	require.Equal(t, reports, r2, "refused reports are not stored")
}

func TestActOnDiscussionMessage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dd := f.discussion()
	r := f.file(moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: dd.reply.ID})

	// Refused for anyone but moderators and admins: nothing hidden,
	// nothing logged.
	_, logged := f.count()
	for _, acct := range []string{f.user.ID, f.suspended.ID, "nope"} {
		_, err := f.svc.Act(f.ctx, acct, moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID})
		require.ErrorIs(t, err, moderation.ErrForbidden, acct)
	}
	require.False(t, f.fx.isHiddenMessage(dd.reply.ID))
	_, n := f.count()
	require.Equal(t, logged, n)

	// Hiding takes the reported message, through HideDiscussionMessage.
	f.tick()
	a, err := f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID,
		Comment: "spam"})
	require.NoError(t, err)
	require.Equal(t, &moderation.Action{ID: a.ID, AccountID: f.mod.ID, Kind: moderation.ActionHide,
		Target: r.Target, ReportID: r.ID, Comment: "spam", CreatedAt: f.now}, a)
	require.True(t, f.fx.isHiddenMessage(dd.reply.ID))
	require.False(t, f.fx.isHidden(dd.reply.ID), "not through HideComment")

	// Showing it again, with or without the report.
	f.tick()
	_, err = f.svc.Act(f.ctx, f.admin.ID, moderation.ActionInput{Kind: moderation.ActionUnhide, ReportID: r.ID})
	require.NoError(t, err)
	require.False(t, f.fx.isHiddenMessage(dd.reply.ID))
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionHide,
		Target: moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: dd.first.ID}})
	require.NoError(t, err, "an action without a report")
	require.True(t, f.fx.isHiddenMessage(dd.first.ID))

	// Suspending from the report takes the message's author.
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionSuspend, ReportID: r.ID})
	require.NoError(t, err)
	require.True(t, f.fx.isSuspended(f.remote.ID))

	log, _, err := f.svc.Log(f.ctx, f.mod.ID, moderation.LogFilter{ReportID: r.ID})
	require.NoError(t, err)
	var kinds []moderation.ActionKind
	for _, a := range log {
		kinds = append(kinds, a.Kind)
		if a.Kind != moderation.ActionSuspend {
			require.Equal(t, moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: dd.reply.ID}, a.Target)
		}
	}
	require.Equal(t, []moderation.ActionKind{moderation.ActionHide, moderation.ActionUnhide, moderation.ActionSuspend}, kinds)

	// Wrong kinds and unknown messages change nothing.
	_, logged = f.count()
	for _, c := range []struct {
		name string
		in   moderation.ActionInput
		want error
	}{
		{"suspend a message", moderation.ActionInput{Kind: moderation.ActionSuspend,
			Target: moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: dd.reply.ID}}, moderation.ErrInvalid},
		{"unknown message", moderation.ActionInput{Kind: moderation.ActionHide,
			Target: moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: "nope"}}, moderation.ErrNotFound},
	} {
		_, err := f.svc.Act(f.ctx, f.mod.ID, c.in)
		require.ErrorIs(t, err, c.want, c.name)
	}
	_, n = f.count()
	require.Equal(t, logged, n)
}

func TestReceiveFlagAboutDiscussionMessages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	dd := f.discussion()
	for _, c := range []struct {
		name    string
		objects []string
		want    moderation.Target
		iris    []string
	}{
		{"a message by its id", []string{f.remote.APID, dd.reply.APID},
			moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: dd.reply.ID}, []string{dd.reply.APID}},
		{"a discussion's first message by the discussion's id", []string{dd.d.APID},
			moderation.Target{Kind: moderation.TargetDiscussionMessage, ID: dd.first.ID}, []string{dd.d.APID}},
		{"a message its actor did not write is dropped", []string{f.remote.APID, dd.local.APID},
			moderation.Target{Kind: moderation.TargetActor, ID: f.remote.ID}, nil},
	} {
		f.tick()
		r, err := f.svc.ReceiveFlag(f.ctx, moderation.FlagInput{ID: "https://remote.example/flags/" + f.id(),
			SenderID: f.remoteInstance.ID, Objects: c.objects, Content: "spam"})
		require.NoError(t, err, c.name)
		require.Equal(t, c.want, r.Target, c.name)
		require.Equal(t, c.iris, r.ContentIRIs, c.name)
	}
}
