package api

import (
	"net/http"

	"codeberg.org/convene/convene/events"
)

type joinRequest struct {
	Profile string `json:"profile"`
	Message string `json:"message"`
}

// join: POST /events/{id}/participation, the acting profile joins.
func (a *API) join(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req joinRequest
	if _, err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	part, err := a.inst.Events.Join(r.Context(), r.PathValue("id"), p.ID, events.JoinInput{Message: req.Message})
	if err != nil {
		return err
	}
	v, err := a.actorCache().participant(r.Context(), part)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, v)
	return nil
}

// getParticipation: GET /events/{id}/participation, the acting
// profile's own participation.
func (a *API) getParticipation(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, e, err := a.pathEvent(r, c, "")
	if err != nil {
		return err
	}
	part, err := a.inst.Events.Participation(ctx, e.ID, p.ID)
	if err != nil {
		return err
	}
	v, err := a.actorCache().participant(ctx, part)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// leave: DELETE /events/{id}/participation, the acting profile leaves.
func (a *API) leave(w http.ResponseWriter, r *http.Request, c *caller) error {
	ctx := r.Context()
	p, e, err := a.pathEvent(r, c, "")
	if err != nil {
		return err
	}
	if err := a.inst.Events.Leave(ctx, e.ID, p.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listParticipants: GET /events/{id}/participants, for the event's
// organizers and moderators. Anonymous participants show without their
// email.
func (a *API) listParticipants(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := newQuery(r, "role", "after", "limit")
	_, after, limit := q.page()
	var roles []events.ParticipantRole
	for _, s := range q.list("role") {
		roles = append(roles, events.ParticipantRole(s))
	}
	if q.err != nil {
		return q.err
	}
	ctx := r.Context()
	p, e, err := a.pathEvent(r, c, "")
	if err != nil {
		return err
	}
	ps, next, err := a.inst.Events.Participants(ctx, p.ID, e.ID, roles, after, limit)
	if err != nil {
		return err
	}
	cache := a.actorCache()
	out := make([]participantJSON, 0, len(ps))
	for i := range ps {
		v, err := cache.participant(ctx, &ps[i])
		if err != nil {
			return err
		}
		out = append(out, v)
	}
	writeJSON(w, http.StatusOK, newList(out, next))
	return nil
}

type decisionRequest struct {
	Profile string `json:"profile"`
}

// approve: POST /participants/{id}/approve.
func (a *API) approve(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.decide(w, r, c, true)
}

// reject: POST /participants/{id}/reject.
func (a *API) reject(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.decide(w, r, c, false)
}

func (a *API) decide(w http.ResponseWriter, r *http.Request, c *caller, approve bool) error {
	var req decisionRequest
	if _, err := decodeBody(w, r, &req, true); err != nil {
		return err
	}
	p, err := c.profile(r, req.Profile)
	if err != nil {
		return err
	}
	decide := a.inst.Events.Reject
	if approve {
		decide = a.inst.Events.Approve
	}
	part, err := decide(r.Context(), p.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	v, err := a.actorCache().participant(r.Context(), part)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}
