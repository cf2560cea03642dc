package wire

import (
	"github.com/valyala/fastjson"
)

// JRD is a JSON Resource Descriptor (RFC 7033): a WebFinger answer, or
// the /.well-known/nodeinfo and host-meta link lists.
type JRD struct {
	Subject string
	Aliases []string
	Links   []JRDLink
}

// JRDLink is one link of a JRD.
type JRDLink struct {
	Rel, Type, Href, Template string
}

// Link returns the first link with rel (and typ, when not ""), or a zero
// JRDLink.
func (j *JRD) Link(rel, typ string) JRDLink {
	for _, l := range j.Links {
		if l.Rel == rel && (typ == "" || l.Type == typ) {
			return l
		}
	}
	return JRDLink{}
}

// ParseJRD reads a WebFinger or well-known link document, under the same
// limits as every document.
func (p *Parser) ParseJRD(data []byte) (*JRD, error) {
	var out *JRD
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		out = &JRD{Subject: r.str(v, "", "subject", MaxIRILength)}
		if x := v.Get("aliases"); x != nil && x.Type() == fastjson.TypeArray {
			arr := x.GetArray()
			if len(arr) > MaxItems {
				return errf(ErrTooMany, "aliases", "%d aliases, the limit is %d", len(arr), MaxItems)
			}
			for _, el := range arr {
				if b, err := el.StringBytes(); err == nil && len(b) <= MaxIRILength {
					out.Aliases = append(out.Aliases, string(b))
				}
			}
		}
		if x := v.Get("links"); x != nil && x.Type() == fastjson.TypeArray {
			arr := x.GetArray()
			if len(arr) > MaxItems {
				return errf(ErrTooMany, "links", "%d links, the limit is %d", len(arr), MaxItems)
			}
			for _, el := range arr {
				out.Links = append(out.Links, JRDLink{
					Rel:      r.str(el, "links", "rel", MaxIRILength),
					Type:     r.str(el, "links", "type", MaxShortText),
					Href:     r.str(el, "links", "href", MaxIRILength),
					Template: r.str(el, "links", "template", MaxIRILength),
				})
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// NodeInfo is a NodeInfo 2.0/2.1 document, as far as federation reads it.
// FEP-0151: software is opaque; infer no capability from it.
type NodeInfo struct {
	Version  string
	Software struct {
		Name, Version, Repository, Homepage string
	}
	Protocols         []string
	OpenRegistrations bool
	Usage             struct {
		Users struct {
			Total, ActiveHalfyear, ActiveMonth int
		}
		LocalPosts, LocalComments int
	}
	NodeName, NodeDescription string // metadata, when given
}

// ParseNodeInfo reads a NodeInfo document.
func (p *Parser) ParseNodeInfo(data []byte) (*NodeInfo, error) {
	var out *NodeInfo
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		n := &NodeInfo{Version: r.str(v, "", "version", MaxShortText)}
		if n.Version == "" {
			return errf(ErrMissing, "version", "not a NodeInfo document")
		}
		if s := v.Get("software"); s != nil {
			n.Software.Name = r.str(s, "software", "name", MaxShortText)
			n.Software.Version = r.str(s, "software", "version", MaxShortText)
			n.Software.Repository = r.str(s, "software", "repository", MaxIRILength)
			n.Software.Homepage = r.str(s, "software", "homepage", MaxIRILength)
		}
		if x := v.Get("protocols"); x != nil && x.Type() == fastjson.TypeArray {
			for i, el := range x.GetArray() {
				if b, err := el.StringBytes(); err == nil && len(b) <= MaxShortText && i < MaxItems {
					n.Protocols = append(n.Protocols, string(b))
				}
			}
		}
		if b := boolPtr(v, "openRegistrations"); b != nil {
			n.OpenRegistrations = *b
		}
		num := func(x *fastjson.Value, key string) int {
			if x == nil {
				return 0
			}
			if p := intPtr(x, key); p != nil {
				return *p
			}
			return 0
		}
		if u := v.Get("usage"); u != nil {
			users := u.Get("users")
			n.Usage.Users.Total = num(users, "total")
			n.Usage.Users.ActiveHalfyear = num(users, "activeHalfyear")
			n.Usage.Users.ActiveMonth = num(users, "activeMonth")
			n.Usage.LocalPosts = num(u, "localPosts")
			n.Usage.LocalComments = num(u, "localComments")
		}
		if m := v.Get("metadata"); m != nil {
			n.NodeName = r.text(m, "metadata", "nodeName", "", MaxNameLength)
			n.NodeDescription = r.text(m, "metadata", "nodeDescription", "", MaxContent)
		}
		out = n
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
