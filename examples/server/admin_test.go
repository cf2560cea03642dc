package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"CONVENE_DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	adm := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := admin(ctx, append([]string{"admin"}, args...), getenv, &out)
		return out.String(), err
	}
	account := func(email string) *identity.Account {
		db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
		require.NoError(t, err)
		defer db.Close()
		inst, err := convene.New(convene.Config{Store: db, BaseURL: "http://127.0.0.1:8080"})
		require.NoError(t, err)
		a, err := inst.Identity.GetAccountByEmail(ctx, email)
		require.NoError(t, err)
		return a
	}

	out, err := adm("create-account", "--email", "root@example.org", "--password", "a long admin password", "--username", "root", "--admin")
	require.NoError(t, err)
	assert.Contains(t, out, "http://127.0.0.1:8080/@root")
	a := account("root@example.org")
	assert.True(t, a.Confirmed)
	assert.Equal(t, identity.RoleAdmin, a.Role)

	_, err = adm("create-account", "--email", "bad@example.org", "--password", "short", "--username", "bad")
	require.ErrorIs(t, err, identity.ErrInvalid)
	_, err = adm("confirm", "--email", "bad@example.org")
	require.ErrorIs(t, err, identity.ErrNotFound, "a refused account is not half created")

	_, err = adm("promote", "--email", "root@example.org", "--role", "moderator")
	require.NoError(t, err)
	assert.Equal(t, identity.RoleModerator, account("root@example.org").Role)
	_, err = adm("promote", "--email", "root@example.org", "--role", "king")
	require.Error(t, err)

	_, err = adm("suspend", "--email", "root@example.org")
	require.NoError(t, err)
	assert.True(t, account("root@example.org").Suspended)
	_, err = adm("suspend", "--email", "root@example.org", "--undo")
	require.NoError(t, err)
	assert.False(t, account("root@example.org").Suspended)

	out, err = adm("reset-password", "--email", "root@example.org")
	require.NoError(t, err)
	pw := strings.TrimSpace(out[strings.LastIndex(out, ": ")+2:])
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	require.NoError(t, err)
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "http://127.0.0.1:8080"})
	require.NoError(t, err)
	_, err = inst.Identity.Authenticate(ctx, "root@example.org", pw)
	require.NoError(t, err, "the printed password works")
	require.NoError(t, db.Close())

	for _, args := range [][]string{{}, {"frobnicate", "--email", "x@example.org"}, {"confirm"}, {"confirm", "--email", "nobody@example.org"}, {"confirm", "--email", "a@b.c", "extra"}} {
		_, err := adm(args...)
		assert.Error(t, err, "%q", args)
	}
}
