package storagetest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// sessionCases check identity.SessionStore.
func sessionCases() []testCase {
	return []testCase{
		{"RoundTrip", testSessions},
		{"ConflictsAndNotFound", testSessionErrors},
		{"RolledBack", testSessionsInTx},
	}
}

func normSession(s identity.Session) identity.Session {
	s.Hash = nilIfEmpty(s.Hash)
	return s
}

func testSessions(t *testing.T, w *world) {
	acc := w.account()
	other := w.account()
	first := &identity.Session{ID: w.id(), Hash: hash("session-1"), AccountID: acc.ID, Label: "phone",
		CreatedAt: at(-2 * time.Hour), LastUsedAt: at(-time.Hour)}
	second := &identity.Session{ID: w.id(), Hash: hash("session-2"), AccountID: acc.ID, Label: "",
		CreatedAt: at(-time.Minute), LastUsedAt: at(-time.Minute)}
	foreign := &identity.Session{ID: w.id(), Hash: hash("session-3"), AccountID: other.ID, Label: "laptop",
		CreatedAt: at(-3 * time.Hour), LastUsedAt: at(0)}
	// Inserted out of creation order: the list is ordered anyway.
	for _, s := range []*identity.Session{second, foreign, first} {
		require.NoError(t, w.b.CreateSession(w.ctx, s))
	}
	for _, s := range []*identity.Session{first, second, foreign} {
		got, err := w.b.GetSessionByHash(w.ctx, s.Hash)
		require.NoError(t, err)
		require.Equal(t, normSession(*s), normSession(*got))
	}
	list, err := w.b.ListSessions(w.ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, normSession(*first), normSession(list[0]), "ordered by creation")
	require.Equal(t, normSession(*second), normSession(list[1]))

	// Touching moves LastUsedAt only.
	require.NoError(t, w.b.TouchSession(w.ctx, first.ID, at(time.Hour)))
	got, err := w.b.GetSessionByHash(w.ctx, first.Hash)
	require.NoError(t, err)
	want := *first
	want.LastUsedAt = at(time.Hour)
	require.Equal(t, normSession(want), normSession(*got))

	// Deleting one leaves the others.
	require.NoError(t, w.b.DeleteSession(w.ctx, first.ID))
	_, err = w.b.GetSessionByHash(w.ctx, first.Hash)
	requireNotFound(t, err, "GetSessionByHash of a deleted session")
	list, err = w.b.ListSessions(w.ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, second.ID, list[0].ID)
	list, err = w.b.ListSessions(w.ctx, other.ID)
	require.NoError(t, err)
	require.Len(t, list, 1, "another account's sessions are untouched")

	list, err = w.b.ListSessions(w.ctx, w.id())
	require.NoError(t, err)
	require.Empty(t, list, "an unknown account has no sessions")
}

func testSessionErrors(t *testing.T, w *world) {
	acc := w.account()
	s := &identity.Session{ID: w.id(), Hash: hash("session"), AccountID: acc.ID, Label: "cli", CreatedAt: at(0), LastUsedAt: at(0)}
	require.NoError(t, w.b.CreateSession(w.ctx, s))

	sameID := &identity.Session{ID: s.ID, Hash: hash("other"), AccountID: acc.ID, CreatedAt: at(0), LastUsedAt: at(0)}
	requireConflict(t, w.b.CreateSession(w.ctx, sameID), "CreateSession with a taken id")
	sameHash := &identity.Session{ID: w.id(), Hash: hash("session"), AccountID: acc.ID, CreatedAt: at(0), LastUsedAt: at(0)}
	requireConflict(t, w.b.CreateSession(w.ctx, sameHash), "CreateSession with a taken hash")
	orphan := &identity.Session{ID: w.id(), Hash: hash("orphan"), AccountID: w.id(), CreatedAt: at(0), LastUsedAt: at(0)}
	requireNotFound(t, w.b.CreateSession(w.ctx, orphan), "CreateSession of a missing account")
	_, err := w.b.GetSessionByHash(w.ctx, orphan.Hash)
	requireNotFound(t, err, "the refused session is not stored")
	list, err := w.b.ListSessions(w.ctx, acc.ID)
	require.NoError(t, err)
	require.Len(t, list, 1, "refused sessions are not stored")

	_, err = w.b.GetSessionByHash(w.ctx, hash("unknown"))
	requireNotFound(t, err, "GetSessionByHash")
	_, err = w.b.GetSessionByHash(w.ctx, nil)
	requireNotFound(t, err, "GetSessionByHash of no hash")
	requireNotFound(t, w.b.TouchSession(w.ctx, w.id(), at(0)), "TouchSession of a missing session")
	requireNotFound(t, w.b.DeleteSession(w.ctx, w.id()), "DeleteSession of a missing session")
	requireNotFound(t, w.b.DeleteSession(w.ctx, ""), "DeleteSession of no id")
}

// testSessionsInTx: session writes in a rolled-back transaction leave
// nothing behind, and the transaction's SessionStore sees its own writes.
func testSessionsInTx(t *testing.T, w *world) {
	acc := w.account()
	s := &identity.Session{ID: w.id(), Hash: hash("tx-session"), AccountID: acc.ID, CreatedAt: at(0), LastUsedAt: at(0)}
	err := w.b.InTx(w.ctx, func(tx storage.Tx) error {
		st, _, _ := stores(t, tx)
		require.NoError(t, st.CreateSession(w.ctx, s))
		got, err := st.GetSessionByHash(w.ctx, s.Hash)
		require.NoError(t, err)
		require.Equal(t, s.ID, got.ID)
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	_, err = w.b.GetSessionByHash(w.ctx, s.Hash)
	requireNotFound(t, err, "a session created in a rolled-back transaction")
}
