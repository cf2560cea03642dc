package groups

// Permission is something a member may or may not do in a group.
type Permission string

// Permissions on the group's objects (events, discussions and their
// comments, posts, resources, todo lists and todos: access, create,
// update, delete) and on its membership.
const (
	PermEventAccess      Permission = "event.access" // see the group's private events
	PermEventAccessDraft Permission = "event.access_draft"
	PermEventCreate      Permission = "event.create"
	PermEventUpdate      Permission = "event.update"
	PermEventDelete      Permission = "event.delete"
	PermEventModerate    Permission = "event.moderate" // approve participants, moderate comments

	PermPostAccess Permission = "post.access" // members-only posts
	PermPostCreate Permission = "post.create"
	PermPostUpdate Permission = "post.update"
	PermPostDelete Permission = "post.delete"

	PermDiscussionAccess Permission = "discussion.access"
	PermDiscussionCreate Permission = "discussion.create"
	PermDiscussionUpdate Permission = "discussion.update"
	PermDiscussionDelete Permission = "discussion.delete"

	PermCommentAccess Permission = "comment.access"
	PermCommentCreate Permission = "comment.create"
	PermCommentUpdate Permission = "comment.update" // anyone's; authors edit their own regardless
	PermCommentDelete Permission = "comment.delete" // anyone's; authors delete their own regardless

	PermResourceAccess Permission = "resource.access"
	PermResourceCreate Permission = "resource.create"
	PermResourceUpdate Permission = "resource.update"
	PermResourceDelete Permission = "resource.delete"

	PermTodoListAccess Permission = "todo_list.access"
	PermTodoListCreate Permission = "todo_list.create"
	PermTodoListUpdate Permission = "todo_list.update"
	PermTodoListDelete Permission = "todo_list.delete"

	PermTodoAccess Permission = "todo.access"
	PermTodoCreate Permission = "todo.create"
	PermTodoUpdate Permission = "todo.update" // includes marking done and assigning
	PermTodoDelete Permission = "todo.delete"

	// There is no group.create: creating a group needs no membership,
	// any local profile may (Service.Create).
	PermGroupAccess Permission = "group.access" // see a private group and its members
	PermGroupUpdate Permission = "group.update"
	PermGroupDelete Permission = "group.delete"

	PermMemberInvite     Permission = "member.invite"
	PermMemberApprove    Permission = "member.approve" // approve or reject join requests
	PermMemberRemove     Permission = "member.remove"  // remove someone of a lower role
	PermMemberChangeRole Permission = "member.change_role"
)

// level orders the roles that are members; the others are 0.
func level(r Role) int {
	switch r {
	case RoleCreator:
		return 4
	case RoleAdministrator:
		return 3
	case RoleModerator:
		return 2
	case RoleMember:
		return 1
	}
	return 0
}

// IsMember reports whether a role is one of the four member roles.
func IsMember(r Role) bool { return level(r) > 0 }

// minimum is the permission matrix (the table is in Can's doc): the
// least role that has each permission.
func minimum(p Permission) (Role, bool) {
	switch p {
	case PermEventAccess, PermPostAccess, PermDiscussionAccess, PermDiscussionCreate,
		PermCommentAccess, PermCommentCreate,
		PermResourceAccess, PermResourceCreate, PermResourceUpdate, PermResourceDelete,
		PermTodoListAccess, PermTodoListCreate, PermTodoListUpdate, PermTodoListDelete,
		PermTodoAccess, PermTodoCreate, PermTodoUpdate, PermTodoDelete, PermGroupAccess:
		return RoleMember, true
	case PermEventAccessDraft, PermEventCreate, PermEventUpdate, PermEventDelete, PermEventModerate,
		PermPostCreate, PermPostUpdate, PermPostDelete, PermDiscussionUpdate, PermDiscussionDelete,
		PermCommentUpdate, PermCommentDelete, PermMemberApprove, PermMemberRemove:
		return RoleModerator, true
	case PermGroupUpdate, PermGroupDelete, PermMemberInvite, PermMemberChangeRole:
		return RoleAdministrator, true
	}
	return "", false
}

// Can reports whether a member with role may do p. It is the group
// permission matrix, and the only place that decides it.
//
// Roles rank creator > administrator > moderator > member, and each has
// every permission of the roles below it. invited, not_approved and
// rejected are not memberships and can do nothing; neither can "" (no
// membership) or an unknown role. An unknown permission is refused.
//
// The least role that may do each thing:
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
// This is Mobilizon's matrix (its types/*.ex permissions/1) with these
// deliberate differences:
//
//   - * Comments: Mobilizon lets only administrators update or delete
//     other people's comments; here moderators may, since moderating
//     comments is their job. The author of a comment may always edit and
//     delete their own: that rule is about authorship, not roles, so it
//     lives with comments (events.Service), outside this matrix.
//   - Inviting needs an administrator. Mobilizon also accepts an Invite
//     from any actor on the group's own domain (WIRE.md §2.6); that is a
//     federation origin rule, not a role, and we do not copy it.
//   - Changing roles needs an administrator. Mobilizon's inbound Update
//     of a Member accepts a moderator (WIRE.md §2.6), which would let a
//     moderator make themselves an administrator.
//   - Removal goes strictly downwards on top of PermMemberRemove: nobody
//     removes someone whose role is as high as their own (Service.Remove).
//
// Resources, todo lists and todos share one row in Mobilizon; they are
// separate permissions here so that they can diverge without renaming.
func Can(role Role, p Permission) bool {
	least, ok := minimum(p)
	return ok && level(role) > 0 && level(role) >= level(least)
}

// Permissions returns every permission, in a stable order.
func Permissions() []Permission {
	return []Permission{
		PermEventAccess, PermEventAccessDraft, PermEventCreate, PermEventUpdate, PermEventDelete, PermEventModerate,
		PermPostAccess, PermPostCreate, PermPostUpdate, PermPostDelete,
		PermDiscussionAccess, PermDiscussionCreate, PermDiscussionUpdate, PermDiscussionDelete,
		PermCommentAccess, PermCommentCreate, PermCommentUpdate, PermCommentDelete,
		PermResourceAccess, PermResourceCreate, PermResourceUpdate, PermResourceDelete,
		PermTodoListAccess, PermTodoListCreate, PermTodoListUpdate, PermTodoListDelete,
		PermTodoAccess, PermTodoCreate, PermTodoUpdate, PermTodoDelete,
		PermGroupAccess, PermGroupUpdate, PermGroupDelete,
		PermMemberInvite, PermMemberApprove, PermMemberRemove, PermMemberChangeRole,
	}
}
