// Package sqlstore is the one implementation of identity.Store,
// groups.Store and events.Store over database/sql that the SQLite and
// PostgreSQL backends share. A backend supplies a Dialect (placeholders,
// locking clause, time encoding, driver error classification, retry
// policy) and its *sql.DB pools; this package does the rest.
//
// Conventions, the same on every backend:
//
//   - Empty ActivityPub ids are stored as NULL so that they never collide
//     with each other under the unique indexes; they come back as "".
//     Lookups by an empty APID, token hash or email report
//     storage.ErrNotFound without a query.
//   - Zero optional times (FetchedAt, RevokedAt, EndsAt, SeriesEndsAt,
//     PublishedAt) are stored as NULL. Times come back in UTC with
//     microsecond precision.
//   - Unique violations become storage.ErrConflict; a reference to a row
//     that does not exist (foreign key violation: a member of an unknown
//     group, a participant of an unknown event) becomes
//     storage.ErrNotFound; sql.ErrNoRows becomes storage.ErrNotFound.
//   - Update*, Delete*, RevokeFeedToken and SetDefaultProfile report
//     storage.ErrNotFound when no row matches.
//   - List methods with limit <= 0 return every matching row;
//     FindEvents with Limit <= 0 returns events.DefaultPageSize events.
//   - Text search compares against a search_text column, filled with
//     strings.ToLower(title + U+001F + description) on every write, so
//     case folding is Unicode-aware and identical on both backends (SQLite's
//     lower() and LIKE fold ASCII only).
//   - A method that writes several rows (CreateProfile, CreateGroup,
//     CreateEvent, UpdateEvent, SetDefaultProfile, …) runs them in one
//     transaction: its own when called on the DB, the caller's when
//     called on a Tx.
//
// Deadlock warning for callers: inside InTx, use the Tx handed to fn, not
// the DB. On SQLite the DB has a single write connection, which the
// transaction holds; a write through the DB from inside fn waits for it
// forever.
package sqlstore
