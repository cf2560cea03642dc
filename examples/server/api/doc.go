// Package api is the reference server's JSON API, served under /api/v1
// and described by docs/openapi.yaml (a test keeps the two in step).
//
// # Authentication
//
// POST /api/v1/sessions trades an email and a password for a bearer
// token (an identity session: only its SHA-256 is stored, it expires
// after identity.SessionLifetime without use). Every other request
// sends it as "Authorization: Bearer <token>"; DELETE /api/v1/sessions
// signs out. A missing token on a route that needs one, or a bad,
// expired or revoked token on any route, is a 401 with a
// WWW-Authenticate: Bearer header. Logins are rate limited per email
// and client IP ([LoginBurst], [LoginRefill]): the address is the
// connection's, so a server behind a proxy must restore it first.
//
// # Acting profile
//
// An account acts as one of its profiles: the one named by the body's
// "profile" field, else by the X-Convene-Profile header, else its
// default profile. Naming a profile of another account is a 403; the
// choice goes through identity.Service.ProfileOf, the one place that
// ties a profile to an account. Nothing in a response links two profiles
// of one account for anyone else, and no response carries another
// account's email or an anonymous participant's.
//
// # Requests and responses
//
// Request bodies are JSON objects of at most [MaxBodyBytes] bytes, with
// Content-Type application/json; unknown fields are refused. Times are
// RFC 3339 strings and time zones IANA names. Lists answer
// {"items": [...], "next": "<cursor>"}: pass next back as the "after"
// query parameter for the following page ("next" is absent on the last
// page); "limit" sets the page size (at most [MaxPageSize]).
//
// Every error has one shape:
//
//	{"error": {"code": "invalid", "message": "is required", "field": "title"}}
//
// with these statuses: 400 malformed JSON or query, 401 not signed in,
// 403 not allowed, 404 not found (also whatever the caller may not see:
// a private event or group is a 404 to outsiders, never a 403), 409 a
// conflict with the current state (taken username, already
// participating, event closed), 413 body too large, 415 not JSON, 422 a
// field is invalid ("field" names it, in the request's spelling), 429
// too many logins or private messages, 501 following is not enabled.
//
// # Private conversations
//
// A participant of an event writes to its organizers, and an organizer
// to one participant, with POST /api/v1/events/{id}/conversations; both
// reply with POST /api/v1/conversations/{id}/messages (package
// conversations holds the rules). GET /api/v1/conversations lists the
// acting profile's own conversations, GET /api/v1/events/{id}/conversations
// an event's for its organizers, and GET /api/v1/conversations/{id}
// reads one with a page of its messages; a conversation the caller may
// not read is a 404. Each conversation has "unread": a message the
// acting profile has not read; reading it through GET does not change
// that, POST /api/v1/conversations/{id}/read does (204). Messages are rate limited per account
// ([MessageBurst], [MessageRefill]).
package api
