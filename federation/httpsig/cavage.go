package httpsig

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	cavage "code.superseriousbusiness.org/httpsig"
)

// cavageParams is a parsed draft-cavage Signature header.
type cavageParams struct {
	keyID     string
	algorithm string // lower-cased; "" when absent
	headers   []string
	signature string
	created   int64 // 0 when absent
	expires   int64 // 0 when absent
}

func (p *cavageParams) covers(h string) bool {
	for _, c := range p.headers {
		if c == h {
			return true
		}
	}
	return false
}

// parseCavage parses a draft-cavage Signature header value strictly:
// comma-separated name="value" pairs (created and expires may be bare
// integers), no escapes, no commas inside values, each name at most
// once. Unknown parameters are ignored, as the draft says.
func parseCavage(v string) (*cavageParams, error) {
	if len(v) > MaxSignatureHeaderBytes {
		return nil, fmt.Errorf("%w: Signature header longer than %d bytes", ErrMalformed, MaxSignatureHeaderBytes)
	}
	p := &cavageParams{}
	seen := map[string]bool{}
	rest := strings.TrimSpace(v)
	for rest != "" {
		eq := strings.IndexByte(rest, '=')
		if eq <= 0 {
			return nil, fmt.Errorf("%w: parameter without value", ErrMalformed)
		}
		name := strings.TrimSpace(rest[:eq])
		rest = strings.TrimLeft(rest[eq+1:], " \t")
		var val string
		quoted := strings.HasPrefix(rest, `"`)
		if quoted {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				return nil, fmt.Errorf("%w: unterminated quoted value", ErrMalformed)
			}
			val, rest = rest[1:1+end], rest[2+end:]
		} else {
			end := strings.IndexByte(rest, ',')
			if end < 0 {
				end = len(rest)
			}
			val, rest = strings.TrimSpace(rest[:end]), rest[end:]
		}
		if strings.ContainsAny(val, ",\\") || strings.ContainsFunc(val, isCtl) {
			return nil, fmt.Errorf("%w: bad character in %s", ErrMalformed, name)
		}
		rest = strings.TrimLeft(rest, " \t")
		if rest != "" {
			if rest[0] != ',' {
				return nil, fmt.Errorf("%w: expected a comma after %s", ErrMalformed, name)
			}
			rest = strings.TrimLeft(rest[1:], " \t")
			if rest == "" {
				return nil, fmt.Errorf("%w: trailing comma", ErrMalformed)
			}
		}
		if seen[name] {
			return nil, fmt.Errorf("%w: duplicate parameter %s", ErrMalformed, name)
		}
		seen[name] = true
		var err error
		switch name {
		case "keyId":
			p.keyID = val
		case "algorithm":
			p.algorithm = strings.ToLower(val)
		case "signature":
			p.signature = val
		case "headers":
			p.headers, err = parseCoveredHeaders(val)
		case "created":
			p.created, err = parseUnix(val)
		case "expires":
			p.expires, err = parseUnix(val)
		default:
			if !quoted {
				return nil, fmt.Errorf("%w: unquoted value for %s", ErrMalformed, name)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, name, err)
		}
	}
	switch {
	case p.keyID == "":
		return nil, fmt.Errorf("%w: no keyId", ErrMalformed)
	case p.signature == "":
		return nil, fmt.Errorf("%w: no signature", ErrMalformed)
	}
	if _, err := base64.StdEncoding.DecodeString(p.signature); err != nil {
		return nil, fmt.Errorf("%w: signature is not base64", ErrMalformed)
	}
	return p, nil
}

// canonical serialises p the way the library parses it: no spaces
// around separators, only the parameters it reads.
func (p *cavageParams) canonical() string {
	var b strings.Builder
	b.WriteString(`keyId="` + p.keyID + `"`)
	if p.algorithm != "" {
		b.WriteString(`,algorithm="` + p.algorithm + `"`)
	}
	if p.created != 0 {
		b.WriteString(",created=" + strconv.FormatInt(p.created, 10))
	}
	if p.expires != 0 {
		b.WriteString(",expires=" + strconv.FormatInt(p.expires, 10))
	}
	if len(p.headers) > 0 {
		b.WriteString(`,headers="` + strings.Join(p.headers, " ") + `"`)
	}
	b.WriteString(`,signature="` + p.signature + `"`)
	return b.String()
}

func isCtl(r rune) bool { return r < 0x20 || r == 0x7f }

func parseCoveredHeaders(v string) ([]string, error) {
	fields := strings.Fields(strings.ToLower(v))
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty list")
	}
	if len(fields) > MaxCoveredComponents {
		return nil, fmt.Errorf("more than %d headers", MaxCoveredComponents)
	}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f] {
			return nil, fmt.Errorf("%s listed twice", f)
		}
		seen[f] = true
	}
	return fields, nil
}

func parseUnix(v string) (int64, error) {
	if v == "" || len(v) > 12 || strings.Trim(v, "0123456789") != "" {
		return 0, fmt.Errorf("not a Unix time: %q", v)
	}
	return strconv.ParseInt(v, 10, 64)
}

// cavageCheck applies the policy to a parsed signature: required
// headers, algorithm, time window. It returns the window's start
// (Date or created).
func (v *Verifier) cavageCheck(r *http.Request, p *cavageParams) (time.Time, error) {
	switch p.algorithm {
	case "", "hs2019", "rsa-sha256":
	default:
		return time.Time{}, fmt.Errorf("%w: %q", ErrUnsupportedAlgorithm, p.algorithm)
	}
	if !p.covers("(request-target)") {
		return time.Time{}, fmt.Errorf("%w: (request-target)", ErrMissingComponent)
	}
	if !p.covers("host") {
		return time.Time{}, fmt.Errorf("%w: host", ErrMissingComponent)
	}
	if needsDigest(r) && !p.covers("digest") {
		return time.Time{}, fmt.Errorf("%w: digest on %s", ErrMissingComponent, r.Method)
	}
	for _, h := range p.headers {
		switch h {
		case "(request-target)", "host":
		case "(created)":
			if p.created == 0 {
				return time.Time{}, fmt.Errorf("%w: (created) signed without a created parameter", ErrMalformed)
			}
		case "(expires)":
			if p.expires == 0 {
				return time.Time{}, fmt.Errorf("%w: (expires) signed without an expires parameter", ErrMalformed)
			}
		default:
			if strings.HasPrefix(h, "(") {
				return time.Time{}, fmt.Errorf("%w: unknown pseudo-header %s", ErrMalformed, h)
			}
			if len(r.Header.Values(h)) == 0 {
				return time.Time{}, fmt.Errorf("%w: signed header %s is absent", ErrMissingComponent, h)
			}
		}
	}
	var created, expires time.Time
	switch {
	case p.covers("(created)"):
		created = time.Unix(p.created, 0)
	case p.covers("date"):
		d := r.Header.Values("Date")
		if len(d) != 1 {
			return time.Time{}, fmt.Errorf("%w: %d Date headers", ErrMalformed, len(d))
		}
		t, err := http.ParseTime(d[0])
		if err != nil {
			return time.Time{}, fmt.Errorf("%w: Date: %v", ErrMalformed, err)
		}
		created = t
	default:
		return time.Time{}, fmt.Errorf("%w: date or (created)", ErrMissingComponent)
	}
	if p.covers("(expires)") {
		expires = time.Unix(p.expires, 0)
	}
	return created, v.checkWindow(created, expires)
}

// needsDigest reports whether a request must sign its body digest: all
// but GET and HEAD.
func needsDigest(r *http.Request) bool {
	return r.Method != http.MethodGet && r.Method != http.MethodHead
}

// cavageAlgorithm picks the library algorithm for the key type.
func cavageAlgorithm(declared string, key crypto.PublicKey) (cavage.Algorithm, string, error) {
	switch key.(type) {
	case *rsa.PublicKey:
		return cavage.RSA_SHA256, "rsa-sha256", nil
	case ed25519.PublicKey:
		if declared == "rsa-sha256" {
			return "", "", fmt.Errorf("%w: rsa-sha256 declared for an Ed25519 key", ErrUnsupportedAlgorithm)
		}
		return cavage.ED25519, "ed25519", nil
	default:
		return "", "", fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, key)
	}
}

// cavageVerify checks the signature with key through the library. When
// the request has a query and the full request-target fails, the
// request-target without the query is tried (some servers sign only
// the path, as GoToSocial tolerates); queryUnsigned reports that case.
func cavageVerify(r *http.Request, p *cavageParams, key crypto.PublicKey) (alg string, queryUnsigned bool, err error) {
	libAlg, alg, err := cavageAlgorithm(p.algorithm, key)
	if err != nil {
		return "", false, err
	}
	// The library reads the Signature header itself and adds Host to the
	// header map: give it a private copy holding the signature as parsed
	// here, re-serialised canonically. The library's own parser is
	// laxer (it ignores a parameter written after ", "), and it must not
	// verify a different header list than the one the policy checked.
	h := r.Header.Clone()
	h.Set("Signature", p.canonical())
	if !p.covers("authorization") {
		h.Del("Authorization")
	}
	if h.Get("Host") == "" {
		h.Set("Host", r.Host)
	}
	lr := &http.Request{Method: r.Method, URL: r.URL, Host: r.Host, Header: h}
	ver, err := cavage.NewVerifier(lr)
	if err != nil {
		return "", false, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	if err := ver.VerifyWithOptions(key, libAlg, cavage.SignatureOption{}); err == nil {
		return alg, false, nil
	}
	if r.URL.RawQuery != "" {
		if err := ver.VerifyWithOptions(key, libAlg, cavage.SignatureOption{ExcludeQueryStringFromPathPseudoHeader: true}); err == nil {
			return alg, true, nil
		}
	}
	return "", false, ErrBadSignature
}
