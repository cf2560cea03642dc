package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/notify"
)

// Reports and moderation. Anyone signed in reports a profile, a group,
// an event or a comment (POST /report) as the current profile; admins
// and moderators (identity roles) see the queue under /moderation, a 404
// to everyone else, as are all of them when the instance has no
// moderation service. GET /rules is for everyone; admins edit it.

// ParticipantsMailer mails an organizer's message to an event's
// anonymous participants (who joined by email) and says how many mails
// went out. It runs before (the announcement to the participants with a
// profile) once the message is checked and the event's rate limit
// reserved, before any mail; before's error mails nothing and is
// returned. notify.Messenger implements it.
type ParticipantsMailer interface {
	AnonymousParticipantsMessage(ctx context.Context, e *events.Event, from *identity.Profile, subject, text string,
		before func(ctx context.Context) error) (int, error)
}

// fileReport is POST /report: kind, id, comment and back (a local path
// to return to).
func (w *Web) fileReport(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	if w.inst.Moderation == nil {
		return errNotFound
	}
	f := r.PostForm
	back := localPath(f.Get("back"))
	t := moderation.Target{Kind: moderation.TargetKind(f.Get("kind")), ID: f.Get("id")}
	_, err := w.inst.Moderation.File(r.Context(), v.account.ID, v.profile.ID, moderation.ReportInput{Target: t, Comment: f.Get("comment")})
	msg := "report_filed"
	var ve *moderation.ValidationError
	switch {
	case errors.Is(err, moderation.ErrAlreadyReported):
		msg = "report_already"
	case errors.As(err, &ve) && ve.Field == "target_id" && strings.Contains(ve.Reason, "itself"):
		msg = "report_own"
	case errors.Is(err, moderation.ErrNotFound):
		return errNotFound
	case errors.Is(err, moderation.ErrForbidden):
		return errForbidden
	case err != nil:
		return err
	}
	redirect(rw, r, back, msg)
	return nil
}

// staff is nil unless the visitor may moderate; the moderation pages
// are a 404 to everyone else.
func (w *Web) staff(v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	if w.inst.Moderation == nil || v.account == nil || v.account.Suspended ||
		(v.account.Role != identity.RoleAdmin && v.account.Role != identity.RoleModerator) {
		return errNotFound
	}
	return nil
}

type reportRow struct {
	moderation.Report
	Reporter, TargetName, TargetURL string
	// A reported discussion message (messageTarget): where it is (group
	// and discussion), its text (sanitized HTML) and whether it is
	// hidden now.
	Where, Text   string
	MessageHidden bool
}

type queueData struct {
	Status   string
	Statuses []moderation.Status
	Reports  []reportRow
	Next     string
}

// moderationQueue is GET /moderation?status=: the reports, oldest first.
func (w *Web) moderationQueue(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := w.staff(v); err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	st := q.Get("status")
	if _, ok := r.URL.Query()["status"]; !ok {
		st = string(moderation.StatusOpen)
	}
	rs, next, err := w.inst.Moderation.Reports(ctx, v.account.ID, moderation.ReportFilter{Status: moderation.Status(st), After: q.Get("after")})
	var ve *moderation.ValidationError
	if errors.As(err, &ve) {
		return errBadForm
	}
	if err != nil {
		return err
	}
	d := queueData{Status: st, Statuses: []moderation.Status{moderation.StatusOpen, moderation.StatusResolved, moderation.StatusDismissed}}
	names := newActorNames(w)
	for _, rp := range rs {
		d.Reports = append(d.Reports, w.reportRow(ctx, names, rp))
	}
	if next != "" {
		d.Next = "/moderation?status=" + urlQueryEscape(st) + "&after=" + urlQueryEscape(next)
	}
	w.render(rw, r, v, http.StatusOK, "mod_queue", "mod.queue", d)
	return nil
}

// reportRow names a report's reporter and target.
func (w *Web) reportRow(ctx context.Context, names *actorNames, rp moderation.Report) reportRow {
	row := reportRow{Report: rp, Reporter: names.name(ctx, rp.ReporterID), TargetName: names.name(ctx, rp.TargetActorID)}
	if a := names.get(ctx, rp.TargetActorID); a != nil {
		row.TargetName = names.name(ctx, a.ID) + " (" + a.Handle() + ")"
		row.TargetURL = actorURL(a.Local, a.Username, a.URL, a.APID)
	}
	switch rp.Target.Kind {
	case moderation.TargetEvent:
		row.TargetURL = "/events/" + rp.Target.ID
	case moderation.TargetComment:
		if len(rp.ContentIRIs) > 0 {
			row.TargetURL = rp.ContentIRIs[0]
		}
	case moderation.TargetDiscussionMessage:
		w.messageTarget(ctx, names, &row)
	}
	return row
}

type noteRow struct {
	moderation.Note
	Author string
}

type actionRow struct {
	moderation.Action
	By string
}

type reportData struct {
	Report         reportRow
	Notes          []noteRow
	Actions        []actionRow
	Open           bool
	LocalProfile   bool // the answerable actor is a local profile: its account may be suspended
	CanHide        bool // the target is a comment, an event or a discussion message, which moderators hide
	Hidden         bool // the target is an event or a discussion message that is hidden now
	Error, Detail  string
	Field          string
	ActionsOffered []moderation.ActionKind
}

// moderationReport is GET /moderation/reports/{rid}: a report, its
// notes and the actions taken.
func (w *Web) moderationReport(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := w.staff(v); err != nil {
		return err
	}
	d, err := w.reportData(r.Context(), v, r.PathValue("rid"))
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "mod_report", "mod.report", d)
	return nil
}

func (w *Web) reportData(ctx context.Context, v *visit, id string) (*reportData, error) {
	m := w.inst.Moderation
	rp, err := m.Report(ctx, v.account.ID, id)
	if err != nil {
		return nil, modErr(err)
	}
	ns, err := m.Notes(ctx, v.account.ID, rp.ID)
	if err != nil {
		return nil, modErr(err)
	}
	as, _, err := m.Log(ctx, v.account.ID, moderation.LogFilter{ReportID: rp.ID, Limit: moderation.MaxPageSize})
	if err != nil {
		return nil, modErr(err)
	}
	names := newActorNames(w)
	d := &reportData{Report: w.reportRow(ctx, names, *rp), Open: rp.Status == moderation.StatusOpen,
		CanHide: rp.Target.Kind == moderation.TargetComment || rp.Target.Kind == moderation.TargetEvent ||
			rp.Target.Kind == moderation.TargetDiscussionMessage}
	d.Hidden = d.Report.MessageHidden
	if rp.Target.Kind == moderation.TargetEvent {
		if e, err := w.inst.Events.GetForModeration(ctx, rp.Target.ID); err == nil {
			d.Hidden = e.Hidden
		} else if !errors.Is(err, events.ErrNotFound) {
			return nil, err
		}
	}
	if _, err := w.inst.Identity.GetProfile(ctx, rp.TargetActorID); err == nil {
		d.LocalProfile = true
	}
	for _, n := range ns {
		d.Notes = append(d.Notes, noteRow{Note: n, Author: w.accountName(ctx, n.AuthorID)})
	}
	for _, a := range as {
		d.Actions = append(d.Actions, actionRow{Action: a, By: w.accountName(ctx, a.AccountID)})
	}
	return d, nil
}

// accountName names a moderator's account by its default profile's
// handle, or its id.
func (w *Web) accountName(ctx context.Context, accountID string) string {
	ps, err := w.inst.Identity.ListProfiles(ctx, accountID)
	if err != nil || len(ps) == 0 {
		return accountID
	}
	return ps[0].Handle()
}

// modErr maps moderation's errors to pages: the queue's objects are a
// 404 to those who may not see them.
func modErr(err error) error {
	switch {
	case errors.Is(err, moderation.ErrForbidden), errors.Is(err, moderation.ErrNotFound):
		return &httpError{status: http.StatusNotFound, key: "error.not_found", err: err}
	}
	return err
}

// addNote is POST /moderation/reports/{rid}/notes.
func (w *Web) addNote(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := w.staff(v); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("rid")
	_, err := w.inst.Moderation.AddNote(ctx, v.account.ID, id, r.PostForm.Get("text"))
	var ve *moderation.ValidationError
	switch {
	case errors.As(err, &ve), errors.Is(err, moderation.ErrTooManyNotes):
		d, derr := w.reportData(ctx, v, id)
		if derr != nil {
			return derr
		}
		d.Error, d.Field = "form.invalid", "text"
		if ve != nil {
			d.Detail = ve.Reason
		} else {
			d.Detail = err.Error()
		}
		w.render(rw, r, v, http.StatusBadRequest, "mod_report", "mod.report", d)
		return nil
	case err != nil:
		return modErr(err)
	}
	redirect(rw, r, "/moderation/reports/"+id, "note_added")
	return nil
}

// actOnReport is POST /moderation/reports/{rid}/act: kind (resolve,
// dismiss, reopen, suspend_account, suspend, hide) and comment.
func (w *Web) actOnReport(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := w.staff(v); err != nil {
		return err
	}
	ctx, id := r.Context(), r.PathValue("rid")
	if _, err := w.inst.Moderation.Report(ctx, v.account.ID, id); err != nil {
		return modErr(err)
	}
	_, err := w.inst.Moderation.Act(ctx, v.account.ID, moderation.ActionInput{Kind: moderation.ActionKind(r.PostForm.Get("kind")),
		ReportID: id, Comment: r.PostForm.Get("comment")})
	msg := "action_done"
	var ve *moderation.ValidationError
	switch {
	case errors.Is(err, moderation.ErrUnsupported):
		msg = "action_unsupported"
	case errors.Is(err, moderation.ErrStatus):
		msg = "action_status"
	case errors.Is(err, moderation.ErrForbidden):
		msg = "action_forbidden"
	case errors.As(err, &ve):
		return &httpError{status: http.StatusBadRequest, key: "error.invalid", err: err}
	case err != nil:
		return err
	}
	redirect(rw, r, "/moderation/reports/"+id, msg)
	return nil
}

// actOnContent is POST /moderation/act: an action without a report
// (kind, target_kind, target_id, comment), such as showing a hidden
// event again from its page; back is the local path to return to.
func (w *Web) actOnContent(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := w.staff(v); err != nil {
		return err
	}
	f := r.PostForm
	_, err := w.inst.Moderation.Act(r.Context(), v.account.ID, moderation.ActionInput{Kind: moderation.ActionKind(f.Get("kind")),
		Target:  moderation.Target{Kind: moderation.TargetKind(f.Get("target_kind")), ID: f.Get("target_id")},
		Comment: f.Get("comment")})
	msg := "action_done"
	var ve *moderation.ValidationError
	switch {
	case errors.Is(err, moderation.ErrUnsupported):
		msg = "action_unsupported"
	case errors.Is(err, moderation.ErrForbidden):
		msg = "action_forbidden"
	case errors.As(err, &ve):
		return &httpError{status: http.StatusBadRequest, key: "error.invalid", err: err}
	case err != nil:
		return modErr(err)
	}
	back := f.Get("back")
	if back == "" {
		back = "/moderation/log"
	}
	redirect(rw, r, localPath(back), msg)
	return nil
}

type logData struct {
	Actions []actionRow
	Next    string
}

// moderationLog is GET /moderation/log: every action, oldest first.
func (w *Web) moderationLog(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := w.staff(v); err != nil {
		return err
	}
	ctx := r.Context()
	as, next, err := w.inst.Moderation.Log(ctx, v.account.ID, moderation.LogFilter{After: r.URL.Query().Get("after")})
	var ve *moderation.ValidationError
	if errors.As(err, &ve) {
		return errBadForm
	}
	if err != nil {
		return modErr(err)
	}
	var d logData
	for _, a := range as {
		d.Actions = append(d.Actions, actionRow{Action: a, By: w.accountName(ctx, a.AccountID)})
	}
	if next != "" {
		d.Next = "/moderation/log?after=" + urlQueryEscape(next)
	}
	w.render(rw, r, v, http.StatusOK, "mod_log", "mod.log", d)
	return nil
}

type rulesData struct {
	Rules          *moderation.Rules
	CanEdit        bool
	Text           string
	Error, Detail  string
	Field          string
	ParagraphsText []string
}

// rulesPage is GET /rules: the instance's rules, and their form for
// admins.
func (w *Web) rulesPage(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if w.inst.Moderation == nil {
		return errNotFound
	}
	rules, err := w.inst.Moderation.Rules(r.Context())
	if err != nil {
		return err
	}
	w.render(rw, r, v, http.StatusOK, "rules", "rules.title", w.rulesData(v, rules, rules.Text))
	return nil
}

func (w *Web) rulesData(v *visit, rules *moderation.Rules, text string) *rulesData {
	d := &rulesData{Rules: rules, CanEdit: v.isAdmin(), Text: text}
	for _, p := range strings.Split(strings.ReplaceAll(rules.Text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			d.ParagraphsText = append(d.ParagraphsText, p)
		}
	}
	return d
}

// setRules is POST /rules, for admins.
func (w *Web) setRules(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	if w.inst.Moderation == nil || !v.isAdmin() {
		return errNotFound
	}
	ctx := r.Context()
	text := r.PostForm.Get("text")
	_, err := w.inst.Moderation.SetRules(ctx, v.account.ID, text)
	var ve *moderation.ValidationError
	if errors.As(err, &ve) {
		rules, rerr := w.inst.Moderation.Rules(ctx)
		if rerr != nil {
			return rerr
		}
		d := w.rulesData(v, rules, text)
		d.Error, d.Field, d.Detail = "form.invalid", "text", ve.Reason
		w.render(rw, r, v, http.StatusBadRequest, "rules", "rules.title", d)
		return nil
	}
	if err != nil {
		return modErr(err)
	}
	redirect(rw, r, "/rules", "rules_saved")
	return nil
}

// messageParticipants is POST /events/{id}/message: the organizer's
// message to the event's participants, for those who may moderate the
// event. Participants with a profile, local or remote, get it as a
// conversations announcement in their own conversation (mailed to the
// local ones by the notifier, delivered to the remote ones by
// federation); anonymous participants get it by email.
func (w *Web) messageParticipants(rw http.ResponseWriter, r *http.Request, v *visit) error {
	if err := v.signedIn(); err != nil {
		return err
	}
	if w.messages == nil {
		return errNotFound
	}
	ctx, id := r.Context(), r.PathValue("id")
	e, err := w.inst.Events.Get(ctx, v.profile.ID, id)
	if err != nil {
		return err
	}
	if !w.mayModerate(ctx, e, v.profile.ID) {
		return errForbidden
	}
	subject, text := r.PostForm.Get("subject"), r.PostForm.Get("text")
	announced := 0
	sent, err := w.messages.AnonymousParticipantsMessage(ctx, e, v.profile, subject, text, func(ctx context.Context) error {
		var err error
		announced, err = w.announce(ctx, e, v.profile.ID, subject, text)
		return err
	})
	if flash, cerr := convErr(err); flash != "" {
		redirect(rw, r, "/events/"+e.ID, flash)
		return nil
	} else if cerr != err {
		return cerr
	}
	switch {
	case errors.Is(err, notify.ErrMessageTooSoon):
		redirect(rw, r, "/events/"+e.ID, "message_too_soon")
		return nil
	case errors.Is(err, notify.ErrInvalidMessage):
		return &httpError{status: http.StatusBadRequest, key: "error.invalid", err: err}
	case err != nil && sent == 0 && announced == 0:
		return err
	case err != nil:
		w.log.WarnContext(ctx, "web: participants message: some mails failed", "event", e.ID, "err", err)
	}
	w.log.InfoContext(ctx, "web: participants message", "event", e.ID, "profile", v.profile.ID, "sent", sent, "announced", announced)
	redirect(rw, r, "/events/"+e.ID, "message_sent")
	return nil
}

// mayModerate reports whether the profile may moderate the event (see
// its participants): what events.Service.Participants decides.
func (w *Web) mayModerate(ctx context.Context, e *events.Event, profileID string) bool {
	_, _, err := w.inst.Events.Participants(ctx, profileID, e.ID, nil, "", 1)
	return err == nil
}

// Staff reports whether the visitor moderates the instance (the
// moderation link).
func (p *page) Staff() bool {
	return p.v != nil && p.v.account != nil && !p.v.account.Suspended && p.w.inst.Moderation != nil &&
		(p.v.account.Role == identity.RoleAdmin || p.v.account.Role == identity.RoleModerator)
}

// reportTarget is the data of the "report" template.
type reportTarget struct{ Kind, ID string }

// Report is the report button's target.
func (p *page) Report(kind, id string) reportTarget { return reportTarget{Kind: kind, ID: id} }
