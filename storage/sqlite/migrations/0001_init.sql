-- Convene schema, version 1 (SQLite). Times are INTEGER unix microseconds
-- UTC; booleans INTEGER 0/1; empty ActivityPub ids are NULL so that they
-- never collide under the unique indexes. Keep in step with
-- storage/postgres/migrations/0001_init.sql.

CREATE TABLE accounts (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	confirmed     INTEGER NOT NULL,
	role          TEXT NOT NULL,
	suspended     INTEGER NOT NULL,
	locale        TEXT NOT NULL,
	time_zone     TEXT NOT NULL,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE actors (
	id                          TEXT PRIMARY KEY,
	ap_id                       TEXT UNIQUE,
	type                        TEXT NOT NULL,
	local                       INTEGER NOT NULL,
	username                    TEXT NOT NULL,
	domain                      TEXT NOT NULL,
	display_name                TEXT NOT NULL,
	summary                     TEXT NOT NULL,
	avatar_url                  TEXT NOT NULL,
	banner_url                  TEXT NOT NULL,
	url                         TEXT NOT NULL,
	inbox                       TEXT NOT NULL,
	shared_inbox                TEXT NOT NULL,
	outbox                      TEXT NOT NULL,
	followers                   TEXT NOT NULL,
	following                   TEXT NOT NULL,
	public_key_id               TEXT NOT NULL,
	public_key_pem              TEXT NOT NULL,
	private_key_pem             TEXT NOT NULL,
	discoverable                INTEGER NOT NULL,
	manually_approves_followers INTEGER NOT NULL,
	fetched_at                  INTEGER,
	created_at                  INTEGER NOT NULL,
	updated_at                  INTEGER NOT NULL
) STRICT;
-- Usernames of local actors are unique case-insensitively.
CREATE UNIQUE INDEX actors_local_username ON actors (lower(username)) WHERE local;

CREATE TABLE profiles (
	actor_id   TEXT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	is_default INTEGER NOT NULL
) STRICT;
CREATE INDEX profiles_account ON profiles (account_id);

CREATE TABLE groups (
	actor_id            TEXT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	openness            TEXT NOT NULL,
	visibility          TEXT NOT NULL,
	address_present     INTEGER NOT NULL,
	address_name        TEXT NOT NULL,
	address_street      TEXT NOT NULL,
	address_locality    TEXT NOT NULL,
	address_region      TEXT NOT NULL,
	address_postal_code TEXT NOT NULL,
	address_country     TEXT NOT NULL,
	address_latitude    REAL,
	address_longitude   REAL
) STRICT;

CREATE TABLE members (
	id         TEXT PRIMARY KEY,
	ap_id      TEXT UNIQUE,
	group_id   TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	actor_id   TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	role       TEXT NOT NULL,
	invited_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (group_id, actor_id)
) STRICT;
CREATE INDEX members_group_created ON members (group_id, created_at, id);
CREATE INDEX members_actor_created ON members (actor_id, created_at, id);

CREATE TABLE follows (
	id          TEXT PRIMARY KEY,
	ap_id       TEXT UNIQUE,
	follower_id TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	followed_id TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	state       TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL,
	UNIQUE (follower_id, followed_id)
) STRICT;
CREATE INDEX follows_followed_created ON follows (followed_id, created_at, id);
CREATE INDEX follows_follower_created ON follows (follower_id, created_at, id);

CREATE TABLE feed_tokens (
	id         TEXT PRIMARY KEY,
	hash       BLOB NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	profile_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	revoked_at INTEGER
) STRICT;
CREATE INDEX feed_tokens_account ON feed_tokens (account_id, created_at, id);

CREATE TABLE events (
	id                      TEXT PRIMARY KEY,
	ap_id                   TEXT UNIQUE,
	url                     TEXT NOT NULL,
	local                   INTEGER NOT NULL,
	organizer_id            TEXT NOT NULL,
	group_id                TEXT NOT NULL,
	creator_id              TEXT NOT NULL,
	contacts                TEXT NOT NULL, -- JSON array of actor ids, '' when none
	title                   TEXT NOT NULL,
	description             TEXT NOT NULL,
	search_text             TEXT NOT NULL, -- lower(title) || x'1f' || lower(description), Unicode-folded by the program
	begins_at               INTEGER NOT NULL,
	ends_at                 INTEGER,
	time_zone               TEXT NOT NULL,
	status                  TEXT NOT NULL,
	visibility              TEXT NOT NULL,
	join_mode               TEXT NOT NULL,
	external_url            TEXT NOT NULL,
	capacity                INTEGER NOT NULL,
	anonymous_participation INTEGER NOT NULL,
	online_address          TEXT NOT NULL,
	place_present           INTEGER NOT NULL,
	place_name              TEXT NOT NULL,
	place_street            TEXT NOT NULL,
	place_locality          TEXT NOT NULL,
	place_region            TEXT NOT NULL,
	place_postal_code       TEXT NOT NULL,
	place_country           TEXT NOT NULL,
	latitude                REAL,
	longitude               REAL,
	category                TEXT NOT NULL,
	tags                    TEXT NOT NULL, -- JSON array in the event's order, '' when none
	language                TEXT NOT NULL,
	picture_url             TEXT NOT NULL,
	links                   TEXT NOT NULL, -- JSON array, '' when none
	draft                   INTEGER NOT NULL,
	comment_moderation      TEXT NOT NULL,
	recurrence              TEXT NOT NULL, -- '' for a single event
	exdates                 TEXT NOT NULL, -- JSON array of RFC 3339 times, '' when none
	series_ends_at          INTEGER,
	sequence                INTEGER NOT NULL,
	published_at            INTEGER,
	created_at              INTEGER NOT NULL,
	updated_at              INTEGER NOT NULL
) STRICT;
-- The upcoming public listing: single, public, published events by start.
CREATE INDEX events_upcoming ON events (begins_at, id)
	WHERE recurrence = '' AND visibility = 'public' AND NOT draft;
-- The same listing near a place: a covering index on the box and the start.
CREATE INDEX events_upcoming_geo ON events (latitude, longitude, begins_at, id)
	WHERE recurrence = '' AND visibility = 'public' AND NOT draft AND latitude IS NOT NULL;
-- Every other search by window (drafts, unlisted, private).
CREATE INDEX events_begins ON events (begins_at, id);
-- Recurring series.
CREATE INDEX events_series ON events (begins_at, id) WHERE recurrence <> '';
CREATE INDEX events_organizer ON events (organizer_id, begins_at, id);
CREATE INDEX events_group ON events (group_id, begins_at, id) WHERE group_id <> '';

CREATE TABLE event_tags (
	event_id  TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	tag_lower TEXT NOT NULL,
	PRIMARY KEY (event_id, tag_lower)
) STRICT, WITHOUT ROWID;
CREATE INDEX event_tags_tag ON event_tags (tag_lower, event_id);

CREATE TABLE participants (
	id                 TEXT PRIMARY KEY,
	ap_id              TEXT UNIQUE,
	event_id           TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	actor_id           TEXT, -- NULL for anonymous participants
	role               TEXT NOT NULL,
	message            TEXT NOT NULL,
	email              TEXT NOT NULL,
	confirm_token_hash BLOB,
	cancel_token_hash  BLOB,
	locale             TEXT NOT NULL,
	created_at         INTEGER NOT NULL,
	updated_at         INTEGER NOT NULL,
	UNIQUE (event_id, actor_id)
) STRICT;
CREATE INDEX participants_event_created ON participants (event_id, created_at, id);
CREATE INDEX participants_actor_created ON participants (actor_id, created_at, id) WHERE actor_id IS NOT NULL;
CREATE INDEX participants_confirm_token ON participants (confirm_token_hash) WHERE confirm_token_hash IS NOT NULL;
CREATE INDEX participants_cancel_token ON participants (cancel_token_hash) WHERE cancel_token_hash IS NOT NULL;

CREATE TABLE comments (
	id          TEXT PRIMARY KEY,
	ap_id       TEXT UNIQUE,
	url         TEXT NOT NULL,
	event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	author_id   TEXT NOT NULL,
	in_reply_to TEXT NOT NULL,
	text        TEXT NOT NULL,
	state       TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	updated_at  INTEGER NOT NULL
) STRICT;
CREATE INDEX comments_event_created ON comments (event_id, created_at, id);
