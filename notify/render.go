package notify

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/geo"
)

// Kind names a message: it is mail.Message.Kind and the name of the
// message's template.
type Kind string

// The messages this package writes.
const (
	AccountConfirm        Kind = "account.confirm"
	PasswordReset         Kind = "account.password_reset"
	ParticipationConfirm  Kind = "participation.confirm" // anonymous participation
	ParticipationApproved Kind = "participation.approved"
	ParticipationRejected Kind = "participation.rejected"
	EventUpdated          Kind = "event.updated"
	EventCancelled        Kind = "event.cancelled"
	EventReminder         Kind = "event.reminder"
	GroupInvitation       Kind = "group.invitation"
	// GroupDiscussion is a new message in a group's discussion (a new
	// discussion's first message, or a reply), to the members who asked
	// for it (groups.Service.SetDiscussionMail).
	GroupDiscussion Kind = "group.discussion"
	// ConversationMessage is a private message about an event, to its
	// local recipients (ConversationChanged).
	ConversationMessage Kind = "conversation.message"
)

// Kinds returns every message kind.
func Kinds() []Kind {
	return []Kind{AccountConfirm, PasswordReset, ParticipationConfirm, ParticipationApproved,
		ParticipationRejected, EventUpdated, EventCancelled, EventReminder, GroupInvitation, GroupDiscussion,
		ConversationMessage}
}

// Locales returns the locales messages are written in. Others fall back
// to their language ("fr-CA" to "fr"), then to Config.DefaultLocale.
func Locales() []string { return []string{"en", "fr"} }

// MaxSubjectRunes bounds a subject: longer ones (a long event title)
// are cut with an ellipsis.
const MaxSubjectRunes = 150

//go:embed templates/*/*.txt
var templateFS embed.FS

// templates holds one template set per locale and kind.
type templates map[string]map[Kind]*template.Template

func parseTemplates() (templates, error) {
	out := templates{}
	for _, loc := range Locales() {
		out[loc] = map[Kind]*template.Template{}
		for _, k := range Kinds() {
			t, err := template.New(string(k)).Option("missingkey=error").
				ParseFS(templateFS, "templates/"+loc+"/_common.txt", "templates/"+loc+"/"+string(k)+".txt")
			if err != nil {
				return nil, fmt.Errorf("notify: template %s/%s: %w", loc, k, err)
			}
			for _, part := range []string{"subject", "body"} {
				if t.Lookup(part) == nil {
					return nil, fmt.Errorf("notify: template %s/%s defines no %q", loc, k, part)
				}
			}
			out[loc][k] = t
		}
	}
	return out, nil
}

// data is what templates see.
type data struct {
	Instance   string // instance name
	BaseURL    string
	Name       string // the recipient's name; "" when unknown
	Link       string // the message's action
	CancelLink string // anonymous participation: cancellation
	Event      eventView
	Waitlisted bool // approved onto the waiting list
	Group      string
	GroupURL   string // a group discussion: the list of its discussions
	// Unsubscribe is a group discussion's one-click link that stops its
	// mail (Config.DiscussionUnsubscribe); "" shows GroupURL instead.
	// send makes it the message's List-Unsubscribe header.
	Unsubscribe string
	Inviter     string
	// A group discussion's message: the discussion's title, the
	// author's name, the message as plain text, and whether it is a
	// reply (not the discussion's first message).
	Discussion string
	Author     string
	Message    string
	Reply      bool
	// A private message: whether it is an announcement to every
	// participant.
	Announcement bool
}

// eventView is an event as a message shows it, in the recipient's
// locale and time zone.
type eventView struct {
	Title, When, Where, Online, URL string
}

// rendered is a rendered message.
type rendered struct {
	Subject, Text string
}

// render renders kind in locale (already resolved).
func (t templates) render(locale string, k Kind, d data) (rendered, error) {
	tpl := t[locale][k]
	if tpl == nil {
		return rendered{}, fmt.Errorf("notify: no template %s/%s", locale, k)
	}
	var s, b bytes.Buffer
	if err := tpl.ExecuteTemplate(&s, "subject", d); err != nil {
		return rendered{}, fmt.Errorf("notify: render %s/%s: %w", locale, k, err)
	}
	if err := tpl.ExecuteTemplate(&b, "body", d); err != nil {
		return rendered{}, fmt.Errorf("notify: render %s/%s: %w", locale, k, err)
	}
	return rendered{Subject: oneLine(s.String(), MaxSubjectRunes), Text: b.String()}, nil
}

// oneLine makes s a header-safe line: every run of spaces and control
// characters becomes one space, and it is cut at max runes.
func oneLine(s string, max int) string {
	var b strings.Builder
	space := false
	n := 0
	for _, r := range strings.TrimSpace(s) {
		if unicode.IsSpace(r) || unicode.IsControl(r) || r == utf8.RuneError {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		if n >= max-1 {
			b.WriteString("…")
			return b.String()
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// resolveLocale returns the supported locale for a requested one: the
// locale itself, its language, or def.
func resolveLocale(want, def string) string {
	want = strings.ToLower(strings.TrimSpace(want))
	if i := strings.IndexAny(want, "-_"); i >= 0 {
		want = want[:i]
	}
	for _, l := range Locales() {
		if l == want {
			return l
		}
	}
	return def
}

// loadZone resolves an IANA zone; "" or an unknown name is ok=false.
func loadZone(name string) (*time.Location, bool) {
	if name == "" || strings.EqualFold(name, "Local") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// zoneFor is the zone a recipient sees times in: theirs, else the
// event's, else UTC.
func zoneFor(recipientTZ, eventTZ string) *time.Location {
	if loc, ok := loadZone(recipientTZ); ok {
		return loc
	}
	if loc, ok := loadZone(eventTZ); ok {
		return loc
	}
	return time.UTC
}

// viewOf shows an occurrence of e (start, end) for a recipient.
func viewOf(e *events.Event, start, end time.Time, locale, tz string) eventView {
	loc := zoneFor(tz, e.TimeZone)
	v := eventView{
		Title:  oneLine(e.Title, 200),
		When:   formatWhen(locale, start.In(loc), end.In(loc)),
		Where:  placeText(e.Place),
		Online: oneLine(e.OnlineAddress, 500),
		URL:    e.URL,
	}
	return v
}

func placeText(p *geo.Place) string {
	if p == nil {
		return ""
	}
	var parts []string
	for _, s := range []string{p.Name, p.Street, strings.TrimSpace(p.PostalCode + " " + p.Locality), p.Region, p.Country} {
		if s = oneLine(s, 200); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// formatWhen writes an occurrence's time in a locale, such as
// "Saturday 14 March 2026, 14:00–18:00 (Europe/Paris)". end may be
// zero or equal to start.
func formatWhen(locale string, start, end time.Time) string {
	s := formatDay(locale, start) + ", " + start.Format("15:04")
	switch {
	case end.IsZero() || !end.After(start):
	case sameDay(start, end):
		s += "–" + end.Format("15:04")
	default:
		s += " – " + formatDay(locale, end) + ", " + end.Format("15:04")
	}
	zone := start.Location().String()
	if zone == "" || zone == "Local" {
		zone = "UTC"
	}
	return s + " (" + zone + ")"
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// formatDay writes a date with its weekday in a locale.
func formatDay(locale string, t time.Time) string {
	y, m, d := t.Date()
	switch locale {
	case "fr":
		days := [7]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
		months := [12]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet",
			"août", "septembre", "octobre", "novembre", "décembre"}
		day := strconv.Itoa(d)
		if d == 1 {
			day = "1er"
		}
		return days[t.Weekday()] + " " + day + " " + months[m-1] + " " + strconv.Itoa(y)
	default:
		return t.Weekday().String() + " " + strconv.Itoa(d) + " " + m.String() + " " + strconv.Itoa(y)
	}
}
