package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// Group content pages: discussions, resources, posts and todos. They
// live under /groups/{id}/ (the paths /discussions/{id}, /p/{id}… are
// the objects' ActivityPub ids, served by federation). Every object is
// loaded through the groups service as the current profile, which
// decides: a private group is a 404 to non-members (groupOf), content
// the profile may not see or change a 403. An object of another group
// than the path's is a 404.

// contentGroup is the group of the path for a signed-in visitor.
func (w *Web) contentGroup(r *http.Request, v *visit) (*groupAccess, error) {
	if err := v.signedIn(); err != nil {
		return nil, err
	}
	return w.groupOf(r.Context(), v, r.PathValue("id"))
}

// sameGroup is a 404 unless an object belongs to the path's group.
func sameGroup(ga *groupAccess, groupID string) error {
	if ga.g.ID != groupID {
		return errNotFound
	}
	return nil
}

// contentErr maps a groups validation error to the form's page data.
func contentErr(err error) (key, field, detail string, ok bool) {
	var ve *groups.ValidationError
	if errors.As(err, &ve) {
		return "form.invalid", ve.Field, ve.Reason, true
	}
	return "", "", "", false
}

// groupTitle is a group's name for page titles.
func groupTitle(g *groups.Group) string {
	if g.DisplayName != "" {
		return "=" + g.DisplayName
	}
	return "=" + g.Handle()
}

// ---- Discussions ----

type discussionRow struct {
	groups.Discussion
	Creator string
	Unread  bool
}

type discussionsData struct {
	Group       *groups.Group
	Member      bool
	Discussions []discussionRow
	CanCreate   bool
	Form        map[string]string
	Error       string
	Field       string
	Detail      string

	// MailChoice shows the form that turns the mail of new messages on
	// (Mail false) or off (discussion_mail.go).
	MailChoice, Mail bool
}

// groupDiscussions is GET /groups/{id}/discussions: the threads, with
// unread markers, and the form that starts one.
func (w *Web) groupDiscussions(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	d, err := w.discussionsData(r.Context(), v, ga)
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "group_discussions", groupTitle(ga.g), d)
	return nil
}

func (w *Web) discussionsData(ctx context.Context, v *visit, ga *groupAccess) (*discussionsData, error) {
	ds, _, err := w.inst.Groups.Discussions(ctx, v.profile.ID, ga.g.ID, storage.Cursor{}, MaxListed)
	if err != nil {
		return nil, err
	}
	d := &discussionsData{Group: ga.g, Member: ga.member, CanCreate: w.may(ctx, v, ga.g.ID, groups.PermDiscussionCreate)}
	if d.MailChoice, d.Mail, err = w.discussionMailState(ctx, v, ga); err != nil {
		return nil, err
	}
	names := newActorNames(w)
	for i := len(ds) - 1; i >= 0; i-- { // newest first
		unread, err := w.inst.Groups.Unread(ctx, v.profile.ID, &ds[i])
		if err != nil {
			return nil, err
		}
		d.Discussions = append(d.Discussions, discussionRow{Discussion: ds[i], Creator: names.name(ctx, ds[i].CreatorID), Unread: unread})
	}
	return d, nil
}

// createDiscussion is POST /groups/{id}/discussions.
func (w *Web) createDiscussion(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	if err := w.allowDiscussion(v); err != nil {
		return err
	}
	ctx := r.Context()
	title, text := r.PostForm.Get("title"), r.PostForm.Get("text")
	disc, _, err := w.inst.Groups.CreateDiscussion(ctx, v.profile.ID, ga.g.ID, groups.DiscussionInput{Title: title, Text: plainHTML(text)})
	if key, field, detail, ok := contentErr(err); ok {
		d, derr := w.discussionsData(ctx, v, ga)
		if derr != nil {
			return derr
		}
		d.Form, d.Error, d.Field, d.Detail = map[string]string{"title": title, "text": text}, key, field, detail
		w.render(rw, r, v, http.StatusBadRequest, "group_discussions", groupTitle(ga.g), d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/discussions/"+disc.ID, "discussion_created")
	return nil
}

type messageRow struct {
	groups.Comment
	Author, Handle string
	CanEdit        bool
	CanDelete      bool
	First          bool
	// CanReport: the message is someone else's and not hidden, and the
	// instance takes reports (the report button).
	CanReport bool
}

type discussionData struct {
	Group                *groups.Group
	Member               bool
	Discussion           *groups.Discussion
	Messages             []messageRow
	CanReply, CanRename  bool
	CanDelete            bool
	MailChoice, Mail     bool // as discussionsData's
	Error, Field, Detail string
}

// discussionPage is GET /groups/{id}/discussions/{did}: the thread; it
// marks it read.
func (w *Web) discussionPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	d, err := w.discussionData(r.Context(), v, ga, r.PathValue("did"))
	if err != nil {
		return err
	}
	if err := w.inst.Groups.MarkRead(r.Context(), v.profile.ID, d.Discussion.ID); err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "discussion", "="+d.Discussion.Title, d)
	return nil
}

func (w *Web) discussionData(ctx context.Context, v *visit, ga *groupAccess, id string) (*discussionData, error) {
	disc, err := w.inst.Groups.Discussion(ctx, v.profile.ID, id)
	if err != nil {
		return nil, err
	}
	if err := sameGroup(ga, disc.GroupID); err != nil {
		return nil, err
	}
	cs, _, err := w.inst.Groups.Comments(ctx, v.profile.ID, disc.ID, storage.Cursor{}, MaxListed)
	if err != nil {
		return nil, err
	}
	me := v.profile.ID
	role, _ := w.inst.Groups.MemberRole(ctx, ga.g.ID, me)
	member := groups.IsMember(role)
	d := &discussionData{Group: ga.g, Member: ga.member, Discussion: disc,
		CanReply:  groups.Can(role, groups.PermCommentCreate),
		CanRename: groups.Can(role, groups.PermDiscussionUpdate) || (member && disc.CreatorID == me),
		CanDelete: groups.Can(role, groups.PermDiscussionDelete)}
	if d.MailChoice, d.Mail, err = w.discussionMailState(ctx, v, ga); err != nil {
		return nil, err
	}
	names := newActorNames(w)
	for i, c := range cs {
		row := messageRow{Comment: c, First: i == 0}
		if a := names.get(ctx, c.AuthorID); a != nil {
			row.Author, row.Handle = names.name(ctx, a.ID), a.Handle()
		}
		own := member && c.AuthorID == me
		// A message hidden by the instance's moderators shows as such,
		// without its text (the service leaves it out): nothing to edit
		// or report; its author or the group's moderators may delete it.
		row.CanEdit = !c.Hidden && (own || groups.Can(role, groups.PermCommentUpdate))
		row.CanReport = !c.Hidden && c.AuthorID != me && w.inst.Moderation != nil
		row.CanDelete = !row.First && (own || groups.Can(role, groups.PermCommentDelete))
		d.Messages = append(d.Messages, row)
	}
	return d, nil
}

// discussionAction runs an action on the discussion of the path, then
// goes back to it (or to to, when the action returns one).
func (w *Web) discussionAction(rw http.ResponseWriter, r *http.Request, v *visit,
	do func(ctx context.Context, disc *groups.Discussion) (msg, to string, err error)) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	disc, err := w.inst.Groups.Discussion(ctx, v.profile.ID, r.PathValue("did"))
	if err != nil {
		return err
	}
	if err := sameGroup(ga, disc.GroupID); err != nil {
		return err
	}
	msg, to, err := do(ctx, disc)
	if key, field, detail, ok := contentErr(err); ok {
		d, derr := w.discussionData(ctx, v, ga, disc.ID)
		if derr != nil {
			return derr
		}
		d.Error, d.Field, d.Detail = key, field, detail
		w.render(rw, r, v, http.StatusBadRequest, "discussion", "="+disc.Title, d)
		return nil
	}
	if err != nil {
		return err
	}
	if to == "" {
		to = "/groups/" + ga.g.ID + "/discussions/" + disc.ID
	}
	redirect(rw, r, to, msg)
	return nil
}

// allowDiscussion takes one token of the account's bucket of discussion
// messages (new discussions, replies): each may mail the group's members.
// It answers as allowMessage does.
func (w *Web) allowDiscussion(v *visit) error {
	if ok, _ := w.discuss.Allow("account:" + v.account.ID); !ok {
		return &httpError{status: http.StatusTooManyRequests, key: "conv.rate_limited"}
	}
	return nil
}

func (w *Web) replyDiscussion(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.discussionAction(rw, r, v, func(ctx context.Context, disc *groups.Discussion) (string, string, error) {
		if err := w.allowDiscussion(v); err != nil {
			return "", "", err
		}
		_, err := w.inst.Groups.Reply(ctx, v.profile.ID, disc.ID, groups.CommentInput{Text: plainHTML(r.PostForm.Get("text"))})
		return "reply_sent", "", err
	})
}

func (w *Web) renameDiscussion(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.discussionAction(rw, r, v, func(ctx context.Context, disc *groups.Discussion) (string, string, error) {
		_, err := w.inst.Groups.RenameDiscussion(ctx, v.profile.ID, disc.ID, r.PostForm.Get("title"))
		return "discussion_renamed", "", err
	})
}

func (w *Web) deleteDiscussion(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.discussionAction(rw, r, v, func(ctx context.Context, disc *groups.Discussion) (string, string, error) {
		return "discussion_deleted", "/groups/" + disc.GroupID + "/discussions", w.inst.Groups.DeleteDiscussion(ctx, v.profile.ID, disc.ID)
	})
}

// commentOf checks that the comment of the path is in the discussion.
func (w *Web) commentOf(ctx context.Context, v *visit, disc *groups.Discussion, id string) error {
	cs, _, err := w.inst.Groups.Comments(ctx, v.profile.ID, disc.ID, storage.Cursor{}, MaxListed)
	if err != nil {
		return err
	}
	for _, c := range cs {
		if c.ID == id {
			return nil
		}
	}
	return errNotFound
}

func (w *Web) editMessage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.discussionAction(rw, r, v, func(ctx context.Context, disc *groups.Discussion) (string, string, error) {
		if err := w.commentOf(ctx, v, disc, r.PathValue("cid")); err != nil {
			return "", "", err
		}
		_, err := w.inst.Groups.EditComment(ctx, v.profile.ID, r.PathValue("cid"), plainHTML(r.PostForm.Get("text")))
		return "message_edited", "", err
	})
}

func (w *Web) deleteMessage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.discussionAction(rw, r, v, func(ctx context.Context, disc *groups.Discussion) (string, string, error) {
		if err := w.commentOf(ctx, v, disc, r.PathValue("cid")); err != nil {
			return "", "", err
		}
		return "message_deleted", "", w.inst.Groups.DeleteComment(ctx, v.profile.ID, r.PathValue("cid"))
	})
}

// plainHTML turns a textarea's plain text into paragraphs of escaped
// HTML (the service sanitizes what it stores).
func plainHTML(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	if s == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range strings.Split(s, "\n\n") {
		para = strings.TrimSpace(para)
		if para == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(htmlEscape(para), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// ---- Resources ----

type resourceRow struct {
	groups.Resource
	Host string
}

type folderLink struct{ ID, Title string }

type resourcesData struct {
	Group                *groups.Group
	Member               bool
	Folder               *groups.Resource // nil at the root
	Path                 []folderLink     // the folders above, root first
	Items                []resourceRow
	Folders              []folderLink // where items may move to
	Kinds                []groups.ResourceKind
	CanCreate, CanUpdate bool
	CanDelete            bool
	Form                 map[string]string
	Error, Field, Detail string
}

// groupResources is GET /groups/{id}/resources[?folder=id]: a folder's
// links and folders, with the forms that add, move and delete.
func (w *Web) groupResources(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	d, err := w.resourcesData(r.Context(), v, ga, r.URL.Query().Get("folder"))
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "group_resources", groupTitle(ga.g), d)
	return nil
}

func (w *Web) resourcesData(ctx context.Context, v *visit, ga *groupAccess, folderID string) (*resourcesData, error) {
	me := v.profile.ID
	d := &resourcesData{Group: ga.g, Member: ga.member,
		Kinds:     []groups.ResourceKind{groups.ResourcePad, groups.ResourceCalc, groups.ResourceVisio, groups.ResourceLink, groups.ResourcePicture, groups.ResourceFolder},
		CanCreate: w.may(ctx, v, ga.g.ID, groups.PermResourceCreate),
		CanUpdate: w.may(ctx, v, ga.g.ID, groups.PermResourceUpdate),
		CanDelete: w.may(ctx, v, ga.g.ID, groups.PermResourceDelete)}
	if folderID != "" {
		f, err := w.inst.Groups.Resource(ctx, me, folderID)
		if err != nil {
			return nil, err
		}
		if err := sameGroup(ga, f.GroupID); err != nil {
			return nil, err
		}
		if !f.IsFolder() {
			return nil, errNotFound
		}
		d.Folder = f
		for p := f.ParentID; p != "" && len(d.Path) < groups.MaxFolderDepth; {
			pf, err := w.inst.Groups.Resource(ctx, me, p)
			if err != nil {
				return nil, err
			}
			d.Path = append([]folderLink{{ID: pf.ID, Title: pf.Title}}, d.Path...)
			p = pf.ParentID
		}
	}
	items, _, err := w.inst.Groups.Resources(ctx, me, ga.g.ID, folderID, storage.Cursor{}, MaxListed)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		row := resourceRow{Resource: it}
		if it.URL != "" {
			if h := hostOf(it.URL); h != "" {
				row.Host = h
			}
		}
		d.Items = append(d.Items, row)
	}
	// Move targets: the root and the folders of the first two levels.
	var walk func(parent, prefix string, depth int) error
	walk = func(parent, prefix string, depth int) error {
		rs, _, err := w.inst.Groups.Resources(ctx, me, ga.g.ID, parent, storage.Cursor{}, MaxListed)
		if err != nil {
			return err
		}
		for _, f := range rs {
			if !f.IsFolder() {
				continue
			}
			d.Folders = append(d.Folders, folderLink{ID: f.ID, Title: prefix + f.Title})
			if depth < 2 {
				if err := walk(f.ID, prefix+f.Title+" / ", depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if d.CanUpdate {
		if err := walk("", "", 1); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// resourcesURL is a folder's page.
func resourcesURL(groupID, folderID string) string {
	u := "/groups/" + groupID + "/resources"
	if folderID != "" {
		u += "?folder=" + urlQueryEscape(folderID)
	}
	return u
}

// createResource is POST /groups/{id}/resources: a link (its title and
// summary from the page's metadata when left empty) or a folder.
func (w *Web) createResource(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	f := r.PostForm
	in := groups.ResourceInput{Kind: groups.ResourceKind(f.Get("kind")), Title: f.Get("title"), Summary: f.Get("summary"),
		URL: strings.TrimSpace(f.Get("url")), ParentID: f.Get("parent")}
	if in.Kind == groups.ResourceFolder {
		in.URL = ""
	}
	if in.ParentID != "" {
		p, err := w.inst.Groups.Resource(ctx, v.profile.ID, in.ParentID)
		if err != nil {
			return err
		}
		if err := sameGroup(ga, p.GroupID); err != nil {
			return err
		}
	}
	res, err := w.inst.Groups.CreateResource(ctx, v.profile.ID, ga.g.ID, in)
	if key, field, detail, ok := contentErr(err); ok {
		d, derr := w.resourcesData(ctx, v, ga, in.ParentID)
		if derr != nil {
			return derr
		}
		d.Form = map[string]string{"kind": string(in.Kind), "title": in.Title, "summary": in.Summary, "url": in.URL}
		d.Error, d.Field, d.Detail = key, field, detail
		w.render(rw, r, v, http.StatusBadRequest, "group_resources", groupTitle(ga.g), d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, resourcesURL(ga.g.ID, res.ParentID), "resource_added")
	return nil
}

// resourceAction runs an action on the resource of the path and goes
// back to the folder it was in.
func (w *Web) resourceAction(rw http.ResponseWriter, r *http.Request, v *visit,
	do func(ctx context.Context, res *groups.Resource) (string, error)) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	res, err := w.inst.Groups.Resource(ctx, v.profile.ID, r.PathValue("rid"))
	if err != nil {
		return err
	}
	if err := sameGroup(ga, res.GroupID); err != nil {
		return err
	}
	msg, err := do(ctx, res)
	if _, _, detail, ok := contentErr(err); ok {
		return &httpError{status: http.StatusBadRequest, key: "error.invalid", err: errors.New(detail)}
	}
	if err != nil {
		return err
	}
	redirect(rw, r, resourcesURL(ga.g.ID, res.ParentID), msg)
	return nil
}

func (w *Web) moveResource(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.resourceAction(rw, r, v, func(ctx context.Context, res *groups.Resource) (string, error) {
		_, err := w.inst.Groups.MoveResource(ctx, v.profile.ID, res.ID, r.PostForm.Get("parent"))
		return "resource_moved", err
	})
}

func (w *Web) deleteResource(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.resourceAction(rw, r, v, func(ctx context.Context, res *groups.Resource) (string, error) {
		return "resource_deleted", w.inst.Groups.DeleteResource(ctx, v.profile.ID, res.ID)
	})
}

// ---- Posts ----

type postRow struct {
	groups.Post
	Author string
}

type postsData struct {
	Group     *groups.Group
	Member    bool
	Posts     []postRow
	CanCreate bool
}

// groupPosts is GET /groups/{id}/posts: the posts the visitor may see
// (public ones to everyone, members-only ones to members, drafts to
// editors), newest first.
func (w *Web) groupPosts(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	ga, err := w.groupOf(ctx, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	ps, _, err := w.inst.Groups.Posts(ctx, v.profileID(), ga.g.ID, storage.Cursor{}, MaxListed)
	if err != nil {
		return err
	}
	d := postsData{Group: ga.g, Member: ga.member, CanCreate: w.may(ctx, v, ga.g.ID, groups.PermPostCreate)}
	names := newActorNames(w)
	for i := len(ps) - 1; i >= 0; i-- {
		d.Posts = append(d.Posts, postRow{Post: ps[i], Author: names.name(ctx, ps[i].AuthorID)})
	}
	w.render(rw, r, v, http.StatusOK, "group_posts", groupTitle(ga.g), d)
	return nil
}

type postData struct {
	Group              *groups.Group
	Member             bool
	Post               *groups.Post
	Author             string
	CanEdit, CanDelete bool
}

// postOf loads the post of the path as the visitor may see it.
func (w *Web) postOf(ctx context.Context, v *visit, ga *groupAccess, id string) (*groups.Post, error) {
	p, err := w.inst.Groups.Post(ctx, v.profileID(), id)
	if err != nil {
		return nil, err
	}
	return p, sameGroup(ga, p.GroupID)
}

// postPage is GET /groups/{id}/posts/{pid}.
func (w *Web) postPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ctx := r.Context()
	ga, err := w.groupOf(ctx, v, r.PathValue("id"))
	if err != nil {
		return err
	}
	p, err := w.postOf(ctx, v, ga, r.PathValue("pid"))
	if err != nil {
		return err
	}
	d := postData{Group: ga.g, Member: ga.member, Post: p, Author: newActorNames(w).name(ctx, p.AuthorID),
		CanEdit: w.may(ctx, v, ga.g.ID, groups.PermPostUpdate), CanDelete: w.may(ctx, v, ga.g.ID, groups.PermPostDelete)}
	w.render(rw, r, v, http.StatusOK, "post", "="+p.Title, d)
	return nil
}

type postFormData struct {
	Group                *groups.Group
	Member               bool
	Post                 *groups.Post // nil for a new post
	Form                 map[string]string
	Error, Field, Detail string
}

// newPostForm is GET /groups/{id}/posts/new.
func (w *Web) newPostForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	if !w.may(r.Context(), v, ga.g.ID, groups.PermPostCreate) {
		return errForbidden
	}
	w.render(rw, r, v, http.StatusOK, "post_form", "post.new", postFormData{Group: ga.g, Member: ga.member,
		Form: map[string]string{"visibility": string(groups.Public)}})
	return nil
}

// createPost is POST /groups/{id}/posts/new: published at once, or a
// draft ("draft" field).
func (w *Web) createPost(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	f := r.PostForm
	in := groups.PostInput{Title: f.Get("title"), Body: plainHTML(f.Get("body")), BannerURL: strings.TrimSpace(f.Get("banner_url")),
		Visibility: groups.Visibility(f.Get("visibility")), Draft: f.Get("draft") != ""}
	p, err := w.inst.Groups.CreatePost(r.Context(), v.profile.ID, ga.g.ID, in)
	if key, field, detail, ok := contentErr(err); ok {
		w.render(rw, r, v, http.StatusBadRequest, "post_form", "post.new", postFormData{Group: ga.g, Member: ga.member,
			Form: formMap(f, "title", "body", "banner_url", "visibility"), Error: key, Field: field, Detail: detail})
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/posts/"+p.ID, "post_saved")
	return nil
}

func formMap(f map[string][]string, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if vs := f[k]; len(vs) > 0 {
			out[k] = vs[0]
		}
	}
	return out
}

// editPostForm is GET /groups/{id}/posts/{pid}/edit.
func (w *Web) editPostForm(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := w.postOf(ctx, v, ga, r.PathValue("pid"))
	if err != nil {
		return err
	}
	if !w.may(ctx, v, ga.g.ID, groups.PermPostUpdate) {
		return errForbidden
	}
	w.render(rw, r, v, http.StatusOK, "post_form", "post.edit", postFormData{Group: ga.g, Member: ga.member, Post: p,
		Form: map[string]string{"title": p.Title, "body": htmlText(p.Body), "banner_url": p.BannerURL, "visibility": string(p.Visibility)}})
	return nil
}

// updatePost is POST /groups/{id}/posts/{pid}/edit.
func (w *Web) updatePost(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := w.postOf(ctx, v, ga, r.PathValue("pid"))
	if err != nil {
		return err
	}
	f := r.PostForm
	title, body, banner := f.Get("title"), plainHTML(f.Get("body")), strings.TrimSpace(f.Get("banner_url"))
	vis := groups.Visibility(f.Get("visibility"))
	_, err = w.inst.Groups.UpdatePost(ctx, v.profile.ID, p.ID, groups.PostUpdate{Title: &title, Body: &body, BannerURL: &banner, Visibility: &vis})
	if key, field, detail, ok := contentErr(err); ok {
		w.render(rw, r, v, http.StatusBadRequest, "post_form", "post.edit", postFormData{Group: ga.g, Member: ga.member, Post: p,
			Form: formMap(f, "title", "body", "banner_url", "visibility"), Error: key, Field: field, Detail: detail})
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/posts/"+p.ID, "post_saved")
	return nil
}

func (w *Web) publishPost(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := w.postOf(ctx, v, ga, r.PathValue("pid"))
	if err != nil {
		return err
	}
	if _, err := w.inst.Groups.PublishPost(ctx, v.profile.ID, p.ID); err != nil {
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/posts/"+p.ID, "post_published")
	return nil
}

func (w *Web) deletePost(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := w.postOf(ctx, v, ga, r.PathValue("pid"))
	if err != nil {
		return err
	}
	if err := w.inst.Groups.DeletePost(ctx, v.profile.ID, p.ID); err != nil {
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/posts", "post_deleted")
	return nil
}

// ---- Todos ----

type todoRow struct {
	groups.Todo
	Assignee string
	Due      string // yyyy-mm-dd, "" when none
	Late     bool
}

type todoListRow struct {
	groups.TodoList
	Todos []todoRow
}

type todosData struct {
	Group                *groups.Group
	Member               bool
	Lists                []todoListRow
	Members              []memberView // assignee choices
	MemberIDs            []string
	CanCreate, CanUpdate bool
	CanDelete            bool
	Error, Field, Detail string
}

// groupTodos is GET /groups/{id}/todos: the todo lists with their todos
// and the forms that change them.
func (w *Web) groupTodos(rw http.ResponseWriter, r *http.Request, v *visit) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	d, err := w.todosData(r.Context(), v, ga)
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "group_todos", groupTitle(ga.g), d)
	return nil
}

func (w *Web) todosData(ctx context.Context, v *visit, ga *groupAccess) (*todosData, error) {
	me := v.profile.ID
	ls, _, err := w.inst.Groups.TodoLists(ctx, me, ga.g.ID, storage.Cursor{}, MaxListed)
	if err != nil {
		return nil, err
	}
	d := &todosData{Group: ga.g, Member: ga.member, CanCreate: w.may(ctx, v, ga.g.ID, groups.PermTodoCreate),
		CanUpdate: w.may(ctx, v, ga.g.ID, groups.PermTodoUpdate), CanDelete: w.may(ctx, v, ga.g.ID, groups.PermTodoDelete)}
	names := newActorNames(w)
	ms, _, err := w.inst.Groups.Members(ctx, ga.g.ID, []groups.Role{groups.RoleCreator, groups.RoleAdministrator,
		groups.RoleModerator, groups.RoleMember}, groupsStart, MaxListed)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		d.Members = append(d.Members, memberView{Name: names.name(ctx, m.ActorID), URL: m.ActorID})
	}
	now := w.now()
	for _, l := range ls {
		row := todoListRow{TodoList: l}
		ts, _, err := w.inst.Groups.Todos(ctx, me, l.ID, storage.Cursor{}, groups.MaxTodosPerList)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			tr := todoRow{Todo: t}
			if t.AssigneeID != "" {
				tr.Assignee = names.name(ctx, t.AssigneeID)
			}
			if !t.DueAt.IsZero() {
				tr.Due = t.DueAt.Format(time.DateOnly)
				tr.Late = !t.Done && t.DueAt.Before(now)
			}
			row.Todos = append(row.Todos, tr)
		}
		d.Lists = append(d.Lists, row)
	}
	return d, nil
}

// todoAction runs an action and goes back to the todos page; a
// validation error shows the page with it.
func (w *Web) todoAction(rw http.ResponseWriter, r *http.Request, v *visit,
	do func(ctx context.Context, ga *groupAccess) (string, error)) error {
	ga, err := w.contentGroup(r, v)
	if err != nil {
		return err
	}
	ctx := r.Context()
	msg, err := do(ctx, ga)
	if key, field, detail, ok := contentErr(err); ok {
		d, derr := w.todosData(ctx, v, ga)
		if derr != nil {
			return derr
		}
		d.Error, d.Field, d.Detail = key, field, detail
		w.render(rw, r, v, http.StatusBadRequest, "group_todos", groupTitle(ga.g), d)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/groups/"+ga.g.ID+"/todos", msg)
	return nil
}

func (w *Web) createTodoList(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.todoAction(rw, r, v, func(ctx context.Context, ga *groupAccess) (string, error) {
		_, err := w.inst.Groups.CreateTodoList(ctx, v.profile.ID, ga.g.ID, groups.TodoListInput{Title: r.PostForm.Get("title")})
		return "todo_list_created", err
	})
}

// listOf loads the todo list of the path, in the path's group.
func (w *Web) listOf(ctx context.Context, v *visit, ga *groupAccess, id string) (*groups.TodoList, error) {
	l, err := w.inst.Groups.TodoList(ctx, v.profile.ID, id)
	if err != nil {
		return nil, err
	}
	return l, sameGroup(ga, l.GroupID)
}

func (w *Web) deleteTodoList(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.todoAction(rw, r, v, func(ctx context.Context, ga *groupAccess) (string, error) {
		l, err := w.listOf(ctx, v, ga, r.PathValue("lid"))
		if err != nil {
			return "", err
		}
		return "todo_list_deleted", w.inst.Groups.DeleteTodoList(ctx, v.profile.ID, l.ID)
	})
}

// parseDue reads a yyyy-mm-dd due date ("" is none) in the visitor's
// zone, at the end of that day.
func (w *Web) parseDue(v *visit, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	p := &page{w: w, v: v}
	d, err := time.ParseInLocation(time.DateOnly, s, p.zone())
	if err != nil {
		return time.Time{}, &groups.ValidationError{Field: "due", Reason: "is not a date (yyyy-mm-dd)"}
	}
	return d.Add(24*time.Hour - time.Second), nil
}

func (w *Web) createTodo(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.todoAction(rw, r, v, func(ctx context.Context, ga *groupAccess) (string, error) {
		l, err := w.listOf(ctx, v, ga, r.PathValue("lid"))
		if err != nil {
			return "", err
		}
		due, err := w.parseDue(v, r.PostForm.Get("due"))
		if err != nil {
			return "", err
		}
		_, err = w.inst.Groups.CreateTodo(ctx, v.profile.ID, l.ID, groups.TodoInput{Title: r.PostForm.Get("title"),
			DueAt: due, AssigneeID: r.PostForm.Get("assignee")})
		return "todo_created", err
	})
}

// todoOf loads the todo of the path, in the path's group.
func (w *Web) todoOf(ctx context.Context, v *visit, ga *groupAccess, id string) (*groups.Todo, error) {
	t, err := w.inst.Groups.Todo(ctx, v.profile.ID, id)
	if err != nil {
		return nil, err
	}
	return t, sameGroup(ga, t.GroupID)
}

// updateTodo is POST /groups/{id}/todos/{tid}/update: any of title,
// done ("1" or "0"), due and assignee present in the form.
func (w *Web) updateTodo(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.todoAction(rw, r, v, func(ctx context.Context, ga *groupAccess) (string, error) {
		t, err := w.todoOf(ctx, v, ga, r.PathValue("tid"))
		if err != nil {
			return "", err
		}
		var in groups.TodoUpdate
		f := r.PostForm
		if f.Has("title") {
			s := f.Get("title")
			in.Title = &s
		}
		if f.Has("done") {
			b := f.Get("done") == "1"
			in.Done = &b
		}
		if f.Has("due") {
			due, err := w.parseDue(v, f.Get("due"))
			if err != nil {
				return "", err
			}
			in.DueAt = &due
		}
		if f.Has("assignee") {
			s := f.Get("assignee")
			in.AssigneeID = &s
		}
		_, err = w.inst.Groups.UpdateTodo(ctx, v.profile.ID, t.ID, in)
		return "todo_updated", err
	})
}

func (w *Web) deleteTodo(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.todoAction(rw, r, v, func(ctx context.Context, ga *groupAccess) (string, error) {
		t, err := w.todoOf(ctx, v, ga, r.PathValue("tid"))
		if err != nil {
			return "", err
		}
		return "todo_deleted", w.inst.Groups.DeleteTodo(ctx, v.profile.ID, t.ID)
	})
}

// htmlEscape escapes text for HTML.
func htmlEscape(s string) string { return html.EscapeString(s) }

var (
	breakRe = regexp.MustCompile(`(?i)<br\s*/?>`)
	paraRe  = regexp.MustCompile(`(?i)</p>\s*<p[^>]*>`)
	tagRe   = regexp.MustCompile(`<[^>]*>`)
)

// htmlText turns stored HTML back into the plain text of a textarea.
func htmlText(s string) string {
	s = paraRe.ReplaceAllString(s, "\n\n")
	s = breakRe.ReplaceAllString(s, "\n")
	return strings.TrimSpace(html.UnescapeString(tagRe.ReplaceAllString(s, "")))
}

// hostOf is a URL's host, "" when it has none.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}
