package httpsig

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	rfc "github.com/dadrus/httpsig"
	"github.com/dunglas/httpsfv"
)

// rfcParams is the one signature of an RFC 9421 request.
type rfcParams struct {
	label      string
	keyID      string
	alg        string
	created    int64
	expires    int64 // 0 when absent
	components []string
}

func (p *rfcParams) covers(c string) bool {
	for _, x := range p.components {
		if x == c {
			return true
		}
	}
	return false
}

// parseRFC9421 reads Signature-Input. Mastodon's profile: exactly one
// signature, created and keyid present.
func parseRFC9421(h http.Header) (*rfcParams, error) {
	in := h.Values("Signature-Input")
	sig := h.Values("Signature")
	if n := len(strings.Join(in, ",")); n > MaxSignatureHeaderBytes {
		return nil, fmt.Errorf("%w: Signature-Input longer than %d bytes", ErrMalformed, MaxSignatureHeaderBytes)
	}
	if n := len(strings.Join(sig, ",")); n > MaxSignatureHeaderBytes {
		return nil, fmt.Errorf("%w: Signature longer than %d bytes", ErrMalformed, MaxSignatureHeaderBytes)
	}
	if len(sig) == 0 {
		return nil, fmt.Errorf("%w: Signature-Input without Signature", ErrMalformed)
	}
	dict, err := unmarshalDictionary(in)
	if err != nil {
		return nil, fmt.Errorf("%w: Signature-Input: %v", ErrMalformed, err)
	}
	// The library parses Signature itself; parse it here first, where a
	// parser panic is contained.
	if _, err := unmarshalDictionary(sig); err != nil {
		return nil, fmt.Errorf("%w: Signature: %v", ErrMalformed, err)
	}
	names := dict.Names()
	if len(names) != 1 {
		return nil, fmt.Errorf("%w: %d signatures, want exactly 1", ErrMalformed, len(names))
	}
	p := &rfcParams{label: names[0]}
	m, _ := dict.Get(p.label)
	list, ok := m.(httpsfv.InnerList)
	if !ok {
		return nil, fmt.Errorf("%w: signature parameters are not an inner list", ErrMalformed)
	}
	if len(list.Items) > MaxCoveredComponents {
		return nil, fmt.Errorf("%w: more than %d components", ErrMalformed, MaxCoveredComponents)
	}
	for _, it := range list.Items {
		name, ok := it.Value.(string)
		if !ok {
			return nil, fmt.Errorf("%w: component is not a string", ErrMalformed)
		}
		if len(it.Params.Names()) > 0 {
			name += ";" // a parameterised component never satisfies a requirement
		}
		p.components = append(p.components, name)
	}
	for _, name := range list.Params.Names() {
		val, _ := list.Params.Get(name)
		var ok bool
		switch name {
		case "keyid":
			p.keyID, ok = val.(string)
		case "alg":
			p.alg, ok = val.(string)
		case "created":
			p.created, ok = val.(int64)
		case "expires":
			p.expires, ok = val.(int64)
		default:
			ok = true // nonce, tag: the library judges them
		}
		if !ok {
			return nil, fmt.Errorf("%w: bad %s parameter", ErrMalformed, name)
		}
	}
	switch {
	case p.keyID == "":
		return nil, fmt.Errorf("%w: no keyid", ErrMalformed)
	case p.created <= 0:
		return nil, fmt.Errorf("%w: created", ErrMissingComponent)
	}
	return p, nil
}

// unmarshalDictionary is httpsfv.UnmarshalDictionary with its panics
// turned into errors: v1.1.0 indexes past the end of some inputs
// (e.g. "a=@"), found by FuzzParseRFC9421.
func unmarshalDictionary(vals []string) (dict *httpsfv.Dictionary, err error) {
	defer func() {
		if p := recover(); p != nil {
			dict, err = nil, fmt.Errorf("structured field parser failed: %v", p)
		}
	}()
	return httpsfv.UnmarshalDictionary(vals)
}

func (v *Verifier) rfcCheck(r *http.Request, p *rfcParams) (time.Time, error) {
	switch p.alg {
	case "", string(rfc.RsaPkcs1v15Sha256), string(rfc.Ed25519):
	default:
		return time.Time{}, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, p.alg)
	}
	for _, c := range []string{"@method", "@target-uri"} {
		if !p.covers(c) {
			return time.Time{}, fmt.Errorf("%w: %s", ErrMissingComponent, c)
		}
	}
	if needsDigest(r) && !p.covers("content-digest") {
		return time.Time{}, fmt.Errorf("%w: content-digest on %s", ErrMissingComponent, r.Method)
	}
	for _, c := range p.components {
		if c == "host" || strings.HasPrefix(c, "@") {
			continue
		}
		if len(r.Header.Values(strings.TrimSuffix(c, ";"))) == 0 {
			return time.Time{}, fmt.Errorf("%w: signed header %s is absent", ErrMissingComponent, c)
		}
	}
	created := time.Unix(p.created, 0)
	var expires time.Time
	if p.expires > 0 {
		expires = time.Unix(p.expires, 0)
	}
	return created, v.checkWindow(created, expires)
}

// targetURI rebuilds the absolute URI the client requested. On a server
// request the scheme is not in the request: Config.Scheme says it.
func (v *Verifier) targetURI(r *http.Request) *url.URL {
	if r.URL.IsAbs() {
		return r.URL
	}
	u := *r.URL
	u.Scheme = v.scheme
	u.Host = r.Host
	return &u
}

// rfcVerify checks the signature with key through the library. The
// library's own clock checks are switched off (a window of centuries):
// rfcCheck applied ours with the injected clock.
func (v *Verifier) rfcVerify(ctx context.Context, r *http.Request, body []byte, p *rfcParams, key crypto.PublicKey) (string, error) {
	var alg rfc.SignatureAlgorithm
	switch key.(type) {
	case *rsa.PublicKey:
		alg = rfc.RsaPkcs1v15Sha256
	case ed25519.PublicKey:
		alg = rfc.Ed25519
	default:
		return "", fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, key)
	}
	if p.alg != "" && p.alg != string(alg) {
		return "", fmt.Errorf("%w: %s declared for a %s key", ErrUnsupportedAlgorithm, p.alg, alg)
	}
	return string(alg), verifyRFC9421Message(ctx, v.targetURI(r), r, body, rfc.Key{KeyID: p.keyID, Algorithm: alg, Key: key})
}

// verifyRFC9421Message is the library call, without policy.
func verifyRFC9421Message(ctx context.Context, target *url.URL, r *http.Request, body []byte, key rfc.Key) error {
	const forever = 200 * 365 * 24 * time.Hour
	ver, err := rfc.NewVerifier(key,
		rfc.WithValidateAllSignatures(),
		rfc.WithCreatedTimestampRequired(true),
		rfc.WithExpiredTimestampRequired(false),
		rfc.WithValidityTolerance(forever),
		rfc.WithMaxAge(forever),
	)
	if err != nil {
		return fmt.Errorf("httpsig: %w", err)
	}
	h := r.Header
	if h.Get("Host") == "" {
		h = h.Clone()
		h.Set("Host", r.Host)
	}
	msg := &rfc.Message{
		Context:   ctx,
		Method:    r.Method,
		Authority: r.Host,
		URL:       target,
		Header:    h,
		Body:      func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil },
		IsRequest: true,
	}
	if err := ver.Verify(msg); err != nil {
		if errors.Is(err, rfc.ErrContentDigestMismatch) || errors.Is(err, rfc.ErrNoApplicableDigestFound) {
			return fmt.Errorf("%w: %v", ErrDigest, err)
		}
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return nil
}
