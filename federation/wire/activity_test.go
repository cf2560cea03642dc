package wire_test

import (
	"crypto"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

const (
	base    = "https://convene.example"
	alice   = base + "/@alice"
	climate = base + "/@climate"
	bob     = "https://other.example/@bob"
	carol   = "https://other.example/@carol"
	eventID = base + "/events/6f1a3c1e-8f5e-4a43-9f4e-2d1b7c9a0e11"
)

var at = time.Date(2025, 4, 10, 12, 0, 0, 0, time.UTC)

func participation() wire.Participation {
	return wire.Participation{ID: base + "/join/event/3c1e", Participant: bob, Event: eventID, Organizer: climate,
		Message: "Can I bring a friend?", Followers: climate + "/followers", Members: climate + "/members"}
}

func membership(role groups.Role) wire.Membership {
	return wire.Membership{ID: base + "/member/9d2f", Member: bob, Group: climate, Role: role}
}

func followView() wire.FollowView {
	return wire.FollowView{ID: base + "/follow/77", Follower: alice, Followed: "https://other.example/@climate"}
}

func activityCases(t *testing.T) []struct {
	name string
	a    wire.Object
} {
	t.Helper()
	create, err := wire.Marshal(wire.CreateEvent(fullView()))
	require.NoError(t, err)
	comment := wire.CommentNote(wire.CommentView{
		Comment: events.Comment{ID: "c1", APID: base + "/comments/c1", URL: base + "/comments/c1", Text: "<p>See you there</p>",
			CreatedAt: at, UpdatedAt: at},
		Author: bob, Event: eventID, Organizer: climate, Members: climate + "/members", Public: true,
	})
	reply := wire.CommentNote(wire.CommentView{
		Comment: events.Comment{ID: "c2", APID: base + "/comments/c2", Text: "<p>Me too</p>", CreatedAt: at},
		Author:  alice, Event: eventID, Parent: base + "/comments/c1", ParentAuthor: bob, Organizer: climate, Public: true,
	})
	to, cc := wire.PostAudience(events.Public, false, climate+"/members", climate+"/followers")
	return []struct {
		name string
		a    wire.Object
	}{
		{"update-event", wire.UpdateEvent(fullView())},
		{"delete-event", wire.Delete(wire.Tombstone{ID: eventID, FormerType: "Event", Deleted: at}, alice,
			[]string{wire.PublicIRI}, []string{climate + "/followers"})},
		{"join-event", wire.JoinEvent(participation())},
		{"accept-join-event", wire.AcceptJoin(participation(), base+"/accept/join/3c1e", alice)},
		{"reject-join-event", wire.RejectJoin(participation(), base+"/reject/join/3c1e", alice)},
		{"leave-event", wire.LeaveEvent(participation(), base+"/leave/event/3c1e")},
		{"ignore-join", wire.IgnoreJoin(base+"/ignore/1", climate, "https://other.example/join/1", bob)},
		{"join-group", wire.JoinGroup(membership(groups.RoleNotApproved))},
		{"accept-group-join-by-group", wire.AcceptGroupJoin(membership(groups.RoleMember), base+"/accept/join/9d2f", climate)},
		{"accept-group-join-by-moderator", wire.AcceptGroupJoin(membership(groups.RoleMember), base+"/accept/member/9d2f", alice)},
		{"reject-group-join", wire.RejectGroupJoin(membership(groups.RoleRejected), base+"/reject/member/9d2f", alice)},
		{"invite-to-group", wire.InviteToGroup(membership(groups.RoleInvited), alice)},
		{"accept-invite", wire.AcceptInvite(membership(groups.RoleMember), base+"/accept/invite/member/9d2f", alice)},
		{"reject-invite", wire.RejectInvite(membership(groups.RoleRejected), base+"/reject/invite/member/9d2f", alice)},
		{"update-member", wire.UpdateMember(membership(groups.RoleModerator), base+"/member/9d2f/roles/1", alice)},
		{"remove-member", wire.RemoveMember(membership(groups.RoleMember), base+"/member/9d2f/remove", alice)},
		{"leave-group", wire.LeaveGroup(membership(groups.RoleMember), base+"/member/9d2f/leave")},
		{"follow", wire.Follow(followView())},
		{"accept-follow", wire.AcceptFollow(followView(), "https://other.example/accept/follow/77")},
		{"reject-follow", wire.RejectFollow(followView(), "https://other.example/reject/follow/77")},
		{"undo-follow", wire.UndoFollow(followView(), base+"/unfollow/77/activity")},
		{"announce-public", wire.Announce(base+"/announces/1", climate, create, alice, true, climate+"/followers", climate+"/members")},
		{"announce-members", wire.Announce(base+"/announces/2", climate, create, alice, false, climate+"/followers", climate+"/members")},
		{"flag", wire.Flag(base+"/report/1", base+"/actor", "https://other.example/@spammer", "Spam",
			[]string{"https://other.example/comments/1"})},
		{"create-comment", wire.Activity{Type: wire.TypeCreate, ID: comment.ID + "/activity", Actor: bob, Object: comment,
			To: comment.To, CC: comment.CC, Published: at}},
		{"note-reply", reply},
		{"create-discussion", wire.Activity{Type: wire.TypeCreate, ID: climate + "/c/budget-2025/activity", Actor: alice,
			Object: wire.Note{ID: climate + "/c/budget-2025", Name: "Budget 2025", Content: "<p>First message</p>", Actor: alice,
				AttributedTo: climate, Context: climate + "/c/budget-2025", Audience: climate, To: []string{climate + "/members"}, Published: at},
			To: []string{climate + "/members"}, Published: at}},
		{"create-article", wire.Activity{Type: wire.TypeCreate, ID: base + "/p/ab12-first/activity", Actor: alice,
			Object: wire.Article{ID: base + "/p/ab12-first", Name: "Our first post", Content: "<p>Hello</p>", Actor: alice,
				AttributedTo: climate, Banner: base + "/media/b.webp", To: to, CC: cc, Published: at},
			To: to, CC: cc, Published: at}},
		{"create-resource", wire.Activity{Type: wire.TypeCreate, ID: base + "/resource/r1/activity", Actor: alice,
			Object: wire.Resource{ID: base + "/resource/r1", Name: "Meeting pad", Summary: "Notes", URL: "https://pad.example/p/abc",
				Actor: alice, AttributedTo: climate, Context: climate + "/resources", To: []string{climate + "/members"}, Published: at},
			To: []string{climate + "/members"}, Published: at}},
		{"add-resource-to-folder", wire.Activity{Type: wire.TypeAdd, ID: base + "/resource/r2/add", Actor: alice,
			Object: wire.Resource{ID: base + "/resource/r2", Folder: true, Name: "Archive", Actor: alice, AttributedTo: climate,
				Context: base + "/resource/r1", To: []string{climate + "/members"}, Published: at},
			Target: base + "/resource/r1", To: []string{climate + "/members"}, Published: at}},
		{"create-private-message", wire.CreatePrivateNote(wire.PrivateNote(wire.PrivateView{ID: base + "/conversations/k1/messages/m1",
			Author: alice, Content: "<p>Is the hall step-free?</p>", Event: "https://other.example/events/1",
			Context: base + "/conversations/k1", Recipients: []string{bob, carol}, Handles: []string{"@bob@other.example"},
			Published: at}))},
		{"create-todo-list", wire.Activity{Type: wire.TypeCreate, ID: base + "/todo-list/l1/activity", Actor: alice,
			Object: wire.TodoList{ID: base + "/todo-list/l1", Group: climate, Name: "Festival prep", To: []string{climate + "/members"}, Published: at},
			To:     []string{climate + "/members"}, Published: at}},
		{"create-todo", wire.Activity{Type: wire.TypeCreate, ID: base + "/todo/t1/activity", Actor: alice,
			Object: wire.Todo{ID: base + "/todo/t1", Actor: alice, Group: climate, Name: "Book hall", TodoList: base + "/todo-list/l1",
				To: []string{climate + "/members"}, Published: at},
			To: []string{climate + "/members"}, Published: at}},
		{"members-collection", wire.Collection{ID: climate + "/members", AttributedTo: climate, TotalItems: 2,
			FirstPage: &wire.CollectionPage{Collection: climate + "/members", AttributedTo: climate, Page: 1, TotalItems: 2,
				Items: []wire.Object{membership(groups.RoleAdministrator), wire.Membership{ID: base + "/member/x", Member: carol, Group: climate, Role: groups.RoleMember}}}}},
		{"outbox-page", wire.CollectionPage{Collection: alice + "/outbox", Page: 2, TotalItems: 25, HasNext: true,
			ItemIRIs: []string{eventID + "/activity"}}},
		{"followers-collection", wire.Collection{ID: alice + "/followers", TotalItems: 25, First: alice + "/followers?page=1"}},
		{"tombstone", wire.Tombstone{ID: eventID, FormerType: "Event", Deleted: at}},
	}
}

func TestActivityGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range activityCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			b, err := wire.Marshal(tc.a)
			require.NoError(t, err)
			golden(t, tc.name, b)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			assert.NotContains(t, m, "bto")
			assert.NotContains(t, m, "bcc")
		})
	}
}

// Every activity emitted parses back into the same activity.
func TestActivityRoundTrip(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	for _, tc := range activityCases(t) {
		a, ok := tc.a.(wire.Activity)
		if !ok {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			b, err := wire.Marshal(a)
			require.NoError(t, err)
			got, err := p.ParseActivity(b)
			require.NoError(t, err)
			assert.Equal(t, a.Type, got.Type)
			assert.Equal(t, a.ID, got.ID)
			assert.Equal(t, a.Actor, got.Actor)
			assert.Equal(t, a.AttributedTo, got.AttributedTo)
			assert.Equal(t, a.Target, got.Target)
			assert.Equal(t, a.Origin, got.Origin)
			assert.Equal(t, nilIfEmpty(a.To), got.To)
			assert.Equal(t, nilIfEmpty(a.CC), got.CC)
			assert.Equal(t, a.ParticipationMessage, got.ParticipationMessage)
			assert.Equal(t, a.Content, got.Content)
			switch {
			case a.ObjectIRI != "":
				assert.Equal(t, a.ObjectIRI, got.ObjectIRI)
			case len(a.ObjectIRIs) > 0:
				assert.Equal(t, a.ObjectIRIs, got.ObjectIRIs)
			default:
				assert.NotEmpty(t, got.ObjectIRI)
				assert.NotEmpty(t, got.RawObject)
			}
		})
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

func TestEmbeddedObjectsParse(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	parse := func(o wire.Object) *wire.ParsedActivity {
		b, err := wire.Marshal(o)
		require.NoError(t, err)
		a, err := p.ParseActivity(b)
		require.NoError(t, err)
		return a
	}

	acc := parse(wire.AcceptJoin(participation(), base+"/accept/join/3c1e", alice))
	require.NotNil(t, acc.Activity)
	assert.Equal(t, wire.TypeJoin, acc.Activity.Type)
	assert.Equal(t, bob, acc.Activity.Actor)
	assert.Equal(t, eventID, acc.Activity.ObjectIRI)
	assert.Equal(t, "Can I bring a friend?", acc.Activity.ParticipationMessage)
	assert.Equal(t, climate, acc.AttributedTo)

	mem := parse(wire.UpdateMember(membership(groups.RoleModerator), base+"/member/9d2f/roles/1", alice))
	require.NotNil(t, mem.Object)
	assert.Equal(t, "Member", mem.Object.Type)
	assert.Equal(t, bob, mem.Object.Actor)
	assert.Equal(t, climate, mem.Object.Object)
	assert.Equal(t, "moderator", mem.Object.Role)

	del := parse(wire.Delete(wire.Tombstone{ID: eventID, FormerType: "Event", Deleted: at}, alice, []string{wire.PublicIRI}, nil))
	require.NotNil(t, del.Object)
	assert.Equal(t, "Tombstone", del.Object.Type)
	assert.Equal(t, "Event", del.Object.FormerType)
	assert.Equal(t, at, del.Object.Deleted)
	assert.Equal(t, eventID, del.ObjectIRI)

	undo := parse(wire.UndoFollow(followView(), base+"/unfollow/77/activity"))
	require.NotNil(t, undo.Activity)
	assert.Equal(t, wire.TypeFollow, undo.Activity.Type)
	assert.Equal(t, followView().ID, undo.ObjectIRI)

	ann := parse(wire.Announce(base+"/announces/1", climate, mustMarshal(t, wire.CreateEvent(fullView())), alice, true, climate+"/followers", ""))
	require.NotNil(t, ann.Activity)
	require.NotNil(t, ann.Activity.Event)
	assert.Equal(t, "Repair café \"2024\"", ann.Activity.Event.Event.Title)

	todo := parse(wire.Activity{Type: wire.TypeUpdate, ID: base + "/todo/t1/u", Actor: alice,
		Object: wire.Todo{ID: base + "/todo/t1", Actor: alice, Group: climate, Name: "Book hall", Done: true, TodoList: base + "/todo-list/l1"}})
	require.NotNil(t, todo.Object)
	require.NotNil(t, todo.Object.Done)
	assert.True(t, *todo.Object.Done)
	assert.Equal(t, base+"/todo-list/l1", todo.Object.TodoList)
}

func mustMarshal(t *testing.T, o wire.Object) []byte {
	t.Helper()
	b, err := wire.Marshal(o)
	require.NoError(t, err)
	return b
}

func TestActivityRefusesIncomplete(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]wire.Object{
		"no actor":       wire.Activity{Type: wire.TypeFollow, ID: "https://a.example/f", ObjectIRI: "https://b.example/@g"},
		"no id":          wire.Activity{Type: wire.TypeFollow, Actor: "https://a.example/@a", ObjectIRI: "https://b.example/@g"},
		"no object":      wire.Activity{Type: wire.TypeFollow, ID: "https://a.example/f", Actor: "https://a.example/@a"},
		"bad raw":        wire.Activity{Type: wire.TypeAnnounce, ID: "https://a.example/f", Actor: "https://a.example/@a", Raw: []byte(`{"a":`)},
		"member no id":   wire.Membership{Member: bob, Group: climate},
		"tombstone":      wire.Tombstone{},
		"note no actor":  wire.Note{ID: "https://a.example/n"},
		"page no number": wire.CollectionPage{Collection: "https://a.example/c"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := wire.Marshal(o)
			require.ErrorIs(t, err, wire.ErrInvalid)
		})
	}
}

func actorCases(t *testing.T) []struct {
	name string
	o    wire.Object
} {
	spki := keyPEM(t, "key-spki.pem")
	pkcs1 := keyPEM(t, "key-pkcs1.pem")
	person := identity.Actor{APID: alice, Type: identity.TypePerson, Local: true, Username: "alice", Domain: "convene.example",
		DisplayName: "Alice \"Al\" Martin", Summary: "<p>Fixes things</p>", AvatarURL: base + "/media/alice.jpg",
		URL: alice, Inbox: alice + "/inbox", SharedInbox: base + "/inbox", Outbox: alice + "/outbox",
		Followers: alice + "/followers", Following: alice + "/following", PublicKeyID: alice + "#main-key", PublicKeyPEM: pkcs1,
		Discoverable: true, CreatedAt: at}
	app := identity.Actor{APID: base + "/actor", Type: identity.TypeApplication, Local: true, Username: "convene.example",
		Domain: "convene.example", URL: base + "/about", Inbox: base + "/actor/inbox", SharedInbox: base + "/inbox",
		Outbox: base + "/actor/outbox", PublicKeyPEM: spki, ManuallyApprovesFollowers: true}
	group := groups.Group{Actor: identity.Actor{APID: climate, Type: identity.TypeGroup, Local: true, Username: "climate",
		Domain: "convene.example", DisplayName: "Climate Lyon", Summary: "<p>We act</p>", BannerURL: base + "/media/c.png",
		URL: climate, Inbox: climate + "/inbox", SharedInbox: base + "/inbox", Outbox: climate + "/outbox",
		Followers: climate + "/followers", Following: climate + "/following", PublicKeyPEM: spki, Discoverable: true, CreatedAt: at},
		Openness: groups.Moderated, Visibility: groups.Public,
		Address: &geo.Place{Locality: "Lyon", Country: "France", Latitude: f64(45.75), Longitude: f64(4.84)}}
	return []struct {
		name string
		o    wire.Object
	}{
		{"person", wire.PersonView{Actor: person}},
		{"application", wire.PersonView{Actor: app}},
		{"group", wire.GroupView{Group: group, MemberCount: 15}},
	}
}

func TestActorGoldenAndRoundTrip(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	for _, tc := range actorCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			b, err := wire.Marshal(tc.o)
			require.NoError(t, err)
			golden(t, "actor-"+tc.name, b)
			pa, err := p.ParseActor(b)
			require.NoError(t, err)

			var want identity.Actor
			switch v := tc.o.(type) {
			case wire.PersonView:
				want = v.Actor
			case wire.GroupView:
				want = v.Group.Actor
				g := pa.Group()
				assert.Equal(t, v.Group.Openness, g.Openness)
				assert.Equal(t, v.Group.Visibility, g.Visibility)
				assert.Equal(t, v.Group.Address, g.Address)
				require.NotNil(t, pa.MemberCount)
				assert.Equal(t, v.MemberCount, *pa.MemberCount)
				assert.Equal(t, climate+"/members", pa.Members)
				assert.Equal(t, climate+"/discussions", pa.Discussions)
			}
			// Keys go out as SPKI whatever they are stored as.
			assert.Contains(t, pa.Actor.PublicKeyPEM, "-----BEGIN PUBLIC KEY-----")
			k1, err := wire.ParsePublicKeyPEM(want.PublicKeyPEM)
			require.NoError(t, err)
			k2, err := wire.ParsePublicKeyPEM(pa.Actor.PublicKeyPEM)
			require.NoError(t, err)
			assert.True(t, k1.(interface{ Equal(crypto.PublicKey) bool }).Equal(k2))
			if want.PublicKeyID == "" {
				want.PublicKeyID = want.APID + "#main-key"
			}
			want.PublicKeyPEM = pa.Actor.PublicKeyPEM
			want.Local, want.CreatedAt = false, pa.Actor.CreatedAt
			assert.Equal(t, want, pa.Actor)
			assert.Equal(t, want.APID, pa.KeyOwner)
			assert.Empty(t, pa.Extra)
		})
	}
}

// Notes, articles, resources and todos come back with their fields.
func TestObjectRoundTrip(t *testing.T) {
	t.Parallel()
	p := testParser(t)
	for _, tc := range activityCases(t) {
		var (
			typ, id, name, content, attributed, inReplyTo, context string
			to                                                     []string
		)
		switch o := tc.a.(type) {
		case wire.Note:
			typ, id, content, attributed, inReplyTo, to = "Note", o.ID, o.Content, o.AttributedTo, o.InReplyTo, o.To
		case wire.Activity:
			switch x := o.Object.(type) {
			case wire.Note:
				typ, id, name, content, attributed, inReplyTo, context, to = "Note", x.ID, x.Name, x.Content, x.AttributedTo, x.InReplyTo, x.Context, x.To
			case wire.Article:
				typ, id, name, content, attributed, to = "Article", x.ID, x.Name, x.Content, x.AttributedTo, x.To
			case wire.Resource:
				typ, id, name, attributed, context, to = "Document", x.ID, x.Name, x.AttributedTo, x.Context, x.To
				if x.Folder {
					typ = "ResourceCollection"
				}
			case wire.TodoList:
				typ, id, name, to = "TodoList", x.ID, x.Name, x.To
			case wire.Todo:
				typ, id, name, attributed, to = "Todo", x.ID, x.Name, x.Group, x.To
			default:
				continue
			}
		default:
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			b, err := wire.Marshal(tc.a)
			require.NoError(t, err)
			var o *wire.ParsedObject
			if _, ok := tc.a.(wire.Activity); ok {
				a, err := p.ParseActivity(b)
				require.NoError(t, err)
				o = a.Object
			} else {
				o, err = p.ParseObject(b)
				require.NoError(t, err)
			}
			require.NotNil(t, o)
			assert.Equal(t, typ, o.Type)
			assert.Equal(t, id, o.ID)
			assert.Equal(t, name, o.Name)
			assert.Equal(t, content, o.Content)
			assert.Equal(t, attributed, o.AttributedTo)
			assert.Equal(t, inReplyTo, o.InReplyTo)
			assert.Equal(t, context, o.Context)
			assert.Equal(t, to, o.To)
			assert.Equal(t, at, o.Published)
		})
	}
}
