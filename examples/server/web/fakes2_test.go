package web_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/federation/inbox"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// anonMail records the links mailed to anonymous participants.
type anonMail struct {
	mu      sync.Mutex
	confirm map[string]string // email → confirmation link
	cancel  map[string]string // email → cancellation link
}

func (m *anonMail) AnonymousConfirmation(_ context.Context, p *events.Participant, _ *events.Event, confirm, cancel string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.confirm == nil {
		m.confirm, m.cancel = map[string]string{}, map[string]string{}
	}
	m.confirm[p.Email], m.cancel[p.Email] = confirm, cancel
	return nil
}

func (m *anonMail) links(email string) (confirm, cancel string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.confirm[email], m.cancel[email]
}

// inviteMail records the profiles told of an invitation.
type inviteMail struct {
	mu      sync.Mutex
	invited []string // invitee id + " " + group username
}

func (m *inviteMail) GroupInvitation(_ context.Context, inviteeID string, group, _ *identity.Actor, _ string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.invited = append(m.invited, inviteeID+" "+group.Username)
	return nil
}

func (m *inviteMail) all() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.invited...)
}

// handles resolves remote handles from a fixed table.
type handles struct{ actors map[string]*identity.Actor }

func (h handles) ResolveHandle(_ context.Context, handle string) (*identity.Actor, error) {
	if a, ok := h.actors[handle]; ok {
		return a, nil
	}
	return nil, errors.New("webfinger: not found")
}

// fullWorld is a world with every optional part of the UI configured
// over the real storage.
type fullWorld struct {
	*world
	anon    *anonMail
	invites *inviteMail
	remote  handles
	policy  *inbox.PolicyCache
}

func newFullWorld(t testing.TB, more ...func(*web.Config)) *fullWorld {
	t.Helper()
	fw := &fullWorld{anon: &anonMail{}, invites: &inviteMail{}, remote: handles{actors: map[string]*identity.Actor{}}}
	opts := append([]func(*web.Config){func(c *web.Config) {
		db := c.Participations.(*sqlite.DB)
		fw.policy = inbox.NewPolicyCache(db, c.Now)
		c.AnonymousMail, c.Invitations, c.Handles = fw.anon, fw.invites, fw.remote
		c.Policy, c.Delivery = fw.policy, db
	}}, more...)
	fw.world = newWorld(t, opts...)
	return fw
}
