package identity

import (
	"context"
	"errors"
	"time"
)

// SuspensionStore keeps the actors a moderator suspended on this
// instance: a local profile or group that may no longer act, or a remote
// actor whose activities are refused. Backends implement it next to
// Store (found with a type assertion, like GoneStore).
type SuspensionStore interface {
	// SetActorSuspended suspends the actor at at, or lifts its
	// suspension. Suspending again keeps the first time; lifting a
	// suspension that is not there changes nothing. ErrNotFound for an
	// unknown actor.
	SetActorSuspended(ctx context.Context, actorID string, suspended bool, at time.Time) error
	// ActorSuspendedAt returns when the actor was suspended; ErrNotFound
	// when it is not (or is unknown).
	ActorSuspendedAt(ctx context.Context, actorID string) (time.Time, error)
}

var errNoSuspensionStore = errors.New("identity: the Store does not implement identity.SuspensionStore")

func (s *Service) suspensionStore() (SuspensionStore, error) {
	ss, ok := s.store.(SuspensionStore)
	if !ok {
		return nil, errNoSuspensionStore
	}
	return ss, nil
}

// SuspendActor suspends an actor here, or lifts the suspension
// (moderation): a suspended local profile or group can no longer be
// acted as (ProfileOf answers ErrSuspended), and the inbox refuses the
// activities of a suspended remote actor. This is local: nothing is
// federated. ErrNotFound for an unknown actor.
func (s *Service) SuspendActor(ctx context.Context, actorID string, suspended bool) error {
	ss, err := s.suspensionStore()
	if err != nil {
		return err
	}
	return storeErr("suspend actor", ss.SetActorSuspended(ctx, actorID, suspended, s.clock()))
}

// ActorSuspended reports whether the actor is suspended here.
func (s *Service) ActorSuspended(ctx context.Context, actorID string) (bool, error) {
	ss, err := s.suspensionStore()
	if err != nil {
		return false, err
	}
	_, err = ss.ActorSuspendedAt(ctx, actorID)
	if isStoreNotFound(err) {
		return false, nil
	}
	return err == nil, storeErr("actor suspended", err)
}

// ActorSuspendedByAPID reports whether the actor with that ActivityPub
// id is suspended here; an unknown actor is not.
func (s *Service) ActorSuspendedByAPID(ctx context.Context, apID string) (bool, error) {
	a, err := s.store.GetActorByAPID(ctx, apID)
	if isStoreNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, storeErr("actor "+apID, err)
	}
	return s.ActorSuspended(ctx, a.ID)
}
