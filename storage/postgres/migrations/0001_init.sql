-- Convene schema, version 1 (PostgreSQL). Times are timestamptz; empty
-- ActivityPub ids are NULL so that they never collide under the unique
-- indexes; ids sort bytewise (COLLATE "C") as on SQLite, so that pages
-- come in the same order on both backends. Keep in step with
-- storage/sqlite/migrations/0001_init.sql.

CREATE TABLE accounts (
	id            TEXT COLLATE "C" PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	confirmed     BOOLEAN NOT NULL,
	role          TEXT NOT NULL,
	suspended     BOOLEAN NOT NULL,
	locale        TEXT NOT NULL,
	time_zone     TEXT NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL,
	updated_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE actors (
	id                          TEXT COLLATE "C" PRIMARY KEY,
	ap_id                       TEXT UNIQUE,
	type                        TEXT NOT NULL,
	local                       BOOLEAN NOT NULL,
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
	discoverable                BOOLEAN NOT NULL,
	manually_approves_followers BOOLEAN NOT NULL,
	fetched_at                  TIMESTAMPTZ,
	created_at                  TIMESTAMPTZ NOT NULL,
	updated_at                  TIMESTAMPTZ NOT NULL
);
-- Usernames of local actors are unique case-insensitively.
CREATE UNIQUE INDEX actors_local_username ON actors (lower(username)) WHERE local;

CREATE TABLE profiles (
	actor_id   TEXT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	is_default BOOLEAN NOT NULL
);
CREATE INDEX profiles_account ON profiles (account_id);

CREATE TABLE groups (
	actor_id            TEXT PRIMARY KEY REFERENCES actors (id) ON DELETE CASCADE,
	openness            TEXT NOT NULL,
	visibility          TEXT NOT NULL,
	address_present     BOOLEAN NOT NULL,
	address_name        TEXT NOT NULL,
	address_street      TEXT NOT NULL,
	address_locality    TEXT NOT NULL,
	address_region      TEXT NOT NULL,
	address_postal_code TEXT NOT NULL,
	address_country     TEXT NOT NULL,
	address_latitude    DOUBLE PRECISION,
	address_longitude   DOUBLE PRECISION
);

CREATE TABLE members (
	id         TEXT COLLATE "C" PRIMARY KEY,
	ap_id      TEXT UNIQUE,
	group_id   TEXT NOT NULL REFERENCES groups (actor_id) ON DELETE CASCADE,
	actor_id   TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	role       TEXT NOT NULL,
	invited_by TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	UNIQUE (group_id, actor_id)
);
CREATE INDEX members_group_created ON members (group_id, created_at, id);
CREATE INDEX members_actor_created ON members (actor_id, created_at, id);

CREATE TABLE follows (
	id          TEXT COLLATE "C" PRIMARY KEY,
	ap_id       TEXT UNIQUE,
	follower_id TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	followed_id TEXT NOT NULL REFERENCES actors (id) ON DELETE CASCADE,
	state       TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL,
	UNIQUE (follower_id, followed_id)
);
CREATE INDEX follows_followed_created ON follows (followed_id, created_at, id);
CREATE INDEX follows_follower_created ON follows (follower_id, created_at, id);

CREATE TABLE feed_tokens (
	id         TEXT COLLATE "C" PRIMARY KEY,
	hash       BYTEA NOT NULL UNIQUE,
	account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	profile_id TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL,
	revoked_at TIMESTAMPTZ
);
CREATE INDEX feed_tokens_account ON feed_tokens (account_id, created_at, id);

CREATE TABLE events (
	id                      TEXT COLLATE "C" PRIMARY KEY,
	ap_id                   TEXT UNIQUE,
	url                     TEXT NOT NULL,
	local                   BOOLEAN NOT NULL,
	organizer_id            TEXT NOT NULL,
	group_id                TEXT NOT NULL,
	creator_id              TEXT NOT NULL,
	contacts                TEXT NOT NULL, -- JSON array of actor ids, '' when none
	title                   TEXT NOT NULL,
	description             TEXT NOT NULL,
	search_text             TEXT NOT NULL, -- lower(title) || x'1f' || lower(description), Unicode-folded by the program
	begins_at               TIMESTAMPTZ NOT NULL,
	ends_at                 TIMESTAMPTZ,
	time_zone               TEXT NOT NULL,
	status                  TEXT NOT NULL,
	visibility              TEXT NOT NULL,
	join_mode               TEXT NOT NULL,
	external_url            TEXT NOT NULL,
	capacity                INTEGER NOT NULL,
	anonymous_participation BOOLEAN NOT NULL,
	online_address          TEXT NOT NULL,
	place_present           BOOLEAN NOT NULL,
	place_name              TEXT NOT NULL,
	place_street            TEXT NOT NULL,
	place_locality          TEXT NOT NULL,
	place_region            TEXT NOT NULL,
	place_postal_code       TEXT NOT NULL,
	place_country           TEXT NOT NULL,
	latitude                DOUBLE PRECISION,
	longitude               DOUBLE PRECISION,
	category                TEXT NOT NULL,
	tags                    TEXT NOT NULL, -- JSON array in the event's order, '' when none
	language                TEXT NOT NULL,
	picture_url             TEXT NOT NULL,
	links                   TEXT NOT NULL, -- JSON array, '' when none
	draft                   BOOLEAN NOT NULL,
	comment_moderation      TEXT NOT NULL,
	recurrence              TEXT NOT NULL, -- '' for a single event
	exdates                 TEXT NOT NULL, -- JSON array of RFC 3339 times, '' when none
	series_ends_at          TIMESTAMPTZ,
	sequence                INTEGER NOT NULL,
	published_at            TIMESTAMPTZ,
	created_at              TIMESTAMPTZ NOT NULL,
	updated_at              TIMESTAMPTZ NOT NULL
);
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
);
CREATE INDEX event_tags_tag ON event_tags (tag_lower, event_id);

CREATE TABLE participants (
	id                 TEXT COLLATE "C" PRIMARY KEY,
	ap_id              TEXT UNIQUE,
	event_id           TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	actor_id           TEXT, -- NULL for anonymous participants
	role               TEXT NOT NULL,
	message            TEXT NOT NULL,
	email              TEXT NOT NULL,
	confirm_token_hash BYTEA,
	cancel_token_hash  BYTEA,
	locale             TEXT NOT NULL,
	created_at         TIMESTAMPTZ NOT NULL,
	updated_at         TIMESTAMPTZ NOT NULL,
	UNIQUE (event_id, actor_id)
);
CREATE INDEX participants_event_created ON participants (event_id, created_at, id);
CREATE INDEX participants_actor_created ON participants (actor_id, created_at, id) WHERE actor_id IS NOT NULL;
CREATE INDEX participants_confirm_token ON participants (confirm_token_hash) WHERE confirm_token_hash IS NOT NULL;
CREATE INDEX participants_cancel_token ON participants (cancel_token_hash) WHERE cancel_token_hash IS NOT NULL;

CREATE TABLE comments (
	id          TEXT COLLATE "C" PRIMARY KEY,
	ap_id       TEXT UNIQUE,
	url         TEXT NOT NULL,
	event_id    TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	author_id   TEXT NOT NULL,
	in_reply_to TEXT NOT NULL,
	text        TEXT NOT NULL,
	state       TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL,
	updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX comments_event_created ON comments (event_id, created_at, id);
