-- Convene schema, version 15 (PostgreSQL): messages of group
-- discussions hidden by the instance's moderators (groups.Comment.Hidden,
-- groups.DiscussionStore.SetDiscussionCommentHidden). Keep in step with
-- storage/sqlite/migrations/0015_discussion_comments_hidden.sql.

-- A hidden message stays stored, in its place in the thread, and comes
-- back when the moderators show it again; readers see that it was
-- hidden, not its text. No index changes: the listings keep it.
ALTER TABLE discussion_comments ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT false;
