package groups_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

const (
	none         = groups.Role("")
	creator      = groups.RoleCreator
	admin        = groups.RoleAdministrator
	moderator    = groups.RoleModerator
	member       = groups.RoleMember
	invited      = groups.RoleInvited
	notApproved  = groups.RoleNotApproved
	rejected     = groups.RoleRejected
	openGroup    = groups.Open
	moderated    = groups.Moderated
	inviteOnly   = groups.InviteOnly
	errForbidden = "forbidden"
)

// operation acts on target in g; by is the group's creator, who has
// every permission, so only the target's membership decides.
type operation func(f *fixture, g *groups.Group, by, target string) error

func ignore[T any](_ T, err error) error { return err }

var ops = map[string]operation{
	"join": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.Join(f.ctx, g.ID, target, ""))
	},
	"approve": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.Approve(f.ctx, by, g.ID, target))
	},
	"reject": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.Reject(f.ctx, by, g.ID, target))
	},
	"invite": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.Invite(f.ctx, by, g.ID, target))
	},
	"accept": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.AcceptInvitation(f.ctx, g.ID, target))
	},
	"decline": func(f *fixture, g *groups.Group, by, target string) error {
		return f.svc.DeclineInvitation(f.ctx, g.ID, target)
	},
	"leave": func(f *fixture, g *groups.Group, by, target string) error {
		return f.svc.Leave(f.ctx, g.ID, target)
	},
	"remove": func(f *fixture, g *groups.Group, by, target string) error {
		return f.svc.Remove(f.ctx, by, g.ID, target)
	},
	"to administrator": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.ChangeRole(f.ctx, by, g.ID, target, admin))
	},
	"to moderator": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.ChangeRole(f.ctx, by, g.ID, target, moderator))
	},
	"to member": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.ChangeRole(f.ctx, by, g.ID, target, member))
	},
	"to creator": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.ChangeRole(f.ctx, by, g.ID, target, creator))
	},
	"to invited": func(f *fixture, g *groups.Group, by, target string) error {
		return ignore(f.svc.ChangeRole(f.ctx, by, g.ID, target, invited))
	},
}

// TestTransitions: what each operation does from each membership of
// its target, in a group whose only other member is its creator. A
// refused operation leaves the group, every membership and the hook
// exactly as they were.
func TestTransitions(t *testing.T) {
	t.Parallel()
	errs := map[string]error{
		errForbidden: groups.ErrForbidden, "already": groups.ErrAlreadyMember, "not member": groups.ErrNotMember,
		"last admin": groups.ErrLastAdministrator, "invalid": groups.ErrInvalid,
	}
	cases := []struct {
		op       string
		openness groups.Openness
		before   groups.Role // creator: the target is the creator
		after    groups.Role
		err      string
	}{
		{"join", openGroup, none, member, ""},
		{"join", moderated, none, notApproved, ""},
		{"join", inviteOnly, none, none, errForbidden},
		{"join", openGroup, invited, member, ""},
		{"join", moderated, invited, member, ""},
		{"join", inviteOnly, invited, member, ""},
		{"join", openGroup, notApproved, notApproved, "already"},
		{"join", openGroup, rejected, rejected, errForbidden},
		{"join", moderated, rejected, rejected, errForbidden},
		{"join", openGroup, member, member, "already"},
		{"join", openGroup, moderator, moderator, "already"},
		{"join", openGroup, admin, admin, "already"},
		{"join", openGroup, creator, creator, "already"},

		{"approve", moderated, notApproved, member, ""},
		{"approve", moderated, none, none, "not member"},
		{"approve", moderated, invited, invited, "not member"},
		{"approve", moderated, rejected, rejected, "not member"},
		{"approve", moderated, member, member, "not member"},
		{"approve", moderated, creator, creator, "not member"},

		{"reject", moderated, notApproved, rejected, ""},
		{"reject", moderated, none, none, "not member"},
		{"reject", moderated, invited, invited, "not member"},
		{"reject", moderated, rejected, rejected, "not member"},
		{"reject", moderated, member, member, "not member"},

		{"invite", moderated, none, invited, ""},
		{"invite", inviteOnly, none, invited, ""},
		{"invite", moderated, notApproved, invited, ""},
		{"invite", moderated, rejected, invited, ""},
		{"invite", moderated, invited, invited, "already"},
		{"invite", moderated, member, member, "already"},
		{"invite", moderated, moderator, moderator, "already"},
		{"invite", moderated, admin, admin, "already"},
		{"invite", moderated, creator, creator, "already"},

		{"accept", moderated, invited, member, ""},
		{"accept", moderated, none, none, "not member"},
		{"accept", moderated, notApproved, notApproved, "not member"},
		{"accept", moderated, rejected, rejected, "not member"},
		{"accept", moderated, member, member, "not member"},

		{"decline", moderated, invited, none, ""},
		{"decline", moderated, none, none, "not member"},
		{"decline", moderated, notApproved, notApproved, "not member"},
		{"decline", moderated, rejected, rejected, "not member"},
		{"decline", moderated, member, member, "not member"},

		{"leave", moderated, member, none, ""},
		{"leave", moderated, moderator, none, ""},
		{"leave", moderated, admin, none, ""},
		{"leave", moderated, notApproved, none, ""},
		{"leave", moderated, invited, invited, "not member"},
		{"leave", moderated, rejected, rejected, "not member"},
		{"leave", moderated, none, none, "not member"},
		{"leave", moderated, creator, creator, "last admin"},

		{"remove", moderated, member, none, ""},
		{"remove", moderated, moderator, none, ""},
		{"remove", moderated, admin, none, ""},
		{"remove", moderated, invited, none, ""},
		{"remove", moderated, notApproved, none, ""},
		{"remove", moderated, rejected, none, ""},
		{"remove", moderated, none, none, "not member"},
		{"remove", moderated, creator, creator, errForbidden},

		{"to administrator", moderated, member, admin, ""},
		{"to administrator", moderated, moderator, admin, ""},
		{"to administrator", moderated, admin, admin, ""},
		{"to moderator", moderated, member, moderator, ""},
		{"to moderator", moderated, admin, moderator, ""},
		{"to member", moderated, moderator, member, ""},
		{"to member", moderated, admin, member, ""},
		{"to member", moderated, creator, creator, errForbidden},
		{"to moderator", moderated, invited, invited, "not member"},
		{"to moderator", moderated, notApproved, notApproved, "not member"},
		{"to moderator", moderated, rejected, rejected, "not member"},
		{"to moderator", moderated, none, none, "not member"},
		{"to creator", moderated, member, member, "invalid"},
		{"to creator", moderated, admin, admin, "invalid"},
		{"to invited", moderated, member, member, "invalid"},
	}
	f := newFixture(t)
	alice, bob := f.person("alice"), f.person("bob")
	for _, tc := range cases {
		name := fmt.Sprintf("%s %s from %q", tc.op, tc.openness, tc.before)
		g := f.group(alice, groups.Moderated)
		target := bob
		if tc.before == creator {
			target = alice
		}
		f.put(g, alice, target, tc.before)
		if tc.openness != groups.Moderated {
			f.setOpenness(g, alice, tc.openness)
		}
		before := f.state(g.ID)

		err := ops[tc.op](f, g, alice, target)

		if tc.err != "" {
			require.ErrorIs(t, err, errs[tc.err], name)
			assert.Equal(t, before, f.state(g.ID), "%s: a refused operation changes nothing", name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, tc.after, f.role(g, target), name)
		assert.Equal(t, before.Changes+1, f.hook.count(), "%s: the hook hears of it once", name)
		assert.Equal(t, groups.RoleCreator, f.role(g, alice), name)
	}
}

// TestActingRoles: which roles of the acting member may do each
// operation that needs a permission, the others being refused with
// ErrForbidden and no change.
func TestActingRoles(t *testing.T) {
	t.Parallel()
	const (
		C = 1 << iota
		A
		M
		B
	)
	type act func(f *fixture, g *groups.Group, actor, target string) error
	cases := []struct {
		name   string
		target groups.Role // the target's membership before
		allow  int
		do     act
	}{
		{"approve", notApproved, C | A | M, func(f *fixture, g *groups.Group, actor, target string) error {
			return ignore(f.svc.Approve(f.ctx, actor, g.ID, target))
		}},
		{"reject", notApproved, C | A | M, func(f *fixture, g *groups.Group, actor, target string) error {
			return ignore(f.svc.Reject(f.ctx, actor, g.ID, target))
		}},
		{"invite", none, C | A, func(f *fixture, g *groups.Group, actor, target string) error {
			return ignore(f.svc.Invite(f.ctx, actor, g.ID, target))
		}},
		{"remove a member", member, C | A | M, func(f *fixture, g *groups.Group, actor, target string) error {
			return f.svc.Remove(f.ctx, actor, g.ID, target)
		}},
		{"promote a member", member, C | A, func(f *fixture, g *groups.Group, actor, target string) error {
			return ignore(f.svc.ChangeRole(f.ctx, actor, g.ID, target, moderator))
		}},
		{"update the group", none, C | A, func(f *fixture, g *groups.Group, actor, target string) error {
			name := "Renamed"
			return ignore(f.svc.Update(f.ctx, actor, g.ID, groups.UpdateInput{DisplayName: &name}))
		}},
		{"delete the group", none, C | A, func(f *fixture, g *groups.Group, actor, target string) error {
			return f.svc.Delete(f.ctx, actor, g.ID)
		}},
	}
	actors := []struct {
		role groups.Role
		bit  int
	}{
		{creator, C}, {admin, A}, {moderator, M}, {member, B},
		{invited, 0}, {notApproved, 0}, {rejected, 0}, {none, 0},
	}
	f := newFixture(t)
	alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
	for _, tc := range cases {
		for _, a := range actors {
			name := fmt.Sprintf("%s by %q", tc.name, a.role)
			g := f.group(alice, groups.Moderated)
			actor := bob
			if a.role == creator {
				actor = alice
			}
			f.put(g, alice, actor, a.role)
			f.put(g, alice, carol, tc.target)
			before := f.state(g.ID)

			err := tc.do(f, g, actor, carol)

			if tc.allow&a.bit == 0 {
				require.ErrorIs(t, err, groups.ErrForbidden, name)
				assert.Equal(t, before, f.state(g.ID), "%s: a refused operation changes nothing", name)
				continue
			}
			require.NoError(t, err, name)
			assert.Equal(t, before.Changes+1, f.hook.count(), name)
		}
	}
}

// TestRemoveGoesDownwards: nobody removes a member whose role is as
// high as their own.
func TestRemoveGoesDownwards(t *testing.T) {
	t.Parallel()
	cases := []struct {
		remover, target groups.Role
		ok              bool
	}{
		{creator, admin, true}, {creator, moderator, true}, {creator, member, true},
		{admin, creator, false}, {admin, admin, false}, {admin, moderator, true}, {admin, member, true},
		{moderator, creator, false}, {moderator, admin, false}, {moderator, moderator, false}, {moderator, member, true},
		{member, member, false}, {member, invited, false},
	}
	f := newFixture(t)
	alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
	for _, tc := range cases {
		name := fmt.Sprintf("%s removes %s", tc.remover, tc.target)
		g := f.group(alice, groups.Moderated)
		remover, target := bob, carol
		if tc.remover == creator {
			remover = alice
		}
		if tc.target == creator {
			target = alice
		}
		f.put(g, alice, remover, tc.remover)
		f.put(g, alice, target, tc.target)
		before := f.state(g.ID)
		err := f.svc.Remove(f.ctx, remover, g.ID, target)
		if !tc.ok {
			require.ErrorIs(t, err, groups.ErrForbidden, name)
			assert.Equal(t, before, f.state(g.ID), name)
			continue
		}
		require.NoError(t, err, name)
		assert.Equal(t, none, f.role(g, target), name)
	}
}

// TestLastAdministrator: the creator and the administrators together
// are never reduced to none by Leave or ChangeRole; moderators do not
// count.
func TestLastAdministrator(t *testing.T) {
	t.Parallel()
	// Each case builds a group created by alice, gives bob and carol
	// roles, lets alice leave when creatorLeaves, then runs op.
	cases := []struct {
		name          string
		bob, carol    groups.Role
		creatorLeaves bool
		op            func(f *fixture, g *groups.Group, alice, bob, carol string) error
		err           error
	}{
		{"the creator alone cannot leave", none, none, false, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return f.svc.Leave(f.ctx, g.ID, alice)
		}, groups.ErrLastAdministrator},
		{"moderators do not count", moderator, moderator, false, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return f.svc.Leave(f.ctx, g.ID, alice)
		}, groups.ErrLastAdministrator},
		{"the creator leaves an administrator behind", admin, none, false, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return f.svc.Leave(f.ctx, g.ID, alice)
		}, nil},
		{"an administrator leaves the creator behind", admin, none, false, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return f.svc.Leave(f.ctx, g.ID, bob)
		}, nil},
		{"an administrator steps down beside the creator", admin, none, false, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return ignore(f.svc.ChangeRole(f.ctx, bob, g.ID, bob, member))
		}, nil},
		{"the last administrator cannot leave", admin, moderator, true, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return f.svc.Leave(f.ctx, g.ID, bob)
		}, groups.ErrLastAdministrator},
		{"the last administrator cannot step down", admin, moderator, true, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return ignore(f.svc.ChangeRole(f.ctx, bob, g.ID, bob, moderator))
		}, groups.ErrLastAdministrator},
		{"one of two administrators demotes the other", admin, admin, true, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return ignore(f.svc.ChangeRole(f.ctx, bob, g.ID, carol, member))
		}, nil},
		{"administrators do not remove each other", admin, admin, true, func(f *fixture, g *groups.Group, alice, bob, carol string) error {
			return f.svc.Remove(f.ctx, bob, g.ID, carol)
		}, groups.ErrForbidden},
	}
	f := newFixture(t)
	alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
	for _, tc := range cases {
		g := f.group(alice, groups.Moderated)
		f.put(g, alice, bob, tc.bob)
		f.put(g, alice, carol, tc.carol)
		if tc.creatorLeaves {
			require.NoError(t, f.svc.Leave(f.ctx, g.ID, alice), tc.name)
		}
		before := f.state(g.ID)
		err := tc.op(f, g, alice, bob, carol)
		if tc.err != nil {
			require.ErrorIs(t, err, tc.err, tc.name)
			assert.Equal(t, before, f.state(g.ID), tc.name)
		} else {
			require.NoError(t, err, tc.name)
		}
		n, err := f.store.CountMembers(f.ctx, g.ID, []groups.Role{creator, admin})
		require.NoError(t, err)
		assert.GreaterOrEqual(t, n, 1, tc.name)
	}
}

// TestConcurrentLeaves: administrators leaving at once never leave the
// group without one, whatever the interleaving.
func TestConcurrentLeaves(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testConcurrentLeaves(t, newFixtureOn(t, open(t)))
		})
	}
}

func testConcurrentLeaves(t *testing.T, f *fixture) {
	alice := f.person("alice")
	others := []string{f.person("b"), f.person("c"), f.person("d")}
	for round := range 3 {
		g := f.group(alice, groups.Open)
		leavers := []string{alice}
		for _, id := range others[:round+1] {
			f.put(g, alice, id, admin)
			leavers = append(leavers, id)
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(leavers))
		for _, id := range leavers {
			wg.Go(func() { errs <- f.svc.Leave(f.ctx, g.ID, id) })
		}
		wg.Wait()
		close(errs)
		refused := 0
		for err := range errs {
			if err != nil {
				require.ErrorIs(t, err, groups.ErrLastAdministrator)
				refused++
			}
		}
		assert.Equal(t, 1, refused, "round %d: exactly one stays", round)
		n, err := f.store.CountMembers(f.ctx, g.ID, []groups.Role{creator, admin})
		require.NoError(t, err)
		assert.Equal(t, 1, n, "round %d", round)
	}
}

// TestConcurrentDemotions: two administrators demoting each other at
// once cannot both succeed once the creator has left.
func TestConcurrentDemotions(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testConcurrentDemotions(t, newFixtureOn(t, open(t)))
		})
	}
}

func testConcurrentDemotions(t *testing.T, f *fixture) {
	alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
	g := f.group(alice, groups.Open)
	f.put(g, alice, bob, admin)
	f.put(g, alice, carol, admin)
	require.NoError(t, f.svc.Leave(f.ctx, g.ID, alice))
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Go(func() { errs <- ignore(f.svc.ChangeRole(f.ctx, bob, g.ID, carol, member)) })
	wg.Go(func() { errs <- ignore(f.svc.ChangeRole(f.ctx, carol, g.ID, bob, member)) })
	wg.Wait()
	close(errs)
	var failed []error
	for err := range errs {
		if err != nil {
			failed = append(failed, err)
		}
	}
	require.Len(t, failed, 1)
	// The loser either found itself demoted (ErrForbidden) or found the
	// other the last administrator.
	assert.True(t, errors.Is(failed[0], groups.ErrForbidden) || errors.Is(failed[0], groups.ErrLastAdministrator), failed[0])
	n, err := f.store.CountMembers(f.ctx, g.ID, []groups.Role{creator, admin})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// TestHookFailureRollsBack: when the hook (the federation outbox)
// fails, the operation fails and nothing is written.
func TestHookFailureRollsBack(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testHookFailureRollsBack(t, newFixtureOn(t, open(t)))
		})
	}
}

func testHookFailureRollsBack(t *testing.T, f *fixture) {
	alice, bob := f.person("alice"), f.person("bob")
	g := f.group(alice, groups.Open)
	before := f.state(g.ID)
	boom := errors.New("outbox full")
	f.hook.failWith(boom)

	_, err := f.svc.Join(f.ctx, g.ID, bob, "")
	require.ErrorIs(t, err, boom)
	_, err = f.svc.Create(f.ctx, alice, groups.CreateInput{Username: "never"})
	require.ErrorIs(t, err, boom)
	require.ErrorIs(t, f.svc.Delete(f.ctx, alice, g.ID), boom)

	f.hook.failWith(nil)
	assert.Equal(t, before, f.state(g.ID))
	_, err = f.store.GetLocalActor(f.ctx, "never")
	require.ErrorIs(t, err, groups.ErrNotFound, "the group was not created")
}

// gatedStore holds every transaction that counts administrators until
// all the expected ones have counted (or a short timeout passes), the
// worst interleaving for the last-administrator rule: without the
// group lock, each would see the others still there.
type gatedStore struct {
	groups.Store
	want    int
	timeout time.Duration
	mu      sync.Mutex
	arrived int
	all     chan struct{}
}

func newGatedStore(st groups.Store, want int) *gatedStore {
	return &gatedStore{Store: st, want: want, timeout: 150 * time.Millisecond, all: make(chan struct{})}
}

func (g *gatedStore) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return g.Store.InTx(ctx, func(tx storage.Tx) error {
		st, err := storage.As[groups.Store](tx)
		if err != nil {
			return err
		}
		return fn(gatedTx{Store: st, gate: g})
	})
}

type gatedTx struct {
	groups.Store
	gate *gatedStore
}

func (t gatedTx) CountMembers(ctx context.Context, groupID string, roles []groups.Role) (int, error) {
	n, err := t.Store.CountMembers(ctx, groupID, roles)
	g := t.gate
	g.mu.Lock()
	g.arrived++
	if g.arrived == g.want {
		close(g.all)
	}
	g.mu.Unlock()
	select {
	case <-g.all:
	case <-time.After(g.timeout):
	}
	return n, err
}

// TestLeavesInterleaved: the creator and two administrators leave at
// once and every one of them counts the administrators before any
// commits; the group lock must still keep one.
func TestLeavesInterleaved(t *testing.T) {
	t.Parallel()
	for name, open := range backends() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixtureOn(t, open(t))
			alice, bob, carol := f.person("alice"), f.person("bob"), f.person("carol")
			g := f.group(alice, groups.Open)
			f.put(g, alice, bob, admin)
			f.put(g, alice, carol, admin)
			gated, err := groups.New(groups.Config{Store: newGatedStore(f.store, 3), Actors: fakeActors{},
				BaseURL: "https://events.example", Now: f.now})
			require.NoError(t, err)

			var wg sync.WaitGroup
			errs := make(chan error, 3)
			for _, id := range []string{alice, bob, carol} {
				wg.Go(func() { errs <- gated.Leave(f.ctx, g.ID, id) })
			}
			wg.Wait()
			close(errs)
			refused := 0
			for err := range errs {
				if err != nil {
					require.ErrorIs(t, err, groups.ErrLastAdministrator)
					refused++
				}
			}
			assert.Equal(t, 1, refused)
			n, err := f.store.CountMembers(f.ctx, g.ID, []groups.Role{creator, admin})
			require.NoError(t, err)
			assert.Equal(t, 1, n)
		})
	}
}
