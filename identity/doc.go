// Package identity holds who acts on a Convene instance: accounts,
// their profiles, local and remote ActivityPub actors with their keys,
// the follow graph between actors, and the tokens of private calendar
// feeds.
//
// # Accounts and profiles
//
// An [Account] is a login: a normalized email (see [NormalizeEmail]) and
// an argon2id password hash in PHC format, with a role (user, moderator,
// admin), a confirmation flag and a suspension flag. [Service.Register]
// opens an account together with its first [Profile] in one transaction;
// [Service.Authenticate] checks a login and answers an unknown email
// exactly like a wrong password ([ErrBadCredentials]), in the same time.
//
// A profile is a local Person actor owned by an account. An account may
// have several (up to [MaxProfilesPerAccount]), exactly one of them the
// default; it acts (joins events, comments, is a group member) as one
// profile at a time. Nothing public links two profiles of one account:
// the owning account id is never part of an actor, and
// [Service.ProfileOf] is the one authorization point where a signed-in
// account is allowed to act as a profile ([ErrForbidden] when the
// profile is another account's).
//
// # Actors
//
// Local actors (profiles, groups, the instance's Application actor) get
// their ActivityPub URLs from Config.BaseURL, following the instance's URL
// scheme (BaseURL/@username, …/inbox, …/outbox, …/followers,
// …/following, the shared inbox BaseURL/inbox, the instance actor
// BaseURL/actor) and a fresh RSA-2048 key pair ([Service.NewLocalActor],
// [Service.InstanceActor]). Remote actors are cached by
// [Service.PutRemoteActor] after validation: their id must be an http(s)
// URL on their own domain, never this instance's. [ParsePublicKeyPEM]
// reads both the SPKI keys most servers publish and Mobilizon's PKCS#1
// ones.
//
// # Follows and feed tokens
//
// [Service.Follow] records a follow between two actors, accepted at once
// when the followed actor is local and does not approve followers
// manually, pending otherwise; [Service.AcceptFollow] and
// [Service.RejectFollow] move it on. This package keeps the state only;
// the federation layer sends and receives the activities.
//
// A feed token ([Service.CreateFeedToken]) grants read access to an
// account's or a profile's private calendar feed. Its text is shown once;
// only its SHA-256 is stored, and [Service.ResolveFeedToken] answers
// unknown, malformed and revoked tokens alike with [ErrNotFound].
//
// # Errors
//
// Bad input gives a *[ValidationError] naming the field and changes
// nothing. Missing rows give [ErrNotFound] and taken unique values
// [ErrConflict]; both wrap the storage sentinels, so errors.Is works with
// either. A taken email or username is both a *ValidationError and
// ErrConflict.
package identity
