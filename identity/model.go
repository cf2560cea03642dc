package identity

import (
	"time"
)

// Role is an account's role on the instance.
type Role string

// Account roles.
const (
	RoleUser      Role = "user"
	RoleModerator Role = "moderator"
	RoleAdmin     Role = "admin"
)

// Account is a person's login: one email and password, owning one or
// more profiles. Nothing public names the account or links its profiles.
type Account struct {
	ID           string
	Email        string // normalized (see NormalizeEmail), unique
	PasswordHash string // PHC-formatted argon2id hash; never shown
	Confirmed    bool
	Role         Role
	Suspended    bool
	Locale       string // BCP 47, e.g. "fr"
	TimeZone     string // IANA, e.g. "Europe/Paris"
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ActorType is the ActivityStreams type of an actor.
type ActorType string

// Actor types accepted from the network and used locally.
const (
	TypePerson       ActorType = "Person"
	TypeGroup        ActorType = "Group"
	TypeApplication  ActorType = "Application"
	TypeOrganization ActorType = "Organization"
	TypeService      ActorType = "Service"
)

// Actor is one model for local and remote ActivityPub actors: profiles
// (Person), groups (Group), the instance actor (Application) and anything
// remote. Local actors have Local set, a username unique on the instance
// and a private key; remote ones have FetchedAt.
type Actor struct {
	ID   string // storage id
	APID string // ActivityPub id (IRI), unique
	Type ActorType

	Local    bool
	Username string // preferredUsername
	Domain   string // host of APID, lower case

	DisplayName string
	Summary     string // sanitized HTML
	AvatarURL   string
	BannerURL   string
	URL         string // HTML page

	Inbox       string
	SharedInbox string
	Outbox      string
	Followers   string
	Following   string

	PublicKeyID   string
	PublicKeyPEM  string // SPKI or PKCS#1 PEM
	PrivateKeyPEM string // local actors only; PKCS#8 PEM; never leaves the instance

	Discoverable              bool
	ManuallyApprovesFollowers bool

	FetchedAt time.Time // remote actors: when the document was last fetched
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Handle is @username@domain.
func (a *Actor) Handle() string { return "@" + a.Username + "@" + a.Domain }

// Profile is an identity of an account: a local Person actor. An account
// acts (joins, comments, organizes, is a member) through one of its
// profiles at a time.
type Profile struct {
	Actor
	AccountID string
	Default   bool // the account's default profile
}

// FollowState is where a follow request stands.
type FollowState string

// Follow states.
const (
	FollowPending  FollowState = "pending"
	FollowAccepted FollowState = "accepted"
	FollowRejected FollowState = "rejected"
)

// Follow is a follow relation between two actors, local or remote.
type Follow struct {
	ID         string
	APID       string // id of the Follow activity
	FollowerID string // actor id
	FollowedID string // actor id
	State      FollowState
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// FeedToken grants read access to a private calendar feed. The token
// text is shown once, when created; only its SHA-256 is stored.
type FeedToken struct {
	ID        string
	Hash      []byte // SHA-256 of the token text
	AccountID string
	ProfileID string // "" for an account-wide feed
	CreatedAt time.Time
	RevokedAt time.Time // zero while valid
}
