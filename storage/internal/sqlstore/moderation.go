package sqlstore

import (
	"context"
	"errors"

	"codeberg.org/convene/convene/moderation"
)

// Moderation (moderation.ReportStore): reports, notes, the action log
// and instance settings.

const reportCols = `id, ap_id, reporter_id, target_kind, target_id, target_actor_id, content_iris, comment,
	status, remote, forwarded, created_at, updated_at`

func scanReport(sc func(dest ...any) error) (moderation.Report, error) {
	var r moderation.Report
	var iris string
	err := sc(&r.ID, strCol{&r.APID}, &r.ReporterID, &r.Target.Kind, &r.Target.ID, &r.TargetActorID, &iris,
		&r.Comment, &r.Status, &r.Remote, &r.Forwarded, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt})
	if err != nil {
		return r, err
	}
	r.ContentIRIs, err = fromJSON[string](iris)
	return r, err
}

// CreateReport inserts r. ErrConflict on a taken ID or APID.
func (s *store) CreateReport(ctx context.Context, r *moderation.Report) error {
	if r.ID == "" {
		return errors.New("sqlstore: create report: empty ID")
	}
	iris, err := jsonText(r.ContentIRIs)
	if err != nil {
		return s.wrap("create report", err)
	}
	_, err = s.exec(ctx, "create report",
		`INSERT INTO reports (`+reportCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, nullStr(r.APID), r.ReporterID, string(r.Target.Kind), r.Target.ID, r.TargetActorID, iris,
		r.Comment, string(r.Status), r.Remote, r.Forwarded, s.d.Time(r.CreatedAt), s.d.Time(r.UpdatedAt))
	return err
}

// UpdateReport stores r's status and update time.
func (s *store) UpdateReport(ctx context.Context, r *moderation.Report) error {
	return s.execOne(ctx, "update report", `UPDATE reports SET status = ?, updated_at = ? WHERE id = ?`,
		string(r.Status), s.d.Time(r.UpdatedAt), r.ID)
}

// GetReport returns a report by ID.
func (s *store) GetReport(ctx context.Context, id string) (*moderation.Report, error) {
	r, err := scanReport(s.queryRow(ctx, `SELECT `+reportCols+` FROM reports WHERE id = ?`, id).Scan)
	if err != nil {
		return nil, s.wrap("get report", err)
	}
	return &r, nil
}

// GetReportByAPID returns a remote report by its Flag's id.
func (s *store) GetReportByAPID(ctx context.Context, apID string) (*moderation.Report, error) {
	if apID == "" {
		return nil, s.notFound("get report")
	}
	r, err := scanReport(s.queryRow(ctx, `SELECT `+reportCols+` FROM reports WHERE ap_id = ?`, apID).Scan)
	if err != nil {
		return nil, s.wrap("get report", err)
	}
	return &r, nil
}

// ListReports returns the reports matching q by (CreatedAt, ID).
func (s *store) ListReports(ctx context.Context, q moderation.ReportQuery) ([]moderation.Report, error) {
	var p page
	if len(q.Statuses) > 0 {
		list, args := in(q.Statuses)
		p.add("status IN "+list, args...)
	}
	if q.ReporterID != "" {
		p.add("reporter_id = ?", q.ReporterID)
	}
	if q.Target != (moderation.Target{}) {
		p.add("target_kind = ? AND target_id = ?", string(q.Target.Kind), q.Target.ID)
	}
	if q.TargetActorID != "" {
		p.add("target_actor_id = ?", q.TargetActorID)
	}
	rows, err := s.query(ctx, `SELECT `+reportCols+` FROM reports`+p.sql(s.d, "created_at", q.After, q.Limit), p.args...)
	if err != nil {
		return nil, s.wrap("list reports", err)
	}
	out, err := collect(rows, scanReport)
	return out, s.wrap("list reports", err)
}

const noteCols = `id, report_id, author_id, text, created_at`

func scanNote(sc func(dest ...any) error) (moderation.Note, error) {
	var n moderation.Note
	err := sc(&n.ID, &n.ReportID, &n.AuthorID, &n.Text, timeCol{&n.CreatedAt})
	return n, err
}

// CreateNote inserts n. ErrNotFound for a missing report.
func (s *store) CreateNote(ctx context.Context, n *moderation.Note) error {
	if n.ID == "" {
		return errors.New("sqlstore: create note: empty ID")
	}
	_, err := s.exec(ctx, "create note", `INSERT INTO report_notes (`+noteCols+`) VALUES (?, ?, ?, ?, ?)`,
		n.ID, n.ReportID, n.AuthorID, n.Text, s.d.Time(n.CreatedAt))
	return err
}

// ListNotes returns a report's notes by (CreatedAt, ID).
func (s *store) ListNotes(ctx context.Context, reportID string) ([]moderation.Note, error) {
	rows, err := s.query(ctx,
		`SELECT `+noteCols+` FROM report_notes WHERE report_id = ? ORDER BY created_at, id`, reportID)
	if err != nil {
		return nil, s.wrap("list notes", err)
	}
	out, err := collect(rows, scanNote)
	return out, s.wrap("list notes", err)
}

const actionCols = `id, account_id, kind, target_kind, target_id, report_id, comment, created_at`

func scanAction(sc func(dest ...any) error) (moderation.Action, error) {
	var a moderation.Action
	err := sc(&a.ID, &a.AccountID, &a.Kind, &a.Target.Kind, &a.Target.ID, strCol{&a.ReportID}, &a.Comment,
		timeCol{&a.CreatedAt})
	return a, err
}

// CreateAction appends a to the log. ErrNotFound for a missing report.
func (s *store) CreateAction(ctx context.Context, a *moderation.Action) error {
	if a.ID == "" {
		return errors.New("sqlstore: create action: empty ID")
	}
	_, err := s.exec(ctx, "create action",
		`INSERT INTO moderation_actions (`+actionCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		a.ID, a.AccountID, string(a.Kind), string(a.Target.Kind), a.Target.ID, nullStr(a.ReportID), a.Comment,
		s.d.Time(a.CreatedAt))
	return err
}

// ListActions returns the log entries matching q by (CreatedAt, ID).
func (s *store) ListActions(ctx context.Context, q moderation.ActionQuery) ([]moderation.Action, error) {
	var p page
	if q.ReportID != "" {
		p.add("report_id = ?", q.ReportID)
	}
	rows, err := s.query(ctx,
		`SELECT `+actionCols+` FROM moderation_actions`+p.sql(s.d, "created_at", q.After, q.Limit), p.args...)
	if err != nil {
		return nil, s.wrap("list actions", err)
	}
	out, err := collect(rows, scanAction)
	return out, s.wrap("list actions", err)
}

// GetSetting returns an instance setting.
func (s *store) GetSetting(ctx context.Context, key string) (*moderation.Setting, error) {
	var st moderation.Setting
	err := s.queryRow(ctx, `SELECT key, value, updated_at, updated_by FROM instance_settings WHERE key = ?`, key).
		Scan(&st.Key, &st.Value, timeCol{&st.UpdatedAt}, &st.UpdatedBy)
	if err != nil {
		return nil, s.wrap("get setting", err)
	}
	return &st, nil
}

// PutSetting inserts or replaces a setting.
func (s *store) PutSetting(ctx context.Context, st *moderation.Setting) error {
	if st.Key == "" {
		return errors.New("sqlstore: put setting: empty key")
	}
	_, err := s.exec(ctx, "put setting",
		`INSERT INTO instance_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at,
		updated_by = excluded.updated_by`,
		st.Key, st.Value, s.d.Time(st.UpdatedAt), st.UpdatedBy)
	return err
}
