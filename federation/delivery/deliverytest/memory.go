// Package deliverytest holds test helpers for federation/delivery: an
// in-memory Queue.
package deliverytest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/storage"
)

// Memory is a delivery.Queue in memory, for tests and examples: it
// passes storagetest.RunDelivery (but for the transaction cases: it is
// not a storage.Transactor) and loses everything with the process. It is
// safe for concurrent use. The zero value is ready.
type Memory struct {
	mu     sync.Mutex
	nextID int64
	acts   map[string]delivery.Activity
	jobs   map[int64]*memJob
	hosts  map[string]delivery.Host
}

type memJob struct {
	job    delivery.Job // ActorID, Body filled at lease
	next   time.Time
	leased time.Time
	dead   bool
	buried time.Time
}

var _ delivery.Queue = (*Memory)(nil)

func (m *Memory) init() {
	if m.acts == nil {
		m.acts = map[string]delivery.Activity{}
		m.jobs = map[int64]*memJob{}
		m.hosts = map[string]delivery.Host{}
	}
}

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// Enqueue implements delivery.Queue.
func (m *Memory) Enqueue(_ context.Context, now time.Time, a delivery.Activity, inboxes []string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	targets, err := delivery.Targets(inboxes)
	if err != nil || len(targets) == 0 {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	if _, ok := m.acts[a.ID]; ok {
		return fmt.Errorf("deliverytest: activity %s: %w", a.ID, storage.ErrConflict)
	}
	a.Body = slices.Clone(a.Body)
	m.acts[a.ID] = a
	now = utc(now)
	for _, tg := range targets {
		m.nextID++
		m.jobs[m.nextID] = &memJob{next: now, job: delivery.Job{
			ID: m.nextID, ActivityID: a.ID, Inbox: tg.Inbox, Host: tg.Host, CreatedAt: now,
		}}
	}
	return nil
}

// Lease implements delivery.Queue.
func (m *Memory) Lease(_ context.Context, now time.Time, n int, leaseFor time.Duration, perHost int) ([]delivery.Job, error) {
	if err := delivery.CheckLease(n, leaseFor); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	now = utc(now)
	held := map[string]int{}
	var due []*memJob
	for _, j := range m.jobs {
		switch {
		case j.dead:
		case j.leased.After(now):
			held[j.job.Host]++
		case !j.next.After(now) && !m.hosts[j.job.Host].DownUntil.After(now):
			due = append(due, j)
		}
	}
	slices.SortFunc(due, func(a, b *memJob) int {
		return cmp.Or(a.next.Compare(b.next), cmp.Compare(a.job.ID, b.job.ID))
	})
	var out []delivery.Job
	for _, j := range due {
		if len(out) >= n {
			break
		}
		if perHost > 0 && held[j.job.Host] >= perHost {
			continue
		}
		held[j.job.Host]++
		j.leased = utc(now.Add(leaseFor))
		j.job.Attempt++
		job := j.job
		a := m.acts[job.ActivityID]
		job.ActorID, job.Body, job.LeasedUntil = a.ActorID, slices.Clone(a.Body), j.leased
		_, job.HostFailing = m.hosts[job.Host]
		out = append(out, job)
	}
	return out, nil
}

// live returns the queued job id under lease attempt, or ErrNotFound.
func (m *Memory) live(id int64, attempt int) (*memJob, error) {
	m.init()
	j, ok := m.jobs[id]
	if !ok || j.dead || j.job.Attempt != attempt {
		return nil, fmt.Errorf("deliverytest: job %d attempt %d: %w", id, attempt, storage.ErrNotFound)
	}
	return j, nil
}

// Complete implements delivery.Queue.
func (m *Memory) Complete(_ context.Context, id int64, attempt int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.live(id, attempt)
	if err != nil {
		return err
	}
	delete(m.jobs, id)
	for _, o := range m.jobs {
		if o.job.ActivityID == j.job.ActivityID {
			return nil
		}
	}
	delete(m.acts, j.job.ActivityID)
	return nil
}

// Retry implements delivery.Queue.
func (m *Memory) Retry(_ context.Context, id int64, attempt int, next time.Time, lastErr string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.live(id, attempt)
	if err != nil {
		return err
	}
	j.next, j.leased, j.job.LastError = utc(next), time.Time{}, delivery.Cut(lastErr)
	return nil
}

// Bury implements delivery.Queue.
func (m *Memory) Bury(_ context.Context, now time.Time, id int64, attempt int, reason string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.live(id, attempt)
	if err != nil {
		return err
	}
	j.dead, j.buried, j.leased, j.job.LastError = true, utc(now), time.Time{}, delivery.Cut(reason)
	return nil
}

// HostFailed implements delivery.Queue.
func (m *Memory) HostFailed(_ context.Context, host string, now time.Time, rule delivery.HostRule) (delivery.Host, error) {
	if err := delivery.CheckHost(host, rule); err != nil {
		return delivery.Host{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	now = utc(now)
	h, ok := m.hosts[host]
	if !ok {
		h = delivery.Host{Name: host, FailingSince: now}
	}
	h.LastFailure = now
	h.Failures++
	if now.Sub(h.FailingSince) >= rule.DownAfter {
		h.DownUntil = utc(now.Add(rule.ProbeAfter))
	}
	m.hosts[host] = h
	return h, nil
}

// HostSucceeded implements delivery.Queue.
func (m *Memory) HostSucceeded(_ context.Context, host string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.hosts, host)
	return nil
}

// PurgeDead implements delivery.Queue.
func (m *Memory) PurgeDead(_ context.Context, before time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	before = utc(before)
	n := 0
	needed := map[string]bool{}
	for id, j := range m.jobs {
		if j.dead && j.buried.Before(before) {
			delete(m.jobs, id)
			n++
			continue
		}
		needed[j.job.ActivityID] = true
	}
	for id := range m.acts {
		if !needed[id] {
			delete(m.acts, id)
		}
	}
	return n, nil
}

// Stats implements delivery.Queue.
func (m *Memory) Stats(_ context.Context, now time.Time) (delivery.Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.init()
	now = utc(now)
	var st delivery.Stats
	for _, j := range m.jobs {
		switch {
		case j.dead:
			st.Dead++
			continue
		case j.leased.After(now):
			st.Leased++
		case !j.next.After(now):
			st.Due++
		}
		st.Queued++
	}
	for _, h := range m.hosts {
		st.FailingHosts = append(st.FailingHosts, h)
		if h.DownUntil.After(now) {
			st.DownHosts++
		}
	}
	slices.SortFunc(st.FailingHosts, func(a, b delivery.Host) int {
		return cmp.Or(a.FailingSince.Compare(b.FailingSince), cmp.Compare(a.Name, b.Name))
	})
	if len(st.FailingHosts) > delivery.MaxStatsHosts {
		st.FailingHosts = st.FailingHosts[:delivery.MaxStatsHosts]
	}
	return st, nil
}

// Counts is for tests: the number of jobs still queued (not dead),
// and of dead letters.
func (m *Memory) Counts() (queued, dead int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, j := range m.jobs {
		if j.dead {
			dead++
		} else {
			queued++
		}
	}
	return queued, dead
}
