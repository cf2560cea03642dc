package notify_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail/mailtest"
	"codeberg.org/convene/convene/notify"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// groupActors makes group actors without keys.
type groupActors struct{}

func (groupActors) NewLocalActor(_ context.Context, typ identity.ActorType, username, name string) (*identity.Actor, error) {
	u := "https://events.example/@" + username
	return &identity.Actor{APID: u, URL: u, Type: typ, Local: true, Username: username, Domain: "events.example",
		DisplayName: name, Inbox: u + "/inbox"}, nil
}

// failing is a groups.Hook that fails every change after the notifier
// saw it: the transaction rolls back.
type failing struct{ n *notify.Notifier }

func (f failing) GroupChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	if err := f.n.GroupChanged(ctx, tx, c); err != nil {
		return err
	}
	return errors.New("boom")
}

// TestGroupDiscussionMailThroughStorage runs the whole flow on SQLite:
// the choice kept by the store, the groups service's hook, the
// notifier's queue.
func TestGroupDiscussionMailThroughStorage(t *testing.T) {
	t.Parallel()
	ctx, cancelAll := context.WithTimeout(context.Background(), time.Minute)
	defer cancelAll()
	db := sqlitetest.Open(t)
	now := time.Date(2026, 3, 13, 12, 0, 0, 0, time.UTC)
	person := func(name, locale string) string {
		a := &identity.Account{ID: "acc-" + name, Email: name + "@example.net", PasswordHash: "x", Confirmed: true,
			Locale: locale, CreatedAt: now, UpdatedAt: now}
		require.NoError(t, db.CreateAccount(ctx, a))
		p := &identity.Profile{Actor: identity.Actor{ID: name, APID: "https://events.example/@" + name, Type: identity.TypePerson,
			Local: true, Username: name, DisplayName: name, Domain: "events.example", CreatedAt: now, UpdatedAt: now}, AccountID: a.ID}
		require.NoError(t, db.CreateProfile(ctx, p))
		return p.ID
	}
	outbox := mailtest.New()
	var later atomic.Int64 // how far the notifier's clock is ahead of now
	n, err := notify.New(notify.Config{Mail: outbox, Identity: db, Events: db, Groups: db,
		BaseURL: "https://events.example", Now: func() time.Time { return now.Add(time.Duration(later.Load())) }})
	require.NoError(t, err)
	svc, err := groups.New(groups.Config{Store: db, Actors: groupActors{}, BaseURL: "https://events.example", Hook: n,
		Now: func() time.Time { return now }})
	require.NoError(t, err)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = n.Run(runCtx) }()

	alice, bob, carol, dan := person("alice", "en"), person("bob", "fr"), person("carol", "en"), person("dan", "en")
	g, err := svc.Create(ctx, alice, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	for _, p := range []string{bob, carol, dan} {
		_, err := svc.Join(ctx, g.ID, p, "")
		require.NoError(t, err)
	}
	for _, p := range []string{alice, bob, dan} {
		require.NoError(t, svc.SetDiscussionMail(ctx, p, g.ID, true))
	}
	require.NoError(t, svc.Leave(ctx, g.ID, dan)) // left: no mail

	d, _, err := svc.CreateDiscussion(ctx, alice, g.ID, groups.DiscussionInput{Title: "Seeds", Text: "<p>Who has seeds?</p>"})
	require.NoError(t, err)
	ms, err := outbox.Wait(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "bob@example.net", ms[0].To, "not the author, nor carol (did not ask), nor dan (left)")
	assert.Equal(t, "[Garden] Seeds", ms[0].Subject)
	assert.Contains(t, ms[0].Text, "alice a lancé la discussion « Seeds »")
	assert.Contains(t, ms[0].Text, "https://events.example/groups/"+g.ID+"/discussions/"+d.ID+"\n")

	// A rolled-back reply sends nothing; the next one, once bob's
	// DiscussionMailInterval has passed, reaches alice and bob.
	later.Store(int64(notify.DiscussionMailInterval))
	bad, err := groups.New(groups.Config{Store: db, Actors: groupActors{}, BaseURL: "https://events.example",
		Hook: failing{n}, Now: func() time.Time { return now }})
	require.NoError(t, err)
	_, err = bad.Reply(ctx, carol, d.ID, groups.CommentInput{Text: "rolled back"})
	require.Error(t, err)
	_, err = svc.Reply(ctx, carol, d.ID, groups.CommentInput{Text: "Me!"})
	require.NoError(t, err)
	ms, err = outbox.Wait(ctx, 3)
	require.NoError(t, err)
	require.Len(t, ms, 3)
	for _, m := range ms[1:] {
		assert.Contains(t, []string{"alice@example.net", "bob@example.net"}, m.To)
		assert.Contains(t, m.Text, "Me!")
		assert.NotContains(t, m.Text, "rolled back")
	}
	assert.NotEqual(t, ms[1].To, ms[2].To)
}
