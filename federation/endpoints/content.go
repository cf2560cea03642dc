package endpoints

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path"
	"strings"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// Content is what the endpoints read of groups' collaboration content;
// groups.ContentStore (every backend) satisfies it. Who may read is
// decided here, with Groups.Authorize.
type Content interface {
	GetDiscussion(ctx context.Context, id string) (*groups.Discussion, error)
	GetDiscussionComment(ctx context.Context, id string) (*groups.Comment, error)
	ListDiscussionComments(ctx context.Context, discussionID string, after storage.Cursor, limit int) ([]groups.Comment, error)
	ListDiscussions(ctx context.Context, groupID string, after storage.Cursor, limit int) ([]groups.Discussion, error)
	GetResource(ctx context.Context, id string) (*groups.Resource, error)
	ListResources(ctx context.Context, groupID, parentID string, after storage.Cursor, limit int) ([]groups.Resource, error)
	GetPost(ctx context.Context, id string) (*groups.Post, error)
	ListPosts(ctx context.Context, q groups.PostQuery, after storage.Cursor, limit int) ([]groups.Post, error)
	GetTodoList(ctx context.Context, id string) (*groups.TodoList, error)
	ListTodoLists(ctx context.Context, groupID string, after storage.Cursor, limit int) ([]groups.TodoList, error)
	GetTodo(ctx context.Context, id string) (*groups.Todo, error)
}

// ContentDocuments serves the documents of groups' content at their
// ids: /discussions/{id} (a Note with the discussion's title and first
// message), /discussions/{id}/comments/{comment} (a message),
// /resource/{id} (Document or ResourceCollection), /p/{id} (Article),
// /todo-lists/{id} (TodoList) and /todos/{id} (Todo). The kind and ids
// are the path values "kind", "id" and "comment" or, without them, the
// path's segments.
//
// Content is the members': it is served only to a fetch signed (with
// Config.Verifier) by a member of the group (403 to others, 401 to an
// unsigned fetch or a signature that does not verify), or, for content
// this instance made in a remote group, by an actor on the group's own
// host. Posts follow their visibility: public and unlisted published
// posts to anyone, members-only ones to members, drafts to those who may
// edit posts. Content of other instances stored here is not served (404:
// its origin does); a missing object answers 404, or 410 with a
// Tombstone when Config.Tombstones knows of its deletion. Clients that
// do not ask for ActivityStreams get Config.HTML.
type ContentDocuments struct{ c *core }

func (h *ContentDocuments) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.c
	kind, id, comment := r.PathValue("kind"), r.PathValue("id"), r.PathValue("comment")
	if kind == "" {
		kind, id, comment = contentPath(r.URL.Path)
	}
	if c.cfg.Content == nil || id == "" || strings.ContainsAny(id+comment, "/{}") {
		http.NotFound(w, r)
		return
	}
	if !wantsAS2(r.Header.Get("Accept")) {
		c.html(w, r)
		return
	}
	w.Header().Add("Vary", "Accept")
	doc, err := c.contentDoc(r, kind, id, comment)
	var ae accessError
	switch {
	case errors.As(err, &ae):
		http.Error(w, ae.msg, ae.status)
	case notFound(err):
		if c.gone(w, r, c.base+r.URL.Path) {
			return
		}
		http.NotFound(w, r)
	case err != nil:
		c.fail(w, r, err)
	default:
		c.serveAS2(w, r, http.StatusOK, doc)
	}
}

// contentPath reads /{kind}/{id} or /discussions/{id}/comments/{comment}.
func contentPath(p string) (kind, id, comment string) {
	segs := strings.Split(strings.Trim(path.Clean("/"+p), "/"), "/")
	switch {
	case len(segs) == 2:
		return segs[0], segs[1], ""
	case len(segs) == 4 && segs[0] == "discussions" && segs[2] == "comments":
		return segs[0], segs[1], segs[3]
	}
	return "", "", ""
}

// accessError is a refused read: 401 or 403.
type accessError struct {
	status int
	msg    string
}

func (e accessError) Error() string { return e.msg }

// errHidden: content of another instance, served by its origin.
var errHidden = storage.ErrNotFound

// contentDoc loads the object and its group, checks the reader and
// builds the document.
func (c *core) contentDoc(r *http.Request, kind, id, comment string) (wire.Object, error) {
	ctx, st := r.Context(), c.cfg.Content
	switch {
	case kind == "discussions" && comment != "":
		cm, err := st.GetDiscussionComment(ctx, comment)
		if err != nil {
			return nil, err
		}
		if cm.DiscussionID != id || !cm.Local || cm.Hidden {
			return nil, errHidden // hidden by moderators: 404, it may come back
		}
		d, err := st.GetDiscussion(ctx, id)
		if err != nil {
			return nil, err
		}
		g, err := c.contentReader(r, cm.GroupID, groups.PermCommentAccess)
		if err != nil {
			return nil, err
		}
		author, err := c.actorIRI(ctx, cm.AuthorID)
		return wire.DiscussionCommentNote(cm, d, author, g.APID), err
	case kind == "discussions":
		d, err := st.GetDiscussion(ctx, id)
		if err != nil {
			return nil, err
		}
		if !d.Local {
			return nil, errHidden
		}
		g, err := c.contentReader(r, d.GroupID, groups.PermDiscussionAccess)
		if err != nil {
			return nil, err
		}
		fc, err := st.GetDiscussionComment(ctx, d.FirstCommentID())
		switch {
		case errors.Is(err, storage.ErrNotFound):
			fc = nil // deleted: the Note has no content
		case err != nil:
			return nil, err
		case fc.Hidden:
			// Its first message hidden by moderators: the Note would
			// travel without content, which receivers refuse.
			return nil, errHidden
		}
		creator, err := c.actorIRI(ctx, d.CreatorID)
		return wire.DiscussionNote(d, fc, creator, g.APID), err
	case kind == "resource":
		res, err := st.GetResource(ctx, id)
		if err != nil {
			return nil, err
		}
		if !res.Local {
			return nil, errHidden
		}
		g, err := c.contentReader(r, res.GroupID, groups.PermResourceAccess)
		if err != nil {
			return nil, err
		}
		parent := g.APID + "/resources"
		if res.ParentID != "" {
			f, err := st.GetResource(ctx, res.ParentID)
			if err != nil {
				return nil, err
			}
			parent = f.APID
		}
		creator, err := c.actorIRI(ctx, res.CreatorID)
		return wire.GroupResource(res, creator, g.APID, parent), err
	case kind == "p":
		p, err := st.GetPost(ctx, id)
		if err != nil {
			return nil, err
		}
		if !p.Local {
			return nil, errHidden
		}
		g, err := c.cfg.Groups.Get(ctx, p.GroupID)
		if err != nil {
			return nil, err
		}
		switch {
		case p.Draft:
			_, err = c.contentReader(r, p.GroupID, groups.PermPostUpdate)
		case p.Visibility == groups.Private:
			_, err = c.contentReader(r, p.GroupID, groups.PermPostAccess)
		}
		if err != nil {
			return nil, err
		}
		author, err := c.actorIRI(ctx, p.AuthorID)
		followers := g.Followers
		if followers == "" {
			followers = g.APID + "/followers"
		}
		return wire.PostArticle(p, author, g.APID, followers), err
	case kind == "todo-lists":
		l, err := st.GetTodoList(ctx, id)
		if err != nil {
			return nil, err
		}
		if !l.Local {
			return nil, errHidden
		}
		g, err := c.contentReader(r, l.GroupID, groups.PermTodoListAccess)
		if err != nil {
			return nil, err
		}
		return wire.GroupTodoList(l, g.APID), nil
	case kind == "todos":
		t, err := st.GetTodo(ctx, id)
		if err != nil {
			return nil, err
		}
		if !t.Local {
			return nil, errHidden
		}
		g, err := c.contentReader(r, t.GroupID, groups.PermTodoAccess)
		if err != nil {
			return nil, err
		}
		l, err := st.GetTodoList(ctx, t.ListID)
		if err != nil {
			return nil, err
		}
		creator, err := c.actorIRI(ctx, t.CreatorID)
		return wire.GroupTodo(t, l, creator, g.APID), err
	}
	return nil, errHidden
}

// actorIRI is the IRI of a stored actor, "" when it is gone.
func (c *core) actorIRI(ctx context.Context, id string) (string, error) {
	iris, err := c.actorIRIs(ctx, []string{id})
	if err != nil || len(iris) == 0 {
		return "", err
	}
	return iris[0], nil
}

// contentReader returns the group when the signer of r may read its
// content with p: a member whose role allows it or, for a remote group,
// an actor on the group's host.
func (c *core) contentReader(r *http.Request, groupID string, p groups.Permission) (*groups.Group, error) {
	ctx := r.Context()
	g, err := c.cfg.Groups.Get(ctx, groupID)
	if err != nil {
		return nil, err
	}
	if c.cfg.Verifier == nil || (r.Header.Get("Signature") == "" && r.Header.Get("Signature-Input") == "") {
		return nil, accessError{http.StatusUnauthorized, "the group's content is shown to signed fetches by its members only"}
	}
	res, err := c.cfg.Verifier.Verify(ctx, r, nil)
	if err != nil {
		return nil, accessError{http.StatusUnauthorized, "signature does not verify"}
	}
	if !g.Local && sameHost(res.Owner, g.APID) {
		return g, nil
	}
	a, err := c.cfg.Identity.GetActorByAPID(ctx, res.Owner)
	switch {
	case notFound(err):
	case err != nil:
		return nil, err
	default:
		err := c.cfg.Groups.Authorize(ctx, g.ID, a.ID, p)
		if err == nil {
			return g, nil
		}
		if !errors.Is(err, groups.ErrForbidden) && !notFound(err) {
			return nil, err
		}
	}
	return nil, accessError{http.StatusForbidden, "the group's content is shown to its members only"}
}

// sameHost reports whether two absolute IRIs have the same host.
func sameHost(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Host != "" && strings.EqualFold(ua.Host, ub.Host)
}

// contentCollections are the group collections of its content, served
// when Config.Content is set.
func contentCollection(name string) bool {
	switch name {
	case "discussions", "resources", "posts", "todos":
		return true
	}
	return false
}

// listContent pages a group's content collection by ids (oldest first):
// discussions, root resources, todo lists, and public published posts
// (the others are not listed).
func (c *core) listContent(r *http.Request, g *groups.Group, name string, n int) (listing, error) {
	ctx, st := r.Context(), c.cfg.Content
	from, to := window(n)
	var l listing
	var after storage.Cursor
	for l.total < MaxCollectionItems {
		var iris []string
		var next storage.Cursor
		switch name {
		case "discussions":
			ds, err := st.ListDiscussions(ctx, g.ID, after, groups.MaxPageSize)
			if err != nil {
				return l, err
			}
			for _, d := range ds {
				iris = append(iris, d.APID)
				next = storage.Cursor{At: d.CreatedAt, ID: d.ID}
			}
		case "resources":
			rs, err := st.ListResources(ctx, g.ID, "", after, groups.MaxPageSize)
			if err != nil {
				return l, err
			}
			for _, x := range rs {
				iris = append(iris, x.APID)
				next = storage.Cursor{At: x.CreatedAt, ID: x.ID}
			}
		case "todos":
			ls, err := st.ListTodoLists(ctx, g.ID, after, groups.MaxPageSize)
			if err != nil {
				return l, err
			}
			for _, x := range ls {
				iris = append(iris, x.APID)
				next = storage.Cursor{At: x.CreatedAt, ID: x.ID}
			}
		default: // posts
			ps, err := st.ListPosts(ctx, groups.PostQuery{GroupID: g.ID, Visibilities: []groups.Visibility{groups.Public}}, after, groups.MaxPageSize)
			if err != nil {
				return l, err
			}
			for _, x := range ps {
				iris = append(iris, x.APID)
				next = storage.Cursor{At: x.CreatedAt, ID: x.ID}
			}
		}
		for _, iri := range iris {
			if l.total >= from && l.total < to {
				l.iris = append(l.iris, iri)
			}
			l.total++
		}
		if len(iris) < groups.MaxPageSize {
			break
		}
		after = next
	}
	l.hasNext = l.total > to
	return l, nil
}
