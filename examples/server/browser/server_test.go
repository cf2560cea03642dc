package browser_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"codeberg.org/convene/convene/mail"
)

// waitTimeout bounds every wait of these tests: the server's start, a
// mail's arrival, a page's element.
const waitTimeout = 20 * time.Second

// password is the password of every account of these tests.
const password = "a long enough password"

// binDir holds the server binary, built once per test process, and the
// benchmarks' dataset; TestMain removes it.
var binDir = sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "convene-browser-") })

// serverBinary builds the reference server (examples/server) once per
// test process and returns its path.
var serverBinary = sync.OnceValues(func() (string, error) {
	dir, err := binDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "convene-server")
	out, err := exec.Command("go", "build", "-o", bin, "codeberg.org/convene/convene/examples/server").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build examples/server: %w\n%s", err, out)
	}
	return bin, nil
})

func TestMain(m *testing.M) {
	code := m.Run()
	if dir, err := binDir(); err == nil {
		_ = os.RemoveAll(dir)
	}
	os.Exit(code)
}

// server is one process of the reference server on loopback, with its
// own data directory (SQLite, and mail written to DATA_DIR/mail).
type server struct {
	tb         testing.TB
	bin, dir   string
	host, base string
	// baseURL is the instance's public URL (-base-url); "" means
	// http://host. Requests go to base either way.
	baseURL string
	cmd     *exec.Cmd
	exited  chan struct{}
	log     *syncBuffer
}

// newServer prepares a server on a free port of 127.0.0.1 with the data
// directory dir ("" for a fresh temporary one); start starts it. The
// process is stopped at the end of the test.
func newServer(tb testing.TB, dir string) *server {
	tb.Helper()
	bin, err := serverBinary()
	if err != nil {
		tb.Fatal(err)
	}
	if dir == "" {
		dir = tb.TempDir()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	host := ln.Addr().String()
	if err := ln.Close(); err != nil {
		tb.Fatal(err)
	}
	s := &server{tb: tb, bin: bin, dir: dir, host: host, base: "http://" + host, log: &syncBuffer{}}
	tb.Cleanup(func() {
		s.stop()
		if tb.Failed() {
			tb.Logf("server log:\n%s", s.log.String())
		}
	})
	return s
}

func (s *server) flags() []string {
	return serverFlags(s.host, s.dir, s.baseURL)
}

// serverFlags are the flags of the server and of its admin commands.
func serverFlags(listen, dir, baseURL string) []string {
	flags := []string{"-listen", listen, "-data-dir", dir, "-log-level", "warn"}
	if baseURL != "" {
		flags = append(flags, "-base-url", baseURL)
	}
	return flags
}

// admin runs an admin subcommand on the server's data directory.
func (s *server) admin(args ...string) {
	s.tb.Helper()
	if err := runAdmin(s.bin, s.flags(), args...); err != nil {
		s.tb.Fatal(err)
	}
}

// runAdmin runs an admin subcommand of the server binary bin.
func runAdmin(bin string, flags []string, args ...string) error {
	out, err := exec.Command(bin, append(append([]string{"admin"}, args...), flags...)...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("admin %v: %w\n%s", args, err, out)
	}
	return nil
}

// account creates a confirmed account with its first profile.
func (s *server) account(email, username string) {
	s.tb.Helper()
	s.admin("create-account", "--email", email, "--password", password, "--username", username)
}

// start runs the server and waits until it answers /healthz.
func (s *server) start() {
	s.tb.Helper()
	s.cmd = exec.Command(s.bin, s.flags()...)
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.log
	if err := s.cmd.Start(); err != nil {
		s.tb.Fatal(err)
	}
	s.exited = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) { _ = cmd.Wait(); close(done) }(s.cmd, s.exited)
	s.eventually("the server answers /healthz", func() bool {
		resp, err := http.Get(s.base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// stop ends the server with SIGTERM (SIGKILL after a while).
func (s *server) stop() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// eventually polls cond until it holds, failing the test after
// waitTimeout.
func (s *server) eventually(what string, cond func() bool) {
	s.tb.Helper()
	deadline := time.Now().Add(waitTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			s.tb.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// status is the HTTP status of a GET of path, without following
// redirects: it tells whether a page exists.
func (s *server) status(path string) int {
	s.tb.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(s.base + path)
	if err != nil {
		s.tb.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// linkRE finds the links of this server in a mail's text.
var linkRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// mailedLink waits for a mail to `to` whose kind (X-Convene-Kind)
// starts with kind and returns its first link whose path starts with
// pathPrefix. Mail goes to DATA_DIR/mail when no SMTP server is set.
func (s *server) mailedLink(to, kind, pathPrefix string) string {
	s.tb.Helper()
	var link string
	s.awaitMail(fmt.Sprintf("a %s mail with a %s link reaches %s", kind, pathPrefix, to), to, kind, func(text string) bool {
		for _, l := range linkRE.FindAllString(text, -1) {
			if strings.HasPrefix(l, s.base+pathPrefix) {
				link = l
				return true
			}
		}
		return false
	})
	return link
}

// awaitMail waits until the file outbox holds a mail to `to` whose kind
// starts with kind and whose text match accepts.
func (s *server) awaitMail(what, to, kind string, match func(text string) bool) {
	s.tb.Helper()
	box, err := mail.NewFileOutbox(filepath.Join(s.dir, "mail"), nil)
	if err != nil {
		s.tb.Fatal(err)
	}
	s.eventually(what, func() bool {
		entries, err := box.List(context.Background(), 0)
		if err != nil {
			return false
		}
		for _, e := range entries {
			if !strings.Contains(e.To, to) || !strings.HasPrefix(e.Kind, kind) {
				continue
			}
			if m, err := box.Read(e.Name); err == nil && match(m.Text) {
				return true
			}
		}
		return false
	})
}

// rssMB is the resident memory of the server process (VmRSS of
// /proc/PID/status), in MB.
func (s *server) rssMB() float64 {
	s.tb.Helper()
	return procStatusMB(s.tb, s.cmd.Process.Pid, "VmRSS")
}

// procStatusMB reads a memory field (VmRSS, VmHWM) of /proc/PID/status,
// in MB (10⁶ bytes).
func procStatusMB(tb testing.TB, pid int, field string) float64 {
	tb.Helper()
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Skipf("no /proc/PID/status to read the resident memory from: %v", err)
	}
	for line := range strings.Lines(string(data)) {
		name, value, ok := strings.Cut(line, ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 64)
		if err != nil {
			tb.Fatalf("/proc/%d/status: %s: %v", pid, field, err)
		}
		return kb * 1024 / 1e6
	}
	tb.Fatalf("/proc/%d/status has no %s", pid, field)
	return 0
}

// syncBuffer is a bytes.Buffer safe for concurrent writes (the server's
// stderr) and reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
