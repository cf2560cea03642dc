package conversations

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/baseurl"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/internal/htmlsafe"
	"codeberg.org/convene/convene/storage"
)

// Limits. Inputs beyond them are refused and change nothing.
const (
	// MaxMessageSize bounds a message's text, in bytes of HTML once
	// sanitized (as groups.MaxCommentSize bounds a discussion message).
	MaxMessageSize = 20_000
	// MaxAnnounceRecipients is the most participants one announcement
	// goes to. Announce refuses (ErrTooManyRecipients) and writes
	// nothing when more would get it.
	MaxAnnounceRecipients = 1000
	// MaxOrganizers bounds the organizers a participant's message is
	// addressed to (Change.Recipients, Service.Organizers): the
	// organizing actor, then the event's creator and moderators, then
	// the group's moderators and above, in that order.
	MaxOrganizers = 200
	// MaxIDLength bounds a storage id given as input, in bytes.
	MaxIDLength = 100
	// MaxIRILength bounds an ActivityPub id given as input, in bytes.
	MaxIRILength = 2048
	// DefaultPageSize and MaxPageSize bound the lists.
	DefaultPageSize = 50
	MaxPageSize     = 200
	// MaxReceivedPerAuthor messages from one remote author are taken
	// per ReceiveWindow; more are ErrTooManyMessages (the inbox answers
	// 429, and the sender retries later). Each received message may mail
	// every local organizer: this bounds what one remote actor makes us
	// send.
	MaxReceivedPerAuthor = 20
	ReceiveWindow        = 10 * time.Minute
	// MaxTrackedAuthors bounds the remote authors the limit remembers;
	// past it, the quietest are forgotten.
	MaxTrackedAuthors = 10_000
)

// ValidationError names the input field that was refused and why. Every
// validation failure of this package is one (test with errors.As), and
// matches ErrInvalid (test with errors.Is).
type ValidationError = fielderr.Error

// Errors of this package. Test them with errors.Is. Store errors keep
// their storage sentinel.
var (
	// ErrInvalid is matched by every *ValidationError.
	ErrInvalid = fielderr.ErrInvalid
	// ErrNotFound is storage.ErrNotFound: no such event, conversation or
	// message, or one the viewer may not see (a conversation is "not
	// found" to anyone but its participant and the event's organizers).
	ErrNotFound = storage.ErrNotFound
	// ErrForbidden: the actor may not write this (not an organizer, an
	// organizer writing as a participant, a local author of a received
	// message).
	ErrForbidden = errors.New("conversations: forbidden")
	// ErrNotParticipating: the participant side holds no participation
	// in the event, or a rejected one. Conversations with it are
	// read-only until it takes part again.
	ErrNotParticipating = errors.New("conversations: not taking part in the event")
	// ErrTooManyRecipients: an announcement would go to more than
	// MaxAnnounceRecipients participants.
	ErrTooManyRecipients = errors.New("conversations: too many recipients")
	// ErrTooManyMessages: a remote author sent more than
	// MaxReceivedPerAuthor messages in ReceiveWindow.
	ErrTooManyMessages = errors.New("conversations: too many messages from this author; try again later")
)

// Hook learns of every new message, local or received, inside the
// transaction that stores it: what it writes (the federation outbox's
// deliveries) commits or rolls back with the message, and its error
// rolls the message back. Announce calls it once per message.
type Hook interface {
	ConversationChanged(ctx context.Context, tx storage.Tx, c Change) error
}

// Config configures a Service.
type Config struct {
	// Store is required; every complete storage backend implements it.
	Store Store
	// BaseURL is the instance's public URL, such as
	// "https://events.example"; required. It makes the APIDs of
	// conversations and local messages.
	BaseURL string
	// Hook is told of every new message; optional.
	Hook Hook
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// NewID makes storage ids; nil means random UUIDs.
	NewID func() string
}

// Service holds the rules of private conversations about events. It is
// safe for concurrent use.
type Service struct {
	store    Store
	base     string
	hook     Hook
	now      func() time.Time
	newID    func() string
	sanitize *htmlsafe.Sanitizer
	received receiveLimit
}

// New returns a Service, or an error when Store or BaseURL is missing or
// bad.
func New(cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("conversations: Config.Store is required")
	}
	base, _, err := baseurl.Parse(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("conversations: Config.%w", err)
	}
	s := &Service{store: cfg.Store, base: base, hook: cfg.Hook, now: cfg.Now, newID: cfg.NewID,
		sanitize: htmlsafe.New()}
	if s.now == nil {
		s.now = time.Now
	}
	if s.newID == nil {
		s.newID = uuid.NewString
	}
	return s, nil
}

// clock returns now in UTC at the precision every backend keeps.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func (s *Service) inTx(ctx context.Context, fn func(tx storage.Tx, st Store) error) error {
	return storage.InTxAs(ctx, s.store, fn)
}

// organizerRoles are the participations that organize an event.
var organizerRoles = []events.ParticipantRole{events.RoleCreator, events.RoleModerator}

// groupOrganizerRoles are the memberships whose holders organize the
// group's events: those the group's matrix lets moderate them.
func groupOrganizerRoles() []groups.Role {
	var out []groups.Role
	for _, r := range []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember} {
		if groups.Can(r, groups.PermEventModerate) {
			out = append(out, r)
		}
	}
	return out
}

// IsOrganizer reports whether actorID organizes e: it is the organizing
// actor (the profile, or the group itself), holds a participation of
// role creator or moderator, or, for a group's event, is a member of the
// group whom the group's permission matrix lets moderate its events
// (groups.PermEventModerate: moderator and above). For a remote group's
// event, any remote actor of the group's host is an organizer too: that
// instance decides who speaks for its group. This is the one rule
// of who stands on the organizer side of every conversation about e.
func (s *Service) IsOrganizer(ctx context.Context, e *events.Event, actorID string) (bool, error) {
	ok, err := isOrganizer(ctx, s.store, e, actorID)
	if err != nil {
		return false, fmt.Errorf("conversations: is organizer: %w", err)
	}
	return ok, nil
}

func isOrganizer(ctx context.Context, st Store, e *events.Event, actorID string) (bool, error) {
	if e == nil || actorID == "" {
		return false, nil
	}
	if actorID == e.OrganizerID || (e.GroupID != "" && actorID == e.GroupID) {
		return true, nil
	}
	if !e.Local {
		// A remote group's event: its instance applied the group's
		// permission matrix, and we know few of its members' roles, so
		// an actor of the group's host speaks for the group, as the
		// inbox lets it act for the group's events. A remote person's
		// event is organized by that person only.
		ok, err := forRemoteGroup(ctx, st, e.OrganizerID, actorID)
		if err != nil || ok {
			return ok, err
		}
	}
	p, err := st.GetParticipantByActor(ctx, e.ID, actorID)
	switch {
	case err == nil && slices.Contains(organizerRoles, p.Role):
		return true, nil
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return false, err
	}
	if e.GroupID == "" {
		return false, nil
	}
	m, err := st.GetMember(ctx, e.GroupID, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return groups.Can(m.Role, groups.PermEventModerate), nil
}

// Organizers returns the actor ids of e's organizers as IsOrganizer
// defines them, sorted, at most MaxOrganizers: the organizing actor (and
// the group), the participations of role creator or moderator, then the
// group's members who moderate its events.
func (s *Service) Organizers(ctx context.Context, e *events.Event) ([]string, error) {
	ids, err := organizers(ctx, s.store, e)
	if err != nil {
		return nil, fmt.Errorf("conversations: organizers: %w", err)
	}
	return ids, nil
}

func organizers(ctx context.Context, st Store, e *events.Event) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] && len(out) < MaxOrganizers {
			seen[id] = true
			out = append(out, id)
		}
	}
	add(e.OrganizerID)
	add(e.GroupID)
	ps, err := st.ListParticipants(ctx, e.ID, organizerRoles, storage.Cursor{}, MaxOrganizers)
	if err != nil {
		return nil, err
	}
	for _, p := range ps {
		add(p.ActorID)
	}
	if e.GroupID != "" && len(out) < MaxOrganizers {
		ms, err := st.ListMembers(ctx, e.GroupID, groupOrganizerRoles(), storage.Cursor{}, MaxOrganizers)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			add(m.ActorID)
		}
	}
	slices.Sort(out)
	return out, nil
}

// takesPart reports whether a participation lets its actor talk with the
// organizers: any role but rejected (pending applicants and waitlisted
// people may ask and be asked).
func takesPart(p *events.Participant) bool {
	return p != nil && p.ActorID != "" && p.Role != events.RoleRejected
}

// participation checks that actorID takes part in e and is not one of
// its organizers.
func participation(ctx context.Context, st Store, e *events.Event, actorID string) error {
	p, err := st.GetParticipantByActor(ctx, e.ID, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return ErrNotParticipating
	case err != nil:
		return err
	case !takesPart(p):
		return fmt.Errorf("%w: the participation was declined", ErrNotParticipating)
	}
	org, err := isOrganizer(ctx, st, e, actorID)
	if err != nil {
		return err
	}
	if org {
		return fmt.Errorf("%w: an organizer of the event is not on the participant side", ErrForbidden)
	}
	return nil
}

// localAuthor checks that the author of a local write is a local actor:
// a remote actor's messages arrive through Receive.
func localAuthor(ctx context.Context, st Store, actorID string) error {
	a, err := st.GetActor(ctx, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("%w: unknown author", ErrForbidden)
	case err != nil:
		return err
	case !a.Local:
		return fmt.Errorf("%w: a remote actor writes through its own instance", ErrForbidden)
	}
	return nil
}

// text cleans a message's HTML: required, at most MaxMessageSize bytes.
func (s *Service) text(in string) (string, error) {
	return cleanText(s.sanitize, in)
}

func cleanText(san *htmlsafe.Sanitizer, in string) (string, error) {
	if !utf8.ValidString(in) {
		return "", fielderr.New("text", "is not valid UTF-8")
	}
	h := strings.TrimSpace(san.HTML(in))
	switch {
	case h == "" || strings.TrimSpace(san.Text(h)) == "":
		return "", fielderr.New("text", "is required")
	case len(h) > MaxMessageSize:
		return "", fielderr.New("text", "is longer than %d bytes", MaxMessageSize)
	}
	return h, nil
}

// checkID refuses an empty or oversized storage id given as input.
func checkID(field, id string) error {
	switch {
	case id == "":
		return fielderr.New(field, "is required")
	case len(id) > MaxIDLength:
		return fielderr.New(field, "is longer than %d bytes", MaxIDLength)
	}
	return nil
}

// checkIRI accepts an absolute http(s) URL of at most MaxIRILength bytes
// (optional: "" too), returning its host in lower case.
func checkIRI(field, v string, optional bool) (string, error) {
	if v == "" {
		if optional {
			return "", nil
		}
		return "", fielderr.New(field, "is required")
	}
	if len(v) > MaxIRILength {
		return "", fielderr.New(field, "is longer than %d bytes", MaxIRILength)
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return "", fielderr.New(field, "is not an absolute http(s) URL")
	}
	return strings.ToLower(u.Host), nil
}

// pageSize applies DefaultPageSize and MaxPageSize.
func pageSize(limit int) int {
	switch {
	case limit <= 0:
		return DefaultPageSize
	case limit > MaxPageSize:
		return MaxPageSize
	}
	return limit
}

// pageCursor returns the cursor after a full page, zero otherwise.
func pageCursor[T any](items []T, limit int, key func(T) (time.Time, string)) storage.Cursor {
	if len(items) < limit || len(items) == 0 {
		return storage.Cursor{}
	}
	at, id := key(items[len(items)-1])
	return storage.Cursor{At: at, ID: id}
}

// wrap names the operation of an error.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("conversations: %s: %w", op, err)
}

// notFound maps a store miss to ErrNotFound, keeping other errors.
func notFound(err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return ErrNotFound
	}
	return err
}

// forRemoteGroup reports whether actorID is a remote actor of the host
// of organizerID, a remote Group.
func forRemoteGroup(ctx context.Context, st Store, organizerID, actorID string) (bool, error) {
	org, err := st.GetActor(ctx, organizerID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	case org.Local || org.Type != identity.TypeGroup:
		return false, nil
	}
	a, err := st.GetActor(ctx, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false, nil
	case err != nil:
		return false, err
	}
	return !a.Local && sameHost(a.APID, org.APID), nil
}

// sameHost reports whether two absolute IRIs have the same host and
// port (case-insensitively).
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}
