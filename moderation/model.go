package moderation

import "time"

// TargetKind is what a report is about.
type TargetKind string

// Target kinds. A group is an actor too, but reported as a group: the
// moderation page shows it as one and suspending it suspends a group.
const (
	TargetActor   TargetKind = "actor"   // a profile, local or remote (Person, Application…)
	TargetGroup   TargetKind = "group"   // a Group actor, local or remote
	TargetEvent   TargetKind = "event"   // an event, local or remote
	TargetComment TargetKind = "comment" // a comment on an event, local or remote
	// TargetDiscussionMessage is a message of a group's discussion
	// (groups.Comment), local or remote.
	TargetDiscussionMessage TargetKind = "discussion_message"
)

// Kinds returns the target kinds, in a fixed order.
func Kinds() []TargetKind {
	return []TargetKind{TargetActor, TargetGroup, TargetEvent, TargetComment, TargetDiscussionMessage}
}

// Target names the reported thing by kind and storage id.
type Target struct {
	Kind TargetKind
	ID   string
}

// Status is where a report stands in the moderation queue.
type Status string

// Report statuses. A new report is open; a moderator resolves it (acted
// upon) or dismisses it (nothing to do), and may reopen either.
const (
	StatusOpen      Status = "open"
	StatusResolved  Status = "resolved"
	StatusDismissed Status = "dismissed"
)

// Report is a report about an actor, a group, an event, a comment or a
// discussion message, filed by a local profile or received from another
// instance as a Flag.
type Report struct {
	ID string
	// APID is the ActivityPub id of the Flag a remote report arrived as
	// (unique); "" for a local report, whose Flag, when forwarded, is
	// named by the Hook (BaseURL/report/{ID} by WIRE.md).
	APID string
	// ReporterID is the actor who reported: a local profile, or for a
	// remote report the actor that sent the Flag (usually the remote
	// instance actor). Moderators see it; it is never federated.
	ReporterID string
	Target     Target
	// TargetActorID is the actor answerable for the target: the actor or
	// group itself, the event's organizer, the comment's or the
	// message's author.
	TargetActorID string
	// ContentIRIs are the ActivityPub ids of the reported content (the
	// event, the comment, the discussion message; for the first message
	// of a remote discussion, which has no id of its own, the
	// discussion's), to forward in a Flag; empty for an actor or a group.
	ContentIRIs []string
	// Comment is the reporter's explanation, plain text, at most
	// MaxCommentLength bytes; may be empty.
	Comment string
	Status  Status
	// Remote: the report arrived as a Flag from another instance.
	Remote bool
	// Forwarded: a local report about a remote target, which the Hook
	// forwards to the target's instance as a Flag from the instance
	// actor (set by File; the reporter is not named).
	Forwarded bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Note is a moderator's note on a report, seen only by moderators.
type Note struct {
	ID        string
	ReportID  string
	AuthorID  string // the moderator's account id
	Text      string // plain text, at most MaxNoteLength bytes
	CreatedAt time.Time
}

// ActionKind is what a moderator did.
type ActionKind string

// Action kinds. The first six change the target (through the Config's
// Suspender, ContentHider and Identity), the last three a report's
// status; all are logged.
const (
	// ActionHide and ActionUnhide hide an event, a comment or a
	// discussion message from everyone but moderators, or show it again
	// (ContentHider).
	ActionHide   ActionKind = "hide"
	ActionUnhide ActionKind = "unhide"
	// ActionSuspend and ActionUnsuspend suspend an actor or a group on
	// this instance, or lift it (Suspender). For a local one it can no
	// longer act and its content is hidden; for a remote one, its
	// activities are refused and what it sent is hidden here (this is
	// "suspending remotely-originated content").
	ActionSuspend   ActionKind = "suspend"
	ActionUnsuspend ActionKind = "unsuspend"
	// ActionSuspendAccount and ActionUnsuspendAccount suspend the
	// account that owns a local profile, with all its profiles, or lift
	// it (Identity.Suspend). Only admins may suspend a moderator's or an
	// admin's account; nobody their own.
	ActionSuspendAccount   ActionKind = "suspend_account"
	ActionUnsuspendAccount ActionKind = "unsuspend_account"
	// ActionResolve, ActionDismiss and ActionReopen set a report's status
	// to resolved, dismissed or open.
	ActionResolve ActionKind = "resolve"
	ActionDismiss ActionKind = "dismiss"
	ActionReopen  ActionKind = "reopen"
)

// ActionKinds returns every action kind, in a fixed order.
func ActionKinds() []ActionKind {
	return []ActionKind{ActionHide, ActionUnhide, ActionSuspend, ActionUnsuspend, ActionSuspendAccount,
		ActionUnsuspendAccount, ActionResolve, ActionDismiss, ActionReopen}
}

// Action is an entry of the moderation log: who did what to which
// target, when, and about which report.
type Action struct {
	ID        string
	AccountID string // the moderator's or admin's account
	Kind      ActionKind
	Target    Target // the report's target for status changes
	ReportID  string // "" for an action taken without a report
	Comment   string // the moderator's reason, plain text; may be empty
	CreatedAt time.Time
}

// Rules is the instance's rules page: plain text (paragraphs separated
// by blank lines), at most MaxRulesLength bytes.
type Rules struct {
	Text      string
	UpdatedAt time.Time // zero when never set
	UpdatedBy string    // account id of the admin who set them last
}
