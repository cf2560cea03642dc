package mail

import (
	"bytes"
	"errors"
	"flag"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var testDate = time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("CET", 3600))

func testFrom(t testing.TB) *mail.Address {
	a, err := mail.ParseAddress("Convene <events@example.org>")
	require.NoError(t, err)
	return a
}

func TestComposeGolden(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("Réunion du comité de quartier ", 5)
	tests := []struct {
		name string
		m    Message
	}{
		{"text", Message{To: "alice@example.net", Subject: "Confirm your account", Kind: "account.confirm",
			Text: "Hello,\n\nOpen https://events.example/confirm?t=abc\n"}},
		{"text-utf8-long-subject", Message{To: "Zoé <zoe@example.net>", Subject: long, Kind: "event.updated",
			Text: "Bonjour,\nL’événement a changé. Une ligne très longue " + strings.Repeat("xyz ", 40) + "\n"}},
		{"html", Message{To: "bob@example.net", Subject: "Hi", Text: "plain\n", HTML: "<p>html</p>"}},
		{"attachment", Message{To: "bob@example.net", Subject: "Event", Kind: "event.reminder", Text: "see attached\n",
			Attachments: []Attachment{{Name: "event.ics", ContentType: "text/calendar; charset=utf-8; method=PUBLISH",
				Data: []byte("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n")}}}},
		{"html-attachment", Message{To: "bob@example.net", Subject: "Both", Text: "plain\n", HTML: "<p>html</p>",
			Attachments: []Attachment{{Name: "café.ics", ContentType: "text/calendar", Data: bytes.Repeat([]byte{0, 1, 2, 250}, 40)}}}},
		{"list-unsubscribe", Message{To: "bob@example.net", Subject: "[Repair] Budget", Kind: "group.discussion", Text: "news\n",
			ListUnsubscribe: "https://events.example/unsubscribe/discussions?t=a1.p1.g1.1800000000.mac_-x" + strings.Repeat("y", 100)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, env, err := compose(tt.m, testFrom(t), testDate, "0123456789abcdef0123456789abcdef")
			require.NoError(t, err)
			assert.Equal(t, "events@example.org", env.from)
			golden := filepath.Join("testdata", tt.name+".eml")
			if *update {
				require.NoError(t, os.WriteFile(golden, got, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))

			// Every line ends in CRLF and fits in 998 octets.
			for _, line := range strings.SplitAfter(string(got), "\n") {
				if line == "" {
					continue
				}
				assert.True(t, strings.HasSuffix(line, "\r\n"), "bare LF in %q", line)
				assert.LessOrEqual(t, len(line), 1000)
			}
			// It reads back: subject and text as given.
			msg, err := mail.ReadMessage(bytes.NewReader(got))
			require.NoError(t, err)
			subject, err := new(mimeWordDecoder).DecodeHeader(msg.Header.Get("Subject"))
			require.NoError(t, err)
			assert.Equal(t, tt.m.Subject, subject)
			text, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
			require.NoError(t, err)
			assert.Equal(t, tt.m.Text, text)
			assert.Equal(t, "<0123456789abcdef0123456789abcdef@example.org>", msg.Header.Get("Message-ID"))
			assert.Equal(t, "Sat, 14 Mar 2026 09:30:00 +0100", msg.Header.Get("Date"))
			assert.Equal(t, tt.m.Kind, msg.Header.Get(KindHeader))
			if tt.m.ListUnsubscribe != "" {
				assert.Equal(t, "<"+tt.m.ListUnsubscribe+">", msg.Header.Get("List-Unsubscribe"))
				assert.Equal(t, "List-Unsubscribe=One-Click", msg.Header.Get("List-Unsubscribe-Post"))
			} else {
				assert.NotContains(t, string(got), "List-Unsubscribe")
			}
		})
	}
}

func TestComposeRefuses(t *testing.T) {
	t.Parallel()
	ok := Message{To: "a@example.net", Subject: "s", Text: "t"}
	tests := []struct {
		name   string
		change func(m *Message)
	}{
		{"no recipient", func(m *Message) { m.To = "" }},
		{"two recipients", func(m *Message) { m.To = "a@example.net, b@example.net" }},
		{"CRLF in To", func(m *Message) { m.To = "a@example.net\r\nBcc: victim@example.com" }},
		{"LF in To name", func(m *Message) { m.To = "\"x\ny\" <a@example.net>" }},
		{"CRLF in Subject", func(m *Message) { m.Subject = "hi\r\nBcc: victim@example.com" }},
		{"LF in Subject", func(m *Message) { m.Subject = "hi\nX-Evil: 1" }},
		{"CR in Subject", func(m *Message) { m.Subject = "hi\rX-Evil: 1" }},
		{"NUL in Subject", func(m *Message) { m.Subject = "hi\x00" }},
		{"LF in Kind", func(m *Message) { m.Kind = "a\nBcc: x@example.com" }},
		{"long subject", func(m *Message) { m.Subject = strings.Repeat("a", MaxSubjectBytes+1) }},
		{"bad UTF-8 subject", func(m *Message) { m.Subject = "\xff" }},
		{"empty text", func(m *Message) { m.Text = " \n" }},
		{"CRLF in attachment name", func(m *Message) {
			m.Attachments = []Attachment{{Name: "a.ics\r\nX-Evil: 1", ContentType: "text/calendar"}}
		}},
		{"path in attachment name", func(m *Message) {
			m.Attachments = []Attachment{{Name: "../a.ics", ContentType: "text/calendar"}}
		}},
		{"CRLF in content type", func(m *Message) {
			m.Attachments = []Attachment{{Name: "a.ics", ContentType: "text/calendar\r\nX-Evil: 1"}}
		}},
		{"bad content type", func(m *Message) { m.Attachments = []Attachment{{Name: "a.ics", ContentType: "; ;"}} }},
		{"too many attachments", func(m *Message) {
			m.Attachments = make([]Attachment, MaxAttachments+1)
			for i := range m.Attachments {
				m.Attachments[i] = Attachment{Name: "a", ContentType: "text/plain"}
			}
		}},
		{"CRLF in ListUnsubscribe", func(m *Message) {
			m.ListUnsubscribe = "https://events.example/u?t=1\r\nBcc: victim@example.com"
		}},
		{"LF in ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https://events.example/u\nX-Evil: 1" }},
		{"CR in ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https://events.example/u\rX-Evil: 1" }},
		{"space in ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https://events.example/u v" }},
		{"> in ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https://events.example/u>, <mailto:x@evil.example" }},
		{"non-ASCII ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https://events.example/désabonner" }},
		{"mailto ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "mailto:unsub@events.example" }},
		{"javascript ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "javascript:alert(1)" }},
		{"relative ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "/unsubscribe?t=x" }},
		{"hostless ListUnsubscribe", func(m *Message) { m.ListUnsubscribe = "https:///unsubscribe" }},
		{"long ListUnsubscribe", func(m *Message) {
			m.ListUnsubscribe = "https://events.example/u?t=" + strings.Repeat("a", MaxListUnsubscribeBytes)
		}},
		{"too large", func(m *Message) {
			m.Attachments = []Attachment{{Name: "a", ContentType: "application/octet-stream", Data: make([]byte, MaxMessageBytes)}}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := ok
			tt.change(&m)
			_, _, err := compose(m, testFrom(t), testDate, "x")
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid), "%v", err)
		})
	}
	_, _, err := compose(ok, testFrom(t), testDate, "x")
	require.NoError(t, err, "the base message is valid")
	for _, u := range []string{"http://localhost:8080/unsubscribe/discussions?t=a.b.c.1.x", "https://events.example/u"} {
		m := ok
		m.ListUnsubscribe = u
		_, _, err := compose(m, testFrom(t), testDate, "x")
		require.NoError(t, err, u)
	}
}

// FuzzListUnsubscribe checks that no ListUnsubscribe value gets out of
// its header: compose refuses it, or the message has exactly the two
// headers, with the URL whole.
func FuzzListUnsubscribe(f *testing.F) {
	f.Add("https://events.example/u?t=x")
	f.Add("https://events.example/u\r\nBcc: x@example.com")
	f.Add("https://e.example/u>, <mailto:x@evil.example>")
	from, _ := mail.ParseAddress("events@example.org")
	f.Fuzz(func(t *testing.T, u string) {
		m := Message{To: "a@example.net", Subject: "s", Text: "t", ListUnsubscribe: u}
		out, _, err := compose(m, from, testDate, "tok")
		if u == "" {
			require.NoError(t, err)
			return
		}
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(out))
		require.NoError(t, err)
		assert.Len(t, msg.Header, 11)
		assert.Equal(t, []string{"<" + u + ">"}, msg.Header["List-Unsubscribe"])
		assert.Equal(t, []string{"List-Unsubscribe=One-Click"}, msg.Header["List-Unsubscribe-Post"])
	})
}

func TestFold(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "short", fold(9, "short"))
	long := strings.Repeat("word ", 30)
	got := fold(9, long)
	for _, line := range strings.Split(got, "\r\n") {
		assert.LessOrEqual(t, len(line), 78)
	}
	assert.Equal(t, long, strings.ReplaceAll(got, "\r\n", ""), "folding only inserts CRLF before a space")
}

// FuzzCompose checks that no subject, recipient or body gets out of its
// header or part: either compose refuses it, or the message reads back
// with the same subject and text and no extra header.
func FuzzCompose(f *testing.F) {
	f.Add("a@example.net", "Hello", "text")
	f.Add("a@example.net", "hi\r\nBcc: x@example.com", "text\r\n.\r\n")
	f.Add("\"x\" <a@example.net>", "=?utf-8?q?x?=", "=41\n")
	from, _ := mail.ParseAddress("events@example.org")
	f.Fuzz(func(t *testing.T, to, subject, text string) {
		m := Message{To: to, Subject: subject, Text: text}
		out, _, err := compose(m, from, testDate, "tok")
		if err != nil {
			require.ErrorIs(t, err, ErrInvalid)
			return
		}
		msg, err := mail.ReadMessage(bytes.NewReader(out))
		require.NoError(t, err)
		assert.Len(t, msg.Header, 9, "From To Subject Date Message-ID MIME-Version Auto-Submitted Content-Type Content-Transfer-Encoding")
		got, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
		require.NoError(t, err)
		want := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		assert.Equal(t, want, got)
	})
}
