package identity

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// Key limits.
const (
	// MinRSAKeyBits is the smallest RSA modulus accepted, for local and
	// remote keys alike.
	MinRSAKeyBits = 2048
	// MaxRSAKeyBits is the largest RSA modulus accepted from the network:
	// verification cost grows with the key size.
	MaxRSAKeyBits = 8192
	// MaxKeyPEMLength is the most bytes of a PEM key document.
	MaxKeyPEMLength = 16 << 10
)

// decodeOnePEM decodes the one PEM block of text; anything but white
// space around it is refused.
func decodeOnePEM(text string) (*pem.Block, error) {
	if len(text) > MaxKeyPEMLength {
		return nil, fmt.Errorf("%w: PEM longer than %d bytes", ErrInvalidKey, MaxKeyPEMLength)
	}
	block, rest := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM block", ErrInvalidKey)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, fmt.Errorf("%w: text after the PEM block", ErrInvalidKey)
	}
	return block, nil
}

func checkRSA(k *rsa.PublicKey) error {
	if bits := k.N.BitLen(); bits < MinRSAKeyBits || bits > MaxRSAKeyBits {
		return fmt.Errorf("%w: RSA key of %d bits, want %d to %d", ErrInvalidKey, bits, MinRSAKeyBits, MaxRSAKeyBits)
	}
	return nil
}

// ParsePublicKeyPEM parses an actor's public key: a "PUBLIC KEY" (SPKI,
// as Mastodon and most servers publish) or "RSA PUBLIC KEY" (PKCS#1, as
// Mobilizon publishes) PEM block. It returns an *rsa.PublicKey of
// MinRSAKeyBits to MaxRSAKeyBits bits or an ed25519.PublicKey; anything
// else is an error wrapping ErrInvalidKey.
func ParsePublicKeyPEM(pemText string) (crypto.PublicKey, error) {
	block, err := decodeOnePEM(pemText)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a public key", ErrInvalidKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	switch k := key.(type) {
	case *rsa.PublicKey:
		if err := checkRSA(k); err != nil {
			return nil, err
		}
		return k, nil
	case ed25519.PublicKey:
		return k, nil
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrInvalidKey, key)
	}
}

// ParsePrivateKeyPEM parses a local actor's private key: a "PRIVATE KEY"
// (PKCS#8, what this package writes) or "RSA PRIVATE KEY" (PKCS#1) PEM
// block holding an RSA key of at least MinRSAKeyBits bits or an Ed25519
// key. The result is an *rsa.PrivateKey or an ed25519.PrivateKey, both
// crypto.Signers. Anything else is an error wrapping ErrInvalidKey.
func ParsePrivateKeyPEM(pemText string) (crypto.Signer, error) {
	block, err := decodeOnePEM(pemText)
	if err != nil {
		return nil, err
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block %q is not a private key", ErrInvalidKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if err := checkRSA(&k.PublicKey); err != nil {
			return nil, err
		}
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	default:
		return nil, fmt.Errorf("%w: unsupported key type %T", ErrInvalidKey, key)
	}
}

// encodeKeyPair returns the SPKI "PUBLIC KEY" and PKCS#8 "PRIVATE KEY"
// PEM texts of k.
func encodeKeyPair(k *rsa.PrivateKey) (pubPEM, privPEM string, err error) {
	if err := checkRSA(&k.PublicKey); err != nil {
		return "", "", err
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return "", "", fmt.Errorf("identity: encode public key: %w", err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return "", "", fmt.Errorf("identity: encode private key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv})), nil
}
