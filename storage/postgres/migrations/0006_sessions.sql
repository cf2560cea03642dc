-- Convene schema, version 6 (PostgreSQL): sign-in sessions (identity
-- SessionStore), such as the JSON API's bearer tokens. Only the SHA-256
-- of a token is stored. Keep in step with
-- storage/sqlite/migrations/0006_sessions.sql.

CREATE TABLE sessions (
	id           TEXT COLLATE "C" PRIMARY KEY,
	hash         BYTEA NOT NULL UNIQUE,
	account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	label        TEXT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	last_used_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id, created_at, id);
