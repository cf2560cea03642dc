package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"codeberg.org/convene/convene/federation/delivery"
)

// delivery.Queue over delivery_activities, delivery_jobs and
// delivery_hosts (migration 0003). Lease picks due jobs within the
// per-host limit (counting the leases each host already holds) and
// leases them in one UPDATE … RETURNING; on PostgreSQL the rows are
// locked FOR UPDATE SKIP LOCKED and re-checked, so concurrent leasers in
// any number of processes never share a job. On SQLite the writer is
// single, which gives the same guarantee. A trigger of the migration
// drops an activity with its last job.

// insertJobsChunk bounds the rows of one multi-row INSERT (5 parameters
// each, well under both backends' parameter limits).
const insertJobsChunk = 500

// Lease's bounds. It picks n*leaseSpare candidates and leases the first
// n it can lock, so that concurrent leasers on PostgreSQL, which pick
// from the same rows, each still find jobs to take; it reads at most
// leaseScan due rows and leases at most leaseMax jobs per call.
const (
	leaseSpare = 4
	leaseScan  = 4096
	leaseMax   = 1000
)

// Enqueue implements delivery.Queue.
func (s *store) Enqueue(ctx context.Context, now time.Time, a delivery.Activity, inboxes []string) error {
	if err := a.Validate(); err != nil {
		return err
	}
	targets, err := delivery.Targets(inboxes)
	if err != nil {
		return err
	}
	if len(targets) == 0 {
		return nil
	}
	now = now.UTC().Truncate(time.Microsecond)
	return s.atomic(ctx, func(s *store) error {
		if _, err := s.exec(ctx, "enqueue", `INSERT INTO delivery_activities (id, actor_id, body, created_at)
			VALUES (?, ?, ?, ?)`, a.ID, a.ActorID, a.Body, s.d.Time(now)); err != nil {
			return err
		}
		for start := 0; start < len(targets); start += insertJobsChunk {
			chunk := targets[start:min(start+insertJobsChunk, len(targets))]
			var b strings.Builder
			b.WriteString(`INSERT INTO delivery_jobs (activity_id, inbox, host, attempts, created_at, next_at, last_error) VALUES `)
			args := make([]any, 0, len(chunk)*5)
			t := s.d.Time(now)
			for i, tg := range chunk {
				if i > 0 {
					b.WriteString(", ")
				}
				b.WriteString("(?, ?, ?, 0, ?, ?, '')")
				args = append(args, a.ID, tg.Inbox, tg.Host, t, t)
			}
			if _, err := s.exec(ctx, "enqueue", b.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
}

// skipLocked is the locking clause of Lease's candidate rows.
func (s *store) skipLocked() string {
	if s.d.ForUpdate == "" {
		return ""
	}
	return s.d.ForUpdate + " SKIP LOCKED"
}

// Lease implements delivery.Queue.
//
// It reads the leases each host holds, then walks the due, unleased jobs
// in (next_at, id) order, skipping down hosts and hosts already at
// perHost, and picks up to n*leaseSpare of them within the per-host
// limit (reading at most leaseScan rows); then one UPDATE … RETURNING
// leases the first n picked rows that are still leasable (PostgreSQL:
// locked FOR UPDATE SKIP LOCKED and re-checked, so concurrent leasers
// never share a job and each skips what the others hold).
func (s *store) Lease(ctx context.Context, now time.Time, n int, leaseFor time.Duration, perHost int) ([]delivery.Job, error) {
	if err := delivery.CheckLease(n, leaseFor); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, nil
	}
	n = min(n, leaseMax)
	if perHost <= 0 {
		perHost = math.MaxInt32
	}
	now = now.UTC().Truncate(time.Microsecond)
	until := now.Add(leaseFor).Truncate(time.Microsecond)
	tNow := s.d.Time(now)
	var jobs []delivery.Job
	err := s.atomic(ctx, func(s *store) error {
		held := map[string]int{}
		rows, err := s.w.QueryContext(ctx, s.d.rebind(`SELECT host, count(*) FROM delivery_jobs
			WHERE leased_until > ? GROUP BY host`), tNow)
		if err != nil {
			return s.wrap("lease", err)
		}
		if _, err := collect(rows, func(sc func(dest ...any) error) (struct{}, error) {
			var h string
			var c int
			err := sc(&h, &c)
			held[h] = c
			return struct{}{}, err
		}); err != nil {
			return s.wrap("lease", err)
		}

		rows, err = s.w.QueryContext(ctx, s.d.rebind(`SELECT j.id, j.host FROM delivery_jobs j
			WHERE j.next_at <= ? AND (j.leased_until IS NULL OR j.leased_until <= ?)
				AND NOT EXISTS (SELECT 1 FROM delivery_hosts h WHERE h.host = j.host AND h.down_until > ?)
				AND j.host NOT IN (SELECT host FROM delivery_jobs WHERE leased_until > ?
					GROUP BY host HAVING count(*) >= ?)
			ORDER BY j.next_at, j.id LIMIT ?`), tNow, tNow, tNow, tNow, perHost, min(n*leaseSpare*4, leaseScan))
		if err != nil {
			return s.wrap("lease", err)
		}
		var picked []int64
		if _, err := collect(rows, func(sc func(dest ...any) error) (struct{}, error) {
			var id int64
			var h string
			if err := sc(&id, &h); err != nil {
				return struct{}{}, err
			}
			if held[h] < perHost && len(picked) < n*leaseSpare {
				held[h]++
				picked = append(picked, id)
			}
			return struct{}{}, nil
		}); err != nil {
			return s.wrap("lease", err)
		}
		if len(picked) == 0 {
			return nil
		}

		list := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(picked)), ", ") + ")"
		args := []any{s.d.Time(until)}
		for _, id := range picked {
			args = append(args, id)
		}
		args = append(args, tNow, tNow, n)
		rows, err = s.w.QueryContext(ctx, s.d.rebind(`UPDATE delivery_jobs SET leased_until = ?, attempts = attempts + 1
			WHERE id IN (SELECT c.id FROM delivery_jobs c WHERE c.id IN `+list+`
				AND c.next_at <= ? AND (c.leased_until IS NULL OR c.leased_until <= ?)
				ORDER BY c.next_at, c.id LIMIT ?`+s.skipLocked()+`)
			RETURNING id, activity_id, inbox, host, attempts, created_at, next_at, leased_until, last_error`), args...)
		if err != nil {
			return s.wrap("lease", err)
		}
		due := map[int64]time.Time{}
		jobs, err = collect(rows, func(sc func(dest ...any) error) (delivery.Job, error) {
			var j delivery.Job
			var next time.Time
			err := sc(&j.ID, &j.ActivityID, &j.Inbox, &j.Host, &j.Attempt, timeCol{&j.CreatedAt},
				timeCol{&next}, timeCol{&j.LeasedUntil}, &j.LastError)
			due[j.ID] = next
			return j, err
		})
		if err != nil {
			return s.wrap("lease", err)
		}
		if len(jobs) == 0 {
			return nil
		}
		sort.Slice(jobs, func(a, b int) bool {
			ta, tb := due[jobs[a].ID], due[jobs[b].ID]
			if !ta.Equal(tb) {
				return ta.Before(tb)
			}
			return jobs[a].ID < jobs[b].ID
		})
		return s.fillJobs(ctx, jobs)
	})
	if err != nil {
		return nil, err
	}
	return jobs, nil
}

// fillJobs adds the activities' actors and bodies and the hosts' health
// to leased jobs.
func (s *store) fillJobs(ctx context.Context, jobs []delivery.Job) error {
	type act struct {
		actor string
		body  []byte
	}
	acts := map[string]act{}
	hosts := map[string]bool{}
	var actIDs, hostNames []string
	for _, j := range jobs {
		if _, ok := acts[j.ActivityID]; !ok {
			acts[j.ActivityID] = act{}
			actIDs = append(actIDs, j.ActivityID)
		}
		if _, ok := hosts[j.Host]; !ok {
			hosts[j.Host] = false
			hostNames = append(hostNames, j.Host)
		}
	}
	list, args := in(actIDs)
	rows, err := s.w.QueryContext(ctx, s.d.rebind(`SELECT id, actor_id, body FROM delivery_activities WHERE id IN `+list), args...)
	if err != nil {
		return s.wrap("lease: activities", err)
	}
	_, err = collect(rows, func(sc func(dest ...any) error) (struct{}, error) {
		var id string
		var a act
		err := sc(&id, &a.actor, &a.body)
		acts[id] = a
		return struct{}{}, err
	})
	if err != nil {
		return s.wrap("lease: activities", err)
	}
	list, args = in(hostNames)
	rows, err = s.w.QueryContext(ctx, s.d.rebind(`SELECT host FROM delivery_hosts WHERE host IN `+list), args...)
	if err != nil {
		return s.wrap("lease: hosts", err)
	}
	_, err = collect(rows, func(sc func(dest ...any) error) (struct{}, error) {
		var h string
		err := sc(&h)
		hosts[h] = true
		return struct{}{}, err
	})
	if err != nil {
		return s.wrap("lease: hosts", err)
	}
	for i := range jobs {
		a := acts[jobs[i].ActivityID]
		jobs[i].ActorID, jobs[i].Body = a.actor, a.body
		jobs[i].HostFailing = hosts[jobs[i].Host]
	}
	return nil
}

// Complete implements delivery.Queue. The migration's trigger drops the
// activity with its last job.
func (s *store) Complete(ctx context.Context, jobID int64, attempt int) error {
	return s.execOne(ctx, fmt.Sprintf("complete job %d attempt %d", jobID, attempt),
		`DELETE FROM delivery_jobs WHERE id = ? AND attempts = ? AND buried_at IS NULL`, jobID, attempt)
}

// Retry implements delivery.Queue.
func (s *store) Retry(ctx context.Context, jobID int64, attempt int, next time.Time, lastErr string) error {
	return s.execOne(ctx, fmt.Sprintf("retry job %d attempt %d", jobID, attempt), `UPDATE delivery_jobs
		SET next_at = ?, leased_until = NULL, last_error = ?
		WHERE id = ? AND attempts = ? AND buried_at IS NULL`,
		s.d.Time(next.UTC().Truncate(time.Microsecond)), delivery.Cut(lastErr), jobID, attempt)
}

// Bury implements delivery.Queue.
func (s *store) Bury(ctx context.Context, now time.Time, jobID int64, attempt int, reason string) error {
	return s.execOne(ctx, fmt.Sprintf("bury job %d attempt %d", jobID, attempt), `UPDATE delivery_jobs
		SET next_at = NULL, leased_until = NULL, buried_at = ?, last_error = ?
		WHERE id = ? AND attempts = ? AND buried_at IS NULL`,
		s.d.Time(now.UTC().Truncate(time.Microsecond)), delivery.Cut(reason), jobID, attempt)
}

const hostCols = `host, failing_since, last_failure, failures, down_until`

func scanHost(sc func(dest ...any) error) (delivery.Host, error) {
	var h delivery.Host
	err := sc(&h.Name, timeCol{&h.FailingSince}, timeCol{&h.LastFailure}, &h.Failures, timeCol{&h.DownUntil})
	return h, err
}

// HostFailed implements delivery.Queue.
func (s *store) HostFailed(ctx context.Context, host string, now time.Time, rule delivery.HostRule) (delivery.Host, error) {
	if err := delivery.CheckHost(host, rule); err != nil {
		return delivery.Host{}, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	var h delivery.Host
	err := s.atomic(ctx, func(s *store) error {
		var err error
		h, err = scanHost(s.w.QueryRowContext(ctx, s.d.rebind(`INSERT INTO delivery_hosts (`+hostCols+`)
			VALUES (?, ?, ?, 1, NULL)
			ON CONFLICT (host) DO UPDATE SET last_failure = excluded.last_failure,
				failures = delivery_hosts.failures + 1
			RETURNING `+hostCols), host, s.d.Time(now), s.d.Time(now)).Scan)
		if err != nil {
			return s.wrap("host failed", err)
		}
		if now.Sub(h.FailingSince) < rule.DownAfter {
			return nil
		}
		h.DownUntil = now.Add(rule.ProbeAfter).Truncate(time.Microsecond)
		_, err = s.exec(ctx, "host failed", `UPDATE delivery_hosts SET down_until = ? WHERE host = ?`,
			s.d.Time(h.DownUntil), host)
		return err
	})
	if err != nil {
		return delivery.Host{}, err
	}
	return h, nil
}

// HostSucceeded implements delivery.Queue.
func (s *store) HostSucceeded(ctx context.Context, host string) error {
	_, err := s.exec(ctx, "host succeeded", `DELETE FROM delivery_hosts WHERE host = ?`, host)
	return err
}

// PurgeDead implements delivery.Queue.
func (s *store) PurgeDead(ctx context.Context, before time.Time) (int, error) {
	// The migration's trigger drops the activities left without a job.
	n, err := s.exec(ctx, "purge dead", `DELETE FROM delivery_jobs WHERE buried_at < ?`,
		s.d.Time(before.UTC().Truncate(time.Microsecond)))
	return int(n), err
}

// Stats implements delivery.Queue.
func (s *store) Stats(ctx context.Context, now time.Time) (delivery.Stats, error) {
	tNow := s.d.Time(now.UTC().Truncate(time.Microsecond))
	var st delivery.Stats
	var queued, due, leased, dead sql.NullInt64
	err := s.queryRow(ctx, `SELECT
		sum(CASE WHEN buried_at IS NULL THEN 1 ELSE 0 END),
		sum(CASE WHEN next_at <= ? AND (leased_until IS NULL OR leased_until <= ?) THEN 1 ELSE 0 END),
		sum(CASE WHEN buried_at IS NULL AND leased_until > ? THEN 1 ELSE 0 END),
		sum(CASE WHEN buried_at IS NOT NULL THEN 1 ELSE 0 END)
		FROM delivery_jobs`, tNow, tNow, tNow).Scan(&queued, &due, &leased, &dead)
	if err != nil {
		return st, s.wrap("stats", err)
	}
	st.Queued, st.Due, st.Leased, st.Dead = int(queued.Int64), int(due.Int64), int(leased.Int64), int(dead.Int64)
	rows, err := s.query(ctx, `SELECT `+hostCols+` FROM delivery_hosts ORDER BY failing_since, host LIMIT ?`,
		delivery.MaxStatsHosts)
	if err != nil {
		return st, s.wrap("stats", err)
	}
	if st.FailingHosts, err = collect(rows, scanHost); err != nil {
		return st, s.wrap("stats", err)
	}
	if err := s.queryRow(ctx, `SELECT count(*) FROM delivery_hosts WHERE down_until > ?`, tNow).Scan(&st.DownHosts); err != nil {
		return st, s.wrap("stats", err)
	}
	return st, nil
}

var _ delivery.Queue = (*store)(nil)
