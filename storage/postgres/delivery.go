package postgres

import "codeberg.org/convene/convene/federation/delivery"

// The delivery queue of federation/delivery (migration 0003): DB for the
// worker, Tx for the transactional outbox (storage.As[delivery.Queue]).
var (
	_ delivery.Queue = (*DB)(nil)
	_ delivery.Queue = (*Tx)(nil)
)
