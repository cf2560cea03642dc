package inbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
)

// Identity is the part of identity.Service the side effects use.
type Identity interface {
	GetActor(ctx context.Context, id string) (*identity.Actor, error)
	GetActorByAPID(ctx context.Context, apID string) (*identity.Actor, error)
	Follow(ctx context.Context, followerID, followedID, apID string) (*identity.Follow, error)
	AcceptFollow(ctx context.Context, followerID, followedID string) (*identity.Follow, error)
	RejectFollow(ctx context.Context, followerID, followedID string) (*identity.Follow, error)
	Unfollow(ctx context.Context, followerID, followedID string) error
	GetFollow(ctx context.Context, followerID, followedID string) (*identity.Follow, error)
	GetFollowByAPID(ctx context.Context, apID string) (*identity.Follow, error)
	Followers(ctx context.Context, actorID string, after storage.Cursor, limit int) ([]identity.Follow, storage.Cursor, error)
}

// Participation is the part of events.Service the side effects use.
type Participation interface {
	Join(ctx context.Context, eventID, actorID string, in events.JoinInput) (*events.Participant, error)
	Leave(ctx context.Context, eventID, actorID string) error
	AnswerRemoteJoin(ctx context.Context, joinAPID, byActorID string, accepted bool) (*events.Participant, error)
}

// Membership is the part of groups.Service the side effects on local
// groups use.
type Membership interface {
	Authorize(ctx context.Context, groupID, actorID string, p groups.Permission) error
	AnswerRemoteJoin(ctx context.Context, groupID, actorID, byActorID string, accepted bool) (*groups.Member, error)
	Join(ctx context.Context, groupID, actorID, apID string) (*groups.Member, error)
	Leave(ctx context.Context, groupID, actorID string) error
	AcceptInvitation(ctx context.Context, groupID, actorID string) (*groups.Member, error)
	DeclineInvitation(ctx context.Context, groupID, actorID string) error
}

// EventLookup finds stored events by IRI: events.Store.
type EventLookup interface {
	GetEventByAPID(ctx context.Context, apID string) (*events.Event, error)
	GetEvent(ctx context.Context, id string) (*events.Event, error)
	GetParticipantByAPID(ctx context.Context, apID string) (*events.Participant, error)
}

// ActorResolver returns the stored actor of an IRI, fetching and
// storing a remote actor it does not know yet (through safehttp, with
// the actor cache).
type ActorResolver interface {
	ResolveActor(ctx context.Context, iri string) (*identity.Actor, error)
	// RefreshActor fetches the actor from its origin and stores it (an
	// Update of an actor: what it sent is not trusted, its origin is).
	RefreshActor(ctx context.Context, iri string) (*identity.Actor, error)
}

// JoinOutcome is how a remote Join of a local event was answered.
type JoinOutcome string

// Join outcomes. Accepted, Waitlisted and Pending are stored
// participations; Rejected and Ignored stored nothing.
const (
	JoinAccepted   JoinOutcome = "accepted"   // a seat: send Accept
	JoinWaitlisted JoinOutcome = "waitlisted" // full: waitlisted (Mobilizon sends nothing until promoted)
	JoinPending    JoinOutcome = "pending"    // restricted: waits for the organizer
	JoinRejected   JoinOutcome = "rejected"   // invitation only, closed, declined before: send Reject
	JoinIgnored    JoinOutcome = "ignored"    // join mode external or none: send Ignore (FEP-8a8e)
)

// JoinAnswer tells delivery how to answer a remote Join.
type JoinAnswer struct {
	Outcome     JoinOutcome
	JoinID      string // the Join activity's id
	Actor       *identity.Actor
	Event       *events.Event
	Participant *events.Participant // nil when Rejected or Ignored
}

// Answers are told what to answer that no domain hook sees (the
// activities themselves are built and sent by delivery). Optional.
// Follows need no answer here: the identity hook answers them inside the
// follow's transaction, and admitted or pending group joins are
// answered by the groups hook.
type Answers struct {
	Join func(ctx context.Context, a JoinAnswer) error
	// GroupJoinRefused is told of a Join of a local group that stored
	// nothing (invitation only, or declined before): send Reject.
	GroupJoinRefused func(ctx context.Context, a GroupJoinAnswer) error
	// GroupRelay is told of a remote member's activity on a local
	// group's event, taken: the group announces it (FEP-1b12).
	GroupRelay func(ctx context.Context, r GroupRelay) error
}

// GroupRelay is a remote member's activity for a local group to
// announce.
type GroupRelay struct {
	Group, Author *identity.Actor
	Activity      []byte // as received
	Public        bool
}

// GroupJoinAnswer is a remote actor's Join of a local group that was
// refused.
type GroupJoinAnswer struct {
	JoinID string // the Join activity's id
	Actor  *identity.Actor
	Group  *identity.Actor
}

// RemoteEvents stores the events of other instances: events.Store
// (events.Service has no method for remote events: their content was
// validated and sanitized by federation/wire).
type RemoteEvents interface {
	GetEventByAPID(ctx context.Context, apID string) (*events.Event, error)
	CreateEvent(ctx context.Context, e *events.Event) error
	UpdateEvent(ctx context.Context, e *events.Event) error
	DeleteEvent(ctx context.Context, id string) error
}

// ServicesConfig configures Services.
type ServicesConfig struct {
	Identity      Identity      // required
	Actors        ActorResolver // required
	Events        EventLookup   // required
	Participation Participation // required
	// RemoteEvents enables Create, Update and Delete of remote events;
	// nil ignores them.
	RemoteEvents RemoteEvents
	// Groups enables Join, Leave and the answers to invitations of
	// local groups by remote actors; nil refuses them. Members finds
	// memberships by IRI (a Reject of an invitation names the Member);
	// optional.
	Groups  Membership
	Members interface {
		GetMemberByAPID(ctx context.Context, apID string) (*groups.Member, error)
		CountMembers(ctx context.Context, groupID string, roles []groups.Role) (int, error)
	}
	// Gone ends what a remote actor that deleted itself held here:
	// follows, participations in local events, memberships of local
	// groups (Services.ActorGone); nil ignores such Deletes.
	Gone GoneActors
	// RemoteMembers applies remote groups' role changes (Update of a
	// Member) and removals (Remove) of local members, sent from the
	// group's host; nil ignores them. groups.Service implements it.
	RemoteMembers RemoteMembership
	Answers       Answers
	// Content and ContentStore take a group's collaboration content
	// (discussions and their messages, resources, posts, todo lists and
	// todos: Create, Update, Delete, Add, Move) from remote members of
	// local groups, which then relay it, and from remote groups (sent
	// from the group's host, or announced by the group); nil ignores
	// it. Content is groups.Service, ContentStore groups.ContentStore.
	Content      GroupContent
	ContentStore ContentLookup
	// Conversations and ConversationStore take private messages about
	// events (conversations.Service and its store); nil ignores them.
	Conversations     PrivateMessages
	ConversationStore ConversationLookup
	// Reports takes Flags from other instances into the moderation
	// queue (moderation.Service); nil ignores them.
	Reports interface {
		ReceiveFlag(ctx context.Context, in moderation.FlagInput) (*moderation.Report, error)
	}
	// Fetcher, Parser and Tombstones enable Announces of events (groups,
	// FEP-1b12, and relays): the announced event is fetched from its
	// origin. Optional: without them Announces are ignored.
	Fetcher    Fetcher
	Parser     *wire.Parser
	Tombstones Tombstones
	// Now is the clock; nil means time.Now. NewID makes storage ids; nil
	// means random UUIDs.
	Now   func() time.Time
	NewID func() string
	// Log receives what a side effect could not do but does not refuse
	// the activity for (a gone actor that stays a group's last
	// administrator); nil discards.
	Log *slog.Logger
}

// Services are the side effects of incoming activities on the domain
// services: its Handlers plug into Config.Handlers and it is the Owners
// of Config.Owners.
type Services struct {
	cfg ServicesConfig
}

// NewServices returns Services.
func NewServices(cfg ServicesConfig) (*Services, error) {
	switch {
	case cfg.Identity == nil:
		return nil, errors.New("inbox: ServicesConfig.Identity is required")
	case cfg.Actors == nil:
		return nil, errors.New("inbox: ServicesConfig.Actors is required")
	case cfg.Events == nil:
		return nil, errors.New("inbox: ServicesConfig.Events is required")
	case cfg.Participation == nil:
		return nil, errors.New("inbox: ServicesConfig.Participation is required")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.NewID == nil {
		cfg.NewID = uuid.NewString
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Services{cfg: cfg}, nil
}

// Handlers returns the handlers of the activities Services implements:
// Follow, Accept, Reject and Undo of follows; Join, Leave and Undo of
// joins on local events and of local groups; Accept and Reject of our
// joins and of invitations; Create, Update and Delete of remote events
// when RemoteEvents is set; Create, Update, Delete, Add and Move of
// group content when Content and ContentStore are set; and the Announces of events by the actors
// we follow when Fetcher and Parser are set too.
func (s *Services) Handlers() Handlers {
	h := Handlers{Follow: s.follow, Accept: s.accept, Reject: s.reject, Undo: s.undo, Join: s.join, Leave: s.leave,
		Other: s.other}
	if s.cfg.RemoteEvents != nil || s.contentEnabled() {
		h.Create, h.Update, h.Delete = s.upsert, s.upsert, s.remove
	}
	return h
}

// upsert takes a Create or Update: of a group's content when Content is
// set, else of a remote event when RemoteEvents is.
func (s *Services) upsert(ctx context.Context, a *Activity) error {
	if done, err := s.memberUpdate(ctx, a); done || err != nil {
		return err
	}
	if done, err := s.content(ctx, a); done || err != nil {
		return err
	}
	if done, err := s.privateMessage(ctx, a); done || err != nil {
		return err
	}
	if s.cfg.RemoteEvents == nil {
		return nil
	}
	return s.upsertEvent(ctx, a)
}

// remove takes a Delete: of an actor by itself, of a group's content,
// else of a remote event.
func (s *Services) remove(ctx context.Context, a *Activity) error {
	if done, err := s.selfDelete(ctx, a); done || err != nil {
		return err
	}
	if done, err := s.content(ctx, a); done || err != nil {
		return err
	}
	if s.cfg.RemoteEvents == nil {
		return nil
	}
	return s.deleteEvent(ctx, a)
}

// OwnerOf implements Owners: an actor owns itself, an event is owned by
// its organizer.
func (s *Services) OwnerOf(ctx context.Context, iri string) (string, error) {
	if a, err := s.cfg.Identity.GetActorByAPID(ctx, iri); err == nil {
		return a.APID, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	e, err := s.cfg.Events.GetEventByAPID(ctx, iri)
	if err != nil {
		return "", err
	}
	org, err := s.cfg.Identity.GetActor(ctx, e.OrganizerID)
	if err != nil {
		return "", err
	}
	return org.APID, nil
}

// ActsFor implements Owners: an actor on a remote group's own host
// (the group's instance applied its permission matrix before the
// activity left it), or a remote member of a local group whose role
// allows updating (or deleting) the group's events.
func (s *Services) ActsFor(ctx context.Context, owner, actor, typ string) (bool, error) {
	g, err := s.cfg.Identity.GetActorByAPID(ctx, owner)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if g.Type != identity.TypeGroup {
		return false, nil
	}
	if !g.Local {
		gh, err1 := hostOf(g.APID)
		ah, err2 := hostOf(actor)
		return err1 == nil && err2 == nil && gh == ah, nil
	}
	if s.cfg.Groups == nil {
		return false, nil
	}
	member, err := s.cfg.Identity.GetActorByAPID(ctx, actor)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	perm := groups.PermEventUpdate
	if typ == wire.TypeDelete {
		perm = groups.PermEventDelete
	}
	err = s.cfg.Groups.Authorize(ctx, g.ID, member.ID, perm)
	if errors.Is(err, groups.ErrForbidden) || errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// other handles the activity types without a field of their own.
func (s *Services) other(ctx context.Context, a *Activity) error {
	switch a.Type {
	case wire.TypeAnnounce:
		if a.Activity != nil {
			if done, err := s.announcedContent(ctx, a, a.Activity); done || err != nil {
				return err
			}
		}
		return s.announce(ctx, a)
	case wire.TypeAdd, wire.TypeMove:
		_, err := s.content(ctx, a)
		return err
	case wire.TypeFlag:
		return s.flag(ctx, a)
	case wire.TypeRemove:
		return s.memberRemove(ctx, a)
	}
	return nil
}

// flag files another instance's report in the moderation queue. Objects
// it names that are not ours are ignored there; a Flag about nothing
// known is accepted and dropped.
func (s *Services) flag(ctx context.Context, a *Activity) error {
	if s.cfg.Reports == nil {
		return nil
	}
	sender, err := s.cfg.Actors.ResolveActor(ctx, a.Actor)
	if err != nil {
		return fmt.Errorf("inbox: flag sender %s: %w", a.Actor, err)
	}
	objects := a.ObjectIRIs
	if len(objects) == 0 && a.ObjectIRI != "" {
		objects = []string{a.ObjectIRI}
	}
	_, err = s.cfg.Reports.ReceiveFlag(ctx, moderation.FlagInput{ID: a.ID, SenderID: sender.ID, Objects: objects, Content: a.Content})
	switch {
	case errors.Is(err, moderation.ErrAlreadyReported), errors.Is(err, moderation.ErrNotFound):
		return nil
	case errors.Is(err, moderation.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

func refused(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

// localActor returns the local actor an IRI names, ErrRefused when it is
// not one of ours.
func (s *Services) localActor(ctx context.Context, iri string) (*identity.Actor, error) {
	a, err := s.cfg.Identity.GetActorByAPID(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !a.Local) {
		return nil, refused("%s is not a local actor", iri)
	}
	return a, err
}

func (s *Services) follow(ctx context.Context, a *Activity) error {
	followed, err := s.localActor(ctx, a.ObjectIRI)
	if err != nil {
		return err
	}
	follower, err := s.cfg.Actors.ResolveActor(ctx, a.Actor)
	if err != nil {
		return fmt.Errorf("inbox: follower %s: %w", a.Actor, err)
	}
	// The Accept of an accepted follow is sent by the identity hook
	// (federation/outbox), inside the follow's transaction.
	if _, err := s.cfg.Identity.Follow(ctx, follower.ID, followed.ID, a.ID); err != nil {
		if errors.Is(err, identity.ErrInvalid) {
			return fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return err
	}
	return nil
}

// ourFollow finds the follow an Accept or Reject answers: by the
// embedded Follow's id, or by its IRI. Only the followed actor answers.
func (s *Services) ourFollow(ctx context.Context, a *Activity) (*identity.Follow, error) {
	id := a.ObjectIRI
	if a.Activity != nil && a.Activity.Type != wire.TypeFollow {
		return nil, nil
	}
	f, err := s.cfg.Identity.GetFollowByAPID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) && a.Activity != nil {
		f, err = s.followBetween(ctx, a.Activity.Actor, a.Actor)
	}
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil // not an answer to a follow of ours: ignored
	}
	if err != nil {
		return nil, err
	}
	followed, err := s.cfg.Identity.GetActor(ctx, f.FollowedID)
	if err != nil {
		return nil, err
	}
	if !safehttp.SameIRI(followed.APID, a.Actor) {
		return nil, refused("%s cannot answer a follow of %s", a.Actor, followed.APID)
	}
	return f, nil
}

// followBetween finds the follow of a local follower by IRI of a followed
// actor by IRI (an answer embedding a Follow without id).
func (s *Services) followBetween(ctx context.Context, followerIRI, followedIRI string) (*identity.Follow, error) {
	follower, err := s.cfg.Identity.GetActorByAPID(ctx, followerIRI)
	if err != nil {
		return nil, err
	}
	if !follower.Local {
		return nil, storage.ErrNotFound
	}
	followed, err := s.cfg.Identity.GetActorByAPID(ctx, followedIRI)
	if err != nil {
		return nil, err
	}
	return s.cfg.Identity.GetFollow(ctx, follower.ID, followed.ID)
}

// ourJoin finds the local participation in a remote event that an Accept
// or Reject answers, by the id of its Join (embedded or by IRI), and the
// id of the event's organizer, who is taken to have answered: the answer
// must come from the organizer or, for a group's event, from an actor
// on the group's host (Mobilizon answers as the moderator who decided).
// nil when the answer is not about a join of ours.
func (s *Services) ourJoin(ctx context.Context, a *Activity) (*events.Participant, string, error) {
	id := a.ObjectIRI
	if a.Activity != nil {
		if a.Activity.Type != wire.TypeJoin {
			return nil, "", nil
		}
		id = a.Activity.ID
	}
	if id == "" {
		return nil, "", nil
	}
	p, err := s.cfg.Events.GetParticipantByAPID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	e, err := s.cfg.Events.GetEvent(ctx, p.EventID)
	if err != nil {
		return nil, "", err
	}
	if e.Local {
		return nil, "", refused("%s answers a join of a local event", a.Actor)
	}
	org, err := s.cfg.Identity.GetActor(ctx, e.OrganizerID)
	if err != nil {
		return nil, "", err
	}
	if safehttp.SameIRI(org.APID, a.Actor) {
		return p, org.ID, nil
	}
	// A group's event is answered by the moderator who decided, on the
	// group's host (the group's instance checked its role).
	orgHost, err1 := hostOf(org.APID)
	actorHost, err2 := hostOf(a.Actor)
	if org.Type != identity.TypeGroup || err1 != nil || err2 != nil || orgHost != actorHost {
		return nil, "", refused("%s cannot answer a join of %s's event", a.Actor, org.APID)
	}
	return p, org.ID, nil
}

// answerJoin applies an Accept or Reject of a join of ours.
func (s *Services) answerJoin(ctx context.Context, a *Activity, accepted bool) (bool, error) {
	p, by, err := s.ourJoin(ctx, a)
	if err != nil || p == nil {
		return false, err
	}
	if _, err := s.cfg.Participation.AnswerRemoteJoin(ctx, p.APID, by, accepted); err != nil {
		if errors.Is(err, events.ErrForbidden) {
			return true, fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return true, err
	}
	return true, nil
}

// answerGroupJoin applies a remote group's Accept or Reject of a local
// actor's Join: by the embedded Member (Convene, Mobilizon), the
// embedded Join, or the Member's IRI (Reject). Only the group's own host
// answers. It reports whether the activity was such an answer.
func (s *Services) answerGroupJoin(ctx context.Context, a *Activity, accepted bool) (bool, error) {
	if s.cfg.Groups == nil || s.cfg.Members == nil {
		return false, nil
	}
	id := a.ObjectIRI
	switch {
	case a.Object != nil && a.Object.Type == wire.TypeMember:
		id = a.Object.ID
	case a.Activity != nil && a.Activity.Type == wire.TypeJoin:
		id = a.Activity.ID
	case a.Object != nil || a.Activity != nil:
		return false, nil
	}
	if id == "" {
		return false, nil
	}
	m, err := s.cfg.Members.GetMemberByAPID(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	g, err := s.cfg.Identity.GetActor(ctx, m.GroupID)
	if err != nil {
		return false, err
	}
	member, err := s.cfg.Identity.GetActor(ctx, m.ActorID)
	if err != nil {
		return false, err
	}
	if g.Local || !member.Local {
		return false, nil // an answer about a local group: answerInvite's
	}
	gh, err1 := hostOf(g.APID)
	ah, err2 := hostOf(a.Actor)
	if err1 != nil || err2 != nil || gh != ah {
		return true, refused("%s cannot answer a join of %s", a.Actor, g.APID)
	}
	_, err = s.cfg.Groups.AnswerRemoteJoin(ctx, g.ID, member.ID, g.ID, accepted)
	if errors.Is(err, groups.ErrNotMember) {
		return true, nil
	}
	return true, err
}

func (s *Services) accept(ctx context.Context, a *Activity) error {
	if done, err := s.answerJoin(ctx, a, true); done || err != nil {
		return err
	}
	if done, err := s.answerGroupJoin(ctx, a, true); done || err != nil {
		return err
	}
	if done, err := s.answerInvite(ctx, a, true); done || err != nil {
		return err
	}
	f, err := s.ourFollow(ctx, a)
	if err != nil || f == nil {
		return err
	}
	_, err = s.cfg.Identity.AcceptFollow(ctx, f.FollowerID, f.FollowedID)
	if errors.Is(err, identity.ErrFollowState) {
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

func (s *Services) reject(ctx context.Context, a *Activity) error {
	if done, err := s.answerJoin(ctx, a, false); done || err != nil {
		return err
	}
	if done, err := s.answerGroupJoin(ctx, a, false); done || err != nil {
		return err
	}
	if done, err := s.answerInvite(ctx, a, false); done || err != nil {
		return err
	}
	f, err := s.ourFollow(ctx, a)
	if err != nil || f == nil {
		return err
	}
	_, err = s.cfg.Identity.RejectFollow(ctx, f.FollowerID, f.FollowedID)
	return err
}

func (s *Services) undo(ctx context.Context, a *Activity) error {
	inner := a.Activity
	if inner == nil {
		// Undo by IRI: only a follow we know.
		f, err := s.cfg.Identity.GetFollowByAPID(ctx, a.ObjectIRI)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.unfollow(ctx, a, f)
	}
	switch inner.Type {
	case wire.TypeFollow:
		followed, err := s.localActor(ctx, inner.ObjectIRI)
		if err != nil {
			return err
		}
		follower, err := s.cfg.Identity.GetActorByAPID(ctx, a.Actor)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		f, err := s.cfg.Identity.GetFollow(ctx, follower.ID, followed.ID)
		if errors.Is(err, storage.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		return s.unfollow(ctx, a, f)
	case wire.TypeJoin:
		return s.leaveEvent(ctx, a.Actor, inner.ObjectIRI)
	}
	return nil
}

func (s *Services) unfollow(ctx context.Context, a *Activity, f *identity.Follow) error {
	follower, err := s.cfg.Identity.GetActor(ctx, f.FollowerID)
	if err != nil {
		return err
	}
	if !safehttp.SameIRI(follower.APID, a.Actor) {
		return refused("%s cannot undo a follow of %s", a.Actor, follower.APID)
	}
	err = s.cfg.Identity.Unfollow(ctx, f.FollowerID, f.FollowedID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	return err
}

// localEvent returns the local event an IRI names, ErrRefused when it
// is not one of ours.
func (s *Services) localEvent(ctx context.Context, iri string) (*events.Event, error) {
	e, err := s.cfg.Events.GetEventByAPID(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !e.Local) {
		return nil, refused("%s is not a local event", iri)
	}
	return e, err
}

// localGroup returns the local group actor of iri, or nil when iri is
// not a local group.
func (s *Services) localGroup(ctx context.Context, iri string) (*identity.Actor, error) {
	g, err := s.cfg.Identity.GetActorByAPID(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !g.Local || g.Type != identity.TypeGroup {
		return nil, nil
	}
	return g, nil
}

// joinGroup is a remote actor's Join of a local group: an open group
// admits it, a moderated one records the request; the groups hook sends
// the Accept. A refusal stores nothing and is answered with Reject.
func (s *Services) joinGroup(ctx context.Context, a *Activity, g *identity.Actor) error {
	if s.cfg.Groups == nil {
		return refused("group joins are not taken here")
	}
	actor, err := s.cfg.Actors.ResolveActor(ctx, a.Actor)
	if err != nil {
		return fmt.Errorf("inbox: member %s: %w", a.Actor, err)
	}
	_, err = s.cfg.Groups.Join(ctx, g.ID, actor.ID, a.ID)
	switch {
	case err == nil, errors.Is(err, groups.ErrAlreadyMember):
		return nil
	case errors.Is(err, groups.ErrForbidden):
		if s.cfg.Answers.GroupJoinRefused != nil {
			return s.cfg.Answers.GroupJoinRefused(ctx, GroupJoinAnswer{JoinID: a.ID, Actor: actor, Group: g})
		}
		return nil
	case errors.Is(err, groups.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

// memberOf returns the stored actor of a.Actor (nil when unknown: it
// has no membership to change).
func (s *Services) memberOf(ctx context.Context, a *Activity) (*identity.Actor, error) {
	actor, err := s.cfg.Identity.GetActorByAPID(ctx, a.Actor)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return actor, err
}

// leaveGroup is a remote member's Leave of a local group.
func (s *Services) leaveGroup(ctx context.Context, a *Activity, g *identity.Actor) error {
	if s.cfg.Groups == nil {
		return nil
	}
	actor, err := s.memberOf(ctx, a)
	if err != nil || actor == nil {
		return err
	}
	err = s.cfg.Groups.Leave(ctx, g.ID, actor.ID)
	switch {
	case errors.Is(err, groups.ErrNotMember):
		return nil
	case errors.Is(err, groups.ErrLastAdministrator):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

// answerInvite applies a remote invitee's Accept or Reject of an
// invitation to a local group: by the embedded Member (Accept) or the
// Member's IRI (Reject). Only the invitee answers. It reports whether
// the activity was such an answer.
func (s *Services) answerInvite(ctx context.Context, a *Activity, accepted bool) (bool, error) {
	if s.cfg.Groups == nil {
		return false, nil
	}
	var groupIRI, memberIRI string
	switch {
	case a.Object != nil && a.Object.Type == wire.TypeMember:
		groupIRI, memberIRI = a.Object.Object, a.Object.Actor
	case a.Object == nil && a.Activity == nil && a.ObjectIRI != "" && s.cfg.Members != nil:
		m, err := s.cfg.Members.GetMemberByAPID(ctx, a.ObjectIRI)
		if errors.Is(err, storage.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if m.Role != groups.RoleInvited {
			return false, nil
		}
		ga, err := s.cfg.Identity.GetActor(ctx, m.GroupID)
		if err != nil {
			return false, err
		}
		ma, err := s.cfg.Identity.GetActor(ctx, m.ActorID)
		if err != nil {
			return false, err
		}
		groupIRI, memberIRI = ga.APID, ma.APID
	default:
		return false, nil
	}
	g, err := s.localGroup(ctx, groupIRI)
	if err != nil || g == nil {
		return false, err
	}
	if !safehttp.SameIRI(memberIRI, a.Actor) {
		return true, refused("%s cannot answer an invitation of %s", a.Actor, memberIRI)
	}
	actor, err := s.memberOf(ctx, a)
	if err != nil || actor == nil {
		return true, err
	}
	if accepted {
		_, err = s.cfg.Groups.AcceptInvitation(ctx, g.ID, actor.ID)
	} else {
		err = s.cfg.Groups.DeclineInvitation(ctx, g.ID, actor.ID)
	}
	if errors.Is(err, groups.ErrNotMember) {
		return true, nil
	}
	return true, err
}

func (s *Services) join(ctx context.Context, a *Activity) error {
	if g, err := s.localGroup(ctx, a.ObjectIRI); err != nil || g != nil {
		if err != nil {
			return err
		}
		return s.joinGroup(ctx, a, g)
	}
	e, err := s.localEvent(ctx, a.ObjectIRI)
	if err != nil {
		return err
	}
	actor, err := s.cfg.Actors.ResolveActor(ctx, a.Actor)
	if err != nil {
		return fmt.Errorf("inbox: participant %s: %w", a.Actor, err)
	}
	ans := JoinAnswer{JoinID: a.ID, Actor: actor, Event: e}
	p, err := s.cfg.Participation.Join(ctx, e.ID, actor.ID, events.JoinInput{Message: a.ParticipationMessage, APID: a.ID})
	switch {
	case err == nil:
		ans.Participant = p
		switch p.Role {
		case events.RoleWaitlisted:
			ans.Outcome = JoinWaitlisted
		case events.RoleNotApproved:
			ans.Outcome = JoinPending
		default:
			ans.Outcome = JoinAccepted
		}
	case errors.Is(err, events.ErrNotJoinable):
		ans.Outcome = JoinIgnored
	case errors.Is(err, events.ErrClosed), errors.Is(err, events.ErrForbidden):
		ans.Outcome = JoinRejected
	case errors.Is(err, events.ErrAlreadyParticipating):
		return nil
	case errors.Is(err, events.ErrNotFound):
		return refused("event %s", a.ObjectIRI)
	case errors.Is(err, events.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	default:
		return err
	}
	if s.cfg.Answers.Join != nil {
		return s.cfg.Answers.Join(ctx, ans)
	}
	return nil
}

func (s *Services) leave(ctx context.Context, a *Activity) error {
	if g, err := s.localGroup(ctx, a.ObjectIRI); err != nil || g != nil {
		if err != nil {
			return err
		}
		return s.leaveGroup(ctx, a, g)
	}
	return s.leaveEvent(ctx, a.Actor, a.ObjectIRI)
}

// leaveEvent ends the participation of the activity's actor (never of
// anyone else: the actor is the signer).
func (s *Services) leaveEvent(ctx context.Context, actorIRI, eventIRI string) error {
	e, err := s.localEvent(ctx, eventIRI)
	if err != nil {
		return err
	}
	actor, err := s.cfg.Identity.GetActorByAPID(ctx, actorIRI)
	if errors.Is(err, storage.ErrNotFound) {
		return nil // never took part
	}
	if err != nil {
		return err
	}
	err = s.cfg.Participation.Leave(ctx, e.ID, actor.ID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case errors.Is(err, events.ErrOnlyOrganizer):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	}
	return err
}

// upsertEvent stores a remote event from a Create or an Update (the
// pipeline checked the origin and the owner). An event already stored is
// replaced only by a newer version (updated, else published): Updates
// delivered out of order end in the newest state.
func (s *Services) upsertEvent(ctx context.Context, a *Activity) error {
	if a.Type == wire.TypeUpdate && a.ActorObject != nil {
		return s.updateActor(ctx, a)
	}
	pe := a.Event
	if pe == nil {
		return nil // other objects (notes, posts...) are not stored yet
	}
	st := s.cfg.RemoteEvents
	in := pe.Event
	version := in.UpdatedAt
	if version.IsZero() {
		version = in.PublishedAt
	}
	old, err := st.GetEventByAPID(ctx, in.APID)
	switch {
	case err == nil:
		if old.Local {
			return refused("%s is a local event", in.APID)
		}
		if version.IsZero() || !version.After(old.UpdatedAt) {
			return nil // stale or unordered: keep what we have
		}
		in.ID, in.OrganizerID, in.CreatorID, in.GroupID = old.ID, old.OrganizerID, old.CreatorID, old.GroupID
		in.Contacts, in.CreatedAt, in.Sequence = old.Contacts, old.CreatedAt, old.Sequence+1
		in.Local, in.UpdatedAt = false, version.UTC().Truncate(time.Microsecond)
		in.Hidden = old.Hidden // the store keeps it too: a moderators' decision here
		if in.PublishedAt.IsZero() {
			in.PublishedAt = old.PublishedAt
		}
		if err := st.UpdateEvent(ctx, &in); err != nil {
			return err
		}
		if old.Hidden {
			return nil // our moderators hid it: our group does not spread it
		}
		return s.relayIfOurGroup(ctx, a, old)
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	owner := pe.AttributedTo
	if owner == "" {
		owner = a.Actor
	}
	org, err := s.cfg.Actors.ResolveActor(ctx, owner)
	if err != nil {
		return fmt.Errorf("inbox: organizer %s: %w", owner, err)
	}
	creator, groupID := org.ID, ""
	switch {
	case org.Local:
		// A remote member's event for one of our groups (FEP-1b12): the
		// member's role must allow it; the group relays it.
		creator, err = s.memberMay(ctx, org, a.Actor, groups.PermEventCreate)
		if err != nil {
			return err
		}
		groupID = org.ID
	default:
		// Only the organizer's own host says who organizes its events.
		oh, err1 := hostOf(org.APID)
		eh, err2 := hostOf(in.APID)
		if err1 != nil || err2 != nil || oh != eh {
			return refused("event %s attributed to %s of another host", in.APID, org.APID)
		}
	}
	now := s.cfg.Now().UTC().Truncate(time.Microsecond)
	if version.IsZero() {
		version = now
	}
	in.ID, in.OrganizerID, in.CreatorID, in.GroupID, in.Contacts = s.cfg.NewID(), org.ID, creator, groupID, nil
	in.Local, in.CreatedAt, in.UpdatedAt = false, now, version.UTC().Truncate(time.Microsecond)
	if in.PublishedAt.IsZero() {
		in.PublishedAt = now
	}
	if err := st.CreateEvent(ctx, &in); err != nil {
		if errors.Is(err, storage.ErrConflict) {
			return nil
		}
		return err
	}
	if org.Local {
		return s.relay(ctx, a, org)
	}
	return nil
}

// updateActor takes a remote actor's Update of itself (a new name,
// avatar, key): the pipeline checked that the actor updates itself; the
// document is fetched again from its origin rather than taken as sent.
// An actor nobody here knows is not fetched.
func (s *Services) updateActor(ctx context.Context, a *Activity) error {
	iri := a.ActorObject.Actor.APID
	if !safehttp.SameIRI(iri, a.Actor) {
		return refused("%s cannot update the actor %s", a.Actor, iri)
	}
	if _, err := s.cfg.Identity.GetActorByAPID(ctx, iri); errors.Is(err, storage.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if _, err := s.cfg.Actors.RefreshActor(ctx, iri); err != nil {
		return fmt.Errorf("inbox: refresh %s: %w", iri, err)
	}
	return nil
}

// memberMay returns the stored id of actorIRI when it is a member of
// the local group g whose role grants p; refused otherwise.
func (s *Services) memberMay(ctx context.Context, g *identity.Actor, actorIRI string, p groups.Permission) (string, error) {
	if g.Type != identity.TypeGroup || s.cfg.Groups == nil {
		return "", refused("%s is a local actor", g.APID)
	}
	member, err := s.cfg.Actors.ResolveActor(ctx, actorIRI)
	if err != nil {
		return "", fmt.Errorf("inbox: member %s: %w", actorIRI, err)
	}
	err = s.cfg.Groups.Authorize(ctx, g.ID, member.ID, p)
	switch {
	case errors.Is(err, groups.ErrForbidden), errors.Is(err, storage.ErrNotFound), errors.Is(err, groups.ErrNotMember):
		return "", refused("%s may not %s in %s", actorIRI, p, g.APID)
	case err != nil:
		return "", err
	}
	return member.ID, nil
}

// relayIfOurGroup relays an Update or Delete of a remote member's event
// of a local group.
func (s *Services) relayIfOurGroup(ctx context.Context, a *Activity, e *events.Event) error {
	if e.GroupID == "" {
		return nil
	}
	g, err := s.cfg.Identity.GetActor(ctx, e.GroupID)
	if err != nil || !g.Local {
		return err
	}
	return s.relay(ctx, a, g)
}

// relay has a local group announce a remote member's activity to the
// group's followers and members (FEP-1b12), the activity embedded as it
// was received.
func (s *Services) relay(ctx context.Context, a *Activity, g *identity.Actor) error {
	if s.cfg.Answers.GroupRelay == nil || len(a.Body) == 0 {
		return nil
	}
	author, err := s.cfg.Identity.GetActorByAPID(ctx, a.Actor)
	if err != nil {
		return err
	}
	return s.cfg.Answers.GroupRelay(ctx, GroupRelay{Group: g, Author: author, Activity: a.Body, Public: a.Public()})
}

// deleteEvent removes a stored remote event (the pipeline checked its
// owner and remembers the tombstone).
func (s *Services) deleteEvent(ctx context.Context, a *Activity) error {
	st := s.cfg.RemoteEvents
	old, err := st.GetEventByAPID(ctx, a.ObjectIRI)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return err
	case old.Local:
		return refused("%s is a local event", a.ObjectIRI)
	}
	err = st.DeleteEvent(ctx, old.ID)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.relayIfOurGroup(ctx, a, old)
}
