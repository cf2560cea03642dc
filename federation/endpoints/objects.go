package endpoints

import (
	"net/http"
	"path"
	"strings"

	"github.com/google/uuid"

	"codeberg.org/convene/convene/identity"
)

// EventDocuments serves /events/{uuid}: the Event document to clients
// that ask for ActivityStreams, Config.HTML to the others (before any
// lookup: the HTML application applies its own access rules, with its
// sessions). The id is the "uuid" path value or, without one, the last
// path segment.
//
// A draft or private event answers 404 unless the fetch is signed (with
// Config.Verifier) by an actor that may see it: the organizer, a
// participant or, for a group event, a member; that actor is the viewer
// of events.Service.Get. A signature that does not verify answers 401.
// A missing event answers 404, or 410 with a Tombstone when
// Config.Tombstones knows it was deleted (the domain keeps no
// tombstones yet). Remote events stored here are not served: their
// origin does (404). An event hidden by the instance's moderators
// answers 404 to every fetch, signed by its organizer or not, and not
// 410: it may be shown again (events.Service.Get finds no hidden event).
type EventDocuments struct{ c *core }

func (h *EventDocuments) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.c
	id := r.PathValue("uuid")
	if id == "" {
		id = path.Base(r.URL.Path)
	}
	if _, err := uuid.Parse(id); err != nil || strings.ContainsAny(id, "{}") || len(id) != 36 {
		http.NotFound(w, r)
		return
	}
	if !wantsAS2(r.Header.Get("Accept")) {
		c.html(w, r) // the HTML application applies its own (session) access rules
		return
	}
	viewer, ok := c.viewerOr401(w, r)
	if !ok {
		return
	}
	e, err := c.cfg.Events.Get(r.Context(), viewer, id)
	switch {
	case err == nil && !e.Local:
		http.NotFound(w, r)
		return
	case notFound(err):
		if c.gone(w, r, c.base+"/events/"+id) {
			return
		}
		http.NotFound(w, r)
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	c.negotiate(w, r, func() {
		v, err := c.eventView(r.Context(), e, map[string]*identity.Actor{})
		if err != nil {
			c.fail(w, r, err)
			return
		}
		c.serveAS2(w, r, http.StatusOK, v)
	})
}
