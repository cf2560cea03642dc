package endpoints

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
)

// WebFinger and discovery link relations.
const (
	RelSelf        = "self"
	RelProfilePage = "http://webfinger.net/rel/profile-page"
	RelSubscribe   = "http://ostatus.org/schema/1.0/subscribe"
	RelNodeInfo20  = "http://nodeinfo.diaspora.software/ns/schema/2.0"
	RelNodeInfo21  = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	// RelApplication is FEP-2677's link to the instance actor.
	RelApplication = wire.ActivityStreamsNS + "#Application"
	// JRDContentType is WebFinger's media type.
	JRDContentType = "application/jrd+json"
)

// WebFinger serves /.well-known/webfinger (RFC 7033) for profiles,
// groups and the instance actor. The resource may be
// acct:username@host, acct:host@host or https://host/ for the instance
// actor (FEP-d556), or an actor's id (BaseURL/@username, BaseURL/actor).
// It answers 400 for a missing, oversized or malformed resource, 404 for
// an unknown actor, a suspended profile or another host (it does not
// proxy), and otherwise application/jrd+json with the links self
// (application/activity+json), profile-page (text/html) and the ostatus
// subscribe template, filtered by the rel parameters. Every answer
// carries Access-Control-Allow-Origin: *.
type WebFinger struct{ c *core }

type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

type jrdLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// errBadResource: the resource parameter is missing or malformed (400).
var errBadResource = errors.New("bad resource")

// errUnknownResource: not one of ours (404).
var errUnknownResource = errors.New("unknown resource")

func (h *WebFinger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.c
	w.Header().Set("Access-Control-Allow-Origin", "*")
	q := r.URL.Query()
	res := q["resource"]
	if len(res) != 1 {
		http.Error(w, "exactly one resource parameter is required", http.StatusBadRequest)
		return
	}
	username, err := c.parseResource(res[0])
	switch {
	case errors.Is(err, errBadResource):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	a, err := c.publicActor(r, username)
	switch {
	case notFound(err):
		http.Error(w, "not found", http.StatusNotFound)
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	doc := jrd{Subject: "acct:" + a.Username + "@" + c.host, Aliases: []string{a.APID}}
	if a.URL != "" && a.URL != a.APID {
		doc.Aliases = append(doc.Aliases, a.URL)
	}
	links := []jrdLink{{Rel: RelSelf, Type: wire.ContentType, Href: a.APID}}
	if a.URL != "" {
		links = append(links, jrdLink{Rel: RelProfilePage, Type: "text/html", Href: a.URL})
	}
	links = append(links, jrdLink{Rel: RelSubscribe, Template: c.cfg.SubscribeTemplate})
	if rels := q["rel"]; len(rels) > 0 {
		links = slices.DeleteFunc(links, func(l jrdLink) bool { return !slices.Contains(rels, l.Rel) })
	}
	doc.Links = links
	writeJSON(w, r, c, JRDContentType, doc)
}

// parseResource returns the local username a resource names (the host
// for the instance actor).
func (c *core) parseResource(res string) (string, error) {
	if res == "" || len(res) > MaxResourceLength {
		return "", errors.Join(errBadResource, errors.New("the resource must have 1 to 1024 bytes"))
	}
	for _, r := range res {
		if r < 0x20 || r == 0x7f || r == ' ' {
			return "", errors.Join(errBadResource, errors.New("the resource holds spaces or control characters"))
		}
	}
	lower := strings.ToLower(res)
	switch {
	case strings.HasPrefix(lower, "acct:"):
		return c.parseAcct(res[len("acct:"):])
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		u, err := url.Parse(res)
		if err != nil || u.Host == "" {
			return "", errors.Join(errBadResource, errors.New("the resource is not a valid URL"))
		}
		if !strings.EqualFold(u.Scheme+"://"+u.Host, c.base) || u.RawQuery != "" || u.Fragment != "" {
			return "", errUnknownResource
		}
		switch p := u.Path; {
		case p == "" || p == "/" || p == "/actor":
			return c.host, nil
		case strings.HasPrefix(p, "/@") && !strings.Contains(p[2:], "/") && len(p) > 2:
			return p[2:], nil
		}
		return "", errUnknownResource
	case !strings.Contains(res, ":") && strings.Contains(res, "@"):
		// user@host without a scheme: read as acct, as Mastodon does.
		return c.parseAcct(res)
	case strings.Contains(res, ":"):
		return "", errUnknownResource // another scheme: not ours
	}
	return "", errors.Join(errBadResource, errors.New("the resource is not a URI"))
}

func (c *core) parseAcct(s string) (string, error) {
	s = strings.TrimPrefix(s, "@")
	i := strings.LastIndexByte(s, '@')
	if i <= 0 || i == len(s)-1 {
		return "", errors.Join(errBadResource, errors.New("acct: needs user@host"))
	}
	user, host := s[:i], s[i+1:]
	if strings.ContainsAny(user, "@/?#") || strings.ContainsAny(host, "/?#@") {
		return "", errors.Join(errBadResource, errors.New("acct: needs user@host"))
	}
	if !strings.EqualFold(host, c.host) {
		return "", errUnknownResource
	}
	if strings.EqualFold(user, c.host) {
		return c.host, nil
	}
	return user, nil
}

// publicActor returns the local actor username names, if it may be
// shown: a profile whose account is not suspended, a group, or the
// instance actor (whose username is the host). Anything else matches
// storage.ErrNotFound.
func (c *core) publicActor(r *http.Request, username string) (*identity.Actor, error) {
	ctx := r.Context()
	if strings.EqualFold(username, c.host) {
		return c.cfg.Identity.InstanceActor(ctx)
	}
	a, err := c.cfg.Identity.GetLocalActor(ctx, username)
	if err != nil {
		return nil, err
	}
	switch a.Type {
	case identity.TypePerson:
		p, err := c.cfg.Identity.GetProfile(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		acct, err := c.cfg.Identity.GetAccount(ctx, p.AccountID)
		if err != nil {
			return nil, err
		}
		if acct.Suspended {
			return nil, identity.ErrNotFound
		}
	case identity.TypeGroup:
	case identity.TypeApplication:
		// Only the instance actor, found above by its host name.
		if a.APID != c.base+"/actor" {
			return nil, identity.ErrNotFound
		}
	default:
		return nil, identity.ErrNotFound
	}
	return a, nil
}

func writeJSON(w http.ResponseWriter, r *http.Request, c *core, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	_, _ = w.Write(b)
}

// HostMeta serves /.well-known/host-meta: an XRD whose lrdd template
// points to WebFinger.
type HostMeta struct{ c *core }

func (h *HostMeta) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var tmpl strings.Builder
	_ = xml.EscapeText(&tmpl, []byte(h.c.base+"/.well-known/webfinger?resource={uri}"))
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">` + "\n" +
		`  <Link rel="lrdd" type="application/jrd+json" template="` + tmpl.String() + `"/>` + "\n" +
		`</XRD>` + "\n"))
}
