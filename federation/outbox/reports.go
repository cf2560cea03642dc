package outbox

import (
	"context"
	"errors"
	"fmt"

	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/moderation"
	"codeberg.org/convene/convene/storage"
)

var _ moderation.Hook = (*Outbox)(nil)

// ReportFiled implements moderation.Hook: a local report about a remote
// actor or its content is forwarded to that actor's instance as a Flag
// from this instance's actor. The reporter is never named; the comment
// travels as the Flag's content.
func (o *Outbox) ReportFiled(ctx context.Context, tx storage.Tx, r moderation.Report) error {
	if !r.Forwarded || r.TargetActorID == "" {
		return nil
	}
	t, err := open(tx, false)
	if err != nil {
		return err
	}
	target, err := t.actor(ctx, r.TargetActorID)
	if err != nil {
		return err
	}
	if target.Local {
		return nil
	}
	inst, err := t.ids.GetActorByAPID(ctx, o.base+"/actor")
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("outbox: report %s: no instance actor to send the Flag", r.ID)
	}
	if err != nil {
		return fmt.Errorf("outbox: instance actor: %w", err)
	}
	act := wire.Flag(o.base+"/report/"+r.ID, inst.APID, target.APID, r.Comment, r.ContentIRIs)
	aud := &audience{}
	aud.add(target)
	return o.enqueue(ctx, t, act, inst.APID, aud)
}
