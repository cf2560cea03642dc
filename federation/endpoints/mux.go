package endpoints

import "net/http"

// NewMux returns a ServeMux with every endpoint at the paths of
// DESIGN.md's URL scheme:
//
//	GET /.well-known/webfinger        WebFinger
//	GET /.well-known/host-meta        HostMeta
//	GET /.well-known/nodeinfo         NodeInfo (links)
//	GET /nodeinfo/{version}           NodeInfo 2.0 and 2.1
//	GET /actor, /actor/{rest}         InstanceActor and its collections
//	GET /events/{uuid}                EventDocuments
//	GET /discussions/{id}, /discussions/{id}/comments/{comment},
//	    /resource/{id}, /p/{id}, /todo-lists/{id}, /todos/{id}
//	                                  ContentDocuments
//	GET /{actor}, /{actor}/{rest}     Actors (/@username and its collections)
//
// An application with routes of its own under the same patterns (the
// iCalendar feeds' /events/{uuid}.ics and /@{username}/feed.ics, say)
// mounts the handlers on its own mux instead and dispatches those paths
// itself, as examples/server does.
func NewMux(e *Endpoints) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /.well-known/webfinger", e.WebFinger)
	mux.Handle("GET /.well-known/host-meta", e.HostMeta)
	mux.Handle("GET /.well-known/nodeinfo", e.NodeInfo)
	mux.Handle("GET /nodeinfo/{version}", e.NodeInfo)
	mux.Handle("GET /actor", e.Instance)
	mux.Handle("GET /actor/{rest}", e.Instance)
	mux.Handle("GET /events/{uuid}", e.Events)
	for _, p := range []string{"/discussions/{id}", "/discussions/{id}/comments/{comment}", "/resource/{id}", "/p/{id}",
		"/todo-lists/{id}", "/todos/{id}"} {
		mux.Handle("GET "+p, e.Content)
	}
	mux.Handle("GET /{actor}", e.Actors)
	mux.Handle("GET /{actor}/{rest}", e.Actors)
	return mux
}
