// Package wire maps Convene's domain types to and from ActivityStreams 2
// JSON as the fediverse speaks it: Mobilizon's wire format (events,
// groups, membership, discussions, resources, posts, todos), FEP-8a8e
// (events), FEP-1b12 (group Announce) and what Mastodon, GoToSocial,
// Gancio, PeerTube and Pleroma send.
//
// # Emitting
//
// Documents are built from views that carry the domain value plus what
// the domain does not hold (actor IRIs, counts): [EventView], [PersonView],
// [GroupView], the [Activity] helpers ([CreateEvent], [JoinEvent],
// [AcceptFollow], [InviteToGroup]...), [Note], [Article], [Resource],
// [TodoList], [Todo], [Tombstone], [Collection] and [CollectionPage].
// [Marshal] writes any of them as a standalone document with [Context],
// to be served as [ContentType]. Output is deterministic (golden files in
// testdata/ pin every shape).
//
// Addressing follows Mobilizon (WIRE.md): a public event goes to Public
// with the organizer's followers (and the group's members) in cc; an
// unlisted one to the followers (and members) with Public in cc; a private
// one to the group's members, or the organizer's followers, never Public.
// bto and bcc are never emitted.
//
// An event's summary is written for servers that show events as posts
// (see [Summary]): date, time with the zone's name and UTC offset, and the
// place in plain words, in English. startTime and endTime carry the
// offset of the event's zone. A recurring event carries, in startTime and
// endTime, the occurrence in progress or next at [EventView.Now], so that
// servers that know nothing of recurrence show the right date; the series
// itself travels in ical:dtstart (first occurrence), ical:rrule and
// ical:exdate, which Convene reads back (see FEDERATION.md).
//
// # Parsing
//
// A [Parser] reads documents into domain types ([ParsedEvent],
// [ParsedActor], [ParsedActivity], [ParsedObject], [ParsedCollection]).
// Before any JSON parser sees a document it is checked against the limits
// ([MaxDocumentSize], [MaxDepth]) and refused if it is not UTF-8 or holds
// a NUL byte, raw or escaped. It is then parsed once (pooled fastjson);
// every string kept is copied, every count bounded ([MaxTags],
// [MaxAttachments], [MaxAudience]...), every HTML value sanitized with
// internal/htmlsafe and every plain-text value stripped of markup.
//
// Parsing is tolerant where real servers differ: status or ical:status
// (and FEP-8a8e eventStatus, which wins); location as a string, an
// object or an array; attributedTo and actor as a string, an object or an
// array; objects embedded or as IRIs; Public as as:Public, Public or the
// full IRI; name and nameMap, content and contentMap; PKCS#1 and SPKI
// keys; unknown categories (kept, upper-cased); a missing endTime; a Leave
// without id; times with any offset, with or without fractions. Unknown
// top-level properties are kept in Extra for relaying. A value of the
// wrong JSON type reads as absent; a value over a limit fails the
// document with an [*Error] matching [ErrInvalid].
//
// # go-ap
//
// github.com/go-ap/activitypub decodes the AS2 core where it is right
// (id, mediaType, url in all its forms, published and updated, the actor's
// inbox, outbox, followers, following, endpoints and publicKey), through
// its exported JSONGet* helpers on the same fastjson parse. Its types never
// leave this package (goap.go), and its package globals are never set.
// It is not used for emitting: its writer drops negative coordinates,
// rewrites times in UTC without fractions, writes booleans as strings and
// does not escape IRIs (a quote in an IRI breaks the document). The
// contract tests pin each of these behaviours so that an upgrade that
// changes them fails loudly.
package wire
