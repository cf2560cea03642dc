package groups

import (
	"context"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// ResourceKind says what a resource is: a folder, or a link to one kind
// of tool.
type ResourceKind string

// Resource kinds.
const (
	ResourceFolder  ResourceKind = "folder"  // holds other resources (ResourceCollection)
	ResourcePad     ResourceKind = "pad"     // a collaborative text (Etherpad, HedgeDoc…)
	ResourceCalc    ResourceKind = "calc"    // a spreadsheet (EtherCalc…)
	ResourceVisio   ResourceKind = "visio"   // a video room (Jitsi, BigBlueButton…)
	ResourceLink    ResourceKind = "link"    // any other page
	ResourcePicture ResourceKind = "picture" // an image
)

func (k ResourceKind) valid() bool {
	switch k {
	case ResourceFolder, ResourcePad, ResourceCalc, ResourceVisio, ResourceLink, ResourcePicture:
		return true
	}
	return false
}

// Resource is a link to a tool the group uses, or a folder of them: a
// Document or a ResourceCollection on the wire (WIRE.md §2.8), with
// context the parent folder or the group's resources collection.
type Resource struct {
	ID        string
	APID      string // BaseURL/resource/{id} for local resources
	GroupID   string
	CreatorID string
	ParentID  string // the folder it is in; "" at the group's root
	Kind      ResourceKind
	Title     string // plain text
	Summary   string // plain text
	URL       string // the linked tool; "" for folders
	ImageURL  string // a preview image from the page's metadata; may be ""
	Local     bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// IsFolder reports whether r is a folder.
func (r *Resource) IsFolder() bool { return r.Kind == ResourceFolder }

// LinkPreview is what a page says about itself (Open Graph title,
// description and image).
type LinkPreview struct {
	Title, Description, Image string
}

// Previewer reads a page's metadata, through a client that cannot be
// turned against the instance's network (groups/preview implements it
// over the SSRF-safe client).
type Previewer interface {
	Preview(ctx context.Context, rawURL string) (LinkPreview, error)
}

// ResourceInput is a new resource.
type ResourceInput struct {
	Kind ResourceKind // required
	// Title and Summary are plain text. A link's empty Title and Summary
	// are filled from the page's metadata when Config.Previewer is set;
	// a Title still empty then is the URL's host and path.
	Title, Summary string
	URL            string // http(s); required for links, empty for folders
	ParentID       string // a folder of the same group; "" is the root
	Remote         Remote
}

// ResourceUpdate changes a resource; nil fields stay as they are.
type ResourceUpdate struct {
	Title, Summary, URL *string
}

// cleanResource validates r's text fields in place.
func (s *Service) cleanResource(r *Resource) error {
	t, err := s.title("title", r.Title)
	if err != nil {
		return err
	}
	r.Title = t
	r.Summary = strings.TrimSpace(s.sanitize.Text(r.Summary))
	if utf8.RuneCountInString(r.Summary) > MaxResourceSummary {
		return fielderr.New("summary", "is longer than %d characters", MaxResourceSummary)
	}
	r.URL = strings.TrimSpace(r.URL)
	if r.IsFolder() {
		if r.URL != "" {
			return fielderr.New("url", "a folder has no URL")
		}
		return nil
	}
	return checkURL("url", r.URL, false)
}

// preview fills r's empty title and summary, and its image, from the
// page's metadata; failures leave them as they are (a preview is a
// convenience, not a condition). It runs outside any transaction.
func (s *Service) preview(ctx context.Context, r *Resource, refresh bool) {
	if r.IsFolder() || r.URL == "" || checkURL("url", r.URL, false) != nil {
		return
	}
	if s.previewer != nil && (refresh || r.Title == "" || r.Summary == "") {
		if p, err := s.previewer.Preview(ctx, r.URL); err == nil {
			if r.Title == "" {
				r.Title = truncate(s.sanitize.Text(p.Title), MaxTitleLength)
			}
			if r.Summary == "" {
				r.Summary = truncate(s.sanitize.Text(p.Description), MaxResourceSummary)
			}
			if p.Image != "" && checkURL("image", p.Image, false) == nil {
				r.ImageURL = p.Image
			}
		}
	}
	if strings.TrimSpace(r.Title) == "" {
		if u, err := url.Parse(r.URL); err == nil {
			r.Title = truncate(strings.TrimSuffix(u.Host+u.EscapedPath(), "/"), MaxTitleLength)
		}
	}
}

// truncate cuts s to at most n characters.
func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// CreateResource adds a link or a folder to a group
// (PermResourceCreate).
func (s *Service) CreateResource(ctx context.Context, actorID, groupID string, in ResourceInput) (*Resource, error) {
	if !in.Kind.valid() {
		return nil, wrap("create resource", fielderr.New("kind", "unknown value %q", in.Kind))
	}
	r := &Resource{GroupID: groupID, ParentID: in.ParentID, Kind: in.Kind, Title: in.Title, Summary: in.Summary, URL: strings.TrimSpace(in.URL)}
	if in.Remote.APID == "" {
		s.preview(ctx, r, false)
	}
	if err := s.cleanResource(r); err != nil {
		return nil, wrap("create resource", err)
	}
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		a, err := s.act(ctx, st, groupID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermResourceCreate); err != nil {
			return err
		}
		if err := s.checkPlace(ctx, st, r, r.ParentID, 1); err != nil {
			return err
		}
		o, err := s.origin(a, in.Remote, "/resource/")
		if err != nil {
			return err
		}
		r.ID, r.APID, r.CreatorID, r.Local, r.CreatedAt, r.UpdatedAt = o.id, o.apID, o.author, o.local, o.at, o.at
		if err := st.CreateResource(ctx, r); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: ResourceCreated, ActorID: actorID, Group: a.group, Resource: r})
	})
	if err != nil {
		return nil, wrap("create resource", err)
	}
	return r, nil
}

// checkPlace checks that parentID may take r (height: the levels of
// folders r brings, 1 for a link): a folder of r's group, not r nor
// inside r, not deeper than MaxFolderDepth, with room for one more item.
func (s *Service) checkPlace(ctx context.Context, st Store, r *Resource, parentID string, height int) error {
	depth := 0
	for id := parentID; id != ""; depth++ {
		if depth >= MaxFolderDepth {
			return fielderr.New("parent_id", "folders nest at most %d deep", MaxFolderDepth)
		}
		if r.ID != "" && id == r.ID {
			return fielderr.New("parent_id", "a folder cannot go inside itself")
		}
		p, err := st.GetResource(ctx, id)
		if err != nil {
			return fieldNotFound("parent_id", err)
		}
		if p.GroupID != r.GroupID || !p.IsFolder() {
			return fielderr.New("parent_id", "is not a folder of this group")
		}
		id = p.ParentID
	}
	if depth+height > MaxFolderDepth {
		return fielderr.New("parent_id", "folders nest at most %d deep", MaxFolderDepth)
	}
	n, err := st.CountResources(ctx, r.GroupID, parentID)
	if err != nil {
		return err
	}
	if n >= MaxResourcesPerFolder {
		return fielderr.New("parent_id", "a folder holds at most %d items", MaxResourcesPerFolder)
	}
	return nil
}

// fieldNotFound turns a missing reference into a field error.
func fieldNotFound(field string, err error) error {
	if storageNotFound(err) {
		return fielderr.New(field, "does not exist")
	}
	return err
}

// height is the number of folder levels r is (0 for a link, 1 for an
// empty folder), at most MaxFolderDepth+1.
func (s *Service) height(ctx context.Context, st Store, r *Resource, level int) (int, error) {
	if !r.IsFolder() {
		return 0, nil
	}
	if level > MaxFolderDepth {
		return level, nil
	}
	items, err := st.ListResources(ctx, r.GroupID, r.ID, storage.Cursor{}, MaxResourcesPerFolder)
	if err != nil {
		return 0, err
	}
	h := 1
	for i := range items {
		if !items[i].IsFolder() {
			continue
		}
		sub, err := s.height(ctx, st, &items[i], level+1)
		if err != nil {
			return 0, err
		}
		h = max(h, sub+1)
	}
	return h, nil
}

// UpdateResource changes a resource's title, summary or URL
// (PermResourceUpdate). A new URL refreshes the preview image.
func (s *Service) UpdateResource(ctx context.Context, actorID, resourceID string, in ResourceUpdate) (*Resource, error) {
	cur, err := s.store.GetResource(ctx, resourceID)
	if err != nil {
		return nil, wrap("update resource", err)
	}
	next := *cur
	set(&next.Title, in.Title)
	set(&next.Summary, in.Summary)
	set(&next.URL, in.URL)
	if next.URL != cur.URL {
		next.ImageURL = ""
		if next.Local {
			s.preview(ctx, &next, true)
		}
	}
	if err := s.cleanResource(&next); err != nil {
		return nil, wrap("update resource", err)
	}
	var out *Resource
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		r, a, err := s.resourceFor(ctx, st, resourceID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermResourceUpdate); err != nil {
			return err
		}
		r.Title, r.Summary, r.URL, r.ImageURL, r.UpdatedAt = next.Title, next.Summary, next.URL, next.ImageURL, s.clock()
		if err := st.UpdateResource(ctx, r); err != nil {
			return err
		}
		out = r
		return s.emit(ctx, tx, Change{Kind: ResourceUpdated, ActorID: actorID, Group: a.group, Resource: r})
	})
	if err != nil {
		return nil, wrap("update resource", err)
	}
	return out, nil
}

// MoveResource puts a resource into another folder of its group
// (parentID "" is the root; PermResourceUpdate). Moving to where it
// already is changes nothing.
func (s *Service) MoveResource(ctx context.Context, actorID, resourceID, parentID string) (*Resource, error) {
	var out *Resource
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		r, a, err := s.resourceFor(ctx, st, resourceID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermResourceUpdate); err != nil {
			return err
		}
		out = r
		if r.ParentID == parentID {
			return nil
		}
		h, err := s.height(ctx, st, r, 1)
		if err != nil {
			return err
		}
		if err := s.checkPlace(ctx, st, r, parentID, max(h, 1)); err != nil {
			return err
		}
		from := r.ParentID
		r.ParentID, r.UpdatedAt = parentID, s.clock()
		if err := st.UpdateResource(ctx, r); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: ResourceMoved, ActorID: actorID, Group: a.group, Resource: r, MovedFrom: from})
	})
	if err != nil {
		return nil, wrap("move resource", err)
	}
	return out, nil
}

// DeleteResource deletes a resource, a folder with everything in it
// (PermResourceDelete).
func (s *Service) DeleteResource(ctx context.Context, actorID, resourceID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		r, a, err := s.resourceFor(ctx, st, resourceID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermResourceDelete); err != nil {
			return err
		}
		if err := st.DeleteResource(ctx, r.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: ResourceDeleted, ActorID: actorID, Group: a.group, Resource: r})
	})
	return wrap("delete resource", err)
}

func (s *Service) resourceFor(ctx context.Context, st Store, resourceID, actorID string) (*Resource, acting, error) {
	r, err := st.GetResource(ctx, resourceID)
	if err != nil {
		return nil, acting{}, err
	}
	a, err := s.act(ctx, st, r.GroupID, actorID)
	return r, a, err
}

// Resource returns a resource to a reader with PermResourceAccess.
func (s *Service) Resource(ctx context.Context, viewerID, resourceID string) (*Resource, error) {
	r, err := s.store.GetResource(ctx, resourceID)
	if err == nil {
		err = s.mayRead(ctx, r.GroupID, viewerID, PermResourceAccess)
	}
	if err != nil {
		return nil, wrap("resource", err)
	}
	return r, nil
}

// Resources lists the items of a folder of a group (parentID "" is the
// root), oldest first, to a reader with PermResourceAccess; paged as
// Members.
func (s *Service) Resources(ctx context.Context, viewerID, groupID, parentID string, after storage.Cursor, limit int) ([]Resource, storage.Cursor, error) {
	if err := s.mayRead(ctx, groupID, viewerID, PermResourceAccess); err != nil {
		return nil, storage.Cursor{}, wrap("resources", err)
	}
	limit = pageSize(limit)
	rs, err := s.store.ListResources(ctx, groupID, parentID, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("resources", err)
	}
	return rs, pageCursor(rs, limit, func(r Resource) (time.Time, string) { return r.CreatedAt, r.ID }), nil
}
