package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"codeberg.org/convene/convene/federation/httpsig"
	"codeberg.org/convene/convene/federation/safehttp"
	"codeberg.org/convene/convene/federation/wire"
	"codeberg.org/convene/convene/identity"
)

// ResolveKey implements httpsig.KeyResolver: it returns the key keyID
// names and its owner, after checking the domain policy, that the owner
// is on the keyId's host and that the owner's actor document lists
// keyID as its publicKey.id. refresh=true fetches the owner from its
// origin. Errors wrap httpsig.ErrKeyUnavailable (and ErrBlocked,
// ErrMismatch, ErrNotFound, ErrGone... where one applies).
func (r *Resolver) ResolveKey(ctx context.Context, keyID string, refresh bool) (httpsig.Key, error) {
	if !refresh {
		if k, ok := r.memoKey(keyID); ok {
			// The policy may have changed since: it is asked every time.
			u, err := r.parseIRI(keyID)
			if err == nil {
				err = r.allowed(ctx, hostOf(u))
			}
			if err != nil {
				return httpsig.Key{}, fmt.Errorf("%w: %w", httpsig.ErrKeyUnavailable, err)
			}
			return k, nil
		}
	}
	k, err := r.resolveKey(ctx, keyID, refresh)
	if err != nil {
		return httpsig.Key{}, fmt.Errorf("%w: %w", httpsig.ErrKeyUnavailable, err)
	}
	r.rememberKey(keyID, k)
	return k, nil
}

// memoKey returns a key resolved less than KeyMemoTTL ago.
func (r *Resolver) memoKey(keyID string) (httpsig.Key, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m, ok := r.keys[keyID]
	now := r.now()
	if !ok || now.Sub(m.at) >= KeyMemoTTL || now.Before(m.at) {
		return httpsig.Key{}, false
	}
	k := m.key
	k.Fresh = false
	return k, true
}

// rememberKey keeps a resolved key in memory.
func (r *Resolver) rememberKey(keyID string, k httpsig.Key) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.keys) >= MaxKeyMemo {
		r.keys = map[string]keyMemo{}
	}
	r.keys[keyID] = keyMemo{key: k, at: r.now()}
}

func (r *Resolver) resolveKey(ctx context.Context, keyID string, refresh bool) (httpsig.Key, error) {
	u, err := r.parseIRI(keyID)
	if err != nil {
		return httpsig.Key{}, err
	}
	host := hostOf(u)
	if err := r.allowed(ctx, host); err != nil {
		return httpsig.Key{}, err
	}
	doc, _, fragment := strings.Cut(keyID, "#")
	owner, force := doc, refresh
	if !fragment && host != r.host {
		// A key document or a stub pointing to its owner (GoToSocial),
		// or the actor itself.
		if o, ok := r.knownOwner(keyID); ok {
			owner = o
		} else if a, err := r.cfg.Actors.GetActorByAPID(ctx, keyID); refresh || err != nil || a.PublicKeyID != keyID {
			o, stored, err := r.keyOwner(ctx, keyID, host)
			if err != nil {
				return httpsig.Key{}, err
			}
			if stored != nil { // the keyId is the actor's IRI
				if stored.PublicKeyID != keyID {
					return httpsig.Key{}, fmt.Errorf("%w: actor %s does not list the key %s (its key is %q)", ErrMismatch, stored.APID, keyID, stored.PublicKeyID)
				}
				return keyOf(stored, keyID, true)
			}
			owner = o
		}
	}
	a, fresh, err := r.actor(ctx, owner, force)
	if err != nil {
		return httpsig.Key{}, err
	}
	if a.PublicKeyID != keyID && !fresh && !a.Local {
		if a, fresh, err = r.actor(ctx, owner, true); err != nil {
			return httpsig.Key{}, err
		}
	}
	if a.PublicKeyID != keyID {
		return httpsig.Key{}, fmt.Errorf("%w: actor %s does not list the key %s (its key is %q)", ErrMismatch, a.APID, keyID, a.PublicKeyID)
	}
	if owner != doc {
		r.rememberOwner(keyID, owner)
	}
	return keyOf(a, keyID, fresh)
}

// keyOf returns the key of an actor that lists keyID.
func keyOf(a *identity.Actor, keyID string, fresh bool) (httpsig.Key, error) {
	if a.PublicKeyPEM == "" {
		return httpsig.Key{}, fmt.Errorf("%w: actor %s publishes no key", ErrMismatch, a.APID)
	}
	pk, err := identity.ParsePublicKeyPEM(a.PublicKeyPEM)
	if err != nil {
		return httpsig.Key{}, fmt.Errorf("resolve: key %s: %w", keyID, err)
	}
	return httpsig.Key{PublicKey: pk, Owner: a.APID, Fresh: fresh}, nil
}

// keyDoc is what a key document says about its owner.
type keyDoc struct {
	ID         string          `json:"id"`
	Type       json.RawMessage `json:"type"`
	Owner      json.RawMessage `json:"owner"`
	Controller json.RawMessage `json:"controller"`
}

// keyOwner fetches the document a keyId without fragment names and
// returns its owner's IRI, which must be on host. When the document is
// the owner's actor document itself (its id is the keyId), it is stored
// and returned too.
func (r *Resolver) keyOwner(ctx context.Context, keyID, host string) (string, *identity.Actor, error) {
	body, final, err := r.get(ctx, keyID, safehttp.AcceptAS, true)
	if err != nil {
		return "", nil, fetchErr(keyID, err)
	}
	if !safehttp.SameIRI(final, keyID) {
		return "", nil, fmt.Errorf("%w: key %s was redirected to %s", ErrMismatch, keyID, final)
	}
	id, err := safehttp.TopLevelID(body)
	if err != nil {
		return "", nil, fmt.Errorf("resolve: key document %s: %w", keyID, err)
	}
	var d keyDoc
	if err := json.Unmarshal(body, &d); err != nil {
		return "", nil, fmt.Errorf("resolve: key document %s: %w: %v", keyID, safehttp.ErrMalformed, err)
	}
	var owner string
	switch {
	case isActor(d.Type) && id == keyID:
		a, err := r.storeActor(ctx, keyID, body)
		if err != nil {
			return "", nil, err
		}
		return keyID, a, nil
	case isActor(d.Type):
		owner = id // a stub of its owner (GoToSocial)
	case id != keyID:
		return "", nil, fmt.Errorf("%w: fetched the key %s, got the document %s", ErrMismatch, keyID, id)
	default:
		if owner = iriOf(d.Owner); owner == "" {
			owner = iriOf(d.Controller)
		}
		if owner == "" {
			return "", nil, fmt.Errorf("%w: key document %s names no owner", ErrMismatch, keyID)
		}
	}
	ou, err := r.parseIRI(owner)
	if err != nil {
		return "", nil, fmt.Errorf("resolve: owner of key %s: %w", keyID, err)
	}
	if hostOf(ou) != host {
		return "", nil, fmt.Errorf("%w: key %s is owned by %s on another host", ErrMismatch, keyID, owner)
	}
	return owner, nil, nil
}

// get GETs rawURL through Fetcher.Do and returns a 2xx body (at most
// wire.MaxDocumentSize) and the final URL without fragment; as requires
// an ActivityStreams Content-Type.
func (r *Resolver) get(ctx context.Context, rawURL, accept string, as bool) ([]byte, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", safehttp.ErrBadURL, err)
	}
	req.Header.Set("Accept", accept)
	resp, err := r.cfg.Fetcher.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	final := rawURL
	if resp.Request != nil && resp.Request.URL != nil {
		f := *resp.Request.URL
		f.Fragment, f.RawFragment = "", ""
		final = f.String()
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return nil, final, &safehttp.StatusError{StatusCode: resp.StatusCode, URL: final, Body: string(b)}
	}
	if ct := resp.Header.Get("Content-Type"); as && !safehttp.IsASContentType(ct) {
		return nil, final, fmt.Errorf("%w: %q from %s", safehttp.ErrContentType, ct, final)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, wire.MaxDocumentSize+1))
	if err != nil {
		return nil, final, err
	}
	if len(body) > wire.MaxDocumentSize {
		return nil, final, fmt.Errorf("%w: more than %d bytes from %s", safehttp.ErrTooLarge, wire.MaxDocumentSize, final)
	}
	if err := wire.CheckDocument(body); err != nil {
		return nil, final, fmt.Errorf("resolve: %s: %w", final, err)
	}
	return body, final, nil
}

// isActor reports whether a JSON type (a string or an array of them)
// names an actor type.
func isActor(raw json.RawMessage) bool {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return actorType(one)
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		return slices.ContainsFunc(many, actorType)
	}
	return false
}

func actorType(t string) bool {
	switch identity.ActorType(t) {
	case identity.TypePerson, identity.TypeGroup, identity.TypeApplication, identity.TypeOrganization, identity.TypeService:
		return true
	}
	return false
}

// iriOf reads an IRI given as a string or as an object with an id.
func iriOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}

func (r *Resolver) knownOwner(keyID string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.keyOwners[keyID]
	return o, ok
}

func (r *Resolver) rememberOwner(keyID, owner string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.keyOwners) >= MaxKeyOwners {
		clear(r.keyOwners)
	}
	r.keyOwners[keyID] = owner
}

var _ httpsig.KeyResolver = (*Resolver)(nil)

// hostOfIRI returns the host of an IRI in the form hostOf gives.
func hostOfIRI(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return hostOf(u)
}
