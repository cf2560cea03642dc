-- Convene schema, version 2 (SQLite): the iCalendar import memory and the
-- calendar subscriptions (ical.UIDStore, ical.SubscriptionStore). Keep in
-- step with storage/postgres/migrations/0002_ical.sql.

-- Which event an imported UID became, per owner (the profile or group the
-- events belong to). A row goes with its event: an event deleted here is
-- imported again as new by the next import of its UID.
CREATE TABLE ical_imported (
	owner_id    TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	uid         TEXT NOT NULL,
	source      TEXT NOT NULL,
	event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	fingerprint TEXT NOT NULL,
	PRIMARY KEY (owner_id, uid)
) STRICT, WITHOUT ROWID;
CREATE INDEX ical_imported_event ON ical_imported (event_id);

-- Remote calendars refreshed periodically into a profile's events
-- (group_id NULL) or a group's. A subscription goes with its profile or
-- its group.
CREATE TABLE ical_subscriptions (
	id             TEXT PRIMARY KEY,
	actor_id       TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	group_id       TEXT REFERENCES groups (actor_id) ON DELETE CASCADE,
	url            TEXT NOT NULL,
	visibility     TEXT NOT NULL,
	delete_missing INTEGER NOT NULL,
	etag           TEXT NOT NULL,
	last_modified  TEXT NOT NULL,
	checked_at     INTEGER, -- NULL: never checked
	next_at        INTEGER NOT NULL,
	last_error     TEXT NOT NULL
) STRICT;
CREATE INDEX ical_subscriptions_next ON ical_subscriptions (next_at, id);
-- Also serves the cascade when a profile is deleted.
CREATE INDEX ical_subscriptions_actor ON ical_subscriptions (actor_id, id);
CREATE INDEX ical_subscriptions_group ON ical_subscriptions (group_id, id) WHERE group_id IS NOT NULL;
