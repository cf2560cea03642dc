package moderation

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"codeberg.org/convene/convene/identity"
	"codeberg.org/convene/convene/internal/fielderr"
	"codeberg.org/convene/convene/storage"
)

// ActionInput is what a moderator does.
type ActionInput struct {
	Kind ActionKind
	// ReportID is the report acted upon; required for ActionResolve,
	// ActionDismiss and ActionReopen, optional otherwise.
	ReportID string
	// Target is what the action changes. When zero it comes from the
	// report: the reported event, comment or message for hiding, the
	// answerable actor (the reported actor or group, the event's
	// organizer, the comment's or message's author) for suspending. Ignored by status changes,
	// which log the report's target.
	Target Target
	// Comment is the moderator's reason, plain text, at most
	// MaxReasonLength bytes; optional.
	Comment string
}

// Act carries out a moderator's action and logs it. Only admins and
// moderators act (ErrForbidden). Kinds and the targets they take:
//
//   - ActionHide, ActionUnhide: an event, a comment or a discussion
//     message (ContentHider);
//   - ActionSuspend, ActionUnsuspend: an actor or a group, local or
//     remote (Suspender);
//   - ActionSuspendAccount, ActionUnsuspendAccount: a local profile,
//     whose account is suspended (Identity.Suspend);
//   - ActionResolve, ActionDismiss: an open report; ActionReopen: a
//     resolved or dismissed one (ErrStatus otherwise).
//
// Nobody suspends their own account or profile, and only admins suspend
// the account or profile of an admin or a moderator (ErrForbidden). A
// target of the wrong kind is a *ValidationError ("target_kind"); an
// unknown one ErrNotFound; an action whose Config field is nil
// ErrUnsupported. Bad input changes nothing.
//
// The change to the target is made first, through the service that
// owns it, then the log entry is written. Changes are idempotent, so if
// logging fails (the error is returned) the moderator simply acts again.
func (s *Service) Act(ctx context.Context, accountID string, in ActionInput) (*Action, error) {
	me, err := s.staff(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("moderation: act: %w", err)
	}
	if !slices.Contains(ActionKinds(), in.Kind) {
		return nil, fielderr.New("kind", "is not a moderation action")
	}
	comment, err := cleanText("comment", in.Comment, MaxReasonLength)
	if err != nil {
		return nil, err
	}
	if in.ReportID != "" {
		if err := checkID("report_id", in.ReportID); err != nil {
			return nil, err
		}
	}
	if in.Target != (Target{}) {
		if err := checkTarget(in.Target); err != nil {
			return nil, err
		}
	}
	var report *Report
	if in.ReportID != "" {
		if report, err = s.store.GetReport(ctx, in.ReportID); err != nil {
			return nil, fmt.Errorf("moderation: act: report %s: %w", in.ReportID, err)
		}
	}
	a := &Action{ID: s.newID(), AccountID: me.ID, Kind: in.Kind, ReportID: in.ReportID, Comment: comment}
	var status Status
	switch in.Kind {
	case ActionResolve, ActionDismiss, ActionReopen:
		if report == nil {
			return nil, fielderr.New("report_id", "is required to change a report's status")
		}
		if status, err = transition(report.Status, in.Kind); err != nil {
			return nil, err
		}
		a.Target = report.Target
	default:
		if a.Target, err = s.actionTarget(ctx, in, report); err != nil {
			return nil, err
		}
		if err := s.apply(ctx, me, a); err != nil {
			return nil, fmt.Errorf("moderation: %s %s %s: %w", a.Kind, a.Target.Kind, a.Target.ID, err)
		}
	}
	err = s.inTx(ctx, func(_ storage.Tx, st Store) error {
		if status != "" {
			r, err := st.GetReport(ctx, report.ID)
			if err != nil {
				return err
			}
			// Checked again inside the transaction: another moderator
			// may have changed it meanwhile.
			if _, err := transition(r.Status, in.Kind); err != nil {
				return err
			}
			r.Status, r.UpdatedAt = status, s.clock()
			if err := st.UpdateReport(ctx, r); err != nil {
				return err
			}
		}
		a.CreatedAt = s.clock()
		return st.CreateAction(ctx, a)
	})
	if err != nil {
		return nil, fmt.Errorf("moderation: log %s: %w", a.Kind, err)
	}
	return a, nil
}

// transition returns the status a status action leads to from from.
func transition(from Status, kind ActionKind) (Status, error) {
	switch {
	case kind == ActionResolve && from == StatusOpen:
		return StatusResolved, nil
	case kind == ActionDismiss && from == StatusOpen:
		return StatusDismissed, nil
	case kind == ActionReopen && from != StatusOpen:
		return StatusOpen, nil
	}
	return "", fmt.Errorf("%w: cannot %s a report that is %s", ErrStatus, kind, from)
}

// actionTarget returns the target of an effect, checked against its kind.
func (s *Service) actionTarget(ctx context.Context, in ActionInput, report *Report) (Target, error) {
	content := in.Kind == ActionHide || in.Kind == ActionUnhide
	t := in.Target
	if t == (Target{}) {
		switch {
		case report == nil:
			return t, fielderr.New("target_id", "is required without a report")
		case content:
			t = report.Target
		default:
			a, err := s.store.GetActor(ctx, report.TargetActorID)
			if err != nil {
				return t, fmt.Errorf("moderation: act: actor %s: %w", report.TargetActorID, err)
			}
			t = Target{TargetActor, a.ID}
			if a.Type == identity.TypeGroup {
				t.Kind = TargetGroup
			}
		}
	}
	var ok bool
	switch in.Kind {
	case ActionHide, ActionUnhide:
		ok = t.Kind == TargetEvent || t.Kind == TargetComment || t.Kind == TargetDiscussionMessage
	case ActionSuspend, ActionUnsuspend:
		ok = t.Kind == TargetActor || t.Kind == TargetGroup
	case ActionSuspendAccount, ActionUnsuspendAccount:
		ok = t.Kind == TargetActor
	}
	if !ok {
		return t, fielderr.New("target_kind", "%s does not apply to a %s", in.Kind, t.Kind)
	}
	if _, err := resolve(ctx, s.store, t); err != nil {
		return t, fmt.Errorf("moderation: act: %w", err)
	}
	return t, nil
}

// apply makes the action's change to its target.
func (s *Service) apply(ctx context.Context, me *identity.Account, a *Action) error {
	on := a.Kind == ActionHide || a.Kind == ActionSuspend || a.Kind == ActionSuspendAccount
	switch a.Kind {
	case ActionHide, ActionUnhide:
		if s.content == nil {
			return fmt.Errorf("%w: no ContentHider", ErrUnsupported)
		}
		switch a.Target.Kind {
		case TargetEvent:
			return s.content.HideEvent(ctx, a.Target.ID, on)
		case TargetDiscussionMessage:
			return s.content.HideDiscussionMessage(ctx, a.Target.ID, on)
		}
		return s.content.HideComment(ctx, a.Target.ID, on)
	case ActionSuspend, ActionUnsuspend:
		if s.suspender == nil {
			return fmt.Errorf("%w: no Suspender", ErrUnsupported)
		}
		if _, err := s.owner(ctx, me, a.Target.ID, false); err != nil {
			return err
		}
		return s.suspender.SuspendActor(ctx, a.Target.ID, on)
	default: // ActionSuspendAccount, ActionUnsuspendAccount
		acct, err := s.owner(ctx, me, a.Target.ID, true)
		if err != nil {
			return err
		}
		_, err = s.ident.Suspend(ctx, acct.ID, on)
		return err
	}
}

// owner checks that me may suspend the actor actorID: when it is a
// local profile, its account is not me's and, unless me is an admin,
// not a moderator's or an admin's. It returns that account, nil for
// other actors; needProfile makes an actor without account an error.
func (s *Service) owner(ctx context.Context, me *identity.Account, actorID string, needProfile bool) (*identity.Account, error) {
	p, err := s.store.GetProfile(ctx, actorID)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		if needProfile {
			return nil, fielderr.New("target_id", "is not a local profile")
		}
		return nil, nil
	case err != nil:
		return nil, err
	}
	acct, err := s.ident.GetAccount(ctx, p.AccountID)
	if err != nil {
		return nil, err
	}
	switch {
	case acct.ID == me.ID:
		return nil, fmt.Errorf("%w: one cannot suspend oneself", ErrForbidden)
	case acct.Role != identity.RoleUser && me.Role != identity.RoleAdmin:
		return nil, fmt.Errorf("%w: only admins suspend admins and moderators", ErrForbidden)
	}
	return acct, nil
}

// LogFilter selects entries of the action log. Zero fields do not
// filter.
type LogFilter struct {
	ReportID string // the actions about one report
	After    string // cursor of the previous page
	Limit    int    // DefaultPageSize when <= 0, at most MaxPageSize
}

// Log lists the action log, oldest first, for an admin or a moderator.
// It returns the cursor of the next page, "" after the last one.
func (s *Service) Log(ctx context.Context, accountID string, f LogFilter) ([]Action, string, error) {
	if _, err := s.staff(ctx, accountID); err != nil {
		return nil, "", fmt.Errorf("moderation: log: %w", err)
	}
	q := ActionQuery{ReportID: f.ReportID}
	var err error
	if q.After, q.Limit, err = page(f.After, f.Limit); err != nil {
		return nil, "", err
	}
	as, err := s.store.ListActions(ctx, q)
	if err != nil {
		return nil, "", fmt.Errorf("moderation: log: %w", err)
	}
	if len(as) == 0 {
		return as, "", nil
	}
	last := as[len(as)-1]
	return as, next(len(as), q.Limit, last.CreatedAt, last.ID), nil
}
