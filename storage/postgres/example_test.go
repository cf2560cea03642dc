package postgres_test

import (
	"context"
	"fmt"
	"os"

	"codeberg.org/convene/convene/storage/postgres"
)

// Open connects, migrates and returns a pool; several processes may do
// this at once against one database. (Not run: it needs a server.)
func ExampleOpen() {
	ctx := context.Background()
	db, err := postgres.Open(ctx, postgres.Config{
		URL:      os.Getenv("DATABASE_URL"), // postgres://convene:…@db.internal:5432/convene?sslmode=verify-full
		MaxConns: 20,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer db.Close()
}
