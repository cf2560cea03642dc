// Package baseurl checks an instance's public base URL, which every
// service turns into ActivityPub ids: an absolute http or https origin,
// without path, user, query or fragment.
package baseurl

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Parse returns the canonical origin (scheme and host lower-cased, no
// trailing slash) and its host (with the port, if any).
func Parse(raw string) (origin, host string, err error) {
	if raw == "" {
		return "", "", errors.New("BaseURL is required")
	}
	u, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil {
		return "", "", fmt.Errorf("BaseURL: %w", err)
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme != "https" && scheme != "http", u.Host == "", u.Opaque != "":
		return "", "", fmt.Errorf("BaseURL %q must be an absolute http or https URL", raw)
	case u.User != nil, u.Path != "", u.RawQuery != "", u.ForceQuery, u.Fragment != "":
		return "", "", fmt.Errorf("BaseURL %q must have no path, user, query or fragment", raw)
	}
	host = strings.ToLower(u.Host)
	return scheme + "://" + host, host, nil
}
