package endpoints

import (
	"context"
	"net/http"
	"path"
)

// Usage is what NodeInfo publishes of the instance's use. A nil field is
// not known and is left out: FEP-0151 forbids false usage numbers, so a
// source that cannot count something honestly leaves it nil.
type Usage struct {
	// Users is the number of local users (accounts) that may log in.
	Users *int
	// ActiveMonth and ActiveHalfyear count users active in the last 30
	// and 180 days.
	ActiveMonth, ActiveHalfyear *int
	// LocalPosts is the number of local events; LocalComments of local
	// comments.
	LocalPosts, LocalComments *int
}

// UsageSource counts the instance's use for NodeInfo. It is called on
// every NodeInfo request: cache there if counting is costly.
type UsageSource interface {
	Usage(ctx context.Context) (Usage, error)
}

// NodeInfo serves /.well-known/nodeinfo (links to NodeInfo 2.0 and 2.1
// and, per FEP-2677, to the instance actor) and the documents
// /nodeinfo/2.0 and /nodeinfo/2.1: it tells them apart by the last path
// segment ("nodeinfo" for the link list, "2.0", "2.1"). Usage numbers
// come from Config.Usage; without one, none is published.
type NodeInfo struct{ c *core }

type nodeInfoDoc struct {
	Version           string         `json:"version"`
	Software          map[string]any `json:"software"`
	Protocols         []string       `json:"protocols"`
	Services          nodeServices   `json:"services"`
	OpenRegistrations bool           `json:"openRegistrations"`
	Usage             map[string]any `json:"usage"`
	Metadata          map[string]any `json:"metadata"`
}

type nodeServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

func (h *NodeInfo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.c
	w.Header().Set("Access-Control-Allow-Origin", "*")
	version := path.Base(r.URL.Path)
	switch version {
	case "2.0", "2.1":
	case "nodeinfo":
		writeJSON(w, r, c, "application/json", map[string]any{"links": []jrdLink{
			{Rel: RelNodeInfo20, Href: c.base + "/nodeinfo/2.0"},
			{Rel: RelNodeInfo21, Href: c.base + "/nodeinfo/2.1"},
			{Rel: RelApplication, Href: c.base + "/actor"},
		}})
		return
	default:
		http.NotFound(w, r)
		return
	}
	sw := map[string]any{"name": c.cfg.Software.Name, "version": c.cfg.Software.Version}
	if version == "2.1" {
		if c.cfg.Software.Repository != "" {
			sw["repository"] = c.cfg.Software.Repository
		}
		if c.cfg.Software.Homepage != "" {
			sw["homepage"] = c.cfg.Software.Homepage
		}
	}
	users := map[string]any{}
	usage := map[string]any{"users": users}
	if c.cfg.Usage != nil {
		u, err := c.cfg.Usage.Usage(r.Context())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		put := func(m map[string]any, k string, v *int) {
			if v != nil && *v >= 0 {
				m[k] = *v
			}
		}
		put(users, "total", u.Users)
		put(users, "activeMonth", u.ActiveMonth)
		put(users, "activeHalfyear", u.ActiveHalfyear)
		put(usage, "localPosts", u.LocalPosts)
		put(usage, "localComments", u.LocalComments)
	}
	meta := map[string]any{}
	if c.cfg.NodeName != "" {
		meta["nodeName"] = c.cfg.NodeName
	}
	if c.cfg.NodeDescription != "" {
		meta["nodeDescription"] = c.cfg.NodeDescription
	}
	doc := nodeInfoDoc{
		Version:           version,
		Software:          sw,
		Protocols:         []string{"activitypub"},
		Services:          nodeServices{Inbound: []string{}, Outbound: []string{}},
		OpenRegistrations: c.cfg.OpenRegistrations,
		Usage:             usage,
		Metadata:          meta,
	}
	writeJSON(w, r, c, `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/`+version+`#"`, doc)
}
