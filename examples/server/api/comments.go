package api

import (
	"net/http"

	"codeberg.org/convene/convene/events"
)

// listComments: GET /events/{id}/comments, oldest first.
func (a *API) listComments(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := newQuery(r, "after", "limit")
	_, after, limit := q.page()
	if q.err != nil {
		return q.err
	}
	viewer, err := c.viewer(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cs, next, err := a.inst.Events.Comments(ctx, viewer, r.PathValue("id"), after, limit)
	if err != nil {
		return err
	}
	cache := a.actorCache()
	out := make([]commentJSON, 0, len(cs))
	for i := range cs {
		v, err := cache.comment(ctx, &cs[i])
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, newList(out, next))
	return nil
}

type commentRequest struct {
	Profile   string `json:"profile"`
	Text      string `json:"text"`
	InReplyTo string `json:"in_reply_to"`
}

// createComment: POST /events/{id}/comments.
func (a *API) createComment(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req commentRequest
	if _, err := decodeBody(w, r, &req, false); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	ctx := r.Context()
	cm, err := a.inst.Events.Comment(ctx, p.ID, r.PathValue("id"), events.CommentInput{Text: req.Text, InReplyTo: req.InReplyTo})
	if err != nil {
		return err
	}
	v, err := a.actorCache().comment(ctx, cm)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// deleteComment: DELETE /comments/{id}, by its author or a moderator.
func (a *API) deleteComment(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := c.profile(r, "")
	if err != nil {
		return err
	}
	if _, err := a.inst.Events.DeleteComment(r.Context(), p.ID, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
