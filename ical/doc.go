// Package ical exports events as RFC 5545 calendars (with the RFC 7986
// additions), serves them as feeds, and imports .ics files and remote
// calendars into the events of a profile or a group.
//
// # Export
//
// [Marshal] writes a [Calendar]: PRODID, VERSION, CALSCALE, METHOD:PUBLISH,
// NAME and X-WR-CALNAME, REFRESH-INTERVAL and X-PUBLISHED-TTL,
// X-WR-TIMEZONE when one zone is used, and per event UID (the event's
// ActivityPub id, stable across updates), DTSTAMP, DTSTART/DTEND with a
// TZID, SUMMARY, DESCRIPTION (the HTML as text) and X-ALT-DESC (the HTML),
// LOCATION, GEO, CONFERENCE, URL, STATUS, CLASS, SEQUENCE, CREATED,
// LAST-MODIFIED, ORGANIZER (the actor's URI with CN), CATEGORIES (category
// and tags), IMAGE, RRULE and EXDATE, and ATTENDEE in private feeds.
//
// Every zone used gets a VTIMEZONE generated from Go's time zone
// database: the observance in effect at the earliest start, then one
// STANDARD or DAYLIGHT observance per offset change up to the latest end
// (or, for series without end, the feed's horizon), each with an explicit
// DTSTART and no RRULE. Events without a zone are written in UTC. RRULE's
// UNTIL is always written in UTC, as RFC 5545 requires.
//
// The writer is hand-written rather than built on golang-ical: measured
// on 10,000 events, golang-ical took about 2.6 times as long as a
// minimal strings.Builder writer of the same properties, and this writer
// takes about 0.6 times as long (see BenchmarkExportRatio). golang-ical is
// used to parse (imports) and in the tests, as an independent reader of
// what Marshal writes. Lines end in CRLF and are folded at 75 octets
// without splitting a UTF-8 character; TEXT is escaped, every line break
// becomes \n and control characters are dropped, so no user text can
// start a property or a component; parameter values are quoted; URIs
// that are not plain printable ASCII are left out rather than escaped.
//
// DTSTAMP is the event's last change, not the time of the request, so
// that a feed's bytes only change when its events do.
//
// # Feeds
//
// [Feeds] is an http.Handler for the paths of the URL scheme:
// /events/{id}.ics, /@{username}/feed.ics (a profile's or a group's),
// /feed/instance.ics and /feed/private/{token}.ics. Public feeds show
// public, published events only: never private, unlisted or draft ones,
// nor those of private groups. A profile token shows that profile's
// participations (as creator, moderator or participant) of any
// visibility; an account token those of all the account's profiles.
// Organizers see their participants as ATTENDEEs in their private feed;
// anonymous participants are never listed. Tokens are identity's feed
// tokens (256 random bits, stored hashed, compared in constant time,
// revocable); an unknown or revoked token is a 404.
//
// A feed shows the events that begin in [now - DefaultPastWindow,
// now + DefaultAheadWindow) (30 days back, 366 days ahead) and the series
// with an occurrence in it, at most MaxFeedEvents single events. Answers
// carry an ETag, computed from the events' ids, update times and
// sequences without writing the calendar, and a Last-Modified (the
// latest update). If-None-Match is honoured first, If-Modified-Since
// otherwise (RFC 9110): a client that sends only If-Modified-Since does
// not learn that an event was deleted until another one changes.
//
// # Import and subscription
//
// [Decode] reads a calendar into events.Input values; [Importer] writes
// them through the events service (so imported events are validated,
// authorized and federated like local ones), idempotently by UID: the
// UID → event mapping lives behind [UIDStore] until the domain has a
// field for it. A second import updates what changed, STATUS:CANCELLED
// cancels, UIDs that disappeared from the same source are reported (or
// deleted). Every skipped component has a reason. [Subscriber] refreshes
// remote calendars with conditional GETs ([Fetch]).
//
// Every outbound request ([Fetch], [Subscriber], [Importer.ImportURL])
// goes through a [Doer], by default the SSRF-safe client of
// federation/safehttp (the one client of every outbound request of an
// instance) built with MaxImportBytes as body limit and
// DefaultFetchTimeout as time limit: it checks the dialled IP address,
// redirects included (no private, loopback or special-purpose addresses:
// safehttp.ErrForbiddenAddress), follows at most safehttp.MaxRedirects
// redirects (safehttp.ErrTooManyRedirects) and refuses URLs that are not
// plain http or https (safehttp.ErrBadURL). Tests and closed networks
// pass a safehttp.Client whose Config.AllowPrivate lists the prefixes
// they need. A calendar larger than the limit is an error matching
// [ErrTooLarge], never truncated.
package ical
