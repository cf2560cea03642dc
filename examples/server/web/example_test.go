package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"codeberg.org/convene/convene"
	"codeberg.org/convene/convene/examples/server/web"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/storage/sqlite"
)

// printSender prints the subject of each mail instead of sending it.
type printSender struct{}

func (printSender) Send(_ context.Context, m mail.Message) error {
	fmt.Println("mail to", m.To+":", m.Subject)
	return nil
}

// The web UI over an instance: mount its routes on the server's mux,
// and give its pages to federation's content negotiation
// (convene.FederationConfig.HTML = ui.Pages()).
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "convene-web-example")
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "convene.db")})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
	inst, err := convene.New(convene.Config{Store: db, BaseURL: "https://events.example", GenerateKey: fixedKey,
		Argon2: identity.Argon2Params{Time: 1, MemoryKiB: 64, Threads: 1, KeyLen: 32, SaltLen: 16}})
	if err != nil {
		fmt.Println(err)
		return
	}
	mailer, _ := web.NewTextMailer(printSender{}, "Events")
	ui, err := web.New(web.Config{Instance: inst, Participations: db, Secret: []byte("a secret of at least 32 bytes!!!"),
		Confirmations: mailer, Resets: mailer})
	if err != nil {
		fmt.Println(err)
		return
	}
	mux := http.NewServeMux()
	for _, pattern := range ui.Routes() {
		mux.Handle(pattern, ui)
	}
	acct, _, _ := inst.Identity.Register(ctx, identity.RegisterInput{Email: "ada@mail.example", Password: "a long password", Username: "ada"})
	_ = mailer.SendConfirmation(ctx, acct, "https://events.example/confirm?token=…")

	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest("GET", "/login", nil))
	fmt.Println(rec.Code, rec.Header().Get("Content-Type"))
	// Output:
	// mail to ada@mail.example: Confirm your email address on Events
	// 200 text/html; charset=utf-8
}
