package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/groups"
)

// participantView is a participation as organizers see it. It never
// carries an email: an anonymous participant shows as such.
type participantView struct {
	ID         string
	Name       string // display name or handle; "" for an anonymous participant
	Handle     string
	Anonymous  bool
	Role       events.ParticipantRole
	Message    string
	Pending    bool // can be approved
	Rejectable bool
}

type commentView struct {
	ID      string
	Author  string
	Handle  string
	Text    string // sanitized HTML
	State   events.CommentState
	At      time.Time
	ReplyTo string
	Held    bool // pending moderation: the viewer moderates, and may approve or reject it
}

type eventData struct {
	Event        *events.Event
	When         string
	Origin       string // host of a remote event
	OriginURL    string
	Organizer    string
	OrganizerURL string
	Group        string
	GroupURL     string
	Place        []string // the place's lines
	MapURL       string
	ICSURL       string
	GoogleURL    string
	OutlookURL   string
	Description  string // sanitized HTML
	// Participation of the current profile.
	Role          events.ParticipantRole
	WaitlistPos   int
	CanJoin       bool
	CanLeave      bool
	CanManage     bool
	Seats         int // participants holding a seat
	SeatsLeft     int // -1: unlimited
	Participants  []participantView
	Comments      []commentView
	CanComment    bool
	CommentsState events.CommentModeration
	// AnonymousJoin offers visitors without an account to join by email.
	AnonymousJoin bool
	// CanExport: the current profile may download the participants.
	CanExport bool
	// CanMessage: the current profile may write to the participants.
	CanMessage bool
	// Hidden: the instance's moderators hid the event; only they see
	// the page, with a banner and the button that shows it again.
	Hidden bool
	// CanWriteOrganizers: the current profile takes part (any role but
	// rejected) without organizing, and may write to the organizers.
	CanWriteOrganizers bool
	// Conversations is the number of the event's conversations, for
	// its organizers ("" for everyone else; "200+" past one page).
	Conversations string
}

// eventPage is GET /events/{id}, as the current profile (or an anonymous
// visitor) may see it: a private event is a 404 to outsiders, an event
// hidden by the instance's moderators a 404 to everyone but them.
func (w *Web) eventPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	id := strings.TrimPrefix(r.URL.Path, "/events/")
	if id == "" || strings.Contains(id, "/") {
		return errNotFound
	}
	ctx := r.Context()
	viewer := v.profileID()
	e, err := w.inst.Events.Get(ctx, viewer, id)
	hidden := false
	if errors.Is(err, events.ErrNotFound) && w.staff(v) == nil {
		if he, herr := w.inst.Events.GetForModeration(ctx, id); herr == nil && he.Hidden {
			e, err, hidden = he, nil, true
		}
	}
	if err != nil {
		return err
	}
	names := newActorNames(w)
	d := eventData{Event: e, Description: e.Description, ICSURL: "/events/" + e.ID + ".ics",
		CommentsState: e.CommentModeration}
	p := &page{w: w, v: v, Lang: v.lang}
	d.When = p.When(e.BeginsAt, e.EndsAt, e.TimeZone)
	if !e.Local {
		d.OriginURL = e.URL
		if d.OriginURL == "" {
			d.OriginURL = e.APID
		}
		if u, err := url.Parse(e.APID); err == nil {
			d.Origin = u.Host
		}
	}
	if a := names.get(ctx, e.OrganizerID); a != nil {
		d.Organizer, d.OrganizerURL = names.name(ctx, a.ID), actorURL(a.Local, a.Username, a.URL, a.APID)
	}
	if e.GroupID != "" && e.GroupID != e.OrganizerID {
		if a := names.get(ctx, e.GroupID); a != nil {
			d.Group, d.GroupURL = names.name(ctx, a.ID), actorURL(a.Local, a.Username, a.URL, a.APID)
		}
	}
	if pl := e.Place; pl != nil {
		for _, s := range []string{pl.Name, pl.Street, strings.TrimSpace(pl.PostalCode + " " + pl.Locality), pl.Region, pl.Country} {
			if s != "" {
				d.Place = append(d.Place, s)
			}
		}
		if pt, ok := pl.Point(); ok {
			d.MapURL = fmt.Sprintf("https://www.openstreetmap.org/?mlat=%.6f&mlon=%.6f#map=17/%.6f/%.6f", pt.Lat, pt.Lon, pt.Lat, pt.Lon)
		}
	}
	d.GoogleURL, d.OutlookURL = calendarLinks(w.base, e)
	if hidden {
		// For moderators: what the event says, and nothing to do with
		// it (the service refuses everything) but showing it again.
		d.Hidden = true
		w.render(rw, r, v, http.StatusOK, "event", "="+e.Title, d)
		return nil
	}

	seats, err := w.parts.CountParticipants(ctx, e.ID, []events.ParticipantRole{events.RoleParticipant})
	if err != nil {
		return err
	}
	d.Seats, d.SeatsLeft = seats, -1
	if e.Capacity > 0 {
		d.SeatsLeft = max(0, e.Capacity-seats)
	}
	joinable := (e.JoinMode == events.JoinFree || e.JoinMode == events.JoinRestricted) &&
		e.Status != events.Cancelled && !e.Draft
	if viewer != "" {
		part, err := w.inst.Events.Participation(ctx, e.ID, viewer)
		switch {
		case err == nil:
			d.Role = part.Role
			if d.WaitlistPos, err = w.inst.Events.WaitlistPosition(ctx, part); err != nil {
				return err
			}
			d.CanLeave = part.Role != events.RoleCreator && part.Role != events.RoleRejected
		case errors.Is(err, events.ErrNotFound):
			d.CanJoin = joinable
		default:
			return err
		}
		d.CanManage = w.mayManage(ctx, e, viewer)
		org, err := w.inst.Conversations.IsOrganizer(ctx, e, viewer)
		if err != nil {
			return err
		}
		if org {
			if d.Conversations, err = w.eventConversationCount(ctx, e, viewer); err != nil {
				return err
			}
		}
		d.CanWriteOrganizers = !org && d.Role != "" && d.Role != events.RoleRejected
		d.CanComment = e.CommentModeration != events.CommentsClosed
		ps, _, err := w.inst.Events.Participants(ctx, viewer, e.ID, nil, "", MaxListed)
		switch {
		case err == nil:
			d.CanExport = true
			d.CanMessage = w.messages != nil
			for _, pt := range ps {
				pv := participantView{ID: pt.ID, Anonymous: pt.ActorID == "", Role: pt.Role, Message: pt.Message}
				if a := names.get(ctx, pt.ActorID); a != nil {
					pv.Name, pv.Handle = names.name(ctx, a.ID), a.Handle()
				}
				pv.Pending = pt.Role == events.RoleNotApproved || pt.Role == events.RoleRejected
				pv.Rejectable = pt.Role == events.RoleNotApproved || pt.Role == events.RoleParticipant || pt.Role == events.RoleWaitlisted
				d.Participants = append(d.Participants, pv)
			}
		case errors.Is(err, events.ErrForbidden):
		default:
			return err
		}
	}
	cs, _, err := w.inst.Events.Comments(ctx, viewer, e.ID, "", MaxListed)
	if err != nil {
		return err
	}
	for _, c := range cs {
		cv := commentView{ID: c.ID, Text: c.Text, State: c.State, At: c.CreatedAt, ReplyTo: c.InReplyTo,
			Held: c.State == events.CommentPending && viewer != ""}
		if c.State != events.CommentDeleted {
			if a := names.get(ctx, c.AuthorID); a != nil {
				cv.Author, cv.Handle = names.name(ctx, a.ID), a.Handle()
			}
		}
		d.Comments = append(d.Comments, cv)
	}
	d.AnonymousJoin = viewer == "" && w.anonymousOffered(e)
	w.render(rw, r, v, http.StatusOK, "event", "="+e.Title, d)
	return nil
}

// actorURL is where to see an actor: its page here for local ones, its
// own page for remote ones.
func actorURL(local bool, username, pageURL, apID string) string {
	switch {
	case local:
		return "/@" + username
	case pageURL != "":
		return pageURL
	}
	return apID
}

// mayManage reports whether the profile may edit the event.
func (w *Web) mayManage(ctx context.Context, e *events.Event, profileID string) bool {
	if !e.Local || profileID == "" {
		return false
	}
	if e.GroupID != "" {
		return w.inst.Groups.Authorize(ctx, e.GroupID, profileID, groups.PermEventUpdate) == nil
	}
	return profileID == e.OrganizerID || profileID == e.CreatorID
}

// calendarLinks returns "add to Google Calendar" and "add to Outlook"
// links.
func calendarLinks(base string, e *events.Event) (google, outlook string) {
	end := e.EndsAt
	if end.IsZero() {
		end = e.BeginsAt.Add(time.Hour)
	}
	const compact = "20060102T150405Z"
	page := base + "/events/" + e.ID
	loc := ""
	if e.Place != nil {
		loc = strings.Join(nonEmpty(e.Place.Name, e.Place.Street, e.Place.Locality, e.Place.Country), ", ")
	} else if e.OnlineAddress != "" {
		loc = e.OnlineAddress
	}
	g := url.Values{"action": {"TEMPLATE"}, "text": {e.Title},
		"dates":   {e.BeginsAt.UTC().Format(compact) + "/" + end.UTC().Format(compact)},
		"details": {page}, "location": {loc}}
	if e.TimeZone != "" {
		g.Set("ctz", e.TimeZone)
	}
	o := url.Values{"path": {"/calendar/action/compose"}, "rru": {"addevent"}, "subject": {e.Title},
		"startdt": {e.BeginsAt.UTC().Format(time.RFC3339)}, "enddt": {end.UTC().Format(time.RFC3339)},
		"body": {page}, "location": {loc}}
	return "https://calendar.google.com/calendar/render?" + g.Encode(),
		"https://outlook.live.com/calendar/0/deeplink/compose?" + o.Encode()
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// eventAction runs an action on an event as the current profile and
// sends back to the event page with a message.
func (w *Web) eventAction(rw http.ResponseWriter, r *http.Request, v *visit, do func(ctx context.Context, eventID, profileID string) (string, error)) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	id := r.PathValue("id")
	// Outsiders learn nothing of a private event: 404 before anything.
	if _, err := w.inst.Events.Get(r.Context(), v.profile.ID, id); err != nil {
		return err
	}
	msg, err := do(r.Context(), id, v.profile.ID)
	if key := actionErrorKey(err); key != "" {
		redirect(rw, r, "/events/"+id, key)
		return nil
	}
	if err != nil {
		return err
	}
	redirect(rw, r, "/events/"+id, msg)
	return nil
}

// actionErrorKey maps the refusals of participation to flash keys.
func actionErrorKey(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, events.ErrClosed):
		return "closed"
	case errors.Is(err, events.ErrNotJoinable):
		return "not_joinable"
	case errors.Is(err, events.ErrAlreadyParticipating):
		return "already"
	case errors.Is(err, events.ErrOnlyOrganizer):
		return "only_organizer"
	case errors.Is(err, events.ErrCommentsClosed):
		return "comments_closed"
	}
	return ""
}

func (w *Web) joinEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.eventAction(rw, r, v, func(ctx context.Context, id, profile string) (string, error) {
		p, err := w.inst.Events.Join(ctx, id, profile, events.JoinInput{Message: r.PostForm.Get("message")})
		if err != nil {
			return "", err
		}
		switch p.Role {
		case events.RoleWaitlisted:
			return "waitlisted", nil
		case events.RoleNotApproved:
			return "join_pending", nil
		}
		return "joined", nil
	})
}

func (w *Web) leaveEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.eventAction(rw, r, v, func(ctx context.Context, id, profile string) (string, error) {
		return "left", w.inst.Events.Leave(ctx, id, profile)
	})
}

func (w *Web) commentEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.eventAction(rw, r, v, func(ctx context.Context, id, profile string) (string, error) {
		text := plainToHTML(r.PostForm.Get("text"))
		c, err := w.inst.Events.Comment(ctx, profile, id, events.CommentInput{Text: text, InReplyTo: r.PostForm.Get("in_reply_to")})
		if err != nil {
			return "", err
		}
		if c.State == events.CommentPending {
			return "comment_pending", nil
		}
		return "commented", nil
	})
}

func (w *Web) approveParticipant(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.decide(rw, r, v, true)
}

func (w *Web) rejectParticipant(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.decide(rw, r, v, false)
}

// decide approves or rejects a participation of the event in the path.
func (w *Web) decide(rw http.ResponseWriter, r *http.Request, v *visit, approve bool) error {
	return w.eventAction(rw, r, v, func(ctx context.Context, id, profile string) (string, error) {
		// The participation must be of this event: look it up in the
		// organizer's list (which also checks the right to moderate).
		pid := r.PathValue("pid")
		ps, _, err := w.inst.Events.Participants(ctx, profile, id, nil, "", events.MaxPageSize)
		if err != nil {
			return "", err
		}
		found := false
		for _, p := range ps {
			found = found || p.ID == pid
		}
		if !found {
			return "", errNotFound
		}
		if approve {
			_, err = w.inst.Events.Approve(ctx, profile, pid)
			return "approved", err
		}
		_, err = w.inst.Events.Reject(ctx, profile, pid)
		return "rejected", err
	})
}

func (w *Web) cancelEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.eventAction(rw, r, v, func(ctx context.Context, id, profile string) (string, error) {
		_, err := w.inst.Events.Cancel(ctx, profile, id)
		return "cancelled", err
	})
}

func (w *Web) deleteEvent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	if _, err := w.inst.Events.Get(ctx, v.profile.ID, id); err != nil {
		return err
	}
	if r.PostForm.Get("confirm") != "1" {
		redirect(rw, r, "/events/"+id+"/edit", "confirm_delete")
		return nil
	}
	if err := w.inst.Events.Delete(ctx, v.profile.ID, id); err != nil {
		return err
	}
	redirect(rw, r, "/me/events", "deleted")
	return nil
}
