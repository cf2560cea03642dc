package identity_test

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/storage/sqlite"
)

// exampleService opens a Service on a throwaway SQLite file, with a fixed
// clock, cheap password hashing and pre-generated keys (a real instance
// leaves Argon2 and GenerateKey unset, for the secure defaults).
func exampleService() (svc *identity.Service, cleanup func()) {
	dir, err := os.MkdirTemp("", "identity-example")
	if err != nil {
		panic(err)
	}
	db, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		panic(err)
	}
	keys, err := sharedKeys()
	if err != nil {
		panic(err)
	}
	var n atomic.Uint32
	svc, err = identity.New(identity.Config{
		Store:   db,
		BaseURL: "https://events.example",
		Now:     func() time.Time { return time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC) },
		Argon2:  identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16},
		GenerateKey: func() (*rsa.PrivateKey, error) {
			return keys[int(n.Add(1))%len(keys)], nil
		},
	})
	if err != nil {
		panic(err)
	}
	return svc, func() { _ = db.Close(); _ = os.RemoveAll(dir) }
}

// Register an account, confirm it and log in.
func ExampleNew() {
	svc, cleanup := exampleService()
	defer cleanup()
	ctx := context.Background()

	acct, prof, err := svc.Register(ctx, identity.RegisterInput{
		Email:       " Ada@Example.org ",
		Password:    "correct horse battery staple",
		Username:    "ada",
		DisplayName: "Ada Lovelace",
		TimeZone:    "Europe/London",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acct.Email, acct.Role, "confirmed:", acct.Confirmed)
	fmt.Println(prof.Handle(), prof.APID, "default:", prof.Default)

	_, err = svc.Authenticate(ctx, "ada@example.org", "correct horse battery staple")
	fmt.Println(err)

	if _, err := svc.ConfirmAccount(ctx, acct.ID); err != nil {
		fmt.Println(err)
		return
	}
	a, err := svc.Authenticate(ctx, "ADA@example.org", "correct horse battery staple")
	fmt.Println(a.ID == acct.ID, err)

	_, err = svc.Authenticate(ctx, "ada@example.org", "wrong password")
	fmt.Println(err)
	_, err = svc.Authenticate(ctx, "nobody@example.org", "correct horse battery staple")
	fmt.Println(err)

	_, _, err = svc.Register(ctx, identity.RegisterInput{Email: "ada@example.org", Password: "another password", Username: "ada2"})
	var ve *identity.ValidationError
	fmt.Println(errors.As(err, &ve), ve.Field, errors.Is(err, identity.ErrConflict))
	// Output:
	// ada@example.org user confirmed: false
	// @ada@events.example https://events.example/@ada default: true
	// identity: account not confirmed
	// true <nil>
	// identity: wrong email or password
	// identity: wrong email or password
	// true email true
}

// An account acts through several profiles; no other account can use
// them.
func ExampleService_CreateProfile() {
	svc, cleanup := exampleService()
	defer cleanup()
	ctx := context.Background()

	acct, _, err := svc.Register(ctx, identity.RegisterInput{Email: "grace@example.org", Password: "a long password", Username: "grace"})
	if err != nil {
		fmt.Println(err)
		return
	}
	club, err := svc.CreateProfile(ctx, acct.ID, identity.ProfileInput{
		Username:    "cobol_club",
		DisplayName: "COBOL <b>Club</b>",
		Summary:     `<p>We meet on Tuesdays.</p><script>alert("hi")</script>`,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %q %q\n", club.Handle(), club.DisplayName, club.Summary)

	if err := svc.SetDefaultProfile(ctx, acct.ID, club.ID); err != nil {
		fmt.Println(err)
		return
	}
	profiles, err := svc.ListProfiles(ctx, acct.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, p := range profiles {
		fmt.Println(p.Username, "default:", p.Default)
	}

	other, _, err := svc.Register(ctx, identity.RegisterInput{Email: "eve@example.org", Password: "a long password", Username: "eve"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.ProfileOf(ctx, other.ID, club.ID)
	fmt.Println(err)

	_, err = svc.CreateProfile(ctx, acct.ID, identity.ProfileInput{Username: "Grace Hopper"})
	fmt.Println(err)
	// Output:
	// @cobol_club@events.example "COBOL Club" "<p>We meet on Tuesdays.</p>"
	// cobol_club default: true
	// grace default: false
	// identity: forbidden
	// invalid username: may contain only lower-case letters a-z, digits and _
}

// A private calendar feed: the token text is shown once, resolved on
// each feed request, and revoked when it leaks.
func ExampleService_CreateFeedToken() {
	svc, cleanup := exampleService()
	defer cleanup()
	ctx := context.Background()

	acct, prof, err := svc.Register(ctx, identity.RegisterInput{Email: "hedy@example.org", Password: "a long password", Username: "hedy"})
	if err != nil {
		fmt.Println(err)
		return
	}
	token, ft, err := svc.CreateFeedToken(ctx, acct.ID, prof.ID)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("token length:", len(token))
	fmt.Println("feed URL path: /feed/private/{token}.ics")

	got, err := svc.ResolveFeedToken(ctx, token)
	fmt.Println(got.ID == ft.ID, got.ProfileID == prof.ID, err)

	if err := svc.RevokeFeedToken(ctx, acct.ID, ft.ID); err != nil {
		fmt.Println(err)
		return
	}
	_, err = svc.ResolveFeedToken(ctx, token)
	fmt.Println(err)
	// Output:
	// token length: 43
	// feed URL path: /feed/private/{token}.ics
	// true true <nil>
	// feed token: identity: not found
}

func ExampleNormalizeEmail() {
	for _, in := range []string{"  Alice@Example.ORG ", "Alice <alice@example.org>", "alice"} {
		fmt.Println(identity.NormalizeEmail(in))
	}
	// Output:
	// alice@example.org <nil>
	//  invalid email: must be a plain address like name@example.org
	//  invalid email: is not a valid email address
}
