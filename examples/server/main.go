// Command server runs a Convene instance.
//
// For now it is the foundation only: it opens the storage (embedded
// SQLite in the data directory, or PostgreSQL), wires the services with
// convene.New and answers a status page, the iCalendar feeds and
// /healthz. The web UI, the
// JSON API, federation and the iCalendar feeds are being built on top of
// it (see README.md).
//
//	go run ./examples/server
//
// Every flag has an environment equivalent: -listen is CONVENE_LISTEN,
// -base-url CONVENE_BASE_URL, -data-dir CONVENE_DATA_DIR, -database-url
// CONVENE_DATABASE_URL, -log-level CONVENE_LOG_LEVEL.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/federation/endpoints"
	"codeberg.org/convene/convene/storage/postgres"
	"codeberg.org/convene/convene/storage/sqlite"
)

func main() {
	run := run
	if len(os.Args) > 1 && os.Args[1] == "admin" {
		run = admin
	}
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "convene:", err)
		os.Exit(1)
	}
}

// config is the server's configuration.
type config struct {
	listen, baseURL, dataDir, databaseURL, logLevel string
}

func parseConfig(args []string, getenv func(string) string) (config, error) {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	c := configFlags(fs, getenv)
	if err := fs.Parse(args); err != nil {
		return *c, err
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
	return c
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

	store, closeStore, err := openStore(ctx, c)
	if err != nil {
		return fmt.Errorf("open storage: %w", err)
	}
	defer closeStore()
	inst, err := convene.New(convene.Config{Store: store, BaseURL: c.baseURL})
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return err
	}
	// Signed fetches are not verified yet (no key resolver is wired):
	// private objects answer 404 to every fetch.
	ep, err := endpoints.New(endpoints.Config{BaseURL: c.baseURL, Identity: inst.Identity, Groups: inst.Groups,
		Events: inst.Events, Store: store, Log: log})
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: newMux(inst, ep, log), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stdout, "Convene is running at %s (storage: %s)\n", c.baseURL, storageName(c))
	fmt.Fprintf(stdout, "Create the first administrator with:\n  go run ./examples/server admin create-account --email you@example.org --password '…' --username you --admin\n")
	log.Info("listening", "addr", ln.Addr().String(), "base_url", c.baseURL)

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

func storageName(c config) string {
	if c.databaseURL != "" {
		return "PostgreSQL"
	}
	return "SQLite in " + filepath.Join(c.dataDir, "convene.db")
}

var statusPage = template.Must(template.New("status").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Convene</title></head>
<body><main>
<h1>Convene</h1>
<p>This instance is running. It is the foundation only: accounts, groups and events live in its storage,
and the web pages, the JSON API and federation are coming next.
Its public events are in the calendar feed <a href="/feed/instance.ics">/feed/instance.ics</a>.</p>
<h2>Upcoming public events</h2>
{{if .}}<ul>{{range .}}<li><time datetime="{{.Start.Format "2006-01-02T15:04:05Z07:00"}}">{{.Start.Format "Mon 2 Jan 2006 15:04 MST"}}</time> {{.Event.Title}}</li>{{end}}</ul>
{{else}}<p>None yet.</p>{{end}}
</main></body></html>`))

func newMux(inst *convene.Instance, ep *endpoints.Endpoints, log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	// iCalendar feeds. ServeMux wildcards are whole path segments, so the
	// handler itself checks the "@" of /@{username}/feed.ics and the
	// ".ics" of /events/{uuid}.ics. "/{actor}/{rest...}" is the least
	// specific two-segment pattern, so it does not conflict with the
	// literal ones (/events/…, /feed/…); it will carry the other actor
	// routes (/@{username}/inbox, /outbox…) too.
	mux.HandleFunc("GET /events/{file}", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.PathValue("file"), ".ics") {
			inst.Feeds.ServeHTTP(w, r)
			return
		}
		ep.Events.ServeHTTP(w, r) // reads the last path segment
	})
	mux.HandleFunc("GET /{actor}/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("rest") == "feed.ics" && strings.HasPrefix(r.PathValue("actor"), "@") {
			inst.Feeds.ServeHTTP(w, r)
			return
		}
		ep.Actors.ServeHTTP(w, r) // 404 unless /@{username}/{collection}
	})
	// Federation: discovery, actor and event documents, collections
	// (federation/endpoints). /{actor} is /@{username}; the handler checks
	// the '@'.
	mux.Handle("GET /{actor}", ep.Actors)
	mux.Handle("GET /actor", ep.Instance)
	mux.Handle("GET /actor/{rest}", ep.Instance)
	mux.Handle("GET /.well-known/webfinger", ep.WebFinger)
	mux.Handle("GET /.well-known/host-meta", ep.HostMeta)
	mux.Handle("GET /.well-known/nodeinfo", ep.NodeInfo)
	mux.Handle("GET /nodeinfo/{version}", ep.NodeInfo)
	mux.Handle("GET /feed/instance.ics", inst.Feeds)
	mux.Handle("GET /feed/private/{token}", inst.Feeds)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		page, err := inst.Events.Search(r.Context(), events.Query{Limit: 20})
		if err != nil {
			log.Error("status page", "err", err)
			http.Error(w, "storage error", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := statusPage.Execute(w, page.Occurrences); err != nil {
			log.Error("status page", "err", err)
		}
	})
	return mux
}
