package wire

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/groups"
)

// Activity types this package emits and reads.
const (
	TypeCreate   = "Create"
	TypeUpdate   = "Update"
	TypeDelete   = "Delete"
	TypeJoin     = "Join"
	TypeLeave    = "Leave"
	TypeAccept   = "Accept"
	TypeReject   = "Reject"
	TypeIgnore   = "Ignore"
	TypeInvite   = "Invite"
	TypeRemove   = "Remove"
	TypeFollow   = "Follow"
	TypeUndo     = "Undo"
	TypeAnnounce = "Announce"
	TypeFlag     = "Flag"
	TypeAdd      = "Add"
	TypeMove     = "Move"
)

// TypeMember is the type of Mobilizon's Member object, the subject of
// the membership activities (WIRE.md §2.6).
const TypeMember = "Member"

// Activity is an activity to emit. Build it with the helpers below
// (CreateEvent, JoinEvent, AcceptFollow...) or by hand; Marshal writes it.
// bto and bcc do not exist here: they are never emitted.
type Activity struct {
	Type         string
	ID           string // required, except for Leave (Mobilizon sends none; Convene always does)
	Actor        string // required
	AttributedTo string
	// The object: Object when embedded, else ObjectIRI, else ObjectIRIs
	// (Flag reports several). Raw embeds a document unchanged (FEP-1b12
	// Announce of a member's activity).
	Object     Object
	ObjectIRI  string
	ObjectIRIs []string
	Raw        json.RawMessage

	Target, Origin string
	To, CC         []string
	Published      time.Time
	// Content is the Flag's report text (plain text).
	Content string
	// ParticipationMessage is the Join's message to the organizer.
	ParticipationMessage string
}

func (a Activity) writeObject(e *enc) error {
	if a.Type == "" || a.Actor == "" || (a.ID == "" && a.Type != TypeLeave) {
		return errf(ErrMissing, "id", "an activity needs a Type, an ID and an Actor")
	}
	e.strProp("type", a.Type)
	e.strProp("id", a.ID)
	e.strProp("actor", a.Actor)
	e.strProp("attributedTo", a.AttributedTo)
	switch {
	case a.Object != nil:
		e.key("object")
		e.open()
		if err := a.Object.writeObject(e); err != nil {
			return err
		}
		e.close()
	case len(a.Raw) > 0:
		if !json.Valid(a.Raw) {
			return errf(ErrSyntax, "object", "Raw is not valid JSON")
		}
		e.key("object")
		e.raw(string(a.Raw))
	case a.ObjectIRI != "":
		e.strProp("object", a.ObjectIRI)
	case len(a.ObjectIRIs) > 0:
		e.irisAlways("object", a.ObjectIRIs)
	default:
		return errf(ErrMissing, "object", "an activity needs an object")
	}
	e.strProp("target", a.Target)
	e.strProp("origin", a.Origin)
	if a.Content != "" {
		e.strProp("content", a.Content)
		e.strProp("mediaType", "text/plain")
	}
	e.strProp("participationMessage", a.ParticipationMessage)
	e.irisAlways("to", a.To)
	e.irisAlways("cc", a.CC)
	e.timeProp("published", a.Published, nil)
	return nil
}

// CreateEvent is the Create{Event} for a new event: id <event>/activity,
// addressed like the event.
func CreateEvent(v EventView) Activity {
	return eventActivity(TypeCreate, v.Event.APID+"/activity", v, v.Event.PublishedAt)
}

// UpdateEvent is the Update{Event} after a change. Its id carries the
// update time, so that every update is a new activity for receivers that
// deduplicate by id (Mobilizon reuses <event>/activity).
func UpdateEvent(v EventView) Activity {
	id := v.Event.APID + "/updates/" + strconv.FormatInt(v.Event.UpdatedAt.UnixMicro(), 10)
	return eventActivity(TypeUpdate, id, v, v.Event.UpdatedAt)
}

func eventActivity(typ, id string, v EventView, at time.Time) Activity {
	actor := v.Actor
	if actor == "" {
		actor = v.Organizer
	}
	followers := v.Followers
	if followers == "" {
		followers = v.Organizer + "/followers"
	}
	to, cc := eventAudience(v.Event.Visibility, followers, v.Members)
	return Activity{Type: typ, ID: id, Actor: actor, AttributedTo: v.Organizer, Object: v, To: to, CC: cc, Published: at}
}

// Delete is the Delete of an object, carrying its Tombstone: id
// <object>/delete.
func Delete(t Tombstone, actor string, to, cc []string) Activity {
	return Activity{Type: TypeDelete, ID: t.ID + "/delete", Actor: actor, Object: t, To: to, CC: cc, Published: t.Deleted}
}

// Participation is one actor's participation in an event, for the Join,
// Leave, Accept and Reject activities (WIRE.md §2.5).
type Participation struct {
	ID          string // the Join's id (Participant.APID)
	Participant string // the participant's actor IRI
	Event       string // the event's IRI
	Organizer   string // the organizing actor (the group for a group event)
	Message     string // participation message
	// Followers and Members are the organizing group's collections,
	// copied (cc) on participation activities of group events.
	Followers, Members string
}

func (p Participation) audience() (to, cc []string) {
	to = []string{p.Participant, p.Organizer}
	if p.Followers != "" {
		cc = append(cc, p.Followers)
	}
	if p.Members != "" {
		cc = append(cc, p.Members)
	}
	return to, cc
}

func (p Participation) join() Activity {
	to, cc := p.audience()
	return Activity{Type: TypeJoin, ID: p.ID, Actor: p.Participant, ObjectIRI: p.Event,
		ParticipationMessage: p.Message, To: to, CC: cc}
}

// JoinEvent is the participant's Join{Event}.
func JoinEvent(p Participation) Activity { return p.join() }

// AcceptJoin is the organizer's (or moderator's, by) Accept of a Join,
// with the Join embedded; id is the Accept's id.
func AcceptJoin(p Participation, id, by string) Activity {
	return p.answer(TypeAccept, id, by)
}

// RejectJoin is the Reject of a Join.
func RejectJoin(p Participation, id, by string) Activity {
	return p.answer(TypeReject, id, by)
}

func (p Participation) answer(typ, id, by string) Activity {
	to, cc := p.audience()
	j := p.join()
	j.To, j.CC = nil, nil
	a := Activity{Type: typ, ID: id, Actor: by, Object: bare(j), To: to, CC: cc}
	if by != p.Organizer {
		a.AttributedTo = p.Organizer
	}
	return a
}

// LeaveEvent is the participant's Leave of an event.
func LeaveEvent(p Participation, id string) Activity {
	to, cc := p.audience()
	return Activity{Type: TypeLeave, ID: id, Actor: p.Participant, ObjectIRI: p.Event, To: to, CC: cc}
}

// IgnoreJoin answers a Join that is not taken (FEP-8a8e: joinMode none or
// external): the object is the Join's id.
func IgnoreJoin(id, actor, joinID, participant string) Activity {
	return Activity{Type: TypeIgnore, ID: id, Actor: actor, ObjectIRI: joinID, To: []string{participant}}
}

// bareActivity is an Activity embedded without to/cc.
type bareActivity struct{ a Activity }

func bare(a Activity) Object { return bareActivity{a} }

func (b bareActivity) writeObject(e *enc) error {
	a := b.a
	if a.Type == "" || a.Actor == "" {
		return errf(ErrMissing, "object", "an embedded activity needs a Type and an Actor")
	}
	e.strProp("type", a.Type)
	e.strProp("id", a.ID)
	e.strProp("actor", a.Actor)
	switch {
	case a.Object != nil:
		e.key("object")
		e.open()
		if err := a.Object.writeObject(e); err != nil {
			return err
		}
		e.close()
	default:
		e.strProp("object", a.ObjectIRI)
	}
	e.strProp("participationMessage", a.ParticipationMessage)
	return nil
}

// Membership is a group membership: the Member object of Mobilizon
// (WIRE.md §2.6) and the subject of the membership activities.
type Membership struct {
	ID     string // the Member's IRI (Member.APID)
	Member string // the member's actor IRI
	Group  string // the group's IRI
	Role   groups.Role
	// Members is the group's members collection. Optional: defaults to
	// Group + "/members".
	Members string
}

func (m Membership) members() string {
	if m.Members != "" {
		return m.Members
	}
	return m.Group + "/members"
}

func (m Membership) writeObject(e *enc) error {
	if m.ID == "" || m.Member == "" || m.Group == "" {
		return errf(ErrMissing, "id", "a Member needs ID, Member and Group")
	}
	e.strProp("type", TypeMember)
	e.strProp("id", m.ID)
	e.strProp("actor", m.Member)
	e.strProp("object", m.Group)
	e.strProp("role", string(m.Role))
	return nil
}

// JoinGroup is a person's Join of a group: the id is the Member's.
func JoinGroup(m Membership) Activity {
	return Activity{Type: TypeJoin, ID: m.ID, Actor: m.Member, ObjectIRI: m.Group,
		To: []string{m.Group, m.members()}}
}

// AcceptGroupJoin accepts a join: by the group itself (open groups), or
// by a moderator (attributedTo the group).
func AcceptGroupJoin(m Membership, id, by string) Activity {
	if by == m.Group {
		return Activity{Type: TypeAccept, ID: id, Actor: by, Object: m, To: []string{m.Group, m.members()}}
	}
	return Activity{Type: TypeAccept, ID: id, Actor: by, AttributedTo: m.Group, Object: m,
		To: []string{m.members()}, CC: []string{m.Group}}
}

// RejectGroupJoin rejects a join request; the object is the Member's IRI.
func RejectGroupJoin(m Membership, id, by string) Activity {
	return Activity{Type: TypeReject, ID: id, Actor: by, AttributedTo: m.Group, ObjectIRI: m.ID,
		To: []string{m.members()}, CC: []string{m.Group}}
}

// InviteToGroup is an administrator's Invite: id the Member's, object the
// group, target the invitee.
func InviteToGroup(m Membership, inviter string) Activity {
	return Activity{Type: TypeInvite, ID: m.ID, Actor: inviter, AttributedTo: m.Group, ObjectIRI: m.Group,
		Target: m.Member, To: []string{m.Member, m.members()}, CC: []string{m.Group}}
}

// AcceptInvite is the invitee's Accept, with the Member embedded.
func AcceptInvite(m Membership, id, inviter string) Activity {
	return Activity{Type: TypeAccept, ID: id, Actor: m.Member, AttributedTo: m.Group, Object: m,
		To: []string{inviter, m.members()}, CC: []string{m.Group}}
}

// RejectInvite is the invitee's refusal; the object is the Member's IRI.
func RejectInvite(m Membership, id, inviter string) Activity {
	return Activity{Type: TypeReject, ID: id, Actor: m.Member, AttributedTo: m.Group, ObjectIRI: m.ID,
		To: []string{inviter, m.members()}, CC: []string{m.Group}}
}

// UpdateMember announces a role change (m.Role is the new role).
func UpdateMember(m Membership, id, by string) Activity {
	return Activity{Type: TypeUpdate, ID: id, Actor: by, AttributedTo: m.Group, Object: m,
		To: []string{m.members(), m.Member}, CC: []string{m.Group}}
}

// RemoveMember is a moderator's Remove of a member: object the Member's
// IRI, origin the group.
func RemoveMember(m Membership, id, by string) Activity {
	return Activity{Type: TypeRemove, ID: id, Actor: by, ObjectIRI: m.ID, Origin: m.Group,
		To: []string{m.Member, m.members()}, CC: []string{m.Group}}
}

// LeaveGroup is a member's Leave of the group.
func LeaveGroup(m Membership, id string) Activity {
	return Activity{Type: TypeLeave, ID: id, Actor: m.Member, AttributedTo: m.Group, ObjectIRI: m.Group,
		To: []string{m.members()}, CC: []string{m.Group}}
}

// FollowView is a follow relation as it travels.
type FollowView struct {
	ID       string // the Follow's id (Follow.APID)
	Follower string
	Followed string
}

func (f FollowView) follow() Activity {
	return Activity{Type: TypeFollow, ID: f.ID, Actor: f.Follower, ObjectIRI: f.Followed,
		To: []string{f.Followed}, CC: []string{PublicIRI}}
}

// Follow is the Follow activity (addressed like Mobilizon's: to the
// followed actor, cc Public).
func Follow(f FollowView) Activity { return f.follow() }

// AcceptFollow is the followed actor's Accept, with the Follow embedded.
func AcceptFollow(f FollowView, id string) Activity {
	return Activity{Type: TypeAccept, ID: id, Actor: f.Followed, Object: bare(f.follow()), To: []string{f.Follower}}
}

// RejectFollow is the followed actor's Reject.
func RejectFollow(f FollowView, id string) Activity {
	return Activity{Type: TypeReject, ID: id, Actor: f.Followed, Object: bare(f.follow()), To: []string{f.Follower}}
}

// UndoFollow is the follower's Undo of its Follow.
func UndoFollow(f FollowView, id string) Activity {
	return Activity{Type: TypeUndo, ID: id, Actor: f.Follower, Object: bare(f.follow()), To: []string{f.Followed}}
}

// Announce is a group's (FEP-1b12) or relay's re-broadcast of an
// activity: raw is the original document, embedded unchanged; objectActor
// is its author. Public content goes to the announcer's followers and the
// author, cc Public; members-only content (public false) to the members
// and followers only.
func Announce(id, actor string, raw json.RawMessage, objectActor string, public bool, followers, members string) Activity {
	a := Activity{Type: TypeAnnounce, ID: id, Actor: actor, Raw: raw}
	if public {
		a.To, a.CC = []string{followers, objectActor}, []string{PublicIRI}
		return a
	}
	a.To = []string{members, followers, objectActor}
	return a
}

// Flag is a report, sent by the instance actor (the reporter is not
// named): objects are the reported actor and the reported content.
func Flag(id, instanceActor, reported string, content string, objects []string) Activity {
	return Activity{Type: TypeFlag, ID: id, Actor: instanceActor, ObjectIRIs: append([]string{reported}, objects...),
		Content: content, CC: []string{reported}}
}

// ParsedActivity is an activity read from the network. The object is
// embedded in exactly one of Event, Actor, Activity and Object, or given
// only as ObjectIRI; ObjectIRI is its id either way.
type ParsedActivity struct {
	Type         string
	ID           string // "" for a Mobilizon Leave
	Actor        string // the first actor when several are given
	AttributedTo string
	ObjectIRI    string
	ObjectIRIs   []string // every object IRI (Flag)
	Event        *ParsedEvent
	ActorObject  *ParsedActor
	Activity     *ParsedActivity
	Object       *ParsedObject
	// RawObject is the embedded object as received, for relaying.
	RawObject            json.RawMessage
	Target, Origin       string
	To, CC               []string
	Published            time.Time
	Content              string // Flag: the report text, plain
	ParticipationMessage string
	Extra                map[string]json.RawMessage
}

// Public reports whether the activity is addressed to Public.
func (a *ParsedActivity) Public() bool { return visibilityPublic(a.To, a.CC) }

func visibilityPublic(to, cc []string) bool {
	for _, l := range [][]string{to, cc} {
		for _, s := range l {
			if s == PublicIRI {
				return true
			}
		}
	}
	return false
}

// ParseActivity reads an activity. Embedded objects are parsed into the
// matching field; an embedded object of a type this package does not model
// (a PeerTube Video, a Question) is read as a ParsedObject, never an error.
func (p *Parser) ParseActivity(data []byte) (*ParsedActivity, error) {
	var out *ParsedActivity
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		var err error
		out, err = r.activity(v, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isActivityType(t string) bool {
	switch t {
	case TypeCreate, TypeUpdate, TypeDelete, TypeJoin, TypeLeave, TypeAccept, TypeReject, TypeIgnore, TypeInvite,
		TypeRemove, TypeFollow, TypeUndo, TypeAnnounce, TypeFlag, TypeAdd, TypeMove,
		"Like", "Dislike", "Block", "TentativeAccept", "TentativeReject", "Offer", "Question", "EmojiReact", "View", "Read":
		return true
	}
	return false
}

func knownActivityKey(k string) bool {
	switch k {
	case "@context", "type", "id", "actor", "attributedTo", "object", "target", "origin", "to", "cc",
		"bto", "bcc", "published", "content", "contentMap", "mediaType", "participationMessage", "signature":
		return true
	}
	return false
}

func (r *reader) activity(v *fastjson.Value, prefix string) (*ParsedActivity, error) {
	t := typeOf(v)
	if !isActivityType(t) {
		return nil, errf(ErrUnsupported, path(prefix, "type"), "%q is not an activity type", t)
	}
	a := &ParsedActivity{Type: t}
	a.ID = r.iri(v, prefix, "id")
	a.Actor = r.iri(v, prefix, "actor")
	if a.Actor == "" {
		return nil, errf(ErrMissing, path(prefix, "actor"), "an activity needs an actor")
	}
	if a.ID == "" && t != TypeLeave && prefix == "" {
		return nil, errf(ErrMissing, path(prefix, "id"), "a %s needs an id", t)
	}
	a.AttributedTo = r.iri(v, prefix, "attributedTo")
	a.Target = r.iri(v, prefix, "target")
	a.Origin = r.iri(v, prefix, "origin")
	a.To = r.iris(v, prefix, "to", MaxAudience)
	a.CC = r.iris(v, prefix, "cc", MaxAudience)
	a.Published = utcMicro(r.timeIn(v, "published", nil))
	a.Content = r.text(v, prefix, "content", "", MaxContent)
	a.ParticipationMessage = r.text(v, prefix, "participationMessage", "", MaxContent)
	op := path(prefix, "object")
	if x := v.Get("object"); x != nil {
		switch x.Type() {
		case fastjson.TypeString:
			a.ObjectIRI = r.iriOf(x, op)
			if a.ObjectIRI != "" {
				a.ObjectIRIs = []string{a.ObjectIRI}
			}
		case fastjson.TypeArray:
			a.ObjectIRIs = r.iris(v, prefix, "object", MaxItems)
			if len(a.ObjectIRIs) > 0 {
				a.ObjectIRI = a.ObjectIRIs[0]
			}
		case fastjson.TypeObject:
			a.RawObject = x.MarshalTo(nil)
			if err := r.embedded(x, op, a); err != nil {
				return nil, err
			}
		}
	}
	if a.ObjectIRI == "" && a.Event == nil && a.ActorObject == nil && a.Activity == nil && a.Object == nil {
		return nil, errf(ErrMissing, op, "a %s needs an object", t)
	}
	a.Extra = extra(v, knownActivityKey)
	return a, nil
}

// embedded parses an embedded object into the field for its kind.
func (r *reader) embedded(x *fastjson.Value, prefix string, a *ParsedActivity) error {
	t := typeOf(x)
	switch {
	case t == "Event":
		a.Event = r.event(x, prefix)
		a.ObjectIRI = a.Event.Event.APID
	case isActorType(t):
		pa, err := r.actor(x, prefix)
		if err != nil {
			return err
		}
		a.ActorObject, a.ObjectIRI = pa, pa.Actor.APID
	case isActivityType(t):
		inner, err := r.activity(x, prefix)
		if err != nil {
			return err
		}
		a.Activity, a.ObjectIRI = inner, inner.ID
	default:
		a.Object = r.object(x, prefix)
		a.ObjectIRI = a.Object.ID
	}
	if a.ObjectIRI != "" {
		a.ObjectIRIs = []string{a.ObjectIRI}
	}
	return nil
}
