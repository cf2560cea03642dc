package usage_test

import (
	"context"
	"fmt"
	"time"

	"codeberg.org/convene/convene/federation/usage"
)

// counts stands in for a storage backend (storage/sqlite and
// storage/postgres implement usage.Store).
type counts struct{}

func (counts) CountLocalUsers(context.Context) (int, error) { return 12, nil }
func (counts) CountActiveUsers(_ context.Context, since time.Time) (int, error) {
	if time.Since(since) > 2*usage.ActiveMonth {
		return 9, nil // half year
	}
	return 4, nil
}
func (counts) CountLocalEvents(context.Context) (int, error)   { return 30, nil }
func (counts) CountLocalComments(context.Context) (int, error) { return 7, nil }

// A Source counts once per TTL; set it as endpoints.Config.Usage and
// NodeInfo publishes its numbers.
func Example() {
	src, err := usage.New(usage.Config{Store: counts{}})
	if err != nil {
		panic(err)
	}
	// endpoints.New(endpoints.Config{..., Usage: src})
	u, err := src.Usage(context.Background())
	if err != nil {
		panic(err)
	}
	fmt.Printf("users %d, active %d this month and %d this half year\n", *u.Users, *u.ActiveMonth, *u.ActiveHalfyear)
	fmt.Printf("localPosts %d, localComments %d\n", *u.LocalPosts, *u.LocalComments)
	// Output:
	// users 12, active 4 this month and 9 this half year
	// localPosts 30, localComments 7
}
