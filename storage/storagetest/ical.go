package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/storage"
)

func icalCases() []testCase {
	return []testCase{
		{"ImportedRoundTrip", testImportedRoundTrip},
		{"PutImportedReplaces", testPutImportedReplaces},
		{"ImportedErrors", testImportedErrors},
		{"ImportedGoesWithItsEventAndOwner", testImportedCascades},
		{"SubscriptionRoundTrip", testSubscriptionRoundTrip},
		{"SaveSubscriptionReplaces", testSaveSubscriptionReplaces},
		{"DueSubscriptions", testDueSubscriptions},
		{"ListSubscriptions", testListSubscriptions},
		{"SubscriptionErrors", testSubscriptionErrors},
		{"SubscriptionGoesWithItsTarget", testSubscriptionCascades},
		{"InTx", testICalInTx},
	}
}

// imported is a row for owner's event with every field set.
func (w *world) imported(owner, uid, eventID string) ical.Imported {
	return ical.Imported{
		Owner:       owner,
		UID:         uid,
		Source:      "https://calendar.example/feed.ics?u=" + uid,
		EventID:     eventID,
		Fingerprint: fmt.Sprintf("sha256:%064x/public", w.next()),
	}
}

func (w *world) putImported(rows ...ical.Imported) {
	w.t.Helper()
	for _, m := range rows {
		require.NoError(w.t, w.b.PutImported(w.ctx, m))
	}
}

func (w *world) requireImported(t *testing.T, owner string, want ...ical.Imported) {
	t.Helper()
	got, err := w.b.ImportedUIDs(w.ctx, owner)
	require.NoError(t, err)
	require.Equal(t, nilIfEmpty(want), nilIfEmpty(got), "ImportedUIDs(%s)", owner)
}

func testImportedRoundTrip(t *testing.T, w *world) {
	p, g := w.profile(), w.group()
	e1, e2 := w.event(w.newEvent(p.ID, at(time.Hour))), w.event(w.newEvent(p.ID, at(2*time.Hour)))
	ge := w.newEvent(g.ID, at(3*time.Hour))
	ge.GroupID = g.ID
	w.event(ge)

	// UIDs come back in bytewise order ("Z" < "a" < "e" < "é"), whatever
	// the order of writing.
	long := "event-" + fmt.Sprintf("%0500d", 7) + "@calendar.example"
	rows := []ical.Imported{
		w.imported(p.ID, "é-unicode@calendar.example", e1.ID),
		w.imported(p.ID, "a1@calendar.example", e2.ID),
		w.imported(p.ID, "Z9@calendar.example", e1.ID), // two UIDs, one event: allowed
		w.imported(p.ID, long, e2.ID),
	}
	minimal := ical.Imported{Owner: g.ID, UID: "g1", EventID: ge.ID} // Source and Fingerprint empty
	w.putImported(rows...)
	w.putImported(minimal)
	// The same UID under another owner is another row.
	other := w.imported(g.ID, "a1@calendar.example", ge.ID)
	w.putImported(other)

	w.requireImported(t, p.ID, rows[2], rows[1], rows[3], rows[0])
	w.requireImported(t, g.ID, other, minimal)
	w.requireImported(t, w.id())
	w.requireImported(t, "")
}

func testPutImportedReplaces(t *testing.T, w *world) {
	p := w.profile()
	e1, e2 := w.event(w.newEvent(p.ID, at(time.Hour))), w.event(w.newEvent(p.ID, at(2*time.Hour)))
	a, b := w.imported(p.ID, "a@x", e1.ID), w.imported(p.ID, "b@x", e1.ID)
	w.putImported(a, b)

	// Every field but the key changes; the other row stays.
	up := w.imported(p.ID, "a@x", e2.ID)
	up.Source = "upload"
	w.putImported(up)
	w.requireImported(t, p.ID, up, b)

	// Again, with empty fields.
	up2 := ical.Imported{Owner: p.ID, UID: "a@x", EventID: e1.ID}
	w.putImported(up2)
	w.requireImported(t, p.ID, up2, b)

	// Writing the same row twice is no conflict.
	w.putImported(up2)
	w.requireImported(t, p.ID, up2, b)
}

func testImportedErrors(t *testing.T, w *world) {
	p := w.profile()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	keep := w.imported(p.ID, "keep@x", e.ID)
	w.putImported(keep)

	// A row naming an event or an owner that does not exist.
	requireNotFound(t, w.b.PutImported(w.ctx, w.imported(p.ID, "new@x", w.id())), "PutImported of an unknown event")
	requireNotFound(t, w.b.PutImported(w.ctx, w.imported(w.id(), "new@x", e.ID)), "PutImported of an unknown owner")
	bad := keep
	bad.EventID, bad.Fingerprint = w.id(), "changed"
	requireNotFound(t, w.b.PutImported(w.ctx, bad), "PutImported replacing a row with an unknown event")

	// Empty keys are refused.
	for _, m := range []ical.Imported{
		{UID: "u@x", EventID: e.ID},
		{Owner: p.ID, EventID: e.ID},
		{Owner: p.ID, UID: "u@x"},
	} {
		require.Error(t, w.b.PutImported(w.ctx, m), "PutImported(%+v)", m)
	}
	w.requireImported(t, p.ID, keep)
	w.requireImported(t, "")

	// Deletes of missing rows.
	requireNotFound(t, w.b.DeleteImported(w.ctx, p.ID, "missing@x"), "DeleteImported of a missing UID")
	requireNotFound(t, w.b.DeleteImported(w.ctx, w.id(), keep.UID), "DeleteImported under another owner")
	requireNotFound(t, w.b.DeleteImported(w.ctx, "", ""), "DeleteImported of empty keys")
	w.requireImported(t, p.ID, keep)

	require.NoError(t, w.b.DeleteImported(w.ctx, p.ID, keep.UID))
	w.requireImported(t, p.ID)
	requireNotFound(t, w.b.DeleteImported(w.ctx, p.ID, keep.UID), "DeleteImported twice")
}

func testImportedCascades(t *testing.T, w *world) {
	p, g, q := w.profile(), w.group(), w.profile()
	e1, e2 := w.event(w.newEvent(p.ID, at(time.Hour))), w.event(w.newEvent(p.ID, at(2*time.Hour)))
	ge := w.newEvent(g.ID, at(3*time.Hour))
	ge.GroupID = g.ID
	w.event(ge)
	qe := w.event(w.newEvent(q.ID, at(4*time.Hour)))
	r1, r2 := w.imported(p.ID, "1@x", e1.ID), w.imported(p.ID, "2@x", e2.ID)
	rg, rq := w.imported(g.ID, "g@x", ge.ID), w.imported(q.ID, "q@x", qe.ID)
	w.putImported(r1, r2, rg, rq)

	// An event deleted here takes its row along: the next import of the
	// UID creates it again.
	require.NoError(t, w.b.DeleteEvent(w.ctx, e1.ID))
	w.requireImported(t, p.ID, r2)

	// So do a deleted group and a deleted profile.
	require.NoError(t, w.b.DeleteGroup(w.ctx, g.ID))
	w.requireImported(t, g.ID)
	require.NoError(t, w.b.DeleteProfile(w.ctx, q.ID))
	w.requireImported(t, q.ID)
	w.requireImported(t, p.ID, r2)
}

// newSubscription is a profile's subscription with every field set.
func (w *world) newSubscription(actorID, groupID string, next time.Time) *ical.Subscription {
	id := w.id()
	return &ical.Subscription{
		ID:            id,
		Target:        ical.Target{ActorID: actorID, GroupID: groupID},
		URL:           "https://calendar.example/" + id + ".ics?token=a%20b&x=1",
		Visibility:    events.Unlisted,
		DeleteMissing: true,
		ETag:          `W/"` + id + `"`,
		LastModified:  "Sat, 01 Jun 2030 11:00:00 GMT",
		CheckedAt:     next.Add(-time.Hour),
		NextAt:        next,
		LastError:     "ical: fetch: 503 Service Unavailable\nretry later",
	}
}

func (w *world) saveSubscription(subs ...*ical.Subscription) {
	w.t.Helper()
	for _, s := range subs {
		require.NoError(w.t, w.b.SaveSubscription(w.ctx, s))
	}
}

func (w *world) requireSubscription(t *testing.T, want *ical.Subscription) {
	t.Helper()
	got, err := w.b.GetSubscription(w.ctx, want.ID)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func subIDs(subs []ical.Subscription) []string {
	return ids(subs, func(s ical.Subscription) string { return s.ID })
}

func testSubscriptionRoundTrip(t *testing.T, w *world) {
	p, g := w.profile(), w.group()
	full := w.newSubscription(p.ID, g.ID, at(time.Hour))
	minimal := &ical.Subscription{ID: w.id(), Target: ical.Target{ActorID: p.ID}, URL: "https://c.example/x.ics"}
	// Times given in another zone come back in UTC.
	zoned := w.newSubscription(p.ID, "", at(2*time.Hour))
	auckland := time.FixedZone("+13", 13*60*60)
	zoned.CheckedAt, zoned.NextAt = zoned.CheckedAt.In(auckland), zoned.NextAt.In(auckland)
	zonedUTC := *zoned
	zonedUTC.CheckedAt, zonedUTC.NextAt = zoned.CheckedAt.UTC(), zoned.NextAt.UTC()
	// A NextAt before 1970 survives too.
	old := w.newSubscription(p.ID, "", time.Date(1969, time.July, 20, 20, 17, 40, 999999000, time.UTC))

	for _, tc := range []struct {
		name string
		s    *ical.Subscription
		want *ical.Subscription // nil: s
	}{
		{"full", full, nil}, {"minimal", minimal, nil}, {"zoned-times", zoned, &zonedUTC}, {"before-1970", old, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want
			if want == nil {
				want = tc.s
			}
			w.saveSubscription(tc.s)
			w.requireSubscription(t, want)
		})
	}
	got, err := w.b.GetSubscription(w.ctx, minimal.ID)
	require.NoError(t, err)
	require.True(t, got.CheckedAt.IsZero(), "a zero CheckedAt stays zero")
	require.True(t, got.NextAt.IsZero(), "a zero NextAt stays zero")
}

func testSaveSubscriptionReplaces(t *testing.T, w *world) {
	p, q, g := w.profile(), w.profile(), w.group()
	s := w.newSubscription(p.ID, "", at(time.Hour))
	keep := w.newSubscription(p.ID, "", at(time.Hour))
	w.saveSubscription(s, keep)

	// Every field changes, the target from a profile to a group.
	up := &ical.Subscription{
		ID: s.ID, Target: ical.Target{ActorID: q.ID, GroupID: g.ID}, URL: "https://other.example/cal",
		Visibility: events.Private, ETag: `"v2"`, LastModified: "Sun, 02 Jun 2030 11:00:00 GMT",
		CheckedAt: at(2 * time.Hour), NextAt: at(3 * time.Hour),
	}
	w.saveSubscription(up)
	w.requireSubscription(t, up)
	w.requireSubscription(t, keep)

	// And back to a profile's, with zero times and empty strings.
	up2 := &ical.Subscription{ID: s.ID, Target: ical.Target{ActorID: p.ID}}
	w.saveSubscription(up2)
	w.requireSubscription(t, up2)
	w.saveSubscription(up2) // the same twice is no conflict
	w.requireSubscription(t, up2)
}

func testDueSubscriptions(t *testing.T, w *world) {
	p, g := w.profile(), w.group()
	now := at(0)
	// Written in an order unrelated to ids and times; ties at -1h.
	ids := w.descendingIDs(7)
	type row struct {
		id   string
		next time.Time
	}
	rows := []row{
		{ids[0], now.Add(-time.Hour)},
		{ids[1], now.Add(time.Microsecond)}, // not due: after now
		{ids[2], now},                       // due: not after now
		{ids[3], time.Time{}},               // never scheduled: due first
		{ids[4], now.Add(-time.Hour)},
		{ids[5], now.Add(24 * time.Hour)}, // not due
		{ids[6], now.Add(-2 * time.Hour)},
	}
	for i, r := range rows {
		groupID := ""
		if i%2 == 1 {
			groupID = g.ID
		}
		s := w.newSubscription(p.ID, groupID, r.next)
		s.ID = r.id
		w.saveSubscription(s)
	}
	want := []string{ids[3], ids[6], ids[4], ids[0], ids[2]}

	for _, tc := range []struct {
		limit int
		want  []string
	}{
		{0, want}, {-1, want}, {100, want}, {5, want}, {3, want[:3]}, {1, want[:1]},
	} {
		due, err := w.b.DueSubscriptions(w.ctx, now, tc.limit)
		require.NoError(t, err)
		require.Equal(t, tc.want, subIDs(due), "limit %d", tc.limit)
	}
	// Fields come back whole.
	due, err := w.b.DueSubscriptions(w.ctx, now, 2)
	require.NoError(t, err)
	require.Len(t, due, 2)
	w.requireSubscription(t, &due[1])
	require.Equal(t, now.Add(-2*time.Hour), due[1].NextAt)

	// Earlier, nothing is due but the unscheduled one; a refresh that
	// moves NextAt on takes a subscription out of the list.
	due, err = w.b.DueSubscriptions(w.ctx, now.Add(-3*time.Hour), 0)
	require.NoError(t, err)
	require.Equal(t, []string{ids[3]}, subIDs(due))
	moved, err := w.b.GetSubscription(w.ctx, ids[6])
	require.NoError(t, err)
	moved.CheckedAt, moved.NextAt = now, now.Add(time.Hour)
	w.saveSubscription(moved)
	due, err = w.b.DueSubscriptions(w.ctx, now, 0)
	require.NoError(t, err)
	require.Equal(t, []string{ids[3], ids[4], ids[0], ids[2]}, subIDs(due))
	// A now in another zone means the same instant.
	due, err = w.b.DueSubscriptions(w.ctx, now.In(time.FixedZone("-10", -10*60*60)), 0)
	require.NoError(t, err)
	require.Equal(t, []string{ids[3], ids[4], ids[0], ids[2]}, subIDs(due))
}

func testListSubscriptions(t *testing.T, w *world) {
	p, q, g, h := w.profile(), w.profile(), w.group(), w.group()
	ids := w.descendingIDs(6)
	mk := func(id, actorID, groupID string) *ical.Subscription {
		s := w.newSubscription(actorID, groupID, at(time.Hour))
		s.ID = id
		return s
	}
	ps1, ps2 := mk(ids[0], p.ID, ""), mk(ids[3], p.ID, "")
	gs1, gs2 := mk(ids[1], p.ID, g.ID), mk(ids[4], q.ID, g.ID) // the group's, whoever set them up
	qs, hs := mk(ids[2], q.ID, ""), mk(ids[5], q.ID, h.ID)
	w.saveSubscription(ps1, ps2, gs1, gs2, qs, hs)

	for _, tc := range []struct {
		owner string
		want  []*ical.Subscription
	}{
		{p.ID, []*ical.Subscription{ps2, ps1}},
		{q.ID, []*ical.Subscription{qs}},
		{g.ID, []*ical.Subscription{gs2, gs1}},
		{h.ID, []*ical.Subscription{hs}},
		{w.id(), nil},
		{"", nil},
	} {
		got, err := w.b.ListSubscriptions(w.ctx, tc.owner)
		require.NoError(t, err)
		var want []ical.Subscription
		for _, s := range tc.want {
			want = append(want, *s)
		}
		require.Equal(t, want, nilIfEmpty(got), "ListSubscriptions(%s)", tc.owner)
	}
}

func testSubscriptionErrors(t *testing.T, w *world) {
	p, g := w.profile(), w.group()
	keep := w.newSubscription(p.ID, "", at(time.Hour))
	w.saveSubscription(keep)

	// A target that does not exist.
	requireNotFound(t, w.b.SaveSubscription(w.ctx, w.newSubscription(w.id(), "", at(0))), "SaveSubscription of an unknown profile")
	requireNotFound(t, w.b.SaveSubscription(w.ctx, w.newSubscription(p.ID, w.id(), at(0))), "SaveSubscription of an unknown group")
	bad := *keep
	bad.Target.GroupID, bad.URL = w.id(), "https://changed.example/"
	requireNotFound(t, w.b.SaveSubscription(w.ctx, &bad), "SaveSubscription replacing one with an unknown group")

	// Empty keys are refused.
	noID := w.newSubscription(p.ID, g.ID, at(0))
	noID.ID = ""
	require.Error(t, w.b.SaveSubscription(w.ctx, noID), "SaveSubscription without ID")
	noActor := w.newSubscription("", g.ID, at(0))
	require.Error(t, w.b.SaveSubscription(w.ctx, noActor), "SaveSubscription without Target.ActorID")
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, noActor.ID)), "GetSubscription after a refused save")

	all, err := w.b.DueSubscriptions(w.ctx, at(1000*time.Hour), 0)
	require.NoError(t, err)
	require.Equal(t, []ical.Subscription{*keep}, all, "the refused writes stored nothing")

	// Missing rows.
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, w.id())), "GetSubscription of a missing id")
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, "")), "GetSubscription of an empty id")
	requireNotFound(t, w.b.DeleteSubscription(w.ctx, w.id()), "DeleteSubscription of a missing id")
	require.NoError(t, w.b.DeleteSubscription(w.ctx, keep.ID))
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, keep.ID)), "GetSubscription after DeleteSubscription")
	requireNotFound(t, w.b.DeleteSubscription(w.ctx, keep.ID), "DeleteSubscription twice")
	all, err = w.b.DueSubscriptions(w.ctx, at(1000*time.Hour), 0)
	require.NoError(t, err)
	require.Empty(t, all)
}

func errOf[T any](_ T, err error) error { return err }

func testSubscriptionCascades(t *testing.T, w *world) {
	p, q, g := w.profile(), w.profile(), w.group()
	ps, gs := w.newSubscription(p.ID, "", at(0)), w.newSubscription(q.ID, g.ID, at(0))
	qs, keep := w.newSubscription(q.ID, "", at(0)), w.newSubscription(p.ID, "", at(0))
	w.saveSubscription(ps, gs, qs, keep)

	require.NoError(t, w.b.DeleteGroup(w.ctx, g.ID))
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, gs.ID)), "a deleted group's subscription")
	require.NoError(t, w.b.DeleteProfile(w.ctx, q.ID))
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, qs.ID)), "a deleted profile's subscription")
	due, err := w.b.DueSubscriptions(w.ctx, at(0), 0)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{ps.ID, keep.ID}, subIDs(due))
}

// testICalInTx: a transaction's value implements the ical contracts,
// and its writes commit or roll back with it.
func testICalInTx(t *testing.T, w *world) {
	p := w.profile()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	row := w.imported(p.ID, "tx@x", e.ID)
	sub := w.newSubscription(p.ID, "", at(0))

	write := func(tx storage.Tx) {
		t.Helper()
		us, err := storage.As[ical.UIDStore](tx)
		require.NoError(t, err, "storage.As[ical.UIDStore]")
		ss, err := storage.As[ical.SubscriptionStore](tx)
		require.NoError(t, err, "storage.As[ical.SubscriptionStore]")
		sm, err := storage.As[ical.SubscriptionManager](tx)
		require.NoError(t, err, "storage.As[ical.SubscriptionManager]")
		require.NoError(t, us.PutImported(w.ctx, row))
		require.NoError(t, ss.SaveSubscription(w.ctx, sub))
		// The transaction reads its own writes.
		got, err := us.ImportedUIDs(w.ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, []ical.Imported{row}, got)
		due, err := ss.DueSubscriptions(w.ctx, at(0), 0)
		require.NoError(t, err)
		require.Equal(t, []string{sub.ID}, subIDs(due))
		list, err := sm.ListSubscriptions(w.ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, []string{sub.ID}, subIDs(list))
	}

	err := w.b.InTx(w.ctx, func(tx storage.Tx) error {
		write(tx)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	w.requireImported(t, p.ID)
	requireNotFound(t, errOf(w.b.GetSubscription(w.ctx, sub.ID)), "GetSubscription after rollback")

	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		write(tx)
		return nil
	}))
	w.requireImported(t, p.ID, row)
	w.requireSubscription(t, sub)

	// Deletes inside a transaction roll back too.
	err = w.b.InTx(w.ctx, func(tx storage.Tx) error {
		us, err := storage.As[ical.UIDStore](tx)
		require.NoError(t, err)
		sm, err := storage.As[ical.SubscriptionManager](tx)
		require.NoError(t, err)
		require.NoError(t, us.DeleteImported(w.ctx, p.ID, row.UID))
		require.NoError(t, sm.DeleteSubscription(w.ctx, sub.ID))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	w.requireImported(t, p.ID, row)
	w.requireSubscription(t, sub)
}
