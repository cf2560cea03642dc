package delivery

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"codeberg.org/convene/convene/internal/fielderr"
)

// Limits of what Enqueue accepts.
const (
	// MaxActivityBytes bounds an activity's JSON body: peers refuse
	// larger inbox POSTs (Convene's own inbox takes at most 1 MiB).
	MaxActivityBytes = 1 << 20
	// MaxIRIBytes bounds an activity id, an actor id and an inbox URL.
	MaxIRIBytes = 2048
	// MaxInboxes bounds the inboxes of one Enqueue (after
	// deduplication): one per remote server is the usual count.
	MaxInboxes = 100_000
	// MaxErrorBytes bounds the last error a job keeps; longer texts are
	// cut.
	MaxErrorBytes = 1024
	// MaxStatsHosts bounds Stats.FailingHosts.
	MaxStatsHosts = 100
)

// ErrInvalid is matched (errors.Is) by every *ValidationError: an
// argument of a Queue method was refused and nothing was written.
var ErrInvalid = fielderr.ErrInvalid

// ValidationError says which argument was refused and why.
type ValidationError = fielderr.Error

func invalid(field, format string, args ...any) error {
	return fielderr.New(field, format, args...)
}

// Activity is what is delivered: an ActivityStreams document, already
// serialized (bto and bcc removed, see StripHidden), and the local actor
// that signs its POSTs.
type Activity struct {
	// ID is the activity's IRI; unique in the queue. Required.
	ID string
	// ActorID names the local actor whose key signs the POSTs, as the
	// worker's Signers understand it. Required.
	ActorID string
	// Body is the JSON object POSTed, byte for byte. Required.
	Body []byte
}

// Validate checks a's fields against the limits of this package.
func (a Activity) Validate() error {
	switch {
	case a.ID == "":
		return invalid("id", "empty")
	case len(a.ID) > MaxIRIBytes:
		return invalid("id", "longer than %d bytes", MaxIRIBytes)
	case a.ActorID == "":
		return invalid("actor_id", "empty")
	case len(a.ActorID) > MaxIRIBytes:
		return invalid("actor_id", "longer than %d bytes", MaxIRIBytes)
	case len(a.Body) == 0:
		return invalid("body", "empty")
	case len(a.Body) > MaxActivityBytes:
		return invalid("body", "%d bytes, more than %d", len(a.Body), MaxActivityBytes)
	case !isJSONObject(a.Body):
		return invalid("body", "not a JSON object")
	}
	return nil
}

func isJSONObject(b []byte) bool {
	s := strings.TrimLeft(string(b), " \t\r\n")
	return strings.HasPrefix(s, "{") && json.Valid(b)
}

// Target is one inbox of an Enqueue and the host its jobs count against.
type Target struct {
	Inbox string
	Host  string
}

// Targets validates inboxes and returns them deduplicated, in their first
// order, with their hosts: what a Queue stores for Enqueue. An inbox must
// be an absolute http or https URL with a host, without userinfo or
// fragment, at most MaxIRIBytes long; at most MaxInboxes remain.
func Targets(inboxes []string) ([]Target, error) {
	seen := make(map[string]bool, len(inboxes))
	out := make([]Target, 0, len(inboxes))
	for i, in := range inboxes {
		if seen[in] {
			continue
		}
		host, err := HostOf(in)
		if err != nil {
			return nil, invalid(fmt.Sprintf("inboxes[%d]", i), "%v", err)
		}
		seen[in] = true
		out = append(out, Target{Inbox: in, Host: host})
	}
	if len(out) > MaxInboxes {
		return nil, invalid("inboxes", "%d inboxes, more than %d", len(out), MaxInboxes)
	}
	return out, nil
}

// HostOf returns the host an inbox URL counts against for per-host
// limits and health: its host and port, lower-cased (https://A.example:8443/x
// gives a.example:8443). It refuses what Targets refuses.
func HostOf(inbox string) (string, error) {
	if len(inbox) > MaxIRIBytes {
		return "", fmt.Errorf("longer than %d bytes", MaxIRIBytes)
	}
	u, err := url.Parse(inbox)
	switch {
	case err != nil:
		return "", fmt.Errorf("not a URL: %w", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return "", fmt.Errorf("%q: scheme is not http or https", inbox)
	case u.Host == "" || u.Hostname() == "":
		return "", fmt.Errorf("%q: no host", inbox)
	case u.User != nil:
		return "", fmt.Errorf("%q: userinfo not allowed", inbox)
	case u.Fragment != "" || strings.Contains(inbox, "#"):
		return "", fmt.Errorf("%q: fragment not allowed", inbox)
	case strings.ContainsAny(inbox, " \t\r\n"):
		return "", fmt.Errorf("%q: whitespace", inbox)
	}
	return strings.ToLower(u.Host), nil
}

// Job is one activity to deliver to one inbox, as Lease hands it out.
type Job struct {
	ID         int64
	ActivityID string
	ActorID    string
	Body       []byte
	Inbox      string
	Host       string
	// Attempt counts the leases of this job, this one included (1 on
	// the first try). It also fences the lease: Complete, Retry and Bury
	// name it, and a call for an older lease changes nothing.
	Attempt int
	// CreatedAt is when the job was enqueued.
	CreatedAt time.Time
	// LeasedUntil is when the lease expires and the job may be leased
	// again (by any worker).
	LeasedUntil time.Time
	// LastError is the error of the previous attempt ("" for none).
	LastError string
	// HostFailing is true when the host had unanswered failures at lease
	// time: a success must then be reported with HostSucceeded.
	HostFailing bool
}

// Host is the health of one remote host.
type Host struct {
	Name string
	// FailingSince is the first failure since the last success.
	FailingSince time.Time
	// LastFailure is the latest failure.
	LastFailure time.Time
	// Failures counts the failures since the last success.
	Failures int
	// DownUntil, when after now, is the time until which Lease skips the
	// host's jobs: the next probe.
	DownUntil time.Time
}

// HostRule says when a failing host is taken down, and for how long.
type HostRule struct {
	// DownAfter: a host failing without a success for at least this
	// long is down. Zero takes it down at its first failure.
	DownAfter time.Duration
	// ProbeAfter: once down, Lease skips the host's jobs until
	// ProbeAfter after its latest failure; then its due jobs are leased
	// again (the probe). Must be positive.
	ProbeAfter time.Duration
}

// Stats is the state of the queue, for an admin page.
type Stats struct {
	// Queued counts the jobs waiting for delivery (due or not), leased
	// ones included.
	Queued int
	// Due counts the queued jobs due at now and not leased.
	Due int
	// Leased counts the jobs under a lease that has not expired.
	Leased int
	// Dead counts the buried jobs (dead letters).
	Dead int
	// FailingHosts lists the hosts with failures since their last
	// success, longest failing first, at most MaxStatsHosts.
	FailingHosts []Host
	// DownHosts counts the hosts whose jobs Lease skips at now.
	DownHosts int
}

// Queue is the durable delivery queue: a storage contract, implemented
// by storage/sqlite and storage/postgres (storage/storagetest.RunDelivery
// checks them) and by deliverytest.Memory.
//
// Enqueue is meant to run inside the transaction of the domain change
// that caused the activity (the transactional outbox): a hook gets the
// storage.Tx and calls storage.As[delivery.Queue](tx). The worker uses a
// Queue outside transactions; each of its methods is then atomic on its
// own. Every method is safe for concurrent use, including from several
// processes sharing one database.
//
// Errors: an invalid argument is a *ValidationError (ErrInvalid) and
// writes nothing; a job that does not exist, or that was leased again
// since the lease the call names, is storage.ErrNotFound.
type Queue interface {
	// Enqueue stores a and one job per inbox (see Targets:
	// validated and deduplicated), due at now. With no inboxes it stores
	// nothing. An activity ID already in the queue is
	// storage.ErrConflict.
	Enqueue(ctx context.Context, now time.Time, a Activity, inboxes []string) error

	// Lease hands out up to n jobs that are due at now (enqueued, or
	// retried for a time not after now) and not under a lease (never
	// leased, or the lease expired: how a crashed worker's jobs come
	// back), ordered by due time then ID. Each is leased until
	// now+leaseFor and its Attempt incremented. At most perHost jobs of
	// one host are under lease at once, counting leases already held
	// (perHost <= 0: no limit). Jobs of a host that is down at now are
	// skipped. Two concurrent Leases never return the same job.
	Lease(ctx context.Context, now time.Time, n int, leaseFor time.Duration, perHost int) ([]Job, error)

	// Complete removes the delivered job (and its activity once no job
	// needs it).
	Complete(ctx context.Context, jobID int64, attempt int) error

	// Retry releases the job's lease and makes it due again at next,
	// keeping lastErr (cut to MaxErrorBytes).
	Retry(ctx context.Context, jobID int64, attempt int, next time.Time, lastErr string) error

	// Bury moves the job to the dead letters with the reason (cut to
	// MaxErrorBytes): it is never leased again.
	Bury(ctx context.Context, now time.Time, jobID int64, attempt int, reason string) error

	// HostFailed records a failed delivery to host at now (no answer, or
	// a 5xx) and returns the host's health. When the host has been
	// failing for at least rule.DownAfter it is down until
	// now+rule.ProbeAfter.
	HostFailed(ctx context.Context, host string, now time.Time, rule HostRule) (Host, error)

	// HostSucceeded forgets the failures of host: it answered. A host
	// without failures is no error.
	HostSucceeded(ctx context.Context, host string) error

	// PurgeDead deletes the dead letters buried before before, and the
	// activities that no job needs any more, and returns the number of
	// jobs deleted.
	PurgeDead(ctx context.Context, before time.Time) (int, error)

	// Stats reports the queue's state at now.
	Stats(ctx context.Context, now time.Time) (Stats, error)
}

// CheckLease validates the arguments of Queue.Lease.
func CheckLease(n int, leaseFor time.Duration) error {
	switch {
	case n < 0:
		return invalid("n", "negative")
	case leaseFor <= 0:
		return invalid("lease_for", "not positive")
	}
	return nil
}

// CheckHost validates a host name and a HostRule for HostFailed.
func CheckHost(host string, rule HostRule) error {
	switch {
	case host == "" || len(host) > MaxIRIBytes:
		return invalid("host", "empty or longer than %d bytes", MaxIRIBytes)
	case rule.DownAfter < 0:
		return invalid("rule.down_after", "negative")
	case rule.ProbeAfter <= 0:
		return invalid("rule.probe_after", "not positive")
	}
	return nil
}

// Cut makes an error text storable: valid UTF-8 without NUL bytes, at
// most MaxErrorBytes long (cut on a rune boundary).
func Cut(s string) string {
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
	if len(s) <= MaxErrorBytes {
		return s
	}
	return strings.ToValidUTF8(s[:MaxErrorBytes], "")
}
