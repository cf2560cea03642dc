package outbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/wire"
)

func TestFollowChanged(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.drain()
	alice, err := w.inst.Identity.GetActor(w.ctx, w.alice.ID)
	require.NoError(t, err)
	r3Inbox := []string{"https://b.example/users/r3/inbox"}

	one := func(t *testing.T, typ, signer string) *wire.ParsedActivity {
		t.Helper()
		got := w.drain()
		require.Len(t, got, 1)
		assert.Equal(t, typ, got[0].Activity.Type)
		assert.Equal(t, signer, got[0].Signer)
		assert.Equal(t, r3Inbox, got[0].Inboxes)
		return got[0].Activity
	}

	// A remote actor follows alice, who accepts at once: Accept{Follow}.
	_, err = w.inst.Identity.Follow(w.ctx, w.r3.ID, w.alice.ID, w.r3.APID+"/follows/7")
	require.NoError(t, err)
	a := one(t, wire.TypeAccept, alice.APID)
	require.NotNil(t, a.Activity)
	assert.Equal(t, wire.TypeFollow, a.Activity.Type)
	assert.Equal(t, w.r3.APID+"/follows/7", a.Activity.ID)

	// It asks again (it lost our Accept): it is answered again.
	_, err = w.inst.Identity.Follow(w.ctx, w.r3.ID, w.alice.ID, w.r3.APID+"/follows/8")
	require.NoError(t, err)
	a = one(t, wire.TypeAccept, alice.APID)
	assert.Equal(t, w.r3.APID+"/follows/8", a.Activity.ID)

	// Alice removes that follower: Reject{Follow}.
	_, err = w.inst.Identity.RejectFollow(w.ctx, w.r3.ID, w.alice.ID)
	require.NoError(t, err)
	one(t, wire.TypeReject, alice.APID)

	// Alice follows the remote actor: Follow, signed by alice; its
	// Accept (applied by the inbox) sends nothing.
	f, err := w.inst.Identity.Follow(w.ctx, w.alice.ID, w.r3.ID, "")
	require.NoError(t, err)
	a = one(t, wire.TypeFollow, alice.APID)
	assert.Equal(t, f.APID, a.ID)
	assert.Equal(t, w.r3.APID, a.ObjectIRI)
	_, err = w.inst.Identity.AcceptFollow(w.ctx, w.alice.ID, w.r3.ID)
	require.NoError(t, err)
	assert.Empty(t, w.drain(), "the remote Accept needs no answer")

	// Alice unfollows: Undo{Follow}.
	require.NoError(t, w.inst.Identity.Unfollow(w.ctx, w.alice.ID, w.r3.ID))
	a = one(t, wire.TypeUndo, alice.APID)
	require.NotNil(t, a.Activity)
	assert.Equal(t, f.APID, a.Activity.ID)

	// Between two local profiles nothing goes over HTTP.
	_, err = w.inst.Identity.Follow(w.ctx, w.bob.ID, w.alice.ID, "")
	require.NoError(t, err)
	require.NoError(t, w.inst.Identity.Unfollow(w.ctx, w.bob.ID, w.alice.ID))
	assert.Empty(t, w.drain())
}

// TestNotify: the worker is woken once a transaction that queued
// deliveries has committed, and not for one that queued nothing (rolled
// back transactions run no AfterCommit: see storage/internal/sqlstore).
func TestNotify(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	w.drain()
	before := w.notified.Load()
	_, err := w.inst.Identity.Follow(w.ctx, w.bob.ID, w.alice.ID, "")
	require.NoError(t, err)
	assert.Equal(t, before, w.notified.Load(), "nothing queued between local profiles")
	_, err = w.inst.Identity.Follow(w.ctx, w.alice.ID, w.r3.ID, "")
	require.NoError(t, err)
	assert.Equal(t, before+1, w.notified.Load(), "the Follow to send")
	w.drain()
}
