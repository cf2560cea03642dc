package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// SMTP defaults.
const (
	// DefaultSMTPTimeout bounds one delivery (connect, TLS, every
	// command) when the context has no earlier deadline.
	DefaultSMTPTimeout = 30 * time.Second
	// DefaultHelloName is the name given in EHLO when
	// SMTPConfig.HelloName is empty.
	DefaultHelloName = "localhost"
)

// SMTPConfig configures an SMTP sender.
type SMTPConfig struct {
	// URL says where and how to send, required:
	//
	//	smtp://user:password@mail.example:587?from=events@example.org
	//	smtps://user:password@mail.example:465?from=Events%20<events@example.org>
	//	smtp://127.0.0.1:25?from=events@example.org
	//
	// smtp:// connects in plain text, then requires STARTTLS (with
	// certificate verification) unless the host is a loopback address
	// ("localhost", 127.0.0.0/8, ::1) and the URL has no credentials:
	// mail to a local relay never crosses the network. Credentials are
	// sent only over TLS (AUTH PLAIN), whatever the host. smtps:// uses
	// TLS from the first byte (implicit TLS, RFC 8314). The port defaults
	// to 587 for smtp:// and 465 for smtps://. The from query parameter
	// is the From address; user name and password are URL-escaped.
	URL string
	// From is the From address when the URL has no from parameter; one
	// of the two is required. A display name is allowed:
	// "Events <events@example.org>".
	From string
	// HelloName is the name sent with EHLO; "" means DefaultHelloName.
	HelloName string
	// TLSConfig is the TLS configuration for STARTTLS and smtps; nil
	// means the system roots with the URL's host as server name. Tests
	// set RootCAs here.
	TLSConfig *tls.Config
	// Timeout bounds one delivery; 0 means DefaultSMTPTimeout.
	Timeout time.Duration
	// Now is the clock for the Date header; nil means time.Now.
	Now func() time.Time
}

// SMTP sends messages through an SMTP server, one connection per
// message. It is safe for concurrent use.
type SMTP struct {
	addr     string // host:port
	host     string
	implicit bool // smtps
	needTLS  bool
	user     string
	pass     string
	auth     bool
	from     *mail.Address
	hello    string
	tls      *tls.Config
	timeout  time.Duration
	now      func() time.Time
}

// NewSMTP returns an SMTP sender, or an error naming what is wrong with
// the configuration. It does not connect.
func NewSMTP(cfg SMTPConfig) (*SMTP, error) {
	if cfg.URL == "" {
		return nil, errors.New("mail: SMTPConfig.URL is required")
	}
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("mail: SMTP URL: %w", err)
	}
	s := &SMTP{hello: cfg.HelloName, timeout: cfg.Timeout, now: cfg.Now}
	port := ""
	switch u.Scheme {
	case "smtp":
		port = "587"
	case "smtps":
		port, s.implicit = "465", true
	default:
		return nil, fmt.Errorf("mail: SMTP URL: scheme %q is not smtp or smtps", u.Scheme)
	}
	if u.Path != "" && u.Path != "/" || u.Fragment != "" || u.Opaque != "" {
		return nil, errors.New("mail: SMTP URL: has a path or fragment")
	}
	s.host = u.Hostname()
	if s.host == "" {
		return nil, errors.New("mail: SMTP URL: no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, fmt.Errorf("mail: SMTP URL: bad port %q", p)
		}
		port = p
	}
	s.addr = net.JoinHostPort(s.host, port)
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
		s.auth = true
	}
	q := u.Query()
	for k := range q {
		if k != "from" {
			return nil, fmt.Errorf("mail: SMTP URL: unknown parameter %q", k)
		}
	}
	from := q.Get("from")
	if from == "" {
		from = cfg.From
	}
	if from == "" {
		return nil, errors.New("mail: a From address is required (SMTP URL parameter from= or SMTPConfig.From)")
	}
	if s.from, err = parseAddress("From", from); err != nil {
		return nil, err
	}
	s.needTLS = !s.implicit && (s.auth || !isLoopback(s.host))
	if s.hello == "" {
		s.hello = DefaultHelloName
	}
	if s.timeout <= 0 {
		s.timeout = DefaultSMTPTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.TLSConfig != nil {
		s.tls = cfg.TLSConfig.Clone()
	} else {
		s.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = s.host
	}
	return s, nil
}

// isLoopback reports whether host is "localhost" or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// From returns the From address.
func (s *SMTP) From() string { return s.from.String() }

// Send delivers m: it composes the message (see Message), connects,
// secures the connection as the URL says, authenticates and sends. An
// invalid message is an error matching ErrInvalid and nothing is sent.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	data, env, err := compose(m, s.from, s.now(), token)
	if err != nil {
		return err
	}
	if err := s.deliver(ctx, env, data); err != nil {
		return fmt.Errorf("mail: smtp %s: %w", s.addr, err)
	}
	return nil
}

func (s *SMTP) deliver(ctx context.Context, env envelope, data []byte) (err error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.addr)
	if err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if dl, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(dl); err != nil {
			conn.Close()
			return err
		}
	}
	if s.implicit {
		tc := tls.Client(conn, s.tls)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return fmt.Errorf("TLS: %w", err)
		}
		conn = tc
	}
	c, err := smtp.NewClient(conn, s.host)
	if err != nil {
		conn.Close()
		return err
	}
	defer func() {
		if err != nil {
			c.Close()
		}
	}()
	if err := c.Hello(s.hello); err != nil {
		return err
	}
	if s.needTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS, which is required for this host")
		}
		if err := c.StartTLS(s.tls); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.auth {
		if _, secure := c.TLSConnectionState(); !secure {
			return errors.New("refusing to send credentials without TLS")
		}
		if ok, _ := c.Extension("AUTH"); !ok {
			return errors.New("the server does not offer AUTH")
		}
		if err := c.Auth(smtp.PlainAuth("", s.user, s.pass, s.host)); err != nil {
			return fmt.Errorf("AUTH: %w", err)
		}
	}
	if err := c.Mail(env.from); err != nil {
		return err
	}
	if err := c.Rcpt(env.to); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The server has taken the message: a failing QUIT must not make
	// the caller send it again.
	_ = c.Quit()
	return nil
}
