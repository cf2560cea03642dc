// Package httpsig signs and verifies the HTTP signatures of
// server-to-server ActivityPub requests: draft-cavage (what Mastodon,
// Mobilizon and GoToSocial speak) and RFC 9421 HTTP Message Signatures
// (Mastodon's profile). The cryptography and signature-base
// construction are the libraries' (code.superseriousbusiness.org/httpsig
// for cavage, github.com/dadrus/httpsig for RFC 9421); this package adds
// the fediverse policy around them.
//
// # Verifying
//
// A Verifier checks, in this order, so that nothing costly happens for
// a request that is malformed or stale:
//
//  1. Parsing, with bounded sizes (MaxSignatureHeaderBytes, ...). A
//     request with Signature-Input is RFC 9421, else cavage.
//  2. Algorithm: cavage rsa-sha256, or hs2019 (or none) resolved by the
//     key type to RSA-SHA256 or Ed25519; RFC 9421 rsa-v1_5-sha256 or
//     ed25519, matching the key. Anything else is refused before any
//     key is fetched.
//  3. Covered components. Cavage: (request-target), host, date or
//     (created), and digest on every method but GET and HEAD. RFC 9421
//     (Mastodon's profile): exactly one signature, created present,
//     "@method" and "@target-uri" covered (the target URI binds the
//     host, so @authority is not required separately), content-digest
//     on every method but GET and HEAD.
//  4. Time: Date or created at most MaxClockSkew (1 h) in the future;
//     expiry is expires, or created+DefaultExpiry, capped at
//     created+MaxExpiry (12 h), tolerated MaxClockSkew past. The clock
//     is Config.Now. (The cavage library also checks created/expires
//     against time.Now with 10 s of slack when they are signed; Date,
//     what peers sign, is only checked here.)
//  5. Body: Digest (RFC 3230, SHA-256 required; SHA-1 alone fails) or
//     Content-Digest (RFC 9530, sha-256 or sha-512) over the exact
//     bytes the caller read.
//  6. Key: KeyResolver.ResolveKey(keyId, refresh=false); the key's owner
//     must be on the keyId's host.
//  7. Signature. If it fails with a key that was not just fetched, the
//     key is resolved once more with refresh=true, at most once per
//     RefreshCooloff per host (state kept in the Verifier, with its
//     clock), and verified again.
//
// The Result names the scheme, keyId, algorithm and the key's owner:
// the inbox must check the owner is the activity's actor. A cavage
// (request-target) that verifies only without the query string is
// accepted (GoToSocial does the same for peers that sign the bare path)
// and flagged with Result.QueryUnsigned.
//
// # Signing
//
// A Signer signs as one actor: cavage rsa-sha256 over (request-target)
// host date [digest], or RFC 9421 rsa-v1_5-sha256. Transport wraps an
// http.RoundTripper (normally a federation/safehttp Client's) and signs
// every request and redirect hop; its DoubleKnock mode tries RFC 9421
// first and falls back to cavage when the peer refuses it.
//
// # The double knock
//
// Knocks is the per-host memory of the double knock, shared by every
// Transport and by the delivery worker (federation/delivery
// Config.Knocks) that are given the same *Knocks, so that what a GET
// learns spares a POST its knock. An unknown host gets RFC 9421 first;
// its 400, 401 or 403 is answered by sending the same request at once
// signed with draft-cavage, and when that goes through (below 400) the
// host is cavage-only: later requests are signed with draft-cavage
// directly. An RFC 9421 POST that goes through marks the host as
// accepting RFC 9421 (a GET's success does not: the peer may not look
// at the signature); from then on its refusals are final and it is
// never downgraded, as they mean a bad key, actor or activity rather
// than a scheme it does not speak. At most MaxKnockHosts hosts are
// remembered; beyond that everything is forgotten and learnt again.
package httpsig
