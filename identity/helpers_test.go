package identity_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fakeclock"
)

// cheapArgon2 makes password hashing nearly free in tests.
func cheapArgon2() identity.Argon2Params {
	return identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}
}

// RSA-2048 generation is slow, above all under -race: the test binary
// makes three keys once and hands them out in turn.
var (
	testKeysOnce sync.Once
	testKeys     []*rsa.PrivateKey
	testKeysErr  error
)

func sharedKeys() ([]*rsa.PrivateKey, error) {
	testKeysOnce.Do(func() {
		for range 3 {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				testKeysErr = err
				return
			}
			testKeys = append(testKeys, k)
		}
	})
	return testKeys, testKeysErr
}

// keyGen returns a Config.GenerateKey that reuses the shared keys.
func keyGen(t testing.TB) func() (*rsa.PrivateKey, error) {
	t.Helper()
	keys, err := sharedKeys()
	require.NoError(t, err)
	var n atomic.Uint32
	return func() (*rsa.PrivateKey, error) {
		return keys[int(n.Add(1))%len(keys)], nil
	}
}

// clock is the tests' fake clock.
type clock = fakeclock.Clock

func newClock() *clock {
	return fakeclock.New(time.Date(2026, 3, 14, 9, 26, 53, 589793238, time.UTC))
}

// mobilizonFixtureKey returns the publicKeyPem of the live mobilizon.fr
// group actor in the shared fixtures beside the checkout (PKCS#1 "RSA
// PUBLIC KEY", as Mobilizon publishes), ok=false when the fixtures are
// not there.
func mobilizonFixtureKey(t testing.TB) (string, bool) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "shared", "fixtures", "fedidevs-mobilizon.fr-group-framasoft.json"))
	if err != nil {
		return "", false
	}
	var doc struct {
		PublicKey struct {
			PublicKeyPem string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.NotEmpty(t, doc.PublicKey.PublicKeyPem)
	return doc.PublicKey.PublicKeyPem, true
}

func x509MarshalPKCS1(k *rsa.PublicKey) []byte { return x509.MarshalPKCS1PublicKey(k) }
