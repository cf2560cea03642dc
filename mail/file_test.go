package mail

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stepClock returns a clock that moves one second per call.
func stepClock() func() time.Time {
	t := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func TestFileOutbox(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "mail")
	o, err := NewFileOutbox(dir, stepClock())
	require.NoError(t, err)
	require.NoError(t, o.SetFrom("Events <events@example.org>"))
	ctx := context.Background()

	for i := range 3 {
		require.NoError(t, o.Send(ctx, Message{To: "a" + strconv.Itoa(i) + "@example.net", Subject: "Réunion " + strconv.Itoa(i),
			Kind: "event.updated", Text: "Bonjour " + strconv.Itoa(i) + "\n",
			Attachments: []Attachment{{Name: "event.ics", ContentType: "text/calendar", Data: []byte("X")}}}))
	}
	list, err := o.List(ctx, 0)
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, "Réunion 2", list[0].Subject, "newest first")
	assert.Equal(t, "<a2@example.net>", list[0].To)
	assert.Equal(t, "event.updated", list[0].Kind)
	assert.Equal(t, time.Date(2026, 3, 14, 9, 0, 3, 0, time.UTC), list[0].Time)
	assert.Equal(t, "Réunion 0", list[2].Subject)

	two, err := o.List(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, list[:2], two)

	assert.Empty(t, list[0].ListUnsubscribe)

	st, err := o.Read(list[1].Name)
	require.NoError(t, err)
	assert.Equal(t, "Bonjour 1\n", st.Text)
	assert.Equal(t, list[1], st.Entry)
	assert.Contains(t, string(st.Raw), "From: \"Events\" <events@example.org>\r\n")

	// Permissions: the links in these files are secrets.
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o700), fi.Mode().Perm())
	fi, err = os.Stat(filepath.Join(dir, list[0].Name))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o600), fi.Mode().Perm())
}

func TestFileOutboxListUnsubscribe(t *testing.T) {
	t.Parallel()
	o, err := NewFileOutbox(t.TempDir(), stepClock())
	require.NoError(t, err)
	ctx := context.Background()
	link := "https://events.example/unsubscribe/discussions?t=a1.p1.g1.1800000000.mac"
	require.NoError(t, o.Send(ctx, Message{To: "a@example.net", Subject: "s", Kind: "group.discussion", Text: "t", ListUnsubscribe: link}))
	err = o.Send(ctx, Message{To: "a@example.net", Subject: "s", Text: "t", ListUnsubscribe: "ftp://events.example/u"})
	require.ErrorIs(t, err, ErrInvalid)

	list, err := o.List(ctx, 0)
	require.NoError(t, err)
	require.Len(t, list, 1, "nothing written for the bad URL")
	assert.Equal(t, link, list[0].ListUnsubscribe)
	st, err := o.Read(list[0].Name)
	require.NoError(t, err)
	assert.Equal(t, link, st.ListUnsubscribe)
	// The file keeps the headers readable, as SMTP would send them.
	assert.Contains(t, string(st.Raw), "\r\nList-Unsubscribe: <"+link+">\r\n")
	assert.Contains(t, string(st.Raw), "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
}

func TestFileOutboxRefuses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o, err := NewFileOutbox(dir, nil)
	require.NoError(t, err)
	err = o.Send(context.Background(), Message{To: "a@example.net", Subject: "x\r\nBcc: v@example.com", Text: "t"})
	require.True(t, errors.Is(err, ErrInvalid), "%v", err)
	require.True(t, errors.Is(o.SetFrom("a@example.org\nBcc: v@example.com"), ErrInvalid))
	des, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, des, "nothing written")

	for _, name := range []string{"", "../x.eml", "/etc/passwd", ".tmp-1", "20260314T090001.000000000Z-0123456789abcdef.eml/.."} {
		_, err := o.Read(name)
		assert.True(t, errors.Is(err, ErrInvalid), "%q: %v", name, err)
	}
	_, err = o.Read("20260314T090001.000000000Z-0123456789abcdef.eml")
	assert.True(t, errors.Is(err, fs.ErrNotExist), "%v", err)

	_, err = NewFileOutbox("", nil)
	require.Error(t, err)
}

func TestFileOutboxBounded(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	o, err := NewFileOutbox(dir, stepClock())
	require.NoError(t, err)
	o.max = 3
	// A foreign file is neither listed nor deleted.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o600))
	for i := range 5 {
		require.NoError(t, o.Send(context.Background(), Message{To: "a@example.net", Subject: strconv.Itoa(i), Text: "t"}))
	}
	list, err := o.List(context.Background(), 10)
	require.NoError(t, err)
	var subjects []string
	for _, e := range list {
		subjects = append(subjects, e.Subject)
	}
	assert.Equal(t, []string{"4", "3", "2"}, subjects, "the oldest are deleted")
	_, err = os.Stat(filepath.Join(dir, "notes.txt"))
	assert.NoError(t, err)
}
