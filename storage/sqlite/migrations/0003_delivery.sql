-- Convene schema, version 3 (SQLite): the delivery queue of
-- federation/delivery (the transactional outbox). Keep in step with
-- storage/postgres/migrations/0003_delivery.sql.

-- An activity to deliver, kept while a job needs it.
CREATE TABLE delivery_activities (
	id         TEXT PRIMARY KEY,
	actor_id   TEXT NOT NULL,
	body       BLOB NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

-- One activity to one inbox. A job is queued while next_at is set (due
-- from then on), leased while leased_until is after now, and dead once
-- buried_at is set (next_at NULL). attempts counts the leases and fences
-- them.
CREATE TABLE delivery_jobs (
	id           INTEGER PRIMARY KEY,
	activity_id  TEXT NOT NULL REFERENCES delivery_activities (id) ON DELETE CASCADE,
	inbox        TEXT NOT NULL,
	host         TEXT NOT NULL,
	attempts     INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	next_at      INTEGER,
	leased_until INTEGER,
	last_error   TEXT NOT NULL,
	buried_at    INTEGER,
	UNIQUE (activity_id, inbox)
) STRICT;
CREATE INDEX delivery_jobs_due ON delivery_jobs (next_at, id) WHERE next_at IS NOT NULL;
CREATE INDEX delivery_jobs_leased ON delivery_jobs (host, leased_until) WHERE leased_until IS NOT NULL;
CREATE INDEX delivery_jobs_dead ON delivery_jobs (buried_at) WHERE buried_at IS NOT NULL;

-- Hosts with failures since their last success; down_until after now
-- means their jobs are skipped until then (the next probe).
CREATE TABLE delivery_hosts (
	host          TEXT PRIMARY KEY,
	failing_since INTEGER NOT NULL,
	last_failure  INTEGER NOT NULL,
	failures      INTEGER NOT NULL,
	down_until    INTEGER
) STRICT, WITHOUT ROWID;

-- An activity goes when its last job does (completed or purged).
CREATE TRIGGER delivery_jobs_drop_activity AFTER DELETE ON delivery_jobs
WHEN NOT EXISTS (SELECT 1 FROM delivery_jobs WHERE activity_id = OLD.activity_id)
BEGIN
	DELETE FROM delivery_activities WHERE id = OLD.activity_id;
END;
