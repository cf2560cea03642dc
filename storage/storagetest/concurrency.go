package storagetest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

func concurrencyCases() []testCase {
	return []testCase{
		{"CapacityHolds", testCapacity},
		{"LastAdministratorStays", testLastAdministrator},
		{"ConcurrentPutMember", testConcurrentPutMember},
		{"ConcurrentPutFollow", testConcurrentPutFollow},
	}
}

// Sizes of the concurrency cases.
const (
	joiners  = 120 // goroutines joining one event
	capacity = 10  // its seats
	upserts  = 24  // goroutines writing the same member or follow pair
	admins   = 12  // administrators stepping down at once
)

// parallel runs fn(i) for i in [0, n) on n goroutines started together
// and returns their errors.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = fn(i)
		})
	}
	start.Done()
	done.Wait()
	return errs
}

func requireNoErrors(t *testing.T, errs []error) {
	t.Helper()
	for i, err := range errs {
		require.NoError(t, err, "goroutine %d", i)
	}
}

// testCapacity is the capacity rule at store level: joins that count the
// seats and insert under LockEvent never overbook, however many run at
// once.
func testCapacity(t *testing.T, w *world) {
	org := w.profile()
	e := w.newEvent(org.ID, at(time.Hour))
	e.Capacity = capacity
	w.event(e)

	// The joining actors, written in one transaction to keep setup fast.
	actors := make([]*identity.Actor, joiners)
	require.NoError(t, w.b.InTx(w.ctx, func(tx storage.Tx) error {
		is, _, _ := stores(t, tx)
		for i := range actors {
			actors[i] = w.newRemoteActor(fmt.Sprintf("host%d.example", i%7))
			if err := is.CreateActor(w.ctx, actors[i]); err != nil {
				return err
			}
		}
		return nil
	}))

	seat := []events.ParticipantRole{events.RoleParticipant}
	errs := parallel(joiners, func(i int) error {
		p := w.newParticipant(e.ID, actors[i].ID)
		p.CreatedAt = at(time.Duration(i) * time.Microsecond)
		return w.b.InTx(w.ctx, func(tx storage.Tx) error {
			es, err := storage.As[events.Store](tx)
			if err != nil {
				return err
			}
			ev, err := es.LockEvent(w.ctx, e.ID)
			if err != nil {
				return err
			}
			n, err := es.CountParticipants(w.ctx, e.ID, seat)
			if err != nil {
				return err
			}
			p.Role = events.RoleWaitlisted
			if n < ev.Capacity {
				p.Role = events.RoleParticipant
			}
			return es.CreateParticipant(w.ctx, p)
		})
	})
	requireNoErrors(t, errs)

	seated, err := w.b.CountParticipants(w.ctx, e.ID, seat)
	require.NoError(t, err)
	waiting, err := w.b.CountParticipants(w.ctx, e.ID, []events.ParticipantRole{events.RoleWaitlisted})
	require.NoError(t, err)
	assert.Equal(t, capacity, seated, "participants")
	assert.Equal(t, joiners-capacity, waiting, "waitlisted")
	all, err := w.b.CountParticipants(w.ctx, e.ID, nil)
	require.NoError(t, err)
	require.Equal(t, joiners, all)
}

func testConcurrentPutMember(t *testing.T, w *world) {
	g := w.group()
	a := w.remoteActor()
	members := make([]*groups.Member, upserts)
	roles := []groups.Role{groups.RoleMember, groups.RoleModerator, groups.RoleNotApproved}
	for i := range members {
		members[i] = w.newMember(g.ID, a.ID)
		members[i].Role = roles[i%len(roles)]
		members[i].UpdatedAt = at(time.Duration(i) * time.Second)
	}
	requireNoErrors(t, parallel(upserts, func(i int) error {
		return w.b.PutMember(w.ctx, members[i])
	}))

	list, err := w.b.ListMembers(w.ctx, g.ID, nil, storage.Cursor{}, 100)
	require.NoError(t, err)
	require.Len(t, list, 1, "one row per pair")
	got := list[0]
	for i, m := range members {
		assert.Equal(t, got.ID, m.ID, "PutMember %d copies the stored ID back", i)
		assert.Equal(t, got.CreatedAt, m.CreatedAt, "PutMember %d copies the stored CreatedAt back", i)
	}
	// The row is one of the writes, whole.
	var match *groups.Member
	for _, m := range members {
		if m.APID == got.APID {
			match = m
		}
	}
	require.NotNil(t, match, "the stored APID is one of the written ones")
	require.Equal(t, *match, got)
}

func testConcurrentPutFollow(t *testing.T, w *world) {
	a, b := w.profile(), w.remoteActor()
	follows := make([]*identity.Follow, upserts)
	states := []identity.FollowState{identity.FollowPending, identity.FollowAccepted, identity.FollowRejected}
	for i := range follows {
		follows[i] = w.newFollow(a.ID, b.ID)
		follows[i].State = states[i%len(states)]
		follows[i].UpdatedAt = at(time.Duration(i) * time.Second)
	}
	requireNoErrors(t, parallel(upserts, func(i int) error {
		return w.b.PutFollow(w.ctx, follows[i])
	}))

	var all []identity.Follow
	for _, s := range states {
		list, err := w.b.ListFollowing(w.ctx, a.ID, s, storage.Cursor{}, 100)
		require.NoError(t, err)
		all = append(all, list...)
	}
	require.Len(t, all, 1, "one row per pair")
	got := all[0]
	for i, f := range follows {
		assert.Equal(t, got.ID, f.ID, "PutFollow %d copies the stored ID back", i)
		assert.Equal(t, got.CreatedAt, f.CreatedAt, "PutFollow %d copies the stored CreatedAt back", i)
	}
	var match *identity.Follow
	for _, f := range follows {
		if f.APID == got.APID {
			match = f
		}
	}
	require.NotNil(t, match, "the stored APID is one of the written ones")
	require.Equal(t, *match, got)
}

// testLastAdministrator is the group rule that counts members: every
// administrator steps down at once, each only if another administrator
// remains, counting under LockGroup. Exactly one must remain.
func testLastAdministrator(t *testing.T, w *world) {
	g := w.group()
	ms := make([]*groups.Member, admins)
	for i := range ms {
		ms[i] = w.newMember(g.ID, w.remoteActor().ID)
		ms[i].Role = groups.RoleAdministrator
		require.NoError(t, w.b.PutMember(w.ctx, ms[i]))
	}
	admin := []groups.Role{groups.RoleAdministrator}
	requireNoErrors(t, parallel(admins, func(i int) error {
		return w.b.InTx(w.ctx, func(tx storage.Tx) error {
			gs, err := storage.As[groups.Store](tx)
			if err != nil {
				return err
			}
			if _, err := gs.LockGroup(w.ctx, g.ID); err != nil {
				return err
			}
			n, err := gs.CountMembers(w.ctx, g.ID, admin)
			if err != nil || n <= 1 {
				return err
			}
			m := *ms[i]
			m.Role = groups.RoleMember
			return gs.PutMember(w.ctx, &m)
		})
	}))
	n, err := w.b.CountMembers(w.ctx, g.ID, admin)
	require.NoError(t, err)
	require.Equal(t, 1, n, "administrators left")
	n, err = w.b.CountMembers(w.ctx, g.ID, []groups.Role{groups.RoleMember})
	require.NoError(t, err)
	require.Equal(t, admins-1, n, "members")
}
