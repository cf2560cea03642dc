// Command server runs a Convene instance.
//
// It opens the storage (embedded SQLite in the data directory, or
// PostgreSQL), wires the services and ActivityPub federation with
// convene.New, runs the delivery worker, and answers a status page,
// /healthz, the iCalendar feeds and every federation endpoint (WebFinger,
// NodeInfo, actors, events, collections, inboxes), the web UI
// (examples/server/web) and the JSON API under /api/v1
// (docs/openapi.yaml).
//
//	go run ./examples/server
//
// Every flag has an environment equivalent: -listen is CONVENE_LISTEN,
// -base-url CONVENE_BASE_URL, -data-dir CONVENE_DATA_DIR, -database-url
// CONVENE_DATABASE_URL, -allow-private-addresses
// CONVENE_ALLOW_PRIVATE_ADDRESSES, -delivery-timeout
// CONVENE_DELIVERY_TIMEOUT, -delivery-lease CONVENE_DELIVERY_LEASE,
// -log-level CONVENE_LOG_LEVEL.
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/examples/server/api"
	"codeberg.org/convene/convene/examples/server/internal/ratelimit"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/notify"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/sqlite"
)

func main() {
	run := run
	if len(os.Args) > 1 {
		switch os.Args[1] {
		case "admin":
			run = admin
		case "version", "-version", "--version":
			run = printVersion
		}
	}
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "convene:", err)
		os.Exit(1)
	}
}

// config is the server's configuration.
type config struct {
	listen, baseURL, dataDir, databaseURL, logLevel string
	// allowPrivate is CONVENE_ALLOW_PRIVATE_ADDRESSES: comma-separated
	// CIDRs federation may reach although private.
	allowPrivate string
	// deliveryTimeout and deliveryLease tune delivery (0: defaults).
	deliveryTimeout, deliveryLease time.Duration
	// smtpURL is CONVENE_SMTP_URL; empty writes mail to a file outbox
	// in the data directory.
	smtpURL string
	// name is CONVENE_NAME, the instance's name; empty means its host.
	name string
	// registrations is CONVENE_REGISTRATIONS: open, approval or closed.
	registrations string
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	c := configFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return *c, err
	}
	switch c.registrations {
	case "open", "approval", "closed":
	default:
		return *c, fmt.Errorf("-registrations: %q is not open, approval or closed", c.registrations)
	}
	for _, name := range []string{"CONVENE_DELIVERY_TIMEOUT", "CONVENE_DELIVERY_LEASE"} {
		if v := getenv(name); v != "" {
			if _, err := time.ParseDuration(v); err != nil {
				return *c, fmt.Errorf("%s: %w", name, err)
			}
		}
	}
	return c.finish(), nil
}

// configFlags registers the settings shared by the server and the admin
// commands on fs, with their environment defaults.
func configFlags(fs *flag.FlagSet, getenv func(string) string) *config {
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	c := &config{}
	fs.StringVar(&c.listen, "listen", env("CONVENE_LISTEN", "127.0.0.1:8080"), "address to listen on (CONVENE_LISTEN)")
	fs.StringVar(&c.baseURL, "base-url", env("CONVENE_BASE_URL", ""), "public URL of the instance; default http://LISTEN (CONVENE_BASE_URL)")
	fs.StringVar(&c.dataDir, "data-dir", env("CONVENE_DATA_DIR", "convene-data"), "data directory (CONVENE_DATA_DIR)")
	fs.StringVar(&c.databaseURL, "database-url", env("CONVENE_DATABASE_URL", ""), "postgres:// URL; empty means SQLite in the data directory (CONVENE_DATABASE_URL)")
	fs.StringVar(&c.logLevel, "log-level", env("CONVENE_LOG_LEVEL", "info"), "debug, info, warn or error (CONVENE_LOG_LEVEL)")
	fs.StringVar(&c.allowPrivate, "allow-private-addresses", env("CONVENE_ALLOW_PRIVATE_ADDRESSES", ""),
		"comma-separated CIDRs federation may reach although private, e.g. 127.0.0.0/8 for instances on one machine (CONVENE_ALLOW_PRIVATE_ADDRESSES)")
	fs.StringVar(&c.registrations, "registrations", env("CONVENE_REGISTRATIONS", "open"),
		"open, approval (an administrator approves new accounts) or closed (CONVENE_REGISTRATIONS)")
	fs.StringVar(&c.name, "name", env("CONVENE_NAME", ""), "the instance's name in pages, mail and NodeInfo; default its host (CONVENE_NAME)")
	fs.StringVar(&c.smtpURL, "smtp-url", env("CONVENE_SMTP_URL", ""),
		"smtp://user:pass@host:587?from=events@example.org (STARTTLS) or smtps://…:465; empty writes mail to DATA_DIR/mail (CONVENE_SMTP_URL)")
	fs.DurationVar(&c.deliveryTimeout, "delivery-timeout", envDuration(getenv, "CONVENE_DELIVERY_TIMEOUT"),
		"bound of one delivery POST; 0 means 30s (CONVENE_DELIVERY_TIMEOUT)")
	fs.DurationVar(&c.deliveryLease, "delivery-lease", envDuration(getenv, "CONVENE_DELIVERY_LEASE"),
		"after a crash, deliveries in flight resume this long after they began; 0 means 5m; must exceed -delivery-timeout (CONVENE_DELIVERY_LEASE)")
	return c
}

// envDuration reads a duration from the environment; 0 when unset or
// malformed (parseConfig reports a malformed one).
func envDuration(getenv func(string) string, name string) time.Duration {
	d, err := time.ParseDuration(getenv(name))
	if err != nil {
		return 0
	}
	return d
}

// privatePrefixes parses -allow-private-addresses.
func (c config) privatePrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(c.allowPrivate, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		p, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, fmt.Errorf("-allow-private-addresses: %w", err)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// finish derives what the flags leave open.
func (c config) finish() config {
	if c.baseURL == "" {
		c.baseURL = "http://" + c.listen
	}
	c.baseURL = strings.TrimSuffix(c.baseURL, "/")
	return c
}

// openStore opens PostgreSQL when a URL is given, SQLite otherwise.
func openStore(ctx context.Context, c config) (convene.Store, func() error, error) {
	if c.databaseURL != "" {
		if !strings.HasPrefix(c.databaseURL, "postgres://") && !strings.HasPrefix(c.databaseURL, "postgresql://") {
			return nil, nil, errors.New("-database-url must be a postgres:// URL")
		}
		db, err := postgres.Open(ctx, postgres.Config{URL: c.databaseURL})
		if err != nil {
			return nil, nil, err
		}
		return db, db.Close, nil
	}
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(c.dataDir, "convene.db")})
	if err != nil {
		return nil, nil, err
	}
	return db, db.Close, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, err := parseConfig(args, getenv)
	if err != nil {
		return err
	}
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return fmt.Errorf("-log-level: %w", err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	allow, err := c.privatePrefixes()
	if err != nil {
		return err
	}
	store, closeStore, err := openStore(ctx, c)
	if err != nil {
		return fmt.Errorf("open storage: %w", err)
	}
	defer closeStore()
	sender, err := openMail(c)
	if err != nil {
		return err
	}
	// The one-click unsubscribe links of discussion mail are the web
	// UI's, built after the notices: unsubscribe reaches it once set.
	unsubscribe := &lateUnsubscribe{}
	notices, err := notify.New(notify.Config{Mail: sender, Identity: store, Events: store, Groups: store,
		BaseURL: c.baseURL, InstanceName: c.name, StateDir: filepath.Join(c.dataDir, "notify"), Log: log,
		DiscussionUnsubscribe: unsubscribe.URL})
	if err != nil {
		return err
	}
	secret, err := loadSecret(c.dataDir)
	if err != nil {
		return err
	}
	// The HTML pages of actors and events are the web UI's, which needs
	// the instance: federation's content negotiation reaches it through
	// this, filled in below.
	pages := &lateHandler{}
	inst, err := convene.New(convene.Config{Store: store, BaseURL: c.baseURL, Name: c.name, EventHook: notices, GroupHook: notices,
		ConversationHook: notices,
		Federation: &convene.FederationConfig{AllowPrivate: allow, Log: log, HTML: pages,
			OpenRegistrations: c.registrations == "open",
			DeliveryTimeout:   c.deliveryTimeout, DeliveryLease: c.deliveryLease,
			Software: endpoints.Software{Name: "convene", Version: version(),
				Repository: "https://codeberg.org/convene/convene", Homepage: "https://codeberg.org/convene/convene"}}})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	// One budget of private messages per account, through the web UI
	// and the JSON API alike.
	msgLimit := ratelimit.New(time.Now, web.MessageBurst, web.MessageRefill, web.MaxLimiterKeys)
	jsonAPI, err := api.New(api.Config{Instance: inst, Follows: inst.Federation, BaseURL: c.baseURL, Log: log,
		MessageLimit: msgLimit})
	if err != nil {
		return err
	}
	var mailLog web.MailLog // the admin's mail page, when mail goes to files
	if fo, ok := sender.(*mail.FileOutbox); ok {
		mailLog = fo
	}
	queue, _ := store.(web.DeliveryStats)
	messages, err := notify.NewMessenger(notices)
	if err != nil {
		return err
	}
	ui, err := web.New(web.Config{Instance: inst, Participations: store, Secret: secret,
		Confirmations: accountMail{notices}, Resets: accountMail{notices}, Follows: inst.Federation,
		AnonymousMail: notices, Invitations: notices, Messages: messages, Handles: inst.Federation.Resolver,
		Policy: inst.Federation.Policy, Delivery: queue, MailLog: mailLog,
		RegistrationsClosed: c.registrations == "closed", RegistrationsApproval: c.registrations == "approval",
		Settings: inst.Moderation, MessageLimit: msgLimit,
		BaseURL: c.baseURL, Name: c.name, Log: log})
	if err != nil {
		return err
	}
	pages.h.Store(ui.Pages())
	unsubscribe.ui.Store(ui)
	srv := &http.Server{Handler: newMux(inst, jsonAPI, ui, log), ReadHeaderTimeout: 10 * time.Second}
	bg, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	background := make(chan error, 1)
	go func() { background <- inst.Run(bg) }()
	mailDone := make(chan error, 1)
	go func() { mailDone <- notices.Run(bg) }()
	defer func() {
		stopBackground()
		if err := <-mailDone; err != nil && !errors.Is(err, context.Canceled) {
			log.Error("notifications", "err", err)
		}
	}()
	defer func() {
		stopBackground()
		if err := <-background; err != nil {
			log.Error("background work", "err", err)
		}
	}()
	fmt.Fprintf(stdout, "Convene is running at %s (storage: %s)\n", c.baseURL, storageName(c))
	fmt.Fprintf(stdout, "Create the first administrator with:\n  go run ./examples/server admin create-account --email you@example.org --password '…' --username you --admin\n")
	log.Info("listening", "addr", ln.Addr().String(), "base_url", c.baseURL, "version", version())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(shutdown)
}

// openMail returns the SMTP sender when -smtp-url is set, and otherwise
// a file outbox under the data directory (the admin pages show it).
func openMail(c config) (mail.Sender, error) {
	if c.smtpURL != "" {
		s, err := mail.NewSMTP(mail.SMTPConfig{URL: c.smtpURL})
		if err != nil {
			return nil, fmt.Errorf("-smtp-url: %w", err)
		}
		return s, nil
	}
	return mail.NewFileOutbox(filepath.Join(c.dataDir, "mail"), nil)
}

func storageName(c config) string {
	if c.databaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite in " + filepath.Join(c.dataDir, "convene.db")
}

func newMux(inst *convene.Instance, jsonAPI http.Handler, ui *web.Web, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.Handle("/api/v1/", jsonAPI)
	for _, pattern := range ui.Routes() {
		mux.Handle(pattern, ui)
	}
	// Everything else of the URL scheme (feeds, discovery, actors,
	// events, collections, inboxes) is the library's; the HTML pages of
	// actors and events come back to the UI through content negotiation.
	mux.Handle("/", inst.Handler())
	return mux
}

// lateHandler forwards to a handler set after it was handed out.
type lateHandler struct{ h atomic.Value }

func (l *lateHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h, _ := l.h.Load().(http.Handler)
	if h == nil {
		http.Error(w, "starting", http.StatusServiceUnavailable)
		return
	}
	h.ServeHTTP(w, r)
}

// lateUnsubscribe gives the web UI's unsubscribe links
// (web.Web.DiscussionUnsubscribeURL) to the notices, built before the
// UI: "" (the mail then links to the group's page) until the UI is set.
type lateUnsubscribe struct{ ui atomic.Pointer[web.Web] }

// URL is notify.Config.DiscussionUnsubscribe.
func (l *lateUnsubscribe) URL(accountID, profileID, groupID string) string {
	ui := l.ui.Load()
	if ui == nil {
		return ""
	}
	return ui.DiscussionUnsubscribeURL(accountID, profileID, groupID)
}

// accountMail sends the web UI's account mails through the notices
// (localized templates).
type accountMail struct{ n *notify.Notifier }

func (m accountMail) SendConfirmation(ctx context.Context, acct *identity.Account, link string) error {
	return m.n.AccountConfirmation(ctx, acct, link)
}

func (m accountMail) SendPasswordReset(ctx context.Context, acct *identity.Account, link string) error {
	return m.n.PasswordReset(ctx, acct, link)
}

// loadSecret returns the instance's secret (it signs the web UI's
// tokens), made once and kept in the data directory.
func loadSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, "secret")
	if b, err := os.ReadFile(path); err == nil {
		if len(b) < web.MinSecretBytes {
			return nil, fmt.Errorf("%s: shorter than %d bytes", path, web.MinSecretBytes)
		}
		return b, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, err
	}
	return b, nil
}

// printVersion prints the version the binary was built from, with the
// Go version and the VCS revision when the build recorded them.
func printVersion(_ context.Context, _ []string, _ func(string) string, stdout io.Writer) error {
	fmt.Fprintf(stdout, "convene %s\n", version())
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(stdout, "go %s\n", strings.TrimPrefix(bi.GoVersion, "go"))
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" || s.Key == "vcs.time" || s.Key == "vcs.modified" {
				fmt.Fprintf(stdout, "%s %s\n", s.Key, s.Value)
			}
		}
	}
	return nil
}

// version is the module version the binary was built from.
func version() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}
