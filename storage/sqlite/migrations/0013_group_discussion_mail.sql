-- Convene schema, version 13 (SQLite): the local profiles that want an
-- email for every new message of a group's discussions
-- (groups.NotifyStore). A row goes with its group and its profile; it
-- outlives a membership, and only counts while the profile is a member.
-- Keep in step with
-- storage/postgres/migrations/0013_group_discussion_mail.sql.
CREATE TABLE group_discussion_mail (
	group_id   TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	profile_id TEXT NOT NULL REFERENCES profiles (actor_id) ON DELETE CASCADE,
	PRIMARY KEY (group_id, profile_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX group_discussion_mail_profile ON group_discussion_mail (profile_id);
