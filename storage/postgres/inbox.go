package postgres

import "codeberg.org/convene/convene/federation/inbox"

// The inbox's remembered state and the federation policy (migration
// 0005), on DB and, inside a transaction, on Tx.
var (
	_ inbox.Seen           = (*DB)(nil)
	_ inbox.Tombstones     = (*DB)(nil)
	_ inbox.Policy         = (*DB)(nil)
	_ inbox.PolicyAdmin    = (*DB)(nil)
	_ inbox.TombstoneDates = (*DB)(nil)
	_ inbox.Seen           = (*Tx)(nil)
	_ inbox.Tombstones     = (*Tx)(nil)
	_ inbox.Policy         = (*Tx)(nil)
	_ inbox.PolicyAdmin    = (*Tx)(nil)
	_ inbox.TombstoneDates = (*Tx)(nil)
)
