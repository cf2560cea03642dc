package fakeclock_test

import (
	"fmt"
	"time"

	"codeberg.org/convene/convene/internal/fakeclock"
)

func Example() {
	c := fakeclock.New(time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC))
	c.Advance(90 * time.Minute)
	fmt.Println(c.Now().Format(time.Kitchen))
	c.Set(time.Date(2026, 5, 4, 18, 0, 0, 0, time.UTC))
	fmt.Println(c.Now().Format(time.Kitchen))
	// Output:
	// 10:30AM
	// 6:00PM
}
