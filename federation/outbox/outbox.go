package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/storage"
)

// Limits.
const (
	// MaxRecipients bounds the actors (followers and members together)
	// read for one activity. Beyond it the rest are not delivered to: a
	// larger audience needs relays or a paged fan-out job.
	MaxRecipients = 50_000
	// PageSize is the number of followers or members read per query.
	PageSize = 500
)

// Config configures an Outbox.
type Config struct {
	// BaseURL is the instance's public URL; required. Its host is never
	// delivered to, and answers get ids under it.
	BaseURL string
	// LocalHosts are more hosts of this instance (aliases), never
	// delivered to. Optional.
	LocalHosts []string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes the unique part of answer ids (Accept, Reject); nil
	// means random UUIDs.
	NewID func() string
	// Notify is called once a transaction that queued deliveries has
	// committed (delivery.Worker.Notify: the worker starts at once
	// instead of at its next poll). Optional; it needs a backend whose
	// transactions are storage.AfterCommitters.
	Notify func()
}

// Outbox implements events.Hook and groups.Hook. It is safe for
// concurrent use.
type Outbox struct {
	base   string
	hosts  []string
	now    func() time.Time
	newID  func() string
	notify func()
}

var (
	_ events.Hook = (*Outbox)(nil)
	_ groups.Hook = (*Outbox)(nil)
)

// New returns an Outbox.
func New(cfg Config) (*Outbox, error) {
	base, host, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("outbox: Config.%w", err)
	}
	o := &Outbox{base: base, hosts: append([]string{host}, cfg.LocalHosts...), now: cfg.Now, newID: cfg.NewID, notify: cfg.Notify}
	if o.now == nil {
		o.now = time.Now
	}
	if o.newID == nil {
		o.newID = uuid.NewString
	}
	return o, nil
}

func (o *Outbox) clock() time.Time { return o.now().UTC().Truncate(time.Microsecond) }

// txn is the contracts of one transaction this package reads and writes.
type txn struct {
	tx     storage.Tx
	ids    identity.Store
	groups groups.Store
	queue  delivery.Queue
	actors map[string]*identity.Actor
}

func open(tx storage.Tx, needGroups bool) (*txn, error) {
	t := &txn{tx: tx, actors: map[string]*identity.Actor{}}
	var err error
	if t.queue, err = storage.As[delivery.Queue](tx); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if t.ids, err = storage.As[identity.Store](tx); err != nil {
		return nil, fmt.Errorf("outbox: %w", err)
	}
	if needGroups {
		if t.groups, err = storage.As[groups.Store](tx); err != nil {
			return nil, fmt.Errorf("outbox: %w", err)
		}
	}
	return t, nil
}

// openFor opens tx and reads the actor id, which the caller needs local
// (or remote): who is nil when it is not, and there is nothing to send.
func openFor(ctx context.Context, tx storage.Tx, id string, local bool) (t *txn, who *identity.Actor, err error) {
	if t, err = open(tx, false); err != nil {
		return nil, nil, err
	}
	if who, err = t.actor(ctx, id); err != nil {
		return nil, nil, err
	}
	if who.Local != local {
		return t, nil, nil
	}
	return t, who, nil
}

func (t *txn) actor(ctx context.Context, id string) (*identity.Actor, error) {
	if a, ok := t.actors[id]; ok {
		return a, nil
	}
	a, err := t.ids.GetActor(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("outbox: actor %s: %w", id, err)
	}
	t.actors[id] = a
	return a, nil
}

// audience collects the remote actors an activity is delivered to.
type audience struct {
	recipients []delivery.Recipient
	iris       []string
	seen       map[string]bool
}

func (a *audience) add(x *identity.Actor) bool {
	if len(a.iris) >= MaxRecipients {
		return false
	}
	if x.Local || a.seen[x.APID] {
		return true
	}
	if a.seen == nil {
		a.seen = map[string]bool{}
	}
	a.seen[x.APID] = true
	a.iris = append(a.iris, x.APID)
	a.recipients = append(a.recipients, delivery.Recipient{ID: x.APID, Inbox: x.Inbox, SharedInbox: x.SharedInbox})
	return true
}

// addFollowers adds the accepted remote followers of actorID.
func (t *txn) addFollowers(ctx context.Context, aud *audience, actorID string) error {
	return t.addPaged(ctx, aud, "followers of "+actorID, func(after storage.Cursor) ([]string, storage.Cursor, error) {
		page, err := t.ids.ListFollowers(ctx, actorID, identity.FollowAccepted, after, PageSize)
		ids := make([]string, len(page))
		for i, f := range page {
			ids[i] = f.FollowerID
		}
		if len(page) > 0 {
			after = storage.Cursor{At: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
		}
		return ids, after, err
	})
}

// addMembers adds the remote members (creator to member) of groupID.
func (t *txn) addMembers(ctx context.Context, aud *audience, groupID string) error {
	roles := []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember}
	return t.addPaged(ctx, aud, "members of "+groupID, func(after storage.Cursor) ([]string, storage.Cursor, error) {
		page, err := t.groups.ListMembers(ctx, groupID, roles, after, PageSize)
		ids := make([]string, len(page))
		for i, m := range page {
			ids[i] = m.ActorID
		}
		if len(page) > 0 {
			after = storage.Cursor{At: page[len(page)-1].CreatedAt, ID: page[len(page)-1].ID}
		}
		return ids, after, err
	})
}

// addPaged adds the actors that list returns, PageSize at a time, until
// the list ends or the audience is full. Actors that are gone are skipped.
func (t *txn) addPaged(ctx context.Context, aud *audience, what string, list func(after storage.Cursor) ([]string, storage.Cursor, error)) error {
	var after storage.Cursor
	for {
		ids, next, err := list(after)
		if err != nil {
			return fmt.Errorf("outbox: %s: %w", what, err)
		}
		for _, id := range ids {
			a, err := t.actor(ctx, id)
			if errors.Is(err, storage.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if !aud.add(a) {
				return nil
			}
		}
		if len(ids) < PageSize {
			return nil
		}
		after = next
	}
}

// enqueue marshals act and queues it for the audience's inboxes, signed
// by signer. An audience without a deliverable inbox queues nothing.
func (o *Outbox) enqueue(ctx context.Context, t *txn, act wire.Activity, signer string, aud *audience) error {
	inboxes, _ := delivery.Inboxes(delivery.Addressing{To: aud.iris}, aud.recipients, o.hosts)
	valid := inboxes[:0]
	for _, in := range inboxes {
		if _, err := delivery.HostOf(in); err == nil { // a remote actor's broken inbox must not block local changes
			valid = append(valid, in)
		}
	}
	if len(valid) == 0 {
		return nil
	}
	body, err := wire.Marshal(act)
	if err != nil {
		return fmt.Errorf("outbox: %s %s: %w", act.Type, act.ID, err)
	}
	if err := t.queue.Enqueue(ctx, o.clock(), delivery.Activity{ID: act.ID, ActorID: signer, Body: body}, valid); err != nil {
		return fmt.Errorf("outbox: enqueue %s %s: %w", act.Type, act.ID, err)
	}
	if o.notify != nil {
		if ac, err := storage.As[storage.AfterCommitter](t.tx); err == nil {
			ac.AfterCommit(o.notify)
		}
	}
	return nil
}

// EventChanged implements events.Hook.
func (o *Outbox) EventChanged(ctx context.Context, tx storage.Tx, c events.Change) error {
	e := c.Event
	if e == nil {
		return nil
	}
	if !e.Local {
		return o.remoteParticipation(ctx, tx, c)
	}
	switch c.Kind {
	case events.EventDeleted:
		// The event's IRI answers 410 Gone from now on, and a late
		// Create of it is dropped (federation/inbox).
		ts, err := storage.As[inbox.Tombstones](tx)
		if err != nil {
			return fmt.Errorf("outbox: %w", err)
		}
		if err := ts.AddTombstone(ctx, e.APID, o.clock()); err != nil {
			return fmt.Errorf("outbox: tombstone %s: %w", e.APID, err)
		}
		return o.eventChanged(ctx, tx, c)
	case events.EventCreated, events.EventUpdated:
		return o.eventChanged(ctx, tx, c)
	case events.ParticipantAdded, events.ParticipantChanged:
		return o.participation(ctx, tx, c)
	}
	return nil
}

func (o *Outbox) eventChanged(ctx context.Context, tx storage.Tx, c events.Change) error {
	e := c.Event
	if e.Draft {
		return nil // never published, or unpublished: nothing federates
	}
	if e.Visibility == events.Private && e.GroupID == "" {
		return nil
	}
	t, err := open(tx, e.GroupID != "")
	if err != nil {
		return err
	}
	org, err := t.actor(ctx, e.OrganizerID)
	if err != nil {
		return err
	}
	v := wire.EventView{Event: *e, Organizer: org.APID, Followers: org.Followers, BaseURL: o.base, Now: o.clock()}
	if e.GroupID != "" {
		v.Members = org.APID + "/members"
	}
	if e.CreatorID != "" {
		if cr, err := t.actor(ctx, e.CreatorID); err == nil {
			v.Actor = cr.APID
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	for _, id := range e.Contacts {
		a, err := t.actor(ctx, id)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		v.Contacts = append(v.Contacts, a.APID)
	}

	var act wire.Activity
	seq := strconv.Itoa(e.Sequence)
	switch {
	case c.Kind == events.EventCreated:
		act = wire.CreateEvent(v)
	case c.Kind == events.EventUpdated && c.Published:
		act = wire.CreateEvent(v) // the update published a draft
		act.ID = e.APID + "/activity/" + seq
	case c.Kind == events.EventUpdated:
		act = wire.UpdateEvent(v)
		act.ID = e.APID + "/updates/" + seq
	default:
		ref := wire.CreateEvent(v)
		act = wire.Delete(wire.Tombstone{ID: e.APID, FormerType: "Event", Deleted: o.clock()}, ref.Actor, ref.To, ref.CC)
	}
	// A group event's activity is by the member who acted (wire's
	// builders name the creator), attributed to the group.
	if e.GroupID != "" && c.ActorID != "" && c.ActorID != e.GroupID {
		if a, err := t.actor(ctx, c.ActorID); err == nil && a.Local {
			act.Actor = a.APID
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	if act.Actor != org.APID {
		act.AttributedTo = org.APID
	}

	aud := &audience{}
	if e.Visibility != events.Private {
		if err := t.addFollowers(ctx, aud, org.ID); err != nil {
			return err
		}
	}
	if e.GroupID != "" {
		if err := t.addMembers(ctx, aud, e.GroupID); err != nil {
			return err
		}
	}
	if err := o.enqueue(ctx, t, act, act.Actor, aud); err != nil {
		return err
	}
	if e.Visibility == events.Public {
		return o.relay(ctx, t, e, act)
	}
	return nil
}

// relay has the instance actor announce a public event's creation,
// update or deletion (act) to its followers: the other instances that
// follow this one as a relay. Receivers fetch the event from here: the
// Announce names it, or embeds the Delete, after which they find it
// gone.
func (o *Outbox) relay(ctx context.Context, t *txn, e *events.Event, act wire.Activity) error {
	inst, err := t.ids.GetActorByAPID(ctx, o.base+"/actor")
	if errors.Is(err, storage.ErrNotFound) {
		return nil // never fetched nor followed yet
	}
	if err != nil {
		return fmt.Errorf("outbox: instance actor: %w", err)
	}
	aud := &audience{}
	if err := t.addFollowers(ctx, aud, inst.ID); err != nil {
		return err
	}
	if len(aud.iris) == 0 {
		return nil
	}
	id := inst.APID + "/announces/" + strings.TrimPrefix(act.ID, o.base+"/")
	ann := wire.Activity{Type: wire.TypeAnnounce, ID: id, Actor: inst.APID, ObjectIRI: e.APID,
		To: []string{inst.Followers}, CC: []string{wire.PublicIRI}, Published: o.clock()}
	if act.Type == wire.TypeDelete {
		raw, err := wire.Marshal(act)
		if err != nil {
			return fmt.Errorf("outbox: %s: %w", act.ID, err)
		}
		ann = wire.Announce(id, inst.APID, raw, act.Actor, true, inst.Followers, "")
	}
	return o.enqueue(ctx, t, ann, inst.APID, aud)
}

// remoteParticipation sends a local actor's Join and Leave of another
// instance's event to the event's organizer. The organizer's Accept or
// Reject comes back through the inbox (events.AnswerRemoteJoin).
func (o *Outbox) remoteParticipation(ctx context.Context, tx storage.Tx, c events.Change) error {
	p, e := c.Participant, c.Event
	if p == nil || p.ActorID == "" || (c.Kind != events.ParticipantAdded && c.Kind != events.ParticipantRemoved) {
		return nil
	}
	t, who, err := openFor(ctx, tx, p.ActorID, true)
	if err != nil || who == nil {
		return err
	}
	org, err := t.actor(ctx, e.OrganizerID)
	if err != nil {
		return err
	}
	part := wire.Participation{ID: p.APID, Participant: who.APID, Event: e.APID, Organizer: org.APID, Message: p.Message}
	var act wire.Activity
	if c.Kind == events.ParticipantAdded {
		act = wire.JoinEvent(part)
	} else {
		act = wire.LeaveEvent(part, o.base+"/leave/event/"+p.ID+"/"+o.newID())
	}
	aud := &audience{}
	aud.add(org)
	return o.enqueue(ctx, t, act, who.APID, aud)
}

// accepted reports whether a participation role holds a seat.
func accepted(r events.ParticipantRole) bool {
	return r == events.RoleParticipant || r == events.RoleModerator || r == events.RoleCreator
}

func (o *Outbox) participation(ctx context.Context, tx storage.Tx, c events.Change) error {
	p, e := c.Participant, c.Event
	if p == nil || p.ActorID == "" {
		return nil
	}
	var typ string
	switch {
	case accepted(p.Role) && (c.Kind == events.ParticipantAdded || !accepted(c.PreviousRole)):
		typ = wire.TypeAccept
	case p.Role == events.RoleRejected && (c.Kind == events.ParticipantAdded || c.PreviousRole != events.RoleRejected):
		typ = wire.TypeReject
	default:
		return nil
	}
	t, who, err := openFor(ctx, tx, p.ActorID, false)
	if err != nil || who == nil {
		return err
	}
	org, err := t.actor(ctx, e.OrganizerID)
	if err != nil {
		return err
	}
	part := wire.Participation{ID: p.APID, Participant: who.APID, Event: e.APID, Organizer: org.APID, Message: p.Message}
	if e.GroupID != "" {
		part.Followers, part.Members = org.Followers, org.APID+"/members"
	}
	if part.ID == "" {
		part.ID = o.base + "/join/event/" + p.ID
	}
	by := org.APID
	if c.ActorID != "" && c.ActorID != p.ActorID {
		if a, err := t.actor(ctx, c.ActorID); err == nil && a.Local {
			by = a.APID
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	var act wire.Activity
	if typ == wire.TypeAccept {
		act = wire.AcceptJoin(part, o.base+"/accept/join/"+p.ID+"/"+o.newID(), by)
	} else {
		act = wire.RejectJoin(part, o.base+"/reject/join/"+p.ID+"/"+o.newID(), by)
	}
	aud := &audience{}
	aud.add(who)
	return o.enqueue(ctx, t, act, by, aud)
}

// remoteMembership sends a local actor's Join and Leave of another
// instance's group to the group. Its Accept or Reject comes back
// through the inbox (groups.AnswerRemoteJoin).
func (o *Outbox) remoteMembership(ctx context.Context, tx storage.Tx, c groups.Change) error {
	m, g := c.Member, c.Group
	if m == nil {
		return nil
	}
	join := c.Kind == groups.MemberChanged && c.PreviousRole == "" && m.Role == groups.RoleNotApproved
	leave := c.Kind == groups.MemberRemoved && c.ActorID == m.ActorID
	if !join && !leave {
		return nil
	}
	t, who, err := openFor(ctx, tx, m.ActorID, true)
	if err != nil || who == nil {
		return err
	}
	mem := wire.Membership{ID: m.APID, Member: who.APID, Group: g.APID, Role: m.Role}
	if mem.ID == "" {
		mem.ID = o.base + "/member/" + m.ID
	}
	act := wire.JoinGroup(mem)
	if leave {
		act = wire.LeaveGroup(mem, o.base+"/leave/group/"+m.ID+"/"+o.newID())
	}
	aud := &audience{}
	aud.add(&g.Actor)
	return o.enqueue(ctx, t, act, who.APID, aud)
}

// GroupChanged implements groups.Hook.
func (o *Outbox) GroupChanged(ctx context.Context, tx storage.Tx, c groups.Change) error {
	if isContent(c.Kind) {
		return o.contentChanged(ctx, tx, c)
	}
	if c.Group != nil && !c.Group.Local {
		return o.remoteMembership(ctx, tx, c)
	}
	if c.Member == nil || c.Group == nil || !c.Group.Local {
		return nil
	}
	if done, err := o.roleOrRemoval(ctx, tx, c); done || err != nil {
		return err
	}
	if c.Kind != groups.MemberChanged {
		return nil
	}
	m, g := c.Member, c.Group
	prev := c.PreviousRole
	admitted := groups.IsMember(m.Role) && (prev == "" || prev == groups.RoleNotApproved)
	refused := m.Role == groups.RoleRejected && prev == groups.RoleNotApproved
	invited := m.Role == groups.RoleInvited && prev != groups.RoleInvited
	if !admitted && !refused && !invited {
		return nil
	}
	t, who, err := openFor(ctx, tx, m.ActorID, false)
	if err != nil || who == nil {
		return err
	}
	mem := wire.Membership{ID: m.APID, Member: who.APID, Group: g.APID, Role: m.Role}
	if mem.ID == "" {
		mem.ID = o.base + "/member/" + m.ID
	}
	by := g.APID
	if c.ActorID != "" && c.ActorID != m.ActorID && c.ActorID != g.ID {
		if a, err := t.actor(ctx, c.ActorID); err == nil && a.Local {
			by = a.APID
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	var act wire.Activity
	switch {
	case invited:
		if by == g.APID && m.InvitedBy != "" {
			if a, err := t.actor(ctx, m.InvitedBy); err == nil && a.Local {
				by = a.APID
			}
		}
		act = wire.InviteToGroup(mem, by)
		act.ID = o.base + "/invite/member/" + m.ID + "/" + o.newID()
	case admitted:
		kind := "member"
		if by == g.APID {
			kind = "join"
		}
		act = wire.AcceptGroupJoin(mem, o.base+"/accept/"+kind+"/"+m.ID+"/"+o.newID(), by)
	default:
		act = wire.RejectGroupJoin(mem, o.base+"/reject/member/"+m.ID+"/"+o.newID(), by)
	}
	aud := &audience{}
	aud.add(who)
	return o.enqueue(ctx, t, act, by, aud)
}

// roleOrRemoval tells the remote members of a local group of a member's
// role change (Update of the Member) or removal by a moderator (Remove),
// as Mobilizon does (WIRE.md §2.6): the member, when remote, and the
// group's remote members, so that their instances' copies follow. It
// reports whether the change was one of those.
func (o *Outbox) roleOrRemoval(ctx context.Context, tx storage.Tx, c groups.Change) (bool, error) {
	m, g, prev := c.Member, c.Group, c.PreviousRole
	roleChange := c.Kind == groups.MemberChanged && groups.IsMember(prev) && groups.IsMember(m.Role) && prev != m.Role
	removal := c.Kind == groups.MemberRemoved && c.ActorID != m.ActorID && groups.IsMember(prev)
	if !roleChange && !removal {
		return false, nil
	}
	t, err := open(tx, true)
	if err != nil {
		return true, err
	}
	who, err := t.actor(ctx, m.ActorID)
	if err != nil {
		return true, err
	}
	aud := &audience{}
	aud.add(who)
	if err := t.addMembers(ctx, aud, g.ID); err != nil {
		return true, err
	}
	if len(aud.recipients) == 0 {
		return true, nil
	}
	by := g.APID
	if c.ActorID != "" && c.ActorID != g.ID {
		if a, err := t.actor(ctx, c.ActorID); err == nil && a.Local {
			by = a.APID
		} else if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return true, err
		}
	}
	mem := wire.Membership{ID: m.APID, Member: who.APID, Group: g.APID, Role: m.Role}
	if mem.ID == "" {
		mem.ID = o.base + "/member/" + m.ID
	}
	act := wire.UpdateMember(mem, o.base+"/member/"+m.ID+"/role/"+o.newID(), by)
	if removal {
		act = wire.RemoveMember(mem, o.base+"/remove/member/"+m.ID+"/"+o.newID(), by)
	}
	return true, o.enqueue(ctx, t, act, by, aud)
}
