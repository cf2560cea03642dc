package mail

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// File outbox limits.
const (
	// MaxFileOutbox is the most messages a FileOutbox keeps: writing
	// one more deletes the oldest.
	MaxFileOutbox = 1000
	// DefaultListLimit is the page size of FileOutbox.List when its
	// limit is 0 or less.
	DefaultListLimit = 100
	// DefaultFileFrom is the From address of a FileOutbox until SetFrom
	// changes it.
	DefaultFileFrom = "convene@localhost"
	// maxHeaderRead bounds what List reads of each file.
	maxHeaderRead = 64 << 10
)

// fileName is the name of a stored message: its time, fixed width so
// that names sort by time, and a random part.
var fileName = regexp.MustCompile(`^[0-9]{8}T[0-9]{6}\.[0-9]{9}Z-[0-9a-f]{16}\.eml$`)

const fileTimeLayout = "20060102T150405.000000000Z"

// FileOutbox is a Sender that writes each message as a .eml file (the
// bytes SMTP would send) into a directory instead of sending it: the
// instance's mail when no SMTP server is configured, shown to the admin
// by List and Read. It keeps the newest MaxFileOutbox messages. Files
// are 0600 in a 0700 directory: they hold confirmation and
// password-reset links. It is safe for concurrent use within one
// process; two processes must not share a directory.
type FileOutbox struct {
	dir string
	now func() time.Time
	max int // MaxFileOutbox; tests lower it

	mu   sync.Mutex
	from *mail.Address
}

// Entry describes a stored message.
type Entry struct {
	Name    string // file name, for Read
	Time    time.Time
	To      string
	Subject string // decoded
	Kind    string // Message.Kind
	// ListUnsubscribe is Message.ListUnsubscribe: the URL of the
	// List-Unsubscribe header, without its angle brackets; "" when the
	// message has none.
	ListUnsubscribe string
}

// Stored is a stored message: its Entry, its bytes, and its plain-text
// body decoded.
type Stored struct {
	Entry
	Raw  []byte
	Text string
}

// NewFileOutbox returns a FileOutbox writing into dir, which it creates
// (0700) if needed. now is the clock; nil means time.Now.
func NewFileOutbox(dir string, now func() time.Time) (*FileOutbox, error) {
	if dir == "" {
		return nil, errors.New("mail: file outbox directory is required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: file outbox: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("mail: file outbox: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	from, _ := mail.ParseAddress(DefaultFileFrom)
	return &FileOutbox{dir: dir, now: now, from: from, max: MaxFileOutbox}, nil
}

// SetFrom sets the From address written into the messages (by default
// DefaultFileFrom), so that the files read like the mail SMTP would
// send.
func (o *FileOutbox) SetFrom(addr string) error {
	a, err := parseAddress("From", addr)
	if err != nil {
		return err
	}
	o.mu.Lock()
	o.from = a
	o.mu.Unlock()
	return nil
}

// Dir returns the directory of the outbox.
func (o *FileOutbox) Dir() string { return o.dir }

// Send writes m into the outbox and deletes the oldest messages beyond
// MaxFileOutbox. An invalid message is an error matching ErrInvalid and
// nothing is written.
func (o *FileOutbox) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	token, err := newToken()
	if err != nil {
		return err
	}
	now := o.now()
	o.mu.Lock()
	defer o.mu.Unlock()
	data, _, err := compose(m, o.from, now, token)
	if err != nil {
		return err
	}
	name := now.UTC().Format(fileTimeLayout) + "-" + token[:16] + ".eml"
	tmp, err := os.CreateTemp(o.dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("mail: file outbox: %w", err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename: nothing
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("mail: file outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("mail: file outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(o.dir, name)); err != nil {
		return fmt.Errorf("mail: file outbox: %w", err)
	}
	return o.prune()
}

// names returns the names of the stored messages, oldest first.
func (o *FileOutbox) names() ([]string, error) {
	des, err := os.ReadDir(o.dir)
	if err != nil {
		return nil, fmt.Errorf("mail: file outbox: %w", err)
	}
	var out []string
	for _, de := range des {
		if de.Type().IsRegular() && fileName.MatchString(de.Name()) {
			out = append(out, de.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

func (o *FileOutbox) prune() error {
	names, err := o.names()
	if err != nil {
		return err
	}
	for len(names) > o.max {
		if err := os.Remove(filepath.Join(o.dir, names[0])); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("mail: file outbox: %w", err)
		}
		names = names[1:]
	}
	return nil
}

// List describes the newest stored messages, newest first, at most
// limit (DefaultListLimit when 0 or less, at most MaxFileOutbox).
func (o *FileOutbox) List(ctx context.Context, limit int) ([]Entry, error) {
	if limit <= 0 {
		limit = DefaultListLimit
	}
	limit = min(limit, MaxFileOutbox)
	names, err := o.names()
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, min(limit, len(names)))
	for i := len(names) - 1; i >= 0 && len(out) < limit; i-- {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		e, err := o.entry(names[i])
		if errors.Is(err, fs.ErrNotExist) {
			continue // pruned meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (o *FileOutbox) entry(name string) (Entry, error) {
	f, err := os.Open(filepath.Join(o.dir, name))
	if err != nil {
		return Entry{}, fmt.Errorf("mail: file outbox: %w", err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(bufio.NewReader(io.LimitReader(f, maxHeaderRead)))
	if err != nil {
		return Entry{}, fmt.Errorf("mail: file outbox: %s: %w", name, err)
	}
	return entryOf(name, msg.Header), nil
}

func entryOf(name string, h mail.Header) Entry {
	e := Entry{Name: name, To: h.Get("To"), Kind: h.Get(KindHeader)}
	if lu := h.Get(ListUnsubscribeHeader); strings.HasPrefix(lu, "<") && strings.HasSuffix(lu, ">") {
		e.ListUnsubscribe = lu[1 : len(lu)-1]
	}
	if t, err := time.Parse(fileTimeLayout, name[:len(fileTimeLayout)]); err == nil {
		e.Time = t
	}
	var dec mime.WordDecoder
	if s, err := dec.DecodeHeader(h.Get("Subject")); err == nil {
		e.Subject = s
	} else {
		e.Subject = h.Get("Subject")
	}
	return e
}

// Read returns a stored message by the name List gave. A name that List
// could not have given matches ErrInvalid; a message that is gone,
// fs.ErrNotExist.
func (o *FileOutbox) Read(name string) (*Stored, error) {
	if !fileName.MatchString(name) {
		return nil, invalid("%q is not a message name", name)
	}
	f, err := os.Open(filepath.Join(o.dir, name))
	if err != nil {
		return nil, fmt.Errorf("mail: file outbox: %w", err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, MaxMessageBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mail: file outbox: %w", err)
	}
	if len(raw) > MaxMessageBytes {
		return nil, invalid("%s is larger than %d bytes", name, MaxMessageBytes)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("mail: file outbox: %s: %w", name, err)
	}
	text, err := plainText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, 0)
	if err != nil {
		return nil, fmt.Errorf("mail: file outbox: %s: %w", name, err)
	}
	return &Stored{Entry: entryOf(name, msg.Header), Raw: raw, Text: text}, nil
}

// plainText returns the first text/plain part of a body, decoded, with
// LF line ends.
func plainText(contentType, encoding string, body io.Reader, depth int) (string, error) {
	if depth > 3 {
		return "", errors.New("MIME parts nested too deep")
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", fmt.Errorf("Content-Type: %w", err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", errors.New("no text/plain part")
			}
			if err != nil {
				return "", err
			}
			t, err := plainText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, depth+1)
			if err == nil {
				return t, nil
			}
		}
	}
	if mt != "text/plain" {
		return "", errors.New("not text/plain")
	}
	switch strings.ToLower(encoding) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return "", err
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n"), nil
}
