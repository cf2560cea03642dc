package wire

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"codeberg.org/convene/convene/internal/htmlsafe"
)

// reader extracts values from a parsed document tolerantly (a value of the
// wrong JSON type reads as absent) but strictly on limits (a value over a
// limit fails the whole document). The first failure is kept in err.
type reader struct {
	san  *htmlsafe.Sanitizer
	zone func(name string) *time.Location
	err  error
}

func (r *reader) fail(e *Error) {
	if r.err == nil {
		r.err = e
	}
}

func path(prefix, key string) string {
	if prefix == "" {
		return key
	}
	return prefix + "." + key
}

// raw returns the bytes of a string value, nil when absent or not a string.
func rawString(v *fastjson.Value, key string) ([]byte, bool) {
	x := v.Get(key)
	if x == nil || x.Type() != fastjson.TypeString {
		return nil, false
	}
	b, _ := x.StringBytes()
	return b, true
}

// str reads a plain string property of at most max bytes.
func (r *reader) str(v *fastjson.Value, prefix, key string, max int) string {
	b, ok := rawString(v, key)
	if !ok {
		return ""
	}
	if len(b) > max {
		r.fail(errf(ErrTooLong, path(prefix, key), "%d bytes, the limit is %d", len(b), max))
		return ""
	}
	return string(b)
}

// text reads a plain-text natural-language property (name, summary...):
// key, else keyMap (the value for lang, else "und", else the first
// language in sorted order), with any markup removed.
func (r *reader) text(v *fastjson.Value, prefix, key, lang string, max int) string {
	s := r.langValue(v, prefix, key, lang, max)
	if s == "" {
		return ""
	}
	if strings.ContainsAny(s, "<&") {
		return r.san.Text(s)
	}
	return strings.TrimSpace(s)
}

// html reads an HTML natural-language property (content), sanitized.
func (r *reader) html(v *fastjson.Value, prefix, key, lang string, max int) string {
	s := r.langValue(v, prefix, key, lang, max)
	if s == "" {
		return ""
	}
	return r.san.HTML(s)
}

func (r *reader) langValue(v *fastjson.Value, prefix, key, lang string, max int) string {
	if s := r.str(v, prefix, key, max); s != "" {
		return s
	}
	m := v.Get(key + "Map")
	if m == nil || m.Type() != fastjson.TypeObject {
		return ""
	}
	o, _ := m.Object()
	var best, bestKey string
	rank := 4
	o.Visit(func(k []byte, x *fastjson.Value) {
		b, err := x.StringBytes()
		if err != nil || len(b) == 0 {
			return
		}
		ks := string(k)
		kr := 3
		switch {
		case lang != "" && strings.EqualFold(ks, lang):
			kr = 0
		case ks == "und":
			kr = 1
		}
		if kr < rank || (kr == rank && ks < bestKey) {
			if len(b) > max {
				r.fail(errf(ErrTooLong, path(prefix, key+"Map."+ks), "%d bytes, the limit is %d", len(b), max))
				return
			}
			rank, best, bestKey = kr, string(b), ks
		}
	})
	return best
}

// iriOf reads one IRI from a value: a string, or an object's id (or href
// for a Link). Relative references and non-http(s) schemes read as "".
func (r *reader) iriOf(x *fastjson.Value, field string) string {
	if x == nil {
		return ""
	}
	var b []byte
	switch x.Type() {
	case fastjson.TypeString:
		b, _ = x.StringBytes()
	case fastjson.TypeObject:
		if b, _ = rawString(x, "id"); len(b) == 0 {
			b, _ = rawString(x, "href")
		}
	default:
		return ""
	}
	if len(b) == 0 {
		return ""
	}
	if len(b) > MaxIRILength {
		r.fail(errf(ErrTooLong, field, "IRI of %d bytes, the limit is %d", len(b), MaxIRILength))
		return ""
	}
	return normalizeIRI(string(b))
}

// normalizeIRI maps the compact forms of the public collection to
// PublicIRI and returns "" for anything that is not an absolute http(s)
// IRI.
func normalizeIRI(s string) string {
	switch s {
	case "as:Public", "Public", PublicIRI:
		return PublicIRI
	}
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return ""
	}
	return s
}

// iri reads an IRI property that may be a string, an object or an array
// (the first usable element).
func (r *reader) iri(v *fastjson.Value, prefix, key string) string {
	x := v.Get(key)
	if x == nil {
		return ""
	}
	if x.Type() == fastjson.TypeArray {
		for _, el := range x.GetArray() {
			if s := r.iriOf(el, path(prefix, key)); s != "" {
				return s
			}
		}
		return ""
	}
	return r.iriOf(x, path(prefix, key))
}

// iris reads an IRI list property: a string, an object or an array of
// them, deduplicated, at most max entries.
func (r *reader) iris(v *fastjson.Value, prefix, key string, max int) []string {
	x := v.Get(key)
	if x == nil {
		return nil
	}
	if x.Type() != fastjson.TypeArray {
		if s := r.iriOf(x, path(prefix, key)); s != "" {
			return []string{s}
		}
		return nil
	}
	arr := x.GetArray()
	if len(arr) > max {
		r.fail(errf(ErrTooMany, path(prefix, key), "%d entries, the limit is %d", len(arr), max))
		return nil
	}
	out := make([]string, 0, len(arr))
	for _, el := range arr {
		if s := r.iriOf(el, path(prefix, key)); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// timeIn reads a date-time: RFC 3339 with any offset and fraction; a
// value without offset ("2026-03-14T17:00:00" or with a space) is read in
// loc (UTC when nil). Unparseable values read as absent.
func (r *reader) timeIn(v *fastjson.Value, key string, loc *time.Location) time.Time {
	b, ok := rawString(v, key)
	if !ok || len(b) == 0 || len(b) > 64 {
		return time.Time{}
	}
	return parseTime(string(b), loc)
}

func parseTime(s string, loc *time.Location) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t
	}
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t
		}
	}
	return time.Time{}
}

// intPtr reads an integer property; absent, null, fractional or negative
// values read as nil.
func intPtr(v *fastjson.Value, key string) *int {
	x := v.Get(key)
	if x == nil || x.Type() != fastjson.TypeNumber {
		return nil
	}
	f, err := x.Float64()
	if err != nil || f < 0 || f > 1e12 || f != float64(int64(f)) {
		return nil
	}
	n := int(f)
	return &n
}

// boolPtr reads a boolean, also from the strings "true" and "false" that
// go-ap and some PHP servers write.
func boolPtr(v *fastjson.Value, key string) *bool {
	x := v.Get(key)
	if x == nil {
		return nil
	}
	var b bool
	switch x.Type() {
	case fastjson.TypeTrue:
		b = true
	case fastjson.TypeFalse:
	case fastjson.TypeString:
		s, _ := x.StringBytes()
		switch string(s) {
		case "true":
			b = true
		case "false":
		default:
			return nil
		}
	default:
		return nil
	}
	return &b
}

func floatPtr(v *fastjson.Value, key string) *float64 {
	x := v.Get(key)
	if x == nil {
		return nil
	}
	var f float64
	var err error
	switch x.Type() {
	case fastjson.TypeNumber:
		f, err = x.Float64()
	case fastjson.TypeString: // some servers quote coordinates
		s, _ := x.StringBytes()
		var n json.Number = json.Number(s)
		f, err = n.Float64()
	default:
		return nil
	}
	if err != nil {
		return nil
	}
	return &f
}

// typeOf reads "type": a string, or the first of an array of strings
// ("type":["Event","sc:Event"], which go-ap reads as no type).
func typeOf(v *fastjson.Value) string {
	x := v.Get("type")
	if x == nil {
		return ""
	}
	switch x.Type() {
	case fastjson.TypeString:
		b, _ := x.StringBytes()
		if len(b) > 100 {
			return ""
		}
		return strings.TrimPrefix(string(b), "as:")
	case fastjson.TypeArray:
		first := ""
		for _, el := range x.GetArray() {
			if b, err := el.StringBytes(); err == nil && len(b) > 0 && len(b) <= 100 {
				t := strings.TrimPrefix(string(b), "as:")
				if t == "Event" || isActorType(t) || isActivityType(t) {
					return t
				}
				if first == "" {
					first = t
				}
			}
		}
		return first
	}
	return ""
}

// extra keeps the top-level properties of an object that are not in
// known, for relaying, at most MaxExtra of them.
func extra(v *fastjson.Value, known func(string) bool) map[string]json.RawMessage {
	o, err := v.Object()
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	o.Visit(func(k []byte, x *fastjson.Value) {
		if known(string(k)) || len(m) >= MaxExtra {
			return
		}
		if m == nil {
			m = make(map[string]json.RawMessage)
		}
		m[string(k)] = json.RawMessage(x.MarshalTo(nil))
	})
	return m
}

// extra re-emits unknown properties, sorted by key, skipping the keys the
// writer owns (written) and values that are not valid JSON.
func (e *enc) extra(m map[string]json.RawMessage, written func(string) bool) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if !written(k) && k != "@context" && json.Valid(m[k]) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		e.sep()
		e.b = appendString(e.b, k)
		e.b = append(e.b, ':')
		e.b = append(e.b, m[k]...)
		e.comma = true
	}
}
