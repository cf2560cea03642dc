package notify_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail/mailtest"
	"codeberg.org/convene/convene/notify"
	"codeberg.org/convene/convene/storage"
)

// noStore stands for the storage backend (sqlite.DB or postgres.DB),
// which an instance passes as both Identity and Events.
type noStore struct{}

func (noStore) GetProfile(context.Context, string) (*identity.Profile, error) {
	return nil, identity.ErrNotFound
}
func (noStore) GetAccount(context.Context, string) (*identity.Account, error) {
	return nil, identity.ErrNotFound
}
func (noStore) GetActor(context.Context, string) (*identity.Actor, error) {
	return nil, identity.ErrNotFound
}
func (noStore) FindEvents(context.Context, events.StoreQuery) ([]events.Event, error) {
	return nil, nil
}
func (noStore) FindSeries(context.Context, events.StoreQuery) ([]events.Event, error) {
	return nil, nil
}
func (noStore) ListParticipants(context.Context, string, []events.ParticipantRole, storage.Cursor, int) ([]events.Participant, error) {
	return nil, nil
}

func ExampleNotifier_AnonymousConfirmation() {
	outbox := mailtest.New()
	n, err := notify.New(notify.Config{Mail: outbox, Identity: noStore{}, Events: noStore{},
		BaseURL: "https://events.example", InstanceName: "Events Example"})
	if err != nil {
		panic(err)
	}
	begins := time.Date(2026, 3, 14, 13, 0, 0, 0, time.UTC)
	e := &events.Event{Title: "Repair Café", URL: "https://events.example/events/ev1",
		BeginsAt: begins, EndsAt: begins.Add(4 * time.Hour), TimeZone: "Europe/Paris"}
	p := &events.Participant{Email: "zoe@example.net", Locale: "fr"}
	err = n.AnonymousConfirmation(context.Background(), p, e,
		"https://events.example/participation/confirm/T1", "https://events.example/participation/cancel/T2")
	if err != nil {
		panic(err)
	}
	m := outbox.Messages()[0]
	fmt.Println("To:", m.To)
	fmt.Println("Subject:", m.Subject)
	fmt.Println("Kind:", m.Kind)
	// (The signature separator is "-- " with a space, which an Output
	// comment cannot show: trailing spaces are trimmed here.)
	for _, line := range strings.Split(strings.TrimSuffix(m.Text, "\n"), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// To: zoe@example.net
	// Subject: Confirmez votre participation à « Repair Café »
	// Kind: participation.confirm
	// Bonjour,
	//
	// Vous avez demandé à participer, sans compte, à cet événement sur Events Example :
	//
	//   Repair Café
	//   Quand : samedi 14 mars 2026, 14:00–18:00 (Europe/Paris)
	//   https://events.example/events/ev1
	//
	// Pour confirmer votre participation, ouvrez ce lien :
	//
	// https://events.example/participation/confirm/T1
	//
	// Gardez ce message : pour annuler votre participation plus tard, ouvrez ce lien :
	//
	// https://events.example/participation/cancel/T2
	//
	// Si vous n’avez rien demandé, ignorez ce message : vous ne serez pas inscrit·e.
	//
	// --
	// Events Example
	// https://events.example
}
