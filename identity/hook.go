package identity

import (
	"context"
	"fmt"

	"codeberg.org/convene/convene/storage"
)

// Hook learns of every follow change this service commits. It runs
// inside the change's transaction, with that transaction, so what it
// writes (the federation outbox: a Follow to send, an Accept to answer)
// commits or rolls back together with the change. An error from the
// hook rolls the change back.
type Hook interface {
	FollowChanged(ctx context.Context, tx storage.Tx, c FollowChange) error
}

// FollowChange is one committed change of a follow.
type FollowChange struct {
	// Follow is the follow after the change; for a removal, the follow
	// that was removed.
	Follow *Follow
	// Previous is the state before the change: "" for a new follow.
	Previous FollowState
	// Request is set when the change is a follow request (Follow), new
	// or repeated: a repeated request of an accepted follow keeps it
	// accepted but must be answered again.
	Request bool
	// Removed is set when the follow was deleted (Unfollow).
	Removed bool
	// Follower and Followed are the two actors.
	Follower, Followed *Actor
}

// emitFollow tells the hook of a follow change.
func (s *Service) emitFollow(ctx context.Context, tx storage.Tx, st Store, f *Follow, prev FollowState, request, removed bool) error {
	if s.hook == nil {
		return nil
	}
	follower, err := st.GetActor(ctx, f.FollowerID)
	if err != nil {
		return storeErr("follower", err)
	}
	followed, err := st.GetActor(ctx, f.FollowedID)
	if err != nil {
		return storeErr("followed", err)
	}
	c := FollowChange{Follow: f, Previous: prev, Request: request, Removed: removed, Follower: follower, Followed: followed}
	if err := s.hook.FollowChanged(ctx, tx, c); err != nil {
		return fmt.Errorf("identity: follow hook: %w", err)
	}
	return nil
}
