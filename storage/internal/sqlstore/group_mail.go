package sqlstore

import (
	"context"

	"codeberg.org/convene/convene/groups"
)

// memberRoles are the membership roles whose choice of discussion mail
// counts (groups.IsMember).
func memberRoles() []groups.Role {
	return []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember}
}

// SetDiscussionMail implements groups.NotifyStore.
func (s *store) SetDiscussionMail(ctx context.Context, groupID, profileID string, on bool) error {
	if groupID == "" || profileID == "" {
		return s.notFound("set discussion mail")
	}
	if on {
		_, err := s.exec(ctx, "set discussion mail",
			`INSERT INTO group_discussion_mail (group_id, profile_id) VALUES (?, ?)
			ON CONFLICT (group_id, profile_id) DO NOTHING`, groupID, profileID)
		return err
	}
	// An unknown group or profile is still an error.
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM groups g, profiles p WHERE g.actor_id = ? AND p.actor_id = ?`,
		groupID, profileID).Scan(&one)
	if err != nil {
		return s.wrap("unset discussion mail", err)
	}
	_, err = s.exec(ctx, "unset discussion mail",
		`DELETE FROM group_discussion_mail WHERE group_id = ? AND profile_id = ?`, groupID, profileID)
	return err
}

// DiscussionMail implements groups.NotifyStore.
func (s *store) DiscussionMail(ctx context.Context, groupID, profileID string) (bool, error) {
	var n int
	err := s.queryRow(ctx, `SELECT count(*) FROM group_discussion_mail WHERE group_id = ? AND profile_id = ?`,
		groupID, profileID).Scan(&n)
	return n > 0, s.wrap("discussion mail", err)
}

// DiscussionMailRecipients implements groups.NotifyStore.
func (s *store) DiscussionMailRecipients(ctx context.Context, groupID string, limit int) ([]string, error) {
	const op = "discussion mail recipients"
	list, args := in(memberRoles())
	q := `SELECT d.profile_id FROM group_discussion_mail d
		JOIN members m ON m.group_id = d.group_id AND m.actor_id = d.profile_id
		WHERE d.group_id = ? AND m.role IN ` + list + ` ORDER BY d.profile_id`
	args = append([]any{groupID}, args...)
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap(op, err)
		}
		out = append(out, id)
	}
	return out, s.wrap(op, rows.Err())
}
