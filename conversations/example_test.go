package conversations_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
)

// outboxLogger stands for the federation outbox and the notifier: it
// would address a Note to the recipients and mail the local ones.
type outboxLogger struct{}

func (outboxLogger) ConversationChanged(_ context.Context, _ storage.Tx, c conversations.Change) error {
	fmt.Printf("%s wrote %q to %v (announcement: %v)\n", c.Message.AuthorID, c.Message.Text, c.Recipients,
		c.Message.Announcement)
	return nil
}

// Example shows a participant asking an event's organizers a question,
// a co-organizer answering, and an announcement to every participant.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	defer db.Close()
	now := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	svc, err := conversations.New(conversations.Config{Store: db, BaseURL: "https://events.example",
		Hook: outboxLogger{}, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}

	// Profiles, the event and the participations normally come from the
	// identity and events services; here they are stored directly.
	for _, name := range []string{"ann", "bob", "cem", "dan"} {
		_ = db.CreateActor(ctx, &identity.Actor{ID: name, APID: "https://events.example/@" + name,
			Type: identity.TypePerson, Local: true, Username: name, Domain: "events.example"})
	}
	_ = db.CreateEvent(ctx, &events.Event{ID: "picnic", APID: "https://events.example/events/picnic", Local: true,
		OrganizerID: "ann", Title: "Picnic", BeginsAt: now.Add(48 * time.Hour), EndsAt: now.Add(50 * time.Hour)})
	for i, p := range []struct {
		actor string
		role  events.ParticipantRole
	}{{"ann", events.RoleCreator}, {"bob", events.RoleModerator}, {"cem", events.RoleParticipant},
		{"dan", events.RoleParticipant}} {
		_ = db.CreateParticipant(ctx, &events.Participant{ID: fmt.Sprint("p", i), EventID: "picnic",
			ActorID: p.actor, Role: p.role, CreatedAt: now.Add(time.Duration(i) * time.Second)})
	}

	c, _, err := svc.WriteToOrganizers(ctx, "cem", "picnic", "<p>Can I bring my dog?</p>")
	if err != nil {
		panic(err)
	}
	now = now.Add(time.Minute)
	if _, err := svc.Reply(ctx, "bob", c.ID, "<p>Of course!</p>"); err != nil {
		panic(err)
	}
	now = now.Add(time.Minute)
	n, err := svc.Announce(ctx, "ann", "picnic", "<p>Bring a blanket.</p>", nil)
	fmt.Println("announced to", n, err)

	msgs, _, _ := svc.Messages(ctx, "cem", c.ID, storage.Cursor{}, 0)
	for _, m := range msgs {
		fmt.Println(m.AuthorID+":", m.Text)
	}
	_, _, err = svc.Conversation(ctx, "dan", c.ID)
	fmt.Println("dan:", err)
	// Output:
	// cem wrote "<p>Can I bring my dog?</p>" to [ann bob] (announcement: false)
	// bob wrote "<p>Of course!</p>" to [cem] (announcement: false)
	// ann wrote "<p>Bring a blanket.</p>" to [cem] (announcement: true)
	// ann wrote "<p>Bring a blanket.</p>" to [dan] (announcement: true)
	// announced to 2 <nil>
	// cem: <p>Can I bring my dog?</p>
	// bob: <p>Of course!</p>
	// ann: <p>Bring a blanket.</p>
	// dan: conversations: conversation: storage: not found
}
