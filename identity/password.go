package identity

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password limits.
const (
	// MinPasswordLength is the least number of characters (Unicode code
	// points) of a password.
	MinPasswordLength = 10
	// MaxPasswordLength is the most bytes of a password. It bounds the
	// input of argon2, so that nobody makes the server hash megabytes.
	MaxPasswordLength = 256
)

// Bounds on argon2 parameters, for Config and for hashes read back from
// storage (a damaged or hostile hash must not make one login allocate
// gigabytes or run for minutes).
const (
	maxArgon2MemoryKiB = 4 << 20 // 4 GiB
	maxArgon2Time      = 64
	minArgon2SaltLen   = 8
	maxArgon2SaltLen   = 64
	minArgon2KeyLen    = 16
	maxArgon2KeyLen    = 128
)

// Argon2Params are the argon2id parameters used to hash new passwords.
// Every hash records its own parameters (PHC string format), so changing
// them later keeps old hashes verifiable; Authenticate re-hashes a
// password with the current parameters after a successful login.
type Argon2Params struct {
	Time      uint32 // iterations, at least 1
	MemoryKiB uint32 // memory in KiB, at least 8 × Threads
	Threads   uint8  // parallelism, at least 1
	KeyLen    uint32 // hash length in bytes, 16..128
	SaltLen   uint32 // salt length in bytes, 8..64
}

// DefaultArgon2Params returns OWASP's first recommendation for argon2id
// (Password Storage Cheat Sheet): m = 19456 KiB (19 MiB), t = 2, p = 1,
// with a 16-byte salt and a 32-byte hash. It takes tens of milliseconds
// and 19 MiB per hash: cheap enough for a small server under load, far
// too costly for offline guessing at scale. Deployments with memory to
// spare can use RFC 9106's second recommendation (m = 64 MiB, t = 3,
// p = 4) instead.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Time: 2, MemoryKiB: 19456, Threads: 1, KeyLen: 32, SaltLen: 16}
}

func (p Argon2Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxArgon2Time:
		return fmt.Errorf("argon2 time %d out of range 1..%d", p.Time, maxArgon2Time)
	case p.Threads < 1:
		return errors.New("argon2 threads must be at least 1")
	case p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxArgon2MemoryKiB:
		return fmt.Errorf("argon2 memory %d KiB out of range %d..%d", p.MemoryKiB, 8*uint32(p.Threads), maxArgon2MemoryKiB)
	case p.KeyLen < minArgon2KeyLen || p.KeyLen > maxArgon2KeyLen:
		return fmt.Errorf("argon2 key length %d out of range %d..%d", p.KeyLen, minArgon2KeyLen, maxArgon2KeyLen)
	case p.SaltLen < minArgon2SaltLen || p.SaltLen > maxArgon2SaltLen:
		return fmt.Errorf("argon2 salt length %d out of range %d..%d", p.SaltLen, minArgon2SaltLen, maxArgon2SaltLen)
	}
	return nil
}

// checkPassword applies the password rules.
func checkPassword(pw string) error {
	switch {
	case len(pw) > MaxPasswordLength:
		return invalid("password", "must be at most %d bytes", MaxPasswordLength)
	case !utf8.ValidString(pw):
		return invalid("password", "must be valid UTF-8")
	case utf8.RuneCountInString(pw) < MinPasswordLength:
		return invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	return nil
}

// HashPassword hashes password with argon2id and a random salt, and
// returns the PHC string "$argon2id$v=19$m=…,t=…,p=…$salt$hash" (salt
// and hash in unpadded standard base64). It does not apply the password
// rules (see Register and SetPassword), only MaxPasswordLength.
func HashPassword(password string, p Argon2Params) (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}
	if len(password) > MaxPasswordLength {
		return "", invalid("password", "must be at most %d bytes", MaxPasswordLength)
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("identity: password salt: %w", err)
	}
	sum := argon2.IDKey([]byte(password), salt, p.Time, p.MemoryKiB, p.Threads, p.KeyLen)
	return encodePHC(p, salt, sum), nil
}

func encodePHC(p Argon2Params, salt, sum []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.MemoryKiB, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(sum))
}

// phc is a parsed argon2id PHC string.
type phc struct {
	params Argon2Params
	salt   []byte
	sum    []byte
}

// parsePHC parses "$argon2id$v=19$m=…,t=…,p=…$salt$hash". Parameters
// are checked against the package's bounds.
func parsePHC(s string) (phc, error) {
	bad := func(reason string) (phc, error) { return phc{}, fmt.Errorf("%w: %s", ErrBadHash, reason) }
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return bad("not a PHC string")
	}
	if parts[1] != "argon2id" {
		return bad("algorithm " + strconv.Quote(parts[1]) + " is not argon2id")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version " + strconv.Quote(parts[2]))
	}
	var out phc
	var seen [3]bool
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return bad("parameter " + strconv.Quote(kv) + " has no value")
		}
		idx := strings.Index("mtp", k)
		if len(k) != 1 || idx < 0 {
			return bad("unknown parameter " + strconv.Quote(k))
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || (len(v) > 1 && v[0] == '0') {
			return bad("parameter " + k + " is not a number")
		}
		if seen[idx] {
			return bad("parameter " + k + " repeated")
		}
		seen[idx] = true
		switch k {
		case "m":
			out.params.MemoryKiB = uint32(n)
		case "t":
			out.params.Time = uint32(n)
		case "p":
			if n > 255 {
				return bad("parallelism over 255")
			}
			out.params.Threads = uint8(n)
		}
	}
	if !seen[0] || !seen[1] || !seen[2] {
		return bad("parameters m, t and p are required")
	}
	var err error
	if out.salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4]); err != nil {
		return bad("salt is not base64")
	}
	if out.sum, err = base64.RawStdEncoding.Strict().DecodeString(parts[5]); err != nil {
		return bad("hash is not base64")
	}
	out.params.SaltLen = uint32(len(out.salt))
	out.params.KeyLen = uint32(len(out.sum))
	if err := out.params.validate(); err != nil {
		return bad(err.Error())
	}
	return out, nil
}

// VerifyPassword reports whether password matches the PHC hash, using
// the parameters recorded in the hash. The comparison is constant-time.
// A malformed hash gives an error wrapping ErrBadHash.
func VerifyPassword(hash, password string) (bool, error) {
	h, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	if len(password) > MaxPasswordLength {
		return false, nil
	}
	sum := argon2.IDKey([]byte(password), h.salt, h.params.Time, h.params.MemoryKiB, h.params.Threads, h.params.KeyLen)
	return subtle.ConstantTimeCompare(sum, h.sum) == 1, nil
}

// NeedsRehash reports whether hash was made with parameters other than
// p (or cannot be parsed), so that it should be replaced by a fresh hash
// of the password the next time the password is known.
func NeedsRehash(hash string, p Argon2Params) bool {
	h, err := parsePHC(hash)
	return err != nil || h.params != p
}
