package storage_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/storage"
)

func TestCursorRoundTrip(t *testing.T) {
	t.Parallel()
	for _, c := range []storage.Cursor{
		{At: time.Date(2026, 5, 17, 14, 0, 0, 123456000, time.UTC), ID: "6f1a-uuid"},
		{At: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC), ID: "before-epoch"},
		{At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ID: "has|pipe"},
	} {
		got, err := storage.ParseCursor(c.String())
		require.NoError(t, err)
		assert.True(t, c.At.Equal(got.At))
		assert.Equal(t, c.ID, got.ID)
	}
	z, err := storage.ParseCursor("")
	require.NoError(t, err)
	assert.True(t, z.IsZero())
	assert.Equal(t, "", storage.Cursor{}.String())
}

func TestParseCursorRejects(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"%%%", "bm9waXBl", "MTIzfA", "YWJjfGlk", strings.Repeat("A", storage.MaxCursorLength+1)} {
		_, err := storage.ParseCursor(s)
		assert.ErrorIs(t, err, storage.ErrInvalidCursor, s)
	}
}

func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(storage.Cursor{At: time.Unix(1700000000, 5), ID: "x"}.String())
	f.Add("MTIzfA")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := storage.ParseCursor(s)
		if err != nil {
			return
		}
		again, err := storage.ParseCursor(c.String())
		if err != nil || !again.At.Equal(c.At) || again.ID != c.ID {
			t.Fatalf("%q parsed to %+v, which does not round-trip: %+v %v", s, c, again, err)
		}
	})
}

type onlyTx struct{ storage.Transactor }

type counter interface{ Count() int }

func TestAs(t *testing.T) {
	t.Parallel()
	_, err := storage.As[counter](onlyTx{})
	require.ErrorIs(t, err, storage.ErrUnsupported)
	tr, err := storage.As[storage.Transactor](onlyTx{})
	require.NoError(t, err)
	assert.NotNil(t, tr)
}
