package sqlstore

import (
	"context"
	"errors"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/ical"
)

// The iCalendar contracts: ical.UIDStore over ical_imported and
// ical.SubscriptionStore plus ical.SubscriptionManager over
// ical_subscriptions (migration 0002). An imported row goes with its
// event and its owner, a subscription with its profile and its group
// (ON DELETE CASCADE); a write that names one that does not exist is
// storage.ErrNotFound.

// ImportedUIDs returns the owner's imported UIDs, ordered by UID
// (bytewise); none for an empty owner.
func (s *store) ImportedUIDs(ctx context.Context, owner string) ([]ical.Imported, error) {
	if owner == "" {
		return nil, nil
	}
	rows, err := s.query(ctx, `SELECT owner_id, uid, source, event_id, fingerprint FROM ical_imported
		WHERE owner_id = ? ORDER BY uid`, owner)
	if err != nil {
		return nil, s.wrap("imported uids", err)
	}
	out, err := collect(rows, func(sc func(dest ...any) error) (ical.Imported, error) {
		var m ical.Imported
		err := sc(&m.Owner, &m.UID, &m.Source, &m.EventID, &m.Fingerprint)
		return m, err
	})
	return out, s.wrap("imported uids", err)
}

// PutImported inserts or replaces the row of (m.Owner, m.UID):
// storage.ErrNotFound when the owner or the event does not exist.
func (s *store) PutImported(ctx context.Context, m ical.Imported) error {
	switch {
	case m.Owner == "":
		return errors.New("sqlstore: put imported: empty Owner")
	case m.UID == "":
		return errors.New("sqlstore: put imported: empty UID")
	case m.EventID == "":
		return errors.New("sqlstore: put imported: empty EventID")
	}
	_, err := s.exec(ctx, "put imported",
		`INSERT INTO ical_imported (owner_id, uid, source, event_id, fingerprint) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (owner_id, uid) DO UPDATE SET
		source = excluded.source, event_id = excluded.event_id, fingerprint = excluded.fingerprint`,
		m.Owner, m.UID, m.Source, m.EventID, m.Fingerprint)
	return err
}

// DeleteImported removes the row of (owner, uid), or reports
// storage.ErrNotFound.
func (s *store) DeleteImported(ctx context.Context, owner, uid string) error {
	return s.execOne(ctx, "delete imported",
		`DELETE FROM ical_imported WHERE owner_id = ? AND uid = ?`, owner, uid)
}

const subscriptionCols = `id, actor_id, group_id, url, visibility, delete_missing, etag, last_modified,
	checked_at, next_at, last_error`

func scanSubscription(sc func(dest ...any) error) (ical.Subscription, error) {
	var sub ical.Subscription
	var vis string
	err := sc(&sub.ID, &sub.Target.ActorID, strCol{&sub.Target.GroupID}, &sub.URL, &vis, &sub.DeleteMissing,
		&sub.ETag, &sub.LastModified, timeCol{&sub.CheckedAt}, timeCol{&sub.NextAt}, &sub.LastError)
	sub.Visibility = events.Visibility(vis)
	return sub, err
}

// DueSubscriptions returns up to limit subscriptions (all when limit <=
// 0) whose NextAt is not after now, ordered by (NextAt, ID).
func (s *store) DueSubscriptions(ctx context.Context, now time.Time, limit int) ([]ical.Subscription, error) {
	q, args := `SELECT `+subscriptionCols+` FROM ical_subscriptions WHERE next_at <= ? ORDER BY next_at, id`,
		[]any{s.d.Time(now)}
	if limit > 0 {
		q += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, s.wrap("due subscriptions", err)
	}
	out, err := collect(rows, scanSubscription)
	return out, s.wrap("due subscriptions", err)
}

// SaveSubscription inserts or replaces the subscription sub.ID:
// storage.ErrNotFound when its profile or group does not exist. A zero
// CheckedAt is stored as NULL; a zero NextAt as the zero time (due).
func (s *store) SaveSubscription(ctx context.Context, sub *ical.Subscription) error {
	switch {
	case sub == nil:
		return errors.New("sqlstore: save subscription: nil subscription")
	case sub.ID == "":
		return errors.New("sqlstore: save subscription: empty ID")
	case sub.Target.ActorID == "":
		return errors.New("sqlstore: save subscription: empty Target.ActorID")
	}
	_, err := s.exec(ctx, "save subscription",
		`INSERT INTO ical_subscriptions (`+subscriptionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
		actor_id = excluded.actor_id, group_id = excluded.group_id, url = excluded.url,
		visibility = excluded.visibility, delete_missing = excluded.delete_missing, etag = excluded.etag,
		last_modified = excluded.last_modified, checked_at = excluded.checked_at, next_at = excluded.next_at,
		last_error = excluded.last_error`,
		sub.ID, sub.Target.ActorID, nullStr(sub.Target.GroupID), sub.URL, string(sub.Visibility), sub.DeleteMissing,
		sub.ETag, sub.LastModified, s.d.nullTime(sub.CheckedAt), s.d.Time(sub.NextAt), sub.LastError)
	return err
}

// GetSubscription returns the subscription id.
func (s *store) GetSubscription(ctx context.Context, id string) (*ical.Subscription, error) {
	sub, err := scanSubscription(s.queryRow(ctx,
		`SELECT `+subscriptionCols+` FROM ical_subscriptions WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, s.wrap("get subscription", err)
	}
	return &sub, nil
}

// ListSubscriptions returns owner's subscriptions by ID: the group's when
// owner is a group, the profile's own (no group) otherwise.
func (s *store) ListSubscriptions(ctx context.Context, owner string) ([]ical.Subscription, error) {
	if owner == "" {
		return nil, nil
	}
	rows, err := s.query(ctx, `SELECT `+subscriptionCols+` FROM ical_subscriptions
		WHERE group_id = ? OR (group_id IS NULL AND actor_id = ?) ORDER BY id`, owner, owner)
	if err != nil {
		return nil, s.wrap("list subscriptions", err)
	}
	out, err := collect(rows, scanSubscription)
	return out, s.wrap("list subscriptions", err)
}

// DeleteSubscription removes the subscription id, or reports
// storage.ErrNotFound.
func (s *store) DeleteSubscription(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete subscription", `DELETE FROM ical_subscriptions WHERE id = ?`, id)
}
