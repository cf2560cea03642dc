package groups

// Permission is something a member may or may not do in a group.
type Permission string

// Permissions on the group's objects (access, create, update, delete)
// and on its membership. Discussions, posts, resources and todos come in
// a later version; their permissions are fixed now so that the matrix
// does not change under them.
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

	PermTodoAccess Permission = "todo.access" // todo lists and todos
	PermTodoCreate Permission = "todo.create"
	PermTodoUpdate Permission = "todo.update"
	PermTodoDelete Permission = "todo.delete"

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

// minimum is the permission matrix: the least role that has each
// permission. It is Mobilizon's (WIRE.md §2.11) with two deliberate
// changes: moderators, not only administrators, update and delete
// other members' comments (moderating comments is what moderators are
// for), and inviting needs an administrator as Mobilizon's web client
// does (its federation code also lets same-host actors invite).
//
//	object              access     create      update         delete
//	event               member     moderator   moderator      moderator   (drafts and moderation: moderator)
//	post                member     moderator   moderator      moderator
//	discussion          member     member      moderator      moderator
//	comment             member     member      moderator      moderator
//	resource, todo      member     member      member         member
//	group               member     —           administrator  administrator
//	membership          invite: administrator; approve, remove: moderator; change role: administrator
func minimum(p Permission) (Role, bool) {
	switch p {
	case PermEventAccess, PermPostAccess, PermDiscussionAccess, PermDiscussionCreate,
		PermCommentAccess, PermCommentCreate,
		PermResourceAccess, PermResourceCreate, PermResourceUpdate, PermResourceDelete,
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

// Can reports whether a member with role may do p. Roles that are not
// memberships (invited, not_approved, rejected) can do nothing, and an
// unknown permission is refused.
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
		PermTodoAccess, PermTodoCreate, PermTodoUpdate, PermTodoDelete,
		PermGroupAccess, PermGroupUpdate, PermGroupDelete,
		PermMemberInvite, PermMemberApprove, PermMemberRemove, PermMemberChangeRole,
	}
}
