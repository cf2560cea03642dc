// Package inbox receives server-to-server ActivityPub activities: the
// shared inbox (/inbox) and every per-actor inbox mount one [Handler].
//
// # Pipeline
//
// Each step runs before anything costlier, and a refused activity leaves
// nothing stored and reaches no handler (SECURITY.md §1.1, §1.2, §1.5):
//
//  1. POST only (405); an ActivityStreams or JSON Content-Type (415).
//  2. Body at most [MaxBodySize]: a larger Content-Length is refused
//     before the body is read, a chunked body when it passes the limit
//     (http.MaxBytesReader; 413). JSON nesting at most wire.MaxDepth, by
//     a byte scan before any parser (400).
//  3. The keyId's domain against the [Policy] (domain blocks,
//     allow-list mode), before any key is fetched (403). No signature:
//     401.
//  4. The HTTP signature, over the exact bytes read ([Verifier],
//     *httpsig.Verifier: digest, date window, key refresh; 401). One
//     exception: an actor's Delete of itself whose key can no longer be
//     fetched is answered 202 and does nothing, so that a deleted
//     actor's server stops retrying.
//  5. Parsing with federation/wire (400).
//  6. Origin and ownership: the key's owner is the activity's actor
//     (401); the actor is not local and the activity id is on its host
//     (403). For Create, Update and Delete: no object of this instance's
//     host (403); an embedded object not on the actor's host, or
//     attributed to another actor, is refetched from its origin through
//     the [Fetcher] (federation/safehttp) and the origin's copy replaces
//     it (403 when the fetch fails: a forwarded object is never
//     trusted); Update and Delete only by the object's owner, embedded
//     and stored ([Owners]; 403). An Undo undoes the actor's own
//     activity only (403).
//  7. The [Policy] again, over every IRI of the activity, the refetched
//     object included (403).
//  8. Dedupe by activity id ([Seen]): a known id answers 202 and does
//     nothing. It runs after the policy so that a refused activity is
//     not remembered.
//  9. Tombstones: a Create or Update of a deleted object is dropped
//     (202); a Delete is remembered ([Tombstones]) once its handler took
//     it, so that a late Create does not resurrect the object.
//  10. Dispatch to the typed [Handlers]. A handler refusing the activity
//     (ErrRefused) gives 403, a failure 500; the activity id is then
//     forgotten.
//
// 202 Accepted answers success and duplicates.
//
// # Side effects
//
// [Services] implements the handlers on the domain services: Follow,
// Accept, Reject and Undo of follows of local profiles, groups and the
// instance actor (auto-accepted unless the actor approves followers
// manually; [Answers] tells delivery to send the Accept), Join, Leave and
// Undo{Join} on local events through events.Service (capacity and
// waitlist; [JoinOutcome] says whether to send Accept, Reject or Ignore).
// Only the followed actor accepts or rejects a follow, only the follower
// undoes it, and a Leave ends the signer's own participation. With
// RemoteEvents set, Create and Update of remote events (from any actor
// type, FEP-8a8e) store them with Local=false, an Update older than the
// stored version (updated, else published) being ignored, and Delete
// removes them.
//
// Announce, group membership activities and answers to our own joins on
// remote events reach Handlers.Other and Handlers.Accept/Reject without
// a side effect yet. A handler for Announce must refetch the announced
// object from its origin: the pipeline checks the Announce itself, not
// what it carries.
package inbox
