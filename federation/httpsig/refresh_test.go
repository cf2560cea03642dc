package httpsig_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/internal/fakeclock"
)

func TestKeyRotationRefreshesOnce(t *testing.T) {
	t.Parallel()
	oldKey, newKey := privateKey(t, "rsa1"), privateKey(t, "rsa2")
	for _, scheme := range []httpsig.Scheme{httpsig.Cavage, httpsig.RFC9421} {
		keys := newFakeKeys()
		e := keys.set(aliceKey, alice, pub(oldKey))
		e.fresh = pub(newKey) // the actor rotated its key; the cache still has the old one
		v := newVerifier(t, keys, time.Now)
		s := newSigner(t, aliceKey, newKey, time.Now)

		res, err := v.Verify(t.Context(), signed(t, s, scheme, http.MethodPost, "https://local.example/inbox", []byte(activity)), []byte(activity))
		require.NoError(t, err, scheme)
		assert.True(t, res.Refreshed)
		assert.Equal(t, []call{{aliceKey, false}, {aliceKey, true}}, keys.callLog())
	}
}

func TestRefreshFailureAndFreshKeys(t *testing.T) {
	t.Parallel()
	key, other := privateKey(t, "rsa1"), privateKey(t, "rsa2")
	s := newSigner(t, aliceKey, other, func() time.Time { return epoch })

	// The refresh itself fails: the key is unavailable.
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key)).failFresh = true
	v := newVerifier(t, keys, func() time.Time { return epoch })
	_, err := v.Verify(t.Context(), signed(t, s, httpsig.Cavage, http.MethodPost, "https://local.example/inbox", []byte(activity)), []byte(activity))
	require.ErrorIs(t, err, httpsig.ErrKeyUnavailable)
	assert.Len(t, keys.callLog(), 2)

	// A key the resolver has just fetched is not fetched again.
	fresh := &freshKeys{fakeKeys: newFakeKeys()}
	fresh.set(aliceKey, alice, pub(key))
	v = newVerifier(t, fresh, func() time.Time { return epoch })
	_, err = v.Verify(t.Context(), signed(t, s, httpsig.Cavage, http.MethodPost, "https://local.example/inbox", []byte(activity)), []byte(activity))
	require.ErrorIs(t, err, httpsig.ErrBadSignature)
	assert.Equal(t, []call{{aliceKey, false}}, fresh.callLog())
}

// freshKeys answers every lookup as freshly fetched.
type freshKeys struct{ *fakeKeys }

func (f *freshKeys) ResolveKey(ctx context.Context, keyID string, refresh bool) (httpsig.Key, error) {
	k, err := f.fakeKeys.ResolveKey(ctx, keyID, refresh)
	k.Fresh = true
	return k, err
}

func TestRefreshCooloff(t *testing.T) {
	t.Parallel()
	key, forger := privateKey(t, "rsa1"), privateKey(t, "rsa2")
	keys := newFakeKeys()
	keys.set(aliceKey, alice, pub(key))
	keys.set("https://remote.example/users/carol#main-key", "https://remote.example/users/carol", pub(key))
	keys.set(bobKey, bob, pub(key))
	clk := fakeclock.New(epoch)
	v := newVerifier(t, keys, clk.Now)
	bad := func(keyID string) *http.Request {
		s := newSigner(t, keyID, forger, clk.Now)
		return signed(t, s, httpsig.Cavage, http.MethodPost, "https://local.example/inbox", []byte(activity))
	}
	refreshes := func() int {
		n := 0
		for _, c := range keys.callLog() {
			if c.refresh {
				n++
			}
		}
		return n
	}

	// 50 bad signatures within a minute, concurrently, from two keys of
	// one host: one refresh.
	var wg sync.WaitGroup
	for i := range 50 {
		keyID := aliceKey
		if i%2 == 1 {
			keyID = "https://remote.example/users/carol#main-key"
		}
		r := bad(keyID)
		wg.Go(func() {
			_, err := v.Verify(t.Context(), r, []byte(activity))
			assert.ErrorIs(t, err, httpsig.ErrBadSignature)
		})
	}
	wg.Wait()
	assert.Equal(t, 1, refreshes())
	assert.Len(t, keys.callLog(), 51)

	// Another host has its own cool-off.
	_, err := v.Verify(t.Context(), bad(bobKey), []byte(activity))
	require.ErrorIs(t, err, httpsig.ErrBadSignature)
	assert.Equal(t, 2, refreshes())

	// Still cooling off a minute before the end; refreshed again after.
	clk.Advance(httpsig.RefreshCooloff - time.Minute)
	_, err = v.Verify(t.Context(), bad(aliceKey), []byte(activity))
	require.ErrorIs(t, err, httpsig.ErrBadSignature)
	assert.Equal(t, 2, refreshes())
	clk.Advance(time.Minute)
	_, err = v.Verify(t.Context(), bad(aliceKey), []byte(activity))
	require.ErrorIs(t, err, httpsig.ErrBadSignature)
	assert.Equal(t, 3, refreshes())
}

func TestNewVerifierAndSignerValidateConfig(t *testing.T) {
	t.Parallel()
	_, err := httpsig.NewVerifier(httpsig.Config{})
	require.Error(t, err)
	_, err = httpsig.NewVerifier(httpsig.Config{Keys: newFakeKeys(), Scheme: "ftp"})
	require.Error(t, err)
	key := privateKey(t, "rsa1")
	for name, cfg := range map[string]httpsig.SignerConfig{
		"no key id":    {Key: key},
		"relative key": {KeyID: "/users/a#main-key", Key: key},
		"quote in key": {KeyID: `https://h.example/a"b`, Key: key},
		"no key":       {KeyID: aliceKey},
	} {
		_, err := httpsig.NewSigner(cfg)
		assert.Error(t, err, name)
	}
	s := newSigner(t, aliceKey, key, nil)
	r, err := http.NewRequest(http.MethodGet, "/relative", nil)
	require.NoError(t, err)
	require.Error(t, s.Sign(r, nil, httpsig.Cavage))
	r, err = http.NewRequest(http.MethodGet, "https://h.example/", nil)
	require.NoError(t, err)
	require.Error(t, s.Sign(r, nil, httpsig.Scheme("jws")))
}
