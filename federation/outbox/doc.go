// Package outbox turns local changes into deliveries, in the same
// transaction: it is the events.Hook and groups.Hook of an instance
// (convene.Config.EventHook and GroupHook). For each change it builds the
// activity with federation/wire, expands the followers and members
// collections to remote inboxes with delivery.Inboxes (shared inbox
// preferred, deduplicated, never Public, never this instance) and
// Enqueues it on the change's own transaction through
// storage.As[delivery.Queue](tx). A crash between the domain write and
// the queueing is impossible, and an error here (a backend without a
// queue, an invalid activity) rolls the change back.
//
// Every read (actors, followers, members) goes through the transaction's
// own contracts (storage.As[identity.Store](tx), groups.Store), so it sees
// the transaction's state.
//
// # Events
//
// Only local events that are published (not drafts) and public or
// unlisted federate; private events of a group go to the group's remote
// members only, and private events of a profile do not federate at all
// (their audience is the participants, whom followers are not). Remote
// events (Local false) produce nothing.
//
//   - EventCreated: Create{Event}, id <event>/activity.
//   - EventUpdated: Update{Event}, id <event>/updates/<sequence>. When
//     the update publishes a draft it is a Create instead (id
//     <event>/activity/<sequence>); events.Change.Published marks it. An
//     update that turns a published event back into a draft sends
//     nothing.
//   - EventDeleted: Delete{Tombstone}, id <event>/delete.
//
// The recipients are the accepted remote followers of the organizer (the
// profile, or the group) and, for group events, the group's remote
// members, at most MaxRecipients actors. The activity's actor, whose key
// signs the POSTs, is the organizer for a profile's event; for a group
// event it is the local profile that acted (wire's builders: the creator
// for a Create), attributedTo the group.
//
// # Participation
//
// ParticipantAdded and ParticipantChanged of a REMOTE actor on a local
// event are answered to the participant's inbox: Accept{Join} when the
// participation becomes accepted (participant, moderator, creator: a
// free join, an approval, a promotion from the waitlist), Reject{Join}
// when it becomes rejected. Waitlisted and pending participations get
// nothing until they change (as Mobilizon). The actor is the local
// profile that approved or rejected, else the organizer (the group for a
// group event). Joins that store nothing (refused, ignored) fire no hook:
// federation/inbox answers those itself. Local participants of remote
// events (sending Join and Leave) are out of scope.
//
// # Groups
//
// MemberChanged of a remote actor on a local group: an admission (a join
// of an open group, an approved request) is Accept{Member}, by the group
// for a join, by the approving moderator otherwise; a refused request is
// Reject; an invitation is Invite, by the inviter. Each goes to the
// member's inbox. Role changes, removals and group create/update/delete
// are not federated yet.
//
// # Inbox answers
//
// Some answers follow changes that fire no hook: a remote Follow
// accepted at once (identity has no hook), and a remote Join that stored
// nothing (refused, or ignored because the event takes no joins).
// [Outbox.Answers] gives the inbox.Answers that queue Accept{Follow},
// Reject{Join} and Ignore, each in a transaction of its own after the
// inbox's change; it leaves accepted, waitlisted and pending joins to
// EventChanged, so that nothing is answered twice.
//
// # Signers
//
// delivery.Activity.ActorID is the ActivityPub id (identity.Actor.APID) of
// the local actor whose key signs: the worker's Signers resolve it with
// identity.Store.GetActorByAPID, and its keyId is the actor's PublicKeyID.
package outbox
