package delivery_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/storage/sqlite"
)

// The crash test's child process: it runs a worker on the database
// CRASH_DB and logs to CRASH_LOG each POST it answers ("ok inbox") or
// leaves hanging ("hang inbox").
const (
	crashDBEnv  = "CONVENE_DELIVERY_CRASH_DB"
	crashLogEnv = "CONVENE_DELIVERY_CRASH_LOG"
	crashJobs   = 30 // one activity to 30 hosts
	crashOK     = 10 // the child answers this many POSTs, then hangs
	crashHang   = 4  // its workers: all hang
)

// crashT0 is the clock of the child; the parent restarts 2 leases later.
var crashT0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

const crashLease = time.Minute

// TestCrashLosesNothing kills (SIGKILL) a worker process in the middle of
// a fan-out, then starts a new worker on the same SQLite file once the
// leases have expired: every inbox is answered exactly once in all, the
// jobs the dead worker completed are not sent again, and those it held
// are.
func TestCrashLosesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	dbPath, logPath := filepath.Join(dir, "convene.db"), filepath.Join(dir, "posts.log")

	db, err := sqlite.Open(ctx, sqlite.Config{Path: dbPath})
	require.NoError(t, err)
	var to []string
	for i := range crashJobs {
		to = append(to, fmt.Sprintf("https://h%02d.example/inbox", i))
	}
	require.NoError(t, db.Enqueue(ctx, crashT0, activity("fan-out"), to))

	child := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	child.Env = append(os.Environ(), crashDBEnv+"="+dbPath, crashLogEnv+"="+logPath)
	child.Stdout, child.Stderr = os.Stderr, os.Stderr
	require.NoError(t, child.Start())
	killed := false
	defer func() {
		if !killed {
			_ = child.Process.Kill()
			_, _ = child.Process.Wait()
		}
	}()

	// Wait until the child has completed crashOK jobs and holds crashHang
	// POSTs in flight.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := db.Stats(ctx, crashT0)
		require.NoError(t, err)
		lines := readLog(t, logPath)
		if st.Queued == crashJobs-crashOK && count(lines, "hang ") == crashHang {
			break
		}
		require.True(t, time.Now().Before(deadline), "child stuck: %+v, log %v", st, lines)
		time.Sleep(20 * time.Millisecond)
	}
	require.NoError(t, child.Process.Kill()) // SIGKILL: no shutdown at all
	_, _ = child.Process.Wait()
	killed = true
	before := readLog(t, logPath)
	st, err := db.Stats(ctx, crashT0)
	require.NoError(t, err)
	assert.Equal(t, crashHang, st.Leased, "the dead worker's leases are still held")

	// A new worker, two lease periods later.
	net := newFakeNet()
	w, err := delivery.NewWorker(delivery.Config{
		Queue: db, Client: net.client(), Signers: signers(t, testKey(t)),
		Now: func() time.Time { return crashT0.Add(2 * crashLease) }, LeaseFor: crashLease, Timeout: 10 * time.Second,
		PollInterval: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- w.Run(rctx) }()
	for {
		st, err := db.Stats(ctx, crashT0.Add(2*crashLease))
		require.NoError(t, err)
		if st.Queued == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "restarted worker stuck: %+v", st)
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	require.NoError(t, <-done)
	require.NoError(t, db.Close())

	answered := map[string]int{}
	for _, l := range before {
		if in, ok := strings.CutPrefix(l, "ok "); ok {
			answered[in]++
		}
	}
	for _, r := range net.requests("") {
		answered["https://"+r.Host+r.Path]++
	}
	require.Len(t, answered, crashJobs, "every inbox got the activity")
	for in, n := range answered {
		assert.Equal(t, 1, n, "%s answered %d times", in, n)
	}
	assert.Len(t, net.requests(""), crashJobs-crashOK, "the restarted worker sent only what was not done")
}

// TestCrashChild is the worker process of TestCrashLosesNothing.
func TestCrashChild(t *testing.T) {
	dbPath := os.Getenv(crashDBEnv)
	if dbPath == "" {
		t.Skip("helper process of TestCrashLosesNothing")
	}
	logf, err := os.OpenFile(os.Getenv(crashLogEnv), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	require.NoError(t, err)
	db, err := sqlite.Open(context.Background(), sqlite.Config{Path: dbPath})
	require.NoError(t, err)
	var mu sync.Mutex
	answered := 0
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		mu.Lock()
		hang := answered >= crashOK
		if !hang {
			answered++
		}
		line := "ok "
		if hang {
			line = "hang "
		}
		_, _ = fmt.Fprintln(logf, line+r.URL.String())
		_ = logf.Sync()
		mu.Unlock()
		if hang {
			select {} // in flight when the process is killed
		}
		return &http.Response{StatusCode: http.StatusAccepted, Body: io.NopCloser(strings.NewReader("")), Header: http.Header{}, Request: r}, nil
	})
	w, err := delivery.NewWorker(delivery.Config{
		Queue: db, Client: &http.Client{Transport: rt}, Signers: signers(t, testKey(t)),
		Now: func() time.Time { return crashT0 }, LeaseFor: crashLease, Timeout: 10 * time.Second,
		Workers: crashHang, PerHostConcurrency: 1, PollInterval: 5 * time.Millisecond,
	})
	require.NoError(t, err)
	_ = w.Run(context.Background()) // until killed
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func readLog(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

func count(lines []string, prefix string) int {
	n := 0
	for _, l := range lines {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}
