package mail

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// session is what the fake server received on one connection.
type session struct {
	tls      bool
	auth     string // decoded AUTH PLAIN response
	mailFrom string
	rcpt     []string
	data     []byte // after dot-unstuffing, line ends as received
	quit     bool
}

// fakeSMTP is a small SMTP server on 127.0.0.1: enough of RFC 5321 for
// net/smtp, with optional STARTTLS, implicit TLS and AUTH.
type fakeSMTP struct {
	t         testing.TB
	ln        net.Listener
	tls       *tls.Config // offers STARTTLS when set (and not implicit)
	implicit  bool
	authPlain bool // offers AUTH PLAIN even without TLS

	mu       sync.Mutex
	sessions []*session
	wg       sync.WaitGroup
}

func newFakeSMTP(t testing.TB, tlsCfg *tls.Config, implicit, authPlain bool) *fakeSMTP {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	if implicit {
		ln = tls.NewListener(ln, tlsCfg)
	}
	s := &fakeSMTP{t: t, ln: ln, tls: tlsCfg, implicit: implicit, authPlain: authPlain}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				s.serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		s.wg.Wait()
	})
	return s
}

func (s *fakeSMTP) port() string {
	_, p, _ := net.SplitHostPort(s.ln.Addr().String())
	return p
}

func (s *fakeSMTP) got() []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*session(nil), s.sessions...)
}

func (s *fakeSMTP) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	ss := &session{tls: s.implicit}
	s.mu.Lock()
	s.sessions = append(s.sessions, ss)
	s.mu.Unlock()
	r := bufio.NewReader(c)
	reply := func(l string) { _, _ = c.Write([]byte(l + "\r\n")) }
	reply("220 fake ESMTP")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch verb {
		case "EHLO":
			ext := []string{"fake"}
			if s.tls != nil && !ss.tls {
				ext = append(ext, "STARTTLS")
			}
			if ss.tls || s.authPlain {
				ext = append(ext, "AUTH PLAIN")
			}
			ext = append(ext, "8BITMIME")
			for i, e := range ext {
				sep := "-"
				if i == len(ext)-1 {
					sep = " "
				}
				reply("250" + sep + e)
			}
		case "STARTTLS":
			reply("220 go ahead")
			tc := tls.Server(c, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			c, r, ss.tls = tc, bufio.NewReader(tc), true
		case "AUTH":
			f := strings.Fields(line)
			if len(f) == 3 {
				b, _ := base64.StdEncoding.DecodeString(f[2])
				ss.auth = string(b)
			}
			reply("235 ok")
		case "MAIL":
			ss.mailFrom = line
			reply("250 ok")
		case "RCPT":
			ss.rcpt = append(ss.rcpt, line)
			reply("250 ok")
		case "DATA":
			reply("354 go on")
			var data bytes.Buffer
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			ss.data = data.Bytes()
			reply("250 queued")
		case "QUIT":
			ss.quit = true
			reply("221 bye")
			return
		default:
			reply("502 no")
		}
	}
}

// testTLS returns a server config with a fresh self-signed certificate
// for 127.0.0.1 and localhost, and a client config trusting it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fake smtp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}, MinVersion: tls.VersionTLS12},
		&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

var fixedNow = func() time.Time { return testDate }

func TestSMTPPlainLoopback(t *testing.T) {
	t.Parallel()
	srv := newFakeSMTP(t, nil, false, false)
	s, err := NewSMTP(SMTPConfig{URL: "smtp://127.0.0.1:" + srv.port() + "?from=events@example.org", Now: fixedNow})
	require.NoError(t, err)
	m := Message{To: "Zoé <zoe@example.net>", Subject: "Réunion", Kind: "event.updated",
		Text:        "Line one\n.\n..two dots\nend\n",
		Attachments: []Attachment{{Name: "event.ics", ContentType: "text/calendar; charset=utf-8", Data: []byte("BEGIN:VCALENDAR\r\n")}}}
	require.NoError(t, s.Send(context.Background(), m))

	got := srv.got()
	require.Len(t, got, 1)
	ss := got[0]
	assert.False(t, ss.tls, "a loopback relay without credentials is not asked for STARTTLS")
	assert.Empty(t, ss.auth)
	assert.True(t, strings.HasPrefix(ss.mailFrom, "MAIL FROM:<events@example.org>"), ss.mailFrom)
	assert.Equal(t, []string{"RCPT TO:<zoe@example.net>"}, ss.rcpt)
	assert.True(t, ss.quit)

	// The bytes: CRLF everywhere, the headers we wrote, the text back.
	raw := string(ss.data)
	assert.NotContains(t, strings.ReplaceAll(raw, "\r\n", ""), "\n", "bare LF")
	assert.NotContains(t, strings.ReplaceAll(raw, "\r\n", ""), "\r", "bare CR")
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, "<events@example.org>", msg.Header.Get("From"))
	assert.Equal(t, "=?utf-8?q?Zo=C3=A9?= <zoe@example.net>", msg.Header.Get("To"))
	assert.Equal(t, "=?utf-8?q?R=C3=A9union?=", msg.Header.Get("Subject"))
	assert.Equal(t, "Sat, 14 Mar 2026 09:30:00 +0100", msg.Header.Get("Date"))
	assert.Regexp(t, `^<[0-9a-f]{32}@example\.org>$`, msg.Header.Get("Message-ID"))
	assert.Equal(t, "event.updated", msg.Header.Get(KindHeader))
	assert.Contains(t, msg.Header.Get("Content-Type"), "multipart/mixed")
	text, err := plainText(msg.Header.Get("Content-Type"), "", msg.Body, 0)
	require.NoError(t, err)
	assert.Equal(t, m.Text, text, "dot-stuffed lines come back whole")
	assert.Contains(t, raw, "Content-Disposition: attachment; filename=event.ics\r\n")
	assert.Contains(t, raw, base64.StdEncoding.EncodeToString([]byte("BEGIN:VCALENDAR\r\n")))
}

func TestSMTPListUnsubscribe(t *testing.T) {
	t.Parallel()
	srv := newFakeSMTP(t, nil, false, false)
	s, err := NewSMTP(SMTPConfig{URL: "smtp://127.0.0.1:" + srv.port() + "?from=events@example.org", Now: fixedNow})
	require.NoError(t, err)
	link := "https://events.example/unsubscribe/discussions?t=a1.p1.g1.1800000000.mac"
	ctx := context.Background()
	require.NoError(t, s.Send(ctx, Message{To: "a@example.net", Subject: "s", Text: "t", ListUnsubscribe: link}))
	require.NoError(t, s.Send(ctx, Message{To: "a@example.net", Subject: "s", Text: "t"}))
	err = s.Send(ctx, Message{To: "a@example.net", Subject: "s", Text: "t", ListUnsubscribe: link + "\r\nBcc: victim@example.com"})
	require.ErrorIs(t, err, ErrInvalid)
	require.ErrorContains(t, err, "ListUnsubscribe")

	got := srv.got()
	require.Len(t, got, 2, "nothing sent for the bad URL")
	raw := string(got[0].data)
	assert.Contains(t, raw, "\r\nList-Unsubscribe: <"+link+">\r\n")
	assert.Contains(t, raw, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n")
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	require.NoError(t, err)
	assert.Equal(t, "<"+link+">", msg.Header.Get("List-Unsubscribe"))
	assert.NotContains(t, string(got[1].data), "List-Unsubscribe", "none without a URL")
}

func TestSMTPStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := testTLS(t)
	srv := newFakeSMTP(t, serverTLS, false, false)
	s, err := NewSMTP(SMTPConfig{URL: "smtp://user%40example.org:pa%20ss@127.0.0.1:" + srv.port(),
		From: "events@example.org", TLSConfig: clientTLS, Now: fixedNow})
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), Message{To: "a@example.net", Subject: "s", Text: "t"}))
	got := srv.got()
	require.Len(t, got, 1)
	assert.True(t, got[0].tls, "credentials make STARTTLS required, even on loopback")
	assert.Equal(t, "\x00user@example.org\x00pa ss", got[0].auth)
	assert.NotEmpty(t, got[0].data)
}

func TestSMTPImplicitTLS(t *testing.T) {
	t.Parallel()
	serverTLS, clientTLS := testTLS(t)
	srv := newFakeSMTP(t, serverTLS, true, false)
	s, err := NewSMTP(SMTPConfig{URL: "smtps://u:p@127.0.0.1:" + srv.port() + "?from=events@example.org", TLSConfig: clientTLS})
	require.NoError(t, err)
	require.NoError(t, s.Send(context.Background(), Message{To: "a@example.net", Subject: "s", Text: "t"}))
	got := srv.got()
	require.Len(t, got, 1)
	assert.True(t, got[0].tls)
	assert.Equal(t, "\x00u\x00p", got[0].auth)
}

func TestSMTPRefusesCredentialsWithoutTLS(t *testing.T) {
	t.Parallel()
	srv := newFakeSMTP(t, nil, false, true) // offers AUTH, not STARTTLS
	s, err := NewSMTP(SMTPConfig{URL: "smtp://u:p@127.0.0.1:" + srv.port() + "?from=events@example.org"})
	require.NoError(t, err)
	err = s.Send(context.Background(), Message{To: "a@example.net", Subject: "s", Text: "t"})
	require.ErrorContains(t, err, "STARTTLS")
	got := srv.got()
	require.Len(t, got, 1)
	assert.Empty(t, got[0].auth, "no credentials in plain text")
	assert.Empty(t, got[0].mailFrom)
}

func TestSMTPRefusesUntrustedCertificate(t *testing.T) {
	t.Parallel()
	serverTLS, _ := testTLS(t)
	srv := newFakeSMTP(t, serverTLS, false, false)
	s, err := NewSMTP(SMTPConfig{URL: "smtp://u:p@127.0.0.1:" + srv.port() + "?from=events@example.org"})
	require.NoError(t, err)
	err = s.Send(context.Background(), Message{To: "a@example.net", Subject: "s", Text: "t"})
	require.Error(t, err)
	got := srv.got()
	require.Len(t, got, 1)
	assert.Empty(t, got[0].auth)
}

func TestSMTPHeaderInjectionSendsNothing(t *testing.T) {
	t.Parallel()
	srv := newFakeSMTP(t, nil, false, false)
	s, err := NewSMTP(SMTPConfig{URL: "smtp://127.0.0.1:" + srv.port() + "?from=events@example.org"})
	require.NoError(t, err)
	for _, m := range []Message{
		{To: "a@example.net\r\nBcc: victim@example.com", Subject: "s", Text: "t"},
		{To: "a@example.net", Subject: "s\r\nBcc: victim@example.com", Text: "t"},
		{To: "a@example.net", Subject: "s\nBcc: victim@example.com", Text: "t"},
	} {
		err := s.Send(context.Background(), m)
		require.True(t, errors.Is(err, ErrInvalid), "%v", err)
	}
	assert.Empty(t, srv.got(), "no connection for an invalid message")
}

func TestSMTPServerDown(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	s, err := NewSMTP(SMTPConfig{URL: "smtp://" + addr + "?from=events@example.org", Timeout: time.Second})
	require.NoError(t, err)
	require.Error(t, s.Send(context.Background(), Message{To: "a@example.net", Subject: "s", Text: "t"}))
}

func TestNewSMTP(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, from string
		wantErr   string
		addr      string
		needTLS   bool
		implicit  bool
	}{
		{url: "smtp://mail.example?from=a@example.org", addr: "mail.example:587", needTLS: true},
		{url: "smtp://mail.example:25", from: "Events <a@example.org>", addr: "mail.example:25", needTLS: true},
		{url: "smtps://mail.example?from=a@example.org", addr: "mail.example:465", implicit: true},
		{url: "smtp://localhost:25?from=a@example.org", addr: "localhost:25"},
		{url: "smtp://[::1]:25?from=a@example.org", addr: "[::1]:25"},
		{url: "smtp://127.0.0.2?from=a@example.org", addr: "127.0.0.2:587"},
		{url: "smtp://u:p@localhost?from=a@example.org", addr: "localhost:587", needTLS: true},
		{url: "", wantErr: "URL is required"},
		{url: "http://mail.example?from=a@example.org", wantErr: "scheme"},
		{url: "smtp://mail.example", wantErr: "From address is required"},
		{url: "smtp://mail.example?from=not-an-address", wantErr: "not an email address"},
		{url: "smtp://mail.example?from=a@example.org%0d%0aBcc:x@y", wantErr: "line break"},
		{url: "smtp://mail.example:0?from=a@example.org", wantErr: "bad port"},
		{url: "smtp://mail.example:99999?from=a@example.org", wantErr: "bad port"},
		{url: "smtp://mail.example/path?from=a@example.org", wantErr: "path"},
		{url: "smtp://mail.example?from=a@example.org&tls=off", wantErr: "unknown parameter"},
		{url: "smtp://?from=a@example.org", wantErr: "no host"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			s, err := NewSMTP(SMTPConfig{URL: tt.url, From: tt.from})
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.addr, s.addr)
			assert.Equal(t, tt.needTLS, s.needTLS)
			assert.Equal(t, tt.implicit, s.implicit)
		})
	}
}
