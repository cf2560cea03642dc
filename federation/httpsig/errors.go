package httpsig

import "errors"

// Verification errors. Every error Verify returns wraps exactly one of
// them; test with errors.Is. An inbox answers all of them with 401.
var (
	// ErrNoSignature: the request carries no Signature header.
	ErrNoSignature = errors.New("httpsig: no signature")
	// ErrMalformed: a signature header (or the keyId in it) cannot be
	// parsed, is too large, or is ambiguous (several signatures).
	ErrMalformed = errors.New("httpsig: malformed signature header")
	// ErrUnsupportedAlgorithm: an algorithm other than rsa-sha256 and
	// hs2019 (cavage) or rsa-v1_5-sha256 and ed25519 (RFC 9421), or an
	// algorithm that does not match the key type.
	ErrUnsupportedAlgorithm = errors.New("httpsig: unsupported algorithm")
	// ErrMissingComponent: the signature does not cover what the policy
	// requires ((request-target)/@method+@target-uri, host, date or
	// created, digest on requests with a body), or a covered header is
	// absent.
	ErrMissingComponent = errors.New("httpsig: required component not signed")
	// ErrClockSkew: the signature was made more than MaxClockSkew in the
	// future.
	ErrClockSkew = errors.New("httpsig: signature date in the future")
	// ErrExpired: the signature expired more than MaxClockSkew ago.
	ErrExpired = errors.New("httpsig: signature expired")
	// ErrDigest: Digest / Content-Digest is absent, malformed, of an
	// unsupported algorithm, or does not match the body received.
	ErrDigest = errors.New("httpsig: body digest mismatch")
	// ErrKeyUnavailable: the KeyResolver could not produce the key
	// (unknown keyId, fetch failure, gone actor...). The resolver's own
	// error is wrapped too.
	ErrKeyUnavailable = errors.New("httpsig: key unavailable")
	// ErrKeyOwner: the key's owner is not on the key's host.
	ErrKeyOwner = errors.New("httpsig: key owner on another host")
	// ErrBadSignature: the signature does not verify with the key, even
	// after the one refresh allowed.
	ErrBadSignature = errors.New("httpsig: signature does not verify")
)
