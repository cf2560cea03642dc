// Package storagetest is the conformance suite that every storage backend
// runs: one set of tests, the same on SQLite, PostgreSQL and any backend
// an embedder writes, so that the store contracts of identity, groups and
// events mean the same thing everywhere.
//
// A backend wires it in one test:
//
//	func TestConformance(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) storagetest.Backend {
//			return sqlitetest.Open(t)
//		})
//	}
//
// Each case is a parallel subtest that gets a fresh, empty backend from
// the Harness and builds the accounts, actors, groups and events it needs
// through the store itself. Cases are grouped as Identity, Sessions,
// Groups, Events, Search, Tx, Concurrency and ICal, so `go test -run
// 'TestConformance/Search'` selects one group.
//
// What the suite holds the contracts to, where their doc comments leave
// room:
//
//   - Every Get* of a missing row, every Update* of a missing row and
//     every Delete* (and RevokeFeedToken) of a missing row returns an
//     error matching storage.ErrNotFound, pair-keyed deletes
//     (DeleteFollow, DeleteMember) included, so that callers that want
//     idempotent deletes ignore ErrNotFound and others can tell a miss.
//   - Every uniqueness rule, including a taken primary key (ID) on every
//     Create*, returns an error matching storage.ErrConflict, never a raw
//     driver error; and the failed write changes nothing.
//   - A write that names a parent row that does not exist (the account
//     of a profile, the group of a membership, the event of a
//     participation or a comment) returns storage.ErrNotFound and stores
//     nothing. References to actors (organizer, participant, author,
//     member, follower) are not checked by the suite.
//   - An empty ActivityPub id (APID), ActorID, email or token hash is no
//     key: two rows with an empty APID, or two anonymous participants of
//     one event, do not conflict, and looking one up finds nothing
//     (ErrNotFound).
//   - Stored values come back field by field as written: times in UTC
//     with microsecond precision (callers truncate), nil places stay nil,
//     coordinates 0 and negative ones survive, slice order is kept. Empty
//     and nil slices are treated alike.
//   - Update* may keep or replace CreatedAt; the suite never changes it.
//     PutFollow and PutMember on an existing pair keep the stored ID and
//     CreatedAt, copy them back into the argument and replace every
//     other field, the APID included, atomically under concurrency.
//   - FindEvents takes events with From <= BeginsAt < To (a zero bound
//     does not filter). FindSeries takes series with BeginsAt < To and
//     SeriesEndsAt zero or after From; the suite does not probe
//     SeriesEndsAt == From.
//   - Text and Tags match case-insensitively, beyond ASCII ("CAFÉ"
//     finds "Café"), and Text literally: %, _ and \ in the query are
//     plain characters. A Box only matches events whose place has
//     coordinates; one with MinLon > MaxLon crosses the antimeridian.
//   - Readers outside a transaction see the last committed state, not the
//     open transaction's writes. A backend whose readers wait for the
//     writer instead makes Tx/UncommittedWritesAreInvisible skip.
//   - The capacity rule holds at store level: InTx { LockEvent;
//     CountParticipants; CreateParticipant } from many goroutines never
//     seats more than the capacity.
//   - ical: ImportedUIDs lists by UID and ListSubscriptions by ID
//     (bytewise); DueSubscriptions orders by (NextAt, ID), takes NextAt
//     <= now, and a zero NextAt is due. PutImported and SaveSubscription
//     insert or replace by key, refuse empty keys (Owner, UID, EventID;
//     ID, Target.ActorID) with an error, and return ErrNotFound for an
//     unknown event, owner, profile or group. An imported row goes with
//     its event and its owner, a subscription with its profile and its
//     group.
package storagetest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
)

// Backend is everything a complete backend implements. The storage.Tx
// that its InTx hands out implements the same contracts (checked with
// storage.As).
type Backend interface {
	identity.Store
	groups.Store
	events.Store
	ical.UIDStore
	ical.SubscriptionStore
	ical.SubscriptionManager
}

// Harness makes a fresh, empty, migrated backend for one subtest and
// arranges its cleanup with t.Cleanup. It is called from parallel
// subtests, so the backends it returns must be isolated from each other
// (a file, a database or a schema each). It calls t.Skip when the
// backend is not available (e.g. no database server configured).
type Harness func(t *testing.T) Backend

// testCase is one conformance case, run against a fresh backend.
type testCase struct {
	name string
	run  func(t *testing.T, w *world)
}

// group is a named set of cases.
type group struct {
	name  string
	cases []testCase
}

func groupsOfCases() []group {
	return []group{
		{"Identity", identityCases()},
		{"Sessions", sessionCases()},
		{"Groups", groupCases()},
		{"GroupContent", groupContentCases()},
		{"Events", eventCases()},
		{"Search", searchCases()},
		{"Tx", txCases()},
		{"Concurrency", concurrencyCases()},
		{"ICal", icalCases()},
		{"Usage", usageCases()},
		{"Gone", goneCases()},
		{"Suspension", suspensionCases()},
		{"Approval", approvalCases()},
		{"Directory", directoryCases()},
		{"Moderation", moderationCases()},
		{"GroupMail", groupMailCases()},
		{"Conversations", conversationCases()},
	}
}

// Run runs the whole conformance suite, each case a parallel t.Run
// subtest with a fresh backend from newBackend.
func Run(t *testing.T, newBackend Harness) {
	t.Helper()
	if newBackend == nil {
		t.Fatal("storagetest: Run needs a Harness")
	}
	for _, g := range groupsOfCases() {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, c := range g.cases {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					b := newBackend(t)
					require.NotNil(t, b, "the Harness returned no backend")
					c.run(t, newWorld(t, b))
				})
			}
		})
	}
}
