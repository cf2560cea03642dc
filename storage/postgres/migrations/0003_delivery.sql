-- Convene schema, version 3 (PostgreSQL): the delivery queue of
-- federation/delivery (the transactional outbox). Keep in step with
-- storage/sqlite/migrations/0003_delivery.sql. Workers of several
-- processes lease jobs with FOR UPDATE SKIP LOCKED.

-- An activity to deliver, kept while a job needs it.
CREATE TABLE delivery_activities (
	id         TEXT COLLATE "C" PRIMARY KEY,
	actor_id   TEXT NOT NULL,
	body       BYTEA NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);

-- One activity to one inbox. A job is queued while next_at is set (due
-- from then on), leased while leased_until is after now, and dead once
-- buried_at is set (next_at NULL). attempts counts the leases and fences
-- them.
CREATE TABLE delivery_jobs (
	id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	activity_id  TEXT COLLATE "C" NOT NULL REFERENCES delivery_activities (id) ON DELETE CASCADE,
	inbox        TEXT NOT NULL,
	host         TEXT COLLATE "C" NOT NULL,
	attempts     INTEGER NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	next_at      TIMESTAMPTZ,
	leased_until TIMESTAMPTZ,
	last_error   TEXT NOT NULL,
	buried_at    TIMESTAMPTZ,
	UNIQUE (activity_id, inbox)
);
CREATE INDEX delivery_jobs_due ON delivery_jobs (next_at, id) WHERE next_at IS NOT NULL;
CREATE INDEX delivery_jobs_leased ON delivery_jobs (host, leased_until) WHERE leased_until IS NOT NULL;
CREATE INDEX delivery_jobs_dead ON delivery_jobs (buried_at) WHERE buried_at IS NOT NULL;

-- Hosts with failures since their last success; down_until after now
-- means their jobs are skipped until then (the next probe).
CREATE TABLE delivery_hosts (
	host          TEXT COLLATE "C" PRIMARY KEY,
	failing_since TIMESTAMPTZ NOT NULL,
	last_failure  TIMESTAMPTZ NOT NULL,
	failures      INTEGER NOT NULL,
	down_until    TIMESTAMPTZ
);

-- An activity goes when its last job does (completed or purged). The row
-- lock on the activity serializes the last deletions of its jobs, so that
-- two concurrent ones cannot each see the other's job and both keep it.
CREATE FUNCTION delivery_drop_activity() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM delivery_activities WHERE id = OLD.activity_id FOR UPDATE;
	DELETE FROM delivery_activities a WHERE a.id = OLD.activity_id
		AND NOT EXISTS (SELECT 1 FROM delivery_jobs j WHERE j.activity_id = OLD.activity_id);
	RETURN NULL;
END
$$;
CREATE TRIGGER delivery_jobs_drop_activity AFTER DELETE ON delivery_jobs
	FOR EACH ROW EXECUTE FUNCTION delivery_drop_activity();
