// Package moderation is the instance's moderation: reports about
// profiles, groups, events, comments and the messages of groups'
// discussions, the moderation queue with
// moderators' notes, moderation actions and their log, and the
// instance's rules page.
//
// # Reports
//
// Anyone signed in files a report through one of their profiles
// (Service.File): a target (an actor, a group, an event, a comment or a
// discussion message) and an optional plain-text comment. A profile cannot report itself or
// its own content, nor the same target twice while its first report is
// open. A report about a remote target is marked Forwarded, and the Hook
// (the federation outbox) forwards it, inside the report's transaction,
// to the target's instance as a Flag from the instance actor: the
// reporter's identity is never federated. Flags from other instances
// become remote reports (Service.ReceiveFlag), reported by the actor
// that sent them.
//
// # The queue, notes, actions and the log
//
// Only accounts with role admin or moderator, not suspended, see the
// queue (Service.Reports, oldest first, filtered by status and cursor
// paged), write notes (Service.AddNote) and act (Service.Act): hide or
// show an event, a comment or a discussion message, suspend or restore an actor or a group,
// local or remote (for a remote one this suspends what it sent here),
// suspend the account behind a local profile, and resolve, dismiss or
// reopen a report. Every action is logged: who, what, which target,
// when, about which report (Service.Log). Nobody suspends themselves;
// only admins suspend admins and moderators.
//
// The changes themselves belong to other services, reached through
// interfaces declared here: Identity (identity.Service: roles and
// account suspension), Suspender (actors) and ContentHider (events,
// comments and discussion messages). They run outside the moderation transaction, before the
// log entry is written, and are idempotent; a failure to log after a
// change is reported and the moderator acts again.
//
// # Rules
//
// The rules page is plain text that anyone reads (Service.Rules) and
// admins set (Service.SetRules), kept as an instance setting.
//
// Every bad input is an error and changes nothing: a *ValidationError
// naming the field (matching ErrInvalid), ErrForbidden, ErrNotFound,
// ErrAlreadyReported, ErrStatus, ErrTooManyNotes or ErrUnsupported.
package moderation
