package delivery

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"codeberg.org/convene/convene/federation/safehttp"
)

func TestBackoff(t *testing.T) {
	t.Parallel()
	cases := []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 0.5, time.Minute},
		{0, 0.5, time.Minute},  // below 1 counts as 1
		{-3, 0.5, time.Minute}, // idem
		{2, 0.5, 2 * time.Minute},
		{3, 0.5, 4 * time.Minute},
		{9, 0.5, 256 * time.Minute},
		{10, 0.5, BackoffCap}, // 512 min capped at 8 h
		{14, 0.5, BackoffCap},
		{1000, 0.5, BackoffCap}, // no overflow
		{1, 0, 48 * time.Second},
		{1, 0.999999, 72*time.Second - 24*time.Microsecond},
		{1, -1, 48 * time.Second}, // clamped
		{1, 7, 72 * time.Second},  // clamped
		{10, 0, time.Duration(0.8 * float64(BackoffCap))},
	}
	for _, c := range cases {
		got := Backoff(c.attempt, c.jitter)
		assert.InDelta(t, c.want, got, float64(time.Microsecond), "Backoff(%d, %v)", c.attempt, c.jitter)
	}
}

// TestBackoffSchedule: the last attempt comes about two days after the
// first, whatever the jitter.
func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	for _, j := range []float64{0, 0.5, 0.999} {
		var total time.Duration
		for a := 1; a < MaxAttempts; a++ {
			total += Backoff(a, j)
		}
		assert.Greater(t, total, 38*time.Hour, "jitter %v", j)
		assert.Less(t, total, 59*time.Hour, "jitter %v", j)
		if j == 0.5 {
			assert.InDelta(t, 48.5, total.Hours(), 0.1)
		}
	}
}

func TestClassifyStatus(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	type want struct {
		v          verdict
		gone, down bool
		up         bool
		after      time.Duration
	}
	cases := []struct {
		status int
		retry  string
		want   want
	}{
		{200, "", want{v: complete, up: true}},
		{202, "", want{v: complete, up: true}},
		{204, "", want{v: complete, up: true}},
		{301, "", want{v: bury, up: true}},
		{400, "", want{v: bury, up: true}},
		{401, "", want{v: retry, up: true}},
		{403, "", want{v: bury, up: true}},
		{404, "", want{v: bury, up: true}},
		{408, "", want{v: retry, up: true}},
		{410, "", want{v: bury, gone: true, up: true}},
		{413, "", want{v: bury, up: true}},
		{422, "", want{v: bury, up: true}},
		{429, "", want{v: retry, up: true}},
		{429, "120", want{v: retry, up: true, after: 2 * time.Minute}},
		{429, now.Add(time.Hour).Format(http.TimeFormat), want{v: retry, up: true, after: time.Hour}},
		{429, "999999999", want{v: retry, up: true, after: MaxRetryAfter}},
		{429, "-5", want{v: retry, up: true}},
		{429, "soon", want{v: retry, up: true}},
		{400, "120", want{v: bury, up: true}}, // Retry-After only on 429 and 503
		{500, "", want{v: retry, down: true}},
		{502, "", want{v: retry, down: true}},
		{503, "30", want{v: retry, down: true, after: 30 * time.Second}},
		{504, "", want{v: retry, down: true}},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.status, "/", c.retry), func(t *testing.T) {
			h := http.Header{}
			if c.retry != "" {
				h.Set("Retry-After", c.retry)
			}
			o := classifyStatus(c.status, h, " busy ", now)
			assert.Equal(t, c.want, want{o.verdict, o.gone, o.hostDown, o.hostUp, o.retryAfter})
			if c.want.v == complete {
				assert.NoError(t, o.err)
				return
			}
			var re *RemoteError
			if assert.ErrorAs(t, o.err, &re) {
				assert.Equal(t, c.status, re.Status)
				assert.Contains(t, re.Error(), fmt.Sprint(c.status))
				assert.Contains(t, re.Error(), ": busy")
			}
		})
	}
}

func TestClassifyError(t *testing.T) {
	t.Parallel()
	cases := []struct {
		err  error
		want verdict
		down bool
	}{
		{fmt.Errorf("dial: %w", safehttp.ErrForbiddenAddress), bury, false},
		{fmt.Errorf("url: %w", safehttp.ErrBadURL), bury, false},
		{&net.OpError{Op: "dial", Err: errors.New("connection refused")}, retry, true},
		{&net.DNSError{Err: "no such host", IsNotFound: true}, retry, true},
		{fmt.Errorf("read: %w", errors.New("i/o timeout")), retry, true},
	}
	for _, c := range cases {
		o := classifyError(c.err)
		assert.Equal(t, c.want, o.verdict, "%v", c.err)
		assert.Equal(t, c.down, o.hostDown, "%v", c.err)
		assert.ErrorIs(t, o.err, c.err)
	}
}
