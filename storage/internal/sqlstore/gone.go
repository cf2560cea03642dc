package sqlstore

import (
	"context"
	"time"

	"codeberg.org/convene/convene/identity"
)

// Remote actors that are gone (identity GoneStore).

// ActorsByInbox returns the actors whose personal or shared inbox is
// inbox, in no particular order, at most limit (<= 0: all): with a
// limit the lookup stops early, even for a shared inbox of many actors.
// An empty inbox matches nothing.
func (s *store) ActorsByInbox(ctx context.Context, inbox string, limit int) ([]identity.Actor, error) {
	if inbox == "" {
		return nil, nil
	}
	q := `SELECT ` + actorCols + ` FROM actors a WHERE a.inbox = ? OR a.shared_inbox = ?`
	args := []any{inbox, inbox}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.wrap("actors by inbox", err)
	}
	out, err := collect(rows, func(sc func(dest ...any) error) (identity.Actor, error) {
		a, err := scanActor(sc)
		if err != nil {
			return identity.Actor{}, err
		}
		return *a, nil
	})
	return out, s.wrap("actors by inbox", err)
}

// MarkActorGone records the actor gone at at (keeping an earlier time)
// and deletes every follow from or to it, in one transaction.
// ErrNotFound for an unknown actor.
func (s *store) MarkActorGone(ctx context.Context, actorID string, at time.Time) error {
	if actorID == "" {
		return s.notFound("mark actor gone")
	}
	return s.atomic(ctx, func(s *store) error {
		// The insert comes first: an unknown actor fails it (foreign
		// key) before anything is deleted.
		if _, err := s.exec(ctx, "mark actor gone",
			`INSERT INTO actors_gone (actor_id, gone_at) VALUES (?, ?) ON CONFLICT (actor_id) DO NOTHING`,
			actorID, s.d.Time(at)); err != nil {
			return err
		}
		_, err := s.exec(ctx, "mark actor gone",
			`DELETE FROM follows WHERE follower_id = ? OR followed_id = ?`, actorID, actorID)
		return err
	})
}

// ActorGoneAt returns when the actor was marked gone; ErrNotFound when
// it is not (or is unknown).
func (s *store) ActorGoneAt(ctx context.Context, actorID string) (time.Time, error) {
	var t time.Time
	err := s.queryRow(ctx, `SELECT gone_at FROM actors_gone WHERE actor_id = ?`, actorID).Scan(timeCol{&t})
	if err != nil {
		return time.Time{}, s.wrap("actor gone at", err)
	}
	return t, nil
}
