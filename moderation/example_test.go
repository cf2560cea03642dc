package moderation_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/sqlite"
)

// flagLogger stands for the federation outbox: it would queue a Flag.
type flagLogger struct{}

func (flagLogger) ReportFiled(_ context.Context, _ storage.Tx, r moderation.Report) error {
	if r.Forwarded {
		fmt.Println("forward a Flag about", r.ContentIRIs, "saying", r.Comment)
	}
	return nil
}

// suspender stands for the service that suspends actors.
type suspender struct{}

func (suspender) SuspendActor(_ context.Context, actorID string, suspended bool) error {
	fmt.Println("suspended", actorID, suspended)
	return nil
}

// Example shows a person reporting a remote comment, which is forwarded
// to its instance, and a moderator suspending its author and resolving
// the report.
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
	clock := func() time.Time { return now }

	ident, _ := identity.New(identity.Config{Store: db, BaseURL: "https://events.example", Now: clock})
	svc, _ := moderation.New(moderation.Config{Store: db, Identity: ident, Hook: flagLogger{},
		Suspender: suspender{}, Now: clock})

	// Accounts, profiles and remote content normally come from the
	// identity and events services and the inbox; here they are stored
	// directly.
	for _, a := range []struct {
		id   string
		role identity.Role
	}{{"ann", identity.RoleUser}, {"mod", identity.RoleModerator}} {
		_ = db.CreateAccount(ctx, &identity.Account{ID: a.id, Email: a.id + "@events.example", Confirmed: true, Role: a.role})
		_ = db.CreateProfile(ctx, &identity.Profile{AccountID: a.id, Actor: identity.Actor{ID: a.id + "-profile",
			APID: "https://events.example/@" + a.id, Type: identity.TypePerson, Local: true, Username: a.id,
			Domain: "events.example"}})
	}
	_ = db.CreateActor(ctx, &identity.Actor{ID: "spammer", APID: "https://remote.example/@spammer",
		Type: identity.TypePerson, Username: "spammer", Domain: "remote.example"})
	_ = db.CreateEvent(ctx, &events.Event{ID: "e1", APID: "https://events.example/events/e1", Local: true,
		OrganizerID: "ann-profile", Title: "Picnic", BeginsAt: now, EndsAt: now.Add(time.Hour)})
	_ = db.CreateComment(ctx, &events.Comment{ID: "c1", APID: "https://remote.example/comments/1", EventID: "e1",
		AuthorID: "spammer", Text: "Buy now!", State: events.CommentPublished})

	report, err := svc.File(ctx, "ann", "ann-profile", moderation.ReportInput{
		Target:  moderation.Target{Kind: moderation.TargetComment, ID: "c1"},
		Comment: "Advertising",
	})
	if err != nil {
		panic(err)
	}
	queue, _, _ := svc.Reports(ctx, "mod", moderation.ReportFilter{Status: moderation.StatusOpen})
	fmt.Println("open reports:", len(queue))
	_, _ = svc.AddNote(ctx, "mod", report.ID, "Same account spammed last week.")
	_, _ = svc.Act(ctx, "mod", moderation.ActionInput{Kind: moderation.ActionSuspend, ReportID: report.ID})
	now = now.Add(time.Minute)
	_, _ = svc.Act(ctx, "mod", moderation.ActionInput{Kind: moderation.ActionResolve, ReportID: report.ID})
	log, _, _ := svc.Log(ctx, "mod", moderation.LogFilter{ReportID: report.ID})
	for _, a := range log {
		fmt.Println("log:", a.Kind, a.Target.Kind, a.Target.ID)
	}
	_, _, err = svc.Reports(ctx, "ann", moderation.ReportFilter{})
	fmt.Println(err)
	// Output:
	// forward a Flag about [https://remote.example/comments/1] saying Advertising
	// open reports: 1
	// suspended spammer true
	// log: suspend actor spammer
	// log: resolve comment c1
	// moderation: reports: moderation: forbidden: only admins and moderators moderate
}
