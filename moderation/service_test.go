package moderation_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
)

func TestNew(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := moderation.New(moderation.Config{Identity: f.ident})
	require.ErrorContains(t, err, "Store")
	_, err = moderation.New(moderation.Config{Store: f.db})
	require.ErrorContains(t, err, "Identity")
	svc, err := moderation.New(moderation.Config{Store: f.db, Identity: f.ident})
	require.NoError(t, err)
	_, err = svc.Act(f.ctx, f.admin.ID, moderation.ActionInput{Kind: moderation.ActionSuspend,
		Target: moderation.Target{Kind: moderation.TargetActor, ID: f.remote.ID}})
	require.ErrorIs(t, err, moderation.ErrUnsupported, "no Suspender")
	_, err = svc.Act(f.ctx, f.admin.ID, moderation.ActionInput{Kind: moderation.ActionHide,
		Target: moderation.Target{Kind: moderation.TargetEvent, ID: f.event.ID}})
	require.ErrorIs(t, err, moderation.ErrUnsupported, "no ContentHider")
	_, actions := f.count()
	require.Zero(t, actions)
}

func TestFile(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tg := func(k moderation.TargetKind, id string) moderation.Target { return moderation.Target{Kind: k, ID: id} }
	for _, c := range []struct {
		name      string
		target    func() moderation.Target
		actor     func() string
		iris      func() []string
		forwarded bool
	}{
		{"remote actor", func() moderation.Target { return tg(moderation.TargetActor, f.remote.ID) },
			func() string { return f.remote.ID }, func() []string { return nil }, true},
		{"remote group", func() moderation.Target { return tg(moderation.TargetGroup, f.remoteGroup.ID) },
			func() string { return f.remoteGroup.ID }, func() []string { return nil }, true},
		{"local group", func() moderation.Target { return tg(moderation.TargetGroup, f.localGroup.ID) },
			func() string { return f.localGroup.ID }, func() []string { return nil }, false},
		{"local profile", func() moderation.Target { return tg(moderation.TargetActor, f.otherP.ID) },
			func() string { return f.otherP.ID }, func() []string { return nil }, false},
		{"remote event", func() moderation.Target { return tg(moderation.TargetEvent, f.remoteEvent.ID) },
			func() string { return f.remote.ID }, func() []string { return []string{f.remoteEvent.APID} }, true},
		{"remote comment on a local event", func() moderation.Target { return tg(moderation.TargetComment, f.remoteComment.ID) },
			func() string { return f.remote.ID }, func() []string { return []string{f.remoteComment.APID} }, true},
	} {
		f.tick()
		before := len(f.hook.filed())
		by := f.otherP
		if c.name == "local profile" {
			by = f.userP
		}
		r, err := f.svc.File(f.ctx, by.AccountID, by.ID, moderation.ReportInput{Target: c.target(),
			Comment: "  Spam\r\nand more  "})
		require.NoError(t, err, c.name)
		want := &moderation.Report{ID: r.ID, ReporterID: by.ID, Target: c.target(), TargetActorID: c.actor(),
			ContentIRIs: c.iris(), Comment: "Spam\nand more", Status: moderation.StatusOpen, Forwarded: c.forwarded,
			CreatedAt: f.now, UpdatedAt: f.now}
		require.Equal(t, want, r, c.name)
		got, err := f.db.GetReport(f.ctx, r.ID)
		require.NoError(t, err)
		require.Equal(t, r.ID, got.ID)
		filed := f.hook.filed()
		require.Len(t, filed, before+1, "the hook is told of every report")
		require.Equal(t, *r, filed[before])
	}

	// Refusals change nothing.
	reports, _ := f.count()
	hooked := len(f.hook.filed())
	long := strings.Repeat("x", moderation.MaxCommentLength+1)
	for _, c := range []struct {
		name    string
		account string
		profile string
		in      moderation.ReportInput
		want    error
		field   string
	}{
		{"bad kind", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg("post", f.event.ID)}, moderation.ErrInvalid, "target_kind"},
		{"no id", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, "")}, moderation.ErrInvalid, "target_id"},
		{"long id", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, strings.Repeat("a", 101))}, moderation.ErrInvalid, "target_id"},
		{"long comment", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, f.remoteEvent.ID), Comment: long}, moderation.ErrInvalid, "comment"},
		{"control characters", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, f.remoteEvent.ID), Comment: "a\x00b"}, moderation.ErrInvalid, "comment"},
		{"invalid UTF-8", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, f.remoteEvent.ID), Comment: "a\xffb"}, moderation.ErrInvalid, "comment"},
		{"itself", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetActor, f.userP.ID)}, moderation.ErrInvalid, "target_id"},
		{"its own event", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, f.event.ID)}, moderation.ErrInvalid, "target_id"},
		{"its own comment", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetComment, f.comment.ID)}, moderation.ErrInvalid, "target_id"},
		{"unknown event", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetEvent, "nope")}, moderation.ErrNotFound, ""},
		{"unknown actor", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetActor, "nope")}, moderation.ErrNotFound, ""},
		{"a group as an actor", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetActor, f.remoteGroup.ID)}, moderation.ErrNotFound, ""},
		{"an actor as a group", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetGroup, f.remote.ID)}, moderation.ErrNotFound, ""},
		{"an event as a comment", f.user.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetComment, f.remoteEvent.ID)}, moderation.ErrNotFound, ""},
		{"twice while open", f.otherP.AccountID, f.otherP.ID, moderation.ReportInput{Target: tg(moderation.TargetActor, f.remote.ID)}, moderation.ErrAlreadyReported, ""},
		{"suspended account", f.suspended.ID, f.userP.ID, moderation.ReportInput{Target: tg(moderation.TargetActor, f.remote.ID)}, moderation.ErrForbidden, ""},
	} {
		_, err := f.svc.File(f.ctx, c.account, c.profile, c.in)
		require.ErrorIs(t, err, c.want, c.name)
		if c.field != "" {
			var ve *moderation.ValidationError
			require.ErrorAs(t, err, &ve, c.name)
			require.Equal(t, c.field, ve.Field, c.name)
		}
	}
	r2, _ := f.count()
	require.Equal(t, reports, r2, "refused reports are not stored")
	require.Len(t, f.hook.filed(), hooked, "nor told to the hook")

	// Once the first report is closed, the same target may be reported again.
	open, _, err := f.svc.Reports(f.ctx, f.mod.ID, moderation.ReportFilter{Status: moderation.StatusOpen,
		TargetActorID: f.remote.ID})
	require.NoError(t, err)
	require.Len(t, open, 3, "actor, event and comment reports about the remote actor")
	for _, r := range open {
		if r.Target.Kind == moderation.TargetActor {
			_, err := f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionDismiss, ReportID: r.ID})
			require.NoError(t, err)
		}
	}
	_, err = f.svc.File(f.ctx, f.otherP.AccountID, f.otherP.ID, moderation.ReportInput{
		Target: tg(moderation.TargetActor, f.remote.ID)})
	require.NoError(t, err)
}

func TestFileHookError(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.hook.err = errors.New("outbox down")
	_, err := f.svc.File(f.ctx, f.user.ID, f.userP.ID, moderation.ReportInput{
		Target: moderation.Target{Kind: moderation.TargetActor, ID: f.remote.ID}})
	require.ErrorContains(t, err, "outbox down")
	reports, _ := f.count()
	require.Zero(t, reports, "the report rolls back with the hook")
}

func TestReceiveFlag(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	otherEvent := f.newEvent(f.otherP.ID, true)
	userComment := f.comment
	t.Run("actor and its content", func(t *testing.T) {
		// The event and comment of the user are kept; another's event is
		// dropped; unknown objects are ignored.
		f.tick()
		r, err := f.svc.ReceiveFlag(f.ctx, moderation.FlagInput{ID: "https://remote.example/report/1",
			SenderID: f.remoteInstance.ID, Content: "Spam \x00" + strings.Repeat("é", moderation.MaxCommentLength),
			Objects: []string{"https://elsewhere.example/x", f.userP.APID, otherEvent.APID, f.event.APID, userComment.APID}})
		require.NoError(t, err)
		assert.Equal(t, moderation.Target{Kind: moderation.TargetComment, ID: userComment.ID}, r.Target)
		assert.Equal(t, f.userP.ID, r.TargetActorID)
		assert.Equal(t, []string{f.event.APID, userComment.APID}, r.ContentIRIs)
		assert.Equal(t, f.remoteInstance.ID, r.ReporterID)
		assert.True(t, r.Remote)
		assert.False(t, r.Forwarded)
		assert.Equal(t, "https://remote.example/report/1", r.APID)
		assert.LessOrEqual(t, len(r.Comment), moderation.MaxCommentLength)
		assert.True(t, strings.HasPrefix(r.Comment, "Spam é"), "control characters dropped, text cut: %q", r.Comment[:10])
		assert.True(t, strings.HasSuffix(r.Comment, "é"), "cut on a character boundary")
		got, err := f.db.GetReportByAPID(f.ctx, r.APID)
		require.NoError(t, err)
		assert.Equal(t, r.ID, got.ID)
		assert.Equal(t, *r, f.hook.filed()[len(f.hook.filed())-1])
	})
	t.Run("content without actor", func(t *testing.T) {
		r, err := f.svc.ReceiveFlag(f.ctx, moderation.FlagInput{ID: "https://remote.example/report/2",
			SenderID: f.remoteInstance.ID, Objects: []string{f.event.APID}})
		require.NoError(t, err)
		assert.Equal(t, moderation.Target{Kind: moderation.TargetEvent, ID: f.event.ID}, r.Target)
		assert.Equal(t, f.userP.ID, r.TargetActorID)
	})
	t.Run("group", func(t *testing.T) {
		r, err := f.svc.ReceiveFlag(f.ctx, moderation.FlagInput{ID: "https://remote.example/report/3",
			SenderID: f.remoteInstance.ID, Objects: []string{f.localGroup.APID}})
		require.NoError(t, err)
		assert.Equal(t, moderation.Target{Kind: moderation.TargetGroup, ID: f.localGroup.ID}, r.Target)
	})
	t.Run("refused", func(t *testing.T) {
		reports, _ := f.count()
		for _, c := range []struct {
			name string
			in   moderation.FlagInput
			want error
		}{
			{"again", moderation.FlagInput{ID: "https://remote.example/report/1", SenderID: f.remoteInstance.ID,
				Objects: []string{f.userP.APID}}, moderation.ErrAlreadyReported},
			{"no id", moderation.FlagInput{SenderID: f.remoteInstance.ID, Objects: []string{f.userP.APID}}, moderation.ErrInvalid},
			{"relative id", moderation.FlagInput{ID: "/report/9", SenderID: f.remoteInstance.ID, Objects: []string{f.userP.APID}}, moderation.ErrInvalid},
			{"no sender", moderation.FlagInput{ID: "https://remote.example/report/9", Objects: []string{f.userP.APID}}, moderation.ErrInvalid},
			{"local sender", moderation.FlagInput{ID: "https://remote.example/report/9", SenderID: f.userP.ID,
				Objects: []string{f.otherP.APID}}, moderation.ErrInvalid},
			{"unknown sender", moderation.FlagInput{ID: "https://remote.example/report/9", SenderID: "nope",
				Objects: []string{f.otherP.APID}}, moderation.ErrNotFound},
			{"nothing known", moderation.FlagInput{ID: "https://remote.example/report/9", SenderID: f.remoteInstance.ID,
				Objects: []string{"https://elsewhere.example/x", ""}}, moderation.ErrNotFound},
			{"no objects", moderation.FlagInput{ID: "https://remote.example/report/9", SenderID: f.remoteInstance.ID}, moderation.ErrNotFound},
		} {
			_, err := f.svc.ReceiveFlag(f.ctx, c.in)
			require.ErrorIs(t, err, c.want, c.name)
		}
		r2, _ := f.count()
		require.Equal(t, reports, r2)
	})
}

func TestAct(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.file(moderation.Target{Kind: moderation.TargetComment, ID: f.remoteComment.ID})

	// Hiding takes the report's content; suspending its actor.
	f.tick()
	a, err := f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID,
		Comment: "off-topic"})
	require.NoError(t, err)
	require.Equal(t, &moderation.Action{ID: a.ID, AccountID: f.mod.ID, Kind: moderation.ActionHide,
		Target: r.Target, ReportID: r.ID, Comment: "off-topic", CreatedAt: f.now}, a)
	require.True(t, f.fx.isHidden(f.remoteComment.ID))
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionSuspend, ReportID: r.ID})
	require.NoError(t, err)
	require.True(t, f.fx.isSuspended(f.remote.ID), "the comment's remote author")
	f.tick()
	_, err = f.svc.Act(f.ctx, f.admin.ID, moderation.ActionInput{Kind: moderation.ActionUnhide,
		Target: moderation.Target{Kind: moderation.TargetComment, ID: f.remoteComment.ID}})
	require.NoError(t, err, "an action without a report")
	require.False(t, f.fx.isHidden(f.remoteComment.ID))
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionHide,
		Target: moderation.Target{Kind: moderation.TargetEvent, ID: f.remoteEvent.ID}})
	require.NoError(t, err)
	require.True(t, f.fx.isHidden(f.remoteEvent.ID))
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionSuspend,
		Target: moderation.Target{Kind: moderation.TargetGroup, ID: f.localGroup.ID}})
	require.NoError(t, err)
	require.True(t, f.fx.isSuspended(f.localGroup.ID))
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionSuspendAccount,
		Target: moderation.Target{Kind: moderation.TargetActor, ID: f.otherP.ID}})
	require.NoError(t, err)
	acct, err := f.db.GetAccount(f.ctx, f.otherP.AccountID)
	require.NoError(t, err)
	require.True(t, acct.Suspended)
	f.tick()
	_, err = f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionUnsuspendAccount,
		Target: moderation.Target{Kind: moderation.TargetActor, ID: f.otherP.ID}})
	require.NoError(t, err)
	acct, err = f.db.GetAccount(f.ctx, f.otherP.AccountID)
	require.NoError(t, err)
	require.False(t, acct.Suspended)

	// Status changes.
	for _, c := range []struct {
		kind moderation.ActionKind
		want moderation.Status
		err  error
	}{
		{moderation.ActionReopen, "", moderation.ErrStatus},
		{moderation.ActionResolve, moderation.StatusResolved, nil},
		{moderation.ActionResolve, "", moderation.ErrStatus},
		{moderation.ActionDismiss, "", moderation.ErrStatus},
		{moderation.ActionReopen, moderation.StatusOpen, nil},
		{moderation.ActionDismiss, moderation.StatusDismissed, nil},
	} {
		f.tick()
		_, before := f.count()
		a, err := f.svc.Act(f.ctx, f.admin.ID, moderation.ActionInput{Kind: c.kind, ReportID: r.ID})
		_, after := f.count()
		got, gerr := f.db.GetReport(f.ctx, r.ID)
		require.NoError(t, gerr)
		if c.err != nil {
			require.ErrorIs(t, err, c.err, c.kind)
			require.Equal(t, before, after)
			continue
		}
		require.NoError(t, err, c.kind)
		require.Equal(t, c.want, got.Status)
		require.Equal(t, f.now, got.UpdatedAt)
		require.Equal(t, r.Target, a.Target)
		require.Equal(t, before+1, after)
	}

	// Refusals.
	_, logged := f.count()
	for _, c := range []struct {
		name  string
		in    moderation.ActionInput
		want  error
		field string
	}{
		{"unknown kind", moderation.ActionInput{Kind: "ban", ReportID: r.ID}, moderation.ErrInvalid, "kind"},
		{"resolve without report", moderation.ActionInput{Kind: moderation.ActionResolve}, moderation.ErrInvalid, "report_id"},
		{"no target", moderation.ActionInput{Kind: moderation.ActionHide}, moderation.ErrInvalid, "target_id"},
		{"unknown report", moderation.ActionInput{Kind: moderation.ActionHide, ReportID: "nope"}, moderation.ErrNotFound, ""},
		{"hide an actor", moderation.ActionInput{Kind: moderation.ActionHide,
			Target: moderation.Target{Kind: moderation.TargetActor, ID: f.remote.ID}}, moderation.ErrInvalid, "target_kind"},
		{"suspend an event", moderation.ActionInput{Kind: moderation.ActionSuspend,
			Target: moderation.Target{Kind: moderation.TargetEvent, ID: f.event.ID}}, moderation.ErrInvalid, "target_kind"},
		{"suspend a remote account", moderation.ActionInput{Kind: moderation.ActionSuspendAccount,
			Target: moderation.Target{Kind: moderation.TargetActor, ID: f.remote.ID}}, moderation.ErrInvalid, "target_id"},
		{"suspend a group's account", moderation.ActionInput{Kind: moderation.ActionSuspendAccount,
			Target: moderation.Target{Kind: moderation.TargetGroup, ID: f.localGroup.ID}}, moderation.ErrInvalid, "target_kind"},
		{"unknown target", moderation.ActionInput{Kind: moderation.ActionHide,
			Target: moderation.Target{Kind: moderation.TargetEvent, ID: "nope"}}, moderation.ErrNotFound, ""},
		{"long reason", moderation.ActionInput{Kind: moderation.ActionHide, ReportID: r.ID,
			Comment: strings.Repeat("x", moderation.MaxReasonLength+1)}, moderation.ErrInvalid, "comment"},
	} {
		_, err := f.svc.Act(f.ctx, f.mod.ID, c.in)
		require.ErrorIs(t, err, c.want, c.name)
		if c.field != "" {
			var ve *moderation.ValidationError
			require.ErrorAs(t, err, &ve, c.name)
			require.Equal(t, c.field, ve.Field, c.name)
		}
	}
	_, after := f.count()
	require.Equal(t, logged, after, "refused actions are not logged")

	// The log, paged, oldest first; and by report.
	var all []moderation.Action
	cursor := ""
	for range 10 {
		page, next, err := f.svc.Log(f.ctx, f.mod.ID, moderation.LogFilter{After: cursor, Limit: 3})
		require.NoError(t, err)
		all = append(all, page...)
		if next == "" {
			break
		}
		cursor = next
	}
	require.Len(t, all, logged)
	for i := 1; i < len(all); i++ {
		require.False(t, all[i].CreatedAt.Before(all[i-1].CreatedAt), "oldest first")
	}
	byReport, next, err := f.svc.Log(f.ctx, f.mod.ID, moderation.LogFilter{ReportID: r.ID})
	require.NoError(t, err)
	require.Empty(t, next)
	require.Len(t, byReport, 5, "hide, suspend, resolve, reopen, dismiss")
	_, _, err = f.svc.Log(f.ctx, f.mod.ID, moderation.LogFilter{After: "not a cursor"})
	require.ErrorIs(t, err, moderation.ErrInvalid)
	require.ErrorIs(t, err, storage.ErrInvalidCursor)
}

func TestNotes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.file(moderation.Target{Kind: moderation.TargetActor, ID: f.remote.ID})
	f.tick()
	n1, err := f.svc.AddNote(f.ctx, f.mod.ID, r.ID, " Seen it before.\r\nSecond line ")
	require.NoError(t, err)
	require.Equal(t, &moderation.Note{ID: n1.ID, ReportID: r.ID, AuthorID: f.mod.ID,
		Text: "Seen it before.\nSecond line", CreatedAt: f.now}, n1)
	f.tick()
	n2, err := f.svc.AddNote(f.ctx, f.admin.ID, r.ID, "Agreed.")
	require.NoError(t, err)
	notes, err := f.svc.Notes(f.ctx, f.admin.ID, r.ID)
	require.NoError(t, err)
	require.Equal(t, []moderation.Note{*n1, *n2}, notes)

	for _, c := range []struct {
		name, report, text string
		want               error
	}{
		{"empty", r.ID, "  ", moderation.ErrInvalid},
		{"too long", r.ID, strings.Repeat("x", moderation.MaxNoteLength+1), moderation.ErrInvalid},
		{"control", r.ID, "a\x07", moderation.ErrInvalid},
		{"no report", "", "x", moderation.ErrInvalid},
		{"unknown report", "nope", "x", moderation.ErrNotFound},
	} {
		_, err := f.svc.AddNote(f.ctx, f.mod.ID, c.report, c.text)
		require.ErrorIs(t, err, c.want, c.name)
	}
	notes, err = f.svc.Notes(f.ctx, f.mod.ID, r.ID)
	require.NoError(t, err)
	require.Len(t, notes, 2)
	_, err = f.svc.Notes(f.ctx, f.mod.ID, "nope")
	require.ErrorIs(t, err, moderation.ErrNotFound)
}

func TestReportsQueue(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var ids []string
	for _, tg := range []moderation.Target{
		{Kind: moderation.TargetActor, ID: f.remote.ID},
		{Kind: moderation.TargetGroup, ID: f.remoteGroup.ID},
		{Kind: moderation.TargetEvent, ID: f.remoteEvent.ID},
		{Kind: moderation.TargetComment, ID: f.remoteComment.ID},
		{Kind: moderation.TargetActor, ID: f.otherP.ID},
	} {
		ids = append(ids, f.file(tg).ID)
	}
	_, err := f.svc.Act(f.ctx, f.mod.ID, moderation.ActionInput{Kind: moderation.ActionResolve, ReportID: ids[1]})
	require.NoError(t, err)

	var got []string
	cursor := ""
	for range 10 {
		page, next, err := f.svc.Reports(f.ctx, f.mod.ID, moderation.ReportFilter{Status: moderation.StatusOpen,
			After: cursor, Limit: 2})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), 2)
		for _, r := range page {
			got = append(got, r.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	require.Equal(t, []string{ids[0], ids[2], ids[3], ids[4]}, got, "open reports, oldest first")
	resolved, _, err := f.svc.Reports(f.ctx, f.mod.ID, moderation.ReportFilter{Status: moderation.StatusResolved})
	require.NoError(t, err)
	require.Len(t, resolved, 1)
	require.Equal(t, ids[1], resolved[0].ID)
	all, next, err := f.svc.Reports(f.ctx, f.admin.ID, moderation.ReportFilter{Limit: 1000})
	require.NoError(t, err)
	require.Len(t, all, 5)
	require.Empty(t, next)
	one, err := f.svc.Report(f.ctx, f.mod.ID, ids[2])
	require.NoError(t, err)
	require.Equal(t, f.remoteEvent.ID, one.Target.ID)
	_, err = f.svc.Report(f.ctx, f.mod.ID, "nope")
	require.ErrorIs(t, err, moderation.ErrNotFound)

	_, _, err = f.svc.Reports(f.ctx, f.mod.ID, moderation.ReportFilter{Status: "pending"})
	require.ErrorIs(t, err, moderation.ErrInvalid)
	_, _, err = f.svc.Reports(f.ctx, f.mod.ID, moderation.ReportFilter{After: "!!"})
	require.ErrorIs(t, err, moderation.ErrInvalid)
}

func TestRules(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r, err := f.svc.Rules(f.ctx)
	require.NoError(t, err)
	require.Equal(t, &moderation.Rules{}, r, "never set")
	f.tick()
	set, err := f.svc.SetRules(f.ctx, f.admin.ID, "Be kind.\r\n\r\nNo spam.\n")
	require.NoError(t, err)
	want := &moderation.Rules{Text: "Be kind.\n\nNo spam.", UpdatedAt: f.now, UpdatedBy: f.admin.ID}
	require.Equal(t, want, set)
	r, err = f.svc.Rules(f.ctx)
	require.NoError(t, err)
	require.Equal(t, want, r)
	for _, text := range []string{strings.Repeat("x", moderation.MaxRulesLength+1), "a\x1bb", "\xff"} {
		_, err := f.svc.SetRules(f.ctx, f.admin.ID, text)
		require.ErrorIs(t, err, moderation.ErrInvalid)
	}
	_, err = f.svc.SetRules(f.ctx, f.mod.ID, "Anything goes.")
	require.ErrorIs(t, err, moderation.ErrForbidden)
	r, err = f.svc.Rules(f.ctx)
	require.NoError(t, err)
	require.Equal(t, want, r, "unchanged by refusals")
	_, err = f.svc.SetRules(f.ctx, f.admin.ID, "")
	require.NoError(t, err, "emptied")
	r, err = f.svc.Rules(f.ctx)
	require.NoError(t, err)
	require.Empty(t, r.Text)
}

func TestInstanceSettings(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s, err := f.svc.Settings(f.ctx)
	require.NoError(t, err)
	require.Equal(t, moderation.InstanceSettings{}, s, "never set: the server's configuration applies")
	want := moderation.InstanceSettings{Name: "Riverside events", Description: "Walks, picnics and repair cafés.",
		Registrations: moderation.RegistrationsApproval}
	got, err := f.svc.SetSettings(f.ctx, f.admin.ID, moderation.InstanceSettings{Name: "  Riverside events ",
		Description: want.Description, Registrations: want.Registrations})
	require.NoError(t, err)
	require.Equal(t, want, got)
	s, err = f.svc.Settings(f.ctx)
	require.NoError(t, err)
	require.Equal(t, want, s)

	for _, bad := range []moderation.InstanceSettings{
		{Name: strings.Repeat("x", moderation.MaxInstanceName+1)},
		{Name: "two\nlines"},
		{Registrations: "sometimes"},
		{Description: "\xff"},
	} {
		_, err := f.svc.SetSettings(f.ctx, f.admin.ID, bad)
		require.ErrorIs(t, err, moderation.ErrInvalid, "%+v", bad)
	}
	_, err = f.svc.SetSettings(f.ctx, f.mod.ID, moderation.InstanceSettings{Name: "Mine"})
	require.ErrorIs(t, err, moderation.ErrForbidden)
	s, err = f.svc.Settings(f.ctx)
	require.NoError(t, err)
	require.Equal(t, want, s, "unchanged by refusals")
}
