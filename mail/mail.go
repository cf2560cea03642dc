// Package mail sends the instance's email: account confirmation,
// password reset, participation and event notices, reminders and
// invitations. A Sender delivers a Message; the SMTP sender is used when
// the instance has an SMTP server, the file outbox otherwise (the admin
// pages show it).
package mail

import "context"

// Message is one email. Text is the plain-text body, always present;
// HTML is optional. Attachments carry, for instance, the .ics of an
// event.
type Message struct {
	To          string // one address
	Subject     string
	Text        string
	HTML        string
	Attachments []Attachment
	// Kind names the message for logs and the admin's mail log
	// ("account.confirm", "event.updated"...).
	Kind string
	// ListUnsubscribe is an optional http(s) URL that stops this kind of
	// mail in one click (RFC 8058). When set, the message carries the
	// headers "List-Unsubscribe: <URL>" and "List-Unsubscribe-Post:
	// List-Unsubscribe=One-Click": mail clients show an unsubscribe
	// button that POSTs "List-Unsubscribe=One-Click" to the URL, without
	// cookies. The URL must be absolute http or https, printable ASCII
	// (no space, no line break, no "<" or ">"), at most
	// MaxListUnsubscribeBytes; anything else is refused (ErrInvalid).
	ListUnsubscribe string
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Name        string // file name, e.g. "event.ics"
	ContentType string // e.g. "text/calendar; charset=utf-8; method=PUBLISH"
	Data        []byte
}

// Sender delivers messages.
type Sender interface {
	Send(ctx context.Context, m Message) error
}
