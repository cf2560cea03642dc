// Package events holds the business rules of events: what an event may
// say (Input and its validation), who may see and change it, how people
// take part, comments, and search.
//
// # Events
//
// An event has a title, a sanitized HTML description, a beginning and an
// optional end (instants) shown in an IANA time zone, a status, a
// visibility (public, unlisted, private), a join mode, a capacity, a
// place and/or an online address, a category, tags, links to the
// group's tools, and optionally a recurrence rule (see events/recur). It
// is organized by a profile, or by a group with the acting profile
// recorded; group events follow the group's permission matrix through a
// GroupAuthorizer. Invalid input is a *ValidationError naming the field,
// and nothing is written.
//
// # Participation
//
// Joins follow the join mode: free joins take a seat while one is left
// and join a first-come-first-served waitlist after that; restricted
// joins wait for an organizer; invite-only events refuse joins; external
// and none events take no participation here (federation answers Ignore).
// Seats are counted under the event's lock, so with N seats exactly N
// participants get one however many joins race, on every backend. A seat
// that frees (leave, rejection, a higher capacity) goes to the first
// waitlisted participant. Organizers (creator, moderators) hold no seat.
// People without an account join by email, confirm with a mailed token
// and cancel with another; the email is never shown to other users.
//
// # Search
//
// Search lists public, published events with an occurrence beginning in a
// time window, filtered by text, tags, category, organizer, group,
// online or in person, and distance from a point (the store's bounding
// box, then exact great-circle distance). Recurring events are expanded
// into occurrences. Pages are ordered by (start, event id) and resumed by
// an opaque cursor.
//
// # Hidden events
//
// The instance's moderators may hide an event (HideEvent, called by the
// moderation service, which checks their role) and show it again. A
// hidden event stays stored with Event.Hidden set: the store leaves it
// out of every listing, search, feed and count, and this service treats
// it as not found for everyone, its organizers included, except
// GetForModeration. Its organizers may still delete it and its
// participants leave it. Hiding is a local decision: nothing federates
// (the hook gets EventHidden or EventShown, which the federation outbox
// ignores), and an update from the event's origin keeps it hidden.
//
// # Transactions and hooks
//
// Every change runs in one storage transaction, and a Hook (the
// federation outbox) is called inside it with the transaction, so a
// change and the deliveries it causes commit together or not at all.
package events
