// Package resolve finds remote actors and their keys: the actor cache
// with refresh, the httpsig.KeyResolver the inbox verifies signatures
// with, and WebFinger resolution of @user@host handles.
//
// # Actor cache
//
// Actors live in the identity store (Actors.PutRemoteActor); the store is
// the cache. ResolveActor answers from it while a copy is younger than
// Config.MaxAge (DefaultMaxAge, 24 hours, like Mastodon), and otherwise
// fetches the document from its origin through Config.Fetcher (FetchAS:
// SSRF-safe, AS2 Content-Type, id equal to the final URL), parses it with
// wire.Parser.ParseActor and stores it. The document's id must be exactly
// the IRI asked for (a redirect to another IRI is refused with
// ErrMismatch: the cache is keyed by IRI), and its publicKey.owner, when
// given, must be the actor itself.
//
// When a stale copy exists and the refetch fails for a transient reason
// (connection error, timeout, 5xx, 408, 429), ResolveActor returns the
// stale copy and does not try that IRI again for FailureCooloff, so a
// dead host cannot make every inbox request wait for a timeout. It never
// does so when the origin answers 404 (ErrNotFound) or 410 (ErrGone), or
// serves an invalid or mismatched document. Concurrent fetches of one IRI
// are made once (a small singleflight); the fetch runs under the context
// of the first caller, and the others stop waiting when their own context
// ends.
//
// Actors of this instance (Config.BaseURL's host) are never fetched:
// they are read from the store only.
//
// # Keys
//
// ResolveKey implements httpsig.KeyResolver. A keyId is usually the actor
// IRI with a fragment (Mastodon, Mobilizon: .../@a#main-key): the actor is
// resolved through the cache. A keyId without fragment (GoToSocial:
// .../users/a/main-key) names a document that only points to the owner: a
// key document (Key, CryptographicKey, Multikey...: owner or controller)
// or a stub actor whose id is the owner (GoToSocial). That pointer is
// trusted for nothing but the owner's IRI, which must be on the keyId's
// host; the key itself always comes from the owner's actor document,
// whose publicKey.id must equal the keyId. Owners found this way are
// remembered in memory (at most MaxKeyOwners), so later calls hit the
// cache. A cached actor that does not list the keyId is refetched once
// before the key is refused. refresh=true fetches the owner from its
// origin (the Verifier limits refreshes per host). Every error wraps
// httpsig.ErrKeyUnavailable and one of this package's sentinels where
// one applies.
//
// # Domain policy
//
// Config.Policy is asked about a host before anything is fetched from it
// (actor, key or WebFinger); a refused host fails with ErrBlocked and no
// request is made. This instance's own host is never asked.
//
// # WebFinger
//
// ResolveHandle accepts "@user@host", "user@host", "acct:user@host" (a
// port is allowed: "user@127.0.0.1:8080") or an actor IRI. It GETs
// scheme://host/.well-known/webfinger?resource=acct:user@host (scheme is
// Config.Scheme: https unless a test or loopback deployment sets http),
// takes the first self link of an ActivityStreams type, and resolves that
// actor. Then the loop-back check (Mastodon's rule, which stops WebFinger
// spoofing): preferredUsername@<actor's host> must WebFinger back to the
// same actor IRI. When the handle already was that, the first answer is
// the proof; otherwise (WebFinger delegation: a handle on example.com for
// an actor on social.example.com) the actor's host decides.
package resolve
