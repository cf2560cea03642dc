package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"reflect"
	"strings"
	"time"

	"codeberg.org/convene/convene/identity"
)

// templateSet is one page's template: the layout with the page's
// "content" block.
type templateSet = template.Template

// parseTemplates parses every page under templates/ with the layout.
func parseTemplates() (map[string]*templateSet, error) {
	funcs := template.FuncMap{
		// html marks HTML the domain already sanitized (descriptions,
		// summaries, comments).
		"html": func(s string) template.HTML { return template.HTML(s) }, //nolint:gosec // sanitized by the domain
		"join": strings.Join,
		"list": func(s ...string) []string { return s },
	}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*templateSet{}
	for _, n := range names {
		base := strings.TrimSuffix(path.Base(n), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", n, err)
		}
		out[base] = t
	}
	return out, nil
}

// page is what every template gets: the layout's data, with the page's
// own in Data.
type page struct {
	w        *Web
	v        *visit
	Title    string // catalog key, or plain text when TitleText is set
	Name     string // the instance's name
	Lang     string
	Langs    []string
	CSRF     string
	Path     string
	Flash    string // catalog key of a message after a redirect
	Profile  *identity.Profile
	Profiles []identity.Profile
	Follows  bool // the follow form is offered
	Admin    bool // the account is an instance administrator
	Data     any
}

// Description is the instance's description, as its administrator set it.
func (p *page) Description() string { return p.w.settings(context.Background()).Description }

// T translates a catalog key, formatting args into it.
func (p *page) T(key string, args ...any) string { return translate(p.Lang, key, args...) }

// SignedIn reports whether the visitor is signed in.
func (p *page) SignedIn() bool { return p.Profile != nil }

// UnreadMessages is the acting profile's number of unread conversations
// as a participant (the "Messages" link's figure): one store query, run
// only when the layout shows it; 0 when signed out or on error (logged).
// Conversations of the events one organizes are counted on their pages,
// not here.
func (p *page) UnreadMessages() int {
	if p.Profile == nil {
		return 0
	}
	n, err := p.w.inst.Conversations.UnreadCount(context.Background(), p.Profile.ID)
	if err != nil {
		p.w.log.Error("web: unread conversations", "err", err)
		return 0
	}
	return n
}

// HeadTitle is the document's title.
func (p *page) HeadTitle() string {
	t := p.T(p.Title)
	if lit, ok := strings.CutPrefix(p.Title, "="); ok {
		t = lit // a title from data (an event's, a profile's)
	}
	if t == "" {
		return p.Name
	}
	return t + " · " + p.Name
}

// zone is the visitor's time zone: the account's, else the instance's.
func (p *page) zone() *time.Location {
	if p.v != nil && p.v.account != nil && p.v.account.TimeZone != "" {
		if loc, err := time.LoadLocation(p.v.account.TimeZone); err == nil {
			return loc
		}
	}
	return p.w.zone
}

// Day is a date in the visitor's zone: "Tuesday 3 March 2026".
func (p *page) Day(t time.Time) string { return formatDay(p.Lang, t.In(p.zone())) }

// When is an event's time span in its own zone, with the zone's name.
func (p *page) When(start, end time.Time, zone string) string {
	loc, err := time.LoadLocation(zone)
	if zone == "" || err != nil {
		loc = time.UTC
	}
	return formatSpan(p.Lang, start.In(loc), end, loc)
}

// Clock is the time of day of t in the visitor's zone.
func (p *page) Clock(t time.Time) string { return t.In(p.zone()).Format("15:04") }

// itemCtx passes the page along with one item to a shared template.
type itemCtx struct {
	P *page
	X any
}

// With pairs the page with x for the shared templates ("eventitem",
// "eventlist").
func (p *page) With(x any) itemCtx { return itemCtx{P: p, X: x} }

// Invalid marks the form field in error for assistive technology.
func (p *page) Invalid(field string) template.HTMLAttr {
	v := reflect.ValueOf(p.Data)
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return ""
	}
	if f := v.FieldByName("Field"); f.IsValid() && f.Kind() == reflect.String && f.String() == field {
		return ` aria-invalid="true" aria-errormessage="form-error"`
	}
	return ""
}

// render writes a page with its status.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, v *visit, status int, name, title string, data any) {
	t, ok := w.tmpl[name]
	if !ok {
		w.log.Error("web: no template " + name)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	p := &page{w: w, v: v, Title: title, Name: w.siteName(r.Context()), Lang: v.lang, Langs: languages(), CSRF: v.csrf,
		Path: r.URL.Path, Profile: v.profile, Profiles: v.profiles, Follows: w.follows != nil, Admin: v.isAdmin(), Data: data}
	if f := r.URL.Query().Get("msg"); f != "" && hasKey("flash."+f) {
		p.Flash = "flash." + f
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, p); err != nil {
		w.log.Error("web: render "+name, "err", err)
		http.Error(rw, "internal error", http.StatusInternalServerError)
		return
	}
	h := rw.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", v.lang)
	h.Add("Vary", "Cookie, Accept-Language")
	rw.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(buf.Bytes())
	}
}

// redirect sends the browser on after a POST, with a flash message key.
func redirect(rw http.ResponseWriter, r *http.Request, to, msg string) {
	if msg != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "msg=" + msg
	}
	http.Redirect(rw, r, to, http.StatusSeeOther)
}
