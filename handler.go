package convene

import (
	"net/http"
	"strings"
)

// Handler returns the instance's public HTTP interface at the paths of
// DESIGN.md's URL scheme: the iCalendar feeds and, with federation,
// discovery (WebFinger, host-meta, NodeInfo), the actor, event and
// collection documents, and the shared and per-actor inboxes. Paths it
// does not serve answer 404, so an application mounts it as the
// fallback of its own mux:
//
//	mux := http.NewServeMux()
//	mux.Handle("GET /{$}", home)
//	mux.Handle("/", inst.Handler())
//
// HTML pages of actors and events come from FederationConfig.HTML.
func (i *Instance) Handler() http.Handler {
	mux := http.NewServeMux()
	feeds := i.Feeds
	mux.Handle("GET /feed/instance.ics", feeds)
	mux.Handle("GET /feed/private/{token}", feeds)
	f := i.Federation
	if f == nil {
		mux.HandleFunc("GET /events/{file}", func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasSuffix(r.PathValue("file"), ".ics") {
				http.NotFound(w, r)
				return
			}
			feeds.ServeHTTP(w, r)
		})
		mux.HandleFunc("GET /{actor}/feed.ics", func(w http.ResponseWriter, r *http.Request) {
			if !strings.HasPrefix(r.PathValue("actor"), "@") {
				http.NotFound(w, r)
				return
			}
			feeds.ServeHTTP(w, r)
		})
		return mux
	}
	ep := f.Endpoints
	mux.Handle("GET /.well-known/webfinger", ep.WebFinger)
	mux.Handle("GET /.well-known/host-meta", ep.HostMeta)
	mux.Handle("GET /.well-known/nodeinfo", ep.NodeInfo)
	mux.Handle("GET /nodeinfo/{version}", ep.NodeInfo)
	mux.Handle("GET /actor", ep.Instance)
	mux.Handle("GET /actor/{rest}", ep.Instance)
	mux.Handle("POST /inbox", f.Inbox)
	mux.Handle("POST /actor/inbox", f.Inbox)
	// ServeMux wildcards are whole path segments: the handlers check the
	// "@" of /@{username}/… and the ".ics" of /events/{uuid}.ics.
	mux.HandleFunc("GET /events/{file}", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.PathValue("file"), ".ics") {
			feeds.ServeHTTP(w, r)
			return
		}
		ep.Events.ServeHTTP(w, r)
	})
	// Groups' content (discussions and their messages, resources,
	// posts, todo lists, todos): members only, posts by visibility.
	for _, p := range []string{"/discussions/{id}", "/discussions/{id}/comments/{comment}", "/resource/{id}",
		"/p/{id}", "/todo-lists/{id}", "/todos/{id}"} {
		mux.Handle("GET "+p, ep.Content)
	}
	mux.Handle("GET /{actor}", ep.Actors)
	mux.HandleFunc("GET /{actor}/{rest...}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("rest") == "feed.ics" && strings.HasPrefix(r.PathValue("actor"), "@") {
			feeds.ServeHTTP(w, r)
			return
		}
		ep.Actors.ServeHTTP(w, r) // 404 unless /@{username}/{collection}
	})
	mux.HandleFunc("POST /{actor}/inbox", func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.PathValue("actor"), "@") {
			http.NotFound(w, r)
			return
		}
		f.Inbox.ServeHTTP(w, r)
	})
	return mux
}
