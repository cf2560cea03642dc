-- Convene schema, version 5 (PostgreSQL): the inbox's remembered state
-- and the federation policy (federation/inbox Seen, Tombstones, Policy
-- and PolicyAdmin). Keep in step with storage/sqlite/migrations/0005_inbox.sql.

-- Activity ids received (dedupe, replay), pruned by received_at.
CREATE TABLE inbox_seen (
	activity_id TEXT COLLATE "C" PRIMARY KEY,
	received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX inbox_seen_received ON inbox_seen (received_at);

-- Deleted objects and actors; the first deletion time is kept.
CREATE TABLE inbox_tombstones (
	iri        TEXT COLLATE "C" PRIMARY KEY,
	deleted_at TIMESTAMPTZ NOT NULL
);

-- Domain rules (normalized: lower case, no port, no trailing dot). A
-- block covers subdomains; an allow matters in allow-list mode only.
CREATE TABLE federation_domains (
	domain     TEXT COLLATE "C" PRIMARY KEY,
	policy     TEXT NOT NULL CHECK (policy IN ('block', 'allow')),
	created_at TIMESTAMPTZ NOT NULL
);

-- The instance's federation settings: exactly one row.
CREATE TABLE federation_settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	allow_list INTEGER NOT NULL CHECK (allow_list IN (0, 1))
);
INSERT INTO federation_settings (id, allow_list) VALUES (1, 0);
