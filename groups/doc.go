// Package groups holds group actors, their memberships and the rules
// between them: who becomes a member how (open, moderated and
// invite-only groups; join requests, invitations, approval and
// rejection), who may leave or be removed (the last administrator stays),
// who may change roles, and the permission matrix (see Can) that decides
// what each role may do to the group's events, posts, discussions,
// comments, resources and todos.
//
// Roles, from most to least powerful: creator, administrator, moderator,
// member. invited, not_approved and rejected are memberships on the way
// in or refused; they grant nothing. The creator counts as an
// administrator everywhere, and its own role never changes.
//
// Every operation runs in one transaction under the group's lock
// (Store.LockGroup), so the rules that count administrators hold when
// several requests arrive at once, and a refused operation changes
// nothing. A Hook learns of each change inside that transaction: the
// federation outbox uses it to send Accept, Reject, Invite, Update and
// Remove activities.
//
// Discussions, resources, posts and todos arrive in a later version; the
// matrix already covers them.
package groups
