package notify_test

import (
	"context"
	"fmt"
	"strings"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail/mailtest"
	"codeberg.org/convene/convene/notify"
	"codeberg.org/convene/convene/storage"
)

// oneMember stands for the storage backend: one local profile, zoe,
// who asked for the mail of group g1's discussions.
type oneMember struct{ noStore }

func (oneMember) GetProfile(_ context.Context, id string) (*identity.Profile, error) {
	if id != "zoe" {
		return nil, identity.ErrNotFound
	}
	return &identity.Profile{Actor: identity.Actor{ID: "zoe", Username: "zoe", DisplayName: "Zoé", Local: true},
		AccountID: "acc-zoe"}, nil
}

func (oneMember) GetAccount(context.Context, string) (*identity.Account, error) {
	return &identity.Account{ID: "acc-zoe", Email: "zoe@example.net", Confirmed: true, Locale: "en"}, nil
}

func (oneMember) GetActor(_ context.Context, id string) (*identity.Actor, error) {
	if id == "rita" {
		return &identity.Actor{ID: "rita", DisplayName: "Rita", Username: "rita", Domain: "far.example"}, nil
	}
	return nil, identity.ErrNotFound
}

func (oneMember) DiscussionMailRecipients(context.Context, string, int) ([]string, error) {
	return []string{"zoe"}, nil
}

// committed is a transaction that has committed: it runs functions at
// once.
type committed struct{}

func (committed) InTx(ctx context.Context, fn func(storage.Tx) error) error { return fn(committed{}) }
func (committed) AfterCommit(fn func())                                     { fn() }

func ExampleNotifier_GroupChanged() {
	outbox := mailtest.New()
	store := oneMember{}
	n, err := notify.New(notify.Config{Mail: outbox, Identity: store, Events: store, Groups: store,
		BaseURL: "https://events.example", InstanceName: "Events Example"})
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = n.Run(ctx) }()

	// groups.Service tells its Hook (the Notifier) of a reply from
	// another instance, inside the transaction that stores it.
	g := &groups.Group{Actor: identity.Actor{ID: "g1", DisplayName: "Repair Café"}}
	d := &groups.Discussion{ID: "d1", GroupID: "g1", Title: "Budget 2026"}
	c := &groups.Comment{ID: "c2", DiscussionID: "d1", GroupID: "g1", AuthorID: "rita",
		Text: "<p>Count me <em>in</em>!</p>"}
	err = n.GroupChanged(ctx, committed{}, groups.Change{Kind: groups.CommentCreated, ActorID: "rita",
		Group: g, Discussion: d, Comment: c})
	if err != nil {
		panic(err)
	}
	ms, err := outbox.Wait(ctx, 1)
	if err != nil {
		panic(err)
	}
	fmt.Println("To:", ms[0].To)
	fmt.Println("Subject:", ms[0].Subject)
	fmt.Print(ms[0].Text[:strings.Index(ms[0].Text, "-- ")])
	// Output:
	// To: zoe@example.net
	// Subject: [Repair Café] Re: Budget 2026
	// Hello Zoé,
	//
	// Rita (@rita@far.example) replied in the discussion “Budget 2026” of the
	// group Repair Café:
	//
	// ----
	// Count me in!
	// ----
	//
	// To read the discussion and reply, open this link:
	//
	// https://events.example/groups/g1/discussions/d1
	//
	// You get this email because you asked for the new messages of this
	// group’s discussions. To stop them, open the group’s discussions and
	// choose “Stop emailing me”:
	//
	// https://events.example/groups/g1/discussions
}
