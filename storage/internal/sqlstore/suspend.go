package sqlstore

import (
	"context"
	"time"
)

// SetActorSuspended implements identity.SuspensionStore.
func (s *store) SetActorSuspended(ctx context.Context, actorID string, suspended bool, at time.Time) error {
	if actorID == "" {
		return s.notFound("suspend actor")
	}
	if !suspended {
		_, err := s.exec(ctx, "lift suspension", `DELETE FROM actors_suspended WHERE actor_id = ?`, actorID)
		if err != nil {
			return err
		}
		// An unknown actor is still an error.
		var one int
		return s.wrap("lift suspension", s.queryRow(ctx, `SELECT 1 FROM actors WHERE id = ?`, actorID).Scan(&one))
	}
	_, err := s.exec(ctx, "suspend actor",
		`INSERT INTO actors_suspended (actor_id, suspended_at) VALUES (?, ?) ON CONFLICT (actor_id) DO NOTHING`,
		actorID, s.d.Time(at))
	return err
}

// ActorSuspendedAt implements identity.SuspensionStore.
func (s *store) ActorSuspendedAt(ctx context.Context, actorID string) (time.Time, error) {
	var t time.Time
	err := s.queryRow(ctx, `SELECT suspended_at FROM actors_suspended WHERE actor_id = ?`, actorID).Scan(timeCol{&t})
	if err != nil {
		return time.Time{}, s.wrap("actor suspended at", err)
	}
	return t, nil
}
