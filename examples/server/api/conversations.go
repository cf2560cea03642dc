package api

import (
	"context"
	"fmt"
	"net/http"

	"codeberg.org/convene/convene/conversations"
	"codeberg.org/convene/convene/storage"
)

// Private conversations about an event between one of its participants
// and its organizers (package conversations). Reads are made as the
// acting profile; a conversation the profile may not read is a 404.
// Every message written counts against the account's MessageBurst.

// conversationJSON is a conversation.
type conversationJSON struct {
	ID            string     `json:"id"`
	URL           string     `json:"url"`
	EventID       string     `json:"event_id"`
	Participant   *actorJSON `json:"participant"`
	Local         bool       `json:"local"`
	LastMessageAt string     `json:"last_message_at"`
	CreatedAt     string     `json:"created_at"`
	// Unread reports a message the acting profile has not read
	// (conversations.Service.Unread); POST .../read marks it read.
	Unread bool `json:"unread"`
}

func (c *actors) conversation(ctx context.Context, cv *conversations.Conversation) (conversationJSON, error) {
	p, err := c.get(ctx, cv.ParticipantID)
	if err != nil {
		return conversationJSON{}, err
	}
	return conversationJSON{ID: cv.ID, URL: cv.APID, EventID: cv.EventID, Participant: p, Local: cv.Local,
		LastMessageAt: formatTime(cv.LastMessageAt), CreatedAt: formatTime(cv.CreatedAt)}, nil
}

// messageJSON is a message of a conversation.
type messageJSON struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	ConversationID string     `json:"conversation_id"`
	Author         *actorJSON `json:"author"`
	Text           string     `json:"text"`
	Announcement   bool       `json:"announcement"`
	Local          bool       `json:"local"`
	CreatedAt      string     `json:"created_at"`
}

func (c *actors) message(ctx context.Context, m *conversations.Message) (messageJSON, error) {
	a, err := c.get(ctx, m.AuthorID)
	if err != nil {
		return messageJSON{}, err
	}
	return messageJSON{ID: m.ID, URL: m.APID, ConversationID: m.ConversationID, Author: a, Text: m.Text,
		Announcement: m.Announcement, Local: m.Local, CreatedAt: formatTime(m.CreatedAt)}, nil
}

// viewConversation is cv's view for viewerID, with its unread mark.
func (a *API) viewConversation(ctx context.Context, cache *actors, viewerID string, cv *conversations.Conversation) (conversationJSON, error) {
	v, err := cache.conversation(ctx, cv)
	if err != nil {
		return conversationJSON{}, err
	}
	if v.Unread, err = a.inst.Conversations.Unread(ctx, viewerID, cv); err != nil {
		return conversationJSON{}, err
	}
	return v, nil
}

func (a *API) conversationList(ctx context.Context, viewerID string, cs []conversations.Conversation, next storage.Cursor) (list[conversationJSON], error) {
	cache := a.actorCache()
	out := make([]conversationJSON, 0, len(cs))
	for i := range cs {
		v, err := a.viewConversation(ctx, cache, viewerID, &cs[i])
		if err != nil {
			return list[conversationJSON]{}, err
		}
		out = append(out, v)
	}
	return newList(out, cursorText(next)), nil
}

// allowMessage takes one token of the account's message bucket.
func (a *API) allowMessage(c *caller) error {
	if ok, wait := a.messages.Allow("account:" + c.accountID()); !ok {
		return &apiError{status: http.StatusTooManyRequests, code: "rate_limited",
			message: fmt.Sprintf("too many messages: try again in %d seconds", int(wait.Seconds())+1)}
	}
	return nil
}

// listConversations: GET /conversations, the acting profile's
// conversations as a participant, most recently active first.
func (a *API) listConversations(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := newQuery(r, "after", "limit")
	after, _, limit := q.page()
	if q.err != nil {
		return q.err
	}
	p, err := c.profile(r, "")
	if err != nil {
		return err
	}
	ctx := r.Context()
	cs, next, err := a.inst.Conversations.MyConversations(ctx, p.ID, after, limit)
	if err != nil {
		return err
	}
	out, err := a.conversationList(ctx, p.ID, cs, next)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// listEventConversations: GET /events/{id}/conversations, for the
// event's organizers (a 404 to anyone else).
func (a *API) listEventConversations(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := newQuery(r, "after", "limit")
	after, _, limit := q.page()
	if q.err != nil {
		return q.err
	}
	p, e, err := a.pathEvent(r, c, "")
	if err != nil {
		return err
	}
	ctx := r.Context()
	cs, next, err := a.inst.Conversations.EventConversations(ctx, p.ID, e.ID, after, limit)
	if err != nil {
		return err
	}
	out, err := a.conversationList(ctx, p.ID, cs, next)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// conversationPage is GET /conversations/{id}: the conversation and a
// page of its messages, oldest first.
type conversationPage struct {
	Conversation conversationJSON  `json:"conversation"`
	Messages     list[messageJSON] `json:"messages"`
}

// getConversation: GET /conversations/{id}. It does not mark the
// conversation read: POST /conversations/{id}/read does.
func (a *API) getConversation(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := newQuery(r, "after", "limit")
	after, _, limit := q.page()
	if q.err != nil {
		return q.err
	}
	p, err := c.profile(r, "")
	if err != nil {
		return err
	}
	ctx := r.Context()
	cv, _, err := a.inst.Conversations.Conversation(ctx, p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ms, next, err := a.inst.Conversations.Messages(ctx, p.ID, cv.ID, after, limit)
	if err != nil {
		return err
	}
	cache := a.actorCache()
	v, err := a.viewConversation(ctx, cache, p.ID, cv)
	if err != nil {
		return err
	}
	items := make([]messageJSON, 0, len(ms))
	for i := range ms {
		m, err := cache.message(ctx, &ms[i])
		if err != nil {
			return err
		}
		items = append(items, m)
	}
	writeJSON(w, http.StatusOK, conversationPage{Conversation: v, Messages: newList(items, cursorText(next))})
	return nil
}

type writeRequest struct {
	Profile       string `json:"profile"`
	Text          string `json:"text"`
	ParticipantID string `json:"participant_id"`
}

// written is the answer to a write: the conversation and the message.
type written struct {
	Conversation conversationJSON `json:"conversation"`
	Message      messageJSON      `json:"message"`
}

// createConversationMessage: POST /events/{id}/conversations. A
// participant writes to the organizers; an organizer names the
// participant (participant_id, an actor id) to write to them.
func (a *API) createConversationMessage(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req writeRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	p, e, err := a.pathEvent(r, c, req.Profile)
	if err != nil {
		return err
	}
	if err := a.allowMessage(c); err != nil {
		return err
	}
	ctx := r.Context()
	var cv *conversations.Conversation
	var m *conversations.Message
	if req.ParticipantID != "" {
		cv, m, err = a.inst.Conversations.WriteToParticipant(ctx, p.ID, e.ID, req.ParticipantID, req.Text)
	} else {
		cv, m, err = a.inst.Conversations.WriteToOrganizers(ctx, p.ID, e.ID, req.Text)
	}
	if err != nil {
		return err
	}
	cache := a.actorCache()
	out := written{}
	if out.Conversation, err = a.viewConversation(ctx, cache, p.ID, cv); err != nil {
		return err
	}
	if out.Message, err = cache.message(ctx, m); err != nil {
		return err
	}
	w.Header().Set("Location", a.base+Prefix+"/conversations/"+cv.ID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

type replyRequest struct {
	Profile string `json:"profile"`
	Text    string `json:"text"`
}

// replyConversation: POST /conversations/{id}/messages, from either
// side.
func (a *API) replyConversation(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req replyRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	// Who may not read the conversation gets a 404 before the rate limit.
	if _, _, err := a.inst.Conversations.Conversation(ctx, p.ID, id); err != nil {
		return err
	}
	if err := a.allowMessage(c); err != nil {
		return err
	}
	m, err := a.inst.Conversations.Reply(ctx, p.ID, id, req.Text)
	if err != nil {
		return err
	}
	v, err := a.actorCache().message(ctx, m)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// readRequest is the optional body of POST /conversations/{id}/read.
type readRequest struct {
	Profile string `json:"profile"`
}

// markConversationRead: POST /conversations/{id}/read marks the
// conversation read, up to its newest message, for the acting profile
// (its participant or an organizer of the event; a 404 to anyone else).
// 204.
func (a *API) markConversationRead(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req readRequest
	if _, err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	if err := a.inst.Conversations.MarkRead(r.Context(), p.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
