package events

import (
	"time"

	"codeberg.org/convene/convene/geo"
)

// Status of an event (FEP-8a8e's eventStatus, iCalendar's STATUS).
type Status string

// Event statuses.
const (
	Tentative   Status = "tentative"
	Confirmed   Status = "confirmed"
	Cancelled   Status = "cancelled"
	Postponed   Status = "postponed"
	Rescheduled Status = "rescheduled"
)

// Visibility says who can see an event.
type Visibility string

// Visibility values. Only public events appear in listings, search and
// public feeds; unlisted ones are reachable by their address; private ones
// only by the organizer, participants and, for group events, members.
const (
	Public   Visibility = "public"
	Unlisted Visibility = "unlisted"
	Private  Visibility = "private"
)

// JoinMode says how people take part.
type JoinMode string

// Join modes.
const (
	JoinFree       JoinMode = "free"       // join at once while seats remain
	JoinRestricted JoinMode = "restricted" // the organizer approves each join
	JoinInvite     JoinMode = "invite"     // only invited people take part
	JoinExternal   JoinMode = "external"   // participation happens at ExternalURL
	JoinNone       JoinMode = "none"       // no participation is tracked
)

// CommentModeration says what happens to new comments.
type CommentModeration string

// Comment moderation settings.
const (
	CommentsAllowAll  CommentModeration = "allow_all" // published at once
	CommentsModerated CommentModeration = "moderated" // held for approval
	CommentsClosed    CommentModeration = "closed"    // refused
)

// LinkKind classifies a metadata link to an outside tool.
type LinkKind string

// Link kinds.
const (
	LinkPad        LinkKind = "pad"
	LinkCalc       LinkKind = "calc"
	LinkVisio      LinkKind = "visio"
	LinkLivestream LinkKind = "livestream"
	LinkTicket     LinkKind = "ticket"
	LinkOther      LinkKind = "link"
)

// Link is a metadata link: the pad, the video room, the ticket shop.
type Link struct {
	Kind  LinkKind `json:"kind"`
	Title string   `json:"title,omitempty"`
	URL   string   `json:"url"`
}

// Event is an event, local or remote. Times are instants; TimeZone is
// the IANA zone in which they are shown and in which a recurring event
// keeps its wall-clock time.
type Event struct {
	ID    string // storage id and the UUID in /events/{uuid}
	APID  string // ActivityPub id, unique
	URL   string // HTML page
	Local bool

	// OrganizerID is the organizing actor: a profile, a group, or a
	// remote actor. GroupID repeats it when that actor is a group;
	// CreatorID is the local profile that acted (for a group event, the
	// member who created it). Remote events have no CreatorID.
	OrganizerID string
	GroupID     string
	CreatorID   string
	Contacts    []string // actor ids shown as contacts

	Title       string
	Description string // sanitized HTML
	BeginsAt    time.Time
	EndsAt      time.Time
	TimeZone    string // IANA zone; "" means UTC

	Status      Status
	Visibility  Visibility
	JoinMode    JoinMode
	ExternalURL string // JoinExternal: where to take part
	Capacity    int    // seats for participants; 0 = unlimited

	// AnonymousParticipation lets people without an account join with
	// an email address.
	AnonymousParticipation bool

	OnlineAddress string
	Place         *geo.Place

	Category   string   // FEP-8a8e category (upper case); unknown values kept
	Tags       []string // deduplicated case-insensitively
	Language   string   // BCP 47
	PictureURL string
	Links      []Link

	Draft             bool
	CommentModeration CommentModeration

	// Hidden: the instance's moderators hid the event (reversible, see
	// Service.HideEvent). A hidden event is in no listing, search or
	// feed, and the service treats it as not found; only the store's
	// Get* and Service.GetForModeration return it. It is a local
	// decision: it never federates, and only EventStore.SetEventHidden
	// changes it (UpdateEvent keeps the stored value).
	Hidden bool

	// Recurrence is an RRULE (see events/recur) and ExDates the
	// occurrence starts it skips; BeginsAt/EndsAt are then the first
	// occurrence. SeriesEndsAt is derived: the end of the last
	// occurrence, zero when the series never ends; for a single event it
	// equals EndsAt.
	Recurrence   string
	ExDates      []time.Time
	SeriesEndsAt time.Time

	Sequence    int // grows with each update (iCalendar SEQUENCE)
	PublishedAt time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Recurring reports whether the event has a recurrence rule.
func (e *Event) Recurring() bool { return e.Recurrence != "" }

// ParticipantRole is where a participation stands.
type ParticipantRole string

// Participant roles. Creator and moderator are organizers; participant
// holds a seat; waitlisted waits, first come first served, for one.
const (
	RoleCreator      ParticipantRole = "creator"
	RoleModerator    ParticipantRole = "moderator"
	RoleParticipant  ParticipantRole = "participant"
	RoleNotApproved  ParticipantRole = "not_approved"  // awaits the organizer
	RoleNotConfirmed ParticipantRole = "not_confirmed" // anonymous, awaits email confirmation
	RoleRejected     ParticipantRole = "rejected"
	RoleWaitlisted   ParticipantRole = "waitlisted"
)

// Participant is an actor's (or an anonymous person's) participation in
// an event: one row per actor and event.
type Participant struct {
	ID      string
	APID    string // the Join's ActivityPub id
	EventID string
	ActorID string // "" for anonymous participants
	Role    ParticipantRole
	Message string // the participation message

	// Anonymous participation: the email is used only to confirm and to
	// write to the participant. It is never shown to other users and
	// never federated. Tokens are stored as SHA-256 hashes.
	Email            string
	ConfirmTokenHash []byte
	CancelTokenHash  []byte
	Locale           string

	CreatedAt time.Time // the waitlist order
	UpdatedAt time.Time
}

// CommentState says whether a comment is shown.
type CommentState string

// Comment states.
const (
	CommentPublished CommentState = "published"
	CommentPending   CommentState = "pending" // held by moderation
	CommentRejected  CommentState = "rejected"
	CommentDeleted   CommentState = "deleted" // kept as a tombstone for its thread
)

// Comment is a comment on an event, threaded by InReplyTo.
type Comment struct {
	ID        string
	APID      string
	URL       string
	EventID   string
	AuthorID  string // actor id
	InReplyTo string // parent comment id; "" for a top-level comment
	Text      string // sanitized HTML
	State     CommentState
	CreatedAt time.Time
	UpdatedAt time.Time
}
