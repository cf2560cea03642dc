package identity_test

import (
	"crypto/rsa"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"codeberg.org/convene/convene/identity"
)

// nopStore satisfies identity.Store for tests of New, which never calls it.
type nopStore struct{ identity.Store }

func TestNewRefusesBadConfig(t *testing.T) {
	t.Parallel()
	tests := map[string]identity.Config{
		"no store":          {BaseURL: testBaseURL},
		"no base URL":       {Store: nopStore{}},
		"relative base URL": {Store: nopStore{}, BaseURL: "/events"},
		"host only":         {Store: nopStore{}, BaseURL: "events.example"},
		"ftp base URL":      {Store: nopStore{}, BaseURL: "ftp://events.example"},
		"base URL path":     {Store: nopStore{}, BaseURL: "https://events.example/convene"},
		"base URL query":    {Store: nopStore{}, BaseURL: "https://events.example?x=1"},
		"base URL fragment": {Store: nopStore{}, BaseURL: "https://events.example#top"},
		"base URL user":     {Store: nopStore{}, BaseURL: "https://admin@events.example"},
		"base URL no host":  {Store: nopStore{}, BaseURL: "https://"},
		"bad argon2":        {Store: nopStore{}, BaseURL: testBaseURL, Argon2: identity.Argon2Params{Time: 1}},
	}
	for name, cfg := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			svc, err := identity.New(cfg)
			require.Error(t, err)
			assert.Nil(t, svc)
		})
	}
}

func TestNewNormalizesBaseURL(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, base, host string }{
		{"https://events.example", "https://events.example", "events.example"},
		{"HTTPS://Events.Example/", "https://events.example", "events.example"},
		{"http://localhost:8080", "http://localhost:8080", "localhost:8080"},
		{"http://[::1]:8080/", "http://[::1]:8080", "[::1]:8080"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			svc, err := identity.New(identity.Config{Store: nopStore{}, BaseURL: tt.in,
				GenerateKey: func() (*rsa.PrivateKey, error) { return nil, nil }})
			require.NoError(t, err)
			assert.Equal(t, tt.base, svc.BaseURL())
			assert.Equal(t, tt.host, svc.Host())
		})
	}
}
