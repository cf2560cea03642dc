// Package endpoints serves what other servers fetch from a Convene
// instance: discovery (WebFinger, host-meta, NodeInfo), the actor
// documents of profiles, groups and the instance actor, event documents
// and the actors' collections. Each is a plain http.Handler with no
// router dependency; [New] builds them all from one [Config], and
// [NewMux] mounts them at the paths of DESIGN.md's URL scheme for
// embedders without routes of their own there.
//
// # Content negotiation
//
// Actor and event paths are shared with the HTML pages. A request whose
// Accept header asks for application/activity+json, or
// application/ld+json with the ActivityStreams profile (or none), at
// least as much as for text/html gets the ActivityStreams document;
// anything else falls through to Config.HTML, or 406 without one, before
// any lookup: the HTML application applies its own (session) access
// rules. Answers carry Vary: Accept.
//
// # Privacy
//
// Private and draft events answer 404 (never 403: outsiders learn
// nothing of them) unless the request is signed, verified by
// Config.Verifier, by an actor events.Service.Get lets see them. A
// signature that does not verify answers 401. Suspended profiles are
// 404 everywhere. A group's members collection, and every collection of
// a private group, shows only its totalItems to anyone but a member
// (signed fetch), and 403 for its pages (WIRE.md §2.1, SECURITY.md #58).
//
// # Deleted objects
//
// The domain keeps no tombstones yet. Config.Tombstones, when set, lets
// deleted actors and events answer 410 Gone with a Tombstone; without
// it they answer 404.
//
// # Usage numbers
//
// NodeInfo publishes only the numbers Config.Usage gives; an unknown
// number is left out, never guessed (FEP-0151).
//
// # Collections
//
// Collections are OrderedCollections whose first page is linked
// (?page=1); pages hold PageSize items and are numbered up to MaxPage.
// The outbox holds an actor's public local events as Create activities,
// in order of beginning; events (FEP-8a8e upcomingEvents) its ongoing
// and future ones as Event objects, by the start of the occurrence in
// progress or next; followers, following and members hold actor IRIs,
// oldest first.
package endpoints
