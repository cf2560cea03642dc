package storagetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// usageStore is the method set of federation/usage Store (NodeInfo's
// counts), declared here so that the suite does not import federation.
// Every backend implements it.
type usageStore interface {
	CountLocalUsers(ctx context.Context) (int, error)
	CountActiveUsers(ctx context.Context, since time.Time) (int, error)
	CountLocalEvents(ctx context.Context) (int, error)
	CountLocalComments(ctx context.Context) (int, error)
}

// usageCases check the counts of federation/usage Store.
func usageCases() []testCase {
	return []testCase{
		{"Users", testUsageUsers},
		{"ActiveUsers", testUsageActive},
		{"LocalEvents", testUsageEvents},
		{"LocalComments", testUsageComments},
	}
}

// goneCases check identity.GoneStore.
func goneCases() []testCase {
	return []testCase{
		{"ActorsByInbox", testGoneByInbox},
		{"MarkActorGone", testGoneMark},
		{"RolledBack", testGoneRolledBack},
	}
}

func (w *world) usage() usageStore {
	w.t.Helper()
	u, ok := w.b.(usageStore)
	require.True(w.t, ok, "the backend must implement federation/usage Store")
	return u
}

func (w *world) gone() identity.GoneStore {
	w.t.Helper()
	g, ok := w.b.(identity.GoneStore)
	require.True(w.t, ok, "the backend must implement identity.GoneStore")
	return g
}

// userAccount stores an account that may sign in, or one that is not
// confirmed or suspended.
func (w *world) userAccount(confirmed, suspended bool) *identity.Account {
	w.t.Helper()
	a := w.newAccount()
	a.Confirmed, a.Suspended = confirmed, suspended
	require.NoError(w.t, w.b.CreateAccount(w.ctx, a))
	return a
}

// profileOf stores a new profile of the account.
func (w *world) profileOf(a *identity.Account) *identity.Profile {
	w.t.Helper()
	p := w.newProfile(a.ID)
	require.NoError(w.t, w.b.CreateProfile(w.ctx, p))
	return p
}

// sessionUsed stores a session of the account last used at used.
func (w *world) sessionUsed(a *identity.Account, used time.Time) {
	w.t.Helper()
	require.NoError(w.t, w.b.CreateSession(w.ctx, &identity.Session{
		ID: w.id(), Hash: hash(fmt.Sprintf("s%d", w.next())), AccountID: a.ID, CreatedAt: used.Add(-time.Hour), LastUsedAt: used}))
}

func requireCount(t *testing.T, want int, n int, err error, what string) {
	t.Helper()
	require.NoError(t, err, what)
	require.Equal(t, want, n, what)
}

func testUsageUsers(t *testing.T, w *world) {
	u := w.usage()
	n, err := u.CountLocalUsers(w.ctx)
	requireCount(t, 0, n, err, "an empty store has no users")

	w.userAccount(true, false)
	w.userAccount(true, false)
	w.userAccount(false, false) // not confirmed
	w.userAccount(true, true)   // suspended
	w.userAccount(false, true)
	w.remoteActor() // remote actors are no users
	n, err = u.CountLocalUsers(w.ctx)
	requireCount(t, 2, n, err, "confirmed accounts that are not suspended")
}

func testUsageActive(t *testing.T, w *world) {
	u := w.usage()
	day := 24 * time.Hour
	month, halfyear := at(-30*day), at(-180*day)
	n, err := u.CountActiveUsers(w.ctx, halfyear)
	requireCount(t, 0, n, err, "an empty store has no active users")

	// Signed in recently.
	recent := w.userAccount(true, false)
	w.sessionUsed(recent, at(-time.Hour))
	w.sessionUsed(recent, at(-2*time.Hour)) // counted once
	// Signed in two months ago.
	w.sessionUsed(w.userAccount(true, false), at(-60*day))
	// Signed in a year ago.
	w.sessionUsed(w.userAccount(true, false), at(-365*day))
	// Created a local event three months ago, with one of two profiles.
	creator := w.userAccount(true, false)
	w.profileOf(creator)
	cp := w.profileOf(creator)
	ev := w.newEvent(cp.ID, at(day))
	ev.CreatorID, ev.CreatedAt = cp.ID, at(-90*day)
	w.event(ev)
	// Commented yesterday.
	commenter := w.userAccount(true, false)
	c := w.newComment(ev.ID, w.profileOf(commenter).ID, "")
	c.CreatedAt = at(-day)
	require.NoError(t, w.b.CreateComment(w.ctx, c))
	// Joined an event ten days ago; and commented too: counted once.
	joiner := w.userAccount(true, false)
	jp := w.profileOf(joiner)
	p := w.newParticipant(ev.ID, jp.ID)
	p.CreatedAt = at(-10 * day)
	require.NoError(t, w.b.CreateParticipant(w.ctx, p))
	c2 := w.newComment(ev.ID, jp.ID, "")
	c2.CreatedAt = at(-2 * day)
	require.NoError(t, w.b.CreateComment(w.ctx, c2))
	// Did nothing.
	w.profileOf(w.userAccount(true, false))
	// Active but not confirmed, or suspended: no users.
	w.sessionUsed(w.userAccount(false, false), at(-time.Hour))
	susp := w.userAccount(true, true)
	w.sessionUsed(susp, at(-time.Hour))
	sp := w.profileOf(susp)
	se := w.newEvent(sp.ID, at(day))
	se.CreatorID = sp.ID
	w.event(se)
	// A remote event and a remote participation name no account.
	r := w.remoteActor()
	re := w.newEvent(r.ID, at(day))
	re.Local, re.CreatedAt = false, at(-day)
	w.event(re)
	require.NoError(t, w.b.CreateParticipant(w.ctx, w.newParticipant(ev.ID, r.ID)))

	n, err = u.CountActiveUsers(w.ctx, month)
	requireCount(t, 3, n, err, "active in the last month: recent session, comment, join")
	n, err = u.CountActiveUsers(w.ctx, halfyear)
	requireCount(t, 5, n, err, "active in the last half year: and the older session and event")
	n, err = u.CountActiveUsers(w.ctx, at(-time.Hour))
	requireCount(t, 1, n, err, "since is inclusive")
	n, err = u.CountActiveUsers(w.ctx, at(-time.Hour+time.Microsecond))
	requireCount(t, 0, n, err, "nothing after the last activity")
}

func testUsageEvents(t *testing.T, w *world) {
	u := w.usage()
	n, err := u.CountLocalEvents(w.ctx)
	requireCount(t, 0, n, err, "an empty store has no events")

	org := w.profile()
	w.event(w.newEvent(org.ID, at(time.Hour)))
	w.event(w.newEvent(org.ID, at(-30*24*time.Hour))) // past events count
	series := w.newEvent(org.ID, at(time.Hour))
	series.Recurrence = "FREQ=WEEKLY;COUNT=10"
	series.SeriesEndsAt = series.EndsAt.Add(9 * 7 * 24 * time.Hour)
	w.event(series) // a series counts once
	cancelled := w.newEvent(org.ID, at(time.Hour))
	cancelled.Status = events.Cancelled
	w.event(cancelled)
	for _, change := range []func(e *events.Event){
		func(e *events.Event) { e.Draft = true },
		func(e *events.Event) { e.Visibility = events.Unlisted },
		func(e *events.Event) { e.Visibility = events.Private },
		func(e *events.Event) { e.Local = false },
	} {
		e := w.newEvent(org.ID, at(time.Hour))
		change(e)
		w.event(e)
	}
	n, err = u.CountLocalEvents(w.ctx)
	requireCount(t, 4, n, err, "local, public, published events")
}

func testUsageComments(t *testing.T, w *world) {
	u := w.usage()
	n, err := u.CountLocalComments(w.ctx)
	requireCount(t, 0, n, err, "an empty store has no comments")

	local := w.profile()
	remote := w.remoteActor()
	public := w.event(w.newEvent(local.ID, at(time.Hour)))
	remoteEvent := w.newEvent(remote.ID, at(time.Hour))
	remoteEvent.Local = false
	w.event(remoteEvent)
	hidden := map[string]func(e *events.Event){
		"draft":    func(e *events.Event) { e.Draft = true },
		"unlisted": func(e *events.Event) { e.Visibility = events.Unlisted },
		"private":  func(e *events.Event) { e.Visibility = events.Private },
	}
	comment := func(eventID, authorID string, state events.CommentState) {
		c := w.newComment(eventID, authorID, "")
		c.State = state
		require.NoError(t, w.b.CreateComment(w.ctx, c))
	}
	comment(public.ID, local.ID, events.CommentPublished)
	comment(public.ID, local.ID, events.CommentPublished)
	comment(remoteEvent.ID, local.ID, events.CommentPublished) // a local comment on a remote event
	comment(public.ID, remote.ID, events.CommentPublished)
	for _, s := range []events.CommentState{events.CommentPending, events.CommentRejected, events.CommentDeleted} {
		comment(public.ID, local.ID, s)
	}
	for name, change := range hidden {
		e := w.newEvent(local.ID, at(time.Hour))
		e.Title = name
		change(e)
		w.event(e)
		comment(e.ID, local.ID, events.CommentPublished)
	}
	n, err = u.CountLocalComments(w.ctx)
	requireCount(t, 3, n, err, "published comments of local actors on public, published events")
}

func testGoneByInbox(t *testing.T, w *world) {
	g := w.gone()
	r1 := w.remoteActor()
	r2 := w.remoteActor() // same shared inbox
	l := w.actor(w.newLocalActor(identity.TypePerson))
	other := w.actor(w.newRemoteActor("other.example"))
	other.SharedInbox = ""
	require.NoError(t, w.b.UpdateActor(w.ctx, other))

	ids := func(list []identity.Actor) []string {
		out := make([]string, 0, len(list))
		for _, a := range list {
			out = append(out, a.ID)
		}
		slices.Sort(out)
		return out
	}
	list, err := g.ActorsByInbox(w.ctx, r1.Inbox, 0)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, *r1, list[0], "the whole actor comes back")
	list, err = g.ActorsByInbox(w.ctx, r1.SharedInbox, 0)
	require.NoError(t, err)
	require.Equal(t, []string{r1.ID, r2.ID}, ids(list), "a shared inbox names every actor behind it")
	list, err = g.ActorsByInbox(w.ctx, r1.SharedInbox, 1)
	require.NoError(t, err)
	require.Len(t, list, 1, "limit")
	require.Contains(t, []string{r1.ID, r2.ID}, list[0].ID)
	list, err = g.ActorsByInbox(w.ctx, l.Inbox, 0)
	require.NoError(t, err)
	require.Equal(t, []string{l.ID}, ids(list), "local actors too")
	list, err = g.ActorsByInbox(w.ctx, other.Inbox, 0)
	require.NoError(t, err)
	require.Equal(t, []string{other.ID}, ids(list))
	for _, inbox := range []string{"", "https://nowhere.example/inbox", r1.APID} {
		list, err = g.ActorsByInbox(w.ctx, inbox, 0)
		require.NoError(t, err)
		require.Emptyf(t, list, "inbox %q", inbox)
	}
}

func testGoneMark(t *testing.T, w *world) {
	g := w.gone()
	r := w.remoteActor()
	r2 := w.remoteActor()
	l := w.profile()
	l2 := w.profile()
	for _, f := range [][2]string{{r.ID, l.ID}, {l.ID, r.ID}, {r.ID, r2.ID}, {r2.ID, r.ID}, {l2.ID, l.ID}, {r2.ID, l.ID}} {
		require.NoError(t, w.b.PutFollow(w.ctx, w.newFollow(f[0], f[1])))
	}
	_, err := g.ActorGoneAt(w.ctx, r.ID)
	requireNotFound(t, err, "ActorGoneAt of an actor not gone")

	require.NoError(t, g.MarkActorGone(w.ctx, r.ID, at(0)))
	goneAt, err := g.ActorGoneAt(w.ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, at(0), goneAt)
	for _, f := range [][2]string{{r.ID, l.ID}, {l.ID, r.ID}, {r.ID, r2.ID}, {r2.ID, r.ID}} {
		_, err := w.b.GetFollow(w.ctx, f[0], f[1])
		requireNotFound(t, err, "a follow of the gone actor")
	}
	for _, f := range [][2]string{{l2.ID, l.ID}, {r2.ID, l.ID}} {
		_, err := w.b.GetFollow(w.ctx, f[0], f[1])
		require.NoError(t, err, "other follows stay")
	}
	got, err := w.b.GetActor(w.ctx, r.ID)
	require.NoError(t, err, "the actor stays")
	require.Equal(t, *r, *got)
	_, err = g.ActorGoneAt(w.ctx, r2.ID)
	requireNotFound(t, err, "other actors are not gone")

	// Again: the first time is kept.
	require.NoError(t, w.b.PutFollow(w.ctx, w.newFollow(r.ID, l2.ID)))
	require.NoError(t, g.MarkActorGone(w.ctx, r.ID, at(time.Hour)))
	goneAt, err = g.ActorGoneAt(w.ctx, r.ID)
	require.NoError(t, err)
	require.Equal(t, at(0), goneAt, "the first time is kept")
	_, err = w.b.GetFollow(w.ctx, r.ID, l2.ID)
	requireNotFound(t, err, "a follow made since is deleted as well")

	// Unknown actors.
	requireNotFound(t, g.MarkActorGone(w.ctx, w.id(), at(0)), "MarkActorGone of an unknown actor")
	requireNotFound(t, g.MarkActorGone(w.ctx, "", at(0)), "MarkActorGone of an empty id")
	_, err = g.ActorGoneAt(w.ctx, w.id())
	requireNotFound(t, err, "ActorGoneAt of an unknown actor")
	_, err = g.ActorGoneAt(w.ctx, "")
	requireNotFound(t, err, "ActorGoneAt of an empty id")
	_, err = w.b.GetFollow(w.ctx, l2.ID, l.ID)
	require.NoError(t, err, "a failed MarkActorGone changes nothing")
}

func testGoneRolledBack(t *testing.T, w *world) {
	r := w.remoteActor()
	l := w.profile()
	require.NoError(t, w.b.PutFollow(w.ctx, w.newFollow(l.ID, r.ID)))
	err := w.b.InTx(w.ctx, func(tx storage.Tx) error {
		g, err := storage.As[identity.GoneStore](tx)
		require.NoError(t, err, "the transaction implements identity.GoneStore")
		require.NoError(t, g.MarkActorGone(w.ctx, r.ID, at(0)))
		goneAt, err := g.ActorGoneAt(w.ctx, r.ID)
		require.NoError(t, err, "the transaction sees its own mark")
		require.Equal(t, epoch(), goneAt)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = w.gone().ActorGoneAt(w.ctx, r.ID)
	requireNotFound(t, err, "a rolled back mark")
	_, err = w.b.GetFollow(w.ctx, l.ID, r.ID)
	require.NoError(t, err, "a rolled back mark deletes no follow")
}
