-- Convene schema, version 8 (SQLite): a group's collaboration content
-- (groups ContentStore): discussions with their comments and read
-- markers, resources (links and folders), posts, todo lists and todos.
-- Everything goes with its group. Keep in step with
-- storage/postgres/migrations/0008_group_content.sql.

CREATE TABLE discussions (
	id              TEXT PRIMARY KEY,
	ap_id           TEXT UNIQUE,
	group_id        TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	creator_id      TEXT NOT NULL,
	title           TEXT NOT NULL,
	local           INTEGER NOT NULL,
	last_comment_at INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX discussions_group_created ON discussions (group_id, created_at, id);

CREATE TABLE discussion_comments (
	id            TEXT PRIMARY KEY,
	ap_id         TEXT UNIQUE,
	discussion_id TEXT NOT NULL REFERENCES discussions (id) ON DELETE CASCADE,
	group_id      TEXT NOT NULL,
	author_id     TEXT NOT NULL,
	text          TEXT NOT NULL,
	local         INTEGER NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;
CREATE INDEX discussion_comments_created ON discussion_comments (discussion_id, created_at, id);

CREATE TABLE discussion_reads (
	discussion_id TEXT NOT NULL REFERENCES discussions (id) ON DELETE CASCADE,
	actor_id      TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	read_at       INTEGER NOT NULL,
	PRIMARY KEY (discussion_id, actor_id)
) STRICT, WITHOUT ROWID;

-- parent_id is NULL at the group's root; a folder's items go with it.
CREATE TABLE resources (
	id         TEXT PRIMARY KEY,
	ap_id      TEXT UNIQUE,
	group_id   TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	parent_id  TEXT REFERENCES resources (id) ON DELETE CASCADE,
	creator_id TEXT NOT NULL,
	kind       TEXT NOT NULL,
	title      TEXT NOT NULL,
	summary    TEXT NOT NULL,
	url        TEXT NOT NULL,
	image_url  TEXT NOT NULL,
	local      INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX resources_folder ON resources (group_id, parent_id, created_at, id);
CREATE INDEX resources_parent ON resources (parent_id) WHERE parent_id IS NOT NULL;

CREATE TABLE posts (
	id           TEXT PRIMARY KEY,
	ap_id        TEXT UNIQUE,
	group_id     TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	author_id    TEXT NOT NULL,
	title        TEXT NOT NULL,
	body         TEXT NOT NULL,
	banner_url   TEXT NOT NULL,
	visibility   TEXT NOT NULL,
	draft        INTEGER NOT NULL,
	published_at INTEGER,
	local        INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	updated_at   INTEGER NOT NULL
) STRICT;
CREATE INDEX posts_group_created ON posts (group_id, created_at, id);

CREATE TABLE todo_lists (
	id         TEXT PRIMARY KEY,
	ap_id      TEXT UNIQUE,
	group_id   TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	creator_id TEXT NOT NULL,
	title      TEXT NOT NULL,
	local      INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX todo_lists_group_created ON todo_lists (group_id, created_at, id);

CREATE TABLE todos (
	id          TEXT PRIMARY KEY,
	ap_id       TEXT UNIQUE,
	list_id     TEXT NOT NULL REFERENCES todo_lists (id) ON DELETE CASCADE,
	group_id    TEXT NOT NULL,
	creator_id  TEXT NOT NULL,
	title       TEXT NOT NULL,
	done        INTEGER NOT NULL,
	due_at      INTEGER,
	assignee_id TEXT NOT NULL, -- '' when nobody
	local       INTEGER NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX todos_list_created ON todos (list_id, created_at, id);
