package events_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/postgres/pgtest"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func TestJoinModes(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	alice, bob := f.actor("alice"), f.actor("bob")
	cases := []struct {
		name   string
		change func(in *events.Input)
		role   events.ParticipantRole
		err    error
	}{
		{"free", func(in *events.Input) {}, events.RoleParticipant, nil},
		{"restricted", func(in *events.Input) { in.JoinMode = events.JoinRestricted }, events.RoleNotApproved, nil},
		{"invite", func(in *events.Input) { in.JoinMode = events.JoinInvite }, "", events.ErrClosed},
		{"external", func(in *events.Input) {
			in.JoinMode, in.ExternalURL = events.JoinExternal, "https://tickets.example/1"
		}, "", events.ErrNotJoinable},
		{"none", func(in *events.Input) { in.JoinMode = events.JoinNone }, "", events.ErrNotJoinable},
		{"cancelled", func(in *events.Input) { in.Status = events.Cancelled }, "", events.ErrClosed},
		{"over", func(in *events.Input) {
			in.BeginsAt, in.EndsAt = t0.Add(-48*time.Hour), t0.Add(-47*time.Hour)
		}, "", events.ErrClosed},
		{"draft", func(in *events.Input) { in.Draft = true }, "", events.ErrNotFound},
		{"private and unknown to bob", func(in *events.Input) { in.Visibility = events.Private }, "", events.ErrNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := input(tc.name)
			tc.change(&in)
			e := f.create(alice, in)
			p, err := f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{Message: "  Can I bring a friend? "})
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				_, err := f.svc.Participation(f.ctx, e.ID, bob)
				require.ErrorIs(t, err, events.ErrNotFound, "a refused join writes nothing")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.role, p.Role)
			assert.Equal(t, "Can I bring a friend?", p.Message)
			assert.Equal(t, "https://events.example/join/event/"+p.ID, p.APID)
			_, err = f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{})
			require.ErrorIs(t, err, events.ErrAlreadyParticipating)
		})
	}
	_, err := f.svc.Join(f.ctx, "missing", bob, events.JoinInput{})
	require.ErrorIs(t, err, events.ErrNotFound)
	e := f.create(alice, input("long message"))
	_, err = f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{Message: strings.Repeat("x", events.MaxMessageLength+1)})
	require.ErrorIs(t, err, events.ErrInvalid)
}

func TestWaitlistFIFO(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org := f.actor("org")
	in := input("Small workshop")
	in.Capacity = 2
	e := f.create(org, in)
	ids := make([]string, 5)
	roles := make([]events.ParticipantRole, 5)
	for i := range ids {
		ids[i] = f.actor(fmt.Sprintf("p%d", i))
		f.clock.Set(t0.Add(time.Duration(i) * time.Minute))
		p, err := f.svc.Join(f.ctx, e.ID, ids[i], events.JoinInput{})
		require.NoError(t, err)
		roles[i] = p.Role
	}
	assert.Equal(t, []events.ParticipantRole{events.RoleParticipant, events.RoleParticipant,
		events.RoleWaitlisted, events.RoleWaitlisted, events.RoleWaitlisted}, roles)
	role := func(i int) events.ParticipantRole {
		p, err := f.svc.Participation(f.ctx, e.ID, ids[i])
		require.NoError(t, err)
		return p.Role
	}
	p4, _ := f.svc.Participation(f.ctx, e.ID, ids[4])
	pos, err := f.svc.WaitlistPosition(f.ctx, p4)
	require.NoError(t, err)
	assert.Equal(t, 3, pos)

	// A participant leaves: the first waitlisted one gets the seat.
	require.NoError(t, f.svc.Leave(f.ctx, e.ID, ids[0]))
	assert.Equal(t, events.RoleParticipant, role(2))
	assert.Equal(t, events.RoleWaitlisted, role(3))

	// A waitlisted one leaves: nobody moves.
	require.NoError(t, f.svc.Leave(f.ctx, e.ID, ids[3]))
	assert.Equal(t, events.RoleWaitlisted, role(4))

	// The organizer rejects a participant: the seat moves on.
	p1, _ := f.svc.Participation(f.ctx, e.ID, ids[1])
	_, err = f.svc.Reject(f.ctx, org, p1.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleRejected, role(1))
	assert.Equal(t, events.RoleParticipant, role(4))

	// A rejected actor cannot simply join again.
	_, err = f.svc.Join(f.ctx, e.ID, ids[1], events.JoinInput{})
	require.ErrorIs(t, err, events.ErrForbidden)

	// Raising the capacity promotes; a new join then takes the next seat.
	more := f.actor("late")
	_, err = f.svc.Join(f.ctx, e.ID, more, events.JoinInput{})
	require.NoError(t, err)
	assert.Equal(t, events.RoleWaitlisted, func() events.ParticipantRole { p, _ := f.svc.Participation(f.ctx, e.ID, more); return p.Role }())
	up := events.InputOf(e)
	up.Capacity = 3
	_, err = f.svc.Update(f.ctx, org, e.ID, up)
	require.NoError(t, err)
	p, _ := f.svc.Participation(f.ctx, e.ID, more)
	assert.Equal(t, events.RoleParticipant, p.Role)
}

func TestApproveReject(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org, bob, carol := f.actor("org"), f.actor("bob"), f.actor("carol")
	in := input("By approval")
	in.JoinMode, in.Capacity = events.JoinRestricted, 1
	e := f.create(org, in)
	pb, err := f.svc.Join(f.ctx, e.ID, bob, events.JoinInput{})
	require.NoError(t, err)
	pc, err := f.svc.Join(f.ctx, e.ID, carol, events.JoinInput{})
	require.NoError(t, err)

	_, err = f.svc.Approve(f.ctx, carol, pb.ID)
	require.ErrorIs(t, err, events.ErrForbidden, "a participant cannot approve")
	got, err := f.svc.Approve(f.ctx, org, pb.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, got.Role)
	got, err = f.svc.Approve(f.ctx, org, pc.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleWaitlisted, got.Role, "approved when full: waitlisted")

	creator, err := f.svc.Participation(f.ctx, e.ID, org)
	require.NoError(t, err)
	_, err = f.svc.Reject(f.ctx, org, creator.ID)
	require.ErrorIs(t, err, events.ErrForbidden, "organizers are not rejected")

	_, _, err = f.svc.Participants(f.ctx, bob, e.ID, nil, "", 0)
	require.ErrorIs(t, err, events.ErrForbidden, "participants do not list participants")
	ps, next, err := f.svc.Participants(f.ctx, org, e.ID, nil, "", 0)
	require.NoError(t, err)
	assert.Len(t, ps, 3)
	assert.Empty(t, next)
}

func TestOnlyOrganizerCannotLeave(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org := f.actor("org")
	e := f.create(org, input("Mine"))
	require.ErrorIs(t, f.svc.Leave(f.ctx, e.ID, org), events.ErrOnlyOrganizer)
	require.ErrorIs(t, f.svc.Leave(f.ctx, e.ID, f.actor("stranger")), events.ErrNotFound)
}

func TestAnonymousParticipation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, sqlitetest.Open(t))
	org := f.actor("org")
	closed := f.create(org, input("Accounts only"))
	_, _, err := f.svc.JoinAnonymously(f.ctx, closed.ID, events.AnonymousJoin{Email: "ann@example.org"})
	require.ErrorIs(t, err, events.ErrAnonymousDisabled)

	in := input("Open to all")
	in.AnonymousParticipation, in.Capacity = true, 1
	e := f.create(org, in)
	for _, bad := range []string{"", "not an email", "Ann <ann@example.org>", "a@b@c"} {
		_, _, err := f.svc.JoinAnonymously(f.ctx, e.ID, events.AnonymousJoin{Email: bad})
		require.ErrorIs(t, err, events.ErrInvalid, bad)
	}

	p, tok, err := f.svc.JoinAnonymously(f.ctx, e.ID, events.AnonymousJoin{Email: "Ann@Example.org", Message: "hi"})
	require.NoError(t, err)
	assert.Equal(t, events.RoleNotConfirmed, p.Role)
	assert.Equal(t, "ann@example.org", p.Email)
	assert.Empty(t, p.ActorID)
	assert.GreaterOrEqual(t, len(tok.Confirm), 43, "256-bit tokens")
	assert.NotEqual(t, tok.Confirm, tok.Cancel)

	// Unconfirmed participations hold no seat and cannot be approved.
	_, err = f.svc.Approve(f.ctx, org, p.ID)
	require.ErrorIs(t, err, events.ErrForbidden)
	// The cancellation token does not confirm; unknown tokens are not found.
	_, err = f.svc.ConfirmAnonymous(f.ctx, tok.Cancel)
	require.ErrorIs(t, err, events.ErrNotFound)
	_, err = f.svc.ConfirmAnonymous(f.ctx, strings.Repeat("A", 43))
	require.ErrorIs(t, err, events.ErrNotFound)
	_, err = f.svc.ConfirmAnonymous(f.ctx, "short")
	require.ErrorIs(t, err, events.ErrNotFound)

	got, err := f.svc.ConfirmAnonymous(f.ctx, tok.Confirm)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, got.Role)
	again, err := f.svc.ConfirmAnonymous(f.ctx, tok.Confirm)
	require.NoError(t, err, "confirming twice is harmless")
	assert.Equal(t, events.RoleParticipant, again.Role)

	// A second anonymous participant is waitlisted, then gets the seat
	// when the first cancels.
	p2, tok2, err := f.svc.JoinAnonymously(f.ctx, e.ID, events.AnonymousJoin{Email: "ben@example.org"})
	require.NoError(t, err)
	got, err = f.svc.ConfirmAnonymous(f.ctx, tok2.Confirm)
	require.NoError(t, err)
	assert.Equal(t, events.RoleWaitlisted, got.Role)
	require.ErrorIs(t, f.svc.CancelAnonymous(f.ctx, tok.Confirm), events.ErrNotFound, "the confirmation token does not cancel")
	require.NoError(t, f.svc.CancelAnonymous(f.ctx, tok.Cancel))
	got2, err := f.store.GetParticipant(f.ctx, p2.ID)
	require.NoError(t, err)
	assert.Equal(t, events.RoleParticipant, got2.Role)
	_, err = f.store.GetParticipant(f.ctx, p.ID)
	require.ErrorIs(t, err, events.ErrNotFound)
}

// TestConcurrentJoinsRespectCapacity is the capacity invariant through
// the service, on every backend: with N seats and many simultaneous
// joins, exactly N get a seat and the rest are waitlisted.
func TestConcurrentJoinsRespectCapacity(t *testing.T) {
	t.Parallel()
	const seats, joiners = 25, 150
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, b.open(t))
			org := f.actor("org")
			in := input("Popular")
			in.Capacity = seats
			e := f.create(org, in)
			ids := make([]string, joiners)
			for i := range ids {
				ids[i] = f.actor(fmt.Sprintf("j%d", i))
			}
			var wg sync.WaitGroup
			errs := make(chan error, joiners)
			for _, id := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := f.svc.Join(f.ctx, e.ID, id, events.JoinInput{})
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			n, err := f.store.CountParticipants(f.ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
			require.NoError(t, err)
			w, err := f.store.CountParticipants(f.ctx, e.ID, []events.ParticipantRole{events.RoleWaitlisted})
			require.NoError(t, err)
			assert.Equal(t, seats, n)
			assert.Equal(t, joiners-seats, w)
		})
	}
}

// TestCapacityAcrossProcesses: two servers (two connection pools, as two
// processes would have) share one PostgreSQL database and take joins
// for the same event at once; the capacity still holds.
func TestCapacityAcrossProcesses(t *testing.T) {
	t.Parallel()
	url := pgtest.Schema(t)
	open := func() *postgres.DB {
		db, err := postgres.Open(context.Background(), postgres.Config{URL: url, MaxConns: 4})
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	a, b := newFixture(t, open()), newFixture(t, open())
	org := a.actor("org")
	in := input("Shared")
	in.Capacity = 10
	e := a.create(org, in)
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = a.actor(fmt.Sprintf("j%d", i))
	}
	var wg sync.WaitGroup
	for i, id := range ids {
		svc := a.svc
		if i%2 == 1 {
			svc = b.svc
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := svc.Join(context.Background(), e.ID, id, events.JoinInput{})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	n, err := a.store.CountParticipants(a.ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
	require.NoError(t, err)
	assert.Equal(t, 10, n)
	w, err := b.store.CountParticipants(b.ctx, e.ID, []events.ParticipantRole{events.RoleWaitlisted})
	require.NoError(t, err)
	assert.Equal(t, 50, w)
}
