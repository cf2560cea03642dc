package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/storage"
)

// checkOrigin binds the activity to its signer (SECURITY.md §1.2):
//
//   - the key's owner is the activity's actor (else 401);
//   - the activity id is on the actor's host (else 403);
//   - nothing on this instance's host is created, updated or deleted by
//     a remote (403);
//   - an embedded object not on the actor's host, or a created or updated
//     object attributed to someone else, is refetched from its origin and
//     replaces the embedded copy (403 when the fetch fails);
//   - Update and Delete only by the object's owner, or, when the owner
//     is a Group, by an actor on the group's host (403); an Update of a
//     Member (a role change) is its handler's to check; a plain object
//     (group content: a Note, a Document...) on the actor's host is not
//     refetched, and who may update it is its handler's decision;
//   - an embedded activity of an Undo is the actor's own (403).
func (h *Handler) checkOrigin(ctx context.Context, res *httpsig.Result, act *wire.ParsedActivity) error {
	if !safehttp.SameIRI(res.Owner, act.Actor) {
		return refuse(http.StatusUnauthorized, "signed by %s, not by the actor %s", res.Owner, act.Actor)
	}
	actorHost, err := hostOf(act.Actor)
	if err != nil {
		return refuse(http.StatusBadRequest, "actor: %v", err)
	}
	if actorHost == h.localHost {
		// A valid signature of a local key on a remote request: the key
		// leaked, or a local actor was forged.
		return refuse(http.StatusForbidden, "remote request signed as a local actor")
	}
	if act.ID != "" {
		idHost, err := hostOf(act.ID)
		if err != nil {
			return refuse(http.StatusBadRequest, "id: %v", err)
		}
		if idHost != actorHost {
			return refuse(http.StatusForbidden, "activity id %s is not on the actor's host %s", act.ID, actorHost)
		}
	}
	switch act.Type {
	case wire.TypeCreate, wire.TypeUpdate, wire.TypeDelete:
		return h.checkObjectOrigin(ctx, act, actorHost)
	case wire.TypeUndo:
		if act.Activity != nil && !safehttp.SameIRI(act.Activity.Actor, act.Actor) {
			return refuse(http.StatusForbidden, "an Undo of another actor's activity")
		}
	}
	return nil
}

func (h *Handler) checkObjectOrigin(ctx context.Context, act *wire.ParsedActivity, actorHost string) error {
	if act.ObjectIRI == "" {
		return refuse(http.StatusBadRequest, "a %s needs an object id", act.Type)
	}
	objHost, err := hostOf(act.ObjectIRI)
	if err != nil {
		return refuse(http.StatusBadRequest, "object id: %v", err)
	}
	if act.Type == wire.TypeUpdate && act.Object != nil && act.Object.Type == wire.TypeMember {
		// A role change in a group: the Member's IRI is the Join's id,
		// so ours for a local member of a remote group. Only the
		// group's host changes its roles (checked by memberUpdate).
		return nil
	}
	if objHost == h.localHost {
		return refuse(http.StatusForbidden, "a remote cannot %s an object of this instance", act.Type)
	}
	if act.Type == wire.TypeDelete {
		if objHost != actorHost {
			return refuse(http.StatusForbidden, "Delete of %s, not on the actor's host", act.ObjectIRI)
		}
		return h.checkOwner(ctx, act, act.ObjectIRI)
	}
	embedded := act.Event != nil || act.ActorObject != nil || act.Object != nil || act.Activity != nil
	if act.Activity != nil {
		return refuse(http.StatusBadRequest, "a %s of an activity", act.Type)
	}
	// A plain object (a Note, a Document...) on the signer's own host
	// is what that host would serve: fetching it again proves nothing.
	// Its claims (the group it is attributed to) are the handler's to
	// check (group content: the group's permission matrix).
	plain := act.Object != nil && act.Event == nil && act.ActorObject == nil
	if !embedded || objHost != actorHost || (!plain && !safehttp.SameIRI(embeddedOwner(act), act.Actor)) {
		if err := h.refetch(ctx, act); err != nil {
			return err
		}
		plain = act.Object != nil && act.Event == nil && act.ActorObject == nil
	}
	if act.Type == wire.TypeUpdate && plain {
		return h.checkOwner(ctx, act, act.ObjectIRI)
	}
	if act.Type == wire.TypeUpdate {
		if owner := embeddedOwner(act); !safehttp.SameIRI(owner, act.Actor) {
			ok, err := h.cfg.Owners.ActsFor(ctx, owner, act.Actor, act.Type)
			if err != nil {
				return fmt.Errorf("inbox: owner %s: %w", owner, err)
			}
			if !ok {
				return refuse(http.StatusForbidden, "Update of an object owned by %q", owner)
			}
		}
		return h.checkOwner(ctx, act, act.ObjectIRI)
	}
	return nil
}

// checkOwner: a stored object may be updated or deleted by its owner
// only. An unknown object is the actor's when it is on its host (a
// Delete before its Create is remembered as a tombstone).
func (h *Handler) checkOwner(ctx context.Context, act *wire.ParsedActivity, iri string) error {
	owner, err := h.cfg.Owners.OwnerOf(ctx, iri)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("inbox: owner of %s: %w", iri, err)
	case !safehttp.SameIRI(owner, act.Actor):
		if safehttp.SameIRI(owner, iri) {
			// An actor itself (a group too) is updated and deleted by
			// itself only (case 22).
			return refuse(http.StatusForbidden, "%s of the actor %s by %s", act.Type, iri, act.Actor)
		}
		ok, err := h.cfg.Owners.ActsFor(ctx, owner, act.Actor, act.Type)
		if err != nil {
			return fmt.Errorf("inbox: owner %s: %w", owner, err)
		}
		if !ok {
			return refuse(http.StatusForbidden, "%s of %s, owned by %s, by %s", act.Type, iri, owner, act.Actor)
		}
	}
	return nil
}

// embeddedOwner is the actor an embedded object belongs to: an actor
// itself, an event's attributedTo, an object's attributedTo or actor.
func embeddedOwner(act *wire.ParsedActivity) string {
	switch {
	case act.ActorObject != nil:
		return act.ActorObject.Actor.APID
	case act.Event != nil:
		return act.Event.AttributedTo
	case act.Object != nil:
		if act.Object.AttributedTo != "" {
			return act.Object.AttributedTo
		}
		return act.Object.Actor
	}
	return ""
}

// refetch replaces the activity's object with the document its origin
// serves: a forwarded object is never trusted.
func (h *Handler) refetch(ctx context.Context, act *wire.ParsedActivity) error {
	doc, err := h.cfg.Fetcher.FetchAS(ctx, act.ObjectIRI)
	if err != nil {
		return refuse(http.StatusForbidden, "object %s could not be fetched from its origin: %v", act.ObjectIRI, err)
	}
	if !safehttp.SameIRI(doc.ID, act.ObjectIRI) {
		return refuse(http.StatusForbidden, "object %s: its origin serves %s", act.ObjectIRI, doc.ID)
	}
	act.Event, act.ActorObject, act.Object, act.Activity = nil, nil, nil, nil
	act.RawObject = doc.Body
	if ev, err := h.cfg.Parser.ParseEvent(doc.Body); err == nil {
		act.Event = ev
		return nil
	}
	if a, err := h.cfg.Parser.ParseActor(doc.Body); err == nil {
		act.ActorObject = a
		return nil
	}
	o, err := h.cfg.Parser.ParseObject(doc.Body)
	if err != nil {
		return refuse(http.StatusForbidden, "object %s from its origin: %v", act.ObjectIRI, err)
	}
	act.Object = o
	return nil
}

// iris lists every IRI of an activity the domain policy applies to
// (Public excluded).
func iris(act *wire.ParsedActivity) []string {
	var out []string
	add := func(l ...string) {
		for _, s := range l {
			if s != "" && s != wire.PublicIRI {
				out = append(out, s)
			}
		}
	}
	var walk func(a *wire.ParsedActivity)
	walk = func(a *wire.ParsedActivity) {
		add(a.ID, a.Actor, a.AttributedTo, a.Target, a.Origin)
		add(a.ObjectIRIs...)
		add(a.To...)
		add(a.CC...)
		if e := a.Event; e != nil {
			add(e.Event.APID, e.AttributedTo, e.Actor)
			add(e.Organizers...)
			add(e.Contacts...)
			add(e.To...)
			add(e.CC...)
		}
		if o := a.Object; o != nil {
			add(o.ID, o.Actor, o.AttributedTo, o.Context, o.InReplyTo, o.Object)
			add(o.To...)
			add(o.CC...)
		}
		if p := a.ActorObject; p != nil {
			add(p.Actor.APID, p.KeyOwner)
		}
		if a.Activity != nil {
			walk(a.Activity)
		}
	}
	walk(act)
	return out
}
