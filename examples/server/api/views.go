package api

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
)

// actorJSON is what anyone may see of an actor (profile, group, remote).
// It never names the account behind a profile.
type actorJSON struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	Handle      string `json:"handle"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	Summary     string `json:"summary"`
	AvatarURL   string `json:"avatar_url,omitempty"`
	BannerURL   string `json:"banner_url,omitempty"`
	URL         string `json:"url"`
	Local       bool   `json:"local"`
}

func actorView(a *identity.Actor) *actorJSON {
	if a == nil {
		return nil
	}
	u := a.URL
	if u == "" {
		u = a.APID
	}
	return &actorJSON{ID: a.ID, Type: string(a.Type), Handle: a.Handle(), Username: a.Username,
		DisplayName: a.DisplayName, Summary: a.Summary, AvatarURL: a.AvatarURL, BannerURL: a.BannerURL,
		URL: u, Local: a.Local}
}

// profileJSON is one of the caller's own profiles.
type profileJSON struct {
	actorJSON
	Default      bool `json:"default"`
	Discoverable bool `json:"discoverable"`
}

func profileView(p *identity.Profile) profileJSON {
	return profileJSON{actorJSON: *actorView(&p.Actor), Default: p.Default, Discoverable: p.Discoverable}
}

// actors looks actors up once per request.
type actors struct {
	id   *identity.Service
	seen map[string]*identity.Actor
}

func (a *API) actorCache() *actors {
	return &actors{id: a.inst.Identity, seen: map[string]*identity.Actor{}}
}

// get returns the actor's view, nil when it is unknown.
func (c *actors) get(ctx context.Context, id string) (*actorJSON, error) {
	if id == "" {
		return nil, nil
	}
	if a, ok := c.seen[id]; ok {
		return actorView(a), nil
	}
	a, err := c.id.GetActor(ctx, id)
	if err != nil && !errors.Is(err, identity.ErrNotFound) {
		return nil, err
	}
	c.seen[id] = a
	return actorView(a), nil
}

// eventJSON is an event as its viewers see it.
type eventJSON struct {
	ID                     string        `json:"id"`
	URL                    string        `json:"url"`
	Local                  bool          `json:"local"`
	Organizer              *actorJSON    `json:"organizer"`
	GroupID                string        `json:"group_id,omitempty"`
	Contacts               []string      `json:"contacts"`
	Title                  string        `json:"title"`
	Description            string        `json:"description"`
	BeginsOn               string        `json:"begins_on"`
	EndsOn                 *string       `json:"ends_on"`
	Timezone               string        `json:"timezone"`
	Status                 string        `json:"status"`
	Visibility             string        `json:"visibility"`
	JoinMode               string        `json:"join_mode"`
	ExternalURL            string        `json:"external_url,omitempty"`
	Capacity               int           `json:"capacity"`
	AnonymousParticipation bool          `json:"anonymous_participation"`
	OnlineAddress          string        `json:"online_address"`
	Place                  *geo.Place    `json:"place"`
	Category               string        `json:"category"`
	Tags                   []string      `json:"tags"`
	Language               string        `json:"language"`
	PictureURL             string        `json:"picture_url"`
	Links                  []events.Link `json:"links"`
	Draft                  bool          `json:"draft"`
	CommentModeration      string        `json:"comment_moderation"`
	Recurrence             string        `json:"recurrence"`
	ExDates                []string      `json:"exdates"`
	Sequence               int           `json:"sequence"`
	PublishedAt            *string       `json:"published_at"`
	CreatedAt              string        `json:"created_at"`
	UpdatedAt              string        `json:"updated_at"`
}

func (c *actors) event(ctx context.Context, e *events.Event) (*eventJSON, error) {
	org, err := c.get(ctx, e.OrganizerID)
	if err != nil {
		return nil, err
	}
	tz := e.TimeZone
	if tz == "" {
		tz = "UTC"
	}
	v := &eventJSON{ID: e.ID, URL: e.URL, Local: e.Local, Organizer: org, GroupID: e.GroupID,
		Contacts: nonNil(e.Contacts), Title: e.Title, Description: e.Description,
		BeginsOn: formatTime(e.BeginsAt), EndsOn: optTime(e.EndsAt), Timezone: tz,
		Status: string(e.Status), Visibility: string(e.Visibility), JoinMode: string(e.JoinMode),
		ExternalURL: e.ExternalURL, Capacity: e.Capacity, AnonymousParticipation: e.AnonymousParticipation,
		OnlineAddress: e.OnlineAddress, Place: e.Place, Category: e.Category, Tags: nonNil(e.Tags),
		Language: e.Language, PictureURL: e.PictureURL, Links: nonNil(e.Links), Draft: e.Draft,
		CommentModeration: string(e.CommentModeration), Recurrence: e.Recurrence, ExDates: []string{},
		Sequence: e.Sequence, PublishedAt: optTime(e.PublishedAt),
		CreatedAt: formatTime(e.CreatedAt), UpdatedAt: formatTime(e.UpdatedAt)}
	for _, d := range e.ExDates {
		v.ExDates = append(v.ExDates, formatTime(d))
	}
	return v, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// participantJSON is a participation. It never carries an email: an
// anonymous participant shows as such, without an actor.
type participantJSON struct {
	ID        string     `json:"id"`
	EventID   string     `json:"event_id"`
	Role      string     `json:"role"`
	Actor     *actorJSON `json:"actor"`
	Anonymous bool       `json:"anonymous"`
	Message   string     `json:"message,omitempty"`
	CreatedAt string     `json:"created_at"`
	UpdatedAt string     `json:"updated_at"`
}

func (c *actors) participant(ctx context.Context, p *events.Participant) (participantJSON, error) {
	a, err := c.get(ctx, p.ActorID)
	if err != nil {
		return participantJSON{}, err
	}
	return participantJSON{ID: p.ID, EventID: p.EventID, Role: string(p.Role), Actor: a, Anonymous: p.ActorID == "",
		Message: p.Message, CreatedAt: formatTime(p.CreatedAt), UpdatedAt: formatTime(p.UpdatedAt)}, nil
}

// commentJSON is a comment.
type commentJSON struct {
	ID        string     `json:"id"`
	EventID   string     `json:"event_id"`
	Author    *actorJSON `json:"author"`
	InReplyTo string     `json:"in_reply_to,omitempty"`
	Text      string     `json:"text"`
	State     string     `json:"state"`
	CreatedAt string     `json:"created_at"`
	UpdatedAt string     `json:"updated_at"`
}

func (c *actors) comment(ctx context.Context, cm *events.Comment) (commentJSON, error) {
	a, err := c.get(ctx, cm.AuthorID)
	if err != nil {
		return commentJSON{}, err
	}
	return commentJSON{ID: cm.ID, EventID: cm.EventID, Author: a, InReplyTo: cm.InReplyTo, Text: cm.Text,
		State: string(cm.State), CreatedAt: formatTime(cm.CreatedAt), UpdatedAt: formatTime(cm.UpdatedAt)}, nil
}

// groupJSON is a group.
type groupJSON struct {
	actorJSON
	Openness   string     `json:"openness"`
	Visibility string     `json:"visibility"`
	Address    *geo.Place `json:"address"`
}

func groupView(g *groups.Group) groupJSON {
	return groupJSON{actorJSON: *actorView(&g.Actor), Openness: string(g.Openness),
		Visibility: string(g.Visibility), Address: g.Address}
}

// memberJSON is a membership.
type memberJSON struct {
	ID        string     `json:"id"`
	GroupID   string     `json:"group_id"`
	Role      string     `json:"role"`
	Actor     *actorJSON `json:"actor"`
	CreatedAt string     `json:"created_at"`
	UpdatedAt string     `json:"updated_at"`
}

func (c *actors) member(ctx context.Context, m *groups.Member) (memberJSON, error) {
	a, err := c.get(ctx, m.ActorID)
	if err != nil {
		return memberJSON{}, err
	}
	return memberJSON{ID: m.ID, GroupID: m.GroupID, Role: string(m.Role), Actor: a,
		CreatedAt: formatTime(m.CreatedAt), UpdatedAt: formatTime(m.UpdatedAt)}, nil
}
