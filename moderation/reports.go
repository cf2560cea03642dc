package moderation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"

	"codeberg.org/convene/convene/groups"
	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// ReportInput is a report a signed-in person files.
type ReportInput struct {
	Target  Target
	Comment string // plain text, at most MaxCommentLength bytes; optional
}

// resolved is a target looked up in the store.
type resolved struct {
	target     Target
	actor      *identity.Actor // the answerable actor
	contentIRI string          // event, comment or message APID; "" for actors
	remote     bool            // the target came from another instance
}

// resolve looks the target up and finds the actor answerable for it.
// An unknown target, or one of another kind (a group reported as an
// actor), is ErrNotFound.
func resolve(ctx context.Context, st TargetStore, t Target) (*resolved, error) {
	r := &resolved{target: t}
	var actorID string
	switch t.Kind {
	case TargetActor, TargetGroup:
		actorID = t.ID
	case TargetEvent:
		e, err := st.GetEvent(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("event %s: %w", t.ID, err)
		}
		actorID, r.contentIRI, r.remote = e.OrganizerID, e.APID, !e.Local
	case TargetComment:
		c, err := st.GetComment(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("comment %s: %w", t.ID, err)
		}
		actorID, r.contentIRI = c.AuthorID, c.APID
	case TargetDiscussionMessage:
		c, err := st.GetDiscussionComment(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("discussion message %s: %w", t.ID, err)
		}
		actorID, r.contentIRI, r.remote = c.AuthorID, c.APID, !c.Local
		if r.contentIRI == "" {
			// The first message of a remote discussion travels as the
			// discussion's Note: its id names it.
			d, err := st.GetDiscussion(ctx, c.DiscussionID)
			if err != nil {
				return nil, fmt.Errorf("discussion %s: %w", c.DiscussionID, err)
			}
			r.contentIRI = d.APID
		}
	default:
		return nil, fielderr.New("target_kind", kindsReason)
	}
	a, err := st.GetActor(ctx, actorID)
	if err != nil {
		return nil, fmt.Errorf("actor %s: %w", actorID, err)
	}
	isGroup := a.Type == identity.TypeGroup
	if (t.Kind == TargetActor && isGroup) || (t.Kind == TargetGroup && !isGroup) {
		return nil, fmt.Errorf("%s %s: %w", t.Kind, t.ID, storage.ErrNotFound)
	}
	r.actor = a
	r.remote = r.remote || !a.Local
	return r, nil
}

// kindsReason is the refusal of an unknown target kind.
const kindsReason = "must be one of actor, group, event, comment, discussion_message"

func checkTarget(t Target) error {
	if !slices.Contains(Kinds(), t.Kind) {
		return fielderr.New("target_kind", kindsReason)
	}
	return checkID("target_id", t.ID)
}

// File files a report by the profile profileID of the signed-in account
// accountID. Anyone signed in may report an actor, a group, an event, a
// comment or a discussion message, but not itself or its own content (a *ValidationError for
// field "target_id"), nor twice while the first report is open
// (ErrAlreadyReported). A target that does not exist is ErrNotFound. A
// profile that is not the account's, or a suspended account, is
// ErrForbidden.
//
// A report about a remote target is marked Forwarded: the Hook, called
// inside the report's transaction, forwards it to the target's instance
// as a Flag from the instance actor. The reporter is never federated.
func (s *Service) File(ctx context.Context, accountID, profileID string, in ReportInput) (*Report, error) {
	if err := checkTarget(in.Target); err != nil {
		return nil, err
	}
	comment, err := cleanText("comment", in.Comment, MaxCommentLength)
	if err != nil {
		return nil, err
	}
	if accountID == "" || profileID == "" {
		return nil, fmt.Errorf("moderation: file report: %w: not signed in", ErrForbidden)
	}
	prof, err := s.ident.ProfileOf(ctx, accountID, profileID)
	switch {
	case errors.Is(err, identity.ErrForbidden), errors.Is(err, identity.ErrSuspended), errors.Is(err, storage.ErrNotFound):
		return nil, fmt.Errorf("moderation: file report: %w: %w", ErrForbidden, err)
	case err != nil:
		return nil, fmt.Errorf("moderation: file report: %w", err)
	}
	var out *Report
	err = s.inTx(ctx, func(tx storage.Tx, st Store) error {
		t, err := resolve(ctx, st, in.Target)
		if err != nil {
			return err
		}
		if t.actor.ID == prof.ID {
			return fielderr.New("target_id", "a profile cannot report itself or its own content")
		}
		dup, err := st.ListReports(ctx, ReportQuery{Statuses: []Status{StatusOpen}, ReporterID: prof.ID,
			Target: in.Target, Limit: 1})
		if err != nil {
			return err
		}
		if len(dup) > 0 {
			return ErrAlreadyReported
		}
		now := s.clock()
		r := &Report{ID: s.newID(), ReporterID: prof.ID, Target: in.Target, TargetActorID: t.actor.ID,
			Comment: comment, Status: StatusOpen, Forwarded: t.remote, CreatedAt: now, UpdatedAt: now}
		if t.contentIRI != "" {
			r.ContentIRIs = []string{t.contentIRI}
		}
		if err := st.CreateReport(ctx, r); err != nil {
			return err
		}
		out = r
		return s.filed(ctx, tx, r)
	})
	if err != nil {
		return nil, fmt.Errorf("moderation: file report: %w", err)
	}
	return out, nil
}

// filed tells the hook of a new report.
func (s *Service) filed(ctx context.Context, tx storage.Tx, r *Report) error {
	if s.hook == nil {
		return nil
	}
	if err := s.hook.ReportFiled(ctx, tx, *r); err != nil {
		return fmt.Errorf("hook: %w", err)
	}
	return nil
}

// FlagInput is a Flag received from another instance, as the inbox read
// it (wire.ParsedActivity: ID, ObjectIRIs, Content).
type FlagInput struct {
	ID       string   // the Flag's ActivityPub id; required
	SenderID string   // storage id of the remote actor that sent it; required
	Objects  []string // the reported actor and content, as IRIs
	Content  string   // the report text, plain; cut to MaxCommentLength
}

// ReceiveFlag stores a report received as a Flag from another instance
// (Remote set, never Forwarded). The objects are looked up by their
// ActivityPub ids among the actors, events, comments and discussion
// messages known here (a discussion's id names its first message), at
// most MaxFlagObjects of them, and unknown ones are ignored. The first
// actor found is the reported one; as WIRE.md says, content that it does
// not own is dropped, and without an actor the owner of the first
// content found is the reported one. The report's target is the first
// comment kept, else the first discussion message, else the first
// event, else the actor.
//
// A Flag without id or sender, or whose sender is local, is a
// *ValidationError; one none of whose objects is known here is
// ErrNotFound; one received before is ErrAlreadyReported. The Hook is
// told, as for every report.
func (s *Service) ReceiveFlag(ctx context.Context, in FlagInput) (*Report, error) {
	if err := checkIRI("id", in.ID); err != nil {
		return nil, err
	}
	if err := checkID("sender_id", in.SenderID); err != nil {
		return nil, err
	}
	comment := cutText(in.Content, MaxCommentLength)
	var out *Report
	err := s.inTx(ctx, func(tx storage.Tx, st Store) error {
		sender, err := st.GetActor(ctx, in.SenderID)
		if err != nil {
			return fmt.Errorf("sender %s: %w", in.SenderID, err)
		}
		if sender.Local {
			return fielderr.New("sender_id", "is a local actor")
		}
		if _, err := st.GetReportByAPID(ctx, in.ID); err == nil {
			return ErrAlreadyReported
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		r, err := flagTarget(ctx, st, in.Objects)
		if err != nil {
			return err
		}
		now := s.clock()
		r.ID, r.APID, r.ReporterID, r.Comment = s.newID(), in.ID, sender.ID, comment
		r.Status, r.Remote, r.CreatedAt, r.UpdatedAt = StatusOpen, true, now, now
		if err := st.CreateReport(ctx, r); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return fmt.Errorf("%w: %w", ErrAlreadyReported, err)
			}
			return err
		}
		out = r
		return s.filed(ctx, tx, r)
	})
	if err != nil {
		return nil, fmt.Errorf("moderation: receive flag: %w", err)
	}
	return out, nil
}

// flagTarget resolves a Flag's objects into a report's target, target
// actor and content IRIs.
func flagTarget(ctx context.Context, st TargetStore, objects []string) (*Report, error) {
	var (
		actor    *identity.Actor
		content  []Target
		owners   []string
		iris     []string
		notFound = func(err error) bool { return errors.Is(err, storage.ErrNotFound) }
	)
	if len(objects) > MaxFlagObjects {
		objects = objects[:MaxFlagObjects]
	}
	for _, iri := range objects {
		if iri == "" || len(iri) > MaxIRILength {
			continue
		}
		if a, err := st.GetActorByAPID(ctx, iri); err == nil {
			if actor == nil {
				actor = a
			}
			continue
		} else if !notFound(err) {
			return nil, err
		}
		if e, err := st.GetEventByAPID(ctx, iri); err == nil {
			content, owners, iris = append(content, Target{TargetEvent, e.ID}), append(owners, e.OrganizerID), append(iris, iri)
			continue
		} else if !notFound(err) {
			return nil, err
		}
		if c, err := st.GetCommentByAPID(ctx, iri); err == nil {
			content, owners, iris = append(content, Target{TargetComment, c.ID}), append(owners, c.AuthorID), append(iris, iri)
			continue
		} else if !notFound(err) {
			return nil, err
		}
		c, err := discussionMessageByAPID(ctx, st, iri)
		switch {
		case err == nil:
			content, owners, iris = append(content, Target{TargetDiscussionMessage, c.ID}), append(owners, c.AuthorID), append(iris, iri)
		case !notFound(err):
			return nil, err
		}
	}
	if actor == nil {
		if len(owners) == 0 {
			return nil, fmt.Errorf("none of the flagged objects is known here: %w", storage.ErrNotFound)
		}
		a, err := st.GetActor(ctx, owners[0])
		if err != nil {
			return nil, fmt.Errorf("actor %s: %w", owners[0], err)
		}
		actor = a
	}
	r := &Report{TargetActorID: actor.ID, Target: Target{TargetActor, actor.ID}}
	if actor.Type == identity.TypeGroup {
		r.Target.Kind = TargetGroup
	}
	var kept []Target
	for i, t := range content {
		if owners[i] == actor.ID {
			kept = append(kept, t)
			r.ContentIRIs = append(r.ContentIRIs, iris[i])
		}
	}
	for _, kind := range []TargetKind{TargetComment, TargetDiscussionMessage, TargetEvent} {
		if i := slices.IndexFunc(kept, func(t Target) bool { return t.Kind == kind }); i >= 0 {
			r.Target = kept[i]
			break
		}
	}
	return r, nil
}

// discussionMessageByAPID finds a discussion message by its id, or the
// first message of the discussion with that id.
func discussionMessageByAPID(ctx context.Context, st TargetStore, iri string) (*groups.Comment, error) {
	c, err := st.GetDiscussionCommentByAPID(ctx, iri)
	if !errors.Is(err, storage.ErrNotFound) {
		return c, err
	}
	d, err := st.GetDiscussionByAPID(ctx, iri)
	if err != nil {
		return nil, err
	}
	return st.GetDiscussionComment(ctx, d.FirstCommentID())
}

// checkIRI checks an absolute http(s) IRI from the network.
func checkIRI(field, iri string) error {
	if iri == "" {
		return fielderr.New(field, "is required")
	}
	if len(iri) > MaxIRILength {
		return fielderr.New(field, "is longer than %d bytes", MaxIRILength)
	}
	u, err := url.Parse(iri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fielderr.New(field, "is not an absolute http(s) URL")
	}
	return nil
}

// ReportFilter selects reports of the moderation queue. Zero fields do
// not filter.
type ReportFilter struct {
	Status        Status // one status; "" means any
	TargetActorID string // reports about this actor and its content
	After         string // cursor of the previous page
	Limit         int    // DefaultPageSize when <= 0, at most MaxPageSize
}

// Reports lists the moderation queue, oldest first, for an admin or a
// moderator (ErrForbidden for anyone else). It returns the cursor of the
// next page, "" after the last one.
func (s *Service) Reports(ctx context.Context, accountID string, f ReportFilter) ([]Report, string, error) {
	if _, err := s.staff(ctx, accountID); err != nil {
		return nil, "", fmt.Errorf("moderation: reports: %w", err)
	}
	q := ReportQuery{TargetActorID: f.TargetActorID}
	switch f.Status {
	case "":
	case StatusOpen, StatusResolved, StatusDismissed:
		q.Statuses = []Status{f.Status}
	default:
		return nil, "", fielderr.New("status", "must be one of open, resolved, dismissed")
	}
	var err error
	if q.After, q.Limit, err = page(f.After, f.Limit); err != nil {
		return nil, "", err
	}
	rs, err := s.store.ListReports(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("moderation: reports: %w", err)
	}
	if len(rs) == 0 {
		return rs, "", nil
	}
	last := rs[len(rs)-1]
	return rs, next(len(rs), q.Limit, last.CreatedAt, last.ID), nil
}

// Report returns one report, for an admin or a moderator.
func (s *Service) Report(ctx context.Context, accountID, reportID string) (*Report, error) {
	if _, err := s.staff(ctx, accountID); err != nil {
		return nil, fmt.Errorf("moderation: report: %w", err)
	}
	r, err := s.store.GetReport(ctx, reportID)
	if err != nil {
		return nil, fmt.Errorf("moderation: report %s: %w", reportID, err)
	}
	return r, nil
}

// AddNote adds an admin's or a moderator's note to a report (plain
// text, field "text", 1 to MaxNoteLength bytes; at most
// MaxNotesPerReport notes a report).
func (s *Service) AddNote(ctx context.Context, accountID, reportID, text string) (*Note, error) {
	a, err := s.staff(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("moderation: add note: %w", err)
	}
	if err := checkID("report_id", reportID); err != nil {
		return nil, err
	}
	text, err = cleanText("text", text, MaxNoteLength)
	if err != nil {
		return nil, err
	}
	if text == "" {
		return nil, fielderr.New("text", "is required")
	}
	var out *Note
	err = s.inTx(ctx, func(_ storage.Tx, st Store) error {
		if _, err := st.GetReport(ctx, reportID); err != nil {
			return err
		}
		ns, err := st.ListNotes(ctx, reportID)
		if err != nil {
			return err
		}
		if len(ns) >= MaxNotesPerReport {
			return ErrTooManyNotes
		}
		n := &Note{ID: s.newID(), ReportID: reportID, AuthorID: a.ID, Text: text, CreatedAt: s.clock()}
		if err := st.CreateNote(ctx, n); err != nil {
			return err
		}
		out = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("moderation: add note to report %s: %w", reportID, err)
	}
	return out, nil
}

// Notes returns a report's notes, oldest first, for an admin or a
// moderator.
func (s *Service) Notes(ctx context.Context, accountID, reportID string) ([]Note, error) {
	if _, err := s.staff(ctx, accountID); err != nil {
		return nil, fmt.Errorf("moderation: notes: %w", err)
	}
	if _, err := s.store.GetReport(ctx, reportID); err != nil {
		return nil, fmt.Errorf("moderation: notes of report %s: %w", reportID, err)
	}
	ns, err := s.store.ListNotes(ctx, reportID)
	if err != nil {
		return nil, fmt.Errorf("moderation: notes of report %s: %w", reportID, err)
	}
	return ns, nil
}
