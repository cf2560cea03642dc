package groups_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"codeberg.org/convene/convene/groups"
)

// TestPermissionMatrix spells out, for every permission, which roles
// have it — a literal table, not the matrix computed again.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	const (
		C = 1 << iota // creator
		A             // administrator
		M             // moderator
		B             // member (basic)
	)
	const (
		members    = C | A | M | B
		moderators = C | A | M
		admins     = C | A
	)
	want := map[groups.Permission]int{
		groups.PermEventAccess: members, groups.PermEventAccessDraft: moderators,
		groups.PermEventCreate: moderators, groups.PermEventUpdate: moderators,
		groups.PermEventDelete: moderators, groups.PermEventModerate: moderators,
		groups.PermPostAccess: members, groups.PermPostCreate: moderators,
		groups.PermPostUpdate: moderators, groups.PermPostDelete: moderators,
		groups.PermDiscussionAccess: members, groups.PermDiscussionCreate: members,
		groups.PermDiscussionUpdate: moderators, groups.PermDiscussionDelete: moderators,
		groups.PermCommentAccess: members, groups.PermCommentCreate: members,
		groups.PermCommentUpdate: moderators, groups.PermCommentDelete: moderators,
		groups.PermResourceAccess: members, groups.PermResourceCreate: members,
		groups.PermResourceUpdate: members, groups.PermResourceDelete: members,
		groups.PermTodoAccess: members, groups.PermTodoCreate: members,
		groups.PermTodoUpdate: members, groups.PermTodoDelete: members,
		groups.PermGroupAccess: members, groups.PermGroupUpdate: admins, groups.PermGroupDelete: admins,
		groups.PermMemberInvite: admins, groups.PermMemberApprove: moderators,
		groups.PermMemberRemove: moderators, groups.PermMemberChangeRole: admins,
	}
	roles := []struct {
		role groups.Role
		bit  int
	}{
		{groups.RoleCreator, C}, {groups.RoleAdministrator, A}, {groups.RoleModerator, M}, {groups.RoleMember, B},
		{groups.RoleInvited, 0}, {groups.RoleNotApproved, 0}, {groups.RoleRejected, 0}, {"", 0}, {"owner", 0},
	}
	assert.Len(t, groups.Permissions(), len(want), "every permission is in the table")
	for _, p := range groups.Permissions() {
		allowed, ok := want[p]
		if !assert.True(t, ok, "%s missing from the table", p) {
			continue
		}
		for _, r := range roles {
			assert.Equal(t, allowed&r.bit != 0, groups.Can(r.role, p), "%q %s", r.role, p)
		}
	}
	assert.False(t, groups.Can(groups.RoleCreator, "event.teleport"), "unknown permissions are refused")
}
