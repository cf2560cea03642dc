package outbox_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/outbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

func TestNew(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, base string
		ok         bool
	}{
		{"ok", base, true},
		{"missing", "", false},
		{"not a URL", "events.example", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ob, err := outbox.New(outbox.Config{BaseURL: tc.base})
			if tc.ok {
				require.NoError(t, err)
				require.NotNil(t, ob)
			} else {
				require.Error(t, err)
			}
		})
	}
}

func TestCreatePublicEventFansOutToRemoteFollowers(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.follow(w.alice.ID, w.r1, w.r2, w.r3, w.evil)
	local, err := w.inst.Identity.Follow(w.ctx, w.bob.ID, w.alice.ID, "")
	require.NoError(t, err)
	require.Equal(t, identity.FollowAccepted, local.State)

	ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, input("Picnic", t0.Add(48*time.Hour)))
	require.NoError(t, err)

	got := w.drain()
	require.Len(t, got, 1, "one activity")
	s := got[0]
	assert.Equal(t, ev.APID+"/activity", s.ID)
	assert.Equal(t, w.alice.APID, s.Signer)
	assert.Equal(t, []string{"https://a.example/inbox", "https://b.example/users/r3/inbox"}, s.Inboxes)
	a := s.Activity
	assert.Equal(t, wire.TypeCreate, a.Type)
	assert.Equal(t, w.alice.APID, a.Actor)
	require.NotNil(t, a.Event, "a Create{Event}")
	assert.Equal(t, ev.APID, a.Event.Event.APID)
	assert.Equal(t, "Picnic", a.Event.Event.Title)
	assert.Equal(t, w.alice.APID, a.Event.AttributedTo)
	assert.True(t, a.Public())
}

func TestEventLifecycle(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.follow(w.alice.ID, w.r3)
	in := input("Draft", t0.Add(48*time.Hour))
	in.Draft = true
	ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, in)
	require.NoError(t, err)
	assert.Empty(t, w.drain(), "a draft federates nothing")

	w.clock.Advance(time.Minute)
	in.Title = "Still a draft"
	_, err = w.inst.Events.Update(w.ctx, w.alice.ID, ev.ID, in)
	require.NoError(t, err)
	assert.Empty(t, w.drain(), "an update of a draft federates nothing")

	steps := []struct {
		name   string
		do     func() error
		typ    string
		id     string
		object string // the embedded object's type
	}{
		{"publish is a Create", func() error {
			in.Draft, in.Title = false, "Published"
			_, err := w.inst.Events.Update(w.ctx, w.alice.ID, ev.ID, in)
			return err
		}, wire.TypeCreate, ev.APID + "/activity/2", "Event"},
		{"update", func() error {
			in.Title = "Renamed"
			_, err := w.inst.Events.Update(w.ctx, w.alice.ID, ev.ID, in)
			return err
		}, wire.TypeUpdate, ev.APID + "/updates/3", "Event"},
		{"cancel is an update", func() error {
			_, err := w.inst.Events.Cancel(w.ctx, w.alice.ID, ev.ID)
			return err
		}, wire.TypeUpdate, ev.APID + "/updates/4", "Event"},
		{"delete", func() error {
			return w.inst.Events.Delete(w.ctx, w.alice.ID, ev.ID)
		}, wire.TypeDelete, ev.APID + "/delete", "Tombstone"},
	}
	for _, step := range steps {
		w.clock.Advance(time.Minute)
		require.NoError(t, step.do(), step.name)
		got := w.drain()
		require.Len(t, got, 1, step.name)
		a := got[0].Activity
		assert.Equal(t, step.typ, a.Type, step.name)
		assert.Equal(t, step.id, a.ID, step.name)
		assert.Equal(t, ev.APID, a.ObjectIRI, step.name)
		assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes, step.name)
		if step.object == "Event" {
			require.NotNil(t, a.Event, step.name)
		} else {
			require.NotNil(t, a.Object, step.name)
			assert.Equal(t, step.object, a.Object.Type, step.name)
			assert.Equal(t, "Event", a.Object.FormerType, step.name)
		}
	}
}

func TestVisibility(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		vis     events.Visibility
		want    int
		toFirst string
	}{
		{events.Public, 1, wire.PublicIRI},
		{events.Unlisted, 1, base + "/@alice/followers"},
		{events.Private, 0, ""},
	} {
		t.Run(string(tc.vis), func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			w.follow(w.alice.ID, w.r1)
			in := input("Meeting", t0.Add(48*time.Hour))
			in.Visibility = tc.vis
			_, err := w.inst.Events.Create(w.ctx, w.alice.ID, in)
			require.NoError(t, err)
			got := w.drain()
			require.Len(t, got, tc.want)
			if tc.want > 0 {
				require.NotEmpty(t, got[0].Activity.To)
				assert.Equal(t, tc.toFirst, got[0].Activity.To[0])
			}
		})
	}
}

func TestNoFollowersNoDelivery(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.follow(w.alice.ID, w.evil) // its inbox is on our host
	_, err := w.inst.Events.Create(w.ctx, w.alice.ID, input("Alone", t0.Add(48*time.Hour)))
	require.NoError(t, err)
	assert.Empty(t, w.drain())
}

func TestRemoteEventsProduceNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.follow(w.r1.ID, w.r3)
	ob, err := outbox.New(outbox.Config{BaseURL: base})
	require.NoError(t, err)
	remote := &events.Event{ID: "x", APID: "https://a.example/events/1", OrganizerID: w.r1.ID, Visibility: events.Public}
	for _, k := range []events.ChangeKind{events.EventCreated, events.EventUpdated, events.EventDeleted} {
		err := w.store.InTx(w.ctx, func(tx storage.Tx) error {
			return ob.EventChanged(w.ctx, tx, events.Change{Kind: k, Event: remote})
		})
		require.NoError(t, err)
	}
	assert.Empty(t, w.drain())
}

// noQueue is a backend whose transactions have no delivery queue.
type noQueue struct{ convene.Store }

type noQueueTx struct{ domainStore }

// domainStore is the domain contracts of a backend, without the
// federation's.
type domainStore interface {
	identity.Store
	groups.Store
	events.Store
}

func (s noQueue) InTx(ctx context.Context, fn func(tx storage.Tx) error) error {
	return s.Store.InTx(ctx, func(tx storage.Tx) error { return fn(noQueueTx{tx.(convene.Store)}) })
}

func TestHookFailureRollsBackTheChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := sqlitetest.Open(t)
	ob, err := outbox.New(outbox.Config{BaseURL: base, Now: func() time.Time { return t0 }})
	require.NoError(t, err)
	inst, err := convene.New(convene.Config{Store: noQueue{st}, BaseURL: base, Now: func() time.Time { return t0 },
		Argon2: cheapArgon2, GenerateKey: fixedKey, EventHook: ob, GroupHook: ob})
	require.NoError(t, err)
	_, alice, err := inst.Identity.Register(ctx, identity.RegisterInput{Email: "alice@mail.example",
		Password: "correct horse battery", Username: "alice"})
	require.NoError(t, err)

	_, err = inst.Events.Create(ctx, alice.ID, input("Picnic", t0.Add(48*time.Hour)))
	require.ErrorIs(t, err, storage.ErrUnsupported)
	ps, err := st.ListParticipations(ctx, alice.ID, nil, storage.Cursor{}, 10)
	require.NoError(t, err)
	assert.Empty(t, ps, "the event and its creator were rolled back")

	in := input("Draft", t0.Add(48*time.Hour))
	in.Draft = true
	_, err = inst.Events.Create(ctx, alice.ID, in)
	require.NoError(t, err, "a draft does not need the queue")
}

func TestRemoteParticipation(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	in := input("Workshop", t0.Add(48*time.Hour))
	in.Capacity = 1
	ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, in)
	require.NoError(t, err)
	w.drain()

	join := func(a *identity.Actor) *events.Participant {
		w.clock.Advance(time.Second) // the waitlist is first come, first served
		p, err := w.inst.Events.Join(w.ctx, ev.ID, a.ID, events.JoinInput{APID: a.APID + "/join/1"})
		require.NoError(t, err)
		return p
	}
	p3 := join(w.r3)
	require.Equal(t, events.RoleParticipant, p3.Role)
	got := w.drain()
	require.Len(t, got, 1)
	a := got[0].Activity
	assert.Equal(t, wire.TypeAccept, a.Type)
	assert.Equal(t, w.alice.APID, a.Actor)
	assert.Equal(t, w.alice.APID, got[0].Signer)
	assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes)
	require.NotNil(t, a.Activity)
	assert.Equal(t, wire.TypeJoin, a.Activity.Type)
	assert.Equal(t, w.r3.APID+"/join/1", a.Activity.ID)
	assert.Equal(t, ev.APID, a.Activity.ObjectIRI)

	p1 := join(w.r1)
	require.Equal(t, events.RoleWaitlisted, p1.Role)
	assert.Empty(t, w.drain(), "waitlisted: nothing yet")

	w.clock.Advance(time.Second)
	_, err = w.inst.Events.Join(w.ctx, ev.ID, w.bob.ID, events.JoinInput{})
	require.NoError(t, err)
	assert.Empty(t, w.drain(), "local participants get nothing")

	require.NoError(t, w.inst.Events.Leave(w.ctx, ev.ID, w.r3.ID))
	got = w.drain()
	require.Len(t, got, 1, "the promotion is accepted")
	assert.Equal(t, wire.TypeAccept, got[0].Activity.Type)
	assert.Equal(t, []string{"https://a.example/inbox"}, got[0].Inboxes)
	assert.Equal(t, w.r1.APID+"/join/1", got[0].Activity.Activity.ID)
}

func TestRestrictedParticipation(t *testing.T) {
	t.Parallel()
	for _, approve := range []bool{true, false} {
		want := map[bool]string{true: wire.TypeAccept, false: wire.TypeReject}[approve]
		t.Run(want, func(t *testing.T) {
			t.Parallel()
			w := newWorld(t)
			in := input("Dinner", t0.Add(48*time.Hour))
			in.JoinMode = events.JoinRestricted
			ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, in)
			require.NoError(t, err)
			p, err := w.inst.Events.Join(w.ctx, ev.ID, w.r3.ID, events.JoinInput{APID: w.r3.APID + "/join/9"})
			require.NoError(t, err)
			require.Equal(t, events.RoleNotApproved, p.Role)
			assert.Empty(t, w.drain(), "pending: nothing yet")
			if approve {
				_, err = w.inst.Events.Approve(w.ctx, w.alice.ID, p.ID)
			} else {
				_, err = w.inst.Events.Reject(w.ctx, w.alice.ID, p.ID)
			}
			require.NoError(t, err)
			got := w.drain()
			require.Len(t, got, 1)
			assert.Equal(t, want, got[0].Activity.Type)
			assert.Equal(t, w.alice.APID, got[0].Activity.Actor)
			assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes)
		})
	}
}

func TestGroupEventAndMembership(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g, err := w.inst.Groups.Create(w.ctx, w.alice.ID, groups.CreateInput{Username: "climate", DisplayName: "Climate",
		Openness: groups.Open, Visibility: groups.Public})
	require.NoError(t, err)
	assert.Empty(t, w.drain())

	_, err = w.inst.Groups.Join(w.ctx, g.ID, w.r3.ID, w.r3.APID+"/member/1")
	require.NoError(t, err)
	got := w.drain()
	require.Len(t, got, 1, "the group accepts the join")
	assert.Equal(t, wire.TypeAccept, got[0].Activity.Type)
	assert.Equal(t, g.APID, got[0].Activity.Actor)
	assert.Equal(t, g.APID, got[0].Signer)
	assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes)

	_, err = w.inst.Groups.Invite(w.ctx, w.alice.ID, g.ID, w.r1.ID)
	require.NoError(t, err)
	got = w.drain()
	require.Len(t, got, 1)
	assert.Equal(t, wire.TypeInvite, got[0].Activity.Type)
	assert.Equal(t, w.alice.APID, got[0].Activity.Actor)
	assert.Equal(t, w.r1.APID, got[0].Activity.Target)
	assert.Equal(t, []string{"https://a.example/inbox"}, got[0].Inboxes)

	w.follow(g.ID, w.r2)
	in := input("March", t0.Add(72*time.Hour))
	in.GroupID = g.ID
	ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, in)
	require.NoError(t, err)
	got = w.drain()
	require.Len(t, got, 1)
	a := got[0].Activity
	assert.Equal(t, wire.TypeCreate, a.Type)
	assert.Equal(t, w.alice.APID, a.Actor, "the member who acted")
	assert.Equal(t, g.APID, a.AttributedTo)
	assert.Equal(t, w.alice.APID, got[0].Signer)
	assert.Equal(t, ev.APID, a.ObjectIRI)
	assert.Equal(t, []string{"https://a.example/inbox", "https://b.example/users/r3/inbox"}, got[0].Inboxes,
		"the group's remote follower r2 and its remote member r3")
	assert.Contains(t, a.CC, g.APID+"/members")
}

func TestFollowersArePaged(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	n := outbox.PageSize + 1
	err := w.store.InTx(w.ctx, func(tx storage.Tx) error {
		ids, err := storage.As[identity.Store](tx)
		if err != nil {
			return err
		}
		for i := range n {
			host := "a.example"
			if i == n-1 {
				host = "z.example" // only on the second page
			}
			a := &identity.Actor{ID: fmt.Sprintf("f%d", i), APID: fmt.Sprintf("https://%s/users/f%d", host, i),
				Type: identity.TypePerson, Domain: host, Username: fmt.Sprintf("f%d", i),
				Inbox: fmt.Sprintf("https://%s/users/f%d/inbox", host, i), SharedInbox: "https://" + host + "/inbox",
				FetchedAt: t0, CreatedAt: t0, UpdatedAt: t0}
			if err := ids.CreateActor(w.ctx, a); err != nil {
				return err
			}
			f := &identity.Follow{ID: fmt.Sprintf("follow%04d", i), APID: a.APID + "/follow", FollowerID: a.ID,
				FollowedID: w.alice.ID, State: identity.FollowAccepted, CreatedAt: t0, UpdatedAt: t0}
			if err := ids.PutFollow(w.ctx, f); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, err)
	_, err = w.inst.Events.Create(w.ctx, w.alice.ID, input("Crowd", t0.Add(48*time.Hour)))
	require.NoError(t, err)
	got := w.drain()
	require.Len(t, got, 1)
	assert.Equal(t, []string{"https://a.example/inbox", "https://z.example/inbox"}, got[0].Inboxes)
}

func TestPrivateGroupEventGoesToRemoteMembersOnly(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	g, err := w.inst.Groups.Create(w.ctx, w.alice.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden",
		Openness: groups.Open, Visibility: groups.Public})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, g.ID, w.r3.ID, w.r3.APID+"/member/1")
	require.NoError(t, err)
	w.follow(g.ID, w.r1)
	w.drain()
	in := input("Members' dinner", t0.Add(72*time.Hour))
	in.GroupID, in.Visibility = g.ID, events.Private
	_, err = w.inst.Events.Create(w.ctx, w.alice.ID, in)
	require.NoError(t, err)
	got := w.drain()
	require.Len(t, got, 1)
	assert.Equal(t, []string{"https://b.example/users/r3/inbox"}, got[0].Inboxes, "not the follower r1")
	assert.Equal(t, []string{g.APID + "/members"}, got[0].Activity.To)
	assert.False(t, got[0].Activity.Public())
}

// TestHidingAnEventFederatesNothing: the moderators' hiding of an event
// (and showing it again) is a local decision, sent nowhere.
func TestHidingAnEventFederatesNothing(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.follow(w.alice.ID, w.r3)
	ev, err := w.inst.Events.Create(w.ctx, w.alice.ID, input("Picnic", t0.Add(48*time.Hour)))
	require.NoError(t, err)
	require.Len(t, w.drain(), 1, "the Create")
	require.NoError(t, w.inst.Events.HideEvent(w.ctx, ev.ID, true))
	assert.Empty(t, w.drain(), "hiding sends nothing")
	require.NoError(t, w.inst.Events.HideEvent(w.ctx, ev.ID, false))
	assert.Empty(t, w.drain(), "showing it again sends nothing")
}
