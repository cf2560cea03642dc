package conversations_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// who names an actor of the fixture.
type who func(f *fixture) *identity.Actor

var (
	org        who = func(f *fixture) *identity.Actor { return f.org }
	eventMod   who = func(f *fixture) *identity.Actor { return f.eventMod }
	part       who = func(f *fixture) *identity.Actor { return f.part }
	pending    who = func(f *fixture) *identity.Actor { return f.pending }
	waitlisted who = func(f *fixture) *identity.Actor { return f.waitlisted }
	rejected   who = func(f *fixture) *identity.Actor { return f.rejected }
	stranger   who = func(f *fixture) *identity.Actor { return f.stranger }
	remotePart who = func(f *fixture) *identity.Actor { return f.remotePart }
	groupMod   who = func(f *fixture) *identity.Actor { return f.groupMod }
	groupMemb  who = func(f *fixture) *identity.Actor { return f.groupMember }
	groupAdmin who = func(f *fixture) *identity.Actor { return f.admin }
)

func TestIsOrganizer(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name  string
		event func(f *fixture) *events.Event
		who   who
		want  bool
	}{
		{"organizer profile", local, org, true},
		{"event moderator", local, eventMod, true},
		{"participant", local, part, false},
		{"pending", local, pending, false},
		{"rejected", local, rejected, false},
		{"stranger", local, stranger, false},
		{"remote participant", local, remotePart, false},
		{"group itself", group, func(f *fixture) *identity.Actor { return &f.group.Actor }, true},
		{"group moderator", group, groupMod, true},
		{"group administrator", group, groupAdmin, true},
		{"group member", group, groupMemb, false},
		{"group moderator, other event", local, groupMod, false},
		{"remote organizer", remote, func(f *fixture) *identity.Actor { return f.remoteOrg }, true},
		{"another actor of a remote person's host", remote, remotePart, false},
		{"a local participant of a remote event", remote, func(f *fixture) *identity.Actor { return f.localPart }, false},
		{"an actor of a remote group's host", remoteGroup, remotePart, true},
		{"the remote group", remoteGroup, func(f *fixture) *identity.Actor { return f.remoteGroupActor(f.t) }, true},
		{"an actor of another host, remote group", remoteGroup, func(f *fixture) *identity.Actor { return f.actor("elsewhere.example", "x") }, false},
		{"a local participant of a remote group's event", remoteGroup, func(f *fixture) *identity.Actor { return f.localPart }, false},
	}
	for _, tt := range tests {
		got, err := f.svc.IsOrganizer(f.ctx, tt.event(f), tt.who(f).ID)
		require.NoError(t, err, tt.name)
		require.Equal(t, tt.want, got, tt.name)
	}
	got, err := f.svc.IsOrganizer(f.ctx, f.event, "")
	require.NoError(t, err)
	require.False(t, got, "nobody")

	orgs, err := f.svc.Organizers(f.ctx, f.groupEvent)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{f.group.ID, f.groupMod.ID, f.admin.ID}, orgs)
	orgs, err = f.svc.Organizers(f.ctx, f.event)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{f.org.ID, f.eventMod.ID}, orgs)
}

func local(f *fixture) *events.Event  { return f.event }
func group(f *fixture) *events.Event  { return f.groupEvent }
func remote(f *fixture) *events.Event { return f.remoteEvent }

// remoteGroup is an event of a remote group (remote.example), as
// ingestion stores it: organized by the group, without a local GroupID.
func remoteGroup(f *fixture) *events.Event {
	if f.remoteGroupEvent == nil {
		f.remoteGroupEvent = f.newEvent(f.remoteGroupActor(f.t).ID, "", false)
	}
	return f.remoteGroupEvent
}

func (f *fixture) remoteGroupActor(t *testing.T) *identity.Actor {
	if f.rgroup == nil {
		f.rgroup = f.newActor(identity.TypeGroup, "remote.example", "rclub")
		require.NoError(t, f.db.CreateActor(f.ctx, f.rgroup))
	}
	return f.rgroup
}

func TestWriteToOrganizersPermissions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		event func(f *fixture) *events.Event
		who   who
		want  error
	}{
		{"participant", local, part, nil},
		{"pending applicant", local, pending, nil},
		{"waitlisted", local, waitlisted, nil},
		{"rejected", local, rejected, conversations.ErrNotParticipating},
		{"stranger", local, stranger, conversations.ErrNotParticipating},
		{"organizer profile", local, org, conversations.ErrForbidden},
		{"event moderator", local, eventMod, conversations.ErrForbidden},
		{"remote participant (local API)", local, remotePart, conversations.ErrForbidden},
		{"group member of a group event", group, groupMemb, nil},
		{"group moderator of a group event", group, groupMod, conversations.ErrForbidden},
		{"local participant of a remote event", remote, func(f *fixture) *identity.Actor { return f.localPart }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			e := tt.event(f)
			c, m, err := f.svc.WriteToOrganizers(f.ctx, tt.who(f).ID, e.ID, "<p>Hello?</p>")
			requireErr(t, tt.want, err, tt.name)
			if tt.want != nil {
				n, k := f.count(e)
				require.Zero(t, n+k, "a refused write changes nothing")
				require.Empty(t, f.hook.all())
				return
			}
			require.Equal(t, tt.who(f).ID, c.ParticipantID)
			require.Equal(t, tt.who(f).ID, m.AuthorID)
			require.Equal(t, e.Local, c.Local)
			ch := f.hook.all()
			require.Len(t, ch, 1)
			require.True(t, ch[0].FromParticipant)
			require.True(t, ch[0].Created)
			orgs, err := f.svc.Organizers(f.ctx, e)
			require.NoError(t, err)
			require.Equal(t, orgs, ch[0].Recipients)
		})
	}
}

func TestWriteToOrganizersHidesPrivateEvents(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	e := f.newEvent(f.org.ID, "", true)
	e.Visibility = events.Private
	require.NoError(t, f.db.UpdateEvent(f.ctx, e))
	_, _, err := f.svc.WriteToOrganizers(f.ctx, f.stranger.ID, e.ID, "hi")
	require.ErrorIs(t, err, conversations.ErrNotFound)
	_, _, err = f.svc.WriteToParticipant(f.ctx, f.stranger.ID, e.ID, f.org.ID, "hi")
	require.ErrorIs(t, err, conversations.ErrNotFound)
	_, _, err = f.svc.WriteToOrganizers(f.ctx, f.part.ID, f.id(), "hi")
	require.ErrorIs(t, err, conversations.ErrNotFound, "unknown event")
}

func TestWriteToParticipantPermissions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		event  func(f *fixture) *events.Event
		author who
		to     who
		want   error
	}{
		{"organizer to participant", local, org, part, nil},
		{"organizer to pending applicant", local, org, pending, nil},
		{"organizer to waitlisted", local, org, waitlisted, nil},
		{"organizer to remote participant", local, org, remotePart, nil},
		{"event moderator to participant", local, eventMod, part, nil},
		{"organizer to rejected", local, org, rejected, conversations.ErrNotParticipating},
		{"organizer to stranger", local, org, stranger, conversations.ErrNotParticipating},
		{"organizer to co-organizer", local, org, eventMod, conversations.ErrForbidden},
		{"participant to participant", local, part, pending, conversations.ErrForbidden},
		{"pending to participant", local, pending, part, conversations.ErrForbidden},
		{"stranger", local, stranger, part, conversations.ErrForbidden},
		{"remote author (local API)", local, remotePart, part, conversations.ErrForbidden},
		{"group moderator", group, groupMod, groupMemb, nil},
		{"group administrator", group, groupAdmin, groupMemb, nil},
		{"group member", group, groupMemb, groupMod, conversations.ErrForbidden},
		{"group moderator to itself as participant", group, groupAdmin, groupMod, conversations.ErrForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			e := tt.event(f)
			c, m, err := f.svc.WriteToParticipant(f.ctx, tt.author(f).ID, e.ID, tt.to(f).ID, "<p>Welcome</p>")
			requireErr(t, tt.want, err, tt.name)
			if tt.want != nil {
				n, k := f.count(e)
				require.Zero(t, n+k, "a refused write changes nothing")
				return
			}
			require.Equal(t, tt.to(f).ID, c.ParticipantID)
			require.Equal(t, tt.author(f).ID, m.AuthorID)
			ch := f.hook.all()
			require.Len(t, ch, 1)
			require.False(t, ch[0].FromParticipant)
			require.Equal(t, []string{tt.to(f).ID}, ch[0].Recipients)
		})
	}
}

func TestReplyPermissions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		author who
		before func(f *fixture) // changes after the conversation started
		want   error
	}{
		{"participant", part, nil, nil},
		{"organizer", org, nil, nil},
		{"event moderator", eventMod, nil, nil},
		{"stranger", stranger, nil, conversations.ErrNotFound},
		{"another participant", pending, nil, conversations.ErrNotFound},
		{"remote actor", remotePart, nil, conversations.ErrForbidden},
		{"participant once rejected", part, func(f *fixture) { f.setRole(f.event, f.part, events.RoleRejected) },
			conversations.ErrNotParticipating},
		{"organizer to a rejected participant", org, func(f *fixture) { f.setRole(f.event, f.part, events.RoleRejected) },
			conversations.ErrNotParticipating},
		{"participant who left", part, func(f *fixture) {
			p, err := f.db.GetParticipantByActor(f.ctx, f.event.ID, f.part.ID)
			require.NoError(f.t, err)
			require.NoError(f.t, f.db.DeleteParticipant(f.ctx, p.ID))
		}, conversations.ErrNotParticipating},
		{"former event moderator", eventMod, func(f *fixture) { f.setRole(f.event, f.eventMod, events.RoleParticipant) },
			conversations.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			c := f.ask(f.part)
			if tt.before != nil {
				tt.before(f)
			}
			f.tick()
			m, err := f.svc.Reply(f.ctx, tt.author(f).ID, c.ID, "<p>Yes</p>")
			requireErr(t, tt.want, err, tt.name)
			_, msgs := f.count(f.event)
			if tt.want != nil {
				require.Equal(t, 1, msgs, "a refused reply changes nothing")
				return
			}
			require.Equal(t, 2, msgs)
			require.Equal(t, c.ID, m.ConversationID)
			got, _, err := f.svc.Conversation(f.ctx, f.part.ID, c.ID)
			require.NoError(t, err)
			require.Equal(t, f.now, got.LastMessageAt, "the conversation moves up")
			ch := f.hook.all()
			require.Len(t, ch, 2)
			require.False(t, ch[1].Created)
		})
	}
}

func TestReadPermissions(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	c := f.ask(f.part)
	gc, _, err := f.svc.WriteToOrganizers(f.ctx, f.groupMember.ID, f.groupEvent.ID, "Hi")
	require.NoError(t, err)
	tests := []struct {
		name string
		conv *conversations.Conversation
		who  who
		want error
	}{
		{"participant", c, part, nil},
		{"organizer", c, org, nil},
		{"event moderator", c, eventMod, nil},
		{"another participant", c, pending, conversations.ErrNotFound},
		{"stranger", c, stranger, conversations.ErrNotFound},
		{"remote participant", c, remotePart, conversations.ErrNotFound},
		{"group moderator", gc, groupMod, nil},
		{"group administrator", gc, groupAdmin, nil},
		{"group member (its participant)", gc, groupMemb, nil},
		{"group moderator, other event", c, groupMod, conversations.ErrNotFound},
	}
	for _, tt := range tests {
		_, _, err := f.svc.Conversation(f.ctx, tt.who(f).ID, tt.conv.ID)
		requireErr(t, tt.want, err, tt.name+": conversation")
		ms, _, err := f.svc.Messages(f.ctx, tt.who(f).ID, tt.conv.ID, storage.Cursor{}, 0)
		requireErr(t, tt.want, err, tt.name+": messages")
		if tt.want == nil {
			require.Len(t, ms, 1, tt.name)
			m, mc, err := f.svc.Message(f.ctx, tt.who(f).ID, ms[0].ID)
			require.NoError(t, err, tt.name)
			require.Equal(t, ms[0], *m)
			require.Equal(t, tt.conv.ID, mc.ID)
		}
	}
	_, _, err = f.svc.Conversation(f.ctx, "", c.ID)
	require.ErrorIs(t, err, conversations.ErrNotFound, "anonymous")
	_, _, err = f.svc.Conversation(f.ctx, f.part.ID, f.id())
	require.ErrorIs(t, err, conversations.ErrNotFound, "unknown")

	// The participant reads their own conversation even after leaving.
	f.setRole(f.event, f.part, events.RoleRejected)
	_, _, err = f.svc.Conversation(f.ctx, f.part.ID, c.ID)
	require.NoError(t, err)

	for _, tt := range []struct {
		name  string
		who   who
		event func(f *fixture) *events.Event
		want  error
		n     int
	}{
		{"organizer", org, local, nil, 1},
		{"event moderator", eventMod, local, nil, 1},
		{"participant", part, local, conversations.ErrNotFound, 0},
		{"stranger", stranger, local, conversations.ErrNotFound, 0},
		{"group moderator", groupMod, group, nil, 1},
		{"group member", groupMemb, group, conversations.ErrNotFound, 0},
	} {
		cs, _, err := f.svc.EventConversations(f.ctx, tt.who(f).ID, tt.event(f).ID, storage.Cursor{}, 0)
		requireErr(t, tt.want, err, tt.name+": event conversations")
		require.Len(t, cs, tt.n, tt.name)
	}
	mine, _, err := f.svc.MyConversations(f.ctx, f.part.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Len(t, mine, 1)
	require.Equal(t, c.ID, mine[0].ID)
	mine, _, err = f.svc.MyConversations(f.ctx, f.org.ID, storage.Cursor{}, 0)
	require.NoError(t, err)
	require.Empty(t, mine, "organizers have no conversation of their own")
}
