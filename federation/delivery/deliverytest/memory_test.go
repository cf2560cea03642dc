package deliverytest_test

import (
	"testing"

	"codeberg.org/convene/convene/federation/delivery"
	"codeberg.org/convene/convene/federation/delivery/deliverytest"
	"codeberg.org/convene/convene/storage/storagetest"
)

// TestConformance holds the fake to the queue contract, so that worker
// tests on it mean what they would on a database.
func TestConformance(t *testing.T) {
	storagetest.RunDelivery(t, func(t *testing.T) delivery.Queue { return &deliverytest.Memory{} })
}
