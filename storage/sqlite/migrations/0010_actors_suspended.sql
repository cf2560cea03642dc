-- Convene schema, version 10 (SQLite): actors suspended by a moderator
-- (identity.SuspensionStore). Keep in step with
-- storage/postgres/migrations/0010_actors_suspended.sql.

-- A suspended local profile or group can no longer act; the inbox
-- refuses a suspended remote actor's activities. The first time is kept.
CREATE TABLE actors_suspended (
	actor_id     TEXT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	suspended_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
