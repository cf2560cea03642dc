package outbox_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// contentWorld is a world with a local open group (alice creates it),
// r1 and r3 as remote members and r2 as a remote follower.
func contentWorld(t *testing.T) (*world, *groups.Group) {
	t.Helper()
	w := newWorld(t)
	g, err := w.inst.Groups.Create(w.ctx, w.alice.ID, groups.CreateInput{Username: "walkers", Openness: groups.Open})
	require.NoError(t, err)
	for _, r := range []*identity.Actor{w.r1, w.r3} {
		_, err := w.inst.Groups.Join(w.ctx, g.ID, r.ID, r.APID+"/join")
		require.NoError(t, err)
	}
	w.follow(g.ID, w.r2)
	w.drain()
	return w, g
}

var membersInboxes = []string{"https://a.example/inbox", "https://b.example/users/r3/inbox"}

// Every content change of a local member goes to the remote members,
// by the member, attributed to the group, addressed to its members.
func TestGroupContentGoesToRemoteMembers(t *testing.T) {
	t.Parallel()
	w, g := contentWorld(t)
	members := g.APID + "/members"
	ctx, svc, alice := w.ctx, w.inst.Groups, w.alice.ID

	d, _, err := svc.CreateDiscussion(ctx, alice, g.ID, groups.DiscussionInput{Title: "Route", Text: "<p>Where?</p>"})
	require.NoError(t, err)
	folder, err := svc.CreateResource(ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourceFolder, Title: "Tools"})
	require.NoError(t, err)
	w.drain()

	type step struct {
		name             string
		do               func() error
		typ, objType, id string
		check            func(t *testing.T, a *wire.ParsedActivity)
	}
	var c *groups.Comment
	var pad *groups.Resource
	var list *groups.TodoList
	steps := []step{
		{name: "reply", do: func() (err error) {
			c, err = svc.Reply(ctx, alice, d.ID, groups.CommentInput{Text: "<p>The coast</p>"})
			return err
		}, typ: wire.TypeCreate, objType: "Note", check: func(t *testing.T, a *wire.ParsedActivity) {
			assert.Equal(t, d.APID, a.Object.Context)
			assert.Equal(t, d.APID, a.Object.InReplyTo)
			assert.Empty(t, a.Object.Name)
		}},
		{name: "rename", do: func() error {
			_, err := svc.RenameDiscussion(ctx, alice, d.ID, "Route 2")
			return err
		}, typ: wire.TypeUpdate, objType: "Note", check: func(t *testing.T, a *wire.ParsedActivity) {
			assert.Equal(t, "Route 2", a.Object.Name)
			assert.Equal(t, "<p>Where?</p>", a.Object.Content, "the first message is the content")
		}},
		{name: "edit the reply", do: func() error {
			_, err := svc.EditComment(ctx, alice, c.ID, "<p>The north coast</p>")
			return err
		}, typ: wire.TypeUpdate, objType: "Note", check: func(t *testing.T, a *wire.ParsedActivity) {
			assert.Equal(t, c.APID, a.ObjectIRI)
		}},
		{name: "pad into a folder", do: func() (err error) {
			pad, err = svc.CreateResource(ctx, alice, g.ID, groups.ResourceInput{Kind: groups.ResourcePad, Title: "Notes",
				URL: "https://pad.example/p/1", ParentID: folder.ID})
			return err
		}, typ: wire.TypeAdd, objType: "Document", check: func(t *testing.T, a *wire.ParsedActivity) {
			assert.Equal(t, folder.APID, a.Target)
			assert.Equal(t, folder.APID, a.Object.Context)
		}},
		{name: "move it to the root", do: func() error {
			_, err := svc.MoveResource(ctx, alice, pad.ID, "")
			return err
		}, typ: wire.TypeMove, objType: "Document", check: func(t *testing.T, a *wire.ParsedActivity) {
			assert.Equal(t, folder.APID, a.Origin)
			assert.Equal(t, g.APID+"/resources", a.Target)
		}},
		{name: "todo list", do: func() (err error) {
			list, err = svc.CreateTodoList(ctx, alice, g.ID, groups.TodoListInput{Title: "Prep"})
			return err
		}, typ: wire.TypeCreate, objType: "TodoList"},
		{name: "todo", do: func() error {
			_, err := svc.CreateTodo(ctx, alice, list.ID, groups.TodoInput{Title: "Maps", Done: true})
			return err
		}, typ: wire.TypeCreate, objType: "Todo", check: func(t *testing.T, a *wire.ParsedActivity) {
			assert.Equal(t, list.APID, a.Object.TodoList)
			require.NotNil(t, a.Object.Done)
			assert.True(t, *a.Object.Done)
		}},
		{name: "delete the reply", do: func() error { return svc.DeleteComment(ctx, alice, c.ID) },
			typ: wire.TypeDelete, objType: "Tombstone"},
		{name: "delete the discussion", do: func() error { return svc.DeleteDiscussion(ctx, alice, d.ID) },
			typ: wire.TypeDelete, objType: "Tombstone", check: func(t *testing.T, a *wire.ParsedActivity) {
				assert.Equal(t, d.APID, a.ObjectIRI)
			}},
	}
	for _, s := range steps {
		require.NoError(t, s.do(), s.name)
		got := w.drain()
		require.Len(t, got, 1, s.name)
		a := got[0].Activity
		assert.Equal(t, s.typ, a.Type, s.name)
		require.NotNil(t, a.Object, s.name)
		assert.Equal(t, s.objType, a.Object.Type, s.name)
		assert.Equal(t, w.alice.APID, a.Actor, s.name)
		assert.Equal(t, w.alice.APID, got[0].Signer, s.name)
		assert.Equal(t, g.APID, a.AttributedTo, s.name)
		assert.Equal(t, []string{members}, a.To, s.name)
		assert.Equal(t, membersInboxes, got[0].Inboxes, s.name, "the members, not the follower r2")
		if s.check != nil {
			s.check(t, a)
		}
	}
	// A deleted local object is remembered: its IRI answers 410.
	at, err := w.store.TombstonedAt(ctx, d.APID)
	require.NoError(t, err)
	assert.False(t, at.IsZero())
}

// A post goes to its audience: public ones to the followers too.
func TestGroupPostAudience(t *testing.T) {
	t.Parallel()
	w, g := contentWorld(t)
	members, followers := g.APID+"/members", g.Followers
	withFollower := []string{"https://a.example/inbox", "https://b.example/users/r3/inbox"} // r2 shares a.example's inbox
	for _, tc := range []struct {
		vis    groups.Visibility
		draft  bool
		to, cc []string
	}{
		{groups.Public, false, []string{wire.PublicIRI}, []string{members, followers}},
		{groups.Unlisted, false, []string{members, followers}, []string{wire.PublicIRI}},
		{groups.Private, false, []string{members}, nil},
		{groups.Public, true, []string{members}, nil},
	} {
		p, err := w.inst.Groups.CreatePost(w.ctx, w.alice.ID, g.ID, groups.PostInput{Title: "News", Body: "<p>Hi</p>",
			Visibility: tc.vis, Draft: tc.draft})
		require.NoError(t, err)
		got := w.drain()
		require.Len(t, got, 1)
		a := got[0].Activity
		assert.Equal(t, "Article", a.Object.Type)
		assert.Equal(t, tc.draft, a.Object.Draft)
		assert.Equal(t, tc.to, a.Object.To, tc.vis)
		assert.Equal(t, tc.cc, a.Object.CC, tc.vis)
		assert.Equal(t, withFollower, got[0].Inboxes)
		if tc.draft {
			_, err := w.inst.Groups.PublishPost(w.ctx, w.alice.ID, p.ID)
			require.NoError(t, err)
			got := w.drain()
			require.Len(t, got, 1)
			assert.Equal(t, wire.TypeCreate, got[0].Activity.Type, "published: a Create for those who never saw the draft")
			assert.Equal(t, p.APID+"/activity/published", got[0].ID)
			assert.Equal(t, []string{wire.PublicIRI}, got[0].Activity.Object.To)
		}
	}
}

// Content a remote member made (taken by the inbox, which has the group
// relay it) sends nothing; a local member's content in a remote group
// goes to the group only.
func TestGroupContentOfRemoteActorsAndGroups(t *testing.T) {
	t.Parallel()
	w, g := contentWorld(t)
	_, _, err := w.inst.Groups.CreateDiscussion(w.ctx, w.r1.ID, g.ID, groups.DiscussionInput{Title: "Theirs", Text: "<p>x</p>",
		Remote: groups.Remote{APID: "https://a.example/discussions/9"}})
	require.NoError(t, err)
	assert.Empty(t, w.drain(), "the inbox relays it, not the hook")

	ga, err := w.inst.Identity.PutRemoteActor(w.ctx, &identity.Actor{APID: "https://b.example/@hikers", Type: identity.TypeGroup,
		Username: "hikers", Inbox: "https://b.example/@hikers/inbox", Followers: "https://b.example/@hikers/followers"})
	require.NoError(t, err)
	rg, err := w.inst.Groups.PutRemoteGroup(w.ctx, &groups.Group{Actor: *ga, Openness: groups.Open, Visibility: groups.Public})
	require.NoError(t, err)
	_, err = w.inst.Groups.Join(w.ctx, rg.ID, w.bob.ID, "")
	require.NoError(t, err)
	_, err = w.inst.Groups.AnswerRemoteJoin(w.ctx, rg.ID, w.bob.ID, rg.ID, true)
	require.NoError(t, err)
	w.drain()
	d, _, err := w.inst.Groups.CreateDiscussion(w.ctx, w.bob.ID, rg.ID, groups.DiscussionInput{Title: "Ours", Text: "<p>y</p>"})
	require.NoError(t, err)
	got := w.drain()
	require.Len(t, got, 1)
	assert.Equal(t, wire.TypeCreate, got[0].Activity.Type)
	assert.Equal(t, d.APID, got[0].Activity.ObjectIRI)
	assert.Equal(t, ga.APID, got[0].Activity.AttributedTo)
	assert.Equal(t, []string{"https://b.example/@hikers/inbox"}, got[0].Inboxes, "the group relays it")
}
