package identity

import (
	"context"
	"net/url"
	"strings"

	"codeberg.org/convene/convene/storage"
)

// Page sizes of the follower and following lists.
const (
	// DefaultPageLimit is the page size when the caller passes 0.
	DefaultPageLimit = 20
	// MaxPageLimit is the largest page size a caller may ask for.
	MaxPageLimit = 100
)

// Follow records that followerID asks to follow followedID; both are
// actor ids, local or remote. apID is the id of the Follow activity: for
// a remote follower it is required and must be on the follower's host
// (field "ap_id"); for a local follower "" makes one,
// BaseURL/follows/{fresh id}, which the federation layer puts in the activity
// it sends.
//
// The follow is accepted at once when the followed actor is local and
// does not approve followers manually; otherwise it is pending until
// AcceptFollow (a local approval, or the remote actor's Accept) or
// RejectFollow. Groups are followed like any actor: following a group
// subscribes to what it announces (FEP-1b12), and a local group that does
// not approve followers manually accepts at once. Unlike on Mobilizon, a
// local Person profile can be followed too.
//
// Following again is allowed: a new request for a rejected follow makes
// it pending again (or accepted, by the rule above); an accepted follow
// stays accepted and takes the new apID. An actor cannot follow itself
// (field "followed_id").
func (s *Service) Follow(ctx context.Context, followerID, followedID, apID string) (*Follow, error) {
	if followerID == followedID {
		return nil, invalid("followed_id", "an actor cannot follow itself")
	}
	follower, err := s.GetActor(ctx, followerID)
	if err != nil {
		return nil, err
	}
	followed, err := s.GetActor(ctx, followedID)
	if err != nil {
		return nil, err
	}
	id := s.newID()
	if apID == "" {
		if !follower.Local {
			return nil, invalid("ap_id", "is required for a remote follower")
		}
		apID = s.baseURL + "/follows/" + id
	} else {
		if err := checkURL("ap_id", apID, true); err != nil {
			return nil, err
		}
		u, _ := url.Parse(apID)
		if strings.ToLower(u.Host) != follower.Domain {
			return nil, invalid("ap_id", "must be on the follower's host %q", follower.Domain)
		}
	}
	state := FollowPending
	if followed.Local && !followed.ManuallyApprovesFollowers {
		state = FollowAccepted
	}
	now := s.clock()
	f := &Follow{ID: id, APID: apID, FollowerID: followerID, FollowedID: followedID, State: state, CreatedAt: now, UpdatedAt: now}
	err = s.inTxHook(ctx, func(tx storage.Tx, st Store) error {
		var prev FollowState
		old, err := st.GetFollow(ctx, followerID, followedID)
		switch {
		case err == nil:
			prev = old.State
			if old.State == FollowAccepted {
				f.State = FollowAccepted
			}
		case !isStoreNotFound(err):
			return storeErr("follow", err)
		}
		if err := st.PutFollow(ctx, f); err != nil {
			if isStoreConflict(err) {
				return taken("ap_id", "is the id of another follow")
			}
			return storeErr("follow", err)
		}
		return s.emitFollow(ctx, tx, st, f, prev, true, false)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// setFollowState moves the follow between the two actors to state.
func (s *Service) setFollowState(ctx context.Context, followerID, followedID string, state FollowState) (*Follow, error) {
	now := s.clock()
	var out *Follow
	err := s.inTxHook(ctx, func(tx storage.Tx, st Store) error {
		f, err := st.GetFollow(ctx, followerID, followedID)
		if err != nil {
			return storeErr("follow", err)
		}
		out = f
		if f.State == state {
			return nil
		}
		if state == FollowAccepted && f.State == FollowRejected {
			return ErrFollowState
		}
		prev := f.State
		f.State, f.UpdatedAt = state, now
		if err := st.PutFollow(ctx, f); err != nil {
			return storeErr("follow", err)
		}
		return s.emitFollow(ctx, tx, st, f, prev, false, false)
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AcceptFollow accepts a pending follow. Accepting an accepted follow
// changes nothing; a rejected one gives ErrFollowState (the follower must
// ask again). ErrNotFound when there is no follow between the two.
func (s *Service) AcceptFollow(ctx context.Context, followerID, followedID string) (*Follow, error) {
	return s.setFollowState(ctx, followerID, followedID, FollowAccepted)
}

// RejectFollow rejects a pending follow, or removes an accepted follower
// (which is what a Reject of an accepted Follow means in ActivityPub).
// The follow is kept as rejected until the follower asks again or
// unfollows. Rejecting twice changes nothing.
func (s *Service) RejectFollow(ctx context.Context, followerID, followedID string) (*Follow, error) {
	return s.setFollowState(ctx, followerID, followedID, FollowRejected)
}

// Unfollow deletes the follow between the two actors, in any state
// (ErrNotFound when there is none).
func (s *Service) Unfollow(ctx context.Context, followerID, followedID string) error {
	return s.inTxHook(ctx, func(tx storage.Tx, st Store) error {
		f, err := st.GetFollow(ctx, followerID, followedID)
		if err != nil {
			return storeErr("unfollow", err)
		}
		if err := st.DeleteFollow(ctx, followerID, followedID); err != nil {
			return storeErr("unfollow", err)
		}
		return s.emitFollow(ctx, tx, st, f, f.State, false, true)
	})
}

// GetFollow returns the follow between two actors, in any state.
func (s *Service) GetFollow(ctx context.Context, followerID, followedID string) (*Follow, error) {
	f, err := s.store.GetFollow(ctx, followerID, followedID)
	if err != nil {
		return nil, storeErr("follow", err)
	}
	return f, nil
}

// GetFollowByAPID returns a follow by the id of its Follow activity (to
// handle an incoming Accept, Reject or Undo).
func (s *Service) GetFollowByAPID(ctx context.Context, apID string) (*Follow, error) {
	f, err := s.store.GetFollowByAPID(ctx, apID)
	if err != nil {
		return nil, storeErr("follow "+apID, err)
	}
	return f, nil
}

type listFollowsFunc func(ctx context.Context, actorID string, state FollowState, after storage.Cursor, limit int) ([]Follow, error)

// page lists one page of follows. The returned cursor is the position of
// the last item when more follow, and the zero Cursor on the last page.
func (s *Service) page(ctx context.Context, list listFollowsFunc, actorID string, state FollowState, after storage.Cursor, limit int) ([]Follow, storage.Cursor, error) {
	switch {
	case limit == 0:
		limit = DefaultPageLimit
	case limit < 0 || limit > MaxPageLimit:
		return nil, storage.Cursor{}, invalid("limit", "must be between 1 and %d (0 for %d)", MaxPageLimit, DefaultPageLimit)
	}
	if _, err := s.GetActor(ctx, actorID); err != nil {
		return nil, storage.Cursor{}, err
	}
	items, err := list(ctx, actorID, state, after, limit+1)
	if err != nil {
		return nil, storage.Cursor{}, storeErr("list follows", err)
	}
	if len(items) <= limit {
		return items, storage.Cursor{}, nil
	}
	items = items[:limit]
	last := items[limit-1]
	return items, storage.Cursor{At: last.CreatedAt, ID: last.ID}, nil
}

// Followers lists the accepted followers of an actor, oldest first, one
// page of at most limit (0 means DefaultPageLimit, at most MaxPageLimit)
// after the cursor. The returned cursor gives the next page; it is the
// zero Cursor on the last page.
func (s *Service) Followers(ctx context.Context, actorID string, after storage.Cursor, limit int) ([]Follow, storage.Cursor, error) {
	return s.page(ctx, s.store.ListFollowers, actorID, FollowAccepted, after, limit)
}

// PendingFollowers lists the follow requests waiting for the actor's
// approval, like Followers.
func (s *Service) PendingFollowers(ctx context.Context, actorID string, after storage.Cursor, limit int) ([]Follow, storage.Cursor, error) {
	return s.page(ctx, s.store.ListFollowers, actorID, FollowPending, after, limit)
}

// Following lists the accepted follows of an actor, like Followers.
func (s *Service) Following(ctx context.Context, actorID string, after storage.Cursor, limit int) ([]Follow, storage.Cursor, error) {
	return s.page(ctx, s.store.ListFollowing, actorID, FollowAccepted, after, limit)
}
