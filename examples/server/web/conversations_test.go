package web_test

import (
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/mail/mailtest"
	"codeberg.org/convene/convene/notify"
	"codeberg.org/convene/convene/storage/sqlite/sqlitetest"
)

var regexpNext = regexp.MustCompile(`href="([^"]+)" rel="next"`)

// conversationOf returns the conversation id a write redirected to.
func conversationOf(t *testing.T, res *response) string {
	t.Helper()
	loc := res.location()
	rest, ok := strings.CutPrefix(loc, "/conversations/")
	require.True(t, ok, "redirected to %s", loc)
	id, _, _ := strings.Cut(rest, "?")
	return id
}

func TestConversationPages(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob, carol := w.user("alice"), w.user("bob"), w.user("carol")
	e := w.event(alice.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	ab, bb, cb := w.login(alice), w.login(bob), w.login(carol)
	eventPage, write := "/events/"+e.ID, "/events/"+e.ID+"/conversations"

	// The participant gets the form, the organizer the link, the
	// stranger neither; everyone signed in has the Messages link.
	bb.get(eventPage).contains(`action="`+write+`"`, "Write to the organizers", `href="/conversations"`)
	ab.get(eventPage).lacks(`action="`+write+`"`).contains(`href="`+write+`"`, "Messages (0)")
	cb.get(eventPage).lacks(`action="`+write+`"`, `href="`+write+`"`).contains(`href="/conversations"`)
	w.browser().get(eventPage).lacks(`href="/conversations"`)

	// Bob writes; the text is escaped, not interpreted.
	res := bb.post(write, url.Values{"text": {"Is there a ramp?\n\n<script>alert(1)</script>"}}).status(http.StatusSeeOther)
	cid := conversationOf(t, res)
	assert.Equal(t, "/conversations/"+cid+"?msg=conv_sent", res.location())
	thread := "/conversations/" + cid
	bb.get(res.location()).status(http.StatusOK).contains("Your message is sent.", "<p>Is there a ramp?</p>",
		"&lt;script&gt;alert(1)&lt;/script&gt;", `action="`+thread+`/reply"`).lacks("<script>alert")
	bb.get("/conversations").status(http.StatusOK).contains(`href="`+thread+`"`, "Picnic", "With Alice")

	// Alice sees it on the event's page and replies.
	ab.get(eventPage).contains("Messages (1)")
	ab.get(write).status(http.StatusOK).contains(`href="`+thread+`"`, "Bob", `<option value="`+bob.profile.ID+`">`)
	ab.get(thread).status(http.StatusOK).contains("Is there a ramp?", "With Bob")
	ab.post(thread+"/reply", url.Values{"text": {"Yes, at the back door."}}).status(http.StatusSeeOther)
	bb.get(thread).contains("Yes, at the back door.", `<span class="tag">organizer</span>`).lacks("announcement</span>")
	// The participant-side list is Bob's only: Alice organizes, and
	// finds her event's messages linked there.
	ab.get("/conversations").status(http.StatusOK).lacks(`href="`+thread+`"`).
		contains("The messages of the events you organize", `href="`+write+`"`)
	bb.get("/conversations").lacks("The messages of the events you organize")

	// Alice writes to Bob from the event's page: the same thread.
	res = ab.post(write, url.Values{"participant_id": {bob.profile.ID}, "text": {"See you there"}}).status(http.StatusSeeOther)
	assert.Equal(t, cid, conversationOf(t, res))
	// Carol does not take part: nothing to write to.
	res = ab.post(write, url.Values{"participant_id": {carol.profile.ID}, "text": {"Hello"}}).status(http.StatusSeeOther)
	assert.Equal(t, write+"?msg=conv_closed", res.location())

	// A stranger gets 404s, and writes nothing.
	cb.get(thread).status(http.StatusNotFound)
	cb.post(thread+"/reply", url.Values{"text": {"Let me in"}}).status(http.StatusNotFound)
	cb.get(write).status(http.StatusNotFound)
	res = cb.post(write, url.Values{"text": {"Hello"}}).status(http.StatusSeeOther)
	assert.Equal(t, eventPage+"?msg=conv_closed", res.location())
	bb.post(write, url.Values{"participant_id": {alice.profile.ID}, "text": {"x"}}).status(http.StatusForbidden)
	cb.get("/conversations").status(http.StatusOK).contains("No conversation yet.")
	cb.get("/conversations/nope").status(http.StatusNotFound)
	w.browser().get(thread).status(http.StatusSeeOther)
	w.browser().get("/conversations").status(http.StatusSeeOther)

	// No CSRF token, no message.
	bb.do(http.MethodPost, thread+"/reply", url.Values{"text": {"forged"}}).status(http.StatusForbidden)
	bb.do(http.MethodPost, write, url.Values{"text": {"forged"}}).status(http.StatusForbidden)
	bb.get(thread).lacks("forged")
	// An empty message is refused.
	bb.post(thread+"/reply", url.Values{"text": {"  "}}).status(http.StatusBadRequest)

	// French.
	bb.lang, ab.lang = "fr", "fr"
	bb.get(thread).contains("Votre réponse", "organisation", "Avec Alice")
	bb.get("/conversations").contains("Vos conversations", "Dernier message le")
	bb.get(eventPage).contains("Écrire aux organisateurs", "Mes messages")
	ab.get(write).contains("Écrire à un·e participant·e")
	ab.get(eventPage).contains("Messages (1)")

	// Bob leaves: the thread stays readable and takes no new message.
	require.NoError(t, w.inst.Events.Leave(w.ctx, e.ID, bob.profile.ID))
	bb.lang = ""
	bb.get(thread).status(http.StatusOK).contains("Is there a ramp?", "takes no new message").lacks(`action="` + thread + `/reply"`)
	res = bb.post(thread+"/reply", url.Values{"text": {"One more"}}).status(http.StatusSeeOther)
	assert.Equal(t, thread+"?msg=conv_closed", res.location())
}

func TestConversationPaging(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	c, _, err := w.inst.Conversations.WriteToOrganizers(w.ctx, bob.profile.ID, e.ID, "message 0")
	require.NoError(t, err)
	for i := 1; i <= 55; i++ {
		w.clock.Advance(time.Second)
		_, err := w.inst.Conversations.Reply(w.ctx, bob.profile.ID, c.ID, "message "+strconv.Itoa(i))
		require.NoError(t, err)
	}
	bb := w.login(bob)
	first := bb.get("/conversations/"+c.ID).status(http.StatusOK).contains("message 0<", "message 49<").lacks("message 50<")
	m := regexpNext.FindStringSubmatch(first.body)
	require.NotNil(t, m, "a link to the next page")
	bb.get(html.UnescapeString(m[1])).status(http.StatusOK).contains("message 50<", "message 55<").lacks("message 49<", `rel="next"`)
	bb.get("/conversations/" + c.ID + "?after=garbage").status(http.StatusNotFound)
	bb.get("/conversations?after=garbage").status(http.StatusNotFound)
}

func TestConversationRateLimit(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, nil)
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	bb := w.login(bob)
	write := "/events/" + e.ID + "/conversations"
	for i := range web.MessageBurst {
		bb.post(write, url.Values{"text": {"hello " + strconv.Itoa(i)}}).status(http.StatusSeeOther)
	}
	bb.post(write, url.Values{"text": {"one too many"}}).status(http.StatusTooManyRequests).contains("many messages")
	w.clock.Advance(web.MessageRefill)
	bb.post(write, url.Values{"text": {"later"}}).status(http.StatusSeeOther)
}

// mailWorld is a world whose instance mails through a notifier into a
// recorder, with the organizers' message form.
func newMailWorld(t *testing.T) (*world, *mailtest.Recorder) {
	t.Helper()
	clk := &clock{t: t0}
	db := sqlitetest.Open(t)
	rec := mailtest.New()
	log := slog.New(slog.NewTextHandler(logWriter{t}, nil))
	notices, err := notify.New(notify.Config{Mail: rec, Identity: db, Events: db, Groups: db, BaseURL: base,
		ReminderLead: -1, Now: clk.Now, Log: log})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = notices.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	inst, err := convene.New(convene.Config{Store: db, BaseURL: base, Now: clk.Now,
		ConversationHook: notices,
		Argon2:           identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey:      fixedKey})
	require.NoError(t, err)
	messages, err := notify.NewMessenger(notices)
	require.NoError(t, err)
	w := &world{t: t, ctx: context.Background(), clock: clk, db: db, inst: inst, mail: &mailbox{}, follows: &fakeFollower{}}
	w.web, err = web.New(web.Config{Instance: inst, Participations: db, Secret: secret, Confirmations: w.mail,
		Resets: w.mail, Messages: messages, Now: clk.Now, Log: log})
	require.NoError(t, err)
	return w, rec
}

// waitMail waits until rec holds a message of kind to, and returns
// every message rec holds.
func waitMail(t *testing.T, rec *mailtest.Recorder, to, kind string) []mail.Message {
	t.Helper()
	var got []mail.Message
	require.Eventually(t, func() bool {
		got = rec.Messages()
		for _, m := range got {
			if m.To == to && m.Kind == kind {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "no %s mail to %s", kind, to)
	return got
}

// kinds counts the messages of each kind to each address.
func kinds(ms []mail.Message) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		out[m.To+" "+m.Kind]++
	}
	return out
}

// TestConversationMailAndAnnouncement: a participant's message is mailed
// to the organizer's account; the organizers' message to participants
// reaches a local participant once, as an announcement in their
// conversation, and an anonymous participant by email.
func TestConversationMailAndAnnouncement(t *testing.T) {
	t.Parallel()
	w, rec := newMailWorld(t)
	alice, bob := w.user("alice"), w.user("bob")
	e := w.event(alice.profile, func(in *events.Input) { in.AnonymousParticipation = true })
	_, err := w.inst.Events.Join(w.ctx, e.ID, bob.profile.ID, events.JoinInput{})
	require.NoError(t, err)
	_, tokens, err := w.inst.Events.JoinAnonymously(w.ctx, e.ID, events.AnonymousJoin{Email: "anon@mail.example"})
	require.NoError(t, err)
	_, err = w.inst.Events.ConfirmAnonymous(w.ctx, tokens.Confirm)
	require.NoError(t, err)
	ab, bb := w.login(alice), w.login(bob)

	res := bb.post("/events/"+e.ID+"/conversations", url.Values{"text": {"Is there a ramp?"}}).status(http.StatusSeeOther)
	cid := conversationOf(t, res)
	got := waitMail(t, rec, alice.email, string(notify.ConversationMessage))
	for _, m := range got {
		if m.Kind == string(notify.ConversationMessage) {
			assert.Contains(t, m.Text, "Is there a ramp?")
			assert.Contains(t, m.Text, base+"/conversations/"+cid)
		}
	}
	rec.Reset()

	// The organizers' message: Bob once (his conversation), the
	// anonymous participant by email, Alice nothing.
	res = ab.post("/events/"+e.ID+"/message", url.Values{"subject": {"Bring tools"}, "text": {"Hammers & saws"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+e.ID+"?msg=message_sent", res.location())
	waitMail(t, rec, bob.email, string(notify.ConversationMessage))
	got = waitMail(t, rec, "anon@mail.example", string(notify.ParticipantsMessageKind))
	assert.Equal(t, map[string]int{
		bob.email + " " + string(notify.ConversationMessage):          1,
		"anon@mail.example " + string(notify.ParticipantsMessageKind): 1,
	}, kinds(got))
	bb.get("/conversations/"+cid).contains(`<span class="tag">announcement</span>`, "<strong>Bring tools</strong>", "Hammers &amp; saws")
	ab.get("/events/" + e.ID + "/conversations").contains("Bob")

	// Too soon: nothing is announced again.
	res = ab.post("/events/"+e.ID+"/message", url.Values{"subject": {"Again"}, "text": {"Again"}}).status(http.StatusSeeOther)
	assert.Equal(t, "/events/"+e.ID+"?msg=message_too_soon", res.location())
	bb.get("/conversations/" + cid).lacks("Again")
}

// TestMessagesLinksGroupEvents: a group's moderator, who takes no part in
// its event, finds the event's messages from the Messages page; a plain
// member does not.
func TestMessagesLinksGroupEvents(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	alice, mod, member := w.user("alice"), w.user("mod"), w.user("member")
	g, err := w.inst.Groups.Create(w.ctx, alice.profile.ID, groups.CreateInput{Username: "garden", DisplayName: "Garden", Openness: groups.Open})
	require.NoError(t, err)
	for _, u := range []*user{mod, member} {
		_, err := w.inst.Groups.Join(w.ctx, g.ID, u.profile.ID, "")
		require.NoError(t, err)
	}
	_, err = w.inst.Groups.ChangeRole(w.ctx, alice.profile.ID, g.ID, mod.profile.ID, groups.RoleModerator)
	require.NoError(t, err)
	e := w.event(alice.profile, func(in *events.Input) { in.GroupID, in.Title = g.ID, "Seed swap" })
	link := `href="/events/` + e.ID + `/conversations"`
	w.login(mod).get("/conversations").status(http.StatusOK).contains("The messages of the events you organize", link, "Seed swap")
	w.login(member).get("/conversations").status(http.StatusOK).lacks(link)
}
