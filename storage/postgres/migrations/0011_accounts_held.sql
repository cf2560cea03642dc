-- Convene schema, version 11 (PostgreSQL): accounts waiting for an
-- administrator's approval (identity.ApprovalStore), on instances whose
-- registrations need it. Keep in step with
-- storage/sqlite/migrations/0011_accounts_held.sql.
CREATE TABLE accounts_held (
	account_id TEXT PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
	held_at    TIMESTAMPTZ NOT NULL
);

CREATE INDEX accounts_held_at ON accounts_held (held_at, account_id);
