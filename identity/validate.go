package identity

import (
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Input limits. Lengths in characters count Unicode code points.
const (
	// MaxEmailLength is the most bytes of an email address (RFC 5321
	// path limit minus the angle brackets).
	MaxEmailLength = 254
	// MaxUsernameLength is the most characters of a local username.
	MaxUsernameLength = 30
	// MaxRemoteUsernameLength is the most bytes of a remote actor's
	// preferredUsername.
	MaxRemoteUsernameLength = 255
	// MaxDisplayNameLength is the most characters of a display name.
	MaxDisplayNameLength = 100
	// MaxSummaryLength is the most characters of a profile summary (the
	// HTML as given, before sanitizing).
	MaxSummaryLength = 5000
	// MaxURLLength is the most bytes of a URL (avatar, banner, actor
	// endpoints).
	MaxURLLength = 2048
	// MaxLocaleLength is the most bytes of a BCP 47 locale tag.
	MaxLocaleLength = 35
	// MaxTimeZoneLength is the most bytes of an IANA time zone name.
	MaxTimeZoneLength = 64
)

// NormalizeEmail checks an email address and returns its canonical form,
// the one accounts are stored and looked up by. It trims surrounding
// white space, requires a single bare address (name@example.org: no
// display name, no angle brackets, no comments, no quoted local part),
// checked with net/mail, of at most MaxEmailLength bytes, and lower-cases
// it entirely.
//
// Lower-casing the local part is a deliberate choice: RFC 5321 lets a
// mail server treat "Alice" and "alice" as different mailboxes, but no
// common provider does, and keeping them apart would let one person hold
// two accounts, or someone register a look-alike of another's address.
// The domain is not converted to or from punycode; "bücher.example" and
// "xn--bcher-kva.example" are different addresses here.
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return "", invalid("email", "is required")
	case len(s) > MaxEmailLength:
		return "", invalid("email", "must be at most %d bytes", MaxEmailLength)
	case !utf8.ValidString(s):
		return "", invalid("email", "must be valid UTF-8")
	}
	addr, err := mail.ParseAddress(s)
	if err != nil {
		return "", invalid("email", "is not a valid email address")
	}
	if addr.Name != "" || addr.Address != s {
		return "", invalid("email", "must be a plain address like name@example.org")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 {
		return "", invalid("email", "is not a valid email address")
	}
	out := strings.ToLower(s[:at]) + "@" + strings.ToLower(s[at+1:])
	if len(out) > MaxEmailLength {
		return "", invalid("email", "must be at most %d bytes", MaxEmailLength)
	}
	if out != s {
		// Lower-casing must not change what the address means.
		if a2, err := mail.ParseAddress(out); err != nil || a2.Address != out {
			return "", invalid("email", "is not a valid email address")
		}
	}
	return out, nil
}

// isReservedUsername reports the names no local actor may take: paths of
// the URL scheme and the names of instance-level actors, which people
// would otherwise take for the instance itself.
//
// The list: actor, api, events, feed, inbox, instance, nodeinfo, outbox,
// relay, webfinger, well_known. The instance actor's username (the
// instance's host) is reserved as well.
func isReservedUsername(name string) bool {
	switch name {
	case "actor", "api", "events", "feed", "inbox", "instance", "nodeinfo",
		"outbox", "relay", "webfinger", "well_known":
		return true
	}
	return false
}

// checkUsername applies the local username rules: 1..MaxUsernameLength
// characters among a-z, 0-9 and _, and not reserved.
func (s *Service) checkUsername(u string) error {
	if u == "" {
		return invalid("username", "is required")
	}
	if len(u) > MaxUsernameLength {
		return invalid("username", "must be at most %d characters", MaxUsernameLength)
	}
	for i := 0; i < len(u); i++ {
		c := u[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return invalid("username", "may contain only lower-case letters a-z, digits and _")
		}
	}
	if isReservedUsername(u) || u == s.host {
		return invalid("username", "%q is reserved", u)
	}
	return nil
}

// hasControl reports whether s holds a control character (new lines and
// tabs included).
func hasControl(s string) bool {
	return strings.ContainsFunc(s, unicode.IsControl)
}

// cleanDisplayName checks a display name and returns it as plain text.
func (s *Service) cleanDisplayName(field, v string) (string, error) {
	switch {
	case !utf8.ValidString(v):
		return "", invalid(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > MaxDisplayNameLength:
		return "", invalid(field, "must be at most %d characters", MaxDisplayNameLength)
	case hasControl(v):
		return "", invalid(field, "must be one line of text without control characters")
	}
	return s.san.Text(v), nil
}

// cleanSummary checks a summary and returns it as sanitized HTML.
func (s *Service) cleanSummary(field, v string) (string, error) {
	switch {
	case !utf8.ValidString(v):
		return "", invalid(field, "must be valid UTF-8")
	case utf8.RuneCountInString(v) > MaxSummaryLength:
		return "", invalid(field, "must be at most %d characters", MaxSummaryLength)
	case strings.ContainsRune(v, 0):
		return "", invalid(field, "must not contain NUL characters")
	}
	return s.san.HTML(v), nil
}

// checkURL checks an absolute http or https URL. Empty is accepted when
// not required.
func checkURL(field, v string, required bool) error {
	if v == "" {
		if required {
			return invalid(field, "is required")
		}
		return nil
	}
	if len(v) > MaxURLLength {
		return invalid(field, "must be at most %d bytes", MaxURLLength)
	}
	if !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return invalid(field, "must not contain spaces or control characters")
	}
	u, err := url.Parse(v)
	if err != nil {
		return invalid(field, "is not a valid URL")
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return invalid(field, "must be an absolute http or https URL")
	}
	if u.User != nil {
		return invalid(field, "must not contain a user name or password")
	}
	return nil
}

// checkLocale accepts "" (not set) or a well-formed BCP 47 tag: a 2- or
// 3-letter language, then subtags of 1 to 8 letters and digits, joined
// by "-" (for example "fr", "pt-BR", "zh-Hant-TW").
func checkLocale(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > MaxLocaleLength {
		return invalid("locale", "must be at most %d bytes", MaxLocaleLength)
	}
	for i, sub := range strings.Split(v, "-") {
		n := len(sub)
		if i == 0 && (n < 2 || n > 3) || n < 1 || n > 8 {
			return invalid("locale", "is not a BCP 47 language tag like \"fr\" or \"pt-BR\"")
		}
		for j := 0; j < n; j++ {
			c := sub[j] | 0x20 // ASCII lower case
			letter := c >= 'a' && c <= 'z'
			if !letter && !(i > 0 && sub[j] >= '0' && sub[j] <= '9') {
				return invalid("locale", "is not a BCP 47 language tag like \"fr\" or \"pt-BR\"")
			}
		}
	}
	return nil
}

// checkTimeZone accepts "" (not set) or an IANA time zone name known to
// the time package (the tzdata is embedded, so every system knows them).
func checkTimeZone(v string) error {
	if v == "" {
		return nil
	}
	if len(v) > MaxTimeZoneLength {
		return invalid("time_zone", "must be at most %d bytes", MaxTimeZoneLength)
	}
	if v == "Local" {
		return invalid("time_zone", "must be an IANA time zone name like \"Europe/Paris\"")
	}
	if _, err := time.LoadLocation(v); err != nil {
		return invalid("time_zone", "unknown time zone %q", v)
	}
	return nil
}
