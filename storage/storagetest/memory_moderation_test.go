package storagetest_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
)

// ---- moderation (moderation.ReportStore) ----------------------------

// modState holds the moderation rows of a memState.
type modState struct {
	reports  map[string]moderation.Report
	notes    map[string]moderation.Note
	actions  map[string]moderation.Action
	settings map[string]moderation.Setting
}

func newModState() modState {
	return modState{reports: map[string]moderation.Report{}, notes: map[string]moderation.Note{},
		actions: map[string]moderation.Action{}, settings: map[string]moderation.Setting{}}
}

func (m modState) clone() modState {
	return modState{reports: maps.Clone(m.reports), notes: maps.Clone(m.notes),
		actions: maps.Clone(m.actions), settings: maps.Clone(m.settings)}
}

func (v *memView) modRead() *modState { return &v.read().mod }

func (v *memView) modWrite(ctx context.Context, fn func(m *modState) error) error {
	return v.write(ctx, func(s *memState) error { return fn(&s.mod) })
}

func copyReport(r moderation.Report) moderation.Report {
	r.ContentIRIs = slices.Clone(r.ContentIRIs)
	return utc(r)
}

func (v *memView) CreateReport(ctx context.Context, r *moderation.Report) error {
	return v.modWrite(ctx, func(m *modState) error {
		if _, ok := m.reports[r.ID]; ok {
			return conflict("report id")
		}
		for _, o := range m.reports {
			if r.APID != "" && o.APID == r.APID {
				return conflict("report APID")
			}
		}
		m.reports[r.ID] = copyReport(*r)
		return nil
	})
}

func (v *memView) UpdateReport(ctx context.Context, r *moderation.Report) error {
	return v.modWrite(ctx, func(m *modState) error {
		o, ok := m.reports[r.ID]
		if !ok {
			return notFound("report", r.ID)
		}
		o.Status, o.UpdatedAt = r.Status, r.UpdatedAt.UTC()
		m.reports[r.ID] = o
		return nil
	})
}

func (v *memView) GetReport(_ context.Context, id string) (*moderation.Report, error) {
	r, ok := v.modRead().reports[id]
	if !ok {
		return nil, notFound("report", id)
	}
	r = copyReport(r)
	return &r, nil
}

func (v *memView) GetReportByAPID(_ context.Context, apID string) (*moderation.Report, error) {
	for _, r := range v.modRead().reports {
		if apID != "" && r.APID == apID {
			r = copyReport(r)
			return &r, nil
		}
	}
	return nil, notFound("report", apID)
}

func (v *memView) ListReports(_ context.Context, q moderation.ReportQuery) ([]moderation.Report, error) {
	var out []moderation.Report
	for _, r := range v.modRead().reports {
		if oneOf(r.Status, q.Statuses) &&
			(q.ReporterID == "" || r.ReporterID == q.ReporterID) &&
			(q.Target == (moderation.Target{}) || r.Target == q.Target) &&
			(q.TargetActorID == "" || r.TargetActorID == q.TargetActorID) {
			out = append(out, copyReport(r))
		}
	}
	return page(out, func(r moderation.Report) (time.Time, string) { return r.CreatedAt, r.ID }, q.After, q.Limit), nil
}

func (v *memView) CreateNote(ctx context.Context, n *moderation.Note) error {
	return v.modWrite(ctx, func(m *modState) error {
		if _, ok := m.notes[n.ID]; ok {
			return conflict("note id")
		}
		if _, ok := m.reports[n.ReportID]; !ok {
			return notFound("report", n.ReportID)
		}
		m.notes[n.ID] = utc(*n)
		return nil
	})
}

func (v *memView) ListNotes(_ context.Context, reportID string) ([]moderation.Note, error) {
	var out []moderation.Note
	for _, n := range v.modRead().notes {
		if n.ReportID == reportID {
			out = append(out, n)
		}
	}
	return page(out, func(n moderation.Note) (time.Time, string) { return n.CreatedAt, n.ID }, storage.Cursor{}, 0), nil
}

func (v *memView) CreateAction(ctx context.Context, a *moderation.Action) error {
	return v.modWrite(ctx, func(m *modState) error {
		if _, ok := m.actions[a.ID]; ok {
			return conflict("action id")
		}
		if _, ok := m.reports[a.ReportID]; a.ReportID != "" && !ok {
			return notFound("report", a.ReportID)
		}
		m.actions[a.ID] = utc(*a)
		return nil
	})
}

func (v *memView) ListActions(_ context.Context, q moderation.ActionQuery) ([]moderation.Action, error) {
	var out []moderation.Action
	for _, a := range v.modRead().actions {
		if q.ReportID == "" || a.ReportID == q.ReportID {
			out = append(out, a)
		}
	}
	return page(out, func(a moderation.Action) (time.Time, string) { return a.CreatedAt, a.ID }, q.After, q.Limit), nil
}

func (v *memView) GetSetting(_ context.Context, key string) (*moderation.Setting, error) {
	s, ok := v.modRead().settings[key]
	if !ok {
		return nil, notFound("setting", key)
	}
	return &s, nil
}

func (v *memView) PutSetting(ctx context.Context, s *moderation.Setting) error {
	if s.Key == "" {
		return fmt.Errorf("memstore: put setting: empty key")
	}
	return v.modWrite(ctx, func(m *modState) error {
		m.settings[s.Key] = utc(*s)
		return nil
	})
}
