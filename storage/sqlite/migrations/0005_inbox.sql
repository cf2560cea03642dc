-- Convene schema, version 5 (SQLite): the inbox's remembered state and
-- the federation policy (federation/inbox Seen, Tombstones, Policy and
-- PolicyAdmin). Keep in step with storage/postgres/migrations/0005_inbox.sql.

-- Activity ids received (dedupe, replay), pruned by received_at.
CREATE TABLE inbox_seen (
	activity_id TEXT PRIMARY KEY,
	received_at INTEGER NOT NULL
) STRICT;
CREATE INDEX inbox_seen_received ON inbox_seen (received_at);

-- Deleted objects and actors; the first deletion time is kept.
CREATE TABLE inbox_tombstones (
	iri        TEXT PRIMARY KEY,
	deleted_at INTEGER NOT NULL
) STRICT;

-- Domain rules (normalized: lower case, no port, no trailing dot). A
-- block covers subdomains; an allow matters in allow-list mode only.
CREATE TABLE federation_domains (
	domain     TEXT PRIMARY KEY,
	policy     TEXT NOT NULL CHECK (policy IN ('block', 'allow')),
	created_at INTEGER NOT NULL
) STRICT;

-- The instance's federation settings: exactly one row.
CREATE TABLE federation_settings (
	id         INTEGER PRIMARY KEY CHECK (id = 1),
	allow_list INTEGER NOT NULL CHECK (allow_list IN (0, 1))
) STRICT;
INSERT INTO federation_settings (id, allow_list) VALUES (1, 0);
