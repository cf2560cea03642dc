package storagetest_test

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/ical"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestRunMemory runs the suite on memStore, a small in-memory reference
// backend: it shows the suite's cases agree with each other and with the
// contracts' doc comments, independently of any SQL backend.
func TestRunMemory(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storagetest.Backend { return newMemStore() })
}

// memStore is a reference backend. Transactions run one at a time on a
// copy of the state, which replaces the committed state on commit;
// readers outside a transaction read the committed state.
type memStore struct {
	writer sync.Mutex   // held by the open transaction
	mu     sync.RWMutex // guards cur
	cur    *memState    // committed; never modified after publication
}

func newMemStore() *memView {
	return &memView{m: &memStore{cur: newMemState()}}
}

type memState struct {
	accounts     map[string]identity.Account
	actors       map[string]identity.Actor
	profiles     map[string]profileRow // by actor id
	groupRows    map[string]groupRow   // by actor id
	follows      map[[2]string]identity.Follow
	tokens       map[string]identity.FeedToken
	sessions     map[string]identity.Session
	members      map[[2]string]groups.Member
	events       map[string]events.Event
	participants map[string]events.Participant
	comments     map[string]events.Comment
	imported     map[[2]string]ical.Imported // by (owner, uid)
	subs         map[string]ical.Subscription
	gone         map[string]time.Time // by actor id
	suspended    map[string]time.Time // by actor id
	held         map[string]time.Time // by account id
	content      memContent           // groups.ContentStore
	mod          modState             // moderation.ReportStore (memory_moderation_test.go)
	dmail        map[[2]string]bool   // groups.NotifyStore by (group, profile) (memory_groupmail_test.go)
	conv         convState            // conversations.ConversationStore (memory_conversations_test.go)
}

type profileRow struct {
	accountID string
	isDefault bool
}

type groupRow struct {
	openness   groups.Openness
	visibility groups.Visibility
	address    *geo.Place
}

func newMemState() *memState {
	return &memState{
		accounts: map[string]identity.Account{}, actors: map[string]identity.Actor{},
		profiles: map[string]profileRow{}, groupRows: map[string]groupRow{},
		follows: map[[2]string]identity.Follow{}, tokens: map[string]identity.FeedToken{},
		sessions: map[string]identity.Session{},
		members:  map[[2]string]groups.Member{}, events: map[string]events.Event{},
		participants: map[string]events.Participant{}, comments: map[string]events.Comment{},
		imported: map[[2]string]ical.Imported{}, subs: map[string]ical.Subscription{},
		gone: map[string]time.Time{}, suspended: map[string]time.Time{}, held: map[string]time.Time{}, content: newMemContent(), mod: newModState(),
		dmail: map[[2]string]bool{}, conv: newConvState(),
	}
}

// clone copies the maps; the values in them are never modified in place
// (every write stores a fresh deep copy), so they can be shared.
func (s *memState) clone() *memState {
	return &memState{
		accounts: maps.Clone(s.accounts), actors: maps.Clone(s.actors),
		profiles: maps.Clone(s.profiles), groupRows: maps.Clone(s.groupRows),
		follows: maps.Clone(s.follows), tokens: maps.Clone(s.tokens),
		sessions: maps.Clone(s.sessions),
		members:  maps.Clone(s.members), events: maps.Clone(s.events),
		participants: maps.Clone(s.participants), comments: maps.Clone(s.comments),
		imported: maps.Clone(s.imported), subs: maps.Clone(s.subs),
		gone: maps.Clone(s.gone), suspended: maps.Clone(s.suspended), held: maps.Clone(s.held), content: s.content.clone(), mod: s.mod.clone(),
		dmail: maps.Clone(s.dmail), conv: s.conv.clone(),
	}
}

// memView is the backend (tx nil) or an open transaction (tx set).
type memView struct {
	m  *memStore
	tx *memState
}

func (v *memView) InTx(ctx context.Context, fn func(tx storage.Tx) error) (err error) {
	if v.tx != nil {
		return fn(v)
	}
	v.m.writer.Lock()
	defer v.m.writer.Unlock()
	v.m.mu.RLock()
	work := v.m.cur.clone()
	v.m.mu.RUnlock()
	if err := fn(&memView{m: v.m, tx: work}); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	v.m.mu.Lock()
	v.m.cur = work
	v.m.mu.Unlock()
	return nil
}

// read returns the state a read sees.
func (v *memView) read() *memState {
	if v.tx != nil {
		return v.tx
	}
	v.m.mu.RLock()
	defer v.m.mu.RUnlock()
	return v.m.cur
}

// write runs fn on the transaction's state, or in a transaction of its own.
func (v *memView) write(ctx context.Context, fn func(s *memState) error) error {
	if v.tx != nil {
		return fn(v.tx)
	}
	return v.InTx(ctx, func(tx storage.Tx) error { return fn(tx.(*memView).tx) })
}

func notFound(what, key string) error {
	return fmt.Errorf("memstore: %s %q: %w", what, key, storage.ErrNotFound)
}

func conflict(what string) error {
	return fmt.Errorf("memstore: %s taken: %w", what, storage.ErrConflict)
}

// utc returns a copy of the struct v with every time in UTC, as a
// database returns them.
func utc[T any](v T) T {
	walkUTC(reflect.ValueOf(&v).Elem())
	return v
}

func walkUTC(v reflect.Value) {
	switch {
	case v.Type() == reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
	case v.Kind() == reflect.Struct:
		for i := range v.NumField() {
			walkUTC(v.Field(i))
		}
	case v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[time.Time]():
		for i := range v.Len() {
			walkUTC(v.Index(i))
		}
	}
}

// ---- ordering and filtering helpers --------------------------------

func afterCursor(at time.Time, id string, c storage.Cursor) bool {
	if c.IsZero() {
		return true
	}
	return at.After(c.At) || (at.Equal(c.At) && id > c.ID)
}

func page[T any](items []T, key func(T) (time.Time, string), after storage.Cursor, limit int) []T {
	slices.SortFunc(items, func(a, b T) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmp.Or(ta.Compare(tb), strings.Compare(ia, ib))
	})
	var out []T
	for _, it := range items {
		t, id := key(it)
		if afterCursor(t, id, after) && (limit <= 0 || len(out) < limit) {
			out = append(out, it)
		}
	}
	return out
}

func oneOf[T comparable](v T, set []T) bool { return len(set) == 0 || slices.Contains(set, v) }

// ---- identity ------------------------------------------------------

func (v *memView) CreateAccount(ctx context.Context, a *identity.Account) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.accounts[a.ID]; ok {
			return conflict("account id")
		}
		for _, o := range s.accounts {
			if o.Email == a.Email {
				return conflict("email")
			}
		}
		s.accounts[a.ID] = utc(*a)
		return nil
	})
}

func (v *memView) UpdateAccount(ctx context.Context, a *identity.Account) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.accounts[a.ID]; !ok {
			return notFound("account", a.ID)
		}
		for _, o := range s.accounts {
			if o.Email == a.Email && o.ID != a.ID {
				return conflict("email")
			}
		}
		s.accounts[a.ID] = utc(*a)
		return nil
	})
}

func (v *memView) GetAccount(_ context.Context, id string) (*identity.Account, error) {
	a, ok := v.read().accounts[id]
	if !ok {
		return nil, notFound("account", id)
	}
	return &a, nil
}

func (v *memView) GetAccountByEmail(_ context.Context, email string) (*identity.Account, error) {
	for _, a := range v.read().accounts {
		if a.Email == email {
			return &a, nil
		}
	}
	return nil, notFound("account", email)
}

func (s *memState) checkActor(a *identity.Actor) error {
	for _, o := range s.actors {
		if o.ID == a.ID {
			continue
		}
		if o.APID == a.APID {
			return conflict("actor APID")
		}
		if a.Local && o.Local && strings.EqualFold(o.Username, a.Username) {
			return conflict("username")
		}
	}
	return nil
}

func (s *memState) actorsExist(ids ...string) error {
	for _, id := range ids {
		if _, ok := s.actors[id]; !ok {
			return notFound("actor", id)
		}
	}
	return nil
}

func (s *memState) createActor(a *identity.Actor) error {
	if _, ok := s.actors[a.ID]; ok {
		return conflict("actor id")
	}
	if err := s.checkActor(a); err != nil {
		return err
	}
	s.actors[a.ID] = utc(*a)
	return nil
}

func (s *memState) updateActor(a *identity.Actor) error {
	if _, ok := s.actors[a.ID]; !ok {
		return notFound("actor", a.ID)
	}
	if err := s.checkActor(a); err != nil {
		return err
	}
	s.actors[a.ID] = utc(*a)
	return nil
}

func (v *memView) CreateActor(ctx context.Context, a *identity.Actor) error {
	return v.write(ctx, func(s *memState) error { return s.createActor(a) })
}

func (v *memView) UpdateActor(ctx context.Context, a *identity.Actor) error {
	return v.write(ctx, func(s *memState) error { return s.updateActor(a) })
}

func (v *memView) GetActor(_ context.Context, id string) (*identity.Actor, error) {
	a, ok := v.read().actors[id]
	if !ok {
		return nil, notFound("actor", id)
	}
	return &a, nil
}

func (v *memView) GetActorByAPID(_ context.Context, apID string) (*identity.Actor, error) {
	for _, a := range v.read().actors {
		if a.APID == apID {
			return &a, nil
		}
	}
	return nil, notFound("actor", apID)
}

func (v *memView) GetLocalActor(_ context.Context, username string) (*identity.Actor, error) {
	for _, a := range v.read().actors {
		if a.Local && strings.EqualFold(a.Username, username) {
			return &a, nil
		}
	}
	return nil, notFound("local actor", username)
}

func (s *memState) clearDefault(accountID string) {
	for id, r := range s.profiles {
		if r.accountID == accountID && r.isDefault {
			r.isDefault = false
			s.profiles[id] = r
		}
	}
}

func (v *memView) CreateProfile(ctx context.Context, p *identity.Profile) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.accounts[p.AccountID]; !ok {
			return notFound("account", p.AccountID)
		}
		if err := s.createActor(&p.Actor); err != nil {
			return err
		}
		if p.Default {
			s.clearDefault(p.AccountID)
		}
		s.profiles[p.ID] = profileRow{accountID: p.AccountID, isDefault: p.Default}
		return nil
	})
}

func (s *memState) profile(id string) (*identity.Profile, error) {
	r, ok := s.profiles[id]
	if !ok {
		return nil, notFound("profile", id)
	}
	return &identity.Profile{Actor: s.actors[id], AccountID: r.accountID, Default: r.isDefault}, nil
}

func (v *memView) GetProfile(_ context.Context, id string) (*identity.Profile, error) {
	return v.read().profile(id)
}

func (v *memView) ListProfiles(_ context.Context, accountID string) ([]identity.Profile, error) {
	s := v.read()
	var out []identity.Profile
	for id, r := range s.profiles {
		if r.accountID == accountID {
			p, _ := s.profile(id)
			out = append(out, *p)
		}
	}
	slices.SortFunc(out, func(a, b identity.Profile) int {
		if a.Default != b.Default {
			if a.Default {
				return -1
			}
			return 1
		}
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), strings.Compare(a.ID, b.ID))
	})
	return out, nil
}

func (v *memView) SetDefaultProfile(ctx context.Context, accountID, profileID string) error {
	return v.write(ctx, func(s *memState) error {
		r, ok := s.profiles[profileID]
		if !ok || r.accountID != accountID {
			return notFound("profile of account", profileID)
		}
		s.clearDefault(accountID)
		r.isDefault = true
		s.profiles[profileID] = r
		return nil
	})
}

func (v *memView) DeleteProfile(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.profiles[id]; !ok {
			return notFound("profile", id)
		}
		delete(s.profiles, id)
		delete(s.actors, id)
		s.forgetActor(id)
		return nil
	})
}

func (v *memView) PutFollow(ctx context.Context, f *identity.Follow) error {
	return v.write(ctx, func(s *memState) error {
		if err := s.actorsExist(f.FollowerID, f.FollowedID); err != nil {
			return err
		}
		key := [2]string{f.FollowerID, f.FollowedID}
		for k, o := range s.follows {
			if k != key && f.APID != "" && o.APID == f.APID {
				return conflict("follow APID")
			}
		}
		if old, ok := s.follows[key]; ok {
			f.ID, f.CreatedAt = old.ID, old.CreatedAt
		}
		s.follows[key] = utc(*f)
		return nil
	})
}

func (v *memView) GetFollow(_ context.Context, followerID, followedID string) (*identity.Follow, error) {
	f, ok := v.read().follows[[2]string{followerID, followedID}]
	if !ok {
		return nil, notFound("follow", followerID+" → "+followedID)
	}
	return &f, nil
}

func (v *memView) GetFollowByAPID(_ context.Context, apID string) (*identity.Follow, error) {
	for _, f := range v.read().follows {
		if f.APID == apID && apID != "" {
			return &f, nil
		}
	}
	return nil, notFound("follow", apID)
}

func (v *memView) DeleteFollow(ctx context.Context, followerID, followedID string) error {
	return v.write(ctx, func(s *memState) error {
		key := [2]string{followerID, followedID}
		if _, ok := s.follows[key]; !ok {
			return notFound("follow", followerID+" → "+followedID)
		}
		delete(s.follows, key)
		return nil
	})
}

func followKey(f identity.Follow) (time.Time, string) { return f.CreatedAt, f.ID }

func (v *memView) listFollows(match func(identity.Follow) bool, after storage.Cursor, limit int) []identity.Follow {
	var all []identity.Follow
	for _, f := range v.read().follows {
		if match(f) {
			all = append(all, f)
		}
	}
	return page(all, followKey, after, limit)
}

func (v *memView) ListFollowers(_ context.Context, followedID string, state identity.FollowState, after storage.Cursor, limit int) ([]identity.Follow, error) {
	return v.listFollows(func(f identity.Follow) bool { return f.FollowedID == followedID && f.State == state }, after, limit), nil
}

func (v *memView) ListFollowing(_ context.Context, followerID string, state identity.FollowState, after storage.Cursor, limit int) ([]identity.Follow, error) {
	return v.listFollows(func(f identity.Follow) bool { return f.FollowerID == followerID && f.State == state }, after, limit), nil
}

func (v *memView) CreateFeedToken(ctx context.Context, t *identity.FeedToken) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.tokens[t.ID]; ok {
			return conflict("token id")
		}
		for _, o := range s.tokens {
			if bytes.Equal(o.Hash, t.Hash) {
				return conflict("token hash")
			}
		}
		c := utc(*t)
		c.Hash = slices.Clone(t.Hash)
		s.tokens[t.ID] = c
		return nil
	})
}

func (v *memView) GetFeedTokenByHash(_ context.Context, hash []byte) (*identity.FeedToken, error) {
	for _, t := range v.read().tokens {
		if bytes.Equal(t.Hash, hash) {
			t.Hash = slices.Clone(t.Hash)
			return &t, nil
		}
	}
	return nil, notFound("feed token", "…")
}

func (v *memView) ListFeedTokens(_ context.Context, accountID string) ([]identity.FeedToken, error) {
	var out []identity.FeedToken
	for _, t := range v.read().tokens {
		if t.AccountID == accountID {
			t.Hash = slices.Clone(t.Hash)
			out = append(out, t)
		}
	}
	return page(out, func(t identity.FeedToken) (time.Time, string) { return t.CreatedAt, t.ID }, storage.Cursor{}, 0), nil
}

func (v *memView) RevokeFeedToken(ctx context.Context, id string, at time.Time) error {
	return v.write(ctx, func(s *memState) error {
		t, ok := s.tokens[id]
		if !ok {
			return notFound("feed token", id)
		}
		t.RevokedAt = at.UTC()
		s.tokens[id] = t
		return nil
	})
}

// ---- sessions ------------------------------------------------------

func (v *memView) CreateSession(ctx context.Context, sess *identity.Session) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.sessions[sess.ID]; ok {
			return conflict("session id")
		}
		for _, o := range s.sessions {
			if bytes.Equal(o.Hash, sess.Hash) {
				return conflict("session hash")
			}
		}
		if _, ok := s.accounts[sess.AccountID]; !ok {
			return notFound("account", sess.AccountID)
		}
		c := utc(*sess)
		c.Hash = slices.Clone(sess.Hash)
		s.sessions[sess.ID] = c
		return nil
	})
}

func (v *memView) GetSessionByHash(_ context.Context, hash []byte) (*identity.Session, error) {
	for _, sess := range v.read().sessions {
		if len(hash) > 0 && bytes.Equal(sess.Hash, hash) {
			sess.Hash = slices.Clone(sess.Hash)
			return &sess, nil
		}
	}
	return nil, notFound("session", "…")
}

func (v *memView) ListSessions(_ context.Context, accountID string) ([]identity.Session, error) {
	var out []identity.Session
	for _, sess := range v.read().sessions {
		if sess.AccountID == accountID {
			sess.Hash = slices.Clone(sess.Hash)
			out = append(out, sess)
		}
	}
	return page(out, func(s identity.Session) (time.Time, string) { return s.CreatedAt, s.ID }, storage.Cursor{}, 0), nil
}

func (v *memView) TouchSession(ctx context.Context, id string, lastUsedAt time.Time) error {
	return v.write(ctx, func(s *memState) error {
		sess, ok := s.sessions[id]
		if !ok {
			return notFound("session", id)
		}
		sess.LastUsedAt = lastUsedAt.UTC()
		s.sessions[id] = sess
		return nil
	})
}

func (v *memView) DeleteSession(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.sessions[id]; !ok {
			return notFound("session", id)
		}
		delete(s.sessions, id)
		return nil
	})
}

// ---- groups --------------------------------------------------------

func copyPlace(p *geo.Place) *geo.Place {
	if p == nil {
		return nil
	}
	c := *p
	if p.Latitude != nil {
		c.Latitude = new(*p.Latitude)
	}
	if p.Longitude != nil {
		c.Longitude = new(*p.Longitude)
	}
	return &c
}

func (v *memView) CreateGroup(ctx context.Context, g *groups.Group) error {
	return v.write(ctx, func(s *memState) error {
		if err := s.createActor(&g.Actor); err != nil {
			return err
		}
		s.groupRows[g.ID] = groupRow{g.Openness, g.Visibility, copyPlace(g.Address)}
		return nil
	})
}

func (v *memView) UpdateGroup(ctx context.Context, g *groups.Group) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.groupRows[g.ID]; !ok {
			return notFound("group", g.ID)
		}
		if err := s.updateActor(&g.Actor); err != nil {
			return err
		}
		s.groupRows[g.ID] = groupRow{g.Openness, g.Visibility, copyPlace(g.Address)}
		return nil
	})
}

func (v *memView) GetGroup(_ context.Context, id string) (*groups.Group, error) {
	s := v.read()
	r, ok := s.groupRows[id]
	if !ok {
		return nil, notFound("group", id)
	}
	return &groups.Group{Actor: s.actors[id], Openness: r.openness, Visibility: r.visibility, Address: copyPlace(r.address)}, nil
}

func (v *memView) LockGroup(ctx context.Context, id string) (*groups.Group, error) {
	return v.GetGroup(ctx, id)
}

func (v *memView) DeleteGroup(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.groupRows[id]; !ok {
			return notFound("group", id)
		}
		delete(s.groupRows, id)
		delete(s.actors, id)
		s.forgetActor(id)
		for k := range s.members {
			if k[0] == id {
				delete(s.members, k)
			}
		}
		return nil
	})
}

func (v *memView) PutMember(ctx context.Context, m *groups.Member) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.groupRows[m.GroupID]; !ok {
			return notFound("group", m.GroupID)
		}
		if err := s.actorsExist(m.ActorID); err != nil {
			return err
		}
		key := [2]string{m.GroupID, m.ActorID}
		for k, o := range s.members {
			if k != key && m.APID != "" && o.APID == m.APID {
				return conflict("member APID")
			}
		}
		if old, ok := s.members[key]; ok {
			m.ID, m.CreatedAt = old.ID, old.CreatedAt
		}
		s.members[key] = utc(*m)
		return nil
	})
}

func (v *memView) GetMember(_ context.Context, groupID, actorID string) (*groups.Member, error) {
	m, ok := v.read().members[[2]string{groupID, actorID}]
	if !ok {
		return nil, notFound("member", actorID)
	}
	return &m, nil
}

func (v *memView) GetMemberByAPID(_ context.Context, apID string) (*groups.Member, error) {
	for _, m := range v.read().members {
		if m.APID == apID && apID != "" {
			return &m, nil
		}
	}
	return nil, notFound("member", apID)
}

func (v *memView) DeleteMember(ctx context.Context, groupID, actorID string) error {
	return v.write(ctx, func(s *memState) error {
		key := [2]string{groupID, actorID}
		if _, ok := s.members[key]; !ok {
			return notFound("member", actorID)
		}
		delete(s.members, key)
		return nil
	})
}

func (v *memView) members(match func(groups.Member) bool) []groups.Member {
	var out []groups.Member
	for _, m := range v.read().members {
		if match(m) {
			out = append(out, m)
		}
	}
	return out
}

func memberKey(m groups.Member) (time.Time, string) { return m.CreatedAt, m.ID }

func (v *memView) ListMembers(_ context.Context, groupID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	all := v.members(func(m groups.Member) bool { return m.GroupID == groupID && oneOf(m.Role, roles) })
	return page(all, memberKey, after, limit), nil
}

func (v *memView) CountMembers(_ context.Context, groupID string, roles []groups.Role) (int, error) {
	return len(v.members(func(m groups.Member) bool { return m.GroupID == groupID && oneOf(m.Role, roles) })), nil
}

func (v *memView) ListMemberships(_ context.Context, actorID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	all := v.members(func(m groups.Member) bool { return m.ActorID == actorID && oneOf(m.Role, roles) })
	return page(all, memberKey, after, limit), nil
}

// ---- events --------------------------------------------------------

func copyEvent(e events.Event) events.Event {
	e.Contacts = slices.Clone(e.Contacts)
	e.Tags = slices.Clone(e.Tags)
	e.Links = slices.Clone(e.Links)
	e.ExDates = slices.Clone(e.ExDates)
	e.Place = copyPlace(e.Place)
	return e
}

func (s *memState) checkEvent(e *events.Event) error {
	for _, o := range s.events {
		if o.ID != e.ID && o.APID == e.APID {
			return conflict("event APID")
		}
	}
	return nil
}

func (v *memView) CreateEvent(ctx context.Context, e *events.Event) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.events[e.ID]; ok {
			return conflict("event id")
		}
		if err := s.checkEvent(e); err != nil {
			return err
		}
		s.events[e.ID] = utc(copyEvent(*e))
		return nil
	})
}

func (v *memView) UpdateEvent(ctx context.Context, e *events.Event) error {
	return v.write(ctx, func(s *memState) error {
		old, ok := s.events[e.ID]
		if !ok {
			return notFound("event", e.ID)
		}
		if err := s.checkEvent(e); err != nil {
			return err
		}
		ne := utc(copyEvent(*e))
		ne.Hidden = old.Hidden // only SetEventHidden changes it
		s.events[e.ID] = ne
		return nil
	})
}

func (v *memView) SetEventHidden(ctx context.Context, id string, hidden bool) error {
	return v.write(ctx, func(s *memState) error {
		e, ok := s.events[id]
		if !ok {
			return notFound("event", id)
		}
		e.Hidden = hidden
		s.events[id] = e
		return nil
	})
}

func (v *memView) GetEvent(_ context.Context, id string) (*events.Event, error) {
	e, ok := v.read().events[id]
	if !ok {
		return nil, notFound("event", id)
	}
	e = copyEvent(e)
	return &e, nil
}

func (v *memView) GetEventByAPID(ctx context.Context, apID string) (*events.Event, error) {
	for _, e := range v.read().events {
		if e.APID == apID {
			return v.GetEvent(ctx, e.ID)
		}
	}
	return nil, notFound("event", apID)
}

func (v *memView) LockEvent(ctx context.Context, id string) (*events.Event, error) {
	return v.GetEvent(ctx, id)
}

func (v *memView) DeleteEvent(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.events[id]; !ok {
			return notFound("event", id)
		}
		delete(s.events, id)
		maps.DeleteFunc(s.participants, func(_ string, p events.Participant) bool { return p.EventID == id })
		maps.DeleteFunc(s.comments, func(_ string, c events.Comment) bool { return c.EventID == id })
		maps.DeleteFunc(s.imported, func(_ [2]string, m ical.Imported) bool { return m.EventID == id })
		s.conv.deleteEvent(id)
		return nil
	})
}

func matches(e *events.Event, q events.StoreQuery) bool {
	switch {
	case !q.From.IsZero() && e.BeginsAt.Before(q.From):
		return false
	case !oneOf(e.Visibility, q.Visibilities):
		return false
	case e.Draft && !q.IncludeDrafts, e.Hidden:
		return false
	case q.Text != "" && !strings.Contains(strings.ToLower(e.Title+"\x00"+e.Description), strings.ToLower(q.Text)):
		return false
	case len(q.Tags) > 0 && !slices.ContainsFunc(e.Tags, func(t string) bool {
		return slices.ContainsFunc(q.Tags, func(u string) bool { return strings.EqualFold(t, u) })
	}):
		return false
	case q.Category != "" && !strings.EqualFold(e.Category, q.Category):
		return false
	case q.OrganizerID != "" && e.OrganizerID != q.OrganizerID:
		return false
	case q.GroupID != "" && e.GroupID != q.GroupID:
		return false
	case q.Online != nil && (e.OnlineAddress != "") != *q.Online:
		return false
	case q.Local != nil && e.Local != *q.Local:
		return false
	}
	if q.Box != nil {
		p, ok := e.Place.Point()
		if !ok || !q.Box.Contains(p) {
			return false
		}
	}
	return true
}

func eventKey(e events.Event) (time.Time, string) { return e.BeginsAt, e.ID }

func (v *memView) FindEvents(_ context.Context, q events.StoreQuery) ([]events.Event, error) {
	var out []events.Event
	for _, e := range v.read().events {
		if !e.Recurring() && matches(&e, q) && (q.To.IsZero() || e.BeginsAt.Before(q.To)) {
			out = append(out, copyEvent(e))
		}
	}
	return page(out, eventKey, q.After, q.Limit), nil
}

func (v *memView) FindSeries(_ context.Context, q events.StoreQuery) ([]events.Event, error) {
	var out []events.Event
	for _, e := range v.read().events {
		if !e.Recurring() {
			continue
		}
		q2 := q
		q2.From = time.Time{}
		if !matches(&e, q2) || (!q.To.IsZero() && !e.BeginsAt.Before(q.To)) {
			continue
		}
		if !e.SeriesEndsAt.IsZero() && !q.From.IsZero() && !e.SeriesEndsAt.After(q.From) {
			continue
		}
		out = append(out, copyEvent(e))
	}
	return page(out, eventKey, storage.Cursor{}, events.MaxSeriesPerQuery), nil
}

func copyParticipant(p events.Participant) events.Participant {
	p.ConfirmTokenHash = slices.Clone(p.ConfirmTokenHash)
	p.CancelTokenHash = slices.Clone(p.CancelTokenHash)
	return p
}

func (s *memState) checkParticipant(p *events.Participant) error {
	for _, o := range s.participants {
		if o.ID == p.ID {
			continue
		}
		if p.APID != "" && o.APID == p.APID {
			return conflict("participant APID")
		}
		if p.ActorID != "" && o.EventID == p.EventID && o.ActorID == p.ActorID {
			return conflict("participant")
		}
	}
	return nil
}

func (v *memView) CreateParticipant(ctx context.Context, p *events.Participant) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.participants[p.ID]; ok {
			return conflict("participant id")
		}
		if _, ok := s.events[p.EventID]; !ok {
			return notFound("event", p.EventID)
		}
		if p.ActorID != "" {
			if err := s.actorsExist(p.ActorID); err != nil {
				return err
			}
		}
		if err := s.checkParticipant(p); err != nil {
			return err
		}
		s.participants[p.ID] = utc(copyParticipant(*p))
		return nil
	})
}

func (v *memView) UpdateParticipant(ctx context.Context, p *events.Participant) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.participants[p.ID]; !ok {
			return notFound("participant", p.ID)
		}
		if err := s.checkParticipant(p); err != nil {
			return err
		}
		s.participants[p.ID] = utc(copyParticipant(*p))
		return nil
	})
}

func (v *memView) findParticipant(match func(events.Participant) bool) (*events.Participant, error) {
	for _, p := range v.read().participants {
		if match(p) {
			p = copyParticipant(p)
			return &p, nil
		}
	}
	return nil, notFound("participant", "")
}

func (v *memView) GetParticipant(_ context.Context, id string) (*events.Participant, error) {
	return v.findParticipant(func(p events.Participant) bool { return p.ID == id })
}

func (v *memView) GetParticipantByActor(_ context.Context, eventID, actorID string) (*events.Participant, error) {
	return v.findParticipant(func(p events.Participant) bool { return actorID != "" && p.EventID == eventID && p.ActorID == actorID })
}

func (v *memView) GetParticipantByAPID(_ context.Context, apID string) (*events.Participant, error) {
	return v.findParticipant(func(p events.Participant) bool { return apID != "" && p.APID == apID })
}

func (v *memView) GetParticipantByToken(_ context.Context, hash []byte) (*events.Participant, error) {
	return v.findParticipant(func(p events.Participant) bool {
		return len(hash) > 0 && (bytes.Equal(p.ConfirmTokenHash, hash) || bytes.Equal(p.CancelTokenHash, hash))
	})
}

func (v *memView) DeleteParticipant(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.participants[id]; !ok {
			return notFound("participant", id)
		}
		delete(s.participants, id)
		return nil
	})
}

func (v *memView) participants(match func(events.Participant) bool) []events.Participant {
	var out []events.Participant
	for _, p := range v.read().participants {
		if match(p) {
			out = append(out, copyParticipant(p))
		}
	}
	return out
}

func participantKey(p events.Participant) (time.Time, string) { return p.CreatedAt, p.ID }

func (v *memView) CountParticipants(_ context.Context, eventID string, roles []events.ParticipantRole) (int, error) {
	return len(v.participants(func(p events.Participant) bool { return p.EventID == eventID && oneOf(p.Role, roles) })), nil
}

func (v *memView) ListParticipants(_ context.Context, eventID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	all := v.participants(func(p events.Participant) bool { return p.EventID == eventID && oneOf(p.Role, roles) })
	return page(all, participantKey, after, limit), nil
}

func (v *memView) ListParticipations(_ context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	all := v.participants(func(p events.Participant) bool { return actorID != "" && p.ActorID == actorID && oneOf(p.Role, roles) })
	return page(all, participantKey, after, limit), nil
}

func (s *memState) checkComment(c *events.Comment) error {
	for _, o := range s.comments {
		if o.ID != c.ID && c.APID != "" && o.APID == c.APID {
			return conflict("comment APID")
		}
	}
	return nil
}

func (v *memView) CreateComment(ctx context.Context, c *events.Comment) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.comments[c.ID]; ok {
			return conflict("comment id")
		}
		if _, ok := s.events[c.EventID]; !ok {
			return notFound("event", c.EventID)
		}
		if err := s.actorsExist(c.AuthorID); err != nil {
			return err
		}
		if err := s.checkComment(c); err != nil {
			return err
		}
		s.comments[c.ID] = utc(*c)
		return nil
	})
}

func (v *memView) UpdateComment(ctx context.Context, c *events.Comment) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.comments[c.ID]; !ok {
			return notFound("comment", c.ID)
		}
		if err := s.checkComment(c); err != nil {
			return err
		}
		s.comments[c.ID] = utc(*c)
		return nil
	})
}

func (v *memView) GetComment(_ context.Context, id string) (*events.Comment, error) {
	c, ok := v.read().comments[id]
	if !ok {
		return nil, notFound("comment", id)
	}
	return &c, nil
}

func (v *memView) GetCommentByAPID(_ context.Context, apID string) (*events.Comment, error) {
	for _, c := range v.read().comments {
		if apID != "" && c.APID == apID {
			return &c, nil
		}
	}
	return nil, notFound("comment", apID)
}

func (v *memView) ListComments(_ context.Context, eventID string, states []events.CommentState, after storage.Cursor, limit int) ([]events.Comment, error) {
	var all []events.Comment
	for _, c := range v.read().comments {
		if c.EventID == eventID && oneOf(c.State, states) {
			all = append(all, c)
		}
	}
	return page(all, func(c events.Comment) (time.Time, string) { return c.CreatedAt, c.ID }, after, limit), nil
}

// ---- ical ----------------------------------------------------------

// forgetActor drops what goes with a deleted profile or group: its
// imported UIDs and its subscriptions.
func (s *memState) forgetActor(id string) {
	delete(s.suspended, id)
	maps.DeleteFunc(s.imported, func(k [2]string, _ ical.Imported) bool { return k[0] == id })
	maps.DeleteFunc(s.subs, func(_ string, sub ical.Subscription) bool {
		return sub.Target.ActorID == id || sub.Target.GroupID == id
	})
}

func (v *memView) ImportedUIDs(_ context.Context, owner string) ([]ical.Imported, error) {
	var out []ical.Imported
	for k, m := range v.read().imported {
		if k[0] == owner {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b ical.Imported) int { return strings.Compare(a.UID, b.UID) })
	return out, nil
}

func (v *memView) PutImported(ctx context.Context, m ical.Imported) error {
	if m.Owner == "" || m.UID == "" || m.EventID == "" {
		return fmt.Errorf("memstore: put imported: empty key in %+v", m)
	}
	return v.write(ctx, func(s *memState) error {
		if err := s.actorsExist(m.Owner); err != nil {
			return err
		}
		if _, ok := s.events[m.EventID]; !ok {
			return notFound("event", m.EventID)
		}
		s.imported[[2]string{m.Owner, m.UID}] = m
		return nil
	})
}

func (v *memView) DeleteImported(ctx context.Context, owner, uid string) error {
	return v.write(ctx, func(s *memState) error {
		k := [2]string{owner, uid}
		if _, ok := s.imported[k]; !ok {
			return notFound("imported uid", uid)
		}
		delete(s.imported, k)
		return nil
	})
}

func subKey(s ical.Subscription) (time.Time, string) { return s.NextAt, s.ID }

func (v *memView) DueSubscriptions(_ context.Context, now time.Time, limit int) ([]ical.Subscription, error) {
	var due []ical.Subscription
	for _, sub := range v.read().subs {
		if !sub.NextAt.After(now) {
			due = append(due, sub)
		}
	}
	return page(due, subKey, storage.Cursor{}, limit), nil
}

func (v *memView) SaveSubscription(ctx context.Context, sub *ical.Subscription) error {
	if sub == nil || sub.ID == "" || sub.Target.ActorID == "" {
		return fmt.Errorf("memstore: save subscription: empty ID or Target.ActorID")
	}
	return v.write(ctx, func(s *memState) error {
		if err := s.actorsExist(sub.Target.ActorID); err != nil {
			return err
		}
		if _, ok := s.groupRows[sub.Target.GroupID]; sub.Target.GroupID != "" && !ok {
			return notFound("group", sub.Target.GroupID)
		}
		s.subs[sub.ID] = utc(*sub)
		return nil
	})
}

func (v *memView) GetSubscription(_ context.Context, id string) (*ical.Subscription, error) {
	sub, ok := v.read().subs[id]
	if !ok {
		return nil, notFound("subscription", id)
	}
	return &sub, nil
}

func (v *memView) ListSubscriptions(_ context.Context, owner string) ([]ical.Subscription, error) {
	var out []ical.Subscription
	for _, sub := range v.read().subs {
		if sub.Target.GroupID == owner || (sub.Target.GroupID == "" && sub.Target.ActorID == owner) {
			out = append(out, sub)
		}
	}
	if owner == "" {
		return nil, nil
	}
	slices.SortFunc(out, func(a, b ical.Subscription) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (v *memView) DeleteSubscription(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.subs[id]; !ok {
			return notFound("subscription", id)
		}
		delete(s.subs, id)
		return nil
	})
}

// ---- usage (federation/usage Store) --------------------------------

func (v *memView) CountLocalUsers(context.Context) (int, error) {
	n := 0
	for _, a := range v.read().accounts {
		if a.Confirmed && !a.Suspended {
			n++
		}
	}
	return n, nil
}

func (v *memView) CountActiveUsers(_ context.Context, since time.Time) (int, error) {
	s := v.read()
	active := map[string]bool{} // account ids
	for _, sess := range s.sessions {
		if !sess.LastUsedAt.Before(since) {
			active[sess.AccountID] = true
		}
	}
	byProfile := func(actorID string, created time.Time) {
		if r, ok := s.profiles[actorID]; ok && !created.Before(since) {
			active[r.accountID] = true
		}
	}
	for _, e := range s.events {
		if e.Local {
			byProfile(e.CreatorID, e.CreatedAt)
		}
	}
	for _, c := range s.comments {
		byProfile(c.AuthorID, c.CreatedAt)
	}
	for _, p := range s.participants {
		byProfile(p.ActorID, p.CreatedAt)
	}
	n := 0
	for id := range active {
		if a, ok := s.accounts[id]; ok && a.Confirmed && !a.Suspended {
			n++
		}
	}
	return n, nil
}

func countedEvent(e events.Event) bool {
	return !e.Draft && !e.Hidden && e.Visibility == events.Public
}

func (v *memView) CountLocalEvents(context.Context) (int, error) {
	n := 0
	for _, e := range v.read().events {
		if e.Local && countedEvent(e) {
			n++
		}
	}
	return n, nil
}

func (v *memView) CountLocalComments(context.Context) (int, error) {
	s := v.read()
	n := 0
	for _, c := range s.comments {
		a, local := s.actors[c.AuthorID]
		e, ok := s.events[c.EventID]
		if local && a.Local && ok && countedEvent(e) && c.State == events.CommentPublished {
			n++
		}
	}
	return n, nil
}

// ---- gone actors (identity.GoneStore) ------------------------------

func (v *memView) ActorsByInbox(_ context.Context, inbox string, limit int) ([]identity.Actor, error) {
	var out []identity.Actor
	if inbox == "" {
		return nil, nil
	}
	for _, a := range v.read().actors {
		if a.Inbox == inbox || a.SharedInbox == inbox {
			out = append(out, a)
		}
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (v *memView) MarkActorGone(ctx context.Context, actorID string, at time.Time) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.actors[actorID]; !ok {
			return notFound("actor", actorID)
		}
		if _, ok := s.gone[actorID]; !ok {
			s.gone[actorID] = at.UTC()
		}
		maps.DeleteFunc(s.follows, func(k [2]string, _ identity.Follow) bool {
			return k[0] == actorID || k[1] == actorID
		})
		return nil
	})
}

func (v *memView) ActorGoneAt(_ context.Context, actorID string) (time.Time, error) {
	at, ok := v.read().gone[actorID]
	if !ok {
		return time.Time{}, notFound("gone actor", actorID)
	}
	return at, nil
}

func (v *memView) PutRemoteGroup(ctx context.Context, g *groups.Group) error {
	return v.write(ctx, func(s *memState) error {
		a, ok := s.actors[g.ID]
		if !ok {
			return notFound("actor", g.ID)
		}
		if a.Local {
			return fmt.Errorf("memory: remote group: %s is local: %w", g.ID, storage.ErrConflict)
		}
		s.groupRows[g.ID] = groupRow{g.Openness, g.Visibility, copyPlace(g.Address)}
		return nil
	})
}

// ---- group content (groups.ContentStore) ------------------------------

// memContent holds the group content. Content of a deleted group, or of
// a deleted discussion, folder or list, stays in the maps but is never
// seen: live checks that its parents still exist, as the cascades of
// the SQL backends would have removed it.
type memContent struct {
	discussions map[string]groups.Discussion
	dcomments   map[string]groups.Comment
	reads       map[[2]string]groups.ReadMarker
	resources   map[string]groups.Resource
	posts       map[string]groups.Post
	lists       map[string]groups.TodoList
	todos       map[string]groups.Todo
}

func newMemContent() memContent {
	return memContent{discussions: map[string]groups.Discussion{}, dcomments: map[string]groups.Comment{},
		reads: map[[2]string]groups.ReadMarker{}, resources: map[string]groups.Resource{},
		posts: map[string]groups.Post{}, lists: map[string]groups.TodoList{}, todos: map[string]groups.Todo{}}
}

func (c memContent) clone() memContent {
	return memContent{discussions: maps.Clone(c.discussions), dcomments: maps.Clone(c.dcomments),
		reads: maps.Clone(c.reads), resources: maps.Clone(c.resources), posts: maps.Clone(c.posts),
		lists: maps.Clone(c.lists), todos: maps.Clone(c.todos)}
}

// liveGroup reports whether a group still exists.
func (s *memState) liveGroup(id string) bool { _, ok := s.groupRows[id]; return ok }

func (s *memState) liveDiscussion(id string) (groups.Discussion, bool) {
	d, ok := s.content.discussions[id]
	return d, ok && s.liveGroup(d.GroupID)
}

func (s *memState) liveResource(id string) (groups.Resource, bool) {
	r, ok := s.content.resources[id]
	for p, depth := r, 0; ok && depth < 100; depth++ {
		if !s.liveGroup(p.GroupID) {
			return r, false
		}
		if p.ParentID == "" {
			return r, true
		}
		p, ok = s.content.resources[p.ParentID]
	}
	return r, false
}

func (s *memState) liveList(id string) (groups.TodoList, bool) {
	l, ok := s.content.lists[id]
	return l, ok && s.liveGroup(l.GroupID)
}

// apTaken reports whether another row of m than id has apID.
func apTaken[T any](m map[string]T, id, apID string, key func(T) string) bool {
	if apID == "" {
		return false
	}
	for k, v := range m {
		if k != id && key(v) == apID {
			return true
		}
	}
	return false
}

// memGet returns a live row or ErrNotFound.
func memGet[T any](v *memView, what, id string, live func(s *memState, id string) (T, bool)) (*T, error) {
	x, ok := live(v.read(), id)
	if !ok {
		return nil, notFound(what, id)
	}
	return &x, nil
}

// memByAPID returns the live row with apID or ErrNotFound.
func memByAPID[T any](v *memView, what, apID string, m func(s *memState) map[string]T, key func(T) string, live func(s *memState, id string) (T, bool)) (*T, error) {
	s := v.read()
	for id, x := range m(s) {
		if apID != "" && key(x) == apID {
			if _, ok := live(s, id); ok {
				return &x, nil
			}
		}
	}
	return nil, notFound(what, apID)
}

// memCreate stores a new row after the checks.
func memCreate[T any](v *memView, ctx context.Context, what, id, apID string, row T, m func(s *memState) map[string]T, key func(T) string, parent func(s *memState) error) error {
	return v.write(ctx, func(s *memState) error {
		rows := m(s)
		if _, ok := rows[id]; ok {
			return conflict(what + " id")
		}
		if apTaken(rows, id, apID, key) {
			return conflict(what + " APID")
		}
		if err := parent(s); err != nil {
			return err
		}
		rows[id] = utc(row)
		return nil
	})
}

// memUpdate replaces a live row through fn(old) -> new.
func memUpdate[T any](v *memView, ctx context.Context, what, id, apID string, m func(s *memState) map[string]T, key func(T) string, live func(s *memState, id string) (T, bool), fn func(old T) T) error {
	return v.write(ctx, func(s *memState) error {
		old, ok := live(s, id)
		if !ok {
			return notFound(what, id)
		}
		rows := m(s)
		if apTaken(rows, id, apID, key) {
			return conflict(what + " APID")
		}
		rows[id] = utc(fn(old))
		return nil
	})
}

// memDelete deletes a live row.
func memDelete[T any](v *memView, ctx context.Context, what, id string, m func(s *memState) map[string]T, live func(s *memState, id string) (T, bool)) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := live(s, id); !ok {
			return notFound(what, id)
		}
		delete(m(s), id)
		return nil
	})
}

// memList pages the live rows that match.
func memList[T any](v *memView, m func(s *memState) map[string]T, live func(s *memState, id string) (T, bool), match func(T) bool, key func(T) (time.Time, string), after storage.Cursor, limit int) []T {
	s := v.read()
	var all []T
	for id, x := range m(s) {
		if _, ok := live(s, id); ok && match(x) {
			all = append(all, x)
		}
	}
	return page(all, key, after, limit)
}

func mDiscussions(s *memState) map[string]groups.Discussion { return s.content.discussions }
func mDComments(s *memState) map[string]groups.Comment      { return s.content.dcomments }
func mResources(s *memState) map[string]groups.Resource     { return s.content.resources }
func mPosts(s *memState) map[string]groups.Post             { return s.content.posts }
func mLists(s *memState) map[string]groups.TodoList         { return s.content.lists }
func mTodos(s *memState) map[string]groups.Todo             { return s.content.todos }

func (s *memState) liveDComment(id string) (groups.Comment, bool) {
	c, ok := s.content.dcomments[id]
	if !ok {
		return c, false
	}
	_, ok = s.liveDiscussion(c.DiscussionID)
	return c, ok
}

func (s *memState) livePost(id string) (groups.Post, bool) {
	p, ok := s.content.posts[id]
	return p, ok && s.liveGroup(p.GroupID)
}

func (s *memState) liveTodo(id string) (groups.Todo, bool) {
	t, ok := s.content.todos[id]
	if !ok {
		return t, false
	}
	_, ok = s.liveList(t.ListID)
	return t, ok
}

func lDiscussion(s *memState, id string) (groups.Discussion, bool) { return s.liveDiscussion(id) }
func lDComment(s *memState, id string) (groups.Comment, bool)      { return s.liveDComment(id) }
func lResource(s *memState, id string) (groups.Resource, bool)     { return s.liveResource(id) }
func lPost(s *memState, id string) (groups.Post, bool)             { return s.livePost(id) }
func lList(s *memState, id string) (groups.TodoList, bool)         { return s.liveList(id) }
func lTodo(s *memState, id string) (groups.Todo, bool)             { return s.liveTodo(id) }

func kDiscussion(d groups.Discussion) string { return d.APID }
func kDComment(c groups.Comment) string      { return c.APID }
func kResource(r groups.Resource) string     { return r.APID }
func kPost(p groups.Post) string             { return p.APID }
func kList(l groups.TodoList) string         { return l.APID }
func kTodo(t groups.Todo) string             { return t.APID }

func groupExists(id string) func(s *memState) error {
	return func(s *memState) error {
		if !s.liveGroup(id) {
			return notFound("group", id)
		}
		return nil
	}
}

func (v *memView) CreateDiscussion(ctx context.Context, d *groups.Discussion) error {
	return memCreate(v, ctx, "discussion", d.ID, d.APID, *d, mDiscussions, kDiscussion, groupExists(d.GroupID))
}

func (v *memView) UpdateDiscussion(ctx context.Context, d *groups.Discussion) error {
	return memUpdate(v, ctx, "discussion", d.ID, d.APID, mDiscussions, kDiscussion, lDiscussion, func(old groups.Discussion) groups.Discussion {
		n := *d
		n.GroupID, n.CreatedAt = old.GroupID, old.CreatedAt
		return n
	})
}

func (v *memView) GetDiscussion(_ context.Context, id string) (*groups.Discussion, error) {
	return memGet(v, "discussion", id, lDiscussion)
}

func (v *memView) GetDiscussionByAPID(_ context.Context, apID string) (*groups.Discussion, error) {
	return memByAPID(v, "discussion", apID, mDiscussions, kDiscussion, lDiscussion)
}

func (v *memView) DeleteDiscussion(ctx context.Context, id string) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.liveDiscussion(id); !ok {
			return notFound("discussion", id)
		}
		delete(s.content.discussions, id)
		maps.DeleteFunc(s.content.reads, func(k [2]string, _ groups.ReadMarker) bool { return k[0] == id })
		return nil
	})
}

func (v *memView) ListDiscussions(_ context.Context, groupID string, after storage.Cursor, limit int) ([]groups.Discussion, error) {
	return memList(v, mDiscussions, lDiscussion, func(d groups.Discussion) bool { return d.GroupID == groupID },
		func(d groups.Discussion) (time.Time, string) { return d.CreatedAt, d.ID }, after, limit), nil
}

func (v *memView) CreateDiscussionComment(ctx context.Context, c *groups.Comment) error {
	return memCreate(v, ctx, "discussion comment", c.ID, c.APID, *c, mDComments, kDComment, func(s *memState) error {
		if _, ok := s.liveDiscussion(c.DiscussionID); !ok {
			return notFound("discussion", c.DiscussionID)
		}
		return nil
	})
}

func (v *memView) UpdateDiscussionComment(ctx context.Context, c *groups.Comment) error {
	return memUpdate(v, ctx, "discussion comment", c.ID, c.APID, mDComments, kDComment, lDComment, func(old groups.Comment) groups.Comment {
		old.APID, old.Text, old.UpdatedAt = c.APID, c.Text, c.UpdatedAt
		return old
	})
}

func (v *memView) SetDiscussionCommentHidden(ctx context.Context, id string, hidden bool) error {
	return v.write(ctx, func(s *memState) error {
		c, ok := s.liveDComment(id)
		if !ok {
			return notFound("discussion comment", id)
		}
		c.Hidden = hidden
		s.content.dcomments[id] = c
		return nil
	})
}

func (v *memView) GetDiscussionComment(_ context.Context, id string) (*groups.Comment, error) {
	return memGet(v, "discussion comment", id, lDComment)
}

func (v *memView) GetDiscussionCommentByAPID(_ context.Context, apID string) (*groups.Comment, error) {
	return memByAPID(v, "discussion comment", apID, mDComments, kDComment, lDComment)
}

func (v *memView) DeleteDiscussionComment(ctx context.Context, id string) error {
	return memDelete(v, ctx, "discussion comment", id, mDComments, lDComment)
}

func (v *memView) ListDiscussionComments(_ context.Context, discussionID string, after storage.Cursor, limit int) ([]groups.Comment, error) {
	return memList(v, mDComments, lDComment, func(c groups.Comment) bool { return c.DiscussionID == discussionID },
		func(c groups.Comment) (time.Time, string) { return c.CreatedAt, c.ID }, after, limit), nil
}

func (v *memView) PutReadMarker(ctx context.Context, m groups.ReadMarker) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.liveDiscussion(m.DiscussionID); !ok {
			return notFound("discussion", m.DiscussionID)
		}
		if err := s.actorsExist(m.ActorID); err != nil {
			return err
		}
		s.content.reads[[2]string{m.DiscussionID, m.ActorID}] = utc(m)
		return nil
	})
}

func (v *memView) GetReadMarker(_ context.Context, discussionID, actorID string) (*groups.ReadMarker, error) {
	s := v.read()
	m, ok := s.content.reads[[2]string{discussionID, actorID}]
	if _, live := s.liveDiscussion(discussionID); !ok || !live {
		return nil, notFound("read marker", actorID)
	}
	if _, ok := s.actors[actorID]; !ok {
		return nil, notFound("read marker", actorID)
	}
	return &m, nil
}

func (v *memView) CreateResource(ctx context.Context, r *groups.Resource) error {
	return memCreate(v, ctx, "resource", r.ID, r.APID, *r, mResources, kResource, func(s *memState) error {
		if !s.liveGroup(r.GroupID) {
			return notFound("group", r.GroupID)
		}
		if _, ok := s.liveResource(r.ParentID); r.ParentID != "" && !ok {
			return notFound("resource", r.ParentID)
		}
		return nil
	})
}

func (v *memView) UpdateResource(ctx context.Context, r *groups.Resource) error {
	return v.write(ctx, func(s *memState) error {
		old, ok := s.liveResource(r.ID)
		if !ok {
			return notFound("resource", r.ID)
		}
		if _, ok := s.liveResource(r.ParentID); r.ParentID != "" && !ok {
			return notFound("resource", r.ParentID)
		}
		if apTaken(s.content.resources, r.ID, r.APID, kResource) {
			return conflict("resource APID")
		}
		n := *r
		n.GroupID, n.Kind, n.CreatedAt = old.GroupID, old.Kind, old.CreatedAt
		s.content.resources[r.ID] = utc(n)
		return nil
	})
}

func (v *memView) GetResource(_ context.Context, id string) (*groups.Resource, error) {
	return memGet(v, "resource", id, lResource)
}

func (v *memView) GetResourceByAPID(_ context.Context, apID string) (*groups.Resource, error) {
	return memByAPID(v, "resource", apID, mResources, kResource, lResource)
}

func (v *memView) DeleteResource(ctx context.Context, id string) error {
	return memDelete(v, ctx, "resource", id, mResources, lResource)
}

func (v *memView) ListResources(_ context.Context, groupID, parentID string, after storage.Cursor, limit int) ([]groups.Resource, error) {
	return memList(v, mResources, lResource, func(r groups.Resource) bool { return r.GroupID == groupID && r.ParentID == parentID },
		func(r groups.Resource) (time.Time, string) { return r.CreatedAt, r.ID }, after, limit), nil
}

func (v *memView) CountResources(ctx context.Context, groupID, parentID string) (int, error) {
	rs, err := v.ListResources(ctx, groupID, parentID, storage.Cursor{}, 0)
	return len(rs), err
}

func (v *memView) CreatePost(ctx context.Context, p *groups.Post) error {
	return memCreate(v, ctx, "post", p.ID, p.APID, *p, mPosts, kPost, groupExists(p.GroupID))
}

func (v *memView) UpdatePost(ctx context.Context, p *groups.Post) error {
	return memUpdate(v, ctx, "post", p.ID, p.APID, mPosts, kPost, lPost, func(old groups.Post) groups.Post {
		n := *p
		n.GroupID, n.CreatedAt = old.GroupID, old.CreatedAt
		return n
	})
}

func (v *memView) GetPost(_ context.Context, id string) (*groups.Post, error) {
	return memGet(v, "post", id, lPost)
}

func (v *memView) GetPostByAPID(_ context.Context, apID string) (*groups.Post, error) {
	return memByAPID(v, "post", apID, mPosts, kPost, lPost)
}

func (v *memView) DeletePost(ctx context.Context, id string) error {
	return memDelete(v, ctx, "post", id, mPosts, lPost)
}

func (v *memView) ListPosts(_ context.Context, q groups.PostQuery, after storage.Cursor, limit int) ([]groups.Post, error) {
	return memList(v, mPosts, lPost, func(p groups.Post) bool {
		return p.GroupID == q.GroupID && oneOf(p.Visibility, q.Visibilities) && (q.Drafts || !p.Draft)
	}, func(p groups.Post) (time.Time, string) { return p.CreatedAt, p.ID }, after, limit), nil
}

func (v *memView) CreateTodoList(ctx context.Context, l *groups.TodoList) error {
	return memCreate(v, ctx, "todo list", l.ID, l.APID, *l, mLists, kList, groupExists(l.GroupID))
}

func (v *memView) UpdateTodoList(ctx context.Context, l *groups.TodoList) error {
	return memUpdate(v, ctx, "todo list", l.ID, l.APID, mLists, kList, lList, func(old groups.TodoList) groups.TodoList {
		old.APID, old.Title, old.UpdatedAt = l.APID, l.Title, l.UpdatedAt
		return old
	})
}

func (v *memView) GetTodoList(_ context.Context, id string) (*groups.TodoList, error) {
	return memGet(v, "todo list", id, lList)
}

func (v *memView) GetTodoListByAPID(_ context.Context, apID string) (*groups.TodoList, error) {
	return memByAPID(v, "todo list", apID, mLists, kList, lList)
}

func (v *memView) DeleteTodoList(ctx context.Context, id string) error {
	return memDelete(v, ctx, "todo list", id, mLists, lList)
}

func (v *memView) ListTodoLists(_ context.Context, groupID string, after storage.Cursor, limit int) ([]groups.TodoList, error) {
	return memList(v, mLists, lList, func(l groups.TodoList) bool { return l.GroupID == groupID },
		func(l groups.TodoList) (time.Time, string) { return l.CreatedAt, l.ID }, after, limit), nil
}

func (v *memView) CreateTodo(ctx context.Context, t *groups.Todo) error {
	return memCreate(v, ctx, "todo", t.ID, t.APID, *t, mTodos, kTodo, func(s *memState) error {
		if _, ok := s.liveList(t.ListID); !ok {
			return notFound("todo list", t.ListID)
		}
		return nil
	})
}

func (v *memView) UpdateTodo(ctx context.Context, t *groups.Todo) error {
	return memUpdate(v, ctx, "todo", t.ID, t.APID, mTodos, kTodo, lTodo, func(old groups.Todo) groups.Todo {
		n := *t
		n.ListID, n.GroupID, n.CreatedAt = old.ListID, old.GroupID, old.CreatedAt
		return n
	})
}

func (v *memView) GetTodo(_ context.Context, id string) (*groups.Todo, error) {
	return memGet(v, "todo", id, lTodo)
}

func (v *memView) GetTodoByAPID(_ context.Context, apID string) (*groups.Todo, error) {
	return memByAPID(v, "todo", apID, mTodos, kTodo, lTodo)
}

func (v *memView) DeleteTodo(ctx context.Context, id string) error {
	return memDelete(v, ctx, "todo", id, mTodos, lTodo)
}

func (v *memView) ListTodos(_ context.Context, listID string, after storage.Cursor, limit int) ([]groups.Todo, error) {
	return memList(v, mTodos, lTodo, func(t groups.Todo) bool { return t.ListID == listID },
		func(t groups.Todo) (time.Time, string) { return t.CreatedAt, t.ID }, after, limit), nil
}

func (v *memView) CountTodos(ctx context.Context, listID string) (int, error) {
	ts, err := v.ListTodos(ctx, listID, storage.Cursor{}, 0)
	return len(ts), err
}

// ---- suspended actors (identity.SuspensionStore) -----------------------

func (v *memView) SetActorSuspended(ctx context.Context, actorID string, suspended bool, at time.Time) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.actors[actorID]; !ok {
			return notFound("actor", actorID)
		}
		if !suspended {
			delete(s.suspended, actorID)
			return nil
		}
		if _, ok := s.suspended[actorID]; !ok {
			s.suspended[actorID] = at.UTC()
		}
		return nil
	})
}

func (v *memView) ActorSuspendedAt(_ context.Context, actorID string) (time.Time, error) {
	at, ok := v.read().suspended[actorID]
	if !ok {
		return time.Time{}, notFound("suspended actor", actorID)
	}
	return at, nil
}

// ---- accounts awaiting approval (identity.ApprovalStore) -----------------

func (v *memView) HoldAccount(ctx context.Context, accountID string, at time.Time) error {
	return v.write(ctx, func(s *memState) error {
		if _, ok := s.accounts[accountID]; !ok {
			return notFound("account", accountID)
		}
		if _, ok := s.held[accountID]; !ok {
			s.held[accountID] = at.UTC()
		}
		return nil
	})
}

func (v *memView) ReleaseAccount(ctx context.Context, accountID string) error {
	return v.write(ctx, func(s *memState) error {
		delete(s.held, accountID)
		return nil
	})
}

func (v *memView) AccountHeldAt(_ context.Context, accountID string) (time.Time, error) {
	at, ok := v.read().held[accountID]
	if !ok {
		return time.Time{}, notFound("held account", accountID)
	}
	return at, nil
}

func (v *memView) HeldAccounts(_ context.Context, limit int) ([]string, error) {
	held := v.read().held
	ids := slices.Collect(maps.Keys(held))
	slices.SortFunc(ids, func(a, b string) int {
		if c := held[a].Compare(held[b]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	if len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// ---- the directory (identity.DirectoryStore) ------------------------------

func (v *memView) ListAccounts(_ context.Context, after storage.Cursor, limit int) ([]identity.Account, error) {
	var out []identity.Account
	for _, a := range v.read().accounts {
		if after.IsZero() || a.CreatedAt.After(after.At) || (a.CreatedAt.Equal(after.At) && a.ID > after.ID) {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b identity.Account) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

func (v *memView) KnownHosts(_ context.Context, limit int) ([]identity.HostCount, error) {
	counts := map[string]int{}
	for _, a := range v.read().actors {
		if !a.Local {
			counts[a.Domain]++
		}
	}
	out := make([]identity.HostCount, 0, len(counts))
	for h, n := range counts {
		out = append(out, identity.HostCount{Host: h, Actors: n})
	}
	slices.SortFunc(out, func(a, b identity.HostCount) int {
		if a.Actors != b.Actors {
			return b.Actors - a.Actors
		}
		return strings.Compare(a.Host, b.Host)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
