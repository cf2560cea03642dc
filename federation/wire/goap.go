package wire

// This file holds every use of go-ap/activitypub: the parts of the AS2
// core whose decoding it gets right, read from the document's single
// fastjson parse with go-ap's exported JSONGet* helpers. Everything go-ap
// gets wrong (names, language maps, times with offsets, as:Public in
// arrays, places, tags, attachments, extension terms) is read by read.go.
// Its package globals are never touched, and its types never leave this
// file.

import (
	"time"

	vocab "github.com/go-ap/activitypub"
	"github.com/valyala/fastjson"
)

// core is the AS2 core of an object as go-ap decodes it.
type core struct {
	ID        string
	MediaType string
	URL       string
	Published time.Time
	Updated   time.Time
}

func (r *reader) loadCore(v *fastjson.Value, prefix string) core {
	c := core{
		ID:        r.checkIRI(string(vocab.JSONGetID(v)), path(prefix, "id")),
		MediaType: string(vocab.JSONGetMimeType(v, "mediaType")),
		Published: utcMicro(vocab.JSONGetTime(v, "published")),
		Updated:   utcMicro(vocab.JSONGetTime(v, "updated")),
	}
	if len(c.MediaType) > MaxShortText {
		c.MediaType = ""
	}
	if u := vocab.JSONGetURIItem(v, "url"); u != nil {
		c.URL = r.checkIRI(preferredLink(u), path(prefix, "url"))
	}
	return c
}

// preferredLink picks the HTML page among the forms url takes: an IRI, a
// Link, or an array of Links (PeerTube).
func preferredLink(it vocab.Item) string {
	if col, ok := it.(vocab.ItemCollection); ok {
		first := ""
		for _, el := range col {
			if el == nil {
				continue
			}
			if l, ok := el.(*vocab.Link); ok && l.MediaType == "text/html" {
				return string(l.Href)
			}
			if first == "" {
				first = string(el.GetLink())
			}
		}
		return first
	}
	if l, ok := it.(*vocab.Link); ok {
		return string(l.Href)
	}
	return string(it.GetLink())
}

// actorCore is what go-ap decodes right in an actor document.
type actorCore struct {
	Inbox, Outbox, Followers, Following, SharedInbox string
	KeyID, KeyOwner, KeyPEM                          string
}

func (r *reader) loadActorCore(v *fastjson.Value) actorCore {
	var a actorCore
	link := func(key string) string {
		if it := vocab.JSONGetItem(v, key); it != nil && !it.IsObject() {
			return r.checkIRI(string(it.GetLink()), key)
		} else if it != nil {
			return r.checkIRI(string(it.GetID()), key)
		}
		return ""
	}
	a.Inbox, a.Outbox = link("inbox"), link("outbox")
	a.Followers, a.Following = link("followers"), link("following")
	if ep := vocab.JSONGetActorEndpoints(v, "endpoints"); ep != nil && ep.SharedInbox != nil {
		a.SharedInbox = r.checkIRI(string(ep.SharedInbox.GetLink()), "endpoints.sharedInbox")
	}
	if pem, ok := rawString(v.Get("publicKey"), "publicKeyPem"); ok && len(pem) > MaxKeyPEM {
		r.fail(errf(ErrTooLong, "publicKey.publicKeyPem", "%d bytes, the limit is %d", len(pem), MaxKeyPEM))
		return a
	}
	key := vocab.JSONGetPublicKey(v, "publicKey")
	a.KeyID = r.checkIRI(string(key.ID), "publicKey.id")
	a.KeyOwner = r.checkIRI(string(key.Owner), "publicKey.owner")
	a.KeyPEM = key.PublicKeyPem
	return a
}

// checkIRI applies the IRI rules of read.go to a value go-ap decoded.
func (r *reader) checkIRI(s, field string) string {
	if s == "" {
		return ""
	}
	if len(s) > MaxIRILength {
		r.fail(errf(ErrTooLong, field, "IRI of %d bytes, the limit is %d", len(s), MaxIRILength))
		return ""
	}
	if s == PublicIRI {
		return ""
	}
	return normalizeIRI(s)
}

func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}
