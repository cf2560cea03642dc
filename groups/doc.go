// Package groups holds group actors, their memberships and the rules
// between them: who becomes a member how (open, moderated and
// invite-only groups; join requests, invitations, approval and
// rejection), who may leave or be removed (the last administrator stays),
// who may change roles, and the permission matrix (Can) that decides
// what each role may do to the group's events, posts, discussions,
// comments, resources, todo lists and todos.
//
// # Roles
//
// From most to least powerful: creator, administrator, moderator,
// member; each has every permission of those below it. invited,
// not_approved and rejected are memberships on the way in, or refused;
// they grant nothing. The creator counts as an administrator in every
// rule, and nobody changes the creator's role.
//
// # Permission matrix
//
// The least role that may do each thing (Can; the deviations from
// Mobilizon are listed there):
//
//	object        access     create      update         delete
//	event         member     moderator   moderator      moderator
//	  drafts      moderator  (PermEventAccessDraft)
//	  moderation  moderator  (PermEventModerate: approve/reject participants, moderate comments)
//	post          member     moderator   moderator      moderator
//	discussion    member     member      moderator      moderator
//	comment       member     member      moderator*     moderator*
//	resource      member     member      member         member
//	todo list     member     member      member         member
//	todo          member     member      member         member
//	group         member     —           administrator  administrator
//
//	membership    invite: administrator    approve/reject requests: moderator
//	              remove: moderator        change roles: administrator
//
// * other people's comments; authors always edit and delete their own,
// a rule outside the matrix. Any local profile may create a group.
// Other services ask through Service.Authorize (events does, for events
// a group organizes).
//
// # Workflows
//
// What each operation does to the target's membership ("none" is no
// membership). The acting member's permission is checked first
// (ErrForbidden), and Leave, Remove and ChangeRole never take away the
// last administrator, creator included (ErrLastAdministrator).
//
//	operation          target before                  after         otherwise
//	Join               none, open group               member
//	                   none, moderated group          not_approved
//	                   none, invite-only group        -             ErrForbidden
//	                   invited                        member
//	                   rejected                       -             ErrForbidden
//	                   member roles, not_approved     -             ErrAlreadyMember
//	Approve            not_approved                   member        ErrNotMember
//	Reject             not_approved                   rejected      ErrNotMember
//	Invite             none, not_approved, rejected   invited       ErrAlreadyMember
//	AcceptInvitation   invited                        member        ErrNotMember
//	DeclineInvitation  invited                        none          ErrNotMember
//	Leave              member roles, not_approved     none          ErrNotMember
//	Remove             any role below the remover's   none          ErrForbidden
//	ChangeRole         administrator, moderator,      the new role  creator: ErrForbidden,
//	                   member                                       others: ErrNotMember
//
// Someone rejected cannot ask again by themselves (Join is ErrForbidden),
// so a refused request cannot be repeated to pester the moderators; an
// administrator may still invite them, and Remove clears the rejection.
// Leave from not_approved withdraws the request.
//
// Every operation runs in one transaction under the group's lock
// (Store.LockGroup), so the rules that count administrators hold when
// several requests arrive at once, and a refused operation changes
// nothing. A Hook learns of each change inside that transaction: the
// federation outbox uses it to send Accept, Reject, Invite, Update and
// Remove activities.
//
// # Content
//
// A group's members organize themselves with discussions (a titled
// thread of flat messages, with a read marker per member), resources
// (links to the tools they use, with kinds pad, calc, visio, link and
// picture, in folders at most MaxFolderDepth deep; a link's title,
// summary and image come from the page's Open Graph metadata through
// Config.Previewer), posts (announcements, public, unlisted or members
// only, drafts until published) and todo lists (todos with a status, a
// due date and an assignee among the members). Each operation checks
// the matrix above; authors also rename their own discussions and edit
// and delete their own messages while they are members. Every change
// runs in one transaction under the group's lock and reaches the Hook
// as a Change that carries the object, so the outbox federates it and
// notifications can go out.
//
// A local member may ask for an email for every new message of the
// group's discussions (Service.SetDiscussionMail; package notify sends
// them). The choice is private, neither federated nor a Change, and kept
// by a NotifyStore, which a Store may implement next to its contract.
//
// The instance's moderators may hide a discussion message
// (Service.HideComment, called by package moderation): it keeps its
// place, and Service.Comments lists it with Hidden set and without its
// text, to every reader, until they show it again. It is a local
// decision: neither federated nor a Change.
//
// Local content gets an ActivityPub id under the base URL:
// /discussions/{id} (its messages /discussions/{id}/comments/{id}),
// /resource/{id}, /p/{id}, /todo-lists/{id} and /todos/{id}. Content of
// other instances keeps its own (Remote.APID) and has Local false. A
// remote member of a local group acts through the same methods, checked
// by the same matrix. A remote group's own actor may act on its
// content (the inbox has verified that the group sent or announced the
// activity, FEP-1b12), naming the author in Remote.AuthorID, since that
// group, not this instance, knows its members.
//
// Lists are in creation order, oldest first, paged by storage.Cursor.
package groups
