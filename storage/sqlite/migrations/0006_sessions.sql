-- Convene schema, version 6 (SQLite): sign-in sessions (identity
-- SessionStore), such as the JSON API's bearer tokens. Only the SHA-256
-- of a token is stored. Keep in step with
-- storage/postgres/migrations/0006_sessions.sql.

CREATE TABLE sessions (
	id           TEXT PRIMARY KEY,
	hash         BLOB NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	label        TEXT NOT NULL,
	created_at   INTEGER NOT NULL,
	last_used_at INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_account ON sessions (account_id, created_at, id);
