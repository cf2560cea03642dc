package groups

import (
	"time"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/identity"
)

// Openness says how people become members.
type Openness string

// Openness values.
const (
	Open       Openness = "open"        // join at once
	Moderated  Openness = "moderated"   // join requests wait for approval
	InviteOnly Openness = "invite_only" // only invited profiles join
)

// Visibility says who can see the group.
type Visibility string

// Visibility values.
const (
	Public   Visibility = "public"   // listed and searchable
	Unlisted Visibility = "unlisted" // reachable by its address, not listed
	Private  Visibility = "private"  // members only
)

// Group is a Group actor with its settings. Its ID is its actor's ID.
type Group struct {
	identity.Actor
	Openness   Openness
	Visibility Visibility
	Address    *geo.Place // optional
}

// Role is a membership role. The first four are members; the others are
// steps on the way in or out.
type Role string

// Membership roles, from most to least powerful.
const (
	RoleCreator       Role = "creator"
	RoleAdministrator Role = "administrator"
	RoleModerator     Role = "moderator"
	RoleMember        Role = "member"
	RoleInvited       Role = "invited"
	RoleNotApproved   Role = "not_approved"
	RoleRejected      Role = "rejected"
)

// Member is an actor's membership of a group (one row per pair).
type Member struct {
	ID        string
	APID      string // the Member object's ActivityPub id
	GroupID   string // group actor id
	ActorID   string // member actor id (local profile or remote actor)
	Role      Role
	InvitedBy string // actor id of the inviter, for invitations
	CreatedAt time.Time
	UpdatedAt time.Time
}
