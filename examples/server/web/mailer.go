package web

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
)

// ConfirmationMailer sends the link that confirms a new account's email
// address.
type ConfirmationMailer interface {
	SendConfirmation(ctx context.Context, acct *identity.Account, link string) error
}

// ResetMailer sends the link that lets someone choose a new password.
type ResetMailer interface {
	SendPasswordReset(ctx context.Context, acct *identity.Account, link string) error
}

// TextMailer implements ConfirmationMailer and ResetMailer with short
// plain-text messages through a mail.Sender, in the account's language
// (English or French).
type TextMailer struct {
	Sender mail.Sender
	// Name is the instance's name in subjects.
	Name string
}

// NewTextMailer returns a TextMailer; it refuses a nil Sender.
func NewTextMailer(sender mail.Sender, name string) (*TextMailer, error) {
	if sender == nil {
		return nil, errors.New("web: NewTextMailer: a mail.Sender is required")
	}
	return &TextMailer{Sender: sender, Name: name}, nil
}

// SendConfirmation mails the confirmation link.
func (m *TextMailer) SendConfirmation(ctx context.Context, acct *identity.Account, link string) error {
	return m.send(ctx, acct, "account.confirm", "mail.confirm", link)
}

// SendPasswordReset mails the reset link.
func (m *TextMailer) SendPasswordReset(ctx context.Context, acct *identity.Account, link string) error {
	return m.send(ctx, acct, "account.reset", "mail.reset", link)
}

func (m *TextMailer) send(ctx context.Context, acct *identity.Account, kind, key, link string) error {
	lang := supported(acct.Locale)
	if lang == "" {
		lang = DefaultLang
	}
	return m.Sender.Send(ctx, mail.Message{
		To:      acct.Email,
		Subject: translate(lang, key+".subject", m.Name),
		Text:    translate(lang, key+".body", m.Name, link),
		Kind:    kind,
	})
}
