package identity_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

func pemText(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// mustDER returns a function that unwraps a (DER, error) pair.
func mustDER(t *testing.T) func([]byte, error) []byte {
	return func(der []byte, err error) []byte {
		t.Helper()
		require.NoError(t, err)
		return der
	}
}

// weakRSAPublic is a 1024-bit RSA public key (its modulus need not
// factor: parsing does not check).
func weakRSAPublic() *rsa.PublicKey {
	n := new(big.Int).Lsh(big.NewInt(1), 1023)
	n.Add(n, big.NewInt(1))
	return &rsa.PublicKey{N: n, E: 65537}
}

func TestParsePublicKeyPEM(t *testing.T) {
	t.Parallel()
	keys, err := sharedKeys()
	require.NoError(t, err)
	rsaKey := keys[0]
	edPub, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	_ = edPriv
	// Mobilizon publishes PKCS#1; our own key in that form, and the live
	// mobilizon.fr key from the shared fixtures when they are there.
	mobilizon, ok := mobilizonFixtureKey(t)
	if !ok {
		t.Log("shared fixtures absent: the live Mobilizon key case is not run")
		mobilizon = pemText("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey))
	}

	spki := pemText("PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)))
	tests := []struct {
		name string
		pem  string
		bits int // RSA modulus size; 0 for Ed25519
	}{
		{"Mobilizon PKCS#1 RSA PUBLIC KEY", mobilizon, 2048},
		{"SPKI RSA", spki, 2048},
		{"SPKI RSA with surrounding space", "\n  " + spki + "\n\n", 2048},
		{"PKCS#1 RSA", pemText("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rsaKey.PublicKey)), 2048},
		{"SPKI Ed25519", pemText("PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(edPub))), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key, err := identity.ParsePublicKeyPEM(tt.pem)
			require.NoError(t, err)
			switch k := key.(type) {
			case *rsa.PublicKey:
				assert.Equal(t, tt.bits, k.N.BitLen())
			case ed25519.PublicKey:
				assert.Zero(t, tt.bits)
				assert.Equal(t, edPub, k)
			default:
				t.Fatalf("unexpected key type %T", key)
			}
		})
	}
}

func TestParsePublicKeyPEMRefuses(t *testing.T) {
	t.Parallel()
	keys, err := sharedKeys()
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	spki := pemText("PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(&keys[0].PublicKey)))

	tests := map[string]string{
		"empty":               "",
		"not PEM":             "MIIBCgKCAQEAuy0YgN9pPTSzMHhEnRCyXf98xQV8fRqKcAAo53edoFa7Cpkow5mM",
		"certificate block":   pemText("CERTIFICATE", []byte("not really")),
		"private key block":   pemText("PRIVATE KEY", mustDER(t)(x509.MarshalPKCS8PrivateKey(keys[0]))),
		"garbage DER SPKI":    pemText("PUBLIC KEY", []byte("garbage")),
		"garbage DER PKCS1":   pemText("RSA PUBLIC KEY", []byte("garbage")),
		"PKCS#1 under SPKI":   pemText("PUBLIC KEY", x509.MarshalPKCS1PublicKey(&keys[0].PublicKey)),
		"SPKI under PKCS#1":   pemText("RSA PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(&keys[0].PublicKey))),
		"RSA 1024 PKCS#1":     pemText("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(weakRSAPublic())),
		"RSA 1024 SPKI":       pemText("PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(weakRSAPublic()))),
		"ECDSA P-256":         pemText("PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(&ec.PublicKey))),
		"two blocks":          spki + spki,
		"text after":          spki + "trailing words",
		"truncated":           spki[:len(spki)/2],
		"over the size limit": spki + strings.Repeat(" ", identity.MaxKeyPEMLength),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key, err := identity.ParsePublicKeyPEM(in)
			require.ErrorIs(t, err, identity.ErrInvalidKey)
			assert.Nil(t, key)
		})
	}
}

func TestParsePrivateKeyPEM(t *testing.T) {
	t.Parallel()
	keys, err := sharedKeys()
	require.NoError(t, err)
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)

	tests := []struct {
		name string
		pem  string
	}{
		{"PKCS#8 RSA", pemText("PRIVATE KEY", mustDER(t)(x509.MarshalPKCS8PrivateKey(keys[1])))},
		{"PKCS#1 RSA", pemText("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(keys[1]))},
		{"PKCS#8 Ed25519", pemText("PRIVATE KEY", mustDER(t)(x509.MarshalPKCS8PrivateKey(edPriv)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			signer, err := identity.ParsePrivateKeyPEM(tt.pem)
			require.NoError(t, err)
			switch k := signer.(type) {
			case *rsa.PrivateKey:
				assert.True(t, k.Equal(keys[1]))
			case ed25519.PrivateKey:
				assert.True(t, k.Equal(edPriv))
			default:
				t.Fatalf("unexpected key type %T", signer)
			}
		})
	}
}

func TestParsePrivateKeyPEMRefuses(t *testing.T) {
	t.Parallel()
	keys, err := sharedKeys()
	require.NoError(t, err)
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	require.NoError(t, err)

	tests := map[string]string{
		"empty":             "",
		"public key block":  pemText("PUBLIC KEY", mustDER(t)(x509.MarshalPKIXPublicKey(&keys[0].PublicKey))),
		"garbage PKCS#8":    pemText("PRIVATE KEY", []byte("garbage")),
		"garbage PKCS#1":    pemText("RSA PRIVATE KEY", []byte("garbage")),
		"ECDSA PKCS#8":      pemText("PRIVATE KEY", mustDER(t)(x509.MarshalPKCS8PrivateKey(ec))),
		"RSA 1024 PKCS#8":   pemText("PRIVATE KEY", mustDER(t)(x509.MarshalPKCS8PrivateKey(weak))),
		"RSA 1024 PKCS#1":   pemText("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(weak)),
		"encrypted-looking": "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			key, err := identity.ParsePrivateKeyPEM(in)
			require.ErrorIs(t, err, identity.ErrInvalidKey)
			assert.Nil(t, key)
		})
	}
}

func FuzzParsePublicKeyPEM(f *testing.F) {
	if k, ok := mobilizonFixtureKey(f); ok {
		f.Add(k)
	}
	f.Add(pemText("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(weakRSAPublic())))
	f.Add("-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n")
	f.Add("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		key, err := identity.ParsePublicKeyPEM(in)
		if err != nil {
			if key != nil {
				t.Fatalf("key %T with error %v", key, err)
			}
			return
		}
		switch k := key.(type) {
		case *rsa.PublicKey:
			if b := k.N.BitLen(); b < identity.MinRSAKeyBits || b > identity.MaxRSAKeyBits {
				t.Fatalf("accepted a %d-bit RSA key", b)
			}
		case ed25519.PublicKey:
			if len(k) != ed25519.PublicKeySize {
				t.Fatalf("accepted an Ed25519 key of %d bytes", len(k))
			}
		default:
			t.Fatalf("accepted a %T", key)
		}
	})
}
