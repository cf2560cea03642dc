package notify

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// Both the services and the storage contracts (which every backend
// implements) fit the consumer interfaces.
var (
	_ Directory  = (*identity.Service)(nil)
	_ Directory  = identity.Store(nil)
	_ EventStore = events.Store(nil)
)

// TestGolden renders every kind in every locale.
func TestGolden(t *testing.T) {
	t.Parallel()
	tpl, err := parseTemplates()
	require.NoError(t, err)
	w := newWorld(t, Config{})
	e := &w.event
	// Variants beyond one file per kind: a discussion mail with its
	// one-click unsubscribe link.
	type variant struct {
		kind   Kind
		suffix string
		unsub  string
	}
	var variants []variant
	for _, k := range Kinds() {
		variants = append(variants, variant{kind: k})
	}
	variants = append(variants, variant{GroupDiscussion, ".unsubscribe", "https://events.example/unsubscribe/discussions?t=a.p.g.1.mac"})
	for _, loc := range Locales() {
		for _, v := range variants {
			k := v.kind
			t.Run(loc+"/"+string(k)+v.suffix, func(t *testing.T) {
				d := data{Instance: "Events Example", BaseURL: "https://events.example", Name: "Zoé",
					Link: "https://events.example/link?t=secret", CancelLink: "https://events.example/cancel?t=secret2",
					Event: viewOf(e, e.BeginsAt, e.EndsAt, loc, ""), Waitlisted: k == ParticipationApproved,
					Group: "Repair Café Paris", GroupURL: "https://events.example/@repair", Inviter: "Alice",
					Discussion: "Budget 2026", Author: "Alice", Message: "Shall we buy a soldering iron?\n\n- yes\n- no",
					Reply: k == GroupDiscussion, Unsubscribe: v.unsub}
				d.Event.Online = "https://visio.example/room"
				out, err := tpl.render(loc, k, d)
				require.NoError(t, err)
				got := "Subject: " + out.Subject + "\n\n" + out.Text
				golden := filepath.Join("testdata", loc, string(k)+v.suffix+".txt")
				if *update {
					require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
					require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err)
				assert.Equal(t, string(want), got)
				assert.NotContains(t, out.Text, "<no value>")
				assert.NotContains(t, out.Subject, "\n")
			})
		}
	}
}

func TestFormatWhen(t *testing.T) {
	t.Parallel()
	paris, _ := time.LoadLocation("Europe/Paris")
	start := time.Date(2026, 3, 1, 14, 0, 0, 0, paris)
	tests := []struct {
		locale     string
		start, end time.Time
		want       string
	}{
		{"en", start, start.Add(4 * time.Hour), "Sunday 1 March 2026, 14:00–18:00 (Europe/Paris)"},
		{"fr", start, start.Add(4 * time.Hour), "dimanche 1er mars 2026, 14:00–18:00 (Europe/Paris)"},
		{"fr", start, start.Add(24 * time.Hour), "dimanche 1er mars 2026, 14:00 – lundi 2 mars 2026, 14:00 (Europe/Paris)"},
		{"en", start.UTC(), time.Time{}, "Sunday 1 March 2026, 13:00 (UTC)"},
		{"en", start, start, "Sunday 1 March 2026, 14:00 (Europe/Paris)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, formatWhen(tt.locale, tt.start, tt.end))
	}
}

func TestResolveLocale(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"fr": "fr", "fr-CA": "fr", "FR_be": "fr", "en-GB": "en", "de": "x", "": "x"} {
		assert.Equal(t, want, resolveLocale(in, "x"), in)
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "a b c", oneLine(" a\r\n b\t\x00c ", 100))
	assert.Equal(t, "abcd…", oneLine("abcdefgh", 5))
}

func TestNew(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{})
	ok := Config{Mail: w.mail, Identity: w.dir, Events: w.events, BaseURL: "https://events.example"}
	tests := []struct {
		name    string
		change  func(c *Config)
		wantErr string
	}{
		{"no mail", func(c *Config) { c.Mail = nil }, "Mail"},
		{"no identity", func(c *Config) { c.Identity = nil }, "Identity"},
		{"no events", func(c *Config) { c.Events = nil }, "Events"},
		{"no base", func(c *Config) { c.BaseURL = "" }, "BaseURL"},
		{"relative base", func(c *Config) { c.BaseURL = "/x" }, "BaseURL"},
		{"unknown locale", func(c *Config) { c.DefaultLocale = "tlh" }, "DefaultLocale"},
		{"damaged state", func(c *Config) {
			c.StateDir = t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(c.StateDir, StateFile), []byte("{"), 0o600))
		}, "damaged"},
	}
	for _, tt := range tests {
		c := ok
		tt.change(&c)
		_, err := New(c)
		require.ErrorContains(t, err, tt.wantErr, tt.name)
	}
	n, err := New(ok)
	require.NoError(t, err)
	assert.Equal(t, "events.example", n.instance)
	assert.Equal(t, "en", n.locale)
}

func TestJobOf(t *testing.T) {
	t.Parallel()
	e := &events.Event{ID: "ev"}
	draft := &events.Event{ID: "ev", Draft: true}
	cancelled := &events.Event{ID: "ev", Status: events.Cancelled}
	p := func(r events.ParticipantRole) *events.Participant { return &events.Participant{ID: "p", Role: r} }
	tests := []struct {
		name string
		c    events.Change
		want Kind // "" for none
	}{
		{"approved", events.Change{Kind: events.ParticipantChanged, Event: e, Participant: p(events.RoleParticipant), PreviousRole: events.RoleNotApproved}, ParticipationApproved},
		{"approved to waitlist", events.Change{Kind: events.ParticipantChanged, Event: e, Participant: p(events.RoleWaitlisted), PreviousRole: events.RoleNotApproved}, ParticipationApproved},
		{"re-approved", events.Change{Kind: events.ParticipantChanged, Event: e, Participant: p(events.RoleParticipant), PreviousRole: events.RoleRejected}, ParticipationApproved},
		{"rejected", events.Change{Kind: events.ParticipantChanged, Event: e, Participant: p(events.RoleRejected), PreviousRole: events.RoleParticipant}, ParticipationRejected},
		{"promoted from waitlist", events.Change{Kind: events.ParticipantChanged, Event: e, Participant: p(events.RoleParticipant), PreviousRole: events.RoleWaitlisted}, ""},
		{"anonymous confirmed", events.Change{Kind: events.ParticipantChanged, Event: e, Participant: p(events.RoleParticipant), PreviousRole: events.RoleNotConfirmed}, ""},
		{"updated", events.Change{Kind: events.EventUpdated, Event: e}, EventUpdated},
		{"cancelled", events.Change{Kind: events.EventUpdated, Event: cancelled}, EventCancelled},
		{"draft", events.Change{Kind: events.EventUpdated, Event: draft}, ""},
		{"published", events.Change{Kind: events.EventUpdated, Event: e, Published: true}, ""},
		{"created", events.Change{Kind: events.EventCreated, Event: e}, ""},
		{"deleted", events.Change{Kind: events.EventDeleted, Event: e}, ""},
		{"joined", events.Change{Kind: events.ParticipantAdded, Event: e, Participant: p(events.RoleParticipant)}, ""},
		{"comment", events.Change{Kind: events.CommentCreated, Event: e}, ""},
		{"no event", events.Change{Kind: events.EventUpdated}, ""},
	}
	for _, tt := range tests {
		j, ok := jobOf(tt.c)
		assert.Equal(t, tt.want != "", ok, tt.name)
		assert.Equal(t, tt.want, j.kind, tt.name)
	}
}

func TestEventUpdatedAfterCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	tx := &fakeTx{}
	ev := w.event
	require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.EventUpdated, ActorID: "org", Event: &ev}))
	ev.Title = "changed after the hook" // the notice keeps the committed event
	w.drain(ctx)
	assert.Zero(t, w.mail.Len(), "nothing before the commit")

	tx.commit()
	w.drain(ctx)
	// Not: org (made the change), alice2 (same account as alice), remote,
	// unconfirmed and suspended accounts, the rejected one, the
	// unconfirmed anonymous participant.
	assert.Equal(t, []string{"alice@example.net", "anon@example.net", "zoe@example.net"}, recipients(w.mail))
	for _, m := range w.mail.Messages() {
		assert.Equal(t, string(EventUpdated), m.Kind)
		require.Len(t, m.Attachments, 1)
		assert.Equal(t, "event.ics", m.Attachments[0].Name)
		ics := string(m.Attachments[0].Data)
		assert.Contains(t, ics, "SUMMARY:Repair Café")
		assert.Contains(t, ics, "ORGANIZER;CN=\"Repair Café\":https://events.example/@org")
		switch m.To {
		case "zoe@example.net":
			assert.Equal(t, "« Repair Café » a été modifié", m.Subject)
			assert.Contains(t, m.Text, "Bonjour Zoé,")
			assert.Contains(t, m.Text, "samedi 14 mars 2026, 14:00–18:00 (Europe/Paris)")
		case "alice@example.net":
			assert.Equal(t, "“Repair Café” has changed", m.Subject)
			assert.Contains(t, m.Text, "Saturday 14 March 2026, 09:00–13:00 (America/New_York)", "the account's time zone")
		case "anon@example.net":
			assert.Contains(t, m.Text, "Bonjour,", "fr-CA falls back to fr")
		}
	}
}

func TestRollbackSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	ev := w.event
	require.NoError(t, w.n.EventChanged(ctx, &fakeTx{}, events.Change{Kind: events.EventUpdated, Event: &ev}))
	require.NoError(t, w.n.EventChanged(ctx, plainTx{}, events.Change{Kind: events.EventUpdated, Event: &ev}))
	w.drain(ctx)
	assert.Zero(t, w.mail.Len())
}

func TestCancelledAndParticipationNotices(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	tx := &fakeTx{}
	ev := w.event
	ev.Status = events.Cancelled
	require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.EventUpdated, ActorID: "org", Event: &ev}))
	zoe := w.events.parts["ev1"][3]
	zoe.Role = events.RoleRejected
	require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.ParticipantChanged, Event: &w.event,
		Participant: &zoe, PreviousRole: events.RoleNotApproved}))
	alice := w.events.parts["ev1"][1]
	require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.ParticipantChanged, Event: &w.event,
		Participant: &alice, PreviousRole: events.RoleNotApproved}))
	remote := w.events.parts["ev1"][4]
	require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.ParticipantChanged, Event: &w.event,
		Participant: &remote, PreviousRole: events.RoleNotApproved}))
	tx.commit()
	w.drain(ctx)

	kinds := map[string][]string{}
	for _, m := range w.mail.Messages() {
		kinds[m.Kind] = append(kinds[m.Kind], m.To)
	}
	assert.Len(t, kinds[string(EventCancelled)], 3)
	assert.Equal(t, []string{"zoe@example.net"}, kinds[string(ParticipationRejected)])
	assert.Equal(t, []string{"alice@example.net"}, kinds[string(ParticipationApproved)], "not the remote participant")
	for _, m := range w.mail.Messages() {
		if m.Kind == string(ParticipationRejected) {
			assert.Empty(t, m.Attachments)
			assert.Equal(t, "Votre participation à « Repair Café » a été refusée", m.Subject)
		}
	}
}

func TestQueueFullDrops(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	tx := &fakeTx{}
	for range QueueSize + 2 {
		require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.EventUpdated, Event: &w.event}))
	}
	tx.commit()
	assert.Equal(t, int64(2), w.n.Dropped())
}

func TestRun(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{ReminderLead: -1})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.n.Run(runCtx) }()
	tx := &fakeTx{}
	require.NoError(t, w.n.EventChanged(ctx, tx, events.Change{Kind: events.EventUpdated, ActorID: "org", Event: &w.event}))
	tx.commit()
	msgs, err := w.mail.Wait(ctx, 3)
	require.NoError(t, err)
	assert.Len(t, msgs, 3)
	stop()
	require.ErrorIs(t, <-done, context.Canceled)
}

func TestDirectMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{DefaultLocale: "fr"})
	acct := &identity.Account{Email: "new@example.net"} // no locale: the default
	require.NoError(t, w.n.AccountConfirmation(ctx, acct, "https://events.example/confirm/t"))
	require.NoError(t, w.n.PasswordReset(ctx, &identity.Account{Email: "x@example.net", Locale: "en"}, "https://events.example/reset/t"))
	p := &events.Participant{Email: "anon@example.net", Locale: "en"}
	require.NoError(t, w.n.AnonymousConfirmation(ctx, p, &w.event, "https://c", "https://x"))
	require.NoError(t, w.n.GroupInvitation(ctx, "zoe", &w.dir.profiles["org"].Actor, &w.dir.profiles["alice"].Actor, "https://inv"))

	require.ErrorIs(t, w.n.GroupInvitation(ctx, "remote-actor", &w.dir.profiles["org"].Actor, &w.dir.profiles["alice"].Actor, "l"), ErrNoRecipient)
	require.ErrorIs(t, w.n.GroupInvitation(ctx, "susp", &w.dir.profiles["org"].Actor, &w.dir.profiles["alice"].Actor, "l"), ErrNoRecipient)
	require.ErrorIs(t, w.n.AccountConfirmation(ctx, &identity.Account{}, "l"), ErrNoRecipient)
	require.ErrorIs(t, w.n.AnonymousConfirmation(ctx, &events.Participant{}, &w.event, "l", "l"), ErrNoRecipient)

	msgs := w.mail.Messages()
	require.Len(t, msgs, 4)
	assert.Equal(t, "Confirmez votre adresse e-mail sur Events Example", msgs[0].Subject)
	assert.Equal(t, string(AccountConfirm), msgs[0].Kind)
	assert.Equal(t, "Reset your password on Events Example", msgs[1].Subject)
	assert.Contains(t, msgs[2].Text, "https://c")
	assert.Contains(t, msgs[2].Text, "https://x")
	assert.Equal(t, "Alice vous invite à rejoindre Repair Café", msgs[3].Subject)
	assert.Equal(t, "zoe@example.net", msgs[3].To)

	// A sender's error reaches the caller.
	w.mail.Fail(mail.ErrInvalid)
	require.ErrorIs(t, w.n.AccountConfirmation(ctx, acct, "l"), mail.ErrInvalid)
}

func TestSubjectInjection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	e := w.event
	e.Title = "Party\r\nBcc: victim@example.com"
	require.NoError(t, w.n.AnonymousConfirmation(ctx, &events.Participant{Email: "a@example.net"}, &e, "l", "l"))
	m := w.mail.Messages()[0]
	assert.Equal(t, "Confirm your participation in “Party Bcc: victim@example.com”", m.Subject)
	assert.False(t, strings.ContainsAny(m.Subject, "\r\n"))
}
