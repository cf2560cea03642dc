package postgres

import "codeberg.org/convene/convene/storage/internal/sqlstore"

// MigrationCount is the number of embedded migrations, for tests.
func MigrationCount() int {
	ms, err := sqlstore.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		panic(err)
	}
	return len(ms)
}
