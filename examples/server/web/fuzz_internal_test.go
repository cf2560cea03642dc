package web

import (
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
)

// FuzzNegotiate: any Accept-Language picks a language with a catalog.
func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "fr", "fr-CA;q=0.8, en;q=0.5", "*;q=x", ";;,,q=1", "de-DE,de;q=0.9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if _, ok := catalogs[negotiate(r, "")]; !ok {
			t.Fatalf("negotiate(%q) has no catalog", header)
		}
	})
}

// FuzzToken: no token text but the one signed verifies.
func FuzzToken(f *testing.F) {
	w := &Web{secret: []byte("0123456789abcdef0123456789abcdef"), now: func() time.Time { return time.Unix(1e9, 0) }}
	a := &identity.Account{ID: "acct-1", Email: "a@mail.example", PasswordHash: "$argon2id$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA"}
	good := w.signToken(purposeReset, a, time.Hour)
	f.Add(good)
	f.Add("acct-1.1000003600.x")
	f.Add("")
	f.Fuzz(func(t *testing.T, token string) {
		id, ok := tokenAccount(token)
		err := w.checkToken(purposeReset, token, a)
		if err == nil && (token != good || !ok || id != a.ID) {
			t.Fatalf("token %q verified", token)
		}
		if w.checkToken(purposeConfirm, token, a) == nil {
			t.Fatalf("reset token %q verified as a confirmation", token)
		}
	})
}

// FuzzEventForm: any form either fills an Input or names a field.
func FuzzEventForm(f *testing.F) {
	f.Add("2026-03-10", "18:30", "Europe/Paris", "90", "45,5", "WEEKLY", "3", "12")
	f.Add("x", "", "Mars/Base", "-1", "nan", "SOMETIMES", "0", "many")
	f.Fuzz(func(t *testing.T, date, clock, zone, duration, lat, repeat, count, capacity string) {
		form := url.Values{"start_date": {date}, "start_time": {clock}, "time_zone": {zone}, "duration": {duration},
			"latitude": {lat}, "longitude": {lat}, "repeat": {repeat}, "repeat_count": {count}, "capacity": {capacity}}
		var in events.Input
		if err := inputOf(form, &in); err != nil {
			fe, ok := err.(*fieldError)
			if !ok || fe.field == "" || !hasKey(fe.key) {
				t.Fatalf("error %v names no field or message", err)
			}
		}
	})
}

// FuzzExploreQuery: any filter either makes a query or names a message.
func FuzzExploreQuery(f *testing.F) {
	f.Add("48.85,2.35", "10", "2026-03-01", "2026-03-05", "#a, b")
	f.Fuzz(func(t *testing.T, near, radius, from, to, tags string) {
		form := url.Values{"near": {near}, "radius": {radius}, "from": {from}, "to": {to}, "tags": {tags}}
		if _, key := exploreQuery(form, time.UTC); key != "" && !hasKey(key) {
			t.Fatalf("unknown message %q", key)
		}
	})
}
