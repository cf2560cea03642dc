package groups

import (
	"context"
	"time"

	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// Post is a group's announcement: an Article on the wire (WIRE.md §2.9),
// addressed by its Visibility (Public: everyone, listed; Unlisted:
// everyone with the link; Private: the members only). A draft is seen
// by those who may edit posts until it is published.
type Post struct {
	ID          string
	APID        string // BaseURL/p/{id} for local posts
	GroupID     string
	AuthorID    string
	Title       string // plain text
	Body        string // sanitized HTML
	BannerURL   string // optional picture
	Visibility  Visibility
	Draft       bool
	PublishedAt time.Time // zero while a draft
	Local       bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PostInput is a new post.
type PostInput struct {
	Title      string // plain text; required
	Body       string // HTML; sanitized; required
	BannerURL  string
	Visibility Visibility // "" means public
	Draft      bool
	Remote     Remote
}

// PostUpdate changes a post; nil fields stay as they are.
type PostUpdate struct {
	Title, Body, BannerURL *string
	Visibility             *Visibility
}

func (s *Service) cleanPost(p *Post) error {
	t, err := s.title("title", p.Title)
	if err != nil {
		return err
	}
	b, err := s.html("body", p.Body, MaxPostSize, false)
	if err != nil {
		return err
	}
	p.Title, p.Body = t, b
	if p.Visibility == "" {
		p.Visibility = Public
	}
	if p.Visibility != Public && p.Visibility != Unlisted && p.Visibility != Private {
		return fielderr.New("visibility", "unknown value %q", p.Visibility)
	}
	return checkURL("banner_url", p.BannerURL, true)
}

// CreatePost writes a post, published at once unless a draft
// (PermPostCreate).
func (s *Service) CreatePost(ctx context.Context, actorID, groupID string, in PostInput) (*Post, error) {
	p := &Post{GroupID: groupID, Title: in.Title, Body: in.Body, BannerURL: in.BannerURL, Visibility: in.Visibility, Draft: in.Draft}
	if err := s.cleanPost(p); err != nil {
		return nil, wrap("create post", err)
	}
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		a, err := s.act(ctx, st, groupID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermPostCreate); err != nil {
			return err
		}
		o, err := s.origin(a, in.Remote, "/p/")
		if err != nil {
			return err
		}
		p.ID, p.APID, p.AuthorID, p.Local, p.CreatedAt, p.UpdatedAt = o.id, o.apID, o.author, o.local, o.at, o.at
		if !p.Draft {
			p.PublishedAt = o.at
		}
		if err := st.CreatePost(ctx, p); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: PostCreated, ActorID: actorID, Group: a.group, Post: p})
	})
	if err != nil {
		return nil, wrap("create post", err)
	}
	return p, nil
}

// UpdatePost changes a post (PermPostUpdate).
func (s *Service) UpdatePost(ctx context.Context, actorID, postID string, in PostUpdate) (*Post, error) {
	var out *Post
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, a, err := s.postFor(ctx, st, postID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermPostUpdate); err != nil {
			return err
		}
		set(&p.Title, in.Title)
		set(&p.Body, in.Body)
		set(&p.BannerURL, in.BannerURL)
		set(&p.Visibility, in.Visibility)
		if err := s.cleanPost(p); err != nil {
			return err
		}
		p.UpdatedAt = s.clock()
		if err := st.UpdatePost(ctx, p); err != nil {
			return err
		}
		out = p
		return s.emit(ctx, tx, Change{Kind: PostUpdated, ActorID: actorID, Group: a.group, Post: p})
	})
	if err != nil {
		return nil, wrap("update post", err)
	}
	return out, nil
}

// PublishPost publishes a draft (PermPostUpdate); a published post is
// returned as it is.
func (s *Service) PublishPost(ctx context.Context, actorID, postID string) (*Post, error) {
	var out *Post
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, a, err := s.postFor(ctx, st, postID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermPostUpdate); err != nil {
			return err
		}
		out = p
		if !p.Draft {
			return nil
		}
		now := s.clock()
		p.Draft, p.PublishedAt, p.UpdatedAt = false, now, now
		if err := st.UpdatePost(ctx, p); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: PostPublished, ActorID: actorID, Group: a.group, Post: p})
	})
	if err != nil {
		return nil, wrap("publish post", err)
	}
	return out, nil
}

// DeletePost deletes a post (PermPostDelete).
func (s *Service) DeletePost(ctx context.Context, actorID, postID string) error {
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		p, a, err := s.postFor(ctx, st, postID, actorID)
		if err != nil {
			return err
		}
		if err := a.need(PermPostDelete); err != nil {
			return err
		}
		if err := st.DeletePost(ctx, p.ID); err != nil {
			return err
		}
		return s.emit(ctx, tx, Change{Kind: PostDeleted, ActorID: actorID, Group: a.group, Post: p})
	})
	return wrap("delete post", err)
}

func (s *Service) postFor(ctx context.Context, st Store, postID, actorID string) (*Post, acting, error) {
	p, err := st.GetPost(ctx, postID)
	if err != nil {
		return nil, acting{}, err
	}
	a, err := s.act(ctx, st, p.GroupID, actorID)
	return p, a, err
}

// mayReadPost says whether a reader sees p: anyone a published public
// or unlisted post, members (PermPostAccess) a published members-only
// one, editors (PermPostUpdate) drafts.
func (a acting) mayReadPost(p *Post) bool {
	switch {
	case p.Draft:
		return a.can(PermPostUpdate)
	case p.Visibility == Private:
		return a.can(PermPostAccess)
	}
	return true
}

// Post returns a post to a reader who may see it (viewerID "" is
// anonymous); ErrForbidden otherwise.
func (s *Service) Post(ctx context.Context, viewerID, postID string) (*Post, error) {
	p, err := s.store.GetPost(ctx, postID)
	if err != nil {
		return nil, wrap("post", err)
	}
	a, err := s.view(ctx, p.GroupID, viewerID)
	if err != nil {
		return nil, wrap("post", err)
	}
	if !a.mayReadPost(p) {
		return nil, wrap("post", a.need(PermPostUpdate))
	}
	return p, nil
}

// Posts lists a group's posts that viewerID may see, oldest first:
// public ones to everyone (unlisted ones are not listed), members-only
// ones too to members, drafts too to editors. Paged as Members.
func (s *Service) Posts(ctx context.Context, viewerID, groupID string, after storage.Cursor, limit int) ([]Post, storage.Cursor, error) {
	a, err := s.view(ctx, groupID, viewerID)
	if err != nil {
		return nil, storage.Cursor{}, wrap("posts", err)
	}
	q := PostQuery{GroupID: groupID, Visibilities: []Visibility{Public}}
	if a.can(PermPostAccess) {
		q.Visibilities = nil
	}
	q.Drafts = a.can(PermPostUpdate)
	limit = pageSize(limit)
	ps, err := s.store.ListPosts(ctx, q, after, limit)
	if err != nil {
		return nil, storage.Cursor{}, wrap("posts", err)
	}
	return ps, pageCursor(ps, limit, func(p Post) (time.Time, string) { return p.CreatedAt, p.ID }), nil
}
