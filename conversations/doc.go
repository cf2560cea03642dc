// Package conversations is private correspondence about an event between
// one of its participants and its organizers: questions from people who
// take part or ask to, answers, and announcements an organizer sends to
// every participant at once (Mobilizon's event announcements).
//
// # Threads
//
// A Conversation is about one event and one participant actor (a local
// profile or a remote actor), with the event's organizers on the other
// side; there is at most one per event and participant, made by its
// first message. Messages are sanitized HTML, flat, in time order, never
// edited. The organizers are defined once, by Service.IsOrganizer: the
// organizing actor (a profile, or the group), the participations of role
// creator or moderator, and for a group's event the group's members whom
// the group's matrix lets moderate its events (moderator and above);
// for a remote group's event, also any remote actor of the group's host,
// which knows roles we do not.
//
// # Federation
//
// Package federation/outbox sends each message written here to its
// remote recipients as a Create of a Note addressed to them only and
// mentioning them, inReplyTo the event, with the conversation as its
// context (WIRE.md §2.7); federation/inbox hands such Notes to
// Service.Receive, found by the message they answer (a Mastodon reply),
// by our conversation's IRI, or by the event and the local side.
//
// # Who writes
//
//   - The participant side (Service.WriteToOrganizers, Service.Reply)
//     must take part in the event: any participation role but rejected,
//     so pending applicants and waitlisted people may ask. An organizer
//     is never on the participant side.
//   - The organizer side (Service.WriteToParticipant, Service.Announce,
//     Service.Reply) must organize the event, and the participant must
//     take part. A conversation whose participant left or was rejected
//     stays readable by both sides and takes no new message
//     (ErrNotParticipating).
//   - The author of a local write must be a local actor (ErrForbidden):
//     remote actors' messages arrive through Service.Receive.
//   - Service.Announce writes one message, marked Announcement, in the
//     conversation of each participant of the chosen roles, in one
//     transaction, for at most MaxAnnounceRecipients participants.
//   - Service.Receive stores a message from another instance with the
//     same rules, when it has a local side: a remote participant writing
//     to the organizers of a local event, or a remote organizer writing
//     to a local participant. It is idempotent on the message's APID.
//
// # Who reads
//
// A conversation is read by its participant (always, even after leaving)
// and by the event's current organizers: Service.Conversation,
// Service.Messages, Service.MyConversations (participant side) and
// Service.EventConversations (organizer side). Anyone else is told
// ErrNotFound, as for a conversation that does not exist. Private and
// draft events are "not found" as well to outsiders who try to write.
//
// # Unread
//
// Each reader has a private read marker per conversation: the time of
// the newest message read (Service.MarkRead). A conversation is unread
// for a viewer (Service.Unread) when its newest message is after the
// viewer's marker; writing a message marks the conversation read for
// its author, so one's own message never makes it unread.
// Service.UnreadCount counts a participant's unread conversations in
// one query.
//
// # Federation and mail
//
// The Hook (the federation outbox, the notifier) is told of every new
// message inside the transaction that stores it, with the recipients'
// actor ids (Change.Recipients): for a message from the participant, the
// organizers; for one from an organizer, the participant. On the wire a
// message is a Note addressed only to its recipients (WIRE.md §2.7
// "Private message"), with id Message.APID and context
// Conversation.APID.
//
// Addresses: a conversation is BaseURL/conversations/{id}, a local
// message BaseURL/conversations/{conversation id}/messages/{id}.
//
// Every bad input is an error and changes nothing: a *ValidationError
// naming the field (matching ErrInvalid), ErrNotFound, ErrForbidden,
// ErrNotParticipating, ErrTooManyRecipients or storage.ErrConflict.
package conversations
