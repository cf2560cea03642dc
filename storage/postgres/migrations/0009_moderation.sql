-- Convene schema, version 9 (PostgreSQL): moderation
-- (moderation.ReportStore): reports, moderators' notes, the action log
-- and instance settings (the rules page). Actor and target ids are not
-- foreign keys: a report and its log outlive the actors and content they
-- name. Keep in step with storage/sqlite/migrations/0009_moderation.sql.

CREATE TABLE reports (
	id              TEXT COLLATE "C" PRIMARY KEY,
	ap_id           TEXT UNIQUE, -- the Flag's id for a remote report; NULL for a local one
	reporter_id     TEXT NOT NULL,
	target_kind     TEXT NOT NULL,
	target_id       TEXT NOT NULL,
	target_actor_id TEXT NOT NULL,
	content_iris    TEXT NOT NULL, -- JSON array; '' for none
	comment         TEXT NOT NULL,
	status          TEXT NOT NULL,
	remote          BOOLEAN NOT NULL,
	forwarded       BOOLEAN NOT NULL,
	created_at      TIMESTAMPTZ NOT NULL,
	updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX reports_created ON reports (created_at, id);
CREATE INDEX reports_status ON reports (status, created_at, id);
CREATE INDEX reports_target_actor ON reports (target_actor_id, created_at, id);
CREATE INDEX reports_reporter ON reports (reporter_id, target_kind, target_id);

CREATE TABLE report_notes (
	id         TEXT COLLATE "C" PRIMARY KEY,
	report_id  TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	author_id  TEXT NOT NULL,
	text       TEXT NOT NULL,
	created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_notes_report ON report_notes (report_id, created_at, id);

CREATE TABLE moderation_actions (
	id          TEXT COLLATE "C" PRIMARY KEY,
	account_id  TEXT NOT NULL,
	kind        TEXT NOT NULL,
	target_kind TEXT NOT NULL,
	target_id   TEXT NOT NULL,
	report_id   TEXT REFERENCES reports (id) ON DELETE CASCADE, -- NULL without a report
	comment     TEXT NOT NULL,
	created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX moderation_actions_created ON moderation_actions (created_at, id);
CREATE INDEX moderation_actions_report ON moderation_actions (report_id, created_at, id);

CREATE TABLE instance_settings (
	key        TEXT COLLATE "C" PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at TIMESTAMPTZ NOT NULL,
	updated_by TEXT NOT NULL
);
