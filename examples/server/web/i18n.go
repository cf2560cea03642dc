package web

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultLang is the language of the UI when nothing else matches, and
// the catalog every other falls back to, key by key.
const DefaultLang = "en"

// languages lists the catalogs, DefaultLang first.
func languages() []string {
	out := []string{DefaultLang}
	for l := range catalogs {
		if l != DefaultLang {
			out = append(out, l)
		}
	}
	slices.Sort(out[1:])
	return out
}

// translate looks key up in lang's catalog, then in DefaultLang's, and
// formats args into it (fmt verbs). A missing key shows as itself.
func translate(lang, key string, args ...any) string {
	s, ok := catalogs[lang][key]
	if !ok {
		if s, ok = catalogs[DefaultLang][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// hasKey reports whether the default catalog has key.
func hasKey(key string) bool {
	_, ok := catalogs[DefaultLang][key]
	return ok
}

// supported returns the catalog language of a BCP 47 tag ("fr-CA" →
// "fr"), or "".
func supported(tag string) string {
	base, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	base, _, _ = strings.Cut(base, "_")
	if _, ok := catalogs[base]; ok {
		return base
	}
	return ""
}

// negotiate picks the language of a request: the visitor's choice
// (LangCookie), then the account's locale, then Accept-Language, then
// DefaultLang.
func negotiate(r *http.Request, accountLocale string) string {
	if c, err := r.Cookie(LangCookie); err == nil {
		if l := supported(c.Value); l != "" {
			return l
		}
	}
	if l := supported(accountLocale); l != "" {
		return l
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				continue
			}
			q = f
		}
		if l := supported(tag); l != "" && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best != "" {
		return best
	}
	return DefaultLang
}

// formatDay writes a date with the catalog's day and month names.
func formatDay(lang string, t time.Time) string {
	return translate(lang, "date.day", translate(lang, "weekday."+strconv.Itoa(int(t.Weekday()))),
		t.Day(), translate(lang, "month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// formatSpan writes start (and end, when set) in loc: the end's date is
// left out when it is the same day.
func formatSpan(lang string, start, end time.Time, loc *time.Location) string {
	s := formatDay(lang, start) + " " + translate(lang, "date.at") + " " + start.Format("15:04")
	if !end.IsZero() {
		end = end.In(loc)
		if y, m, d := end.Date(); y == start.Year() && m == start.Month() && d == start.Day() {
			s += " – " + end.Format("15:04")
		} else {
			s += " – " + formatDay(lang, end) + " " + translate(lang, "date.at") + " " + end.Format("15:04")
		}
	}
	return s + " (" + loc.String() + ")"
}
