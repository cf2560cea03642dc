package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"codeberg.org/convene/convene/identity"
)

// Lifetimes of the mailed links.
const (
	// ConfirmTokenLifetime is how long an email-confirmation link works.
	ConfirmTokenLifetime = 7 * 24 * time.Hour
	// ResetTokenLifetime is how long a password-reset link works. It
	// also dies as soon as the password changes (the token signs the
	// password hash), so it works once.
	ResetTokenLifetime = time.Hour
	// maxTokenLength bounds the token text read from a URL.
	maxTokenLength = 256
)

// Token purposes, part of what is signed: a token of one purpose is no
// good for another.
const (
	purposeConfirm = "confirm"
	purposeReset   = "reset"
)

var errBadToken = errors.New("web: invalid or expired link")

// tokenBinding is what a token of the purpose is bound to besides the
// account id: the email for a confirmation (a changed email needs a new
// link), the password hash for a reset (a reset link dies with the
// password it resets).
func tokenBinding(purpose string, a *identity.Account) string {
	if purpose == purposeReset {
		return a.PasswordHash
	}
	return a.Email
}

// signToken returns "accountID.expiryUnix.mac", mac being
// HMAC-SHA256(Secret, purpose, account id, binding, expiry).
func (w *Web) signToken(purpose string, a *identity.Account, lifetime time.Duration) string {
	exp := strconv.FormatInt(w.now().Add(lifetime).Unix(), 10)
	return a.ID + "." + exp + "." + w.tokenMAC(purpose, a.ID, tokenBinding(purpose, a), exp)
}

func (w *Web) tokenMAC(purpose, id, binding, exp string) string {
	m := hmac.New(sha256.New, w.secret)
	for _, part := range []string{purpose, id, binding, exp} {
		m.Write([]byte(strconv.Itoa(len(part)) + ":" + part))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// tokenAccount returns the account id a token names, before checking
// it: the caller loads the account and calls checkToken.
func tokenAccount(token string) (string, bool) {
	if len(token) > maxTokenLength {
		return "", false
	}
	id, _, ok := strings.Cut(token, ".")
	return id, ok && id != ""
}

// checkToken verifies a token of purpose for the account: its MAC and
// its expiry.
func (w *Web) checkToken(purpose, token string, a *identity.Account) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || parts[0] != a.ID {
		return errBadToken
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil {
		return errBadToken
	}
	want := w.tokenMAC(purpose, a.ID, tokenBinding(purpose, a), parts[1])
	if !hmac.Equal([]byte(parts[2]), []byte(want)) {
		return errBadToken
	}
	if !w.now().Before(time.Unix(exp, 0)) {
		return errBadToken
	}
	return nil
}
