package ical_test

// An RFC 5545 checker written from the RFC, independent of the encoder:
// the tests run every calendar the package writes through it.

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// prop is one unfolded content line.
type prop struct {
	Name   string
	Params map[string]string
	Value  string
}

// comp is a parsed component.
type comp struct {
	Name  string
	Props []prop
	Subs  []*comp
}

func (c *comp) all(name string) []prop {
	var out []prop
	for _, p := range c.Props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

func (c *comp) get(name string) string {
	if ps := c.all(name); len(ps) > 0 {
		return ps[0].Value
	}
	return ""
}

func (c *comp) subs(name string) []*comp {
	var out []*comp
	for _, s := range c.Subs {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// checkRFC checks the lexical and structural rules and returns the
// parsed VCALENDAR.
func checkRFC(t testing.TB, data []byte) *comp {
	t.Helper()
	require.True(t, bytes.HasSuffix(data, []byte("\r\n")), "ends with CRLF")
	raw := strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n")
	var lines []string
	for i, l := range raw {
		require.NotContains(t, l, "\r", "line %d: bare CR", i+1)
		require.NotContains(t, l, "\n", "line %d: bare LF", i+1)
		require.LessOrEqual(t, len(l), 75, "line %d is %d octets: %q", i+1, len(l), l)
		require.True(t, utf8.ValidString(l), "line %d splits a UTF-8 character: %q", i+1, l)
		for _, r := range l {
			require.False(t, r < 0x20 && r != '\t' || r == 0x7f, "line %d: control character %U", i+1, r)
		}
		if strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") {
			require.NotEmpty(t, lines, "continuation first")
			lines[len(lines)-1] += l[1:]
			continue
		}
		lines = append(lines, l)
	}
	var stack []*comp
	var root *comp
	for _, l := range lines {
		p := parseLine(t, l)
		switch p.Name {
		case "BEGIN":
			c := &comp{Name: p.Value}
			if len(stack) > 0 {
				top := stack[len(stack)-1]
				top.Subs = append(top.Subs, c)
			} else {
				require.Nil(t, root, "one VCALENDAR")
				root = c
			}
			stack = append(stack, c)
		case "END":
			require.NotEmpty(t, stack, "END without BEGIN")
			require.Equal(t, stack[len(stack)-1].Name, p.Value, "END matches BEGIN")
			stack = stack[:len(stack)-1]
		default:
			require.NotEmpty(t, stack, "property outside a component: %s", p.Name)
			top := stack[len(stack)-1]
			top.Props = append(top.Props, p)
		}
	}
	require.Empty(t, stack, "components closed")
	require.NotNil(t, root)
	require.Equal(t, "VCALENDAR", root.Name)
	for _, n := range []string{"PRODID", "VERSION"} {
		require.Len(t, root.all(n), 1, "VCALENDAR has one %s", n)
	}
	require.Equal(t, "2.0", root.get("VERSION"))
	tzids := map[string]bool{}
	for _, tz := range root.subs("VTIMEZONE") {
		require.Len(t, tz.all("TZID"), 1)
		tzids[tz.get("TZID")] = true
		require.NotEmpty(t, tz.Subs, "VTIMEZONE %s has observances", tz.get("TZID"))
		for _, o := range tz.Subs {
			require.Contains(t, []string{"STANDARD", "DAYLIGHT"}, o.Name)
			for _, n := range []string{"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"} {
				require.Len(t, o.all(n), 1, "%s in %s", n, o.Name)
			}
		}
	}
	for _, ev := range root.subs("VEVENT") {
		for _, n := range []string{"UID", "DTSTAMP", "DTSTART"} {
			require.Len(t, ev.all(n), 1, "VEVENT has one %s", n)
		}
		for _, n := range []string{"SUMMARY", "DESCRIPTION", "LOCATION", "GEO", "URL", "STATUS", "CLASS", "SEQUENCE",
			"CREATED", "LAST-MODIFIED", "ORGANIZER", "DTEND", "RRULE"} {
			require.LessOrEqual(t, len(ev.all(n)), 1, "VEVENT has at most one %s", n)
		}
		require.Empty(t, ev.Subs, "no component inside a VEVENT")
		for _, p := range ev.Props {
			if tz, ok := p.Params["TZID"]; ok {
				require.True(t, tzids[tz], "VTIMEZONE for TZID %s", tz)
				require.False(t, strings.HasSuffix(p.Value, "Z"), "TZID with a UTC time: %s", p.Value)
			}
		}
		if rr := ev.get("RRULE"); strings.Contains(rr, "UNTIL=") {
			until := rr[strings.Index(rr, "UNTIL=")+6:]
			until, _, _ = strings.Cut(until, ";")
			require.True(t, strings.HasSuffix(until, "Z"), "UNTIL in UTC with a DATE-TIME DTSTART: %s", rr)
		}
	}
	return root
}

// parseLine splits NAME;PARAM=VALUE;…:value, honouring quoted values.
func parseLine(t testing.TB, l string) prop {
	t.Helper()
	p := prop{Params: map[string]string{}}
	i := strings.IndexAny(l, ";:")
	require.Positive(t, i, "line has a name: %q", l)
	p.Name = l[:i]
	for _, r := range p.Name {
		require.True(t, r == '-' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9', "name %q", p.Name)
	}
	for l[i] == ';' {
		j := strings.IndexByte(l[i:], '=')
		require.Positive(t, j, "parameter without '=': %q", l)
		name := l[i+1 : i+j]
		i += j + 1
		var v string
		if i < len(l) && l[i] == '"' {
			k := strings.IndexByte(l[i+1:], '"')
			require.GreaterOrEqual(t, k, 0, "unterminated quote: %q", l)
			v = l[i+1 : i+1+k]
			i += k + 2
		} else {
			k := strings.IndexAny(l[i:], ";:")
			require.GreaterOrEqual(t, k, 0, "parameter value: %q", l)
			v = l[i : i+k]
			require.NotContains(t, v, `"`)
			i += k
		}
		p.Params[name] = v
		require.Less(t, i, len(l), "no value: %q", l)
	}
	require.Equal(t, byte(':'), l[i], "value after ':': %q", l)
	p.Value = l[i+1:]
	return p
}

// unescapeText reads a TEXT value, failing on escapes RFC 5545 does not
// define and on unescaped ';' (a TEXT value has no structure).
func unescapeText(t testing.TB, v string) string {
	t.Helper()
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ';' {
			t.Fatalf("unescaped ';' in TEXT %q", v)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		require.Less(t, i+1, len(v), "dangling backslash in %q", v)
		i++
		switch v[i] {
		case 'n', 'N':
			b.WriteByte('\n')
		case '\\', ';', ',':
			b.WriteByte(v[i])
		default:
			t.Fatalf("bad escape \\%c in %q", v[i], v)
		}
	}
	return b.String()
}

// observance is a parsed STANDARD/DAYLIGHT.
type observance struct {
	start    string // local DTSTART, 20060102T150405
	from, to int
}

// resolveLocal turns a local time of a VTIMEZONE into an instant, the way
// a client does: the last observance whose onset is not after it.
func resolveLocal(t testing.TB, tz *comp, local string) time.Time {
	t.Helper()
	var obs []observance
	for _, o := range tz.Subs {
		obs = append(obs, observance{start: o.get("DTSTART"), from: parseOffset(t, o.get("TZOFFSETFROM")), to: parseOffset(t, o.get("TZOFFSETTO"))})
	}
	lt, err := time.Parse("20060102T150405", local)
	require.NoError(t, err)
	best := -1
	for i, o := range obs {
		st, err := time.Parse("20060102T150405", o.start)
		require.NoError(t, err)
		// Onset as an instant: local DTSTART in the offset before it.
		onset := st.Add(-time.Duration(o.from) * time.Second)
		if !onset.After(lt.Add(-time.Duration(o.to) * time.Second)) {
			if best < 0 || o.start > obs[best].start {
				best = i
			}
		}
	}
	require.GreaterOrEqual(t, best, 0, "no observance covers %s in %s", local, tz.get("TZID"))
	return lt.Add(-time.Duration(obs[best].to) * time.Second)
}

func parseOffset(t testing.TB, s string) int {
	t.Helper()
	require.Contains(t, []int{5, 7}, len(s), "offset %q", s)
	sign := 1
	if s[0] == '-' {
		sign = -1
	} else {
		require.Equal(t, byte('+'), s[0])
	}
	n := 0
	for i := 1; i < len(s); i += 2 {
		v, err := strconv.Atoi(s[i : i+2])
		require.NoError(t, err)
		n = n*60 + v
	}
	if len(s) == 5 {
		n *= 60
	}
	return sign * n
}

func vtimezone(t testing.TB, cal *comp, tzid string) *comp {
	t.Helper()
	for _, tz := range cal.subs("VTIMEZONE") {
		if tz.get("TZID") == tzid {
			return tz
		}
	}
	t.Fatalf("no VTIMEZONE %s", tzid)
	return nil
}
