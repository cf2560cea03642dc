// Package web is the reference server's web UI: server-rendered
// html/template pages over the library's services (convene.Instance),
// which work without JavaScript, follow the usual accessibility rules
// (landmarks, a skip link, labelled fields, errors announced and tied to
// their field, visible focus, AA contrast, dark mode) and fit a phone
// (one small style sheet, no build step). Templates and the style sheet
// are embedded.
//
// # Mounting
//
// [New] builds a [Web]. It serves the patterns of [Web.Routes] (mount
// each on the server's mux: mux.Handle(pattern, web)), and [Web.Pages]
// serves the pages that share their path with ActivityPub documents,
// GET /@{username} and GET /events/{id}: give it to
// convene.FederationConfig.HTML, so that browsers get HTML and servers
// ActivityStreams. Without federation, ServeHTTP serves those pages too.
//
// # Sessions and security
//
// Signing in opens an identity session ([SessionLabel]); its token sits
// in the [SessionCookie]. Every cookie is HttpOnly, SameSite=Lax and
// Secure when the base URL is https. The current profile (the identity
// the account acts as) is named by [ProfileCookie] and checked with
// identity.Service.ProfileOf on every request: a profile of another
// account can never be used, a forged value falls back to the default
// profile. Every POST must carry the CSRF token in the [CSRFField]
// field: an HMAC, under Config.Secret, of a random per-browser cookie
// ([CSRFCookie]) and of the session token, so a token from before a
// login is no good after it; cross-origin requests are also refused
// from their Sec-Fetch-Site and Origin headers (http.CrossOriginProtection).
// One POST is exempt: POST /unsubscribe/discussions, whose signed token
// is its authority (see "Mailed links"). Posted bodies are forms of at
// most [MaxFormBytes]. Pages carry a
// strict Content-Security-Policy (no script at all) and no-store.
//
// Logins are rate limited per email and client IP ([LoginBurst] tries,
// one more every [LoginRefill]); so are the mails a visitor can trigger
// (confirmation resent, password reset: [MailBurst], [MailRefill]).
// Redirects after a login or a language change stay on the site.
//
// # Mailed links
//
// The identity service has no confirmation or reset tokens, so this
// package signs its own: account id, expiry and an HMAC-SHA256 under
// Config.Secret of (purpose, account id, binding, expiry). A
// confirmation link is bound to the email and lives
// [ConfirmTokenLifetime]; a reset link is bound to the password hash, so
// it dies as soon as the password changes (it works once), and lives
// [ResetTokenLifetime]. A reset ends every session of the account. The
// mails go through [ConfirmationMailer] and [ResetMailer]; [TextMailer]
// implements both over a mail.Sender with short plain-text messages.
// Asking for a reset answers the same whether the email has an account
// or not.
//
// The group discussion mail carries a one-click unsubscribe link
// ([Web.DiscussionUnsubscribeURL], RFC 8058), signed the same way for
// the purpose "discussion-mail", bound to the profile and the group and
// living [DiscussionUnsubscribeLifetime]. GET /unsubscribe/discussions
// shows the group and a button and changes nothing (link scanners follow
// links); the POST turns the mail off without a session or a CSRF token,
// since mail providers send it without cookies: the token is the
// authority, and a one-click POST (body List-Unsubscribe=One-Click) is
// answered with a short text. Those POSTs are limited per client IP
// ([UnsubscribeBurst], [UnsubscribeRefill]).
//
// # Languages
//
// Strings come from small catalogs (English and French), chosen by the
// visitor's choice ([LangCookie]), then the account's locale, then
// Accept-Language; a key missing from a catalog falls back to English.
// Dates are written with the catalog's day and month names, events in
// their own time zone, lists in the account's (or Config.TimeZone).
// Validation reasons from the services are shown as they come
// (English), next to a translated message.
//
// # Identities, groups and participation
//
// An account manages its identities (profiles) under /me/profiles:
// create, edit (display name, summary, avatar), make the default, switch;
// /me/profiles/public shows, for each, what others can see of it (page,
// handle, followers, groups, public events it organizes or joins), and
// says that identities are never linked publicly. Another account's
// profile is a 404 there, whatever the profile cookie says.
//
// Visitors without an account join an event that allows it by email
// (POST /events/{id}/join-anonymous, when Config.AnonymousMail is set):
// the confirmation and cancellation links are mailed, confirming is a
// GET of the link, cancelling asks first (a GET shows a form, the POST
// cancels) so that a mail scanner following links cancels nothing. The
// organizer's participant list and CSV export
// (/events/{id}/participants.csv: handle, display name, role, joined at)
// never show an email; spreadsheet formulas in names are defused.
// Moderators publish or reject held comments from the event page.
//
// Group members see the members page (/groups/{id}/members), where
// those with the right approve requests, invite by handle ("@user" here,
// "@user@host" elsewhere through Config.Handles), change roles and
// remove members; invitations are answered from /me/groups.
//
// # Groups' content
//
// A group's pages have tabs: events, discussions (threads with unread
// markers, replies, edit and delete per the permission matrix),
// resources (links to pads, spreadsheets, video rooms… and folders:
// add, move, delete), posts (public, unlisted or members-only; drafts),
// todos (lists; status, due date, assignee) and members. They live
// under /groups/{id}/ (the objects' own paths are their ActivityPub
// ids). The groups service decides: a private group is a 404 to
// non-members, content one may not see or change a 403.
//
// # Reports and moderation
//
// A Report button (a comment, POST /report) sits on profiles, groups,
// events and comments; the reporter is the current profile.
// Moderators and admins see the queue (/moderation, by status), each
// report with notes and actions (resolve, dismiss, reopen, suspend the
// account of a local profile, suspend an actor here; hiding content is
// shown disabled until the instance supports it) and the action log
// (/moderation/log); those pages are a 404 to everyone else. /rules
// shows the instance's rules; admins edit them there.
//
// # Private conversations
//
// A participant of an event (any role but rejected, not an organizer)
// writes to its organizers from the event's page; organizers read the
// event's conversations and write to one participant (local or remote)
// at /events/{id}/conversations, a 404 to anyone else. Both go through
// POST /events/{id}/conversations. /conversations lists the current
// profile's own conversations ("Messages" in the navigation), and
// /conversations/{id} (the conversation's ActivityPub id, the link of
// its mail) shows one, oldest message first, with the reply form: a 404
// to anyone but its participant and the event's organizers; showing
// its last page marks it read for the viewer. The lists mark unread
// conversations, and the Messages link shows how many of the profile's
// own are unread (one query per page). Messages are plain text,
// escaped; each counts against the account's MessageBurst. Those who
// may moderate an event write to all its participants from its page
// (Config.Messages): the participants with a profile, here or
// elsewhere, get it as an announcement in their
// conversation (mailed to the local ones by the notifier, delivered to
// the remote ones by federation), and the anonymous participants by
// email.
//
// # Administration
//
// /admin and its pages answer 404 to everyone but administrators
// (identity.RoleAdmin): account lookup by email or handle with
// suspension (the storage has no list of accounts), domain blocks and
// allow-list mode (Config.Policy), the delivery queue's counts and
// failing hosts (Config.Delivery), and the file outbox (Config.MailLog).
// A page whose part is not configured is a 404.
//
// # Privacy
//
// Pages show events as the current profile may see them
// (events.Service.Get): a private or draft event is a 404 to everyone
// else, for its page and for every action on it. Participant lists are
// shown to those who may moderate the event, and never show an
// anonymous participant's email. A profile page shows the profile only:
// nothing links it to the account's other profiles. A private group is
// a 404 to non-members, and members lists are shown to members only.
package web
