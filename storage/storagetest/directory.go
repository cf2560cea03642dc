package storagetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// directoryCases check identity.DirectoryStore.
func directoryCases() []testCase {
	return []testCase{
		{"ListAccounts", testListAccounts},
		{"KnownHosts", testKnownHosts},
	}
}

func (w *world) directory() identity.DirectoryStore {
	w.t.Helper()
	d, ok := w.b.(identity.DirectoryStore)
	require.True(w.t, ok, "the backend must implement identity.DirectoryStore")
	return d
}

func testListAccounts(t *testing.T, w *world) {
	ctx := context.Background()
	var want []string
	for range 5 {
		want = append(want, w.account().ID)
	}
	got, err := w.directory().ListAccounts(ctx, storage.Cursor{}, 3)
	require.NoError(t, err)
	require.Len(t, got, 3)
	last := got[2]
	rest, err := w.directory().ListAccounts(ctx, storage.Cursor{At: last.CreatedAt, ID: last.ID}, 10)
	require.NoError(t, err)
	var ids []string
	for _, a := range append(got, rest...) {
		ids = append(ids, a.ID)
	}
	assert.ElementsMatch(t, want, ids, "every account once, across the pages")
	for i := 1; i < len(ids); i++ {
		a, b := append(got, rest...)[i-1], append(got, rest...)[i]
		assert.True(t, a.CreatedAt.Before(b.CreatedAt) || (a.CreatedAt.Equal(b.CreatedAt) && a.ID < b.ID), "ordered")
	}
}

func testKnownHosts(t *testing.T, w *world) {
	ctx := context.Background()
	w.actor(w.newRemoteActor("a.example"))
	w.actor(w.newRemoteActor("b.example"))
	w.actor(w.newRemoteActor("b.example"))
	w.actor(w.newLocalActor(identity.TypePerson))
	hosts, err := w.directory().KnownHosts(ctx, 10)
	require.NoError(t, err)
	assert.Equal(t, []identity.HostCount{{Host: "b.example", Actors: 2}, {Host: "a.example", Actors: 1}}, hosts)
	hosts, err = w.directory().KnownHosts(ctx, 1)
	require.NoError(t, err)
	assert.Len(t, hosts, 1)
}
