package sqlstore

import (
	"context"
	"time"
)

// The counts of NodeInfo's usage numbers (federation/usage Store). Each
// is one SQL statement; none is exact under concurrent writes beyond
// what one statement sees.

// CountLocalUsers counts the accounts that may sign in: confirmed and
// not suspended.
func (s *store) CountLocalUsers(ctx context.Context) (int, error) {
	return s.count(ctx, "count local users",
		`SELECT count(*) FROM accounts WHERE confirmed AND NOT suspended`)
}

// CountActiveUsers counts the accounts that may sign in and were active
// at or after since: a session of theirs was used, or one of their
// profiles created a local event, wrote a comment or joined an event.
func (s *store) CountActiveUsers(ctx context.Context, since time.Time) (int, error) {
	t := s.d.Time(since)
	return s.count(ctx, "count active users",
		`SELECT count(*) FROM accounts a
		WHERE a.confirmed AND NOT a.suspended AND (
			EXISTS (SELECT 1 FROM sessions s WHERE s.account_id = a.id AND s.last_used_at >= ?)
			OR EXISTS (SELECT 1 FROM profiles p JOIN events e ON e.creator_id = p.actor_id
				WHERE p.account_id = a.id AND e.local AND e.created_at >= ?)
			OR EXISTS (SELECT 1 FROM profiles p JOIN comments c ON c.author_id = p.actor_id
				WHERE p.account_id = a.id AND c.created_at >= ?)
			OR EXISTS (SELECT 1 FROM profiles p JOIN participants x ON x.actor_id = p.actor_id
				WHERE p.account_id = a.id AND x.created_at >= ?))`,
		t, t, t, t)
}

// CountLocalEvents counts the local events that are public, published
// (not drafts) and not hidden by moderators; a recurring series counts
// once.
func (s *store) CountLocalEvents(ctx context.Context) (int, error) {
	return s.count(ctx, "count local events",
		`SELECT count(*) FROM events WHERE local AND NOT draft AND NOT hidden AND visibility = 'public'`)
}

// CountLocalComments counts the published comments written by local
// actors on public, published events that are not hidden, local or
// remote.
func (s *store) CountLocalComments(ctx context.Context) (int, error) {
	return s.count(ctx, "count local comments",
		`SELECT count(*) FROM comments c
		JOIN actors a ON a.id = c.author_id
		JOIN events e ON e.id = c.event_id
		WHERE a.local AND c.state = 'published' AND e.visibility = 'public' AND NOT e.draft AND NOT e.hidden`)
}

// count runs a SELECT count(*) on the read pool (or the transaction).
func (s *store) count(ctx context.Context, op, query string, args ...any) (int, error) {
	var n int
	if err := s.queryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, s.wrap(op, err)
	}
	return n, nil
}
