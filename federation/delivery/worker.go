package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/storage"
)

// ContentType is the Content-Type of every delivery POST.
const ContentType = "application/activity+json"

// Worker defaults, used when the Config field is zero.
const (
	// DefaultWorkers is how many deliveries run at once.
	DefaultWorkers = 16
	// DefaultPerHostConcurrency is how many deliveries to one host run at
	// once, in all the workers sharing the queue.
	DefaultPerHostConcurrency = 4
	// DefaultTimeout bounds one POST, answer included.
	DefaultTimeout = 30 * time.Second
	// DefaultLeaseFor is how long a leased job is a worker's: a job whose
	// worker died is delivered by another after this long.
	DefaultLeaseFor = 5 * time.Minute
	// DefaultPollInterval is how often an idle worker looks for due jobs
	// (Notify wakes it at once).
	DefaultPollInterval = 2 * time.Second
	// DefaultShutdownTimeout is how long Run lets deliveries in flight
	// finish after its context is cancelled.
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultMaxAge: a job older than this is buried instead of tried
	// (it waited for a host that was down).
	DefaultMaxAge = 7 * 24 * time.Hour
	// DefaultKeepDead is how long dead letters are kept (for an admin to
	// look at) before Run purges them.
	DefaultKeepDead = 30 * 24 * time.Hour
	// PurgeInterval is how often Run purges old dead letters.
	PurgeInterval = time.Hour
	// DefaultDownAfter: a host that has answered nothing useful for this
	// long is down.
	DefaultDownAfter = 3 * 24 * time.Hour
	// DefaultProbeAfter: a down host's jobs are tried again (probed) this
	// long after its last failure.
	DefaultProbeAfter = 6 * time.Hour
)

// storeTimeout bounds the queue writes that settle a delivery, which run
// even when Run's context is cancelled.
const storeTimeout = 30 * time.Second

// ErrRunning: Run was called on a Worker that is already running.
var ErrRunning = errors.New("delivery: worker already running")

// Doer sends an HTTP request: a federation/safehttp Client (what an
// instance uses: its dial-time address checks apply to every inbox) or an
// *http.Client.
type Doer interface {
	Do(req *http.Request) (*http.Response, error)
}

// Signers finds the signer of a local actor, by the ActorID of the
// activities it enqueued. It is called for every delivery, concurrently,
// so it should cache (parsing an RSA key costs more than a signature).
// An error matching storage.ErrNotFound buries the job (the actor is no
// more); other errors retry it.
type Signers interface {
	Signer(ctx context.Context, actorID string) (*httpsig.Signer, error)
}

// SignersFunc adapts a function to Signers.
type SignersFunc func(ctx context.Context, actorID string) (*httpsig.Signer, error)

// Signer implements Signers.
func (f SignersFunc) Signer(ctx context.Context, actorID string) (*httpsig.Signer, error) {
	return f(ctx, actorID)
}

// Config configures a Worker. Queue, Client and Signers are required;
// every other zero field takes its default.
type Config struct {
	// Queue is the delivery queue, outside any transaction.
	Queue Queue
	// Client sends the signed POSTs.
	Client Doer
	// Signers signs as the activities' actors.
	Signers Signers
	// Scheme is the signature scheme when Knocks is nil: httpsig.Cavage
	// (the default; every fediverse server verifies it) or
	// httpsig.RFC9421.
	Scheme httpsig.Scheme
	// Knocks, when set, makes the worker double-knock: POST signed with
	// RFC 9421 to hosts not known to be cavage-only, and when the inbox
	// answers 400, 401 or 403 POST the same body again at once signed
	// with draft-cavage, in the same attempt (no backoff, one Timeout for
	// both); the last answer is classified as usual. What it learns is
	// kept per host in Knocks (see httpsig.Knocks for the rule): share it
	// with the httpsig.Transport that signs the instance's GETs. Scheme
	// must then be unset. Optional.
	Knocks *httpsig.Knocks
	// UserAgent is sent with every POST when set.
	UserAgent string

	// Workers bounds the deliveries in flight (DefaultWorkers).
	Workers int
	// PerHostConcurrency bounds the deliveries in flight to one host, in
	// every worker sharing the queue (DefaultPerHostConcurrency).
	PerHostConcurrency int
	// Timeout bounds one attempt: its POST, or both POSTs of a double
	// knock (DefaultTimeout).
	Timeout time.Duration
	// LeaseFor is the lease of a job (DefaultLeaseFor); it must exceed
	// Timeout.
	LeaseFor time.Duration
	// PollInterval is the idle wait between looks at the queue
	// (DefaultPollInterval).
	PollInterval time.Duration
	// ShutdownTimeout is how long deliveries in flight may finish after
	// Run's context is cancelled (DefaultShutdownTimeout); then they are
	// cancelled and their jobs released.
	ShutdownTimeout time.Duration
	// MaxAge buries jobs older than this unsent (DefaultMaxAge).
	MaxAge time.Duration
	// KeepDead is how long dead letters are kept (DefaultKeepDead).
	KeepDead time.Duration
	// Hosts says when a failing host is down and when it is probed
	// (DefaultDownAfter, DefaultProbeAfter).
	Hosts HostRule

	// Gone is told of a 410 Gone answer: the inbox's actor may be gone
	// (convene marks it gone and ends its follows when the inbox is one
	// actor's own, not a shared one). Optional.
	// It runs on the delivery's goroutine; its errors are the caller's.
	Gone func(ctx context.Context, job Job)
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand draws the backoff jitter, uniform in [0, 1); nil means
	// math/rand/v2.Float64.
	Rand func() float64
	// Logger logs failures; nil discards.
	Logger *slog.Logger
}

// Worker delivers the jobs of a Queue: see Run.
type Worker struct {
	cfg     Config
	wake    chan struct{}
	running atomic.Bool
}

// NewWorker returns a Worker, or an error naming the first missing or
// invalid field of cfg.
func NewWorker(cfg Config) (*Worker, error) {
	switch {
	case cfg.Queue == nil:
		return nil, errors.New("delivery: Config.Queue is required")
	case cfg.Client == nil:
		return nil, errors.New("delivery: Config.Client is required")
	case cfg.Signers == nil:
		return nil, errors.New("delivery: Config.Signers is required")
	case cfg.Scheme != "" && cfg.Scheme != httpsig.Cavage && cfg.Scheme != httpsig.RFC9421:
		return nil, fmt.Errorf("delivery: unknown Config.Scheme %q", cfg.Scheme)
	case cfg.Scheme != "" && cfg.Knocks != nil:
		return nil, errors.New("delivery: Config.Scheme and Config.Knocks are exclusive")
	case cfg.Workers < 0, cfg.PerHostConcurrency < 0, cfg.Timeout < 0, cfg.LeaseFor < 0, cfg.PollInterval < 0,
		cfg.ShutdownTimeout < 0, cfg.MaxAge < 0, cfg.KeepDead < 0, cfg.Hosts.DownAfter < 0, cfg.Hosts.ProbeAfter < 0:
		return nil, errors.New("delivery: negative Config value")
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if cfg.Scheme == "" {
		cfg.Scheme = httpsig.Cavage
	}
	if cfg.Workers == 0 {
		cfg.Workers = DefaultWorkers
	}
	if cfg.PerHostConcurrency == 0 {
		cfg.PerHostConcurrency = DefaultPerHostConcurrency
	}
	def(&cfg.Timeout, DefaultTimeout)
	def(&cfg.LeaseFor, DefaultLeaseFor)
	def(&cfg.PollInterval, DefaultPollInterval)
	def(&cfg.ShutdownTimeout, DefaultShutdownTimeout)
	def(&cfg.MaxAge, DefaultMaxAge)
	def(&cfg.KeepDead, DefaultKeepDead)
	def(&cfg.Hosts.DownAfter, DefaultDownAfter)
	def(&cfg.Hosts.ProbeAfter, DefaultProbeAfter)
	if cfg.LeaseFor <= cfg.Timeout {
		return nil, fmt.Errorf("delivery: Config.LeaseFor %v must exceed Config.Timeout %v", cfg.LeaseFor, cfg.Timeout)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Float64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{cfg: cfg, wake: make(chan struct{}, 1)}, nil
}

// Notify wakes an idle Run to look at the queue now, e.g. after a
// transaction that enqueued activities committed. It never blocks.
func (w *Worker) Notify() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

func (w *Worker) now() time.Time { return w.cfg.Now().UTC().Truncate(time.Microsecond) }

// Run delivers jobs until ctx is cancelled, like http.Server.Serve: the
// caller owns the goroutine. It leases as many jobs as it has free
// workers (the queue enforces the per-host limit), POSTs each one signed
// as its actor (twice with a double knock: Config.Knocks), and settles
// it on the last answer:
//
//   - 2xx: done;
//   - 410: Config.Gone is told, and the job is buried;
//   - 401, 408, 429 and 5xx, network errors and timeouts: retried after
//     Backoff (not before a 429's or 503's Retry-After), buried after
//     MaxAttempts; 5xx and network errors count against the host, which
//     is down (skipped, then probed) once it has failed for
//     Config.Hosts.DownAfter without a success;
//   - any other status, and addresses that safehttp refuses: buried.
//
// When ctx is cancelled Run stops leasing, lets the deliveries in flight
// finish for Config.ShutdownTimeout, then cancels them and releases their
// jobs (due again at once), and returns nil. A worker killed outright
// loses nothing either: its leases expire and another worker (or this
// one restarted) takes the jobs. Every PurgeInterval it deletes the dead
// letters older than Config.KeepDead. Queue errors are logged and retried
// after PollInterval. Run returns ErrRunning if the Worker is already
// running.
func (w *Worker) Run(ctx context.Context) error {
	if !w.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer w.running.Store(false)

	// Deliveries outlive ctx by ShutdownTimeout.
	dctx, cancelDeliveries := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelDeliveries()
	var wg sync.WaitGroup
	done := make(chan struct{}, w.cfg.Workers)
	inFlight := 0

	// While jobs remain (the last lease filled every free worker), lease
	// again only once a batch of workers is free: fewer, larger leases.
	batch := max(1, w.cfg.Workers/2)
	more := false
	var purged time.Time
	for ctx.Err() == nil {
		if now := w.now(); now.Sub(purged) >= PurgeInterval {
			purged = now
			if _, err := w.cfg.Queue.PurgeDead(ctx, now.Add(-w.cfg.KeepDead)); err != nil && ctx.Err() == nil {
				w.cfg.Logger.ErrorContext(ctx, "delivery: purge dead letters", slog.Any("error", err))
			}
		}
		free := w.cfg.Workers - inFlight
		if free > 0 && (!more || free >= batch) {
			jobs, err := w.cfg.Queue.Lease(ctx, w.now(), free, w.cfg.LeaseFor, w.cfg.PerHostConcurrency)
			if err != nil && ctx.Err() == nil {
				w.cfg.Logger.ErrorContext(ctx, "delivery: lease", slog.Any("error", err))
			}
			for _, j := range jobs {
				inFlight++
				wg.Go(func() {
					defer func() { done <- struct{}{} }()
					w.deliver(dctx, j)
				})
			}
			more = err == nil && len(jobs) == free
		}
		var tick <-chan time.Time
		var timer *time.Timer
		if !more {
			timer = time.NewTimer(w.cfg.PollInterval)
			tick = timer.C
		}
		select {
		case <-ctx.Done():
		case <-done:
			inFlight--
		case <-w.wake:
		case <-tick:
		}
		if timer != nil {
			timer.Stop()
		}
	}

	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	grace := time.NewTimer(w.cfg.ShutdownTimeout)
	defer grace.Stop()
	select {
	case <-finished:
	case <-grace.C:
		cancelDeliveries()
		<-finished
	}
	return nil
}

// DeliverDue makes one attempt at every job that is due now, Workers at
// a time, and returns how many it attempted. It is Run without the
// waiting, for those who drive delivery step by step: the in-process
// test network with its fake clock, or a tool that flushes the queue.
// A job that fails is due again only later, so DeliverDue returns once
// the queue holds nothing due. It returns ErrRunning while Run runs.
func (w *Worker) DeliverDue(ctx context.Context) (int, error) {
	if !w.running.CompareAndSwap(false, true) {
		return 0, ErrRunning
	}
	defer w.running.Store(false)
	total := 0
	for ctx.Err() == nil {
		jobs, err := w.cfg.Queue.Lease(ctx, w.now(), w.cfg.Workers, w.cfg.LeaseFor, w.cfg.PerHostConcurrency)
		if err != nil {
			return total, fmt.Errorf("delivery: lease: %w", err)
		}
		if len(jobs) == 0 {
			return total, nil
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Go(func() { w.deliver(ctx, j) })
		}
		wg.Wait()
		total += len(jobs)
	}
	return total, ctx.Err()
}

// deliver makes one attempt at j and settles it in the queue.
func (w *Worker) deliver(ctx context.Context, j Job) {
	var o outcome
	if age := w.now().Sub(j.CreatedAt); age > w.cfg.MaxAge {
		o = outcome{verdict: bury, err: fmt.Errorf("delivery: expired after %v unsent (last error: %s)", age.Round(time.Second), j.LastError)}
	} else {
		o = w.attempt(ctx, j)
	}
	// Settle even when ctx was cancelled by a shutdown.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	w.settle(sctx, j, o)
}

// attempt POSTs j once and classifies what happened.
func (w *Worker) attempt(ctx context.Context, j Job) outcome {
	signer, err := w.cfg.Signers.Signer(ctx, j.ActorID)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return outcome{verdict: bury, err: fmt.Errorf("delivery: no signer for %s: %w", j.ActorID, err)}
		}
		return w.failed(ctx, outcome{verdict: retry, err: fmt.Errorf("delivery: signer for %s: %w", j.ActorID, err)})
	}
	rctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, j.Inbox, http.NoBody)
	if err != nil {
		return outcome{verdict: bury, err: fmt.Errorf("delivery: %w", err)}
	}
	req.Header.Set("Content-Type", ContentType)
	if w.cfg.UserAgent != "" {
		req.Header.Set("User-Agent", w.cfg.UserAgent)
	}
	var signErr error
	post := func(scheme httpsig.Scheme) (*http.Response, error) {
		r := req.Clone(rctx) // a fresh body for each POST of a double knock
		if len(j.Body) > 0 {
			r.Body = io.NopCloser(bytes.NewReader(j.Body))
			r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(j.Body)), nil }
			r.ContentLength = int64(len(j.Body))
		}
		if err := signer.Sign(r, j.Body, scheme); err != nil {
			signErr = err
			return nil, err
		}
		return w.cfg.Client.Do(r)
	}
	var resp *http.Response
	if w.cfg.Knocks != nil {
		resp, err = w.cfg.Knocks.Knock(req.URL.Host, http.MethodPost, post)
	} else {
		resp, err = post(w.cfg.Scheme)
	}
	switch {
	case signErr != nil:
		return w.failed(ctx, outcome{verdict: retry, err: fmt.Errorf("delivery: sign: %w", signErr)})
	case err != nil:
		return w.failed(ctx, classifyError(err))
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 256))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // let the connection be reused
	return classifyStatus(resp.StatusCode, resp.Header, string(head), w.now())
}

// failed turns an outcome into a release when the attempt failed because
// Run is shutting down.
func (w *Worker) failed(ctx context.Context, o outcome) outcome {
	if ctx.Err() != nil {
		return outcome{verdict: release, err: fmt.Errorf("delivery: shutting down: %w", o.err)}
	}
	return o
}

// classifyError classifies an error of Client.Do: addresses and URLs that
// safehttp refuses are final; everything else (timeouts, refused
// connections, DNS and TLS failures) is retried as a host failure.
func classifyError(err error) outcome {
	if errors.Is(err, safehttp.ErrForbiddenAddress) || errors.Is(err, safehttp.ErrBadURL) {
		return outcome{verdict: bury, err: err}
	}
	return outcome{verdict: retry, hostDown: true, err: err}
}

// settle records the outcome of an attempt at j in the queue.
func (w *Worker) settle(ctx context.Context, j Job, o outcome) {
	q, log := w.cfg.Queue, w.cfg.Logger
	now := w.now()
	logErr := func(op string, err error) {
		if err != nil {
			log.ErrorContext(ctx, "delivery: "+op, slog.Int64("job", j.ID), slog.String("inbox", j.Inbox), slog.Any("error", err))
		}
	}
	if o.hostUp && j.HostFailing {
		logErr("host succeeded", q.HostSucceeded(ctx, j.Host))
	}
	if o.hostDown {
		h, err := q.HostFailed(ctx, j.Host, now, w.cfg.Hosts)
		logErr("host failed", err)
		if err == nil && !h.DownUntil.IsZero() {
			log.WarnContext(ctx, "delivery: host down", slog.String("host", j.Host),
				slog.Time("failing_since", h.FailingSince), slog.Time("probe_at", h.DownUntil))
		}
	}
	if o.verdict == retry && j.Attempt >= MaxAttempts {
		o.verdict = bury
		o.err = fmt.Errorf("delivery: gave up after %d attempts: %w", j.Attempt, o.err)
	}
	var err error
	switch o.verdict {
	case complete:
		err = q.Complete(ctx, j.ID, j.Attempt)
	case release:
		err = q.Retry(ctx, j.ID, j.Attempt, now, o.err.Error())
	case retry:
		wait := max(Backoff(j.Attempt, w.cfg.Rand()), o.retryAfter)
		log.InfoContext(ctx, "delivery: retry", slog.String("inbox", j.Inbox), slog.Int("attempt", j.Attempt),
			slog.Duration("wait", wait), slog.Any("error", o.err))
		err = q.Retry(ctx, j.ID, j.Attempt, now.Add(wait), o.err.Error())
	case bury:
		if o.gone && w.cfg.Gone != nil {
			w.cfg.Gone(ctx, j)
		}
		log.WarnContext(ctx, "delivery: dead letter", slog.String("inbox", j.Inbox), slog.String("activity", j.ActivityID),
			slog.Any("error", o.err))
		err = q.Bury(ctx, now, j.ID, j.Attempt, o.err.Error())
	}
	if errors.Is(err, storage.ErrNotFound) {
		// The lease expired and another worker took the job.
		log.WarnContext(ctx, "delivery: lease lost", slog.Int64("job", j.ID), slog.Int("attempt", j.Attempt))
		return
	}
	logErr("settle", err)
}
