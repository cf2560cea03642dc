package web

import (
	"context"
	"errors"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// Private conversations about an event between one of its participants
// and its organizers (package conversations). A participant writes to
// the organizers from the event's page and reads their threads under
// /conversations; organizers read an event's threads and write to one
// participant under /events/{id}/conversations. A thread is
// /conversations/{id}, the link of the conversation.message mail (the
// conversation's APID): a 404 to anyone but its participant and the
// event's organizers. Every message written here counts against the
// account's MessageBurst.

// conversationRow is one conversation of a list.
type conversationRow struct {
	ID         string
	URL        string
	EventTitle string
	EventURL   string
	With       string // the other side: the organizer, or the participant
	Handle     string
	LastAt     time.Time
	Unread     bool // a message the viewer has not read (conversations.Service.Unread)
}

type conversationsData struct {
	Rows []conversationRow
	Next string // URL of the next page; "" on the last
	// Organizing links to the conversations of the events the profile
	// organizes (as their creator or a moderator, or as a moderator or
	// more of their group: its upcoming public events), on the first
	// page.
	Organizing []organizedEvent
}

// organizedEvent is a link to one event's conversations.
type organizedEvent struct{ Title, URL string }

// maxOrganizedListed bounds the events listed in Organizing, and
// maxOrganizingGroups the groups whose events are looked up for it.
const (
	maxOrganizedListed  = 50
	maxOrganizingGroups = 10
)

type participantOption struct {
	ActorID string
	Name    string
	Handle  string
}

type eventConversationsData struct {
	Event        *events.Event
	Rows         []conversationRow
	Next         string
	Participants []participantOption // whom an organizer may write to
	More         bool                // more participants than listed
}

type messageView struct {
	ID           string
	Author       string
	Handle       string
	Organizer    bool // written by the organizer side
	Announcement bool
	Text         string // sanitized HTML
	At           time.Time
}

type conversationData struct {
	Conversation *conversations.Conversation
	Event        *events.Event
	EventURL     string
	With         string // the other side, as the viewer sees it
	Organizer    bool   // the viewer stands on the organizer side
	Messages     []messageView
	Next         string
	CanReply     bool // the participant still takes part
}

// convPageSize is the number of conversations or messages on a page.
const convPageSize = conversations.DefaultPageSize

// pageAfter reads the "after" cursor of a list page; a bad one is a 404.
func pageAfter(r *http.Request) (storage.Cursor, error) {
	c, err := storage.ParseCursor(r.URL.Query().Get("after"))
	if err != nil {
		return storage.Cursor{}, errNotFound
	}
	return c, nil
}

// nextURL is path with the cursor of the next page, "" after the last.
func nextURL(path string, next storage.Cursor) string {
	if next.IsZero() {
		return ""
	}
	return path + "?after=" + url.QueryEscape(next.String())
}

// convErr maps the refusals of the conversations service: a flash key
// for those the user can act on, or an error page.
func convErr(err error) (flash string, _ error) {
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, conversations.ErrNotParticipating):
		return "conv_closed", nil
	case errors.Is(err, conversations.ErrTooManyRecipients):
		return "conv_too_many", nil
	case errors.Is(err, conversations.ErrForbidden):
		return "", &httpError{status: http.StatusForbidden, key: "error.forbidden", err: err}
	}
	return "", err
}

// allowMessage takes one token of the account's message bucket.
func (w *Web) allowMessage(v *visit) error {
	if ok, _ := w.msgLimit.Allow("account:" + v.account.ID); !ok {
		return &httpError{status: http.StatusTooManyRequests, key: "conv.rate_limited"}
	}
	return nil
}

// myConversations is GET /conversations: the acting profile's
// conversations as a participant, most recently active first.
func (w *Web) myConversations(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	after, err := pageAfter(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cs, next, err := w.inst.Conversations.MyConversations(ctx, v.profile.ID, after, convPageSize)
	if err != nil {
		return err
	}
	names := newActorNames(w)
	d := conversationsData{Next: nextURL("/conversations", next)}
	for i := range cs {
		c := &cs[i]
		row := conversationRow{ID: c.ID, URL: "/conversations/" + c.ID, LastAt: c.LastMessageAt, EventURL: "/events/" + c.EventID}
		if row.Unread, err = w.inst.Conversations.Unread(ctx, v.profile.ID, c); err != nil {
			return err
		}
		if e, err := w.inst.Events.Get(ctx, v.profile.ID, c.EventID); err == nil {
			row.EventTitle = e.Title
			if a := names.get(ctx, e.OrganizerID); a != nil {
				row.With, row.Handle = names.name(ctx, a.ID), a.Handle()
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if after.IsZero() {
		ps, err := w.parts.ListParticipations(ctx, v.profile.ID,
			[]events.ParticipantRole{events.RoleCreator, events.RoleModerator}, storage.Cursor{}, maxOrganizedListed)
		if err != nil {
			return err
		}
		listed := map[string]bool{}
		add := func(e *events.Event) {
			if !listed[e.ID] && len(d.Organizing) < maxOrganizedListed {
				listed[e.ID] = true
				d.Organizing = append(d.Organizing, organizedEvent{Title: e.Title, URL: "/events/" + e.ID + "/conversations"})
			}
		}
		for _, p := range ps {
			e, err := w.inst.Events.Get(ctx, v.profile.ID, p.EventID)
			if err != nil {
				continue // gone, or hidden by moderators
			}
			add(e)
		}
		// The upcoming events of the groups whose events the profile
		// moderates through its role in the group.
		ms, _, err := w.inst.Groups.Memberships(ctx, v.profile.ID,
			[]groups.Role{groups.RoleCreator, groups.RoleAdministrator, groups.RoleModerator}, storage.Cursor{}, maxOrganizingGroups)
		if err != nil {
			return err
		}
		for _, m := range ms {
			res, err := w.inst.Events.Search(ctx, events.Query{GroupID: m.GroupID, Limit: maxOrganizedListed})
			if err != nil {
				return err
			}
			for _, o := range res.Occurrences {
				add(o.Event)
			}
		}
	}
	w.render(rw, r, v, http.StatusOK, "conversations", "conv.title", d)
	return nil
}

// eventConversations is GET /events/{id}/conversations, for the event's
// organizers (a 404 to anyone else): its conversations, and the form
// that writes to one participant.
func (w *Web) eventConversations(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	after, err := pageAfter(r)
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	e, err := w.inst.Events.Get(ctx, v.profile.ID, id)
	if err != nil {
		return err
	}
	cs, next, err := w.inst.Conversations.EventConversations(ctx, v.profile.ID, e.ID, after, convPageSize)
	if err != nil {
		return err
	}
	names := newActorNames(w)
	d := eventConversationsData{Event: e, Next: nextURL("/events/"+e.ID+"/conversations", next)}
	for i := range cs {
		c := &cs[i]
		row := conversationRow{ID: c.ID, URL: "/conversations/" + c.ID, EventTitle: e.Title, EventURL: "/events/" + e.ID,
			LastAt: c.LastMessageAt}
		if row.Unread, err = w.inst.Conversations.Unread(ctx, v.profile.ID, c); err != nil {
			return err
		}
		if a := names.get(ctx, c.ParticipantID); a != nil {
			row.With, row.Handle = names.name(ctx, a.ID), a.Handle()
		}
		d.Rows = append(d.Rows, row)
	}
	d.Participants, d.More, err = w.writableParticipants(ctx, e, v.profile.ID, names)
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "event_conversations", "="+e.Title, d)
	return nil
}

// writableParticipants lists the participants with a profile, local or
// remote, an organizer may write to: those taking part who do not
// organize the event, at most MaxListed (more reports that there are
// others).
func (w *Web) writableParticipants(ctx context.Context, e *events.Event, viewer string, names *actorNames) ([]participantOption, bool, error) {
	ps, next, err := w.inst.Events.Participants(ctx, viewer, e.ID, conversations.AnnounceRoles(), "", MaxListed)
	switch {
	case errors.Is(err, events.ErrForbidden), errors.Is(err, events.ErrNotFound):
		return nil, false, nil // an organizer by group role who does not moderate participations
	case err != nil:
		return nil, false, err
	}
	var out []participantOption
	for _, p := range ps {
		if p.ActorID == "" {
			continue // anonymous: reached by email only
		}
		if org, err := w.inst.Conversations.IsOrganizer(ctx, e, p.ActorID); err != nil {
			return nil, false, err
		} else if org {
			continue
		}
		o := participantOption{ActorID: p.ActorID}
		if a := names.get(ctx, p.ActorID); a != nil {
			o.Name, o.Handle = names.name(ctx, a.ID), a.Handle()
		}
		out = append(out, o)
	}
	return out, next != "", nil
}

// writeConversation is POST /events/{id}/conversations: a participant
// writes to the organizers or, with participant_id, an organizer writes
// to that participant. Both land on the conversation.
func (w *Web) writeConversation(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	// Outsiders learn nothing of a private event: 404 before anything.
	e, err := w.inst.Events.Get(ctx, v.profile.ID, id)
	if err != nil {
		return err
	}
	if err := w.allowMessage(v); err != nil {
		return err
	}
	text := plainHTML(r.PostForm.Get("text"))
	var c *conversations.Conversation
	back := "/events/" + e.ID
	if pid := r.PostForm.Get("participant_id"); pid != "" {
		back += "/conversations"
		c, _, err = w.inst.Conversations.WriteToParticipant(ctx, v.profile.ID, e.ID, pid, text)
	} else {
		c, _, err = w.inst.Conversations.WriteToOrganizers(ctx, v.profile.ID, e.ID, text)
	}
	flash, err := convErr(err)
	if flash != "" {
		redirect(rw, r, back, flash)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/conversations/"+c.ID, "conv_sent")
	return nil
}

// conversationPage is GET /conversations/{id}: the thread, oldest first,
// paged, with the reply form. A 404 to anyone who may not read it.
func (w *Web) conversationPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	after, err := pageAfter(r)
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	c, e, err := w.inst.Conversations.Conversation(ctx, v.profile.ID, id)
	if err != nil {
		return err
	}
	ms, next, err := w.inst.Conversations.Messages(ctx, v.profile.ID, c.ID, after, convPageSize)
	if err != nil {
		return err
	}
	names := newActorNames(w)
	d := conversationData{Conversation: c, Event: e, EventURL: "/events/" + e.ID, Organizer: v.profile.ID != c.ParticipantID,
		Next: nextURL("/conversations/"+c.ID, next)}
	if !e.Local {
		d.EventURL = cmpOr(e.URL, e.APID)
	}
	if d.Organizer {
		d.With = names.name(ctx, c.ParticipantID)
	} else {
		d.With = names.name(ctx, e.OrganizerID)
	}
	for _, m := range ms {
		mv := messageView{ID: m.ID, Organizer: m.AuthorID != c.ParticipantID, Announcement: m.Announcement,
			Text: m.Text, At: m.CreatedAt}
		if a := names.get(ctx, m.AuthorID); a != nil {
			mv.Author, mv.Handle = names.name(ctx, a.ID), a.Handle()
		}
		d.Messages = append(d.Messages, mv)
	}
	part, err := w.inst.Events.Participation(ctx, e.ID, c.ParticipantID)
	switch {
	case err == nil:
		d.CanReply = part.Role != events.RoleRejected
	case errors.Is(err, events.ErrNotFound):
	default:
		return err
	}
	// Seen: marked read once the page shows the newest messages (the
	// last page; threads are paged oldest first).
	if d.Next == "" {
		if err := w.inst.Conversations.MarkRead(ctx, v.profile.ID, c.ID); err != nil {
			return err
		}
	}
	w.render(rw, r, v, http.StatusOK, "conversation", "="+e.Title+" · "+translate(v.lang, "conv.title"), d)
	return nil
}

// replyConversation is POST /conversations/{id}/reply.
func (w *Web) replyConversation(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	// Who may not read the thread gets a 404 before the rate limit.
	if _, _, err := w.inst.Conversations.Conversation(ctx, v.profile.ID, id); err != nil {
		return err
	}
	if err := w.allowMessage(v); err != nil {
		return err
	}
	_, err := w.inst.Conversations.Reply(ctx, v.profile.ID, id, plainHTML(r.PostForm.Get("text")))
	flash, err := convErr(err)
	if flash != "" {
		redirect(rw, r, "/conversations/"+id, flash)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/conversations/"+id, "conv_sent")
	return nil
}

// eventConversationCount is the "Messages (N conversations)" figure of
// an organizer's event page: "200+" past one page of MaxPageSize.
func (w *Web) eventConversationCount(ctx context.Context, e *events.Event, organizerID string) (string, error) {
	cs, next, err := w.inst.Conversations.EventConversations(ctx, organizerID, e.ID, storage.Cursor{}, conversations.MaxPageSize)
	if err != nil {
		return "", err
	}
	n := strconv.Itoa(len(cs))
	if !next.IsZero() {
		n += "+"
	}
	return n, nil
}

// announce writes an organizer's message to the participants with a
// profile as conversation announcements: the subject in bold, then the
// text.
func (w *Web) announce(ctx context.Context, e *events.Event, organizerID, subject, text string) (int, error) {
	body := "<p><strong>" + html.EscapeString(subject) + "</strong></p>" + plainHTML(text)
	return w.inst.Conversations.Announce(ctx, organizerID, e.ID, body, nil)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
