package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/http"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
)

// MaxExported bounds the participants of a CSV export.
const MaxExported = 10_000

// exportParticipants is GET /events/{id}/participants.csv, for those
// who may moderate the event: handle, display name, role and when they
// joined. An anonymous participant shows as such: never an email.
func (w *Web) exportParticipants(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("id")
	e, err := w.inst.Events.Get(ctx, v.profile.ID, id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{translate(v.lang, "export.handle"), translate(v.lang, "export.name"),
		translate(v.lang, "export.role"), translate(v.lang, "export.joined_at")})
	names := newActorNames(w)
	after := ""
	for n := 0; n < MaxExported; {
		ps, next, err := w.inst.Events.Participants(ctx, v.profile.ID, e.ID, nil, after, events.MaxPageSize)
		if err != nil {
			return err // ErrForbidden for those who may not moderate
		}
		for _, p := range ps {
			_ = cw.Write(w.exportRow(ctx, names, v.lang, p))
		}
		n += len(ps)
		if next == "" || len(ps) == 0 {
			break
		}
		after = next
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="participants-`+e.ID+`.csv"`)
	rw.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = rw.Write(buf.Bytes())
	}
	return nil
}

// exportRow is one participant's row. Cells that a spreadsheet would
// read as a formula are quoted with a leading apostrophe.
func (w *Web) exportRow(ctx context.Context, names *actorNames, lang string, p events.Participant) []string {
	handle, name := "", translate(lang, "event.anonymous")
	if a := names.get(ctx, p.ActorID); a != nil {
		handle, name = strings.TrimPrefix(a.Handle(), "@"), a.DisplayName
	}
	return []string{cell(handle), cell(name), string(p.Role), p.CreatedAt.UTC().Format(time.RFC3339)}
}

// cell defuses spreadsheet formulas (CSV injection).
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// moderateComment approves or rejects a held comment of the event in
// the path.
func (w *Web) moderateComment(rw http.ResponseWriter, r *http.Request, v *visit, approve bool) error {
	return w.eventAction(rw, r, v, func(ctx context.Context, id, profile string) (string, error) {
		// The comment must be of this event: look it up in the list the
		// moderator sees.
		cid := r.PathValue("cid")
		found := false
		after := ""
		for range 50 {
			cs, next, err := w.inst.Events.Comments(ctx, profile, id, after, events.MaxPageSize)
			if err != nil {
				return "", err
			}
			for _, c := range cs {
				found = found || c.ID == cid
			}
			if found || next == "" {
				break
			}
			after = next
		}
		if !found {
			return "", errNotFound
		}
		if _, err := w.inst.Events.ModerateComment(ctx, profile, cid, approve); err != nil {
			return "", err
		}
		if approve {
			return "comment_approved", nil
		}
		return "comment_rejected", nil
	})
}

func (w *Web) approveComment(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.moderateComment(rw, r, v, true)
}

func (w *Web) rejectComment(rw http.ResponseWriter, r *http.Request, v *visit) error {
	return w.moderateComment(rw, r, v, false)
}
