package groups_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
)

// TestPermissionMatrix spells out every (role, permission) pair — a
// literal table, not the matrix computed again. Columns: creator,
// administrator, moderator, member, invited, not_approved, rejected;
// y = allowed, . = refused.
func TestPermissionMatrix(t *testing.T) {
	t.Parallel()
	roles := []groups.Role{
		groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember,
		groups.RoleInvited, groups.RoleNotApproved, groups.RoleRejected,
	}
	table := []struct {
		want string
		p    groups.Permission
	}{
		// CAMBINR
		{"yyyy...", groups.PermEventAccess},
		{"yyy....", groups.PermEventAccessDraft},
		{"yyy....", groups.PermEventCreate},
		{"yyy....", groups.PermEventUpdate},
		{"yyy....", groups.PermEventDelete},
		{"yyy....", groups.PermEventModerate},
		{"yyyy...", groups.PermPostAccess},
		{"yyy....", groups.PermPostCreate},
		{"yyy....", groups.PermPostUpdate},
		{"yyy....", groups.PermPostDelete},
		{"yyyy...", groups.PermDiscussionAccess},
		{"yyyy...", groups.PermDiscussionCreate},
		{"yyy....", groups.PermDiscussionUpdate},
		{"yyy....", groups.PermDiscussionDelete},
		{"yyyy...", groups.PermCommentAccess},
		{"yyyy...", groups.PermCommentCreate},
		{"yyy....", groups.PermCommentUpdate},
		{"yyy....", groups.PermCommentDelete},
		{"yyyy...", groups.PermResourceAccess},
		{"yyyy...", groups.PermResourceCreate},
		{"yyyy...", groups.PermResourceUpdate},
		{"yyyy...", groups.PermResourceDelete},
		{"yyyy...", groups.PermTodoListAccess},
		{"yyyy...", groups.PermTodoListCreate},
		{"yyyy...", groups.PermTodoListUpdate},
		{"yyyy...", groups.PermTodoListDelete},
		{"yyyy...", groups.PermTodoAccess},
		{"yyyy...", groups.PermTodoCreate},
		{"yyyy...", groups.PermTodoUpdate},
		{"yyyy...", groups.PermTodoDelete},
		{"yyyy...", groups.PermGroupAccess},
		{"yy.....", groups.PermGroupUpdate},
		{"yy.....", groups.PermGroupDelete},
		{"yy.....", groups.PermMemberInvite},
		{"yyy....", groups.PermMemberApprove},
		{"yyy....", groups.PermMemberRemove},
		{"yy.....", groups.PermMemberChangeRole},
	}
	seen := map[groups.Permission]bool{}
	for _, row := range table {
		require.Len(t, row.want, len(roles), row.p)
		seen[row.p] = true
		for i, r := range roles {
			assert.Equal(t, row.want[i] == 'y', groups.Can(r, row.p), "%q %s", r, row.p)
		}
		assert.False(t, groups.Can("", row.p), "no membership: %s", row.p)
		assert.False(t, groups.Can("owner", row.p), "unknown role: %s", row.p)
	}
	for _, p := range groups.Permissions() {
		assert.True(t, seen[p], "%s is missing from the table", p)
	}
	assert.Len(t, groups.Permissions(), len(table), "the table lists each permission once")
	assert.False(t, groups.Can(groups.RoleCreator, "event.teleport"), "unknown permissions are refused")
}

func TestIsMember(t *testing.T) {
	t.Parallel()
	for r, want := range map[groups.Role]bool{
		groups.RoleCreator: true, groups.RoleAdministrator: true, groups.RoleModerator: true, groups.RoleMember: true,
		groups.RoleInvited: false, groups.RoleNotApproved: false, groups.RoleRejected: false, "": false, "owner": false,
	} {
		assert.Equal(t, want, groups.IsMember(r), r)
	}
}
