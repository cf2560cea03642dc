package httpsig

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	cavage "code.superseriousbusiness.org/httpsig"
	rfc "github.com/dadrus/httpsig"
)

// SignerConfig configures a Signer.
type SignerConfig struct {
	// KeyID is the public key's IRI, e.g. https://h.example/@alice#main-key.
	// Required.
	KeyID string
	// Key is an *rsa.PrivateKey or ed25519.PrivateKey, as
	// identity.ParsePrivateKeyPEM returns. Required. Peers mostly accept
	// RSA only (Mastodon's RFC 9421 profile: rsa-v1_5-sha256 only).
	Key crypto.Signer
	// Now is the clock of the Date header; nil means time.Now.
	Now func() time.Time
}

// Signer signs outgoing requests as one actor. It is safe for
// concurrent use.
type Signer struct {
	keyID string
	key   crypto.Signer
	now   func() time.Time
}

// NewSigner returns a Signer.
func NewSigner(cfg SignerConfig) (*Signer, error) {
	if _, err := keyHost(cfg.KeyID); err != nil {
		return nil, fmt.Errorf("httpsig: SignerConfig.KeyID: %w", err)
	}
	if strings.ContainsAny(cfg.KeyID, "\",\\") {
		return nil, fmt.Errorf("httpsig: SignerConfig.KeyID %q contains a quote, comma or backslash", cfg.KeyID)
	}
	switch cfg.Key.(type) {
	case *rsa.PrivateKey, ed25519.PrivateKey:
	case nil:
		return nil, errors.New("httpsig: SignerConfig.Key is required")
	default:
		return nil, fmt.Errorf("httpsig: SignerConfig.Key: unsupported key type %T", cfg.Key)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Signer{keyID: cfg.KeyID, key: cfg.Key, now: cfg.Now}, nil
}

// KeyID returns the keyId the Signer signs with.
func (s *Signer) KeyID() string { return s.keyID }

// Sign signs r, an outgoing request with an absolute URL whose body is
// exactly body (nil for none), replacing any earlier signature.
//
// It sets Host (in r.Host and r.Header, as the cavage library requires)
// and Date from the Signer's clock. With Cavage it signs
// (request-target) host date, plus digest with an RFC 3230 SHA-256
// Digest header on every method but GET and HEAD; the algorithm
// parameter says rsa-sha256 for RSA keys (what Mastodon and Mobilizon
// send) and hs2019 for Ed25519. With RFC9421 it signs
// ("@method" "@target-uri" "@authority" "date"), plus "content-digest"
// with an RFC 9530 sha-256 Content-Digest on methods with a body, with
// created and keyid and no expires, label sig1, alg rsa-v1_5-sha256 or
// ed25519. The RFC 9421 library takes created from time.Now, not from
// the Signer's clock.
func (s *Signer) Sign(r *http.Request, body []byte, scheme Scheme) error {
	if r.URL == nil || !r.URL.IsAbs() || r.URL.Host == "" {
		return errors.New("httpsig: Sign needs an absolute URL")
	}
	host := r.Host
	if host == "" {
		host = r.URL.Host
	}
	r.Host = host
	for _, h := range []string{"Signature", "Signature-Input", "Digest", "Content-Digest"} {
		r.Header.Del(h)
	}
	r.Header.Set("Host", host)
	r.Header.Set("Date", s.now().UTC().Format(http.TimeFormat))
	switch scheme {
	case Cavage:
		return s.signCavage(r, body)
	case RFC9421:
		return s.signRFC9421(r, body)
	default:
		return fmt.Errorf("httpsig: unknown scheme %q", scheme)
	}
}

func (s *Signer) signCavage(r *http.Request, body []byte) error {
	headers := []string{cavage.RequestTarget, "host", "date"}
	alg, declared := cavage.RSA_SHA256, "rsa-sha256"
	if _, ok := s.key.(ed25519.PrivateKey); ok {
		alg, declared = cavage.ED25519, "hs2019"
	}
	var digestBody []byte
	if needsDigest(r) {
		headers = append(headers, "digest")
		digestBody = body
		if digestBody == nil {
			digestBody = []byte{}
		}
	}
	signer, _, err := cavage.NewSigner([]cavage.Algorithm{alg}, cavage.DigestSha256, headers, cavage.Signature, 0)
	if err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	if err := signer.SignRequest(s.key, s.keyID, r, digestBody); err != nil {
		return fmt.Errorf("httpsig: sign: %w", err)
	}
	// The library always declares hs2019; RSA peers expect rsa-sha256.
	// The parameter is not part of the signed string.
	sig := r.Header.Get("Signature")
	r.Header.Set("Signature", strings.Replace(sig, `",algorithm="hs2019",`, `",algorithm="`+declared+`",`, 1))
	return nil
}

func (s *Signer) signRFC9421(r *http.Request, body []byte) error {
	alg := rfc.RsaPkcs1v15Sha256
	if _, ok := s.key.(ed25519.PrivateKey); ok {
		alg = rfc.Ed25519
	}
	components := []string{"@method", "@target-uri", "@authority", "date"}
	if needsDigest(r) {
		components = append(components, "content-digest")
	}
	signer, err := rfc.NewSigner(rfc.Key{KeyID: s.keyID, Algorithm: alg, Key: s.key},
		rfc.WithComponents(components...),
		rfc.WithTTL(0),
		rfc.WithLabel("sig1"),
		rfc.WithContentDigestAlgorithm(rfc.Sha256),
	)
	if err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	msg := &rfc.Message{
		Context:   r.Context(),
		Method:    r.Method,
		Authority: r.Host,
		URL:       r.URL,
		Header:    r.Header,
		Body:      func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		IsRequest: true,
	}
	if _, err := signer.Sign(msg); err != nil {
		return fmt.Errorf("httpsig: sign: %w", err)
	}
	return nil
}
