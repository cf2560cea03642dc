package wire

import (
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// PersonView is a Person actor document (a profile), or an Application
// (the instance actor) when Actor.Type is TypeApplication.
type PersonView struct {
	Actor identity.Actor
}

// GroupView is a Group actor document.
type GroupView struct {
	Group       groups.Group
	MemberCount int
}

// ParsedActor is an actor document read from the network.
type ParsedActor struct {
	// Actor holds the remote actor (ID, Local and the times are the
	// caller's to fill). PublicKeyPEM is as published: SPKI or PKCS#1;
	// see ParsePublicKeyPEM.
	Actor identity.Actor
	// KeyOwner is publicKey.owner, for the key/actor ownership check.
	KeyOwner string

	// Group properties (Mobilizon), empty for other actors.
	Openness    groups.Openness
	MemberCount *int
	Members     string
	Resources   string
	Posts       string
	Todos       string
	Events      string
	Discussions string
	Place       *geo.Place

	Extra map[string]json.RawMessage
}

// Group returns the actor as a groups.Group: openness (moderated when
// unknown) and visibility (public when discoverable, else unlisted).
func (a *ParsedActor) Group() groups.Group {
	g := groups.Group{Actor: a.Actor, Openness: a.Openness, Address: a.Place, Visibility: groups.Unlisted}
	if g.Openness == "" {
		g.Openness = groups.Moderated
	}
	if a.Actor.Discoverable {
		g.Visibility = groups.Public
	}
	return g
}

func (v PersonView) writeObject(e *enc) error {
	t := v.Actor.Type
	if t == "" {
		t = identity.TypePerson
	}
	if t != identity.TypePerson && t != identity.TypeApplication {
		return errf(ErrUnsupported, "type", "PersonView writes Person and Application actors, not %q", t)
	}
	return writeActor(e, &v.Actor, t, nil, 0)
}

func (v GroupView) writeObject(e *enc) error {
	return writeActor(e, &v.Group.Actor, identity.TypeGroup, &v.Group, v.MemberCount)
}

func writeActor(e *enc, a *identity.Actor, t identity.ActorType, g *groups.Group, members int) error {
	if a.APID == "" || a.Username == "" || a.Inbox == "" {
		return errf(ErrMissing, "id", "an actor needs its APID, Username and Inbox")
	}
	keyPEM := ""
	if a.PublicKeyPEM != "" {
		var err error
		if keyPEM, err = spkiPEM(a.PublicKeyPEM); err != nil {
			return errf(ErrInvalid, "publicKey.publicKeyPem", "%v", err)
		}
	}
	e.strProp("type", string(t))
	e.strProp("id", a.APID)
	e.strProp("url", a.URL)
	e.strProp("preferredUsername", a.Username)
	e.strProp("name", a.DisplayName)
	e.strProp("summary", a.Summary)
	e.strProp("inbox", a.Inbox)
	e.strProp("outbox", a.Outbox)
	e.strProp("followers", a.Followers)
	e.strProp("following", a.Following)
	e.boolProp("discoverable", a.Discoverable)
	e.boolProp("manuallyApprovesFollowers", a.ManuallyApprovesFollowers)
	coll := func(name string) string { return a.APID + "/" + name }
	if g != nil {
		e.strProp("openness", string(g.Openness))
		e.strProp("members", coll("members"))
		e.intProp("memberCount", int64(members))
		for _, c := range groupCollections() {
			e.strProp(c, coll(c))
		}
	}
	e.key("endpoints")
	e.open()
	e.strProp("sharedInbox", a.SharedInbox)
	if g != nil {
		e.strProp("members", coll("members"))
		for _, c := range groupCollections() {
			e.strProp(c, coll(c))
		}
	}
	e.close()
	if keyPEM != "" {
		kid := a.PublicKeyID
		if kid == "" {
			kid = a.APID + "#main-key"
		}
		e.key("publicKey")
		e.open()
		e.strProp("id", kid)
		e.strProp("owner", a.APID)
		e.strProp("publicKeyPem", keyPEM)
		e.close()
	}
	writeImage(e, "icon", a.AvatarURL)
	writeImage(e, "image", a.BannerURL)
	if g != nil && !g.Address.IsZero() {
		writeLocation(e, g.Address, "", "")
	}
	e.timeProp("published", a.CreatedAt, nil)
	return nil
}

// groupCollections are the Mobilizon group collections besides members,
// at /@{name}/{collection}.
func groupCollections() [5]string {
	return [5]string{"resources", "posts", "todos", "events", "discussions"}
}

func writeImage(e *enc, key, u string) {
	if u == "" {
		return
	}
	e.key(key)
	e.open()
	e.strProp("type", "Image")
	e.strProp("mediaType", imageMediaType(u))
	e.strProp("url", u)
	e.close()
}

// ParsePublicKeyPEM parses an actor's publicKeyPem: SPKI ("PUBLIC KEY",
// what Mastodon publishes) or PKCS#1 ("RSA PUBLIC KEY", what Mobilizon
// publishes).
func ParsePublicKeyPEM(s string) (crypto.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("no PEM block")
	}
	if k, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS1PublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("neither SPKI nor PKCS#1: %w", err)
	}
	return k, nil
}

// spkiPEM re-encodes a public key PEM as SPKI.
func spkiPEM(s string) (string, error) {
	k, err := ParsePublicKeyPEM(s)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// ParseActor reads an actor document: Person, Group, Application,
// Organization or Service.
func (p *Parser) ParseActor(data []byte) (*ParsedActor, error) {
	var out *ParsedActor
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		var err error
		out, err = r.actor(v, "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func isActorType(t string) bool {
	switch identity.ActorType(t) {
	case identity.TypePerson, identity.TypeGroup, identity.TypeApplication, identity.TypeOrganization, identity.TypeService:
		return true
	}
	return false
}

func knownActorKey(k string) bool {
	switch k {
	case "@context", "type", "id", "url", "preferredUsername", "name", "nameMap", "summary", "summaryMap",
		"inbox", "outbox", "followers", "following", "discoverable", "manuallyApprovesFollowers",
		"openness", "members", "memberCount", "resources", "posts", "todos", "events", "discussions",
		"endpoints", "publicKey", "icon", "image", "location", "published", "signature":
		return true
	}
	return false
}

func (r *reader) actor(v *fastjson.Value, prefix string) (*ParsedActor, error) {
	t := typeOf(v)
	if !isActorType(t) {
		return nil, errf(ErrUnsupported, path(prefix, "type"), "%q is not an actor type", t)
	}
	c := r.loadCore(v, prefix)
	ac := r.loadActorCore(v)
	if c.ID == "" || ac.Inbox == "" {
		return nil, errf(ErrMissing, path(prefix, "id"), "an actor needs an id and an inbox")
	}
	u, _ := url.Parse(c.ID)
	pa := &ParsedActor{KeyOwner: ac.KeyOwner}
	a := &pa.Actor
	a.APID, a.Type, a.URL = c.ID, identity.ActorType(t), c.URL
	a.Domain = strings.ToLower(u.Host)
	a.Username = r.str(v, prefix, "preferredUsername", MaxNameLength)
	a.DisplayName = r.text(v, prefix, "name", "", MaxNameLength)
	a.Summary = r.html(v, prefix, "summary", "", MaxContent)
	a.AvatarURL = r.imageURL(v, prefix, "icon")
	a.BannerURL = r.imageURL(v, prefix, "image")
	a.Inbox, a.SharedInbox, a.Outbox = ac.Inbox, ac.SharedInbox, ac.Outbox
	a.Followers, a.Following = ac.Followers, ac.Following
	a.PublicKeyID, a.PublicKeyPEM = ac.KeyID, ac.KeyPEM
	if a.PublicKeyPEM != "" {
		if _, err := ParsePublicKeyPEM(a.PublicKeyPEM); err != nil {
			return nil, errf(ErrInvalid, path(prefix, "publicKey.publicKeyPem"), "%v", err)
		}
	}
	if b := boolPtr(v, "discoverable"); b != nil {
		a.Discoverable = *b
	}
	if b := boolPtr(v, "manuallyApprovesFollowers"); b != nil {
		a.ManuallyApprovesFollowers = *b
	}
	if t == string(identity.TypeGroup) {
		switch o := groups.Openness(r.str(v, prefix, "openness", MaxShortText)); o {
		case groups.Open, groups.Moderated, groups.InviteOnly:
			pa.Openness = o
		case "invite-only":
			pa.Openness = groups.InviteOnly
		}
		pa.MemberCount = intPtr(v, "memberCount")
		ep := v.Get("endpoints")
		coll := func(key string) string {
			if s := r.iri(v, prefix, key); s != "" {
				return s
			}
			if ep != nil {
				return r.iri(ep, path(prefix, "endpoints"), key)
			}
			return ""
		}
		pa.Members, pa.Resources, pa.Posts = coll("members"), coll("resources"), coll("posts")
		pa.Todos, pa.Events, pa.Discussions = coll("todos"), coll("events"), coll("discussions")
		if loc := v.Get("location"); loc != nil && loc.Type() == fastjson.TypeObject {
			pa.Place, _ = r.place(loc, path(prefix, "location"))
		}
	}
	a.CreatedAt = time.Time{}
	pa.Extra = extra(v, knownActorKey)
	return pa, nil
}

// imageURL reads icon/image: an IRI, an Image object's url, or an array
// of them.
func (r *reader) imageURL(v *fastjson.Value, prefix, key string) string {
	x := v.Get(key)
	if x == nil {
		return ""
	}
	if x.Type() == fastjson.TypeArray {
		arr := x.GetArray()
		if len(arr) == 0 {
			return ""
		}
		x = arr[0]
	}
	switch x.Type() {
	case fastjson.TypeString:
		return r.iriOf(x, path(prefix, key))
	case fastjson.TypeObject:
		return r.iri(x, path(prefix, key), "url")
	}
	return ""
}
