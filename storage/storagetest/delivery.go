package storagetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/storage"
)

// QueueHarness makes a fresh, empty delivery queue for one subtest (see
// Harness). When the queue is also a storage.Transactor whose
// transactions implement delivery.Queue, the transactional-outbox cases
// run too.
type QueueHarness func(t *testing.T) delivery.Queue

// RunDelivery runs the conformance suite of delivery.Queue: each case a
// parallel subtest on a fresh queue from newQueue (`go test -run
// 'TestDeliveryConformance/PerHostLimit'` selects one). It checks the
// contract's doc comments and, where they leave room, holds queues to:
//
//   - times come back in UTC with microsecond precision;
//   - Lease returns jobs ordered by (due time, ID), IDs growing in
//     Enqueue order (inboxes in their first order);
//   - Complete, Retry and Bury of an unknown job, of a buried one, or
//     naming an older lease (Attempt) are storage.ErrNotFound and change
//     nothing;
//   - invalid arguments are delivery.ErrInvalid and write nothing;
//   - many goroutines leasing and completing at once deliver every job
//     exactly once.
func RunDelivery(t *testing.T, newQueue QueueHarness) {
	cases := []struct {
		name string
		run  func(t *testing.T, q delivery.Queue)
	}{
		{"EnqueueLeaseComplete", testQueueRoundTrip},
		{"EnqueueRefusesBadInput", testQueueValidation},
		{"EnqueueConflict", testQueueConflict},
		{"EnqueueInRolledBackTxLeavesNothing", testQueueRollback},
		{"EnqueueInCommittedTx", testQueueCommit},
		{"Retry", testQueueRetry},
		{"Bury", testQueueBury},
		{"ExpiredLeaseIsLeasedAgain", testQueueLeaseExpiry},
		{"DueTimeOrder", testQueueOrder},
		{"PerHostLimit", testQueuePerHost},
		{"HostHealth", testQueueHostHealth},
		{"Stats", testQueueStats},
		{"PurgeDead", testQueuePurgeDead},
		{"ConcurrentLeasersNeverShare", testQueueConcurrentLeasers},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, newQueue(t))
		})
	}
}

// t0 is the suite's clock origin.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

const leaseFor = time.Minute

func activity(id string) delivery.Activity {
	return delivery.Activity{
		ID:      "https://local.example/activities/" + id,
		ActorID: "actor-" + id,
		Body:    []byte(`{"id":"https://local.example/activities/` + id + `","type":"Create"}`),
	}
}

func inbox(host, path string) string { return "https://" + host + path }

func lease(t *testing.T, q delivery.Queue, now time.Time, n, perHost int) []delivery.Job {
	t.Helper()
	jobs, err := q.Lease(context.Background(), now, n, leaseFor, perHost)
	require.NoError(t, err)
	return jobs
}

func inboxes(jobs []delivery.Job) []string {
	out := make([]string, len(jobs))
	for i, j := range jobs {
		out[i] = j.Inbox
	}
	return out
}

func enqueue(t *testing.T, q delivery.Queue, now time.Time, a delivery.Activity, to ...string) {
	t.Helper()
	require.NoError(t, q.Enqueue(context.Background(), now, a, to))
}

func stats(t *testing.T, q delivery.Queue, now time.Time) delivery.Stats {
	t.Helper()
	st, err := q.Stats(context.Background(), now)
	require.NoError(t, err)
	return st
}

func testQueueRoundTrip(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	a := activity("1")
	enqueue(t, q, t0, a, inbox("B.example", "/inbox"), inbox("a.example:8443", "/users/x/inbox"), inbox("B.example", "/inbox"))

	jobs := lease(t, q, t0, 10, 0)
	require.Len(t, jobs, 2, "duplicate inboxes make one job")
	want := []delivery.Job{
		{ActivityID: a.ID, ActorID: a.ActorID, Body: a.Body, Inbox: "https://B.example/inbox", Host: "b.example",
			Attempt: 1, CreatedAt: t0.Truncate(time.Microsecond), LeasedUntil: t0.Add(leaseFor).Truncate(time.Microsecond)},
		{ActivityID: a.ID, ActorID: a.ActorID, Body: a.Body, Inbox: "https://a.example:8443/users/x/inbox", Host: "a.example:8443",
			Attempt: 1, CreatedAt: t0.Truncate(time.Microsecond), LeasedUntil: t0.Add(leaseFor).Truncate(time.Microsecond)},
	}
	for i := range jobs {
		want[i].ID = jobs[i].ID
	}
	require.Equal(t, want, jobs)
	assert.Less(t, jobs[0].ID, jobs[1].ID, "IDs grow in inbox order")
	assert.Empty(t, lease(t, q, t0.Add(leaseFor/2), 10, 0), "leased jobs are not leased again")

	require.NoError(t, q.Complete(ctx, jobs[0].ID, 1))
	require.ErrorIs(t, q.Complete(ctx, jobs[0].ID, 1), storage.ErrNotFound, "completed twice")
	require.ErrorIs(t, q.Complete(ctx, jobs[1].ID, 2), storage.ErrNotFound, "another lease's attempt")
	require.ErrorIs(t, q.Complete(ctx, jobs[1].ID+1000, 1), storage.ErrNotFound, "unknown job")
	require.NoError(t, q.Complete(ctx, jobs[1].ID, 1))
	assert.Empty(t, lease(t, q, t0.Add(24*time.Hour), 10, 0))
	st := stats(t, q, t0)
	assert.Zero(t, st.Queued+st.Dead+st.Leased)

	// Once every job is done the activity is gone: its id may come back.
	enqueue(t, q, t0, a, inbox("c.example", "/inbox"))
	require.Len(t, lease(t, q, t0, 10, 0), 1)
}

func testQueueValidation(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	good := activity("1")
	to := []string{inbox("a.example", "/inbox")}
	mod := func(f func(a *delivery.Activity)) delivery.Activity {
		a := good
		f(&a)
		return a
	}
	long := "https://a.example/" + string(make([]byte, delivery.MaxIRIBytes))
	cases := []struct {
		name string
		a    delivery.Activity
		to   []string
	}{
		{"empty id", mod(func(a *delivery.Activity) { a.ID = "" }), to},
		{"long id", mod(func(a *delivery.Activity) { a.ID = long }), to},
		{"empty actor", mod(func(a *delivery.Activity) { a.ActorID = "" }), to},
		{"empty body", mod(func(a *delivery.Activity) { a.Body = nil }), to},
		{"body not JSON", mod(func(a *delivery.Activity) { a.Body = []byte(`{"id":`) }), to},
		{"body an array", mod(func(a *delivery.Activity) { a.Body = []byte(`[1]`) }), to},
		{"body too large", mod(func(a *delivery.Activity) {
			a.Body = []byte(`{"x":"` + strings.Repeat("x", delivery.MaxActivityBytes) + `"}`)
		}), to},
		{"relative inbox", good, []string{"/inbox"}},
		{"ftp inbox", good, []string{"ftp://a.example/inbox"}},
		{"no host", good, []string{"https:///inbox"}},
		{"userinfo", good, []string{"https://u:p@a.example/inbox"}},
		{"fragment", good, []string{"https://a.example/inbox#x"}},
		{"one bad among good", good, []string{inbox("a.example", "/inbox"), "not a url"}},
		{"long inbox", good, []string{long}},
	}
	for _, c := range cases {
		err := q.Enqueue(ctx, t0, c.a, c.to)
		require.ErrorIs(t, err, delivery.ErrInvalid, c.name)
		var ve *delivery.ValidationError
		require.ErrorAs(t, err, &ve, c.name)
		assert.NotEmpty(t, ve.Field, c.name)
	}
	assert.Zero(t, stats(t, q, t0).Queued, "nothing was stored")

	_, err := q.Lease(ctx, t0, -1, leaseFor, 0)
	require.ErrorIs(t, err, delivery.ErrInvalid)
	_, err = q.Lease(ctx, t0, 1, 0, 0)
	require.ErrorIs(t, err, delivery.ErrInvalid)
	_, err = q.HostFailed(ctx, "", t0, delivery.HostRule{ProbeAfter: time.Hour})
	require.ErrorIs(t, err, delivery.ErrInvalid)
	_, err = q.HostFailed(ctx, "a.example", t0, delivery.HostRule{})
	require.ErrorIs(t, err, delivery.ErrInvalid)
	_, err = q.HostFailed(ctx, "a.example", t0, delivery.HostRule{DownAfter: -1, ProbeAfter: time.Hour})
	require.ErrorIs(t, err, delivery.ErrInvalid)
	assert.Empty(t, stats(t, q, t0).FailingHosts)

	// No inboxes: nothing stored, and the id stays free.
	require.NoError(t, q.Enqueue(ctx, t0, good, nil))
	assert.Empty(t, lease(t, q, t0, 10, 0))
	enqueue(t, q, t0, good, to...)
	assert.Len(t, lease(t, q, t0, 10, 0), 1)
}

func testQueueConflict(t *testing.T, q delivery.Queue) {
	a := activity("1")
	enqueue(t, q, t0, a, inbox("a.example", "/inbox"))
	err := q.Enqueue(context.Background(), t0, a, []string{inbox("b.example", "/inbox"), inbox("c.example", "/inbox")})
	require.ErrorIs(t, err, storage.ErrConflict)
	assert.Equal(t, []string{inbox("a.example", "/inbox")}, inboxes(lease(t, q, t0, 10, 0)), "the failed Enqueue stored no job")
}

// txQueue returns q as a Transactor, skipping the test when it is not
// one.
func txQueue(t *testing.T, q delivery.Queue) storage.Transactor {
	t.Helper()
	tr, ok := q.(storage.Transactor)
	if !ok {
		t.Skipf("%T is not a storage.Transactor", q)
	}
	return tr
}

func testQueueRollback(t *testing.T, q delivery.Queue) {
	tr := txQueue(t, q)
	boom := errors.New("domain write failed")
	err := tr.InTx(context.Background(), func(tx storage.Tx) error {
		tq, err := storage.As[delivery.Queue](tx)
		if err != nil {
			return err
		}
		if err := tq.Enqueue(context.Background(), t0, activity("1"), []string{inbox("a.example", "/inbox"), inbox("b.example", "/inbox")}); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)
	assert.Empty(t, lease(t, q, t0.Add(time.Hour), 10, 0), "a rolled back Enqueue leaves no job")
	assert.Zero(t, stats(t, q, t0).Queued)
	// Nor its activity: the id is free.
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/inbox"))
}

func testQueueCommit(t *testing.T, q delivery.Queue) {
	tr := txQueue(t, q)
	require.NoError(t, tr.InTx(context.Background(), func(tx storage.Tx) error {
		tq, err := storage.As[delivery.Queue](tx)
		if err != nil {
			return err
		}
		return tq.Enqueue(context.Background(), t0, activity("1"), []string{inbox("a.example", "/inbox")})
	}))
	assert.Equal(t, []string{inbox("a.example", "/inbox")}, inboxes(lease(t, q, t0, 10, 0)))
}

func testQueueRetry(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/inbox"))
	j := lease(t, q, t0, 1, 0)[0]
	next := t0.Add(time.Hour)
	require.NoError(t, q.Retry(ctx, j.ID, 1, next, "503 Service Unavailable"))
	require.ErrorIs(t, q.Retry(ctx, j.ID, 2, next, "x"), storage.ErrNotFound, "another lease's attempt")
	assert.Empty(t, lease(t, q, next.Add(-time.Microsecond), 1, 0), "not due before next")
	st := stats(t, q, t0)
	assert.Equal(t, 1, st.Queued)
	assert.Zero(t, st.Leased, "Retry releases the lease")

	again := lease(t, q, next, 1, 0)
	require.Len(t, again, 1)
	assert.Equal(t, j.ID, again[0].ID)
	assert.Equal(t, 2, again[0].Attempt)
	assert.Equal(t, "503 Service Unavailable", again[0].LastError)
	assert.Equal(t, j.CreatedAt, again[0].CreatedAt)

	long := "\x00\xff" + strings.Repeat("é", delivery.MaxErrorBytes)
	require.NoError(t, q.Retry(ctx, j.ID, 2, next, long))
	lastErr := lease(t, q, next, 1, 0)[0].LastError
	assert.LessOrEqual(t, len(lastErr), delivery.MaxErrorBytes, "errors are cut")
	assert.Greater(t, len(lastErr), delivery.MaxErrorBytes-4)
	assert.True(t, utf8.ValidString(lastErr))
	assert.NotContains(t, lastErr, "\x00")
}

func testQueueBury(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/inbox"), inbox("b.example", "/inbox"))
	jobs := lease(t, q, t0, 2, 0)
	require.Len(t, jobs, 2)
	require.NoError(t, q.Bury(ctx, t0, jobs[0].ID, 1, "404 Not Found"))
	require.ErrorIs(t, q.Bury(ctx, t0, jobs[0].ID, 1, "again"), storage.ErrNotFound)
	require.ErrorIs(t, q.Complete(ctx, jobs[0].ID, 1), storage.ErrNotFound, "a buried job cannot be completed")
	require.ErrorIs(t, q.Retry(ctx, jobs[0].ID, 1, t0, "x"), storage.ErrNotFound, "nor retried")
	require.ErrorIs(t, q.Bury(ctx, t0, jobs[1].ID, 7, "x"), storage.ErrNotFound, "another lease's attempt")
	require.NoError(t, q.Retry(ctx, jobs[1].ID, 1, t0, "x"))

	got := lease(t, q, t0.Add(1000*time.Hour), 10, 0)
	assert.Equal(t, []string{inbox("b.example", "/inbox")}, inboxes(got), "a buried job is never leased")
	st := stats(t, q, t0)
	assert.Equal(t, 1, st.Dead)
	assert.Equal(t, 1, st.Queued)
}

// testQueueLeaseExpiry is what makes a crash lose nothing: the jobs of a
// worker that died holding them come back when the lease expires.
func testQueueLeaseExpiry(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/inbox"))
	first := lease(t, q, t0, 1, 0)
	require.Len(t, first, 1)
	assert.Empty(t, lease(t, q, t0.Add(leaseFor-time.Microsecond), 1, 0))
	assert.Equal(t, 1, stats(t, q, t0.Add(leaseFor-time.Microsecond)).Leased)
	assert.Zero(t, stats(t, q, t0.Add(leaseFor)).Leased)

	second := lease(t, q, t0.Add(leaseFor), 1, 0)
	require.Len(t, second, 1)
	assert.Equal(t, first[0].ID, second[0].ID)
	assert.Equal(t, 2, second[0].Attempt)
	require.ErrorIs(t, q.Complete(ctx, first[0].ID, 1), storage.ErrNotFound, "the dead worker's lease is fenced off")
	require.NoError(t, q.Complete(ctx, second[0].ID, 2))
	assert.Zero(t, stats(t, q, t0).Queued)
}

func testQueueOrder(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	// a1 at t0 to x, y; a2 at t0+1s to z; a3 at t0-1s (an older clock) to w.
	enqueue(t, q, t0, activity("1"), inbox("x.example", "/inbox"), inbox("y.example", "/inbox"))
	enqueue(t, q, t0.Add(time.Second), activity("2"), inbox("z.example", "/inbox"))
	enqueue(t, q, t0.Add(-time.Second), activity("3"), inbox("w.example", "/inbox"))

	assert.Equal(t, []string{inbox("w.example", "/inbox"), inbox("x.example", "/inbox")},
		inboxes(lease(t, q, t0.Add(time.Second), 2, 0)))
	rest := lease(t, q, t0.Add(time.Second), 10, 0)
	assert.Equal(t, []string{inbox("y.example", "/inbox"), inbox("z.example", "/inbox")}, inboxes(rest))
	// y retried after z's new due time: z comes first.
	require.NoError(t, q.Retry(ctx, rest[0].ID, 1, t0.Add(3*time.Second), ""))
	require.NoError(t, q.Retry(ctx, rest[1].ID, 1, t0.Add(2*time.Second), ""))
	assert.Empty(t, lease(t, q, t0.Add(time.Second), 10, 0), "not due yet")
	assert.Equal(t, []string{inbox("z.example", "/inbox"), inbox("y.example", "/inbox")},
		inboxes(lease(t, q, t0.Add(3*time.Second), 10, 0)))
}

func testQueuePerHost(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	for i := range 5 {
		enqueue(t, q, t0, activity(fmt.Sprint("a", i)), inbox("a.example", "/inbox"))
	}
	enqueue(t, q, t0, activity("b"), inbox("b.example", "/inbox"), inbox("b.example", "/users/1/inbox"), inbox("b.example", "/users/2/inbox"))

	first := lease(t, q, t0, 10, 2)
	hosts := map[string]int{}
	for _, j := range first {
		hosts[j.Host]++
	}
	assert.Equal(t, map[string]int{"a.example": 2, "b.example": 2}, hosts)
	assert.Empty(t, lease(t, q, t0, 10, 2), "leases already held count against the limit")

	require.NoError(t, q.Complete(ctx, first[0].ID, 1)) // an a.example job
	next := lease(t, q, t0, 10, 2)
	require.Len(t, next, 1)
	assert.Equal(t, "a.example", next[0].Host)

	// Expired leases do not count; no limit with perHost <= 0.
	later := t0.Add(leaseFor)
	all := lease(t, q, later, 10, 0)
	assert.Len(t, all, 7)
}

func testQueueHostHealth(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	rule := delivery.HostRule{DownAfter: 2 * time.Hour, ProbeAfter: 30 * time.Minute}
	enqueue(t, q, t0, activity("1"), inbox("dead.example", "/inbox"), inbox("ok.example", "/inbox"))

	h, err := q.HostFailed(ctx, "dead.example", t0, rule)
	require.NoError(t, err)
	assert.Equal(t, delivery.Host{Name: "dead.example", FailingSince: t0.Truncate(time.Microsecond),
		LastFailure: t0.Truncate(time.Microsecond), Failures: 1}, h)
	jobs := lease(t, q, t0, 10, 0)
	require.Len(t, jobs, 2)
	failing := map[string]bool{}
	for _, j := range jobs {
		failing[j.Host] = j.HostFailing
		require.NoError(t, q.Retry(ctx, j.ID, j.Attempt, t0.Add(time.Minute), "x"))
	}
	assert.Equal(t, map[string]bool{"dead.example": true, "ok.example": false}, failing)

	// Failing for less than DownAfter: not down.
	h, err = q.HostFailed(ctx, "dead.example", t0.Add(time.Hour), rule)
	require.NoError(t, err)
	assert.Equal(t, 2, h.Failures)
	assert.True(t, h.DownUntil.IsZero())
	// Failing for DownAfter: down until ProbeAfter later.
	downAt := t0.Add(rule.DownAfter)
	h, err = q.HostFailed(ctx, "dead.example", downAt, rule)
	require.NoError(t, err)
	assert.Equal(t, 3, h.Failures)
	assert.Equal(t, t0.Truncate(time.Microsecond), h.FailingSince)
	assert.Equal(t, downAt.Add(rule.ProbeAfter).Truncate(time.Microsecond), h.DownUntil)

	st := stats(t, q, downAt)
	assert.Equal(t, 1, st.DownHosts)
	require.Len(t, st.FailingHosts, 1)
	assert.Equal(t, h, st.FailingHosts[0])

	got := lease(t, q, downAt, 10, 0)
	assert.Equal(t, []string{inbox("ok.example", "/inbox")}, inboxes(got), "a down host's jobs are skipped")
	require.NoError(t, q.Complete(ctx, got[0].ID, got[0].Attempt))
	probe := lease(t, q, h.DownUntil, 10, 0)
	assert.Equal(t, []string{inbox("dead.example", "/inbox")}, inboxes(probe), "leased again at probe time")
	assert.True(t, probe[0].HostFailing)

	require.NoError(t, q.HostSucceeded(ctx, "dead.example"))
	require.NoError(t, q.HostSucceeded(ctx, "never-failed.example"))
	st = stats(t, q, h.DownUntil)
	assert.Empty(t, st.FailingHosts)
	assert.Zero(t, st.DownHosts)
	// A new run of failures starts afresh.
	h, err = q.HostFailed(ctx, "dead.example", h.DownUntil, rule)
	require.NoError(t, err)
	assert.Equal(t, 1, h.Failures)
	assert.True(t, h.DownUntil.IsZero())

	// DownAfter 0: down at the first failure.
	h, err = q.HostFailed(ctx, "flaky.example", t0, delivery.HostRule{ProbeAfter: time.Minute})
	require.NoError(t, err)
	assert.Equal(t, t0.Add(time.Minute).Truncate(time.Microsecond), h.DownUntil)
}

func testQueueStats(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/1"), inbox("a.example", "/2"), inbox("b.example", "/1"), inbox("c.example", "/1"))
	jobs := lease(t, q, t0, 2, 0)
	require.NoError(t, q.Bury(ctx, t0, jobs[0].ID, 1, "gone"))
	for i, h := range []string{"b.example", "a.example"} {
		_, err := q.HostFailed(ctx, h, t0.Add(time.Duration(i)*time.Second), delivery.HostRule{DownAfter: time.Hour, ProbeAfter: time.Hour})
		require.NoError(t, err)
	}
	st := stats(t, q, t0)
	assert.Equal(t, 3, st.Queued)
	assert.Equal(t, 1, st.Leased)
	assert.Equal(t, 2, st.Due)
	assert.Equal(t, 1, st.Dead)
	assert.Zero(t, st.DownHosts)
	require.Len(t, st.FailingHosts, 2)
	assert.Equal(t, "b.example", st.FailingHosts[0].Name, "longest failing first")
	assert.Equal(t, "a.example", st.FailingHosts[1].Name)
}

// Sizes of ConcurrentLeasersNeverShare.
const (
	queueJobs     = 240
	queueLeasers  = 12
	queueLeaseMax = 7
)

func testQueueConcurrentLeasers(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	to := make([]string, queueJobs)
	for i := range to {
		to[i] = inbox(fmt.Sprintf("h%d.example", i%20), fmt.Sprintf("/users/%d/inbox", i))
	}
	enqueue(t, q, t0, activity("1"), to...)

	var mu sync.Mutex
	got := map[int64]int{}
	errs := parallel(queueLeasers, func(int) error {
		for {
			jobs, err := q.Lease(ctx, t0, queueLeaseMax, time.Hour, 0)
			if err != nil {
				return err
			}
			if len(jobs) == 0 {
				return nil
			}
			for _, j := range jobs {
				mu.Lock()
				got[j.ID]++
				mu.Unlock()
				if err := q.Complete(ctx, j.ID, j.Attempt); err != nil {
					return err
				}
			}
		}
	})
	requireNoErrors(t, errs)
	require.Len(t, got, queueJobs, "every job was leased")
	for id, n := range got {
		require.Equal(t, 1, n, "job %d leased %d times", id, n)
	}
	assert.Zero(t, stats(t, q, t0).Queued)
	// The concurrent completions dropped the activity with its last job.
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/inbox"))
}

func testQueuePurgeDead(t *testing.T, q delivery.Queue) {
	ctx := context.Background()
	enqueue(t, q, t0, activity("1"), inbox("a.example", "/inbox"), inbox("b.example", "/inbox"))
	enqueue(t, q, t0, activity("2"), inbox("c.example", "/inbox"))
	jobs := lease(t, q, t0, 10, 0)
	require.Len(t, jobs, 3)
	require.NoError(t, q.Bury(ctx, t0, jobs[0].ID, 1, "old"))                   // a, activity 1
	require.NoError(t, q.Bury(ctx, t0.Add(time.Hour), jobs[2].ID, 1, "recent")) // c, activity 2
	require.NoError(t, q.Retry(ctx, jobs[1].ID, 1, t0, ""))                     // b stays queued

	n, err := q.PurgeDead(ctx, t0.Add(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	st := stats(t, q, t0)
	assert.Equal(t, 1, st.Dead, "the recent dead letter stays")
	assert.Equal(t, 1, st.Queued)
	// Activity 1 is still needed by b's job: Enqueue of its id conflicts.
	require.ErrorIs(t, q.Enqueue(ctx, t0, activity("1"), []string{inbox("d.example", "/inbox")}), storage.ErrConflict)
	again := lease(t, q, t0, 10, 0)
	require.Len(t, again, 1)
	assert.Equal(t, activity("1").Body, again[0].Body)

	n, err = q.PurgeDead(ctx, t0.Add(2*time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Zero(t, stats(t, q, t0).Dead)
	// Activity 2 had no job left: its id is free again.
	enqueue(t, q, t0, activity("2"), inbox("c.example", "/inbox"))
}

// RunDeliveryShared checks that several handles on one database (as
// several server processes have) share its queue: leasers spread over
// the handles never get the same job and together deliver every job
// once. open returns at least two handles on one fresh database.
func RunDeliveryShared(t *testing.T, open func(t *testing.T) []delivery.Queue) {
	qs := open(t)
	require.GreaterOrEqual(t, len(qs), 2, "RunDeliveryShared needs several handles")
	ctx := context.Background()
	to := make([]string, queueJobs)
	for i := range to {
		to[i] = inbox(fmt.Sprintf("h%d.example", i%20), fmt.Sprintf("/users/%d/inbox", i))
	}
	enqueue(t, qs[0], t0, activity("1"), to...)

	var mu sync.Mutex
	got := map[int64]int{}
	errs := parallel(queueLeasers, func(i int) error {
		q := qs[i%len(qs)]
		for {
			jobs, err := q.Lease(ctx, t0, queueLeaseMax, time.Hour, 0)
			if err != nil {
				return err
			}
			if len(jobs) == 0 {
				return nil
			}
			for _, j := range jobs {
				mu.Lock()
				got[j.ID]++
				mu.Unlock()
				if err := q.Complete(ctx, j.ID, j.Attempt); err != nil {
					return err
				}
			}
		}
	})
	requireNoErrors(t, errs)
	require.Len(t, got, queueJobs, "every job was leased")
	for id, n := range got {
		require.Equal(t, 1, n, "job %d leased %d times", id, n)
	}
	for _, q := range qs {
		assert.Zero(t, stats(t, q, t0).Queued)
	}
	enqueue(t, qs[1], t0, activity("1"), inbox("a.example", "/inbox"))
}
