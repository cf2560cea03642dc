package notify

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/events"
)

func TestRemind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	state := t.TempDir()
	w := newWorld(t, Config{StateDir: state})
	soon := w.event // begins 25h after testNow: outside the lead
	w.events.single = []events.Event{soon}
	require.NoError(t, w.n.Remind(ctx))
	assert.Zero(t, w.mail.Len(), "not yet within ReminderLead")

	// Two hours later it is within 24 hours; a draft and a cancelled
	// event are not reminded.
	now := testNow.Add(2 * time.Hour)
	w.n.now = func() time.Time { return now }
	draft, cancelled := soon, soon
	draft.ID, draft.Draft = "draft", true
	cancelled.ID, cancelled.Status = "cancelled", events.Cancelled
	w.events.parts["draft"] = w.events.parts["ev1"]
	w.events.parts["cancelled"] = w.events.parts["ev1"]
	w.events.single = []events.Event{soon, draft, cancelled}
	require.NoError(t, w.n.Remind(ctx))
	// org (organizer) too, this time: reminders go to everyone taking part.
	assert.Equal(t, []string{"alice@example.net", "anon@example.net", "org@example.net", "zoe@example.net"}, recipients(w.mail))
	m := w.mail.Messages()[0]
	assert.Equal(t, string(EventReminder), m.Kind)
	require.Len(t, m.Attachments, 1)

	// Once only, also across a restart.
	require.NoError(t, w.n.Remind(ctx))
	assert.Equal(t, 4, w.mail.Len())
	fi, err := os.Stat(filepath.Join(state, StateFile))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	again := newWorld(t, Config{StateDir: state, Now: func() time.Time { return now }})
	again.events.single = []events.Event{soon}
	require.NoError(t, again.n.Remind(ctx))
	assert.Zero(t, again.mail.Len(), "remembered in the state file")
}

func TestRemindSeries(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	series := w.event
	series.BeginsAt = time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC) // Sundays at 14:00 Paris
	series.EndsAt = series.BeginsAt.Add(2 * time.Hour)
	series.Recurrence = "FREQ=WEEKLY"
	w.events.series = []events.Event{series}
	w.n.now = func() time.Time { return time.Date(2026, 3, 14, 14, 0, 0, 0, time.UTC) } // Saturday
	require.NoError(t, w.n.Remind(ctx))
	require.Equal(t, 4, w.mail.Len())
	for _, m := range w.mail.Messages() {
		if m.To == "zoe@example.net" {
			assert.Contains(t, m.Subject, "dimanche 15 mars 2026, 14:00–16:00", "the occurrence, not the first one")
		}
	}
	require.NoError(t, w.n.Remind(ctx))
	assert.Equal(t, 4, w.mail.Len())
	// A week later, the next occurrence.
	w.n.now = func() time.Time { return time.Date(2026, 3, 21, 14, 0, 0, 0, time.UTC) }
	require.NoError(t, w.n.Remind(ctx))
	assert.Equal(t, 8, w.mail.Len())
}

func TestRemindRetriesWhenEverySendFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	w := newWorld(t, Config{})
	w.events.single = []events.Event{w.event}
	w.n.now = func() time.Time { return testNow.Add(2 * time.Hour) }
	boom := errors.New("smtp down")
	w.mail.Fail(boom)
	require.ErrorIs(t, w.n.Remind(ctx), boom)
	w.mail.Fail(nil)
	require.NoError(t, w.n.Remind(ctx))
	assert.Equal(t, 4, w.mail.Len(), "sent at the next pass")
}

func TestRemindedBounded(t *testing.T) {
	t.Parallel()
	r := &reminded{sent: map[string]time.Time{}}
	for i := range MaxRemembered + 10 {
		r.add(occurrenceKey("e", testNow.Add(time.Duration(i)*time.Minute)), testNow.Add(time.Duration(i)*time.Minute))
	}
	r.add("old", testNow.Add(-72*time.Hour))
	r.prune(testNow)
	assert.Len(t, r.sent, MaxRemembered)
	assert.False(t, r.has("old"))
	assert.False(t, r.has(occurrenceKey("e", testNow)), "the earliest are forgotten first")
	assert.True(t, r.has(occurrenceKey("e", testNow.Add(time.Duration(MaxRemembered+9)*time.Minute))))
}

func TestRemindersOff(t *testing.T) {
	t.Parallel()
	w := newWorld(t, Config{ReminderLead: -1})
	w.events.single = []events.Event{w.event}
	w.n.now = func() time.Time { return testNow.Add(2 * time.Hour) }
	require.NoError(t, w.n.Remind(context.Background()))
	assert.Zero(t, w.mail.Len())
}
