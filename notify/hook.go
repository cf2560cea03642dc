package notify

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"codeberg.org/convene/convene/events"
	"codeberg.org/convene/convene/mail"
	"codeberg.org/convene/convene/storage"
)

// job is a notice waiting in the queue: a committed change to tell
// people about.
type job struct {
	kind        Kind
	event       events.Event
	participant *events.Participant // participation notices
	actorID     string              // who made the change: not told of it
	group       *groupJob           // a group discussion's notice (GroupChanged)
	// a private message's notice (ConversationChanged)
	conversation *convJob
}

// EventChanged implements events.Hook. It looks at the change inside its
// transaction but sends nothing there: a notice is queued once the
// transaction has committed (storage.AfterCommitter), and Run sends it.
// A rolled-back change therefore sends nothing. It never fails the
// change: when the transaction cannot run functions after it commits,
// or the queue is full, the notice is dropped and logged.
//
// Notices:
//   - participant.changed from not_approved or rejected to participant
//     or waitlisted: ParticipationApproved to the participant;
//   - participant.changed to rejected: ParticipationRejected;
//   - event.updated of a published event (not a draft, not the update
//     that publishes it): EventCancelled when its status is cancelled,
//     EventUpdated otherwise, to its participants, organizers, and
//     waitlisted people, except the one who changed it. Every update of
//     a cancelled event sends EventCancelled again, as the change does
//     not carry the previous status.
//
// Deleted events send nothing: their participations are gone with them.
func (n *Notifier) EventChanged(ctx context.Context, tx storage.Tx, c events.Change) error {
	j, ok := jobOf(c)
	if !ok {
		return nil
	}
	ac, err := storage.As[storage.AfterCommitter](tx)
	if err != nil {
		n.log.WarnContext(ctx, "notify: the transaction runs nothing after commit; notice dropped",
			slog.String("kind", string(j.kind)), slog.String("event", j.event.ID))
		return nil
	}
	ac.AfterCommit(func() { n.enqueue(j) })
	return nil
}

// jobOf is the notice a change causes, if any.
func jobOf(c events.Change) (job, bool) {
	if c.Event == nil {
		return job{}, false
	}
	j := job{event: *c.Event, actorID: c.ActorID}
	switch c.Kind {
	case events.ParticipantChanged:
		if c.Participant == nil {
			return job{}, false
		}
		p := *c.Participant
		j.participant = &p
		was := c.PreviousRole
		switch {
		case (was == events.RoleNotApproved || was == events.RoleRejected) &&
			(p.Role == events.RoleParticipant || p.Role == events.RoleWaitlisted):
			j.kind = ParticipationApproved
		case p.Role == events.RoleRejected && was != events.RoleRejected:
			j.kind = ParticipationRejected
		default:
			return job{}, false
		}
		return j, true
	case events.EventUpdated:
		if c.Event.Draft || c.Published {
			return job{}, false
		}
		j.kind = EventUpdated
		if c.Event.Status == events.Cancelled {
			j.kind = EventCancelled
		}
		return j, true
	}
	return job{}, false
}

func (n *Notifier) enqueue(j job) {
	select {
	case n.queue <- j:
	default:
		n.dropped.Add(1)
		n.log.Warn("notify: queue full; notice dropped",
			slog.String("kind", string(j.kind)), slog.String("event", j.event.ID))
	}
}

// Run sends the queued notices and, every ReminderInterval (and once at
// start), the reminders that are due (see Remind), until ctx ends; it
// then returns ctx's error. Only one Run may run at a time (ErrRunning).
//
// The queue lives in memory: notices still queued when the process stops
// or crashes are lost. That is accepted for notices, which tell of
// changes the recipients can also see on the instance; the messages a
// person waits for (account confirmation, password reset, anonymous
// participation) are sent at once by the functions the web pages call,
// not queued. A failed send is logged and not retried.
func (n *Notifier) Run(ctx context.Context) error {
	if !n.running.CompareAndSwap(false, true) {
		return ErrRunning
	}
	defer n.running.Store(false)
	tick := time.NewTicker(ReminderInterval)
	defer tick.Stop()
	n.remindLogged(ctx)
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case j := <-n.queue:
			n.process(ctx, j)
		case <-tick.C:
			n.remindLogged(ctx)
		}
	}
}

func (n *Notifier) remindLogged(ctx context.Context) {
	if err := n.Remind(ctx); err != nil && ctx.Err() == nil {
		n.log.ErrorContext(ctx, "notify: reminders", slog.Any("error", err))
	}
}

// process sends the messages of a notice.
func (n *Notifier) process(ctx context.Context, j job) {
	if j.group != nil {
		n.processDiscussion(ctx, j)
		return
	}
	if j.conversation != nil {
		n.processConversation(ctx, j)
		return
	}
	e := &j.event
	var att []mail.Attachment
	if j.kind != ParticipationRejected {
		att = []mail.Attachment{n.icsOf(ctx, e)}
	}
	if j.participant != nil {
		r, ok, err := n.participantRecipient(ctx, j.participant)
		if err != nil || !ok {
			n.logSend(ctx, j.kind, e.ID, err)
			return
		}
		d := data{Event: viewOf(e, e.BeginsAt, e.EndsAt, resolveLocale(r.locale, n.locale), r.tz),
			Waitlisted: j.participant.Role == events.RoleWaitlisted}
		n.logSend(ctx, j.kind, e.ID, n.send(ctx, r, j.kind, d, att))
		return
	}
	_, err := n.eachRecipient(ctx, e, notifiedRoles(), j.actorID, func(r recipient) error {
		d := data{Event: viewOf(e, e.BeginsAt, e.EndsAt, resolveLocale(r.locale, n.locale), r.tz)}
		return n.send(ctx, r, j.kind, d, att)
	})
	n.logSend(ctx, j.kind, e.ID, err)
}

func (n *Notifier) logSend(ctx context.Context, k Kind, eventID string, err error) {
	if err != nil && ctx.Err() == nil {
		n.log.ErrorContext(ctx, "notify: send", slog.String("kind", string(k)),
			slog.String("event", eventID), slog.Any("error", err))
	}
}

// notifiedRoles are the participations told of an event's changes.
func notifiedRoles() []events.ParticipantRole {
	return []events.ParticipantRole{events.RoleCreator, events.RoleModerator,
		events.RoleParticipant, events.RoleWaitlisted, events.RoleNotApproved}
}

// eachRecipient calls send once per distinct address among the first
// MaxRecipients participations of e in roles, skipping the actor skip,
// remote actors and accounts that get no mail. It returns how many
// sends succeeded and the first error (send errors do not stop it).
func (n *Notifier) eachRecipient(ctx context.Context, e *events.Event, roles []events.ParticipantRole, skip string,
	send func(recipient) error) (int, error) {
	seen := map[string]bool{}
	var cur storage.Cursor
	sent, listed := 0, 0
	var first error
	for listed < MaxRecipients {
		ps, err := n.events.ListParticipants(ctx, e.ID, roles, cur, min(participantPage, MaxRecipients-listed))
		if err != nil {
			return sent, err
		}
		for i := range ps {
			p := &ps[i]
			listed++
			if skip != "" && p.ActorID == skip {
				continue
			}
			r, ok, err := n.participantRecipient(ctx, p)
			if err != nil {
				first = cmpErr(first, err)
				continue
			}
			key := strings.ToLower(r.email)
			if !ok || seen[key] {
				continue
			}
			seen[key] = true
			if err := send(r); err != nil {
				first = cmpErr(first, err)
				continue
			}
			sent++
		}
		if len(ps) < participantPage {
			break
		}
		last := ps[len(ps)-1]
		cur = storage.Cursor{At: last.CreatedAt, ID: last.ID}
	}
	return sent, first
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
