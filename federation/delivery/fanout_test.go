package delivery_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
)

func TestInboxes(t *testing.T) {
	t.Parallel()
	const public = "https://www.w3.org/ns/activitystreams#Public"
	alice := delivery.Recipient{ID: "https://m.example/users/alice", Inbox: "https://m.example/users/alice/inbox", SharedInbox: "https://m.example/inbox"}
	bob := delivery.Recipient{ID: "https://m.example/users/bob", Inbox: "https://m.example/users/bob/inbox", SharedInbox: "https://m.example/inbox"}
	carol := delivery.Recipient{ID: "https://solo.example/carol", Inbox: "https://solo.example/carol/inbox"}
	dave := delivery.Recipient{ID: "https://g.example/@dave", Inbox: "https://g.example/@dave/inbox", SharedInbox: "https://g.example/inbox"}
	me := delivery.Recipient{ID: "https://local.example/@me", Inbox: "https://local.example/@me/inbox", SharedInbox: "https://local.example/inbox"}
	// A remote actor whose shared inbox sits on our host (nonsense, or an
	// attack): never POSTed to ourselves.
	odd := delivery.Recipient{ID: "https://odd.example/u", Inbox: "https://odd.example/u/inbox", SharedInbox: "https://LOCAL.example/inbox"}
	all := []delivery.Recipient{alice, bob, carol, dave, me, odd}

	cases := []struct {
		name           string
		addr           delivery.Addressing
		want, unresolv []string
	}{
		{"shared inbox preferred, deduplicated",
			delivery.Addressing{To: []string{public}, CC: []string{alice.ID, bob.ID, carol.ID}},
			[]string{"https://m.example/inbox", "https://solo.example/carol/inbox"}, nil},
		{"bto and bcc recipients get it too",
			delivery.Addressing{To: []string{alice.ID}, BTo: []string{dave.ID}, BCC: []string{carol.ID}},
			[]string{"https://m.example/inbox", "https://g.example/inbox", "https://solo.example/carol/inbox"}, nil},
		{"never public, never ourselves",
			delivery.Addressing{To: []string{public, "as:Public", "Public", me.ID, "https://local.example/@me/followers"}, CC: []string{odd.ID}},
			nil, nil},
		{"audience and duplicates",
			delivery.Addressing{To: []string{dave.ID}, CC: []string{dave.ID}, Audience: []string{dave.ID}},
			[]string{"https://g.example/inbox"}, nil},
		{"unknown actors and unexpanded remote collections are returned",
			delivery.Addressing{To: []string{"https://x.example/users/zed", alice.ID}, CC: []string{"https://m.example/users/alice/followers", ""}},
			[]string{"https://m.example/inbox"}, []string{"https://x.example/users/zed", "https://m.example/users/alice/followers"}},
		{"nothing", delivery.Addressing{}, nil, nil},
	}
	for _, c := range cases {
		got, unresolved := delivery.Inboxes(c.addr, all, []string{"local.example"})
		assert.Equal(t, c.want, got, c.name)
		assert.Equal(t, c.unresolv, unresolved, c.name)
	}
}

// TestInboxesOnePOSTPerServer: 10,000 followers on 1,000 servers with
// shared inboxes, plus 50 on servers without: 1,050 inboxes.
func TestInboxesOnePOSTPerServer(t *testing.T) {
	t.Parallel()
	addr, recipients := followers(10_000, 1_000)
	for i := range 50 {
		r := delivery.Recipient{ID: fmt.Sprintf("https://tiny%d.example/u", i), Inbox: fmt.Sprintf("https://tiny%d.example/u/inbox", i)}
		recipients = append(recipients, r)
		addr.CC = append(addr.CC, r.ID)
	}
	got, unresolved := delivery.Inboxes(addr, recipients, []string{"local.example"})
	assert.Len(t, got, 1_050)
	assert.Empty(t, unresolved)
}

// followers makes n followers spread over hosts servers with shared
// inboxes, addressed in cc (a followers collection expanded).
func followers(n, hosts int) (delivery.Addressing, []delivery.Recipient) {
	addr := delivery.Addressing{To: []string{"https://www.w3.org/ns/activitystreams#Public"}}
	rs := make([]delivery.Recipient, n)
	for i := range rs {
		host := fmt.Sprintf("s%d.example", i%hosts)
		rs[i] = delivery.Recipient{
			ID:          fmt.Sprintf("https://%s/users/%d", host, i),
			Inbox:       fmt.Sprintf("https://%s/users/%d/inbox", host, i),
			SharedInbox: "https://" + host + "/inbox",
		}
		addr.CC = append(addr.CC, rs[i].ID)
	}
	return addr, rs
}

func TestStripHidden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, want string
	}{
		{"untouched without bto or bcc", `{"type":"Create", "to":["a"],"content":"<p>x</p>"}`, `{"type":"Create", "to":["a"],"content":"<p>x</p>"}`},
		{"top level", `{"type":"Create","bto":["a"],"bcc":["b"],"to":["c"]}`, `{"to":["c"],"type":"Create"}`},
		{"embedded object", `{"type":"Create","object":{"type":"Note","bcc":["b"],"content":"<p>&</p>"}}`,
			`{"object":{"content":"<p>&</p>","type":"Note"},"type":"Create"}`},
		{"object by reference", `{"type":"Announce","object":"https://x.example/1","bto":["z"]}`, `{"object":"https://x.example/1","type":"Announce"}`},
		{"bcc only in a string value", `{"type":"Note","content":"\"bcc\""}`, `{"type":"Note","content":"\"bcc\""}`},
	}
	for _, c := range cases {
		got, err := delivery.StripHidden([]byte(c.in))
		require.NoError(t, err, c.name)
		assert.Equal(t, c.want, string(got), c.name)
	}
	_, err := delivery.StripHidden([]byte(`{"bcc":[`))
	assert.Error(t, err)
}
