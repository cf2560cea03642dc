package notify

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
)

var (
	_ groups.Hook    = (*Notifier)(nil)
	_ GroupMailStore = groups.NotifyStore(nil)
)

// fakeGroupMail is a GroupMailStore over a map.
type fakeGroupMail struct {
	mu    sync.Mutex
	ids   map[string][]string // by group id
	err   error
	calls int
}

func (f *fakeGroupMail) DiscussionMailRecipients(_ context.Context, groupID string, limit int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	ids := f.ids[groupID]
	if limit > 0 && len(ids) > limit {
		ids = ids[:limit]
	}
	return ids, nil
}

// discussionWorld is a world with a group whose members asked for the
// mail of its discussions: alice and alice2 (one account), zoé (fr),
// org, an unconfirmed and a suspended account, and a remote actor.
func discussionWorld(t *testing.T, cfg Config) (*world, *fakeGroupMail) {
	t.Helper()
	gm := &fakeGroupMail{ids: map[string][]string{
		"g1": {"alice", "alice2", "zoe", "org", "unconf", "susp", "remote-actor"},
	}}
	if cfg.Groups == nil {
		cfg.Groups = gm
	}
	w := newWorld(t, cfg)
	w.dir.actors = map[string]*identity.Actor{
		"remote-actor": {ID: "remote-actor", APID: "https://far.example/users/rita", Username: "rita",
			Domain: "far.example", DisplayName: "Rita"},
	}
	return w, gm
}

func discussionChange(kind groups.ChangeKind, author string, reply bool) groups.Change {
	g := &groups.Group{Actor: identity.Actor{ID: "g1", Username: "repair", DisplayName: "Repair Café Paris", Local: true}}
	d := &groups.Discussion{ID: "d1", GroupID: "g1", CreatorID: "org", Title: "Budget 2026"}
	c := &groups.Comment{ID: d.FirstCommentID(), DiscussionID: "d1", GroupID: "g1", AuthorID: author,
		Text: `<p>Shall we buy a <strong>soldering iron</strong>?</p><p>See <a href="https://shop.example/iron">this one</a> &amp; <script>alert(1)</script>vote:</p><ul><li>yes</li><li>no</li></ul>`}
	if reply {
		c.ID = "c2"
	}
	return groups.Change{Kind: kind, ActorID: author, Group: g, Discussion: d, Comment: c}
}

// tell runs GroupChanged in a transaction that commits, then sends.
func (w *world) tell(t *testing.T, c groups.Change) {
	t.Helper()
	ctx := context.Background()
	tx := &fakeTx{}
	require.NoError(t, w.n.GroupChanged(ctx, tx, c))
	tx.commit()
	w.drain(ctx)
}

func TestGroupDiscussionMail(t *testing.T) {
	t.Parallel()
	w, _ := discussionWorld(t, Config{})
	w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))

	assert.Equal(t, []string{"alice@example.net", "zoe@example.net"}, recipients(w.mail),
		"opted-in members, one mail per account; not the author, not unconfirmed, suspended or remote")
	byTo := map[string]mail.Message{}
	for _, m := range w.mail.Messages() {
		byTo[m.To] = m
		assert.Equal(t, string(GroupDiscussion), m.Kind)
		assert.Empty(t, m.Attachments)
		assert.NotContains(t, m.Text, "<")
		assert.NotContains(t, m.Text, "alert")
		assert.Contains(t, m.Text, "https://events.example/groups/g1/discussions/d1\n", "the discussion's page")
		assert.Contains(t, m.Text, "https://events.example/groups/g1/discussions\n", "where to stop")
		assert.Contains(t, m.Text, "Shall we buy a soldering iron?\n\nSee this one (https://shop.example/iron) & vote:\n\n- yes\n- no")
	}
	en, fr := byTo["alice@example.net"], byTo["zoe@example.net"]
	assert.Equal(t, "[Repair Café Paris] Budget 2026", en.Subject)
	assert.Contains(t, en.Text, "Hello Alice,")
	assert.Contains(t, en.Text, "Repair Café started the discussion “Budget 2026”")
	assert.Contains(t, en.Text, "Stop emailing me")
	assert.Equal(t, "[Repair Café Paris] Budget 2026", fr.Subject)
	assert.Contains(t, fr.Text, "Bonjour Zoé,")
	assert.Contains(t, fr.Text, "Repair Café a lancé la discussion « Budget 2026 »")
}

func TestGroupDiscussionMailUnsubscribe(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var calls []string
	unsub := func(accountID, profileID, groupID string) string {
		mu.Lock()
		defer mu.Unlock()
		calls = append(calls, accountID+" "+profileID+" "+groupID)
		return "https://events.example/unsubscribe/discussions?t=" + accountID + "." + profileID + "." + groupID
	}
	w, _ := discussionWorld(t, Config{DiscussionUnsubscribe: unsub})
	w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))

	assert.Equal(t, []string{"acc-alice alice g1", "acc-zoe zoe g1"}, calls,
		"the account and the opted-in profile of each recipient (alice's first profile)")
	msgs := w.mail.Messages()
	require.Len(t, msgs, 2)
	for _, m := range msgs {
		acct, prof := "acc-alice", "alice"
		if m.To == "zoe@example.net" {
			acct, prof = "acc-zoe", "zoe"
		}
		link := "https://events.example/unsubscribe/discussions?t=" + acct + "." + prof + ".g1"
		assert.Equal(t, link, m.ListUnsubscribe, m.To)
		assert.Contains(t, m.Text, "\n"+link+"\n", "the stop line shows the link")
		assert.NotContains(t, m.Text, "https://events.example/groups/g1/discussions\n", "not the page")
		assert.Contains(t, m.Text, "https://events.example/groups/g1/discussions/d1\n", "the discussion's page")
	}

	// A function that gives no link: the page, as without it.
	w, _ = discussionWorld(t, Config{DiscussionUnsubscribe: func(string, string, string) string { return "" }})
	w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))
	require.Len(t, w.mail.Messages(), 2)
	for _, m := range w.mail.Messages() {
		assert.Empty(t, m.ListUnsubscribe)
		assert.Contains(t, m.Text, "https://events.example/groups/g1/discussions\n")
	}

	// Other mail never carries it.
	w, _ = discussionWorld(t, Config{DiscussionUnsubscribe: unsub})
	require.NoError(t, w.n.PasswordReset(context.Background(), w.dir.accounts["acc-alice"], "https://events.example/reset/x"))
	require.Len(t, w.mail.Messages(), 1)
	assert.Empty(t, w.mail.Messages()[0].ListUnsubscribe)
}

func TestGroupDiscussionMailNoUnsubscribe(t *testing.T) {
	t.Parallel()
	w, _ := discussionWorld(t, Config{})
	w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))
	require.Len(t, w.mail.Messages(), 2)
	for _, m := range w.mail.Messages() {
		assert.Empty(t, m.ListUnsubscribe, "no header without Config.DiscussionUnsubscribe")
		assert.NotContains(t, m.Text, "unsubscribe")
		assert.Contains(t, m.Text, "https://events.example/groups/g1/discussions\n", "where to stop")
	}
}

func TestGroupDiscussionMailAuthors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, author string
		want         []string
		says         string
	}{
		{"a member's reply", "zoe", []string{"alice@example.net", "org@example.net"}, "Zoé replied in the discussion"},
		{"another profile of a recipient's account", "alice2", []string{"org@example.net", "zoe@example.net"}, "Alice again replied"},
		{"a remote author", "remote-actor", []string{"alice@example.net", "org@example.net", "zoe@example.net"}, "Rita (@rita@far.example) replied"},
		{"an unknown author", "gone-actor", []string{"alice@example.net", "org@example.net", "zoe@example.net"}, "Someone replied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, _ := discussionWorld(t, Config{})
			w.tell(t, discussionChange(groups.CommentCreated, tt.author, true))
			assert.Equal(t, tt.want, recipients(w.mail))
			for _, m := range w.mail.Messages() {
				if m.To == "alice@example.net" || m.To == "org@example.net" {
					assert.Contains(t, m.Text, tt.says)
					assert.Equal(t, "[Repair Café Paris] Re: Budget 2026", m.Subject)
				}
			}
		})
	}
}

func TestGroupDiscussionMailSendsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("rolled back", func(t *testing.T) {
		t.Parallel()
		w, gm := discussionWorld(t, Config{})
		tx := &fakeTx{}
		require.NoError(t, w.n.GroupChanged(ctx, tx, discussionChange(groups.DiscussionCreated, "org", false)))
		w.drain(ctx) // no commit
		assert.Empty(t, w.mail.Messages())
		assert.Zero(t, gm.calls, "the recipients are read after the commit")
	})
	t.Run("no after-commit", func(t *testing.T) {
		t.Parallel()
		w, _ := discussionWorld(t, Config{})
		require.NoError(t, w.n.GroupChanged(ctx, plainTx{}, discussionChange(groups.DiscussionCreated, "org", false)))
		w.drain(ctx)
		assert.Empty(t, w.mail.Messages())
	})
	t.Run("no Config.Groups", func(t *testing.T) {
		t.Parallel()
		w := newWorld(t, Config{})
		w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))
		assert.Empty(t, w.mail.Messages())
	})
	t.Run("recipients unreadable", func(t *testing.T) {
		t.Parallel()
		w, gm := discussionWorld(t, Config{})
		gm.err = errors.New("database down")
		w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))
		assert.Empty(t, w.mail.Messages())
		assert.Equal(t, 1, gm.calls)
	})
	for _, k := range []groups.ChangeKind{groups.DiscussionUpdated, groups.DiscussionDeleted, groups.CommentUpdated,
		groups.CommentDeleted, groups.PostCreated, groups.MemberChanged, groups.GroupUpdated} {
		t.Run(string(k), func(t *testing.T) {
			t.Parallel()
			w, _ := discussionWorld(t, Config{})
			w.tell(t, discussionChange(k, "org", true))
			assert.Empty(t, w.mail.Messages())
		})
	}
	t.Run("incomplete change", func(t *testing.T) {
		t.Parallel()
		w, _ := discussionWorld(t, Config{})
		c := discussionChange(groups.CommentCreated, "org", true)
		c.Comment = nil
		w.tell(t, c)
		assert.Empty(t, w.mail.Messages())
	})
}

func TestGroupDiscussionMailPages(t *testing.T) {
	t.Parallel()
	w, _ := discussionWorld(t, Config{DefaultLocale: "fr", DiscussionPage: func(g, d string) string {
		return "https://forum.example/g/" + g + "/t/" + d
	}})
	w.dir.accounts["acc-alice"].Locale = "tlh" // unsupported: the default
	w.tell(t, discussionChange(groups.DiscussionCreated, "org", false))
	require.Len(t, w.mail.Messages(), 2)
	for _, m := range w.mail.Messages() {
		assert.Contains(t, m.Text, "https://forum.example/g/g1/t/d1\n")
		assert.Contains(t, m.Text, "https://forum.example/g/g1/t/\n")
		assert.Contains(t, m.Text, "Bonjour", m.To)
	}
}

func TestPlainText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		max      int // 0: 1000
	}{
		{"", "", 0},
		{"plain", "plain", 0},
		{"<p>a</p><p>b</p>", "a\n\nb", 0},
		{"a<br>b<br/>c", "a\nb\nc", 0},
		{"<p>  lots   of\n\n spaces </p>", "lots of spaces", 0},
		{"&lt;b&gt; &amp; &#233;", "<b> & é", 0},
		{`<a href="https://x.example/">https://x.example/</a>`, "https://x.example/", 0},
		{`<a href="https://x.example/">x</a>`, "x (https://x.example/)", 0},
		{`<a href="javascript:alert(1)">x</a>`, "x", 0},
		{"<script>alert(1)</script><style>p{}</style>ok", "ok", 0},
		{"<ol><li>one</li><li>two</li></ol>", "- one\n- two", 0},
		{"<p>a</p>\n\n\n<p></p><p>b</p>", "a\n\nb", 0},
		{"a\x00b\x1bc", "abc", 0},
		{"<p>unclosed", "unclosed", 0},
		{strings.Repeat("é", 20), strings.Repeat("é", 9) + "…", 10},
	}
	for _, tt := range tests {
		if tt.max == 0 {
			tt.max = 1000
		}
		assert.Equal(t, tt.want, plainText(tt.in, tt.max), tt.in)
	}
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", `<a href="https://x">y</a>`, "<script>x</script>", "<li>", "&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := plainText(in, 100)
		assert.LessOrEqual(t, len([]rune(out)), 100)
		for _, r := range out {
			assert.False(t, r != '\n' && r < 0x20, "control character %q", r)
		}
		assert.NotContains(t, out, "\n\n\n")
	})
}

// TestGroupDiscussionMailInterval: however many messages a discussion
// gets, local or remote, each account is mailed about it at most once
// per DiscussionMailInterval; other discussions are counted apart, and a
// failed send does not count.
func TestGroupDiscussionMailInterval(t *testing.T) {
	t.Parallel()
	now := testNow
	w, _ := discussionWorld(t, Config{Now: func() time.Time { return now }})
	in := func(discussion string, kind groups.ChangeKind, author string) groups.Change {
		c := discussionChange(kind, author, kind == groups.CommentCreated)
		c.Discussion.ID, c.Comment.DiscussionID = discussion, discussion
		return c
	}
	steps := []struct {
		name   string
		after  time.Duration // since the start
		change groups.Change
		fail   bool
		want   []string
	}{
		{"started", 0, in("d1", groups.DiscussionCreated, "org"), false,
			[]string{"alice@example.net", "zoe@example.net"}},
		{"a reply soon after: only who was not mailed yet", time.Minute, in("d1", groups.CommentCreated, "zoe"), false,
			[]string{"org@example.net"}},
		{"a remote reply: everyone mailed already", 2 * time.Minute, in("d1", groups.CommentCreated, "remote-actor"), false, nil},
		{"another discussion is apart", 2 * time.Minute, in("d2", groups.DiscussionCreated, "org"), false,
			[]string{"alice@example.net", "zoe@example.net"}},
		{"just before the interval", DiscussionMailInterval - time.Second, in("d1", groups.CommentCreated, "remote-actor"), false, nil},
		{"the interval has passed since the first mail", DiscussionMailInterval, in("d1", groups.CommentCreated, "remote-actor"), true,
			nil},
		{"a failed send does not count", DiscussionMailInterval + time.Second, in("d1", groups.CommentCreated, "remote-actor"), false,
			[]string{"alice@example.net", "zoe@example.net"}},
		{"org's interval has passed", DiscussionMailInterval + time.Minute, in("d1", groups.CommentCreated, "remote-actor"), false,
			[]string{"org@example.net"}},
	}
	for _, st := range steps {
		now = testNow.Add(st.after)
		w.mail.Reset()
		if st.fail {
			w.mail.Fail(errors.New("smtp down"))
		}
		w.tell(t, st.change)
		w.mail.Fail(nil)
		assert.Equal(t, st.want, recipients(w.mail), st.name)
	}
}

// TestDiscussionMailMemoryBounded: past MaxDiscussionMailTracked pairs,
// the expired ones are forgotten, then the oldest.
func TestDiscussionMailMemoryBounded(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{})
	fill := func(at func(i int) time.Time) {
		clear(w.n.discSent)
		for i := range MaxDiscussionMailTracked {
			w.n.discSent[discussionMailKey{account: fmt.Sprint("a", i), discussion: "d"}] = at(i)
		}
	}
	// Half of them expired: those go.
	fill(func(i int) time.Time {
		if i%2 == 0 {
			return testNow.Add(-DiscussionMailInterval)
		}
		return testNow.Add(-time.Minute)
	})
	require.True(t, w.n.discussionMailDue("new", "d"))
	assert.Len(t, w.n.discSent, MaxDiscussionMailTracked/2+1)
	assert.False(t, w.n.discussionMailDue("a1", "d"), "the recent ones are kept")
	assert.True(t, w.n.discussionMailDue("a2", "d"), "an expired one may be mailed")

	// None expired: the oldest goes, and the new pair is tracked.
	fill(func(i int) time.Time { return testNow.Add(-time.Minute + time.Duration(i)*time.Millisecond) })
	require.True(t, w.n.discussionMailDue("new", "d"))
	assert.Len(t, w.n.discSent, MaxDiscussionMailTracked)
	assert.NotContains(t, w.n.discSent, discussionMailKey{"a0", "d"})
	assert.False(t, w.n.discussionMailDue("new", "d"))
	assert.False(t, w.n.discussionMailDue("a1", "d"))
}
