package ical_test

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

// The instance clock of the feed tests.
var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

var (
	keyOnce sync.Once
	testKey *rsa.PrivateKey
	keyErr  error
)

// fixedKey returns the pre-generated key of testdata: generating RSA
// keys under -race is slow.
func fixedKey() (*rsa.PrivateKey, error) {
	keyOnce.Do(func() {
		var data []byte
		data, keyErr = os.ReadFile("testdata/test-key.pem")
		if keyErr != nil {
			return
		}
		block, _ := pem.Decode(data)
		var k any
		k, keyErr = x509.ParsePKCS8PrivateKey(block.Bytes)
		if keyErr == nil {
			testKey = k.(*rsa.PrivateKey)
		}
	})
	return testKey, keyErr
}

// clock is the tests' fake clock.
type clock = fakeclock.Clock

// world is an instance over a fresh SQLite database, with feeds.
type world struct {
	t     testing.TB
	ctx   context.Context
	clock *clock
	inst  *convene.Instance
	store convene.Store
	feeds *ical.Feeds
}

func newWorld(t testing.TB) *world {
	t.Helper()
	c := fakeclock.New(t0)
	st := sqlitetest.Open(t)
	inst, err := convene.New(convene.Config{Store: st, BaseURL: "https://events.example", Now: c.Now,
		Argon2:      identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: fixedKey})
	require.NoError(t, err)
	feeds, err := ical.NewFeeds(ical.FeedConfig{Events: st, Identity: inst.Identity, Groups: inst.Groups,
		BaseURL: "https://events.example", InstanceName: "Events Example", Now: c.Now})
	require.NoError(t, err)
	return &world{t: t, ctx: context.Background(), clock: c, inst: inst, store: st, feeds: feeds}
}

// register makes an account with one profile and returns both ids.
func (w *world) register(name string) (accountID, profileID string) {
	w.t.Helper()
	a, p, err := w.inst.Identity.Register(w.ctx, identity.RegisterInput{Email: name + "@example.org",
		Password: "a long enough password", Username: name, DisplayName: name})
	require.NoError(w.t, err)
	return a.ID, p.ID
}

// get requests a feed path with optional headers.
func (w *world) get(path string, header ...string) *http.Response {
	w.t.Helper()
	return do(w.t, w.feeds, http.MethodGet, path, header...)
}

func do(t testing.TB, h http.Handler, method, path string, header ...string) *http.Response {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec.Result()
}

func body(t testing.TB, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	return string(b)
}
