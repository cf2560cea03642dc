package wire

import (
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
)

// The objects of a group's collaboration content (WIRE.md §2.7-2.10),
// built from the groups domain: what the outbox sends and the endpoints
// serve at the objects' ids. group is the group's IRI; its members
// collection is group + "/members". An author that is gone ("") is
// replaced by the group.

// DiscussionNote is the Note of a discussion: its title as name, its
// first message (first, may be nil) as content, itself as context,
// attributed to the group and addressed to its members.
func DiscussionNote(d *groups.Discussion, first *groups.Comment, creator, group string) Note {
	n := Note{ID: d.APID, UUID: d.ID, Name: d.Title, Actor: creator, AttributedTo: group, Context: d.APID,
		Audience: group, To: []string{group + "/members"}, Published: d.CreatedAt, Updated: d.UpdatedAt}
	if first != nil {
		n.Content = first.Text
	}
	if n.Actor == "" {
		n.Actor = group
	}
	return n
}

// DiscussionCommentNote is the Note of a message in a discussion: context and
// inReplyTo the discussion.
func DiscussionCommentNote(c *groups.Comment, d *groups.Discussion, author, group string) Note {
	n := Note{ID: c.APID, UUID: c.ID, Content: c.Text, Actor: author, AttributedTo: group, Context: d.APID,
		InReplyTo: d.APID, Audience: group, To: []string{group + "/members"}, Published: c.CreatedAt, Updated: c.UpdatedAt}
	if n.Actor == "" {
		n.Actor = group
	}
	return n
}

// GroupResource is the Document (a link) or ResourceCollection (a
// folder) of a resource; parent is its folder's IRI, or the group's
// resources collection.
func GroupResource(r *groups.Resource, creator, group, parent string) Resource {
	o := Resource{ID: r.APID, Folder: r.IsFolder(), Name: r.Title, Summary: r.Summary, URL: r.URL,
		Actor: creator, AttributedTo: group, Context: parent, To: []string{group + "/members"},
		Published: r.CreatedAt, Updated: r.UpdatedAt}
	if o.Actor == "" {
		o.Actor = group
	}
	return o
}

// PostVisibility maps a post's visibility to the events' one that
// PostAudience takes.
func PostVisibility(v groups.Visibility) events.Visibility {
	switch v {
	case groups.Unlisted:
		return events.Unlisted
	case groups.Private:
		return events.Private
	}
	return events.Public
}

// PostArticle is the Article of a post, addressed by its visibility
// (PostAudience); followers is the group's followers collection.
func PostArticle(p *groups.Post, author, group, followers string) Article {
	to, cc := PostAudience(PostVisibility(p.Visibility), p.Draft, group+"/members", followers)
	a := Article{ID: p.APID, Name: p.Title, Content: p.Body, Actor: author, AttributedTo: group, Banner: p.BannerURL,
		Draft: p.Draft, To: to, CC: cc, Published: p.PublishedAt, Updated: p.UpdatedAt}
	if a.Published.IsZero() {
		a.Published = p.CreatedAt
	}
	if a.Actor == "" {
		a.Actor = group
	}
	return a
}

// GroupTodoList is the TodoList of a list, addressed to the members.
func GroupTodoList(l *groups.TodoList, group string) TodoList {
	return TodoList{ID: l.APID, Group: group, Name: l.Title, To: []string{group + "/members"}, Published: l.CreatedAt}
}

// GroupTodo is the Todo of an item (due date and assignee are not
// federated).
func GroupTodo(t *groups.Todo, list *groups.TodoList, creator, group string) Todo {
	o := Todo{ID: t.APID, Actor: creator, Group: group, Name: t.Title, TodoList: list.APID, Done: t.Done,
		To: []string{group + "/members"}, Published: t.CreatedAt}
	if o.Actor == "" {
		o.Actor = group
	}
	return o
}
