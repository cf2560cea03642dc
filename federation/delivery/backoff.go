package delivery

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The retry schedule: a failed attempt n (1-based) waits
// Backoff(n, jitter) before the next: 1 min, 2, 4, … 4 h 16 min, then
// BackoffCap. The MaxAttempts-th attempt comes about 48 hours (± 20 %)
// after the first; when it fails too the job is buried.
const (
	// MaxAttempts bounds the attempts of one job.
	MaxAttempts = 15
	// BackoffBase is the wait after the first failed attempt.
	BackoffBase = time.Minute
	// BackoffCap bounds one wait.
	BackoffCap = 8 * time.Hour
	// BackoffJitter is the relative spread of a wait: a wait is its
	// nominal value times a factor in [1-BackoffJitter, 1+BackoffJitter).
	BackoffJitter = 0.2
	// MaxRetryAfter bounds the Retry-After of a 429 or 503 answer that
	// is honoured.
	MaxRetryAfter = 12 * time.Hour
)

// Backoff returns the wait after the attempt-th failed attempt (1 for the
// first): BackoffBase·2^(attempt-1), at most BackoffCap, times
// 1-BackoffJitter+2·BackoffJitter·jitter. jitter is a uniform draw from
// [0, 1) (values outside are clamped); attempt < 1 counts as 1. It is a
// pure function, the same on every worker.
func Backoff(attempt int, jitter float64) time.Duration {
	attempt = max(attempt, 1)
	d := BackoffCap
	if attempt <= 30 {
		d = min(BackoffBase<<(attempt-1), BackoffCap)
	}
	jitter = min(max(jitter, 0), 1)
	return time.Duration(float64(d) * (1 - BackoffJitter + 2*BackoffJitter*jitter))
}

// RemoteError is the answer of an inbox that did not take the activity.
type RemoteError struct {
	// Status is the HTTP status code.
	Status int
	// Body is the start of the response body (at most 256 bytes).
	Body string
	// RetryAfter is the Retry-After of the answer, when it had one
	// (capped at MaxRetryAfter).
	RetryAfter time.Duration
}

func (e *RemoteError) Error() string {
	s := fmt.Sprintf("delivery: inbox answered %d %s", e.Status, http.StatusText(e.Status))
	if e.RetryAfter > 0 {
		s += fmt.Sprintf(" (retry after %s)", e.RetryAfter)
	}
	if b := strings.TrimSpace(e.Body); b != "" {
		s += ": " + b
	}
	return s
}

// verdict is what becomes of a job after an attempt.
type verdict int

const (
	complete verdict = iota // delivered
	retry                   // try again later (or bury after MaxAttempts)
	bury                    // never again
	release                 // not tried to the end (shutdown): due again now
)

// outcome is the classification of one attempt.
type outcome struct {
	verdict verdict
	// gone: the inbox answered 410: its actor is gone.
	gone bool
	// hostDown: the host did not answer usefully (network error, 5xx):
	// it counts as a host failure. hostUp: it answered.
	hostDown, hostUp bool
	// retryAfter is the least wait the host asked for.
	retryAfter time.Duration
	err        error
}

// classifyStatus turns an inbox's answer into an outcome: 2xx delivered;
// 401, 408 and 429 retried (the host is up); 429 and 503 honour
// Retry-After; 410 buried and reported gone; other 1xx, 3xx and 4xx
// final; 5xx retried as a host failure.
func classifyStatus(status int, header http.Header, body string, now time.Time) outcome {
	if status >= 200 && status < 300 {
		return outcome{verdict: complete, hostUp: true}
	}
	re := &RemoteError{Status: status, Body: body}
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		re.RetryAfter = parseRetryAfter(header.Get("Retry-After"), now)
	}
	o := outcome{err: re, retryAfter: re.RetryAfter}
	switch {
	case status >= 500:
		o.verdict, o.hostDown = retry, true
	case status == http.StatusUnauthorized, status == http.StatusRequestTimeout, status == http.StatusTooManyRequests:
		o.verdict, o.hostUp = retry, true
	case status == http.StatusGone:
		o.verdict, o.gone, o.hostUp = bury, true, true
	default:
		o.verdict, o.hostUp = bury, true
	}
	return o
}

// parseRetryAfter reads a Retry-After header, delay-seconds or an
// HTTP-date, into a wait from now in [0, MaxRetryAfter]; 0 when absent or
// unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > int64(MaxRetryAfter/time.Second) {
			return MaxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), MaxRetryAfter)
}
