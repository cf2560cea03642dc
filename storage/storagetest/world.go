package storagetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// world is one case's backend plus the fixture builders that fill it.
// Builders named new* return an unstored value with every field set;
// the others store it (through the backend, failing the test on error)
// and return it.
type world struct {
	t   *testing.T
	ctx context.Context
	b   Backend
	seq atomic.Uint64
}

func newWorld(t *testing.T, b Backend) *world {
	return &world{t: t, ctx: t.Context(), b: b}
}

// epoch is the suite's fixed clock: a microsecond-precise instant.
func epoch() time.Time {
	return time.Date(2030, time.June, 1, 12, 0, 0, 123456000, time.UTC)
}

// at is epoch plus d.
func at(d time.Duration) time.Time { return epoch().Add(d) }

// next returns a number unique in this world (safe for concurrent use).
func (w *world) next() uint64 { return w.seq.Add(1) }

// id returns a new UUID-shaped id. Ids grow with each call, so their
// text order is their creation order.
func (w *world) id() string {
	return fmt.Sprintf("00000000-0000-4000-8000-%012x", w.next())
}

func ptr[T any](v T) *T { return &v }

// ---- identity -------------------------------------------------------

func (w *world) newAccount() *identity.Account {
	n := w.next()
	return &identity.Account{
		ID:           w.id(),
		Email:        fmt.Sprintf("person%d@example.test", n),
		PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
		Confirmed:    true,
		Role:         identity.RoleModerator,
		Suspended:    true,
		Locale:       "pt-BR",
		TimeZone:     "America/Sao_Paulo",
		CreatedAt:    at(-48 * time.Hour),
		UpdatedAt:    at(-time.Hour),
	}
}

func (w *world) account() *identity.Account {
	w.t.Helper()
	a := w.newAccount()
	require.NoError(w.t, w.b.CreateAccount(w.ctx, a))
	return a
}

// newLocalActor is a local actor of type typ with every field a local
// actor has set.
func (w *world) newLocalActor(typ identity.ActorType) *identity.Actor {
	n := w.next()
	name := fmt.Sprintf("local%d", n)
	base := "https://convene.test/@" + name
	return &identity.Actor{
		ID:                        w.id(),
		APID:                      base,
		Type:                      typ,
		Local:                     true,
		Username:                  name,
		Domain:                    "convene.test",
		DisplayName:               "Local Person " + name,
		Summary:                   "<p>Hello from <strong>" + name + "</strong></p>",
		AvatarURL:                 base + "/avatar.png",
		BannerURL:                 base + "/banner.png",
		URL:                       base + "/page",
		Inbox:                     base + "/inbox",
		SharedInbox:               "https://convene.test/inbox",
		Outbox:                    base + "/outbox",
		Followers:                 base + "/followers",
		Following:                 base + "/following",
		PublicKeyID:               base + "#main-key",
		PublicKeyPEM:              "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA" + name + "\n-----END PUBLIC KEY-----\n",
		PrivateKeyPEM:             "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI" + name + "\n-----END PRIVATE KEY-----\n",
		Discoverable:              true,
		ManuallyApprovesFollowers: true,
		CreatedAt:                 at(-24 * time.Hour),
		UpdatedAt:                 at(-2 * time.Hour),
	}
}

// newRemoteActor is a remote Person on domain with every field a remote
// actor has set.
func (w *world) newRemoteActor(domain string) *identity.Actor {
	n := w.next()
	name := fmt.Sprintf("remote%d", n)
	base := "https://" + domain + "/users/" + name
	return &identity.Actor{
		ID:           w.id(),
		APID:         base,
		Type:         identity.TypePerson,
		Username:     name,
		Domain:       domain,
		DisplayName:  "Remote " + name,
		Summary:      "<p>far away</p>",
		AvatarURL:    base + "/avatar.jpg",
		BannerURL:    base + "/header.jpg",
		URL:          "https://" + domain + "/@" + name,
		Inbox:        base + "/inbox",
		SharedInbox:  "https://" + domain + "/inbox",
		Outbox:       base + "/outbox",
		Followers:    base + "/followers",
		Following:    base + "/following",
		PublicKeyID:  base + "#main-key",
		PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBg" + name + "\n-----END PUBLIC KEY-----\n",
		Discoverable: true,
		FetchedAt:    at(-30 * time.Minute),
		CreatedAt:    at(-72 * time.Hour),
		UpdatedAt:    at(-30 * time.Minute),
	}
}

func (w *world) actor(a *identity.Actor) *identity.Actor {
	w.t.Helper()
	require.NoError(w.t, w.b.CreateActor(w.ctx, a))
	return a
}

func (w *world) remoteActor() *identity.Actor {
	w.t.Helper()
	return w.actor(w.newRemoteActor("remote.example"))
}

func (w *world) newProfile(accountID string) *identity.Profile {
	return &identity.Profile{Actor: *w.newLocalActor(identity.TypePerson), AccountID: accountID}
}

// profile stores a new, non-default profile of a new account.
func (w *world) profile() *identity.Profile {
	w.t.Helper()
	p := w.newProfile(w.account().ID)
	require.NoError(w.t, w.b.CreateProfile(w.ctx, p))
	return p
}

func (w *world) newFollow(followerID, followedID string) *identity.Follow {
	id := w.id()
	return &identity.Follow{
		ID:         id,
		APID:       "https://convene.test/follows/" + id,
		FollowerID: followerID,
		FollowedID: followedID,
		State:      identity.FollowPending,
		CreatedAt:  at(-10 * time.Minute),
		UpdatedAt:  at(-5 * time.Minute),
	}
}

// ---- groups ---------------------------------------------------------

func buenosAires() *geo.Place {
	return &geo.Place{
		Name: "Centro Cultural Kirchner", Street: "Sarmiento 151", Locality: "Buenos Aires",
		Region: "CABA", PostalCode: "C1041", Country: "AR",
		Latitude: ptr(-34.6037), Longitude: ptr(-58.3816),
	}
}

func (w *world) newGroup() *groups.Group {
	a := w.newLocalActor(identity.TypeGroup)
	a.DisplayName = "Repair Café " + a.Username
	return &groups.Group{Actor: *a, Openness: groups.Moderated, Visibility: groups.Unlisted, Address: buenosAires()}
}

func (w *world) group() *groups.Group {
	w.t.Helper()
	g := w.newGroup()
	require.NoError(w.t, w.b.CreateGroup(w.ctx, g))
	return g
}

func (w *world) newMember(groupID, actorID string) *groups.Member {
	id := w.id()
	return &groups.Member{
		ID:        id,
		APID:      "https://convene.test/members/" + id,
		GroupID:   groupID,
		ActorID:   actorID,
		Role:      groups.RoleMember,
		CreatedAt: at(-3 * time.Hour),
		UpdatedAt: at(-time.Hour),
	}
}

// ---- events ---------------------------------------------------------

// newEvent is a minimal single, public, confirmed, local event organized
// by organizerID, beginning at begins and lasting two hours.
func (w *world) newEvent(organizerID string, begins time.Time) *events.Event {
	id := w.id()
	return &events.Event{
		ID:                id,
		APID:              "https://convene.test/events/" + id,
		URL:               "https://convene.test/events/" + id,
		Local:             true,
		OrganizerID:       organizerID,
		Title:             "Meetup " + id[len(id)-4:],
		Description:       "<p>A meetup.</p>",
		BeginsAt:          begins,
		EndsAt:            begins.Add(2 * time.Hour),
		SeriesEndsAt:      begins.Add(2 * time.Hour),
		Status:            events.Confirmed,
		Visibility:        events.Public,
		JoinMode:          events.JoinFree,
		CommentModeration: events.CommentsAllowAll,
		PublishedAt:       at(-time.Hour),
		CreatedAt:         at(-time.Hour),
		UpdatedAt:         at(-time.Hour),
	}
}

// newFullEvent is a recurring group event with every field set, all
// booleans true and a place with negative coordinates.
func (w *world) newFullEvent(creator *identity.Profile, g *groups.Group, contacts ...string) *events.Event {
	e := w.newEvent(g.ID, at(24*time.Hour))
	e.URL = "https://convene.test/events/" + e.ID + "/page"
	e.GroupID = g.ID
	e.CreatorID = creator.ID
	e.Contacts = contacts
	e.Title = "Repair Café: 100% reuse"
	e.Description = "<p>Bring your <em>broken</em> toaster.</p>"
	e.TimeZone = "America/Argentina/Buenos_Aires"
	e.Status = events.Tentative
	e.Visibility = events.Unlisted
	e.JoinMode = events.JoinExternal
	e.ExternalURL = "https://tickets.example/repair"
	e.Capacity = 42
	e.AnonymousParticipation = true
	e.OnlineAddress = "https://meet.example/repair"
	e.Place = buenosAires()
	e.Category = "WORKSHOPS_SKILL_SHARING"
	e.Tags = []string{"Zeta", "alpha", "Mid"}
	e.Language = "es"
	e.PictureURL = "https://convene.test/media/banner.jpg"
	e.Links = []events.Link{
		{Kind: events.LinkPad, Title: "Notes", URL: "https://pad.example/p/repair"},
		{Kind: events.LinkVisio, URL: "https://meet.example/repair"},
	}
	e.Draft = true
	e.CommentModeration = events.CommentsModerated
	e.Recurrence = "FREQ=WEEKLY;INTERVAL=2;COUNT=5;BYDAY=SA"
	e.ExDates = []time.Time{e.BeginsAt.Add(14 * 24 * time.Hour), e.BeginsAt.Add(28 * 24 * time.Hour)}
	e.SeriesEndsAt = e.EndsAt.Add(56 * 24 * time.Hour)
	e.Sequence = 3
	e.PublishedAt = at(-90 * time.Minute)
	e.CreatedAt = at(-2 * time.Hour)
	e.UpdatedAt = at(-time.Minute)
	return e
}

func (w *world) event(e *events.Event) *events.Event {
	w.t.Helper()
	require.NoError(w.t, w.b.CreateEvent(w.ctx, e))
	return e
}

func (w *world) newParticipant(eventID, actorID string) *events.Participant {
	id := w.id()
	return &events.Participant{
		ID:        id,
		APID:      "https://convene.test/join/event/" + id,
		EventID:   eventID,
		ActorID:   actorID,
		Role:      events.RoleParticipant,
		Message:   "Count me in!",
		Locale:    "de",
		CreatedAt: at(-20 * time.Minute),
		UpdatedAt: at(-10 * time.Minute),
	}
}

// newAnonymous is an anonymous participation with email and token hashes.
func (w *world) newAnonymous(eventID string) *events.Participant {
	p := w.newParticipant(eventID, "")
	n := w.next()
	p.Role = events.RoleNotConfirmed
	p.Email = fmt.Sprintf("anon%d@example.test", n)
	p.ConfirmTokenHash = hash(fmt.Sprintf("confirm-%d", n))
	p.CancelTokenHash = hash(fmt.Sprintf("cancel-%d", n))
	return p
}

func (w *world) newComment(eventID, authorID, inReplyTo string) *events.Comment {
	id := w.id()
	return &events.Comment{
		ID:        id,
		APID:      "https://convene.test/comments/" + id,
		URL:       "https://convene.test/events/" + eventID + "#comment-" + id,
		EventID:   eventID,
		AuthorID:  authorID,
		InReplyTo: inReplyTo,
		Text:      "<p>See you there</p>",
		State:     events.CommentPublished,
		CreatedAt: at(-15 * time.Minute),
		UpdatedAt: at(-14 * time.Minute),
	}
}

// ---- comparison -----------------------------------------------------

// hash is a 32-byte stand-in for a SHA-256.
func hash(s string) []byte {
	b := make([]byte, 32)
	copy(b, s)
	b[31] = byte(len(s))
	return b
}

// nilIfEmpty makes empty and nil slices compare alike.
func nilIfEmpty[S ~[]E, E any](s S) S {
	if len(s) == 0 {
		return nil
	}
	return s
}

func normEvent(e events.Event) events.Event {
	e.Contacts = nilIfEmpty(e.Contacts)
	e.Tags = nilIfEmpty(e.Tags)
	e.Links = nilIfEmpty(e.Links)
	e.ExDates = nilIfEmpty(e.ExDates)
	return e
}

func normParticipant(p events.Participant) events.Participant {
	p.ConfirmTokenHash = nilIfEmpty(p.ConfirmTokenHash)
	p.CancelTokenHash = nilIfEmpty(p.CancelTokenHash)
	return p
}

func normToken(t identity.FeedToken) identity.FeedToken {
	t.Hash = nilIfEmpty(t.Hash)
	return t
}

func requireEvent(t *testing.T, want *events.Event, got *events.Event) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, normEvent(*want), normEvent(*got))
}

func requireParticipant(t *testing.T, want *events.Participant, got *events.Participant) {
	t.Helper()
	require.NotNil(t, got)
	require.Equal(t, normParticipant(*want), normParticipant(*got))
}

// ---- sentinels and pagination ---------------------------------------

func requireNotFound(t *testing.T, err error, what string) {
	t.Helper()
	require.Errorf(t, err, "%s: want storage.ErrNotFound, got no error", what)
	require.ErrorIsf(t, err, storage.ErrNotFound, "%s", what)
}

func requireConflict(t *testing.T, err error, what string) {
	t.Helper()
	require.Errorf(t, err, "%s: want storage.ErrConflict, got no error", what)
	require.ErrorIsf(t, err, storage.ErrConflict, "%s", what)
}

// listFunc is one List* method with its filters bound.
type listFunc[T any] func(after storage.Cursor, limit int) ([]T, error)

// walk reads every page of a list, limit items at a time, following the
// cursor of each page's last item. It checks that no page is longer than
// limit and returns the items and the page sizes.
func walk[T any](t *testing.T, limit int, list listFunc[T], pos func(T) storage.Cursor) (all []T, sizes []int) {
	t.Helper()
	var after storage.Cursor
	for range 1000 {
		page, err := list(after, limit)
		require.NoError(t, err)
		require.LessOrEqual(t, len(page), limit, "a page is longer than the limit")
		sizes = append(sizes, len(page))
		all = append(all, page...)
		if len(page) < limit {
			return all, sizes
		}
		after = pos(page[len(page)-1])
	}
	t.Fatal("pagination does not end")
	return nil, nil
}

// pageSizes is what walk should see for n items read limit at a time.
func pageSizes(n, limit int) []int {
	var s []int
	for ; n >= limit; n -= limit {
		s = append(s, limit)
	}
	return append(s, n)
}

// keyed is an item's position in a (time, id) ordered list.
type keyed struct {
	At time.Time
	ID string
}

func sortKeyed(k []keyed) []string {
	slices.SortFunc(k, func(a, b keyed) int {
		return cmp.Or(a.At.Compare(b.At), strings.Compare(a.ID, b.ID))
	})
	ids := make([]string, len(k))
	for i := range k {
		ids[i] = k[i].ID
	}
	return ids
}

// tiedTimes returns n creation times with many ties (several items share
// each instant), in an order unrelated to their ids: item i gets the
// time (i*7 mod 9) minutes after base.
func tiedTimes(n int, base time.Time) []time.Time {
	ts := make([]time.Time, n)
	for i := range ts {
		ts[i] = base.Add(time.Duration(i*7%9) * time.Minute)
	}
	return ts
}

// descendingIDs returns n new ids, the greatest first, so that items
// inserted in this order have ids that run against insertion order.
func (w *world) descendingIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = w.id()
	}
	slices.Reverse(ids)
	return ids
}

func ids[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i := range items {
		out[i] = id(items[i])
	}
	return out
}
