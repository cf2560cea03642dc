-- Convene schema, version 14 (SQLite): private conversations about an
-- event between one participant and its organizers
-- (conversations.ConversationStore). A conversation goes with its event,
-- a message with its conversation. Actor ids are not foreign keys, as
-- elsewhere for authors. Keep in step with
-- storage/postgres/migrations/0014_conversations.sql.

CREATE TABLE conversations (
	id              TEXT PRIMARY KEY,
	ap_id           TEXT NOT NULL UNIQUE,
	event_id        TEXT NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	participant_id  TEXT NOT NULL,
	local           INTEGER NOT NULL,
	last_message_at INTEGER NOT NULL,
	created_at      INTEGER NOT NULL,
	UNIQUE (event_id, participant_id)
) STRICT;
CREATE INDEX conversations_event_active ON conversations (event_id, last_message_at, id);
CREATE INDEX conversations_participant_active ON conversations (participant_id, last_message_at, id);

CREATE TABLE conversation_messages (
	id              TEXT PRIMARY KEY,
	ap_id           TEXT NOT NULL UNIQUE,
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	author_id       TEXT NOT NULL,
	text            TEXT NOT NULL,
	announcement    INTEGER NOT NULL,
	local           INTEGER NOT NULL,
	created_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX conversation_messages_created ON conversation_messages (conversation_id, created_at, id);
