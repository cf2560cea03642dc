-- Convene schema, version 12 (PostgreSQL): events hidden by the
-- instance's moderators (events.Event.Hidden,
-- events.EventStore.SetEventHidden). Keep in step with
-- storage/sqlite/migrations/0012_events_hidden.sql.

-- A hidden event stays stored, and comes back when the moderators show
-- it again; no listing, search, feed or count takes it. Hidden events
-- are rare: the listings filter them on the rows the existing indexes
-- find, and no index changes.
ALTER TABLE events ADD COLUMN hidden BOOLEAN NOT NULL DEFAULT false;
