package sqlstore

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/storage"
)

// Participants.

const participantCols = `id, ap_id, event_id, actor_id, role, message, email, confirm_token_hash,
	cancel_token_hash, locale, created_at, updated_at`

func scanParticipant(sc func(dest ...any) error) (events.Participant, error) {
	var p events.Participant
	err := sc(&p.ID, strCol{&p.APID}, &p.EventID, strCol{&p.ActorID}, &p.Role, &p.Message, &p.Email,
		&p.ConfirmTokenHash, &p.CancelTokenHash, &p.Locale, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	return p, err
}

func scanParticipantPtr(sc func(dest ...any) error) (*events.Participant, error) {
	p, err := scanParticipant(sc)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// participantArgs are the values of participantCols but id.
func (s *store) participantArgs(p *events.Participant) []any {
	return []any{nullStr(p.APID), p.EventID, nullStr(p.ActorID), string(p.Role), p.Message, p.Email,
		nullBytes(p.ConfirmTokenHash), nullBytes(p.CancelTokenHash), p.Locale,
		s.d.Time(p.CreatedAt), s.d.Time(p.UpdatedAt)}
}

// CreateParticipant inserts p. ErrConflict when the actor already takes
// part in the event or p.APID is taken; ErrNotFound when the event does
// not exist.
func (s *store) CreateParticipant(ctx context.Context, p *events.Participant) error {
	if p.ID == "" {
		return errors.New("sqlstore: create participant: empty ID")
	}
	_, err := s.exec(ctx, "create participant",
		`INSERT INTO participants (`+participantCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{p.ID}, s.participantArgs(p)...)...)
	return err
}

// UpdateParticipant replaces the stored participation by ID.
func (s *store) UpdateParticipant(ctx context.Context, p *events.Participant) error {
	return s.execOne(ctx, "update participant",
		`UPDATE participants SET ap_id = ?, event_id = ?, actor_id = ?, role = ?, message = ?, email = ?,
		confirm_token_hash = ?, cancel_token_hash = ?, locale = ?, created_at = ?, updated_at = ? WHERE id = ?`,
		append(s.participantArgs(p), p.ID)...)
}

// GetParticipant returns a participation by ID.
func (s *store) GetParticipant(ctx context.Context, id string) (*events.Participant, error) {
	p, err := scanParticipantPtr(s.queryRow(ctx, `SELECT `+participantCols+` FROM participants WHERE id = ?`, id).Scan)
	return p, s.wrap("get participant", err)
}

// GetParticipantByActor returns the participation of actorID in eventID.
func (s *store) GetParticipantByActor(ctx context.Context, eventID, actorID string) (*events.Participant, error) {
	if actorID == "" {
		return nil, s.notFound("get participant by actor")
	}
	p, err := scanParticipantPtr(s.queryRow(ctx,
		`SELECT `+participantCols+` FROM participants WHERE event_id = ? AND actor_id = ?`, eventID, actorID).Scan)
	return p, s.wrap("get participant by actor", err)
}

// GetParticipantByAPID returns a participation by its Join's id.
func (s *store) GetParticipantByAPID(ctx context.Context, apID string) (*events.Participant, error) {
	if apID == "" {
		return nil, s.notFound("get participant by ap id")
	}
	p, err := scanParticipantPtr(s.queryRow(ctx,
		`SELECT `+participantCols+` FROM participants WHERE ap_id = ?`, apID).Scan)
	return p, s.wrap("get participant by ap id", err)
}

// GetParticipantByToken finds a participation by the hash of its
// confirmation or cancellation token.
func (s *store) GetParticipantByToken(ctx context.Context, hash []byte) (*events.Participant, error) {
	if len(hash) == 0 {
		return nil, s.notFound("get participant by token")
	}
	p, err := scanParticipantPtr(s.queryRow(ctx,
		`SELECT `+participantCols+` FROM participants WHERE confirm_token_hash = ?
		UNION ALL SELECT `+participantCols+` FROM participants WHERE cancel_token_hash = ? LIMIT 1`,
		hash, hash).Scan)
	return p, s.wrap("get participant by token", err)
}

// DeleteParticipant removes a participation by ID.
func (s *store) DeleteParticipant(ctx context.Context, id string) error {
	return s.execOne(ctx, "delete participant", `DELETE FROM participants WHERE id = ?`, id)
}

// CountParticipants counts an event's participations in roles (all when
// empty).
func (s *store) CountParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole) (int, error) {
	q, args := `SELECT count(*) FROM participants WHERE event_id = ?`, []any{eventID}
	if len(roles) > 0 {
		list, rargs := in(roles)
		q += " AND role IN " + list
		args = append(args, rargs...)
	}
	var n int
	err := s.queryRow(ctx, q, args...).Scan(&n)
	return n, s.wrap("count participants", err)
}

// ListParticipants returns an event's participations in roles (all when
// empty), ordered by (CreatedAt, ID).
func (s *store) ListParticipants(ctx context.Context, eventID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	return s.listParticipants(ctx, "list participants", "event_id", eventID, roles, after, limit)
}

// ListParticipations returns an actor's participations in roles (all
// when empty), ordered by (CreatedAt, ID).
func (s *store) ListParticipations(ctx context.Context, actorID string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	if actorID == "" {
		return nil, nil
	}
	return s.listParticipants(ctx, "list participations", "actor_id", actorID, roles, after, limit)
}

func (s *store) listParticipants(ctx context.Context, op, col, key string, roles []events.ParticipantRole, after storage.Cursor, limit int) ([]events.Participant, error) {
	var p page
	p.add(col+" = ?", key)
	if len(roles) > 0 {
		list, args := in(roles)
		p.add("role IN "+list, args...)
	}
	rows, err := s.query(ctx, `SELECT `+participantCols+` FROM participants`+p.sql(s.d, "created_at", after, limit), p.args...)
	if err != nil {
		return nil, s.wrap(op, err)
	}
	out, err := collect(rows, scanParticipant)
	return out, s.wrap(op, err)
}

// Comments.

const commentCols = `id, ap_id, url, event_id, author_id, in_reply_to, text, state, created_at, updated_at`

func scanComment(sc func(dest ...any) error) (events.Comment, error) {
	var c events.Comment
	err := sc(&c.ID, strCol{&c.APID}, &c.URL, &c.EventID, &c.AuthorID, &c.InReplyTo, &c.Text, &c.State,
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	return c, err
}

func scanCommentPtr(sc func(dest ...any) error) (*events.Comment, error) {
	c, err := scanComment(sc)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *store) commentArgs(c *events.Comment) []any {
	return []any{nullStr(c.APID), c.URL, c.EventID, c.AuthorID, c.InReplyTo, c.Text, string(c.State),
		s.d.Time(c.CreatedAt), s.d.Time(c.UpdatedAt)}
}

// CreateComment inserts c. ErrConflict on a taken ID or APID; ErrNotFound
// when the event does not exist.
func (s *store) CreateComment(ctx context.Context, c *events.Comment) error {
	if c.ID == "" {
		return errors.New("sqlstore: create comment: empty ID")
	}
	_, err := s.exec(ctx, "create comment",
		`INSERT INTO comments (`+commentCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		append([]any{c.ID}, s.commentArgs(c)...)...)
	return err
}

// UpdateComment replaces the stored comment by ID.
func (s *store) UpdateComment(ctx context.Context, c *events.Comment) error {
	return s.execOne(ctx, "update comment",
		`UPDATE comments SET ap_id = ?, url = ?, event_id = ?, author_id = ?, in_reply_to = ?, text = ?,
		state = ?, created_at = ?, updated_at = ? WHERE id = ?`,
		append(s.commentArgs(c), c.ID)...)
}

// GetComment returns a comment by ID.
func (s *store) GetComment(ctx context.Context, id string) (*events.Comment, error) {
	c, err := scanCommentPtr(s.queryRow(ctx, `SELECT `+commentCols+` FROM comments WHERE id = ?`, id).Scan)
	return c, s.wrap("get comment", err)
}

// GetCommentByAPID returns a comment by its ActivityPub id.
func (s *store) GetCommentByAPID(ctx context.Context, apID string) (*events.Comment, error) {
	if apID == "" {
		return nil, s.notFound("get comment by ap id")
	}
	c, err := scanCommentPtr(s.queryRow(ctx, `SELECT `+commentCols+` FROM comments WHERE ap_id = ?`, apID).Scan)
	return c, s.wrap("get comment by ap id", err)
}

// ListComments returns an event's comments in states (all when empty),
// ordered by (CreatedAt, ID).
func (s *store) ListComments(ctx context.Context, eventID string, states []events.CommentState, after storage.Cursor, limit int) ([]events.Comment, error) {
	var p page
	p.add("event_id = ?", eventID)
	if len(states) > 0 {
		list, args := in(states)
		p.add("state IN "+list, args...)
	}
	rows, err := s.query(ctx, `SELECT `+commentCols+` FROM comments`+p.sql(s.d, "created_at", after, limit), p.args...)
	if err != nil {
		return nil, s.wrap("list comments", err)
	}
	out, err := collect(rows, scanComment)
	return out, s.wrap("list comments", err)
}
