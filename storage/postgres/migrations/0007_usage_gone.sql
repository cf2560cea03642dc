-- Convene schema, version 7 (PostgreSQL): what NodeInfo's usage numbers
-- (federation/usage Store) and the 410 Gone handling (identity GoneStore)
-- need. Keep in step with storage/sqlite/migrations/0007_usage_gone.sql.

-- Active users: the local events a profile created and the comments it
-- wrote, by time (participants_actor_created already serves joins).
CREATE INDEX events_creator_created ON events (creator_id, created_at) WHERE local;
CREATE INDEX comments_author_created ON comments (author_id, created_at);

-- A delivery answered 410 Gone: whose inbox was it?
CREATE INDEX actors_inbox ON actors (inbox);
CREATE INDEX actors_shared_inbox ON actors (shared_inbox);

-- Remote actors whose server answered 410 Gone for their inbox; the first
-- time is kept. The actor row stays (events, comments and participations
-- still name it); its follows are deleted when it is marked.
CREATE TABLE actors_gone (
	actor_id TEXT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	gone_at  TIMESTAMPTZ NOT NULL
);
