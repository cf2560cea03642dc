package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage"
)

// GroupContent is the part of groups.Service that takes a group's
// collaboration content from other instances (WIRE.md §2.7-2.10). Its
// permission checks hold for remote actors as for local ones; a remote
// group's own actor may act on its content (groups.Remote.AuthorID names
// the author then).
type GroupContent interface {
	CreateDiscussion(ctx context.Context, actorID, groupID string, in groups.DiscussionInput) (*groups.Discussion, *groups.Comment, error)
	RenameDiscussion(ctx context.Context, actorID, discussionID, title string) (*groups.Discussion, error)
	DeleteDiscussion(ctx context.Context, actorID, discussionID string) error
	Reply(ctx context.Context, actorID, discussionID string, in groups.CommentInput) (*groups.Comment, error)
	EditComment(ctx context.Context, actorID, commentID, text string) (*groups.Comment, error)
	DeleteComment(ctx context.Context, actorID, commentID string) error
	CreateResource(ctx context.Context, actorID, groupID string, in groups.ResourceInput) (*groups.Resource, error)
	UpdateResource(ctx context.Context, actorID, resourceID string, in groups.ResourceUpdate) (*groups.Resource, error)
	MoveResource(ctx context.Context, actorID, resourceID, parentID string) (*groups.Resource, error)
	DeleteResource(ctx context.Context, actorID, resourceID string) error
	CreatePost(ctx context.Context, actorID, groupID string, in groups.PostInput) (*groups.Post, error)
	UpdatePost(ctx context.Context, actorID, postID string, in groups.PostUpdate) (*groups.Post, error)
	PublishPost(ctx context.Context, actorID, postID string) (*groups.Post, error)
	DeletePost(ctx context.Context, actorID, postID string) error
	CreateTodoList(ctx context.Context, actorID, groupID string, in groups.TodoListInput) (*groups.TodoList, error)
	RenameTodoList(ctx context.Context, actorID, listID, title string) (*groups.TodoList, error)
	DeleteTodoList(ctx context.Context, actorID, listID string) error
	CreateTodo(ctx context.Context, actorID, listID string, in groups.TodoInput) (*groups.Todo, error)
	UpdateTodo(ctx context.Context, actorID, todoID string, in groups.TodoUpdate) (*groups.Todo, error)
	DeleteTodo(ctx context.Context, actorID, todoID string) error
}

// ContentLookup finds stored group content by ActivityPub id (and a
// discussion's first message): groups.ContentStore.
type ContentLookup interface {
	GetDiscussionByAPID(ctx context.Context, apID string) (*groups.Discussion, error)
	GetDiscussionCommentByAPID(ctx context.Context, apID string) (*groups.Comment, error)
	GetDiscussionComment(ctx context.Context, id string) (*groups.Comment, error)
	GetResourceByAPID(ctx context.Context, apID string) (*groups.Resource, error)
	GetPostByAPID(ctx context.Context, apID string) (*groups.Post, error)
	GetTodoListByAPID(ctx context.Context, apID string) (*groups.TodoList, error)
	GetTodoByAPID(ctx context.Context, apID string) (*groups.Todo, error)
}

// contentKind is which group object an AS2 object is.
type contentKind int

const (
	notContent contentKind = iota
	kindDiscussion
	kindComment
	kindResource
	kindPost
	kindTodoList
	kindTodo
)

func (s *Services) contentEnabled() bool { return s.cfg.Content != nil && s.cfg.ContentStore != nil }

// kindOf tells the group object o stands for: a Note with a name starts
// a discussion, a Note with a context (or inReplyTo) that is a stored
// discussion is a message in it (other Notes are event comments).
func kindOf(o *wire.ParsedObject) contentKind {
	switch o.Type {
	case "Note":
		if o.Name != "" {
			return kindDiscussion
		}
		if o.Context == "" {
			return notContent
		}
		return kindComment
	case "Document", "ResourceCollection":
		return kindResource
	case "Article":
		return kindPost
	case "TodoList":
		return kindTodoList
	case "Todo":
		return kindTodo
	}
	return notContent
}

// contentOp is one operation on a group's content, from an activity
// received directly (announcer nil) or announced by its remote group.
type contentOp struct {
	a         *Activity
	typ       string // Create, Update, Add, Move, Delete
	actor     string // who did it
	obj       *wire.ParsedObject
	objIRI    string
	target    string // Add and Move
	announcer *identity.Actor
}

// content applies a Create, Update, Add, Move or Delete of a group's
// content received directly; it reports whether the activity was about
// group content.
func (s *Services) content(ctx context.Context, a *Activity) (bool, error) {
	if !s.contentEnabled() {
		return false, nil
	}
	return s.applyContent(ctx, contentOp{a: a, typ: a.Type, actor: a.Actor, obj: a.Object, objIRI: a.ObjectIRI, target: a.Target})
}

// announcedContent applies the group content that a remote group g
// announces (FEP-1b12): the group is the authority of its content, and
// acts on it in the name of the inner activity's actor.
func (s *Services) announcedContent(ctx context.Context, a *Activity, in *wire.ParsedActivity) (bool, error) {
	if !s.contentEnabled() {
		return false, nil
	}
	g, err := s.cfg.Identity.GetActorByAPID(ctx, a.Actor)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil || g.Local || g.Type != identity.TypeGroup {
		return false, err
	}
	if in.Object == nil && in.Type != wire.TypeDelete {
		return false, nil
	}
	if s.cfg.Tombstones != nil && in.Type != wire.TypeDelete {
		dead, err := s.cfg.Tombstones.Tombstoned(ctx, in.ObjectIRI)
		if err != nil || dead {
			return dead, err
		}
	}
	return s.applyContent(ctx, contentOp{a: a, typ: in.Type, actor: in.Actor, obj: in.Object, objIRI: in.ObjectIRI,
		target: in.Target, announcer: g})
}

// applyContent finds the object's kind and group, who acts, and applies
// the operation through the groups service.
func (s *Services) applyContent(ctx context.Context, op contentOp) (bool, error) {
	if op.typ == wire.TypeDelete {
		return s.deleteContent(ctx, op)
	}
	if op.obj == nil {
		return false, nil
	}
	switch op.typ {
	case wire.TypeCreate, wire.TypeUpdate, wire.TypeAdd, wire.TypeMove:
	default:
		return false, nil
	}
	kind := kindOf(op.obj)
	if kind == notContent {
		return false, nil
	}
	g, err := s.objectGroup(ctx, kind, op.obj)
	if err != nil || g == nil {
		// A group nobody here knows, or a Note that is no discussion
		// message: not ours to store.
		return err != nil, err
	}
	actingID, authorID, err := s.acting(ctx, op, g)
	if err != nil {
		return true, err
	}
	if op.announcer == nil && g.Local && (op.typ == wire.TypeCreate || op.typ == wire.TypeAdd) {
		// A remote member creates objects of its own instance.
		if oh, err1 := hostOf(op.obj.ID); err1 != nil || !sameHostIRI(oh, op.actor) {
			return true, refused("%s cannot create %s, not on its host", op.actor, op.obj.ID)
		}
	}
	w := contentWrite{s: s, op: op, g: g, acting: actingID, remote: groups.Remote{APID: op.obj.ID, Published: op.obj.Published, AuthorID: authorID}}
	switch kind {
	case kindDiscussion:
		err = w.discussion(ctx)
	case kindComment:
		err = w.comment(ctx)
	case kindResource:
		err = w.resource(ctx)
	case kindPost:
		err = w.post(ctx)
	case kindTodoList:
		err = w.todoList(ctx)
	case kindTodo:
		err = w.todo(ctx)
	}
	if err = serviceErr(err); err != nil {
		return true, err
	}
	return true, s.relayContent(ctx, op, g)
}

// relayContent has a local group announce a remote member's activity.
func (s *Services) relayContent(ctx context.Context, op contentOp, g *identity.Actor) error {
	if op.announcer != nil || !g.Local {
		return nil
	}
	return s.relay(ctx, op.a, g)
}

// serviceErr maps the groups service's errors: not allowed or invalid
// is refused (403); a missing group or object, or one stored twice
// meanwhile, is done.
func serviceErr(err error) error {
	switch {
	case err == nil, errors.Is(err, storage.ErrConflict):
		return nil
	case errors.Is(err, groups.ErrForbidden), errors.Is(err, groups.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrRefused, err)
	case errors.Is(err, storage.ErrNotFound):
		return nil
	}
	return err
}

// errNotYet is a reference to content not received yet (a message of a
// discussion whose start is still on its way): the sender retries.
var errNotYet = errors.New("inbox: refers to group content not received yet")

// objectGroup returns the stored group actor the object belongs to, nil
// when none is known here.
func (s *Services) objectGroup(ctx context.Context, kind contentKind, o *wire.ParsedObject) (*identity.Actor, error) {
	st := s.cfg.ContentStore
	switch kind {
	case kindComment:
		d, err := st.GetDiscussionByAPID(ctx, o.Context)
		if errors.Is(err, storage.ErrNotFound) && o.InReplyTo != "" {
			d, err = st.GetDiscussionByAPID(ctx, o.InReplyTo)
		}
		if errors.Is(err, storage.ErrNotFound) {
			if g, gerr := s.namedGroup(ctx, o.Audience, o.AttributedTo); gerr != nil || g != nil {
				return nil, errors.Join(gerr, fmt.Errorf("%w: discussion %s", errNotYet, o.Context))
			}
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return s.groupByID(ctx, d.GroupID)
	case kindTodo:
		l, err := st.GetTodoListByAPID(ctx, o.TodoList)
		if errors.Is(err, storage.ErrNotFound) {
			if g, gerr := s.namedGroup(ctx, o.Audience, o.AttributedTo); gerr != nil || g != nil {
				return nil, errors.Join(gerr, fmt.Errorf("%w: todo list %s", errNotYet, o.TodoList))
			}
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return s.groupByID(ctx, l.GroupID)
	case kindTodoList:
		return s.namedGroup(ctx, o.Actor, o.AttributedTo, o.Audience)
	}
	return s.namedGroup(ctx, o.Audience, o.AttributedTo)
}

// namedGroup returns the first stored group among iris.
func (s *Services) namedGroup(ctx context.Context, iris ...string) (*identity.Actor, error) {
	for _, iri := range iris {
		if iri == "" {
			continue
		}
		g, err := s.cfg.Identity.GetActorByAPID(ctx, iri)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if g.Type == identity.TypeGroup {
			return g, nil
		}
	}
	return nil, nil
}

func (s *Services) groupByID(ctx context.Context, id string) (*identity.Actor, error) {
	g, err := s.cfg.Identity.GetActor(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	return g, err
}

// acting returns who acts on g's content in the service: the remote
// member itself on a local group (its role decides), or a remote group
// itself when the group announced the activity, or when the actor is on
// the group's own host (the group's instance applied its permission
// matrix); authorID is then the author.
func (s *Services) acting(ctx context.Context, op contentOp, g *identity.Actor) (actingID, authorID string, err error) {
	switch {
	case op.announcer != nil:
		if !safehttp.SameIRI(op.announcer.APID, g.APID) {
			return "", "", refused("%s announces content of %s", op.announcer.APID, g.APID)
		}
	case g.Local:
		member, err := s.cfg.Actors.ResolveActor(ctx, op.actor)
		if err != nil {
			return "", "", fmt.Errorf("inbox: member %s: %w", op.actor, err)
		}
		if member.Local {
			return "", "", refused("%s is a local actor", op.actor)
		}
		return member.ID, "", nil
	default:
		gh, err := hostOf(g.APID)
		if err != nil || !sameHostIRI(gh, op.actor) {
			return "", "", refused("%s is not on the host of the group %s", op.actor, g.APID)
		}
	}
	if op.typ == wire.TypeDelete {
		return g.ID, "", nil
	}
	author := op.actor
	if op.obj != nil && op.typ != wire.TypeDelete && op.obj.Actor != "" && !safehttp.SameIRI(op.obj.Actor, g.APID) &&
		(op.typ == wire.TypeCreate || op.typ == wire.TypeAdd) {
		author = op.obj.Actor
	}
	who, err := s.cfg.Actors.ResolveActor(ctx, author)
	if err != nil {
		return "", "", fmt.Errorf("inbox: author %s: %w", author, err)
	}
	return g.ID, who.ID, nil
}

// contentWrite applies one received object through the groups service.
type contentWrite struct {
	s      *Services
	op     contentOp
	g      *identity.Actor
	acting string
	remote groups.Remote
}

// stored reports whether err is a lookup's not-found (false, nil) or a
// failure.
func found(err error) (bool, error) {
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// mine checks that a stored object belongs to the group the activity
// names.
func (w contentWrite) mine(groupID, iri string) error {
	if groupID != w.g.ID {
		return refused("%s is not content of %s", iri, w.g.APID)
	}
	return nil
}

func (w contentWrite) discussion(ctx context.Context) error {
	o, st, svc := w.op.obj, w.s.cfg.ContentStore, w.s.cfg.Content
	d, err := st.GetDiscussionByAPID(ctx, o.ID)
	ok, err := found(err)
	if err != nil {
		return err
	}
	if !ok {
		if w.op.typ == wire.TypeMove {
			return nil
		}
		_, _, err := svc.CreateDiscussion(ctx, w.acting, w.g.ID, groups.DiscussionInput{Title: o.Name, Text: o.Content, Remote: w.remote})
		return err
	}
	if err := w.mine(d.GroupID, o.ID); err != nil || w.op.typ != wire.TypeUpdate {
		return err
	}
	if strings.TrimSpace(o.Name) != d.Title {
		if _, err := svc.RenameDiscussion(ctx, w.acting, d.ID, o.Name); err != nil {
			return err
		}
	}
	first, err := st.GetDiscussionComment(ctx, d.FirstCommentID())
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil || o.Content == "" || strings.TrimSpace(o.Content) == first.Text {
		return err
	}
	_, err = svc.EditComment(ctx, w.acting, first.ID, o.Content)
	return err
}

func (w contentWrite) comment(ctx context.Context) error {
	o, st, svc := w.op.obj, w.s.cfg.ContentStore, w.s.cfg.Content
	c, err := st.GetDiscussionCommentByAPID(ctx, o.ID)
	ok, err := found(err)
	if err != nil {
		return err
	}
	if ok {
		if err := w.mine(c.GroupID, o.ID); err != nil || w.op.typ != wire.TypeUpdate || strings.TrimSpace(o.Content) == c.Text {
			return err
		}
		_, err = svc.EditComment(ctx, w.acting, c.ID, o.Content)
		return err
	}
	if w.op.typ == wire.TypeMove {
		return nil
	}
	d, err := st.GetDiscussionByAPID(ctx, o.Context)
	if errors.Is(err, storage.ErrNotFound) && o.InReplyTo != "" {
		d, err = st.GetDiscussionByAPID(ctx, o.InReplyTo)
	}
	if err != nil {
		return err
	}
	_, err = svc.Reply(ctx, w.acting, d.ID, groups.CommentInput{Text: o.Content, Remote: w.remote})
	return err
}

// folder returns the id of the folder iri names ("" for the group's
// root: none, or its resources collection); errNotYet for a folder not
// received yet.
func (w contentWrite) folder(ctx context.Context, iri string) (string, error) {
	if iri == "" || safehttp.SameIRI(iri, w.g.APID+"/resources") || safehttp.SameIRI(iri, w.g.APID) {
		return "", nil
	}
	f, err := w.s.cfg.ContentStore.GetResourceByAPID(ctx, iri)
	if errors.Is(err, storage.ErrNotFound) {
		return "", fmt.Errorf("%w: folder %s", errNotYet, iri)
	}
	if err != nil {
		return "", err
	}
	if err := w.mine(f.GroupID, iri); err != nil {
		return "", err
	}
	return f.ID, nil
}

func (w contentWrite) resource(ctx context.Context) error {
	o, st, svc := w.op.obj, w.s.cfg.ContentStore, w.s.cfg.Content
	r, err := st.GetResourceByAPID(ctx, o.ID)
	ok, err := found(err)
	if err != nil {
		return err
	}
	parentIRI := o.Context
	if w.op.typ == wire.TypeAdd || w.op.typ == wire.TypeMove {
		if w.op.target != "" {
			parentIRI = w.op.target
		}
	}
	if !ok {
		if w.op.typ == wire.TypeUpdate || w.op.typ == wire.TypeMove {
			return nil // changes of something never received
		}
		parent, err := w.folder(ctx, parentIRI)
		if err != nil {
			return err
		}
		in := groups.ResourceInput{Kind: groups.GuessResourceKind(o.URL), Title: o.Name, Summary: o.Summary, URL: o.URL, ParentID: parent, Remote: w.remote}
		if o.Type == "ResourceCollection" {
			in.Kind, in.URL = groups.ResourceFolder, ""
		}
		_, err = svc.CreateResource(ctx, w.acting, w.g.ID, in)
		return err
	}
	if err := w.mine(r.GroupID, o.ID); err != nil {
		return err
	}
	switch w.op.typ {
	case wire.TypeMove:
		parent, err := w.folder(ctx, parentIRI)
		if err != nil {
			return err
		}
		_, err = svc.MoveResource(ctx, w.acting, r.ID, parent)
		return err
	case wire.TypeUpdate:
		up := groups.ResourceUpdate{Title: &o.Name, Summary: &o.Summary}
		if !r.IsFolder() {
			up.URL = &o.URL
		}
		if _, err := svc.UpdateResource(ctx, w.acting, r.ID, up); err != nil {
			return err
		}
		if parent, err := w.folder(ctx, parentIRI); err == nil && parent != r.ParentID {
			_, err = svc.MoveResource(ctx, w.acting, r.ID, parent)
			return err
		}
	}
	return nil
}

// postVisibility reads a post's audience (WIRE.md §2.9): to Public is
// public, cc Public unlisted, else members only.
func postVisibility(o *wire.ParsedObject) groups.Visibility {
	for _, s := range o.To {
		if s == wire.PublicIRI {
			return groups.Public
		}
	}
	for _, s := range o.CC {
		if s == wire.PublicIRI {
			return groups.Unlisted
		}
	}
	return groups.Private
}

func (w contentWrite) post(ctx context.Context) error {
	o, st, svc := w.op.obj, w.s.cfg.ContentStore, w.s.cfg.Content
	vis := postVisibility(o)
	banner := ""
	if len(o.Attachments) > 0 {
		banner = o.Attachments[0]
	}
	p, err := st.GetPostByAPID(ctx, o.ID)
	ok, err := found(err)
	if err != nil {
		return err
	}
	if !ok {
		if w.op.typ == wire.TypeMove {
			return nil
		}
		_, err := svc.CreatePost(ctx, w.acting, w.g.ID, groups.PostInput{Title: o.Name, Body: o.Content, BannerURL: banner,
			Visibility: vis, Draft: o.Draft, Remote: w.remote})
		return err
	}
	if err := w.mine(p.GroupID, o.ID); err != nil {
		return err
	}
	// A Create of a stored post publishes its draft; an Update changes it.
	if _, err := svc.UpdatePost(ctx, w.acting, p.ID, groups.PostUpdate{Title: &o.Name, Body: &o.Content, BannerURL: &banner, Visibility: &vis}); err != nil {
		return err
	}
	if p.Draft && !o.Draft {
		_, err = svc.PublishPost(ctx, w.acting, p.ID)
	}
	return err
}

func (w contentWrite) todoList(ctx context.Context) error {
	o, st, svc := w.op.obj, w.s.cfg.ContentStore, w.s.cfg.Content
	l, err := st.GetTodoListByAPID(ctx, o.ID)
	ok, err := found(err)
	if err != nil {
		return err
	}
	if !ok {
		_, err := svc.CreateTodoList(ctx, w.acting, w.g.ID, groups.TodoListInput{Title: o.Name, Remote: w.remote})
		return err
	}
	if err := w.mine(l.GroupID, o.ID); err != nil || w.op.typ != wire.TypeUpdate || strings.TrimSpace(o.Name) == l.Title {
		return err
	}
	_, err = svc.RenameTodoList(ctx, w.acting, l.ID, o.Name)
	return err
}

func (w contentWrite) todo(ctx context.Context) error {
	o, st, svc := w.op.obj, w.s.cfg.ContentStore, w.s.cfg.Content
	t, err := st.GetTodoByAPID(ctx, o.ID)
	ok, err := found(err)
	if err != nil {
		return err
	}
	if !ok {
		l, err := st.GetTodoListByAPID(ctx, o.TodoList)
		if err != nil {
			return err
		}
		in := groups.TodoInput{Title: o.Name, Remote: w.remote}
		if o.Done != nil {
			in.Done = *o.Done
		}
		_, err = svc.CreateTodo(ctx, w.acting, l.ID, in)
		return err
	}
	if err := w.mine(t.GroupID, o.ID); err != nil || w.op.typ != wire.TypeUpdate {
		return err
	}
	_, err = svc.UpdateTodo(ctx, w.acting, t.ID, groups.TodoUpdate{Title: &o.Name, Done: o.Done})
	return err
}

// deleteContent deletes the stored group object a Delete names (the
// pipeline checked that the object is on the sender's host, or the
// group announced it). It reports whether the object was group content.
func (s *Services) deleteContent(ctx context.Context, op contentOp) (bool, error) {
	st, svc, iri := s.cfg.ContentStore, s.cfg.Content, op.objIRI
	if iri == "" {
		return false, nil
	}
	var groupID string
	var del func(acting string) error
	if d, err := st.GetDiscussionByAPID(ctx, iri); err == nil {
		groupID, del = d.GroupID, func(id string) error { return svc.DeleteDiscussion(ctx, id, d.ID) }
	} else if c, err2 := st.GetDiscussionCommentByAPID(ctx, iri); err2 == nil {
		groupID, del = c.GroupID, func(id string) error { return svc.DeleteComment(ctx, id, c.ID) }
	} else if r, err3 := st.GetResourceByAPID(ctx, iri); err3 == nil {
		groupID, del = r.GroupID, func(id string) error { return svc.DeleteResource(ctx, id, r.ID) }
	} else if p, err4 := st.GetPostByAPID(ctx, iri); err4 == nil {
		groupID, del = p.GroupID, func(id string) error { return svc.DeletePost(ctx, id, p.ID) }
	} else if l, err5 := st.GetTodoListByAPID(ctx, iri); err5 == nil {
		groupID, del = l.GroupID, func(id string) error { return svc.DeleteTodoList(ctx, id, l.ID) }
	} else if t, err6 := st.GetTodoByAPID(ctx, iri); err6 == nil {
		groupID, del = t.GroupID, func(id string) error { return svc.DeleteTodo(ctx, id, t.ID) }
	} else {
		for _, e := range []error{err, err2, err3, err4, err5, err6} {
			if !errors.Is(e, storage.ErrNotFound) {
				return true, e
			}
		}
		return false, nil
	}
	g, err := s.groupByID(ctx, groupID)
	if err != nil || g == nil {
		return true, err
	}
	actingID, _, err := s.acting(ctx, op, g)
	if err != nil {
		return true, err
	}
	if err := serviceErr(del(actingID)); err != nil {
		return true, err
	}
	return true, s.relayContent(ctx, op, g)
}
