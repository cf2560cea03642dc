package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"codeberg.org/convene/convene/geo"
	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/storage"
)

// Places are stored as columns with a prefix: <p>present (the pointer is
// non-nil), <p>name, <p>street, <p>locality, <p>region, <p>postal_code,
// <p>country, <p>latitude, <p>longitude (NULL when absent).

func placeArgs(p *geo.Place) []any {
	if p == nil {
		return []any{false, "", "", "", "", "", "", nil, nil}
	}
	f := func(v *float64) any {
		if v == nil {
			return nil
		}
		return *v
	}
	return []any{true, p.Name, p.Street, p.Locality, p.Region, p.PostalCode, p.Country, f(p.Latitude), f(p.Longitude)}
}

// placeDest scans the place columns into *dst.
type placeDest struct {
	dst      **geo.Place
	present  bool
	p        geo.Place
	lat, lon sql.NullFloat64
}

func (pd *placeDest) dest() []any {
	return []any{&pd.present, &pd.p.Name, &pd.p.Street, &pd.p.Locality, &pd.p.Region, &pd.p.PostalCode,
		&pd.p.Country, &pd.lat, &pd.lon}
}

func (pd *placeDest) finish() {
	if !pd.present {
		*pd.dst = nil
		return
	}
	p := pd.p
	if pd.lat.Valid {
		v := pd.lat.Float64
		p.Latitude = &v
	}
	if pd.lon.Valid {
		v := pd.lon.Float64
		p.Longitude = &v
	}
	*pd.dst = &p
}

const groupCols = actorCols + `, g.openness, g.visibility`

func scanGroup(sc func(dest ...any) error) (*groups.Group, error) {
	var g groups.Group
	pd := placeDest{dst: &g.Address}
	dest := append(actorDest(&g.Actor), &g.Openness, &g.Visibility)
	if err := sc(append(dest, pd.dest()...)...); err != nil {
		return nil, err
	}
	pd.finish()
	return &g, nil
}

const groupSelect = `SELECT ` + groupCols + `, g.address_present, g.address_name, g.address_street,
	g.address_locality, g.address_region, g.address_postal_code, g.address_country, g.address_latitude,
	g.address_longitude FROM groups g JOIN actors a ON a.id = g.actor_id`

// CreateGroup inserts the group's actor and settings in one write.
func (s *store) CreateGroup(ctx context.Context, g *groups.Group) error {
	return s.atomic(ctx, func(s *store) error {
		if err := s.insertActor(ctx, "create group", &g.Actor); err != nil {
			return err
		}
		_, err := s.exec(ctx, "create group",
			`INSERT INTO groups (actor_id, openness, visibility, address_present, address_name, address_street,
			address_locality, address_region, address_postal_code, address_country, address_latitude,
			address_longitude)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			append([]any{g.ID, string(g.Openness), string(g.Visibility)}, placeArgs(g.Address)...)...)
		return err
	})
}

// UpdateGroup replaces the group's actor fields and settings.
func (s *store) UpdateGroup(ctx context.Context, g *groups.Group) error {
	return s.atomic(ctx, func(s *store) error {
		// The settings first: a row that is not a group changes nothing.
		if err := s.execOne(ctx, "update group",
			`UPDATE groups SET openness = ?, visibility = ?, address_present = ?, address_name = ?,
			address_street = ?, address_locality = ?, address_region = ?, address_postal_code = ?,
			address_country = ?, address_latitude = ?, address_longitude = ? WHERE actor_id = ?`,
			append(append([]any{string(g.Openness), string(g.Visibility)}, placeArgs(g.Address)...), g.ID)...); err != nil {
			return err
		}
		return s.updateActor(ctx, "update group", &g.Actor)
	})
}

// GetGroup returns a group by ID.
func (s *store) GetGroup(ctx context.Context, id string) (*groups.Group, error) {
	g, err := scanGroup(s.queryRow(ctx, groupSelect+` WHERE g.actor_id = ?`, id).Scan)
	return g, s.wrap("get group", err)
}

// LockGroup returns the group, locking it until the transaction ends.
func (s *store) LockGroup(ctx context.Context, id string) (*groups.Group, error) {
	g, err := scanGroup(s.r.QueryRowContext(ctx, s.d.rebind(groupSelect+` WHERE g.actor_id = ?`+s.lockClause()), id).Scan)
	return g, s.wrap("lock group", err)
}

// lockClause is the dialect's locking clause inside a transaction, ""
// outside one (where a lock would end with the statement anyway).
func (s *store) lockClause() string {
	if s.tx == nil {
		return ""
	}
	return s.d.ForUpdate
}

// DeleteGroup removes the group, its actor and its memberships.
func (s *store) DeleteGroup(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete group",
		`DELETE FROM actors WHERE id = ? AND EXISTS (SELECT 1 FROM groups g WHERE g.actor_id = actors.id)`, id)
}

// Members.

const memberCols = `id, ap_id, group_id, actor_id, role, invited_by, created_at, updated_at`

func scanMember(sc func(dest ...any) error) (groups.Member, error) {
	var m groups.Member
	err := sc(&m.ID, strCol{&m.APID}, &m.GroupID, &m.ActorID, &m.Role, &m.InvitedBy,
		timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt})
	return m, err
}

// PutMember inserts or updates the membership of the pair; the ID and
// CreatedAt of an existing row are kept and copied back into m.
// ErrNotFound when the group or the actor does not exist.
func (s *store) PutMember(ctx context.Context, m *groups.Member) error {
	if m.ID == "" {
		return errors.New("sqlstore: put member: empty ID")
	}
	var id string
	var created time.Time
	err := s.w.QueryRowContext(ctx, s.d.rebind(
		`INSERT INTO members (`+memberCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (group_id, actor_id) DO UPDATE SET
		ap_id = excluded.ap_id, role = excluded.role, invited_by = excluded.invited_by,
		updated_at = excluded.updated_at
		RETURNING id, created_at`),
		m.ID, nullStr(m.APID), m.GroupID, m.ActorID, string(m.Role), m.InvitedBy,
		s.d.Time(m.CreatedAt), s.d.Time(m.UpdatedAt)).Scan(&id, timeCol{&created})
	if err != nil {
		return s.wrap("put member", err)
	}
	m.ID, m.CreatedAt = id, created
	return nil
}

// GetMember returns the membership of actorID in groupID.
func (s *store) GetMember(ctx context.Context, groupID, actorID string) (*groups.Member, error) {
	m, err := scanMember(s.queryRow(ctx,
		`SELECT `+memberCols+` FROM members WHERE group_id = ? AND actor_id = ?`, groupID, actorID).Scan)
	if err != nil {
		return nil, s.wrap("get member", err)
	}
	return &m, nil
}

// GetMemberByAPID returns a membership by its ActivityPub id.
func (s *store) GetMemberByAPID(ctx context.Context, apID string) (*groups.Member, error) {
	if apID == "" {
		return nil, s.notFound("get member by ap id")
	}
	m, err := scanMember(s.queryRow(ctx, `SELECT `+memberCols+` FROM members WHERE ap_id = ?`, apID).Scan)
	if err != nil {
		return nil, s.wrap("get member by ap id", err)
	}
	return &m, nil
}

// DeleteMember removes the membership of actorID in groupID.
func (s *store) DeleteMember(ctx context.Context, groupID, actorID string) error {
	return s.execOne(ctx, "delete member",
		`DELETE FROM members WHERE group_id = ? AND actor_id = ?`, groupID, actorID)
}

// ListMembers returns a group's memberships in roles (all when empty).
func (s *store) ListMembers(ctx context.Context, groupID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	return s.listMembers(ctx, "list members", "group_id", groupID, roles, after, limit)
}

// ListMemberships returns an actor's memberships in roles (all when
// empty).
func (s *store) ListMemberships(ctx context.Context, actorID string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	return s.listMembers(ctx, "list memberships", "actor_id", actorID, roles, after, limit)
}

func (s *store) listMembers(ctx context.Context, op, col, key string, roles []groups.Role, after storage.Cursor, limit int) ([]groups.Member, error) {
	var p page
	p.add(col+" = ?", key)
	if len(roles) > 0 {
		list, args := in(roles)
		p.add("role IN "+list, args...)
	}
	rows, err := s.query(ctx, `SELECT `+memberCols+` FROM members`+p.sql(s.d, "created_at", after, limit), p.args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := collect(rows, scanMember)
	return out, s.wrap(op, err)
}

// CountMembers counts a group's memberships in roles (all when empty).
func (s *store) CountMembers(ctx context.Context, groupID string, roles []groups.Role) (int, error) {
	q, args := `SELECT count(*) FROM members WHERE group_id = ?`, []any{groupID}
	if len(roles) > 0 {
		list, rargs := in(roles)
		q += " AND role IN " + list
		args = append(args, rargs...)
	}
	var n int
	err := s.queryRow(ctx, q, args...).Scan(&n)
	return n, s.wrap("count members", err)
}
