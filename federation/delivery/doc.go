// Package delivery sends a local instance's activities to remote inboxes,
// durably: the transactional outbox of DESIGN.md.
//
// # Queue
//
// Queue is a storage contract (storage/sqlite and storage/postgres
// implement it; storage/storagetest.RunDelivery is its conformance
// suite; deliverytest.Memory is an in-memory fake). A domain change and
// the deliveries it causes commit together: the federation hook that
// events and groups call inside their transaction does
//
//	q, err := storage.As[delivery.Queue](tx)
//	…
//	err = q.Enqueue(ctx, now, delivery.Activity{ID: id, ActorID: signer, Body: body}, inboxes)
//
// and a rollback leaves no job behind. Each job is one activity to one
// inbox. Workers lease due jobs for a while (PostgreSQL: FOR UPDATE SKIP
// LOCKED, so several processes share one queue), then complete, retry or
// bury them; a job whose worker dies is leased again when its lease
// expires, so a crash (kill -9) loses nothing. Delivery is at least once:
// a POST in flight at a crash is sent again, and receivers deduplicate on
// the activity id.
//
// # Fan-out
//
// Inboxes turns an activity's addressing (followers and members
// collections expanded by the caller) and the recipients' actors into
// the inboxes to POST to: shared inboxes preferred and deduplicated,
// never Public, never this instance. StripHidden removes bto and bcc
// from the body before it is enqueued.
//
// # Worker
//
// Worker.Run POSTs the jobs (Content-Type application/activity+json,
// signed with federation/httpsig as the activity's actor) with a bounded
// number of deliveries in flight and a per-host limit. POSTs are signed
// with draft-cavage (Config.Scheme), unless Config.Knocks is set: then
// the worker double-knocks, RFC 9421 first for hosts not known to be
// cavage-only, and on a 400, 401 or 403 the same body again at once
// signed with draft-cavage, in the same attempt (see httpsig.Knocks for
// what is remembered per host; share the Knocks with the Transport that
// signs the instance's GETs). The last answer is the attempt's.
//
// Failures back off exponentially with jitter over about two days
// (Backoff, MaxAttempts); 4xx answers other than 401, 408 and 429 are final, 410 also reports the
// actor gone (Config.Gone); 429 and 503 honour Retry-After. A host that
// fails for days (Config.Hosts) is down: its jobs wait, and are tried
// again (probed) now and then until it answers.
package delivery
