package sqlstore

import (
	"context"
	"fmt"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// PutRemoteGroup implements groups.RemoteStore.
func (s *store) PutRemoteGroup(ctx context.Context, g *groups.Group) error {
	return s.atomic(ctx, func(s *store) error {
		var local bool
		if err := s.queryRow(ctx, `SELECT local FROM actors WHERE id = ?`, g.ID).Scan(&local); err != nil {
			return s.wrap("remote group", err)
		}
		if local {
			return fmt.Errorf("%s: remote group: %s is a local actor: %w", s.d.Name, g.ID, storage.ErrConflict)
		}
		_, err := s.exec(ctx, "remote group",
			`INSERT INTO groups (actor_id, openness, visibility, address_present, address_name, address_street,
			address_locality, address_region, address_postal_code, address_country, address_latitude,
			address_longitude)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (actor_id) DO UPDATE SET openness = excluded.openness, visibility = excluded.visibility,
			address_present = excluded.address_present, address_name = excluded.address_name,
			address_street = excluded.address_street, address_locality = excluded.address_locality,
			address_region = excluded.address_region, address_postal_code = excluded.address_postal_code,
			address_country = excluded.address_country, address_latitude = excluded.address_latitude,
			address_longitude = excluded.address_longitude`,
			append([]any{g.ID, string(g.Openness), string(g.Visibility)}, placeArgs(g.Address)...)...)
		return err
	})
}
