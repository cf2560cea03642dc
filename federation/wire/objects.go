package wire

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/events"
)

// Tombstone stands for a deleted object (served with 410 Gone, and
// carried by Delete).
type Tombstone struct {
	ID         string
	FormerType string // Event, Note, Article, Document, ResourceCollection, Group, Person
	Deleted    time.Time
}

func (t Tombstone) writeObject(e *enc) error {
	if t.ID == "" {
		return errf(ErrMissing, "id", "a Tombstone needs an ID")
	}
	e.strProp("type", "Tombstone")
	e.strProp("id", t.ID)
	e.strProp("formerType", t.FormerType)
	e.timeProp("deleted", t.Deleted, nil)
	return nil
}

// Note is a comment, a discussion start (Name set) or a reply in a
// discussion (Context set), WIRE.md §2.7.
type Note struct {
	ID, URL, UUID string
	Name          string // discussion title; "" for comments and replies
	Content       string // sanitized HTML
	Actor         string // the author
	AttributedTo  string // the author, or the group for discussions
	Context       string // the discussion, for discussion messages
	InReplyTo     string // the event or the parent comment
	Audience      string // FEP-1b12: the group, for group content
	To, CC        []string
	// Mentions are the actors the Note mentions (tag Mention), so that
	// microblogging servers notify them: the recipients of a private
	// message.
	Mentions  []Mention
	Published time.Time
	Updated   time.Time
}

// Mention is a mentioned actor: its IRI and, optionally, its handle
// ("@user@host").
type Mention struct{ Href, Name string }

func (n Note) writeObject(e *enc) error {
	if n.ID == "" || n.Actor == "" {
		return errf(ErrMissing, "id", "a Note needs an ID and an Actor")
	}
	attributed := n.AttributedTo
	if attributed == "" {
		attributed = n.Actor
	}
	e.strProp("type", "Note")
	e.strProp("id", n.ID)
	e.strProp("url", n.URL)
	e.strProp("uuid", n.UUID)
	e.strProp("name", n.Name)
	e.strProp("content", n.Content)
	e.strProp("mediaType", "text/html")
	e.strProp("actor", n.Actor)
	e.strProp("attributedTo", attributed)
	e.strProp("context", n.Context)
	e.strProp("inReplyTo", n.InReplyTo)
	e.strProp("audience", n.Audience)
	e.irisAlways("to", n.To)
	e.irisAlways("cc", n.CC)
	if len(n.Mentions) > 0 {
		e.key("tag")
		e.openArr()
		for _, m := range n.Mentions {
			e.elem()
			e.open()
			e.strProp("type", "Mention")
			e.strProp("href", m.Href)
			e.strProp("name", m.Name)
			e.close()
		}
		e.closeArr()
	}
	e.timeProp("published", n.Published, nil)
	e.timeProp("updated", n.Updated, nil)
	return nil
}

// PrivateView is a private message about an event (package
// conversations) as it travels.
type PrivateView struct {
	ID      string // the message's IRI
	Author  string // the author's actor IRI
	Content string // sanitized HTML
	// Event is the event's IRI: the Note is inReplyTo it, so that the
	// receiver finds the conversation by event and participant, as
	// Mobilizon's private comments on an event are.
	Event string
	// Context is the conversation's IRI on the author's instance.
	Context string
	// Recipients are the actors the message goes to, with their handles
	// when known (same length, "" for unknown).
	Recipients, Handles []string
	Published           time.Time
}

// PrivateNote is the Note of a private message: addressed only to its
// recipients, who are mentioned (WIRE.md §2.7), never to Public or to
// any collection.
func PrivateNote(v PrivateView) Note {
	n := Note{ID: v.ID, Content: v.Content, Actor: v.Author, AttributedTo: v.Author, Context: v.Context,
		InReplyTo: v.Event, To: append([]string(nil), v.Recipients...), Published: v.Published}
	for i, r := range v.Recipients {
		m := Mention{Href: r}
		if i < len(v.Handles) {
			m.Name = v.Handles[i]
		}
		n.Mentions = append(n.Mentions, m)
	}
	return n
}

// CreatePrivateNote is the Create of a private message, addressed as
// its Note.
func CreatePrivateNote(n Note) Activity {
	return Activity{Type: TypeCreate, ID: n.ID + "/activity", Actor: n.Actor, Object: n, To: n.To, Published: n.Published}
}

// CommentView builds the Note of an event comment.
type CommentView struct {
	Comment events.Comment
	Author  string // the author's actor IRI
	// Event is the commented event's IRI; Parent the parent comment's IRI
	// for a reply (inReplyTo), else the event is.
	Event, Parent string
	// Organizer is the event's organizer; ParentAuthor the author of the
	// parent comment; Members the organizing group's members collection.
	Organizer, ParentAuthor, Members string
	// Public says whether the event is public (comments on other events
	// are not addressed to Public).
	Public bool
}

// CommentNote is the Note for a comment: to Public (for public events),
// the parent's author, the organizer and the group's members; cc the
// author's followers.
func CommentNote(v CommentView) Note {
	c := v.Comment
	n := Note{ID: c.APID, URL: c.URL, UUID: c.ID, Content: c.Text, Actor: v.Author, AttributedTo: v.Author,
		InReplyTo: v.Event, Published: c.CreatedAt, Updated: c.UpdatedAt}
	if v.Parent != "" {
		n.InReplyTo = v.Parent
	}
	if v.Public {
		n.To = append(n.To, PublicIRI)
	}
	for _, s := range []string{v.ParentAuthor, v.Organizer, v.Members} {
		if s != "" && s != v.Author {
			n.To = append(n.To, s)
		}
	}
	n.CC = []string{v.Author + "/followers"}
	return n
}

// Article is a group post (WIRE.md §2.9).
type Article struct {
	ID, URL      string
	Name         string
	Content      string
	Actor        string
	AttributedTo string // the group
	Banner       string
	Draft        bool
	To, CC       []string
	Published    time.Time
	Updated      time.Time
}

// PostAudience is the addressing of a post: public: to Public, cc members
// and followers; unlisted: to members and followers, cc Public; private
// or draft: to members.
func PostAudience(vis events.Visibility, draft bool, members, followers string) (to, cc []string) {
	switch {
	case draft || vis == events.Private:
		return []string{members}, nil
	case vis == events.Unlisted:
		return []string{members, followers}, []string{PublicIRI}
	}
	return []string{PublicIRI}, []string{members, followers}
}

func (a Article) writeObject(e *enc) error {
	if a.ID == "" || a.Actor == "" {
		return errf(ErrMissing, "id", "an Article needs an ID and an Actor")
	}
	e.strProp("type", "Article")
	e.strProp("id", a.ID)
	e.strProp("url", a.URL)
	e.strProp("name", a.Name)
	e.strProp("content", a.Content)
	e.strProp("mediaType", "text/html")
	e.strProp("actor", a.Actor)
	e.strProp("attributedTo", a.AttributedTo)
	e.strProp("audience", a.AttributedTo)
	e.boolProp("draft", a.Draft)
	if a.Banner != "" {
		e.key("attachment")
		e.openArr()
		e.elem()
		e.open()
		e.strProp("type", "Document")
		e.strProp("name", "Banner")
		e.strProp("mediaType", imageMediaType(a.Banner))
		e.strProp("url", a.Banner)
		e.close()
		e.closeArr()
	}
	e.irisAlways("to", a.To)
	e.irisAlways("cc", a.CC)
	e.timeProp("published", a.Published, nil)
	e.timeProp("updated", a.Updated, nil)
	return nil
}

// Resource is a group resource: a link (Document) or a folder
// (ResourceCollection), WIRE.md §2.8. Resources are addressed to the
// group's members.
type Resource struct {
	ID           string
	Folder       bool   // ResourceCollection
	Name         string // title
	Summary      string // plain text
	URL          string // the linked tool (not for folders)
	Actor        string // the creator
	AttributedTo string // the group
	Context      string // the parent folder, or the group's resources collection
	To           []string
	Published    time.Time
	Updated      time.Time
}

func (r Resource) writeObject(e *enc) error {
	if r.ID == "" || r.Actor == "" {
		return errf(ErrMissing, "id", "a Resource needs an ID and an Actor")
	}
	typ := "Document"
	if r.Folder {
		typ = "ResourceCollection"
	}
	e.strProp("type", typ)
	e.strProp("id", r.ID)
	e.strProp("name", r.Name)
	e.strProp("summary", r.Summary)
	e.strProp("url", r.URL)
	e.strProp("actor", r.Actor)
	e.strProp("attributedTo", r.AttributedTo)
	e.strProp("context", r.Context)
	e.irisAlways("to", r.To)
	e.irisAlways("cc", nil)
	e.timeProp("published", r.Published, nil)
	e.timeProp("updated", r.Updated, nil)
	return nil
}

// TodoList is a group's todo list; Todo one of its items. Both are
// addressed to the group's members. Due dates and assignees are not
// federated (as in Mobilizon).
type TodoList struct {
	ID        string
	Group     string // the owning group (actor)
	Name      string
	To        []string
	Published time.Time
}

func (l TodoList) writeObject(e *enc) error {
	if l.ID == "" || l.Group == "" {
		return errf(ErrMissing, "id", "a TodoList needs an ID and a Group")
	}
	e.strProp("type", "TodoList")
	e.strProp("id", l.ID)
	e.strProp("actor", l.Group)
	e.strProp("name", l.Name)
	e.irisAlways("to", l.To)
	e.timeProp("published", l.Published, nil)
	return nil
}

// Todo is an item of a TodoList.
type Todo struct {
	ID, Actor, Group, Name, TodoList string
	Done                             bool
	To                               []string
	Published                        time.Time
}

func (t Todo) writeObject(e *enc) error {
	if t.ID == "" || t.Actor == "" || t.TodoList == "" {
		return errf(ErrMissing, "id", "a Todo needs an ID, an Actor and a TodoList")
	}
	e.strProp("type", "Todo")
	e.strProp("id", t.ID)
	e.strProp("actor", t.Actor)
	e.strProp("attributedTo", t.Group)
	e.strProp("name", t.Name)
	e.boolProp("status", t.Done)
	e.strProp("todoList", t.TodoList)
	e.irisAlways("to", t.To)
	e.timeProp("published", t.Published, nil)
	return nil
}

// Collection is an OrderedCollection whose first page is linked by IRI
// (First) or embedded (FirstPage), as Mobilizon serves its collections.
type Collection struct {
	ID           string
	AttributedTo string
	TotalItems   int
	First        string
	FirstPage    *CollectionPage
}

func (c Collection) writeObject(e *enc) error {
	if c.ID == "" {
		return errf(ErrMissing, "id", "a Collection needs an ID")
	}
	e.strProp("type", "OrderedCollection")
	e.strProp("id", c.ID)
	e.strProp("attributedTo", c.AttributedTo)
	e.intProp("totalItems", int64(c.TotalItems))
	if c.FirstPage != nil {
		e.key("first")
		e.open()
		if err := c.FirstPage.writeObject(e); err != nil {
			return err
		}
		e.close()
	} else {
		e.strProp("first", c.First)
	}
	return nil
}

// CollectionPage is an OrderedCollectionPage: its items are embedded
// objects (Items) or IRIs (ItemIRIs). Pages are numbered from 1:
// {collection}?page=N.
type CollectionPage struct {
	Collection   string // the collection's IRI (partOf)
	AttributedTo string
	Page         int
	TotalItems   int
	HasNext      bool
	Items        []Object
	ItemIRIs     []string
}

func (p CollectionPage) pageIRI(n int) string {
	return p.Collection + "?page=" + strconv.Itoa(n)
}

func (p CollectionPage) writeObject(e *enc) error {
	if p.Collection == "" || p.Page < 1 {
		return errf(ErrMissing, "id", "a CollectionPage needs its Collection and a Page from 1")
	}
	e.strProp("type", "OrderedCollectionPage")
	e.strProp("id", p.pageIRI(p.Page))
	e.strProp("partOf", p.Collection)
	e.strProp("attributedTo", p.AttributedTo)
	e.intProp("totalItems", int64(p.TotalItems))
	if p.HasNext {
		e.strProp("next", p.pageIRI(p.Page+1))
	}
	if p.Page > 1 {
		e.strProp("prev", p.pageIRI(p.Page-1))
	}
	e.key("orderedItems")
	e.openArr()
	for _, it := range p.Items {
		e.elem()
		e.open()
		if err := it.writeObject(e); err != nil {
			return err
		}
		e.close()
	}
	for _, s := range p.ItemIRIs {
		e.elem()
		e.str(s)
	}
	e.closeArr()
	return nil
}

// ParsedObject is any object that is not an event, an actor or an
// activity: Note, Article, Document, ResourceCollection, Member, Todo,
// TodoList, Tombstone, and types this package does not model (a PeerTube
// Video, a Question), which a caller may show as a remote object or
// ignore.
type ParsedObject struct {
	Type, ID, URL, UUID string
	Name                string // plain text
	Content             string // sanitized HTML
	Summary             string // plain text
	MediaType           string
	Actor, AttributedTo string
	Context, InReplyTo  string
	Audience            string
	To, CC              []string
	Published, Updated  time.Time

	// Member: Actor is the member, Object the group, Role the role.
	Object string
	Role   string
	// Tombstone.
	FormerType string
	Deleted    time.Time
	// Todo.
	Done     *bool
	TodoList string
	// Article.
	Draft bool
	// Attachments: URLs of Document/Image attachments.
	Attachments []string

	Extra map[string]json.RawMessage
}

// Public reports whether the object is addressed to Public.
func (o *ParsedObject) Public() bool { return visibilityPublic(o.To, o.CC) }

// ParseObject reads a document of any object type; events, actors and
// activities are refused (use ParseEvent, ParseActor, ParseActivity).
func (p *Parser) ParseObject(data []byte) (*ParsedObject, error) {
	var out *ParsedObject
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		t := typeOf(v)
		if t == "" || t == "Event" || isActorType(t) || isActivityType(t) {
			return errf(ErrUnsupported, "type", "%q is not a plain object type", t)
		}
		out = r.object(v, "")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func knownObjectKey(k string) bool {
	switch k {
	case "@context", "type", "id", "url", "uuid", "name", "nameMap", "content", "contentMap", "summary",
		"summaryMap", "mediaType", "actor", "attributedTo", "context", "inReplyTo", "audience", "to", "cc",
		"bto", "bcc", "published", "updated", "object", "role", "formerType", "deleted", "status", "todoList",
		"draft", "attachment", "signature":
		return true
	}
	return false
}

func (r *reader) object(v *fastjson.Value, prefix string) *ParsedObject {
	c := r.loadCore(v, prefix)
	o := &ParsedObject{Type: typeOf(v), ID: c.ID, URL: c.URL, MediaType: c.MediaType, Published: c.Published, Updated: c.Updated}
	o.UUID = r.str(v, prefix, "uuid", MaxShortText)
	o.Name = r.text(v, prefix, "name", "", MaxNameLength)
	o.Content = r.html(v, prefix, "content", "", MaxContent)
	o.Summary = r.text(v, prefix, "summary", "", MaxContent)
	o.Actor = r.iri(v, prefix, "actor")
	o.AttributedTo = r.iri(v, prefix, "attributedTo")
	o.Context = r.iri(v, prefix, "context")
	o.InReplyTo = r.iri(v, prefix, "inReplyTo")
	o.Audience = r.iri(v, prefix, "audience")
	o.To = r.iris(v, prefix, "to", MaxAudience)
	o.CC = r.iris(v, prefix, "cc", MaxAudience)
	o.Object = r.iri(v, prefix, "object")
	o.Role = r.str(v, prefix, "role", MaxShortText)
	o.FormerType = r.str(v, prefix, "formerType", MaxShortText)
	o.Deleted = utcMicro(r.timeIn(v, "deleted", nil))
	if o.ID == "" && o.Type == "Tombstone" { // Mobilizon's discussion tombstones carry url only
		o.ID = o.URL
	}
	if o.Type == "Todo" {
		o.Done = boolPtr(v, "status")
	}
	o.TodoList = r.iri(v, prefix, "todoList")
	if b := boolPtr(v, "draft"); b != nil {
		o.Draft = *b
	}
	if x := v.Get("attachment"); x != nil && x.Type() == fastjson.TypeArray {
		arr := x.GetArray()
		if len(arr) > MaxAttachments {
			r.fail(errf(ErrTooMany, path(prefix, "attachment"), "%d attachments, the limit is %d", len(arr), MaxAttachments))
		} else {
			for _, el := range arr {
				if t := typeOf(el); t == "Document" || t == "Image" {
					if u := r.iri(el, path(prefix, "attachment"), "url"); u != "" {
						o.Attachments = append(o.Attachments, u)
					}
				}
			}
		}
	}
	o.Extra = extra(v, knownObjectKey)
	return o
}

// ParsedCollection is a collection or collection page read from the
// network: the total, the page links and the items of the page (or of
// the embedded first page).
type ParsedCollection struct {
	Type       string
	ID         string
	TotalItems *int
	First      string // first page IRI, when not embedded
	Next       string
	PartOf     string
	// Items are the page's items: embedded objects (Members, Notes...)
	// and plain IRIs, in order.
	Items    []*ParsedObject
	ItemIRIs []string
}

// ParseCollection reads a Collection, OrderedCollection or one of their
// pages; an embedded first page's items are read too.
func (p *Parser) ParseCollection(data []byte) (*ParsedCollection, error) {
	var out *ParsedCollection
	err := p.parse(data, func(v *fastjson.Value, r *reader) error {
		switch t := typeOf(v); t {
		case "Collection", "OrderedCollection", "CollectionPage", "OrderedCollectionPage":
		default:
			return errf(ErrUnsupported, "type", "%q is not a collection", t)
		}
		out = &ParsedCollection{Type: typeOf(v), ID: r.iri(v, "", "id"), TotalItems: intPtr(v, "totalItems")}
		out.Next = r.iri(v, "", "next")
		out.PartOf = r.iri(v, "", "partOf")
		page, prefix := v, ""
		if f := v.Get("first"); f != nil {
			if f.Type() == fastjson.TypeObject {
				page, prefix = f, "first"
				if out.Next == "" {
					out.Next = r.iri(f, prefix, "next")
				}
			} else {
				out.First = r.iriOf(f, "first")
			}
		}
		for _, key := range []string{"orderedItems", "items"} {
			x := page.Get(key)
			if x == nil || x.Type() != fastjson.TypeArray {
				continue
			}
			arr := x.GetArray()
			if len(arr) > MaxItems {
				return errf(ErrTooMany, path(prefix, key), "%d items, the limit is %d", len(arr), MaxItems)
			}
			for _, el := range arr {
				switch el.Type() {
				case fastjson.TypeString:
					if s := r.iriOf(el, path(prefix, key)); s != "" {
						out.ItemIRIs = append(out.ItemIRIs, s)
					}
				case fastjson.TypeObject:
					out.Items = append(out.Items, r.object(el, path(prefix, key)))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
