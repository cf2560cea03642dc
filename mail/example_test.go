package mail_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"codeberg.org/convene/convene/mail"
)

// Without an SMTP server, an instance writes its mail into a file
// outbox that the admin pages list and read.
func ExampleNewFileOutbox() {
	dir, err := os.MkdirTemp("", "outbox")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	now := func() time.Time { return time.Date(2026, 3, 14, 9, 30, 0, 0, time.UTC) }
	outbox, err := mail.NewFileOutbox(dir, now)
	if err != nil {
		panic(err)
	}
	var sender mail.Sender = outbox // or mail.NewSMTP(mail.SMTPConfig{URL: ...})
	err = sender.Send(context.Background(), mail.Message{To: "zoe@example.net", Subject: "Réinitialisez votre mot de passe",
		Text: "Ouvrez ce lien : https://events.example/reset/T\n", Kind: "account.password_reset"})
	if err != nil {
		panic(err)
	}
	list, err := outbox.List(context.Background(), 10)
	if err != nil {
		panic(err)
	}
	for _, e := range list {
		fmt.Println(e.Time.Format(time.RFC3339), e.Kind, e.To, e.Subject)
	}
	m, err := outbox.Read(list[0].Name)
	if err != nil {
		panic(err)
	}
	fmt.Print(m.Text)
	// Output:
	// 2026-03-14T09:30:00Z account.password_reset <zoe@example.net> Réinitialisez votre mot de passe
	// Ouvrez ce lien : https://events.example/reset/T
}
