package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
)

// moderationCases check moderation.Store: reports, notes, the action
// log and instance settings. The TargetStore part of it is the
// identity and events lookups, checked by their own cases; here it is
// only required to be there, on the backend and on its transactions.
func moderationCases() []testCase {
	return []testCase{
		{"ReportRoundTrip", testReportRoundTrip},
		{"ReportErrors", testReportErrors},
		{"ListReports", testListReports},
		{"ReportPages", testReportPages},
		{"Notes", testReportNotes},
		{"Actions", testModerationActions},
		{"Settings", testSettings},
		{"RolledBack", testModerationRolledBack},
	}
}

func (w *world) moderation() moderation.Store {
	w.t.Helper()
	m, ok := w.b.(moderation.Store)
	require.True(w.t, ok, "the backend must implement moderation.Store")
	return m
}

// newReport returns an unstored local report about an event, every
// field set.
func (w *world) newReport(reporterID, targetActorID string) *moderation.Report {
	id := w.id()
	return &moderation.Report{
		ID: id, ReporterID: reporterID,
		Target:        moderation.Target{Kind: moderation.TargetEvent, ID: w.id()},
		TargetActorID: targetActorID,
		ContentIRIs:   []string{"https://remote.example/events/" + id, "https://remote.example/comments/" + id},
		Comment:       "Spam, ünïcode and\nnew lines",
		Status:        moderation.StatusOpen,
		Forwarded:     true,
		CreatedAt:     at(-time.Hour), UpdatedAt: at(-time.Minute),
	}
}

// newRemoteReport returns an unstored report received as a Flag.
func (w *world) newRemoteReport(reporterID, targetActorID string) *moderation.Report {
	r := w.newReport(reporterID, targetActorID)
	r.APID = "https://remote.example/report/" + r.ID
	r.Target = moderation.Target{Kind: moderation.TargetActor, ID: targetActorID}
	r.ContentIRIs, r.Comment, r.Remote, r.Forwarded = nil, "", true, false
	return r
}

func normReport(r moderation.Report) moderation.Report {
	r.ContentIRIs = nilIfEmpty(r.ContentIRIs)
	return r
}

func requireReport(t *testing.T, want, got *moderation.Report) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, normReport(*want), normReport(*got))
}

func testReportRoundTrip(t *testing.T, w *world) {
	m := w.moderation()
	reporter, target := w.profile(), w.remoteActor()
	local := w.newReport(reporter.ID, target.ID)
	remote := w.newRemoteReport(w.remoteActor().ID, reporter.ID)
	for _, r := range []*moderation.Report{local, remote} {
		require.NoError(t, m.CreateReport(w.ctx, r))
		got, err := m.GetReport(w.ctx, r.ID)
		require.NoError(t, err)
		requireReport(t, r, got)
	}
	got, err := m.GetReportByAPID(w.ctx, remote.APID)
	require.NoError(t, err)
	requireReport(t, remote, got)

	// UpdateReport stores the status and update time only.
	changed := *local
	changed.Status, changed.UpdatedAt = moderation.StatusResolved, at(time.Hour)
	changed.Comment, changed.TargetActorID, changed.ContentIRIs = "edited", w.id(), nil
	require.NoError(t, m.UpdateReport(w.ctx, &changed))
	got, err = m.GetReport(w.ctx, local.ID)
	require.NoError(t, err)
	want := *local
	want.Status, want.UpdatedAt = moderation.StatusResolved, at(time.Hour)
	requireReport(t, &want, got)

	// Reports name actors that need not exist (and outlive them).
	ghost := w.newReport(w.id(), w.id())
	require.NoError(t, m.CreateReport(w.ctx, ghost), "actor ids are not foreign keys")
}

func testReportErrors(t *testing.T, w *world) {
	m := w.moderation()
	p := w.profile()
	r := w.newRemoteReport(w.remoteActor().ID, p.ID)
	require.NoError(t, m.CreateReport(w.ctx, r))

	sameID := w.newReport(p.ID, w.id())
	sameID.ID = r.ID
	requireConflict(t, m.CreateReport(w.ctx, sameID), "CreateReport with a taken id")
	sameAPID := w.newRemoteReport(w.remoteActor().ID, p.ID)
	sameAPID.APID = r.APID
	requireConflict(t, m.CreateReport(w.ctx, sameAPID), "CreateReport with a taken APID")
	_, err := m.GetReport(w.ctx, sameAPID.ID)
	requireNotFound(t, err, "the refused report is not stored")
	got, err := m.GetReport(w.ctx, r.ID)
	require.NoError(t, err)
	requireReport(t, r, got) // unchanged by the refused writes

	// Empty APIDs do not collide.
	for range 2 {
		require.NoError(t, m.CreateReport(w.ctx, w.newReport(p.ID, w.id())), "two local reports without APID")
	}
	_, err = m.GetReportByAPID(w.ctx, "")
	requireNotFound(t, err, "GetReportByAPID of no APID")
	_, err = m.GetReportByAPID(w.ctx, "https://remote.example/report/unknown")
	requireNotFound(t, err, "GetReportByAPID")
	_, err = m.GetReport(w.ctx, w.id())
	requireNotFound(t, err, "GetReport")
	_, err = m.GetReport(w.ctx, "")
	requireNotFound(t, err, "GetReport of no id")
	missing := w.newReport(p.ID, w.id())
	requireNotFound(t, m.UpdateReport(w.ctx, missing), "UpdateReport of a missing report")
}

func testListReports(t *testing.T, w *world) {
	m := w.moderation()
	alice, bob, spammer := w.profile(), w.profile(), w.remoteActor()
	mk := func(reporter, target string, status moderation.Status, d time.Duration) *moderation.Report {
		r := w.newReport(reporter, target)
		r.Status, r.CreatedAt = status, at(d)
		require.NoError(t, m.CreateReport(w.ctx, r))
		return r
	}
	// Created out of order.
	r3 := mk(alice.ID, spammer.ID, moderation.StatusDismissed, 3*time.Minute)
	r1 := mk(alice.ID, spammer.ID, moderation.StatusOpen, time.Minute)
	r2 := mk(bob.ID, spammer.ID, moderation.StatusOpen, 2*time.Minute)
	r4 := mk(bob.ID, alice.ID, moderation.StatusResolved, 4*time.Minute)
	onSame := w.newReport(bob.ID, spammer.ID)
	onSame.Target, onSame.CreatedAt = r1.Target, at(5*time.Minute)
	require.NoError(t, m.CreateReport(w.ctx, onSame))

	id := func(r moderation.Report) string { return r.ID }
	for _, c := range []struct {
		name string
		q    moderation.ReportQuery
		want []*moderation.Report
	}{
		{"all", moderation.ReportQuery{}, []*moderation.Report{r1, r2, r3, r4, onSame}},
		{"open", moderation.ReportQuery{Statuses: []moderation.Status{moderation.StatusOpen}}, []*moderation.Report{r1, r2, onSame}},
		{"closed", moderation.ReportQuery{Statuses: []moderation.Status{moderation.StatusResolved, moderation.StatusDismissed}},
			[]*moderation.Report{r3, r4}},
		{"reporter", moderation.ReportQuery{ReporterID: alice.ID}, []*moderation.Report{r1, r3}},
		{"target actor", moderation.ReportQuery{TargetActorID: alice.ID}, []*moderation.Report{r4}},
		{"target", moderation.ReportQuery{Target: r1.Target}, []*moderation.Report{r1, onSame}},
		{"open by bob on a target", moderation.ReportQuery{Statuses: []moderation.Status{moderation.StatusOpen},
			ReporterID: bob.ID, Target: r1.Target}, []*moderation.Report{onSame}},
		{"unknown reporter", moderation.ReportQuery{ReporterID: w.id()}, nil},
		{"limit", moderation.ReportQuery{Limit: 2}, []*moderation.Report{r1, r2}},
		{"after", moderation.ReportQuery{After: storage.Cursor{At: r2.CreatedAt, ID: r2.ID}}, []*moderation.Report{r3, r4, onSame}},
	} {
		got, err := m.ListReports(w.ctx, c.q)
		require.NoError(t, err, c.name)
		require.Equal(t, ids(derefAll(c.want), id), ids(got, id), c.name)
	}
	got, err := m.ListReports(w.ctx, moderation.ReportQuery{Limit: 1})
	require.NoError(t, err)
	require.Len(t, got, 1)
	requireReport(t, r1, &got[0])
}

func derefAll[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// testReportPages: paging through many reports with tied creation times
// and ids that run against insertion order sees each once, in order.
func testReportPages(t *testing.T, w *world) {
	m := w.moderation()
	p := w.profile()
	const n = 23
	times := tiedTimes(n, at(0))
	var want []keyed
	for i, id := range w.descendingIDs(n) {
		r := w.newReport(p.ID, w.id())
		r.ID, r.CreatedAt = id, times[i]
		if i%3 == 0 {
			r.Status = moderation.StatusResolved
		}
		require.NoError(t, m.CreateReport(w.ctx, r))
		if r.Status == moderation.StatusOpen {
			want = append(want, keyed{r.CreatedAt, r.ID})
		}
	}
	list := func(after storage.Cursor, limit int) ([]moderation.Report, error) {
		return m.ListReports(w.ctx, moderation.ReportQuery{Statuses: []moderation.Status{moderation.StatusOpen},
			After: after, Limit: limit})
	}
	pos := func(r moderation.Report) storage.Cursor { return storage.Cursor{At: r.CreatedAt, ID: r.ID} }
	all, sizes := walk(t, 4, list, pos)
	require.Equal(t, sortKeyed(want), ids(all, func(r moderation.Report) string { return r.ID }))
	require.Equal(t, pageSizes(len(want), 4), sizes)
}

func testReportNotes(t *testing.T, w *world) {
	m := w.moderation()
	p := w.profile()
	r, other := w.newReport(p.ID, w.id()), w.newReport(p.ID, w.id())
	require.NoError(t, m.CreateReport(w.ctx, r))
	require.NoError(t, m.CreateReport(w.ctx, other))
	ids3 := w.descendingIDs(3)
	notes := []*moderation.Note{
		{ID: ids3[0], ReportID: r.ID, AuthorID: w.id(), Text: "second", CreatedAt: at(2 * time.Minute)},
		{ID: ids3[1], ReportID: r.ID, AuthorID: w.id(), Text: "first\nline two", CreatedAt: at(time.Minute)},
		{ID: ids3[2], ReportID: r.ID, AuthorID: w.id(), Text: "tied with second", CreatedAt: at(2 * time.Minute)},
	}
	for _, n := range notes {
		require.NoError(t, m.CreateNote(w.ctx, n))
	}
	require.NoError(t, m.CreateNote(w.ctx, &moderation.Note{ID: w.id(), ReportID: other.ID, AuthorID: w.id(),
		Text: "elsewhere", CreatedAt: at(0)}))
	got, err := m.ListNotes(w.ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, []moderation.Note{*notes[1], *notes[2], *notes[0]}, got, "by (CreatedAt, ID)")

	dup := *notes[0]
	requireConflict(t, m.CreateNote(w.ctx, &dup), "CreateNote with a taken id")
	orphan := &moderation.Note{ID: w.id(), ReportID: w.id(), AuthorID: w.id(), Text: "x", CreatedAt: at(0)}
	requireNotFound(t, m.CreateNote(w.ctx, orphan), "CreateNote on a missing report")
	got, err = m.ListNotes(w.ctx, orphan.ReportID)
	require.NoError(t, err)
	require.Empty(t, got, "the refused note is not stored")
	got, err = m.ListNotes(w.ctx, r.ID)
	require.NoError(t, err)
	require.Len(t, got, 3)
}

func testModerationActions(t *testing.T, w *world) {
	m := w.moderation()
	p := w.profile()
	r := w.newReport(p.ID, w.id())
	require.NoError(t, m.CreateReport(w.ctx, r))
	mod := w.id()
	var all []moderation.Action
	for i, id := range w.descendingIDs(7) {
		a := &moderation.Action{ID: id, AccountID: mod, Kind: moderation.ActionHide, Target: r.Target,
			Comment: fmt.Sprintf("reason %d", i), CreatedAt: at(time.Duration(i%3) * time.Minute)}
		if i%2 == 0 {
			a.ReportID = r.ID
		}
		require.NoError(t, m.CreateAction(w.ctx, a))
		all = append(all, *a)
	}
	var want, wantReport []keyed
	byID := map[string]moderation.Action{}
	for _, a := range all {
		want = append(want, keyed{a.CreatedAt, a.ID})
		if a.ReportID != "" {
			wantReport = append(wantReport, keyed{a.CreatedAt, a.ID})
		}
		byID[a.ID] = a
	}
	id := func(a moderation.Action) string { return a.ID }
	pos := func(a moderation.Action) storage.Cursor { return storage.Cursor{At: a.CreatedAt, ID: a.ID} }
	got, sizes := walk(t, 3, func(after storage.Cursor, limit int) ([]moderation.Action, error) {
		return m.ListActions(w.ctx, moderation.ActionQuery{After: after, Limit: limit})
	}, pos)
	require.Equal(t, sortKeyed(want), ids(got, id))
	require.Equal(t, pageSizes(7, 3), sizes)
	for _, a := range got {
		require.Equal(t, byID[a.ID], a, "stored as written")
	}
	got, err := m.ListActions(w.ctx, moderation.ActionQuery{ReportID: r.ID})
	require.NoError(t, err)
	require.Equal(t, sortKeyed(wantReport), ids(got, id))

	dup := all[0]
	requireConflict(t, m.CreateAction(w.ctx, &dup), "CreateAction with a taken id")
	orphan := &moderation.Action{ID: w.id(), AccountID: mod, Kind: moderation.ActionResolve, Target: r.Target,
		ReportID: w.id(), CreatedAt: at(0)}
	requireNotFound(t, m.CreateAction(w.ctx, orphan), "CreateAction about a missing report")
	got, err = m.ListActions(w.ctx, moderation.ActionQuery{})
	require.NoError(t, err)
	require.Len(t, got, 7, "refused actions are not stored")
}

func testSettings(t *testing.T, w *world) {
	m := w.moderation()
	_, err := m.GetSetting(w.ctx, moderation.SettingRules)
	requireNotFound(t, err, "GetSetting of an unset key")
	s := &moderation.Setting{Key: moderation.SettingRules, Value: "Be kind.\n\nNo spam.", UpdatedAt: at(0), UpdatedBy: w.id()}
	require.NoError(t, m.PutSetting(w.ctx, s))
	other := &moderation.Setting{Key: "other", Value: "", UpdatedAt: at(time.Minute), UpdatedBy: w.id()}
	require.NoError(t, m.PutSetting(w.ctx, other))
	got, err := m.GetSetting(w.ctx, s.Key)
	require.NoError(t, err)
	require.Equal(t, *s, *got)

	replaced := &moderation.Setting{Key: s.Key, Value: "Only kindness.", UpdatedAt: at(time.Hour), UpdatedBy: w.id()}
	require.NoError(t, m.PutSetting(w.ctx, replaced))
	got, err = m.GetSetting(w.ctx, s.Key)
	require.NoError(t, err)
	require.Equal(t, *replaced, *got, "PutSetting replaces")
	got, err = m.GetSetting(w.ctx, other.Key)
	require.NoError(t, err)
	require.Equal(t, *other, *got, "other keys are untouched")
}

// testModerationRolledBack: moderation writes in a rolled-back
// transaction leave nothing behind; the transaction sees its own writes,
// through the contract it gets from storage.As.
func testModerationRolledBack(t *testing.T, w *world) {
	m := w.moderation()
	p := w.profile()
	kept := w.newReport(p.ID, w.id())
	require.NoError(t, m.CreateReport(w.ctx, kept))
	r := w.newRemoteReport(w.remoteActor().ID, p.ID)
	err := m.InTx(w.ctx, func(tx storage.Tx) error {
		st, err := storage.As[moderation.Store](tx)
		require.NoError(t, err, "storage.As[moderation.Store]")
		require.NoError(t, st.CreateReport(w.ctx, r))
		require.NoError(t, st.CreateNote(w.ctx, &moderation.Note{ID: w.id(), ReportID: kept.ID, AuthorID: w.id(),
			Text: "x", CreatedAt: at(0)}))
		require.NoError(t, st.CreateAction(w.ctx, &moderation.Action{ID: w.id(), AccountID: w.id(),
			Kind: moderation.ActionResolve, Target: kept.Target, ReportID: kept.ID, CreatedAt: at(0)}))
		changed := *kept
		changed.Status = moderation.StatusResolved
		require.NoError(t, st.UpdateReport(w.ctx, &changed))
		require.NoError(t, st.PutSetting(w.ctx, &moderation.Setting{Key: moderation.SettingRules, Value: "x",
			UpdatedAt: at(0), UpdatedBy: w.id()}))
		got, err := st.GetReportByAPID(w.ctx, r.APID)
		require.NoError(t, err)
		require.Equal(t, r.ID, got.ID)
		got, err = st.GetReport(w.ctx, kept.ID)
		require.NoError(t, err)
		require.Equal(t, moderation.StatusResolved, got.Status)
		_, err = st.GetActor(w.ctx, p.ID)
		require.NoError(t, err, "the TargetStore lookups work in a transaction")
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = m.GetReport(w.ctx, r.ID)
	requireNotFound(t, err, "a report created in a rolled-back transaction")
	got, err := m.GetReport(w.ctx, kept.ID)
	require.NoError(t, err)
	requireReport(t, kept, got)
	notes, err := m.ListNotes(w.ctx, kept.ID)
	require.NoError(t, err)
	require.Empty(t, notes)
	acts, err := m.ListActions(w.ctx, moderation.ActionQuery{})
	require.NoError(t, err)
	require.Empty(t, acts)
	_, err = m.GetSetting(w.ctx, moderation.SettingRules)
	requireNotFound(t, err, "a setting put in a rolled-back transaction")
}
