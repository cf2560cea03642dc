package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a message.
const (
	// MaxMessageBytes bounds a composed message (headers, bodies and
	// base64-encoded attachments). Larger messages are refused.
	MaxMessageBytes = 10 << 20
	// MaxSubjectBytes bounds Message.Subject, before encoding.
	MaxSubjectBytes = 500
	// MaxAttachments bounds the attachments of one message.
	MaxAttachments = 10
	// MaxListUnsubscribeBytes bounds Message.ListUnsubscribe: its header
	// line is never folded and must stay within RFC 5322's 998 octets.
	MaxListUnsubscribeBytes = 900
)

// ErrInvalid is matched by every error about a message or an address
// that cannot be sent as it is: a missing or malformed address, a line
// break in a header value (header injection), a message too large.
var ErrInvalid = errors.New("mail: invalid message")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}

// KindHeader is the header that carries Message.Kind, for the mail log.
const KindHeader = "X-Convene-Kind"

// The headers of one-click unsubscription (RFC 2369, RFC 8058), written
// when Message.ListUnsubscribe is set.
const (
	ListUnsubscribeHeader     = "List-Unsubscribe"
	ListUnsubscribePostHeader = "List-Unsubscribe-Post"
	// ListUnsubscribeOneClick is the value of ListUnsubscribePostHeader,
	// and the body a mail client POSTs to the URL.
	ListUnsubscribeOneClick = "List-Unsubscribe=One-Click"
)

// checkListUnsubscribe refuses a ListUnsubscribe URL that is not an
// absolute http(s) URL fit for "<URL>" in a header: a line break would
// inject headers, a ">" would end the URL early.
func checkListUnsubscribe(v string) error {
	const field = "ListUnsubscribe"
	if len(v) > MaxListUnsubscribeBytes {
		return invalid("%s is longer than %d bytes", field, MaxListUnsubscribeBytes)
	}
	if err := headerValue(field, v); err != nil {
		return err
	}
	for i := 0; i < len(v); i++ {
		if c := v[i]; c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' {
			return invalid("%s %q has a character not allowed in a header URL (%q)", field, v, c)
		}
	}
	u, err := url.Parse(v)
	if err != nil {
		return invalid("%s %q is not a URL: %v", field, v, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" || u.Opaque != "" {
		return invalid("%s %q is not an absolute http or https URL", field, v)
	}
	return nil
}

// parseAddress parses one address, name optional, refusing line breaks.
func parseAddress(field, s string) (*mail.Address, error) {
	if err := headerValue(field, s); err != nil {
		return nil, err
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return nil, invalid("%s %q is not an email address: %v", field, s, err)
	}
	if len(a.Address) > 254 {
		return nil, invalid("%s is longer than 254 bytes", field)
	}
	return a, nil
}

// headerValue refuses what would break out of a header: CR, LF and
// other control characters, and invalid UTF-8.
func headerValue(field, v string) error {
	if !utf8.ValidString(v) {
		return invalid("%s is not valid UTF-8", field)
	}
	for _, r := range v {
		if r == '\r' || r == '\n' {
			return invalid("%s contains a line break", field)
		}
		if r < 0x20 && r != '\t' || r == 0x7f {
			return invalid("%s contains a control character", field)
		}
	}
	return nil
}

// newToken returns 128 random bits in hex: the unique part of a
// Message-ID and of the MIME boundaries.
func newToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("mail: random: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// envelope is what compose returns besides the bytes: the addresses for
// SMTP's MAIL FROM and RCPT TO.
type envelope struct {
	from, to string
}

// compose writes m as an RFC 5322 message with CRLF line ends: a
// text/plain part, multipart/alternative when there is HTML, inside
// multipart/mixed when there are attachments. Bodies are
// quoted-printable, attachments base64, the subject RFC 2047 encoded
// when it is not plain ASCII. token makes the Message-ID and the
// boundaries unique.
func compose(m Message, from *mail.Address, date time.Time, token string) ([]byte, envelope, error) {
	var env envelope
	to, err := parseAddress("To", m.To)
	if err != nil {
		return nil, env, err
	}
	if err := headerValue("Subject", m.Subject); err != nil {
		return nil, env, err
	}
	if len(m.Subject) > MaxSubjectBytes {
		return nil, env, invalid("Subject is longer than %d bytes", MaxSubjectBytes)
	}
	if err := headerValue("Kind", m.Kind); err != nil {
		return nil, env, err
	}
	if len(m.Kind) > 64 {
		return nil, env, invalid("Kind is longer than 64 bytes")
	}
	if m.ListUnsubscribe != "" {
		if err := checkListUnsubscribe(m.ListUnsubscribe); err != nil {
			return nil, env, err
		}
	}
	if strings.TrimSpace(m.Text) == "" {
		return nil, env, invalid("the plain-text body is empty")
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.HTML) {
		return nil, env, invalid("the body is not valid UTF-8")
	}
	if len(m.Attachments) > MaxAttachments {
		return nil, env, invalid("more than %d attachments", MaxAttachments)
	}
	size := len(m.Text) + len(m.HTML)
	for i, a := range m.Attachments {
		if err := checkAttachment(i, a); err != nil {
			return nil, env, err
		}
		size += len(a.Data) * 4 / 3
	}
	if size > MaxMessageBytes {
		return nil, env, invalid("larger than %d bytes", MaxMessageBytes)
	}

	domain := from.Address[strings.LastIndexByte(from.Address, '@')+1:]
	var b bytes.Buffer
	header := func(name, value string) {
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(fold(len(name)+2, value))
		b.WriteString("\r\n")
	}
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+token+"@"+domain+">")
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies
	if m.Kind != "" {
		header(KindHeader, m.Kind)
	}
	if m.ListUnsubscribe != "" {
		header(ListUnsubscribeHeader, "<"+m.ListUnsubscribe+">")
		header(ListUnsubscribePostHeader, ListUnsubscribeOneClick)
	}

	// The body: text, or text and HTML as alternatives.
	body := func(w *multipart.Writer) error {
		if m.HTML == "" {
			return writeText(&b, w, "text/plain; charset=utf-8", m.Text)
		}
		alt := multipart.NewWriter(&b)
		if err := alt.SetBoundary("alt-" + token); err != nil {
			return err
		}
		ct := "multipart/alternative; boundary=\"" + alt.Boundary() + "\""
		if w == nil {
			header("Content-Type", ct)
			b.WriteString("\r\n")
		} else if _, err := w.CreatePart(textproto.MIMEHeader{"Content-Type": {ct}}); err != nil {
			return err
		}
		if err := writeText(&b, alt, "text/plain; charset=utf-8", m.Text); err != nil {
			return err
		}
		if err := writeText(&b, alt, "text/html; charset=utf-8", m.HTML); err != nil {
			return err
		}
		return alt.Close()
	}

	if len(m.Attachments) == 0 {
		if err := body(nil); err != nil {
			return nil, env, fmt.Errorf("mail: compose: %w", err)
		}
	} else {
		mixed := multipart.NewWriter(&b)
		if err := mixed.SetBoundary("mixed-" + token); err != nil {
			return nil, env, fmt.Errorf("mail: compose: %w", err)
		}
		header("Content-Type", "multipart/mixed; boundary=\""+mixed.Boundary()+"\"")
		b.WriteString("\r\n")
		if err := body(mixed); err != nil {
			return nil, env, fmt.Errorf("mail: compose: %w", err)
		}
		for _, a := range m.Attachments {
			if err := writeAttachment(&b, mixed, a); err != nil {
				return nil, env, fmt.Errorf("mail: compose: %w", err)
			}
		}
		if err := mixed.Close(); err != nil {
			return nil, env, fmt.Errorf("mail: compose: %w", err)
		}
	}
	if b.Len() > MaxMessageBytes {
		return nil, env, invalid("larger than %d bytes", MaxMessageBytes)
	}
	return b.Bytes(), envelope{from: from.Address, to: to.Address}, nil
}

func checkAttachment(i int, a Attachment) error {
	field := fmt.Sprintf("Attachments[%d]", i)
	if err := headerValue(field+".Name", a.Name); err != nil {
		return err
	}
	if err := headerValue(field+".ContentType", a.ContentType); err != nil {
		return err
	}
	if a.Name == "" || len(a.Name) > 200 || strings.ContainsAny(a.Name, `/\`) {
		return invalid("%s.Name %q is not a file name", field, a.Name)
	}
	if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
		return invalid("%s.ContentType %q: %v", field, a.ContentType, err)
	}
	return nil
}

// writeText writes a quoted-printable text part: the whole message body
// when w is nil, a part of w otherwise. Line ends become CRLF.
func writeText(b *bytes.Buffer, w *multipart.Writer, contentType, text string) error {
	h := textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	}
	if w == nil {
		for _, k := range []string{"Content-Type", "Content-Transfer-Encoding"} {
			b.WriteString(k + ": " + h.Get(k) + "\r\n")
		}
		b.WriteString("\r\n")
	} else if _, err := w.CreatePart(h); err != nil {
		return err
	}
	qp := quotedprintable.NewWriter(b)
	text = strings.ReplaceAll(text, "\r\n", "\n")
	text = strings.ReplaceAll(text, "\r", "\n")
	if _, err := qp.Write([]byte(strings.ReplaceAll(text, "\n", "\r\n"))); err != nil {
		return err
	}
	return qp.Close()
}

// writeAttachment writes a base64 attachment part, lines of 76.
func writeAttachment(b *bytes.Buffer, w *multipart.Writer, a Attachment) error {
	disp := mime.FormatMediaType("attachment", map[string]string{"filename": a.Name})
	if disp == "" {
		return invalid("attachment name %q cannot be encoded", a.Name)
	}
	if _, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {a.ContentType},
		"Content-Disposition":       {disp},
		"Content-Transfer-Encoding": {"base64"},
	}); err != nil {
		return err
	}
	enc := base64.StdEncoding.EncodeToString(a.Data)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	return nil
}

// fold folds a header value at spaces so that lines stay under 78
// characters where possible (RFC 5322 section 2.2.3); start is the
// length of "Name: ". Encoded words have no spaces inside, so they are
// never split.
func fold(start int, v string) string {
	if start+len(v) <= 78 {
		return v
	}
	var b strings.Builder
	n := start
	for i, w := range strings.Split(v, " ") {
		if i > 0 {
			if n+1+len(w) > 78 {
				b.WriteString("\r\n")
				n = 0
			}
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
