-- Convene schema, version 16 (PostgreSQL): read markers of private
-- conversations (conversations.ConversationStore.PutConversationRead):
-- per conversation and local profile, the time of the newest message
-- that profile has read there. A marker goes with its conversation.
-- Actor ids are not foreign keys, as in 0014. Keep in step with
-- storage/sqlite/migrations/0016_conversation_reads.sql.

CREATE TABLE conversation_reads (
	conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
	profile_id      TEXT NOT NULL,
	read_at         TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (conversation_id, profile_id)
);
