// Package notify writes the instance's email: which events cause which
// message, to whom, in which language.
//
// # Messages
//
// Each [Kind] has a plain-text template per locale (English and French;
// see [Locales]), embedded in the binary: account confirmation, password
// reset, anonymous participation confirmation with its cancellation
// link, participation approved or rejected, event updated or cancelled,
// a reminder before each occurrence, group invitation, a new message in
// a group's discussion. A message is
// written in its recipient's locale (identity.Account.Locale, or the
// locale an anonymous participant joined with), falling back to the
// language ("fr-CA" to "fr") and then to Config.DefaultLocale; times are
// shown in the recipient's time zone (identity.Account.TimeZone), else
// the event's. Event messages attach the event's .ics (ical.Marshal).
//
// Only local people get mail: the account behind a local profile (when
// it is confirmed and not suspended), or an anonymous participant's
// address. Remote participants hear of changes by federation. One
// account taking part with several profiles gets one message.
//
// # When
//
// The web pages call [Notifier.AccountConfirmation],
// [Notifier.PasswordReset], [Notifier.AnonymousConfirmation] and
// [Notifier.GroupInvitation]: they send at once and return the sender's
// error. Changes to events and participations reach the Notifier as an
// events.Hook ([Notifier.EventChanged]); it queues a notice when the
// change's transaction commits (never inside it, never for a rollback)
// and [Notifier.Run] sends it. New discussion messages reach it the same
// way as a groups.Hook ([Notifier.GroupChanged]): each goes to the local
// members who asked for the mail of their group's discussions
// (groups.Service.SetDiscussionMail, read through Config.Groups), but not
// to its author's account, whether the author is local or remote; the
// message's HTML becomes plain text, with links to the discussion and
// to the page where the mail is turned off (Config.DiscussionPage), or
// to a one-click unsubscribe link, also sent as the List-Unsubscribe
// header (Config.DiscussionUnsubscribe, RFC 8058). An
// account gets at most one mail per discussion every
// DiscussionMailInterval, however many messages arrive.
// Run also sends reminders ([Notifier.Remind]),
// remembering the occurrences already reminded in Config.StateDir.
//
// The notice queue is in memory and bounded (QueueSize): a crash loses
// the notices not sent yet, and a full queue drops new ones (both are
// logged, and counted by [Notifier.Dropped]). That is accepted for
// notices, which tell of changes people can also see on the instance;
// the messages someone waits for are not queued.
//
// # Wiring
//
// The Notifier's dependencies are small interfaces that the storage
// backend implements (Directory, EventStore, GroupMailStore), so that it
// can be built before convene.New and passed as the events and groups
// hook:
//
//	n, err := notify.New(notify.Config{Mail: sender, Identity: db, Events: db, Groups: db,
//		BaseURL: base, InstanceName: name, StateDir: filepath.Join(dataDir, "notify")})
//	inst, err := convene.New(convene.Config{..., EventHook: n, GroupHook: n})
//	go n.Run(ctx)
package notify
