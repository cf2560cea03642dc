package endpoints

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// memberRoles are the roles that make a member.
var memberRoles = []groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator, groups.RoleMember}

// Actors serves /@{username} (the actor document of a profile or a
// group, or Config.HTML by content negotiation) and its collections
// /@{username}/{outbox,followers,following,members,events} and, with
// Config.Content, a group's /@{username}/{discussions,resources,posts,todos}.
//
// It takes the username from the "actor" path value, which must start
// with '@' (mount it on "GET /{actor}" and "GET /{actor}/{rest...}",
// ServeMux wildcards being whole segments), and the collection from the
// "rest" path value; without path values, from the first path segment
// starting with '@' and the one after it.
//
// A request for /@{username} that does not ask for ActivityStreams goes
// straight to Config.HTML, which does its own lookup. Otherwise missing
// actors, suspended profiles and names that are not local answer 404 (410 with a Tombstone when Config.Tombstones knows the
// actor was deleted). Collections are ActivityStreams only, paged with
// ?page=N (PageSize items). The members, discussions, resources and
// todos collections (todos lists the todo lists, resources the root
// items, posts the public published posts only), and every collection
// of a private group, are served in full only to a signed fetch by a
// member; others get a collection with its totalItems alone, and 403
// for its pages.
type Actors struct{ c *core }

func (h *Actors) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.c
	name, rest := r.PathValue("actor"), r.PathValue("rest")
	if name == "" {
		name, rest = actorFromPath(r.URL.Path)
	}
	if !strings.HasPrefix(name, "@") || len(name) < 2 || strings.Contains(name[1:], "@") {
		http.NotFound(w, r)
		return
	}
	name = name[1:]
	if rest == "" && !wantsAS2(r.Header.Get("Accept")) {
		c.html(w, r)
		return
	}
	a, err := c.publicActor(r, name)
	if err == nil && a.Type == identity.TypeApplication {
		err = identity.ErrNotFound // the instance actor lives at /actor
	}
	switch {
	case notFound(err):
		if rest == "" && c.gone(w, r, c.base+"/@"+name) {
			return
		}
		http.NotFound(w, r)
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	c.serveActor(w, r, a, rest)
}

// actorFromPath finds "@name" and what follows it in a path.
func actorFromPath(p string) (name, rest string) {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "@") {
			return s, strings.Join(segs[i+1:], "/")
		}
	}
	return "", ""
}

// InstanceActor serves the instance's Application actor (FEP-2677,
// fetchable without a signature) at /actor, and its collections
// /actor/{outbox,followers,following}: the collection is the "rest"
// path value or, without one, what follows "/actor/" in the path.
type InstanceActor struct{ c *core }

func (h *InstanceActor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.c
	rest := r.PathValue("rest")
	if rest == "" {
		if i := strings.Index(r.URL.Path, "/actor/"); i >= 0 {
			rest = r.URL.Path[i+len("/actor/"):]
		}
	}
	a, err := c.cfg.Identity.InstanceActor(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.serveActor(w, r, a, rest)
}

func (c *core) serveActor(w http.ResponseWriter, r *http.Request, a *identity.Actor, rest string) {
	var g *groups.Group
	if a.Type == identity.TypeGroup {
		var err error
		if g, err = c.cfg.Groups.Get(r.Context(), a.ID); err != nil {
			if notFound(err) {
				http.NotFound(w, r)
			} else {
				c.fail(w, r, err)
			}
			return
		}
	}
	switch rest {
	case "":
		c.negotiate(w, r, func() {
			if g == nil {
				c.serveAS2(w, r, http.StatusOK, wire.PersonView{Actor: *a})
				return
			}
			n, err := c.cfg.Store.CountMembers(r.Context(), g.ID, memberRoles)
			if err != nil {
				c.fail(w, r, err)
				return
			}
			c.serveAS2(w, r, http.StatusOK, wire.GroupView{Group: *g, MemberCount: n})
		})
	case "outbox", "followers", "following", "events":
		c.serveCollection(w, r, a, g, rest)
	case "members":
		if g == nil {
			http.NotFound(w, r)
			return
		}
		c.serveCollection(w, r, a, g, rest)
	case "discussions", "resources", "posts", "todos":
		if g == nil || c.cfg.Content == nil {
			http.NotFound(w, r)
			return
		}
		c.serveCollection(w, r, a, g, rest)
	default:
		http.NotFound(w, r)
	}
}

// page parses ?page=N: 0 for the collection itself, -1 when malformed.
func page(r *http.Request) int {
	s := r.URL.Query().Get("page")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxPage {
		return -1
	}
	return n
}

// listing is one page of a collection and its size.
type listing struct {
	total   int
	items   []wire.Object
	iris    []string
	hasNext bool
}

func (c *core) serveCollection(w http.ResponseWriter, r *http.Request, a *identity.Actor, g *groups.Group, name string) {
	n := page(r)
	if n < 0 {
		http.Error(w, "page must be a number from 1 to "+strconv.Itoa(MaxPage), http.StatusNotFound)
		return
	}
	id := a.APID + "/" + name
	restricted := g != nil && (name == "members" || g.Visibility == groups.Private || (contentCollection(name) && name != "posts"))
	full := true
	if restricted {
		viewer, ok := c.viewerOr401(w, r)
		if !ok {
			return
		}
		full = false
		if viewer != "" {
			err := c.cfg.Groups.Authorize(r.Context(), g.ID, viewer, groups.PermGroupAccess)
			switch {
			case err == nil:
				full = true
			case !errors.Is(err, groups.ErrForbidden) && !notFound(err):
				c.fail(w, r, err)
				return
			}
		}
		if !full && n > 0 {
			http.Error(w, "this collection is shown to the group's members only", http.StatusForbidden)
			return
		}
	}
	l, err := c.list(r, a, g, name, max(n, 1))
	if err != nil {
		c.fail(w, r, err)
		return
	}
	if n == 0 {
		coll := wire.Collection{ID: id, AttributedTo: a.APID, TotalItems: l.total}
		if full {
			coll.First = id + "?page=1"
		}
		c.serveAS2(w, r, http.StatusOK, coll)
		return
	}
	if n > 1 && (n-1)*PageSize >= l.total {
		http.NotFound(w, r)
		return
	}
	c.serveAS2(w, r, http.StatusOK, wire.CollectionPage{Collection: id, AttributedTo: a.APID, Page: n,
		TotalItems: l.total, HasNext: l.hasNext, Items: l.items, ItemIRIs: l.iris})
}

// window is the index range of page n.
func window(n int) (from, to int) { return (n - 1) * PageSize, n * PageSize }

func (c *core) list(r *http.Request, a *identity.Actor, g *groups.Group, name string, n int) (listing, error) {
	switch name {
	case "followers":
		return c.listFollows(r, a.ID, n, false)
	case "following":
		return c.listFollows(r, a.ID, n, true)
	case "members":
		return c.listMembers(r, g.ID, n)
	case "outbox":
		return c.listOutbox(r, a, n)
	case "discussions", "resources", "posts", "todos":
		return c.listContent(r, g, name, n)
	default: // events
		return c.listUpcoming(r, a, n)
	}
}
