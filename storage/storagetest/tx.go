package storagetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func txCases() []testCase {
	return []testCase{
		{"CommitOnNil", testTxCommit},
		{"RollbackOnError", testTxRollbackOnError},
		{"RollbackOnPanic", testTxRollbackOnPanic},
		{"NestedInTxSharesTheTransaction", testTxNested},
		{"NestedErrorRollsBackEverything", testTxNestedError},
		{"AsEveryContract", testTxAs},
		{"ReadYourWrites", testTxReadYourWrites},
		{"UncommittedWritesAreInvisible", testTxIsolation},
	}
}

var errBoom = errors.New("storagetest: boom")

// stores returns the three contracts of a transaction.
func stores(t *testing.T, tx storage.Tx) (identity.Store, groups.Store, events.Store) {
	t.Helper()
	is, err := storage.As[identity.Store](tx)
	require.NoError(t, err, "storage.As[identity.Store]")
	gs, err := storage.As[groups.Store](tx)
	require.NoError(t, err, "storage.As[groups.Store]")
	es, err := storage.As[events.Store](tx)
	require.NoError(t, err, "storage.As[events.Store]")
	return is, gs, es
}

// writeAll writes an account, a profile, a group, a membership and an
// event through the transaction's three contracts.
type written struct {
	account *identity.Account
	profile *identity.Profile
	group   *groups.Group
	member  *groups.Member
	event   *events.Event
}

func (w *world) writeAll(t *testing.T, tx storage.Tx) written {
	t.Helper()
	is, gs, es := stores(t, tx)
	var x written
	x.account = w.newAccount()
	require.NoError(t, is.CreateAccount(w.ctx, x.account))
	x.profile = w.newProfile(x.account.ID)
	require.NoError(t, is.CreateProfile(w.ctx, x.profile))
	x.group = w.newGroup()
	require.NoError(t, gs.CreateGroup(w.ctx, x.group))
	x.member = w.newMember(x.group.ID, x.profile.ID)
	require.NoError(t, gs.PutMember(w.ctx, x.member))
	x.event = w.newEvent(x.group.ID, at(time.Hour))
	x.event.GroupID = x.group.ID
	require.NoError(t, es.CreateEvent(w.ctx, x.event))
	return x
}

// requireStored checks that every row of x is there (want true) or that
// none is (want false), reading through the backend.
func (w *world) requireStored(t *testing.T, x written, want bool) {
	t.Helper()
	check := func(err error, what string) {
		t.Helper()
		if want {
			require.NoError(t, err, what)
		} else {
			requireNotFound(t, err, what+" after rollback")
		}
	}
	_, err := w.b.GetAccount(w.ctx, x.account.ID)
	check(err, "GetAccount")
	_, err = w.b.GetProfile(w.ctx, x.profile.ID)
	check(err, "GetProfile")
	_, err = w.b.GetActor(w.ctx, x.profile.ID)
	check(err, "GetActor")
	_, err = w.b.GetGroup(w.ctx, x.group.ID)
	check(err, "GetGroup")
	_, err = w.b.GetMember(w.ctx, x.group.ID, x.profile.ID)
	check(err, "GetMember")
	_, err = w.b.GetEvent(w.ctx, x.event.ID)
	check(err, "GetEvent")
}

func testTxCommit(t *testing.T, w *world) {
	var x written
	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		x = w.writeAll(t, tx)
		return nil
	}))
	w.requireStored(t, x, true)
}

func testTxRollbackOnError(t *testing.T, w *world) {
	keep := w.account()
	var x written
	err := w.b.InTx(w.ctx, func(tx storage.Tx) error {
		x = w.writeAll(t, tx)
		is, _, _ := stores(t, tx)
		up := *keep
		up.Locale = "changed"
		require.NoError(t, is.UpdateAccount(w.ctx, &up))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom, "InTx returns fn's error")
	w.requireStored(t, x, false)
	got, err := w.b.GetAccount(w.ctx, keep.ID)
	require.NoError(t, err)
	require.Equal(t, keep, got, "a rolled-back update leaves the row as it was")

	// The backend is usable afterwards.
	w.account()
}

func testTxRollbackOnPanic(t *testing.T, w *world) {
	var x written
	recovered := func() (r any) {
		defer func() { r = recover() }()
		_ = w.b.InTx(w.ctx, func(tx storage.Tx) error {
			x = w.writeAll(t, tx)
			panic(errBoom)
		})
		return nil
	}()
	require.Equal(t, errBoom, recovered, "the panic propagates out of InTx")
	w.requireStored(t, x, false)
	w.account()
}

func testTxNested(t *testing.T, w *world) {
	var outer, inner written
	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		outer = w.writeAll(t, tx)
		require.NoError(t, tx.InTx(w.ctx, func(tx2 storage.Tx) error {
			inner = w.writeAll(t, tx2)
			// The inner function sees the outer writes.
			is, _, es := stores(t, tx2)
			_, err := is.GetAccount(w.ctx, outer.account.ID)
			require.NoError(t, err)
			_, err = es.GetEvent(w.ctx, outer.event.ID)
			require.NoError(t, err)
			return nil
		}))
		// And the outer one the inner writes.
		_, gs, _ := stores(t, tx)
		_, err := gs.GetMember(w.ctx, inner.group.ID, inner.profile.ID)
		require.NoError(t, err)
		return nil
	}))
	w.requireStored(t, outer, true)
	w.requireStored(t, inner, true)

	// A nested InTx that succeeds commits nothing on its own: an outer
	// error rolls it back with the rest.
	err := w.b.InTx(w.ctx, func(tx storage.Tx) error {
		outer = w.writeAll(t, tx)
		require.NoError(t, tx.InTx(w.ctx, func(tx2 storage.Tx) error {
			inner = w.writeAll(t, tx2)
			return nil
		}))
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	w.requireStored(t, outer, false)
	w.requireStored(t, inner, false)
}

func testTxNestedError(t *testing.T, w *world) {
	var outer, inner written
	err := w.b.InTx(w.ctx, func(tx storage.Tx) error {
		outer = w.writeAll(t, tx)
		return tx.InTx(w.ctx, func(tx2 storage.Tx) error {
			inner = w.writeAll(t, tx2)
			return errBoom
		})
	})
	require.ErrorIs(t, err, errBoom)
	w.requireStored(t, outer, false)
	w.requireStored(t, inner, false)
}

func testTxAs(t *testing.T, w *world) {
	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		stores(t, tx)
		_, err := storage.As[events.ParticipantStore](tx)
		require.NoError(t, err)
		_, err = storage.As[interface{ NoSuchMethod() }](tx)
		require.ErrorIs(t, err, storage.ErrUnsupported)
		return nil
	}))
}

func testTxReadYourWrites(t *testing.T, w *world) {
	p := w.profile()
	e := w.event(w.newEvent(p.ID, at(time.Hour)))
	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		is, gs, es := stores(t, tx)
		x := w.writeAll(t, tx)
		got, err := is.GetProfile(w.ctx, x.profile.ID)
		require.NoError(t, err)
		require.Equal(t, x.profile, got)
		g, err := gs.LockGroup(w.ctx, x.group.ID)
		require.NoError(t, err)
		require.Equal(t, x.group, g)
		n, err := gs.CountMembers(w.ctx, x.group.ID, nil)
		require.NoError(t, err)
		require.Equal(t, 1, n)

		locked, err := es.LockEvent(w.ctx, e.ID)
		require.NoError(t, err)
		requireEvent(t, e, locked)
		part := w.newParticipant(e.ID, x.profile.ID)
		require.NoError(t, es.CreateParticipant(w.ctx, part))
		n, err = es.CountParticipants(w.ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
		require.NoError(t, err)
		require.Equal(t, 1, n)
		found, err := es.FindEvents(w.ctx, events.StoreQuery{GroupID: x.group.ID, Limit: 10})
		require.NoError(t, err)
		require.Len(t, found, 1)

		require.NoError(t, es.DeleteEvent(w.ctx, e.ID))
		_, err = es.GetEvent(w.ctx, e.ID)
		requireNotFound(t, err, "GetEvent after DeleteEvent in the same transaction")
		return nil
	}))
	_, err := w.b.GetEvent(w.ctx, e.ID)
	requireNotFound(t, err, "GetEvent after the committed DeleteEvent")
}

// testTxIsolation checks that readers outside a transaction do not see
// its writes before it commits. A backend whose readers wait for the
// writer (instead of reading the last committed state) cannot show this
// without blocking; the case is skipped when the outside read does not
// answer within a few seconds.
func testTxIsolation(t *testing.T, w *world) {
	p := w.profile()
	before := *p
	var x written
	skipped := false
	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		x = w.writeAll(t, tx)
		is, _, _ := stores(t, tx)
		up := p.Actor
		up.DisplayName = "uncommitted"
		require.NoError(t, is.UpdateActor(w.ctx, &up))

		ctx, cancel := context.WithTimeout(w.ctx, 5*time.Second)
		defer cancel()
		_, err := w.b.GetAccount(ctx, x.account.ID)
		if ctx.Err() != nil {
			skipped = true // readers block on the open write transaction
			return nil
		}
		requireNotFound(t, err, "GetAccount outside the open transaction")
		_, err = w.b.GetEvent(ctx, x.event.ID)
		requireNotFound(t, err, "GetEvent outside the open transaction")
		got, err := w.b.GetProfile(ctx, p.ID)
		require.NoError(t, err)
		require.Equal(t, &before, got, "an uncommitted update is invisible outside")
		return nil
	}))
	if skipped {
		t.Skip("the backend blocks readers while a write transaction is open")
	}
	w.requireStored(t, x, true)
	got, err := w.b.GetProfile(w.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, "uncommitted", got.DisplayName, "visible after commit")
}
