package httpsig

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"

	"github.com/dunglas/httpsfv"
)

// checkDigest verifies an RFC 3230 Digest header against body. A
// SHA-256 instance must be present and match; instances of other
// algorithms are ignored (as Mastodon does), so SHA-1 alone fails.
func checkDigest(h http.Header, body []byte) error {
	vals := h.Values("Digest")
	if len(vals) == 0 {
		return fmt.Errorf("%w: no Digest header", ErrDigest)
	}
	joined := strings.Join(vals, ",")
	if len(joined) > MaxDigestHeaderBytes {
		return fmt.Errorf("%w: Digest header longer than %d bytes", ErrDigest, MaxDigestHeaderBytes)
	}
	var found []byte
	for _, inst := range strings.Split(joined, ",") {
		alg, val, ok := strings.Cut(strings.TrimSpace(inst), "=")
		if !ok {
			return fmt.Errorf("%w: malformed Digest", ErrDigest)
		}
		if !strings.EqualFold(alg, "SHA-256") {
			continue
		}
		if found != nil {
			return fmt.Errorf("%w: two SHA-256 digests", ErrDigest)
		}
		sum, err := base64.StdEncoding.Strict().DecodeString(val)
		if err != nil || len(sum) != sha256.Size {
			return fmt.Errorf("%w: malformed SHA-256 digest", ErrDigest)
		}
		found = sum
	}
	if found == nil {
		return fmt.Errorf("%w: no SHA-256 digest", ErrDigest)
	}
	want := sha256.Sum256(body)
	if subtle.ConstantTimeCompare(found, want[:]) != 1 {
		return fmt.Errorf("%w: Digest does not match the body", ErrDigest)
	}
	return nil
}

// checkContentDigest verifies an RFC 9530 Content-Digest header (a
// structured dictionary) against body: every sha-256 and sha-512 member
// must match and there must be one; other algorithms are ignored.
func checkContentDigest(h http.Header, body []byte) error {
	vals := h.Values("Content-Digest")
	if len(vals) == 0 {
		return fmt.Errorf("%w: no Content-Digest header", ErrDigest)
	}
	if n := len(strings.Join(vals, ",")); n > MaxDigestHeaderBytes {
		return fmt.Errorf("%w: Content-Digest header longer than %d bytes", ErrDigest, MaxDigestHeaderBytes)
	}
	dict, err := unmarshalDictionary(vals)
	if err != nil {
		return fmt.Errorf("%w: malformed Content-Digest: %v", ErrDigest, err)
	}
	checked := 0
	for _, name := range dict.Names() {
		var want []byte
		switch name {
		case "sha-256":
			s := sha256.Sum256(body)
			want = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			want = s[:]
		default:
			continue
		}
		m, _ := dict.Get(name)
		item, ok := m.(httpsfv.Item)
		if !ok {
			return fmt.Errorf("%w: malformed %s member", ErrDigest, name)
		}
		got, ok := item.Value.([]byte)
		if !ok {
			return fmt.Errorf("%w: %s is not a byte sequence", ErrDigest, name)
		}
		if subtle.ConstantTimeCompare(got, want) != 1 {
			return fmt.Errorf("%w: Content-Digest %s does not match the body", ErrDigest, name)
		}
		checked++
	}
	if checked == 0 {
		return fmt.Errorf("%w: no sha-256 or sha-512 Content-Digest", ErrDigest)
	}
	return nil
}
